"""Forms parse and shape input; the rules live in registry.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ppaos.lib.forms import BlankChoiceLabelMixin, MergeFormMixin, ThaiDateField
from ppaos.registry.models import Household, Person, Relation


class HouseholdForm(MergeFormMixin, BlankChoiceLabelMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Household
        fields = [
            "house_no",
            "soi",
            "road",
            "village",
            "moo",
            "postal_code",
            "house_registration_no",
            "tenure",
        ]


class PersonForm(MergeFormMixin, BlankChoiceLabelMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    national_id = forms.CharField(
        label=_("national ID"),
        required=False,
        max_length=20,
        help_text=_("13 digits. Leave empty if the person has no ID card."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = ThaiDateField(label=_("birth date"), required=False)
    adl_assessed_on = ThaiDateField(label=_("ADL assessed on"), required=False)

    class Meta:
        model = Person
        fields = [
            "national_id",
            "prefix",
            "first_name",
            "last_name",
            "sex",
            "birth_date",
            "birth_date_estimated",
            "phone",
            "education",
            "occupation",
            "monthly_income",
            "has_disability_card",
            "chronic_illness",
            "nationality",
            "nationality_reason",
            "house_register",
            "house_register_place",
            "adl_score",
            "adl_assessed_on",
            "incontinent",
            "state_pension",
            "in_state_care",
            "financial_assets",
        ]
        help_texts = {
            "nationality": _(
                "Leave as the national ID shows it unless you have a document; IDs starting "
                "with 8 need it recorded."
            ),
            "adl_score": _("From a health worker's Barthel ADL assessment; empty if not assessed."),
            "financial_assets": _("Deposits, savings bonds and other financial assets."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = [
            ("", _("as the national ID shows")),
            *list(self.fields["nationality"].choices)[1:],
        ]
        if self.instance.pk and not self.instance.nationality_reason:
            self.initial["nationality"] = ""  # follows the ID unless recorded with a reason
        # Not a model column (stored encrypted): model_to_dict does not fill it in.
        if self.instance.pk and "national_id" not in self.initial:
            self.initial["national_id"] = self.instance.entered_national_id() or ""


class NewMemberForm(PersonForm):
    relation = forms.ChoiceField(label=_("relation to head"), choices=Relation.choices)

    class Meta(PersonForm.Meta):
        fields = ["relation", *PersonForm.Meta.fields]


class LeaveForm(forms.Form):
    end_date = ThaiDateField(label=_("left on"))
    reason = forms.ChoiceField(
        label=_("reason"),
        choices=[("moved", _("Moved away")), ("died", _("Died")), ("other", _("Other"))],
    )
