"""Referral lists: the home page, the agency inbox, overdue cases and the eligibility list."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_noop

from ppaos.accounts.scope import (
    MANAGE_TARGETING,
    VIEW_COUNTS,
    scope_for,
)
from ppaos.areas.models import Community, District
from ppaos.lib.i18n import Deferred
from ppaos.referrals import access, selectors, services
from ppaos.referrals.models import (
    OPEN_STATUSES,
    Status,
)

# Lists ----------------------------------------------------------------------------------------


@login_required
def home(request):
    """The city side's referral list; agencies go to their inbox; counters to the reports."""
    if not selectors.can_refer(request.user):
        if selectors.is_agency(request.user):
            return redirect("referrals:inbox")
        if scope_for(request.user).can(VIEW_COUNTS):
            return redirect("referrals:reports")
        raise Http404("No referral role")
    referrals = selectors.referrals_managed(user=request.user)
    status = request.GET.get("status", "open")
    counts = dict(referrals.order_by().values_list("status").annotate(n=Count("id")))
    counts["open"] = sum(counts.get(s, 0) for s in OPEN_STATUSES)
    if status == "open":
        shown = referrals.filter(status__in=OPEN_STATUSES)
    elif status in Status.values:
        shown = referrals.filter(status=status)
    else:
        status, shown = "all", referrals
    page = Paginator(shown.order_by("due_on", "-id"), 50).get_page(request.GET.get("page"))
    services.audit_list(
        request.user,
        Deferred(gettext_noop("referral list (%(status)s)"), status=_tab(status)),
        len(page.object_list),
    )
    return render(
        request,
        "referrals/home.html",
        {
            "page": page,
            "status": status,
            "counts": counts,
            "tabs": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
            "overdue": selectors.overdue_for(user=request.user).count(),
            "today": timezone.localdate(),
        },
    )


@login_required
def inbox(request):
    """An agency's inbox: referrals addressed to its organisation, the minimum to act on."""
    if not selectors.is_agency(request.user):
        raise Http404("Not an agency officer")
    referrals = selectors.agency_inbox(user=request.user)
    status = request.GET.get("status", "open")
    if status == "open":
        referrals = referrals.filter(status__in=OPEN_STATUSES)
    elif status in Status.values:
        referrals = referrals.filter(status=status)
    else:
        status = "all"
    page = Paginator(referrals, 50).get_page(request.GET.get("page"))
    services.audit_list(
        request.user,
        Deferred(gettext_noop("agency inbox (%(status)s)"), status=_tab(status)),
        len(page.object_list),
    )
    return render(
        request,
        "referrals/inbox.html",
        {"page": page, "status": status, "today": timezone.localdate()},
    )


@login_required
def overdue(request):
    referrals = selectors.overdue_for(user=request.user)
    if not (selectors.can_refer(request.user) or selectors.is_agency(request.user)):
        raise Http404("No referral role")
    rows = list(referrals[:500])
    services.audit_list(request.user, Deferred(gettext_noop("overdue referrals")), len(rows))
    return render(
        request,
        "referrals/overdue.html",
        {
            "referrals": rows,
            "today": timezone.localdate(),
            "agency": not selectors.can_refer(request.user),
        },
    )


@login_required
def excluded(request):
    """Eligible but not receiving: per service counts and the people, in the user's area."""
    access.require_city(request.user)
    area = scope_for(request.user).area(MANAGE_TARGETING)
    code = request.GET.get("area", "").strip()
    districts, communities = _eligibility_areas(area, code)
    if code not in {d.code for d in districts} | {c.code for c in communities}:
        code = ""  # only an area of the user's own, picked from the list
    households = selectors.households_in_area(code=code).filter(area.q("community"))
    service_code = request.GET.get("service", "")
    report = selectors.exclusion_report(households=households, service_code=service_code)
    show_rule_errors = access.can_edit_catalogue(request.user)
    if not show_rule_errors:
        report = report.without_errors()
    if not service_code:
        # Show one service's people at a time: the one with most people excluded.
        with_people = [c for c in report.counts if c.excluded]
        if with_people:
            service_code = max(with_people, key=lambda c: c.excluded).service.code
            report.rows = [r for r in report.rows if r.service.code == service_code]
    rows = report.rows
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    what = Deferred(
        gettext_noop("eligible but not receiving, area %(area)s, service %(service)s"),
        area=code or "*",
        service=service_code or "*",
    )
    services.audit_list(request.user, what, len(page.object_list))
    return render(
        request,
        "referrals/excluded.html",
        {
            "report": report,
            "page": page,
            "service_code": service_code,
            "area_code": code,
            "districts": districts,
            "communities": communities,
            "can_refer": True,
            "total": len(rows),
            "show_rule_errors": show_rule_errors,
        },
    )


# At most this many communities in the eligibility list's area menu; beyond, only those of the
# district picked (a coordinator's whole city has thousands).
AREA_MENU_COMMUNITIES = 300


def _eligibility_areas(area, code: str):
    """The districts and communities of the user's area, for the eligibility list's menu."""
    communities = Community.objects.filter(area.community_q()).select_related("subdistrict")
    district_codes = {c[:4] for c in area.prefixes if len(c) >= 4}
    district_codes |= {c[:4] for c in area.community_areas}
    provinces = [p for p in area.prefixes if len(p) == 2]
    districts = District.objects.filter(
        Q(code__in=district_codes) | Q(province_id__in=provinces)
    ).order_by("code")
    if communities.count() > AREA_MENU_COMMUNITIES:
        communities = communities.filter(subdistrict__district_id=code[:4]) if code else []
    return list(districts), list(communities.order_by("code")) if communities else []


def _tab(status: str) -> Deferred:
    """A status tab's name, kept to translate when the audit row is read."""
    if status == "open":
        return Deferred(gettext_noop("open"))
    if status == "all":
        return Deferred(gettext_noop("all"))
    return Deferred.of_label(Status(status).label)
