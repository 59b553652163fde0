"""The service catalogue: agencies, services and their rules."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ppaos.lib.forms import add_service_errors
from ppaos.referrals import access, rules, services
from ppaos.referrals.eligibility import FACTS
from ppaos.referrals.forms import (
    RuleForm,
    ServiceForm,
)
from ppaos.referrals.models import (
    Service,
)

# Catalogue ------------------------------------------------------------------------------------


@login_required
def catalogue(request):
    """Agencies and their services: public information, open to every signed-in role."""
    rows = Service.objects.select_related("provider").prefetch_related("rules")
    today = timezone.localdate()
    return render(
        request,
        "referrals/catalogue.html",
        {
            "services": [(s, s.rule_on(today)) for s in rows],
            "can_edit": access.can_edit_catalogue(request.user),
        },
    )


@login_required
def service_detail(request, code: str):
    service = get_object_or_404(Service.objects.select_related("provider"), code=code)
    today = timezone.localdate()
    return render(
        request,
        "referrals/service.html",
        {
            "service": service,
            "rules": _rule_history(service),
            "current": service.rule_on(today),
            "opening": service.opening(today),
            "can_edit": access.can_edit_catalogue(request.user),
        },
    )


def _rule_history(service: Service) -> list:
    """Every version, newest first, each with the last day it is in force (the day before
    the next version; None: open-ended) — replaced versions too, marked as such."""
    versions = list(service.rules.select_related("replaced_by", "created_by"))
    kept = sorted((r for r in versions if r.replaced_at is None), key=lambda r: r.effective_from)
    following_versions = [*kept[1:], None] if kept else []
    for rule, following in zip(kept, following_versions, strict=True):
        rule.until = following.effective_from - dt.timedelta(days=1) if following else None
    for rule in versions:
        if rule.replaced_at is not None:
            rule.until = None
    return versions


@login_required
def service_edit(request, code: str):
    access.require_catalogue_editor(request.user)
    service = get_object_or_404(Service, code=code)
    form = ServiceForm(request.POST or None, instance=Service.objects.get(pk=service.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(actor=request.user, service=service, data=form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Service saved."))
            return redirect("referrals:service", code=code)
    return render(request, "referrals/service_edit.html", {"service": service, "form": form})


@login_required
def rule_add(request, code: str):
    access.require_catalogue_editor(request.user)
    service = get_object_or_404(Service, code=code)
    current = service.rule_on(timezone.localdate())
    initial = {"effective_from": timezone.localdate()}
    if current:
        initial |= {
            "eligibility": current.eligibility,
            "amount": current.amount,
            "note": current.note,
            "note_th": current.note_th,
            "is_confirmed": current.is_confirmed,
            "source": current.source,
            "source_th": current.source_th,
        }
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_rule_add(actor=request.user, service=service, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("New rule version saved."))
            return redirect("referrals:service", code=code)
    return render(
        request,
        "referrals/rule_form.html",
        {
            "service": service,
            "form": form,
            "current": current,
            "facts": [(name, f.label, rules.TYPE_NAMES[f.type]) for name, f in FACTS.items()],
            "operators": sorted(rules.OPERATORS - {"var"}),
        },
    )
