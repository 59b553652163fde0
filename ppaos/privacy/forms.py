"""Forms for the data-subject page; the rules live in privacy.services."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ppaos.lib.forms import BlankChoiceLabelMixin, ThaiDateField
from ppaos.privacy.models import (
    ConsentRecord,
    DataSubjectRequest,
    LawfulBasis,
    Purpose,
    RequestKind,
)


def _moment(day: dt.date | None) -> dt.datetime:
    """Today means now; an earlier day means that day at noon, Bangkok time."""
    if day is None or day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


class ConsentForm(BlankChoiceLabelMixin, forms.ModelForm):
    given_on = ThaiDateField(label=_("given on"), required=False)

    class Meta:
        model = ConsentRecord
        fields = [
            "purpose",
            "lawful_basis",
            "notice_version",
            "given_by",
            "guardian_name",
            "guardian_relation",
            "sensitive_data",
            "share_with_agencies",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial",
            {"purpose": Purpose.REGISTRY, "lawful_basis": LawfulBasis.PUBLIC_TASK},
        )
        super().__init__(*args, **kwargs)

    def service_kwargs(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["given_at"] = _moment(self.cleaned_data.get("given_on"))
        return data


class RequestForm(BlankChoiceLabelMixin, forms.Form):
    kind = forms.ChoiceField(label=_("request"), choices=RequestKind.choices)
    requester_name = forms.CharField(label=_("requested by"), max_length=200, required=False)
    received_on = ThaiDateField(label=_("received on"), required=False)
    details = forms.CharField(
        label=_("details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "requester_name": data["requester_name"],
            "details": data["details"],
            "received_at": _moment(data.get("received_on")),
        }


class CloseRequestForm(forms.Form):
    status = forms.ChoiceField(
        label=_("close as"),
        choices=[
            (DataSubjectRequest.Status.DONE, _("Done")),
            (DataSubjectRequest.Status.REJECTED, _("Rejected")),
        ],
    )
    outcome = forms.CharField(
        label=_("outcome or reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("outcome or reason")}),
    )


class HoldForm(forms.Form):
    reason = forms.CharField(label=_("reason for the legal hold"), max_length=300)


class AnonymiseForm(BlankChoiceLabelMixin, forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: names, ID, phone and health data are erased for good"),
    )
    request = forms.ModelChoiceField(
        label=_("answering request"), queryset=DataSubjectRequest.objects.none(), required=False
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request"].queryset = person.privacy_requests.filter(
            status=DataSubjectRequest.Status.OPEN, kind=RequestKind.ERASURE
        )
