"""Forms of the community pages. They only shape input: the rules are in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ppaos.community import correctable
from ppaos.community.programme import FundMode, ProcurementMethod
from ppaos.lib.forms import MergeFormMixin, ThaiDateField
from ppaos.registry.models import Household, Person

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


class CorrectionForm(forms.Form):
    """The proposed value of one field, typed like the registry form types it, and why."""

    reason = forms.CharField(
        label=_("Why is the record wrong? (how you know)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )

    def __init__(self, *args, target, field: str, **kwargs):
        super().__init__(*args, **kwargs)
        value = correctable.form_field(target, field)
        value.label = _("Proposed value")
        choices = list(getattr(value, "choices", None) or [])
        if choices and choices[0][0] == "":
            value.choices = [("", _("— choose —")), *choices[1:]]
        self.fields = {"value": value, "reason": self.fields["reason"]}


class LifeEventForm(forms.Form):
    """A death or a move-out of one of the household's current members."""

    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[
            ("death", _("A member died")),
            ("moved_out", _("A member moved out")),
        ],
        widget=forms.RadioSelect,
    )
    person = forms.ChoiceField(label=_("Who"))
    date = ThaiDateField(label=_("When it happened"))
    reason = forms.CharField(
        label=_("How do you know?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("— choose —"))] + [
            (str(m.person_id), f"{m.person.full_name} ({m.get_relation_display()})")
            for m in members
        ]


class NewHouseholdForm(forms.Form):
    """A household that is not in the registry yet: its address and its head."""

    reason = forms.CharField(
        label=_("How do you know? (e.g. moved in on, who told you)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for name in ("house_no", "moo", "village", "soi", "road", "postal_code"):
            fields[name] = correctable.form_field(Household, name)
        for name in ("prefix", "first_name", "last_name", "sex", "birth_date"):
            field = correctable.form_field(Person, name)
            field.label = _("Head of household: %(field)s") % {"field": field.label}
            fields[f"head_{name}"] = field
        fields["head_first_name"].required = True
        fields["reason"] = self.fields["reason"]
        self.fields = fields


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept and apply")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (required when rejecting)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    # Set only when the reviewer has seen the conflict and applies over the record as it is now.
    record_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FundYearForm(forms.Form):
    year_be = forms.IntegerField(
        label=_("Fiscal year (B.E.)"),
        min_value=2500,
        max_value=2700,
        help_text=_(
            "A fiscal year runs from 1 October to 30 September and is named by the year it "
            "ends in: 2569 starts on 1 October 2568."
        ),
    )
    budget = forms.DecimalField(label=_("Budget (baht)"), required=False, **MONEY)

    def __init__(self, *args, can_set_budget: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_set_budget:
            del self.fields["budget"]


class BudgetForm(MergeFormMixin, forms.Form):
    budget = forms.DecimalField(label=_("Budget (baht)"), **MONEY)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    purpose = forms.CharField(
        label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    amount_requested = forms.DecimalField(label=_("Amount requested (baht)"), **MONEY)
    proposer_name = forms.CharField(label=_("Proposed by (name or group)"), max_length=200)


class DecisionForm(forms.Form):
    meeting_date = ThaiDateField(label=_("Meeting date"))
    attendance = forms.IntegerField(label=_("People attending"), min_value=0)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, initial=0)
    approved_amount = forms.DecimalField(
        label=_("Approved amount (baht)"),
        required=False,
        help_text=_("Empty: the amount requested, if the votes approve it."),
        **MONEY,
    )
    minutes_note = forms.CharField(
        label=_("Minutes (what was decided, conditions)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class ExpenditureForm(forms.Form):
    spent_on = ThaiDateField(label=_("Date paid"))
    amount = forms.DecimalField(label=_("Amount (baht)"), **MONEY)
    payee = forms.CharField(label=_("Paid to (shop or person)"), max_length=200)
    description = forms.CharField(
        label=_("What for"),
        max_length=300,
        help_text=_("Shown on the public page: do not write the names of people helped."),
    )
    receipt = forms.FileField(
        label=_("Receipt (photo or PDF, at most 5 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class ProcurementRequestForm(forms.Form):
    items = forms.CharField(
        label=_("Items and quantities"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("What the community chose, e.g. 4 standing fans, 1 loudspeaker set."),
    )
    amount_requested = forms.DecimalField(label=_("Amount requested (baht)"), **MONEY)
    requested_on = ThaiDateField(label=_("Date requested"))


class PurchaseForm(forms.Form):
    procured_on = ThaiDateField(label=_("Date bought"))
    method = forms.ChoiceField(label=_("Procurement method"), choices=ProcurementMethod.choices)
    amount = forms.DecimalField(label=_("Amount of the purchase (baht)"), **MONEY)
    supplier = forms.CharField(label=_("Supplier (shop or contractor)"), max_length=200)
    reference = forms.CharField(
        label=_("Purchase order or contract no."), max_length=100, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class DeliveryForm(forms.Form):
    delivered_on = ThaiDateField(label=_("Date delivered"))
    delivery_note = forms.CharField(
        label=_("What was delivered"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReceiptForm(forms.Form):
    received_on = ThaiDateField(label=_("Date received"))
    complete = forms.TypedChoiceField(
        label=_("Did everything requested arrive, in good order?"),
        choices=[("1", _("Yes, everything")), ("0", _("No: something is missing or damaged"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (required if something is missing or damaged)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class FundRuleForm(MergeFormMixin, forms.Form):
    mode = forms.ChoiceField(label=_("How the fund is used"), choices=FundMode.choices)
    budget = forms.DecimalField(
        label=_("Yearly budget (baht)"),
        required=False,
        help_text=_("Empty: the system's default budget."),
        **MONEY,
    )
    source = forms.CharField(
        label=_("Source (regulation, date)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
