"""Forms for enrolling a member and recording income; the services validate the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ppaos.areas.models import Community
from ppaos.lib.forms import BlankChoiceLabelMixin, MergeFormMixin, ThaiDateField
from ppaos.livelihoods.models import (
    EnrolmentStatus,
    IncomeSource,
    PartnerKind,
    ProgrammeKind,
    Stage,
)
from ppaos.registry.models import Person


class EnrolForm(BlankChoiceLabelMixin, forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Member"))
    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), label=_("Stage"), required=False)
    start_date = ThaiDateField(label=_("Enrolled on"))

    def __init__(self, *args, people=None, stages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people if people is not None else Person.objects.none()
        self.fields["person"].label_from_instance = lambda p: p.full_name
        self.fields["stage"].queryset = stages if stages is not None else Stage.objects.none()


class IncomeForm(BlankChoiceLabelMixin, forms.Form):
    round_name = forms.CharField(label=_("Survey round"), max_length=50)
    monthly_income = forms.DecimalField(
        label=_("Monthly income (baht)"), min_value=0, max_digits=10, decimal_places=2
    )
    source = forms.ChoiceField(label=_("Main source"), choices=IncomeSource.choices)


class IncomeEditForm(MergeFormMixin, IncomeForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["round_name"]


class RoundsForm(forms.Form):
    from_round = forms.ChoiceField(label=_("From round"), required=False)
    to_round = forms.ChoiceField(label=_("To round"), required=False)

    def __init__(self, *args, rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(r, r) for r in rounds]
        self.fields["from_round"].choices = choices
        self.fields["to_round"].choices = choices


# Managing programmes -----------------------------------------------------------------------


class ProgrammeForm(BlankChoiceLabelMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", ""), *ProgrammeKind.choices])
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    start_date = ThaiDateField(label=_("Started on"))
    communities = forms.ModelMultipleChoiceField(
        queryset=Community.objects.none(),
        label=_("Communities"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, communities=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].queryset = (
            communities if communities is not None else Community.objects.none()
        )
        self.fields["communities"].label_from_instance = lambda c: c.name
        if editing:  # the code names the programme in exports and links: it stays
            del self.fields["code"]


class StageForm(forms.Form):
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    position = forms.IntegerField(
        label=_("Order (1 = first)"), min_value=1, max_value=1000, required=False
    )


class PartnerForm(BlankChoiceLabelMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", ""), *PartnerKind.choices])
    name = forms.CharField(label=_("Name"), max_length=200)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), label=_("Stage"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, stages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stages if stages is not None else Stage.objects.none()


class EnrolmentEditForm(MergeFormMixin, BlankChoiceLabelMixin, forms.Form):
    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), label=_("Stage"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=EnrolmentStatus.choices)
    end_date = ThaiDateField(label=_("Until"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, stages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stages if stages is not None else Stage.objects.none()
