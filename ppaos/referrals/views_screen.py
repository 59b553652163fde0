"""Screening a list of people who are not in the registry: upload, results with reasons,
download. Nothing is stored but the audit row of each run (counts only)."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from ppaos.audit.services import audit_export
from ppaos.lib.forms import add_service_errors
from ppaos.lib.i18n import Deferred
from ppaos.referrals import access
from ppaos.referrals.forms import ScreenForm
from ppaos.referrals.models import Service
from ppaos.referrals.screening import OUTPUT, screening_run


@login_required
def screen(request):
    """Upload a CSV, see every case's result per service with the reasons."""
    access.require_city(request.user)
    form = ScreenForm(request.POST or None, request.FILES or None)
    if not request.POST:
        form.initial["on"] = timezone.localdate()
    result = None
    if request.method == "POST" and form.is_valid():
        upload = request.FILES["file"]
        try:
            result = screening_run(
                actor=request.user,
                text=form.cleaned_data["file"],
                on=form.cleaned_data["on"],
                label=upload.name,
            )
        except ValidationError as e:
            add_service_errors(form, e)
    rows = []
    if result is not None:
        names = {s.code: s.name for s in Service.objects.all()}
        rows = [(o, names.get(o.service, o.service)) for o in result.outcomes]
    rule_errors = []
    if result is not None and access.can_edit_catalogue(request.user):
        rule_errors = result.rule_errors
    return render(
        request,
        "referrals/screen.html",
        {"form": form, "result": result, "rows": rows, "rule_errors": rule_errors},
    )


@require_POST
@login_required
def screen_download(request):
    """The results just shown, as a CSV file (sent back by the page; nothing was stored)."""
    access.require_city(request.user)
    rows = list(csv.reader(io.StringIO(request.POST.get("results", ""))))
    if not rows or tuple(rows[0]) != OUTPUT or any(len(r) != len(OUTPUT) for r in rows):
        return HttpResponse(_("These are not screening results."), status=400)
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    audit_export(
        actor=request.user,
        description=Deferred(gettext_noop("screening results (CSV)")),
        row_count=len(rows) - 1,
    )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="screening.csv"'
    return response
