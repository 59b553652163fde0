from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import VIEW_AUDIT
from ppaos.audit.models import Action
from ppaos.audit.selectors import audit_search, object_type_choices
from ppaos.lib.forms import ThaiDateField


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("user"), required=False)
    action = forms.ChoiceField(
        label=_("action"), required=False, choices=[("", "—"), *Action.choices]
    )
    object_type = forms.ChoiceField(label=_("record type"), required=False, choices=[])
    record = forms.CharField(
        label=_("household, person or record number"),
        required=False,
        max_length=100,
        help_text=_("A household code, a person's name or national ID, or a record number."),
    )
    object_id = forms.CharField(label=_("record number"), required=False, widget=forms.HiddenInput)
    ip_address = forms.GenericIPAddressField(label=_("address (IP)"), required=False)
    date_from = ThaiDateField(label=_("from"), required=False)
    date_to = ThaiDateField(label=_("until"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", "—"), *object_type_choices()]


@login_required
def audit_list(request):
    """Search who created, changed, viewed or exported personal data."""
    require_capability(request.user, VIEW_AUDIT)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(audit_search(**filters), 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"form": form, "page": page})
