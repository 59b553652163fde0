"""Forms for referral pages; the rules stay in services."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ppaos.accounts.models import Organisation, User
from ppaos.lib import safejson
from ppaos.lib.forms import BlankChoiceLabelMixin, MergeFormMixin, ThaiDateField
from ppaos.lib.i18n import is_english
from ppaos.referrals import rules, windows
from ppaos.referrals.models import PlanIntervention, PlanVisit, Service
from ppaos.referrals.services import rule_check

CONSENT_PURPOSE = _(
    "To share the person's name, contact and address with the agency named here, so it can "
    "give the service (PPAOS referral)."
)


class ReferralForm(forms.Form):
    """A new referral: the note the agency reads, and consent (or a justified override)."""

    note = forms.CharField(
        label=_("note to the agency"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The agency sees the person's name, phone and address, the service and this note "
            "— nothing else of the household. Write only what it needs."
        ),
    )
    consent_given = forms.BooleanField(
        label=_("The person agreed that their data go to this agency for this service"),
        required=False,
    )
    consent_by = forms.CharField(
        label=_("consent given by (name)"),
        required=False,
        help_text=_("For a minor (under 20), the parent or legal guardian (PDPA s.20)."),
    )
    override_reason = forms.CharField(
        label=_("no consent: reason to send anyway"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only when consent cannot be asked (e.g. vital interest, PDPA s.24). "
            "The reason is recorded on the referral's timeline."
        ),
    )


class SendForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    consent_given = ReferralForm.base_fields["consent_given"]
    consent_by = ReferralForm.base_fields["consent_by"]
    override_reason = ReferralForm.base_fields["override_reason"]


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(VersionForm):
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CompleteForm(VersionForm):
    outcome = forms.CharField(
        label=pgettext_lazy("referral", "outcome"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    enrolled = forms.BooleanField(
        label=_("The person now receives this service's benefit (enrolled)"),
        required=False,
        initial=True,
    )
    benefit_amount = forms.DecimalField(
        label=_("benefit (baht)"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    benefit_from = ThaiDateField(label=_("benefit from"), required=False)


class TransferForm(BlankChoiceLabelMixin, VersionForm):
    organisation = forms.ModelChoiceField(
        label=_("transfer to"), queryset=Organisation.objects.all()
    )
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, exclude_pk=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.exclude(pk=exclude_pk)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}))


class ServiceForm(forms.ModelForm):
    required_documents = forms.CharField(
        label=_("required documents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line."),
    )

    class Meta:
        model = Service
        fields = [
            "name_th",
            "name_en",
            "description_th",
            "description",
            "required_documents",
            "sla_days",
            "amount_period",
            "is_active",
            "source",
            "source_th",
            "registration_by_rounds",
            "registration_windows",
        ]
        help_texts = {
            "registration_windows": _(
                'Empty: apply any time. A dated round: `[{"from": "2022-09-05", "until": '
                '"2022-10-31"}]`; every year: `[{"yearly": ["10-01", "11-30"]}]`.'
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["required_documents"] = "\n".join(self.instance.required_documents)

    def clean_registration_windows(self) -> list:
        value = self.cleaned_data.get("registration_windows") or []
        windows.validate(value)
        return value

    def clean_required_documents(self):
        lines = self.cleaned_data["required_documents"].splitlines()
        return [line.strip() for line in lines if line.strip()]


class RuleField(forms.CharField):
    """A rule written as JSON; checked against the rule language, the known facts and their
    types (`expect`: rules.BOOL for an eligibility rule, rules.NUMBER for an amount)."""

    widget = forms.Textarea(attrs={"rows": 5, "spellcheck": "false", "class": "code"})
    # A rule is a few hundred characters; the limits keep a pasted monster out of the parser.
    MAX_CHARS = 20_000

    def __init__(self, *args, expect: str | None = None, **kwargs):
        self.expect = expect
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return None
        if len(text) > self.MAX_CHARS:
            raise ValidationError(
                _("The rule is too long (more than %(limit)s characters).")
                % {"limit": self.MAX_CHARS}
            )
        try:
            expression = safejson.loads(text)
        except safejson.JSONLimitError as e:
            raise ValidationError(str(e)) from None
        rule_check(expression, self.expect)
        return expression

    def prepare_value(self, value):
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)


class RuleForm(forms.Form):
    effective_from = ThaiDateField(label=_("in force from"))
    eligibility = RuleField(
        expect=rules.BOOL,
        label=_("eligibility rule (JSON)"),
        required=False,
        help_text=_(
            'E.g. `{"and": [{">=": [{"var": "age"}, 60]}, {"var": "thai"}]}`. '
            "Empty: referral on judgement only."
        ),
    )
    amount = RuleField(
        expect=rules.NUMBER,
        label=_("amount (number or JSON rule)"),
        required=False,
        help_text=_('E.g. `600`, or `{"tiers": [{"var": "age"}, [[60, 600], [70, 700]]]}`.'),
    )
    note_th = forms.CharField(
        label=_("note (Thai)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(
        label=_("note (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_confirmed = forms.BooleanField(label=_("confirmed"), required=False, initial=True)
    source_th = forms.CharField(label=_("source (Thai)"), required=False, max_length=800)
    source = forms.CharField(label=_("source (English)"), required=False, max_length=500)
    replace = forms.BooleanField(
        label=_("replace the version of this day"),
        required=False,
        help_text=_(
            "Only when a version already takes effect on this day (say, a faulty one in force "
            "today): the new version replaces it, and the old one stays in the history."
        ),
    )


# Plans --------------------------------------------------------------------------------------


def _problem_choices(indicator_problems: list[dict]):
    english = is_english()
    return [("", _("— other (describe) —"))] + [
        (p["code"], p["name_en"] if english else p["name_th"]) for p in indicator_problems
    ]


class PlanForm(MergeFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    responsible = forms.ModelChoiceField(
        label=_("responsible person"), queryset=User.objects.none()
    )
    goal = forms.CharField(
        label=_("goal"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, responsibles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = responsibles
        self.fields["responsible"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
        )


class ProblemForm(forms.Form):
    code = forms.ChoiceField(label=_("problem"), required=False)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    person = forms.ModelChoiceField(label=_("member"), required=False, queryset=None)

    def __init__(self, *args, problems, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = _problem_choices(problems)
        self.fields["person"].queryset = members
        self.fields["person"].empty_label = _("— the whole household —")


class InterventionForm(forms.Form):
    description = forms.CharField(
        label=_("what will be done"), widget=forms.Textarea(attrs={"rows": 2})
    )
    problem = forms.ModelChoiceField(label=_("for problem"), required=False, queryset=None)
    service = forms.ModelChoiceField(
        label=_("service"), required=False, queryset=Service.objects.filter(is_active=True)
    )
    person = forms.ModelChoiceField(label=_("member"), required=False, queryset=None)
    responsible_name = forms.CharField(label=_("who does it"), required=False, max_length=200)
    target_date = ThaiDateField(label=_("by"), required=False)

    def __init__(self, *args, plan, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem"].queryset = plan.problems.all()
        self.fields["problem"].label_from_instance = lambda p: p.description or p.code
        self.fields["person"].queryset = members
        self.fields["person"].empty_label = _("— the whole household —")
        self.fields["problem"].empty_label = _("— none —")
        self.fields["service"].empty_label = _("— none —")


class InterventionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=PlanIntervention.Status.choices)


class PlanVisitForm(BlankChoiceLabelMixin, forms.Form):
    visited_on = ThaiDateField(label=_("visited on"))
    # No default: a preselected "better" would be saved by a visitor who skipped the question.
    progress = forms.ChoiceField(
        label=_("progress"), choices=[("", "—"), *PlanVisit.Progress.choices]
    )
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_visit_on = ThaiDateField(label=_("next visit"), required=False)


class ExitForm(forms.Form):
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportFilterForm(forms.Form):
    date_from = ThaiDateField(label=_("sent from"), required=False)
    date_to = ThaiDateField(label=_("sent until"), required=False)


class ScreenForm(forms.Form):
    """A list of people who are not in the registry, to screen against the catalogue."""

    MAX_BYTES = 5 * 1024 * 1024

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 CSV with a header row: `case_id, national_id, birth_date, disability_card, "
            "adl_score, incontinence, personal_income_year, household_income_year, "
            "household_members, financial_assets, state_pension, in_state_care, receives`."
        ),
    )
    on = ThaiDateField(label=_("screen as on"))

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB: split it."))
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not UTF-8 text: save it as CSV UTF-8.")
            ) from None
