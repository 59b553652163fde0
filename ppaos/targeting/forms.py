"""Forms for targeting pages; rules stay in services."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ppaos.accounts.models import User
from ppaos.accounts.scope import RECORD_VISITS, roles_with
from ppaos.areas.models import Community
from ppaos.assessment.rules import score_choices
from ppaos.lib.forms import BlankChoiceLabelMixin, ThaiDateField
from ppaos.lib.i18n import is_english
from ppaos.registry.forms import NewMemberForm
from ppaos.registry.models import Relation
from ppaos.targeting import selectors
from ppaos.targeting.importing import FIELDS
from ppaos.targeting.members import household_members_on, person_indicators
from ppaos.targeting.models import Outcome, SurveyStatus, TargetList

MAX_UPLOAD = 50 * 1024 * 1024
MAX_PHOTO = 5 * 1024 * 1024
PURPOSE = _(
    "To verify the household's situation and refer it to help it is due (PPAOS poverty "
    "alleviation). Data are kept by the city and shared only with agencies that help."
)


class ImportForm(BlankChoiceLabelMixin, forms.Form):
    file = forms.FileField(label=_("file (.csv or .xlsx)"))
    source = forms.ChoiceField(
        label=_("source"), choices=[("tpmap", "TPMAP"), ("local", _("Local list"))]
    )
    year_be = forms.IntegerField(label=_("year (B.E.)"), min_value=2500, max_value=2700)
    mapping = forms.CharField(
        label=_("column mapping (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "national_id=CID\nfirst_name=NAME"}),
        help_text=_(
            "One per line, `field=column header`. Thai and English headers are "
            "recognised without a mapping."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_("Use a .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD:
            raise ValidationError(_("The file is larger than 50 MB: split it."))
        return upload

    def clean_mapping(self):
        mapping = {}
        for line in self.cleaned_data["mapping"].splitlines():
            if not line.strip():
                continue
            field, sep, header = line.partition("=")
            if not sep or field.strip() not in FIELDS:
                raise ValidationError(
                    _("Write each line as field=header; fields: %(fields)s")
                    % {"fields": ", ".join(FIELDS)}
                )
            mapping[field.strip()] = header.strip()
        return mapping


class CampaignForm(BlankChoiceLabelMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    target_list = forms.ModelChoiceField(
        label=_("target list"), queryset=TargetList.objects.all(), required=False
    )
    closes_on = ThaiDateField(label=_("closes on"), required=False)
    sample_width = forms.DecimalField(
        label=_("target width of the 95% interval"),
        min_value=Decimal("0.01"),
        max_value=Decimal("0.5"),
        decimal_places=3,
        initial=Decimal("0.10"),
        required=False,
        help_text=_(
            "For the random sample of households not on the list: 0.10 means the estimate of "
            "คนจนตกหล่น should be known to within ±5 percentage points."
        ),
    )


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("reviewed status"),
        choices=[(SurveyStatus.POOR, _("Poor")), (SurveyStatus.NOT_POOR, _("Not poor"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(BlankChoiceLabelMixin, forms.Form):
    community = forms.ModelChoiceField(label=_("community"), queryset=Community.objects.none())
    volunteer = forms.ModelChoiceField(label=_("volunteer"), queryset=User.objects.none())

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["volunteer"].queryset = (
            User.objects.filter(
                role_assignments__role__in=roles_with(RECORD_VISITS),
                role_assignments__community__in=communities,
            )
            .distinct()
            .order_by("username")
        )
        self.fields["community"].label_from_instance = lambda c: f"{c.code} {c.name}"
        self.fields["volunteer"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
        )


WORKLIST_STATUS_LABELS = (
    (selectors.NOT_VISITED, _("Not visited")),
    (selectors.VISITED, _("Visited")),
    (selectors.CONFLICT, _("Conflict: needs review")),
)
WORKLIST_SORT_LABELS = (
    ("priority", _("Target list first")),
    ("address", _("House number")),
    ("status", _("Status")),
    ("name", _("Head of household's name")),
)


class WorklistFilterForm(forms.Form):
    """The worklist's filter and sort (GET); anything unknown falls back to showing all."""

    q = forms.CharField(
        label=_("Find a name, address or household code"), required=False, max_length=100
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *WORKLIST_STATUS_LABELS], required=False
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=WORKLIST_SORT_LABELS, required=False)


ANSWER_CHOICES = [("", "—"), ("yes", _("Met")), ("no", _("Not met")), ("na", _("Does not apply"))]
MEMBER_CHOICES = [("", "—"), ("yes", _("Met")), ("no", _("Not met"))]


