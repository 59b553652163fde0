"""Forms for enrolling a member and recording income; the services validate the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ppaos.lib.forms import BlankChoiceLabelMixin, ThaiDateField
from ppaos.livelihoods.models import IncomeSource, Stage
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


class IncomeEditForm(IncomeForm):
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
