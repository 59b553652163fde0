"""Referral reports and the notifications page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from ppaos.accounts.scope import (
    VIEW_COUNTS,
    scope_for,
)
from ppaos.referrals import selectors, services
from ppaos.referrals.forms import (
    ReportFilterForm,
)

# Reports and notifications --------------------------------------------------------------------


@login_required
def reports(request):
    if not (scope_for(request.user).can(VIEW_COUNTS) or selectors.is_agency(request.user)):
        raise Http404("No reports for this role")
    form = ReportFilterForm(request.GET or None)
    date_from = date_to = None
    if form.is_valid():
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    report = selectors.report_shown(
        selectors.referral_report(
            referrals=selectors.referrals_reportable(user=request.user),
            date_from=date_from,
            date_to=date_to,
        ),
        exact=selectors.report_exact(user=request.user),
    )
    return render(
        request,
        "referrals/reports.html",
        {"report": report, "form": form},
    )


@login_required
def notifications(request):
    if request.method == "POST":
        services.notification_mark_read(user=request.user)
        return redirect("referrals:notifications")
    notices = request.user.notifications.select_related("referral__service")[:200]
    return render(request, "referrals/notifications.html", {"notices": notices})