class VisitForm(forms.Form):
    """Consent first, then the outcome, then the survey built from the indicator set."""

    consent_given = forms.BooleanField(
        label=_("The household agreed to give information for this purpose"), required=False
    )
    consent_by = forms.CharField(label=_("consent given by (name)"), required=False)
    consent_purpose = forms.CharField(
        label=_("purpose told to the household"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    visited_on = ThaiDateField(label=_("visited on"))
    # No default: a preselected outcome would be saved by a volunteer who skipped the question.
    outcome = forms.ChoiceField(
        label=_("outcome"), choices=[("", _("— choose —")), *Outcome.choices]
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, indicator_set, household=None, **kwargs):
        """With `household` (when the user may see its people), person-level indicators are
        asked of each current member eligible on the visit day instead of the household."""
        super().__init__(*args, **kwargs)
        english = is_english()
        self.indicator_codes = []
        self.item_codes = []
        self.member_groups = []  # [(member, [(indicator code, field name)])]
        members = household_members_on(household, self._visit_day()) if household else []
        asked_per_member = set()
        if members:
            indicators = person_indicators(indicator_set)
            asked_per_member = {i.code for i in indicators}
            for member in members:
                questions = []
                for indicator in indicators:
                    if not indicator.applies(age=member.age, disabled=member.disabled):
                        continue
                    name = f"mem_{member.person_id}_{indicator.code}"
                    label = indicator.name_en if english else indicator.name_th
                    self.fields[name] = forms.ChoiceField(
                        label=label, choices=MEMBER_CHOICES, required=False
                    )
                    questions.append((indicator.code, name))
                if questions:
                    self.member_groups.append((member, questions))
        for indicator in indicator_set.indicators():
            if indicator["code"] in asked_per_member:
                continue
            name = f"ind_{indicator['code']}"
            label = indicator["name_en"] if english else indicator["name_th"]
            self.fields[name] = forms.ChoiceField(
                label=label, choices=ANSWER_CHOICES, required=False
            )
            self.indicator_codes.append(indicator["code"])
        for item in indicator_set.capital_items():
            name = f"cap_{item['code']}"
            label = item["name_en"] if english else f"{item['capital_th']}: {item['name_th']}"
            # Each score says what it means for this item (the indicator set's rubric).
            choices = [("", "—"), *score_choices(item, english=english)]
            self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False)
            self.item_codes.append(item["code"])
        problems = indicator_set.definition.get("problems", [])
        self.fields["problems"] = forms.MultipleChoiceField(
            label=_("problems"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[(p["code"], p["name_en"] if english else p["name_th"]) for p in problems],
        )
        self.fields["needs"] = forms.CharField(
            label=_("needs"), required=False, widget=forms.Textarea(attrs={"rows": 3})
        )
        self.fields["notes"] = forms.CharField(
            label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
        )
        self.fields["photo"] = forms.ImageField(label=_("photo (optional)"), required=False)

    def _visit_day(self) -> dt.date:
        """The visit day posted (when it reads as a date), else the initial one or today."""
        if self.is_bound:
            try:
                return ThaiDateField().clean(self.data.get(self.add_prefix("visited_on")))
            except ValidationError:
                pass
        day = self.initial.get("visited_on")
        return day if isinstance(day, dt.date) else timezone.localdate()

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > MAX_PHOTO:
            raise ValidationError(_("The photo is larger than 5 MB."))
        return photo

    def survey(self) -> dict:
        """Answers as the service takes them."""
        data = self.cleaned_data
        answers = {}
        for code in self.indicator_codes:
            value = data.get(f"ind_{code}")
            if value:
                answers[code] = {"yes": True, "no": False, "na": None}[value]
        items = {c: int(data[f"cap_{c}"]) for c in self.item_codes if data.get(f"cap_{c}")}
        members = {}
        for member, questions in self.member_groups:
            given = {code: data[name] == "yes" for code, name in questions if data.get(name)}
            if given:
                members[str(member.person_id)] = given
        return {
            "answers": answers,
            "member_indicators": members,
            "capital_items": items,
            "problems": data.get("problems") or [],
            "needs": data.get("needs", ""),
        }

    def indicator_fields(self):
        return [self[f"ind_{c}"] for c in self.indicator_codes]

    def member_fields(self):
        """[(member, [bound field, ...])] for the template."""
        return [(m, [self[name] for _code, name in q]) for m, q in self.member_groups]

    def capital_fields(self):
        return [self[f"cap_{c}"] for c in self.item_codes]


class OtherMemberForm(NewMemberForm):
    """Another member on the new-household form (which works offline): who they are. The rest
    of their details are added from the household page once back online. A slot left with no
    name is skipped."""

    KEEP = ("relation", "national_id", "prefix", "first_name", "last_name", "sex", "birth_date")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_permitted", True)
        kwargs.setdefault("use_required_attribute", False)
        super().__init__(*args, **kwargs)
        for name in [n for n in self.fields if n not in self.KEEP]:
            del self.fields[name]
        self.fields["relation"].choices = [
            ("", "—"),
            *[(value, label) for value, label in Relation.choices if value != Relation.HEAD],
        ]

    @staticmethod
    def is_filled(data, prefix: str) -> bool:
        """Whether the slot `prefix` of a posted form holds a member (a first or last name)."""
        return any(str(data.get(f"{prefix}-{n}", "")).strip() for n in ("first_name", "last_name"))
