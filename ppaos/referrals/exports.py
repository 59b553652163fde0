"""Referral lists as CSV and Excel (see `ppaos.lib.exports`): the city's case list, an
agency's inbox, the overdue list and the report tables. Each reads through the page's own
selector: the city side by area, an agency only the referrals addressed to it."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ppaos.accounts.scope import MANAGE_TARGETING, VIEW_COUNTS, scope_for
from ppaos.exports.access import sees_people
from ppaos.lib.exports import (
    IDENTIFIER,
    NAME,
    PERSONAL,
    Column,
    ExportSpec,
    describe_by,
    register,
)
from ppaos.lib.i18n import Deferred
from ppaos.lib.suppression import shown
from ppaos.referrals import access, selectors
from ppaos.referrals.forms import ReportFilterForm
from ppaos.referrals.models import OPEN_STATUSES, Service, Status
from ppaos.referrals.templatetags.referrals import rule_text


def _status_filter(referrals, status: str):
    if status in ("", "open"):
        return referrals.filter(status__in=OPEN_STATUSES)
    if status in Status.values:
        return referrals.filter(status=status)
    return referrals


def _date(value) -> str:
    return value.isoformat() if value else ""


REFERENCE = Column(
    _("Referral"), lambda r: r.number, IDENTIFIER, namespace="referral", key=lambda r: r.pk
)
PERSON = Column(_("Person"), lambda r: r.person.full_name, NAME)
PERSON_ID = Column(_("Person ID"), lambda r: r.person_id, IDENTIFIER, namespace="person")
HOUSEHOLD = Column(
    _("Household code"),
    lambda r: r.household.code,
    IDENTIFIER,
    namespace="household",
    key=lambda r: r.household_id,
)
SERVICE = Column(_("Service"), lambda r: r.service.name)
AGENCY = Column(_("Agency"), lambda r: str(r.organisation))
STATUS = Column(_("Status"), lambda r: r.get_status_display())
SENT = Column(_("Sent"), lambda r: _date(r.sent_at))
DUE = Column(_("Due"), lambda r: _date(r.due_on))
DISTRICT = Column(_("District code"), lambda r: r.household.subdistrict_id[:4])


def case_rows(*, user, params: dict, pseudonymised: bool):
    """The referral list of the city side (`/referrals/`), with its status tabs."""
    if not selectors.can_refer(user):
        raise Http404("No referral list for this role")
    referrals = selectors.referrals_managed(user=user)
    return _status_filter(referrals, params.get("status", "open")).order_by("due_on", "-id")


register(
    ExportSpec(
        name="referrals",
        title=_("Referrals"),
        filters=("status",),
        columns=(
            REFERENCE,
            PERSON,
            PERSON_ID,
            HOUSEHOLD,
            DISTRICT,
            SERVICE,
            AGENCY,
            STATUS,
            SENT,
            DUE,
        ),
        rows=case_rows,
        describe=describe_by(gettext_noop("referral list")),
        filename=lambda p: "referrals",
    )
)


def inbox_rows(*, user, params: dict, pseudonymised: bool):
    """An agency's inbox: only the referrals addressed to its organisation."""
    if not selectors.is_agency(user):
        raise Http404("Not an agency officer")
    return _status_filter(selectors.agency_inbox(user=user), params.get("status", "open"))


register(
    ExportSpec(
        name="referral-inbox",
        title=_("Referral inbox"),
        filters=("status",),
        columns=(REFERENCE, PERSON, PERSON_ID, DISTRICT, SERVICE, STATUS, SENT, DUE),
        rows=inbox_rows,
        identified_allowed=lambda user, params: selectors.is_agency(user),
        describe=describe_by(gettext_noop("agency inbox")),
        filename=lambda p: "referral-inbox",
    )
)


def overdue_rows(*, user, params: dict, pseudonymised: bool):
    if not (selectors.can_refer(user) or selectors.is_agency(user)):
        raise Http404("No referral role")
    return selectors.overdue_for(user=user)


register(
    ExportSpec(
        name="referrals-overdue",
        title=_("Overdue referrals"),
        columns=(REFERENCE, PERSON, PERSON_ID, SERVICE, AGENCY, STATUS, SENT, DUE),
        rows=overdue_rows,
        identified_allowed=lambda user, params: sees_people(user) or selectors.is_agency(user),
        describe=describe_by(gettext_noop("overdue referrals")),
        filename=lambda p: "referrals-overdue",
    )
)


# Reports: counts and durations only, no names -----------------------------------------------

GROUPS = {"agency": "by_agency", "service": "by_service", "district": "by_district"}


def report_rows(*, user, params: dict, pseudonymised: bool):
    """One report table (`group`: agency, service or district) of the reports page, for the
    same referrals and period; the total last."""
    if not (scope_for(user).can(VIEW_COUNTS) or selectors.is_agency(user)):
        raise Http404("No reports for this role")
    group = params.get("group", "agency")
    if group not in GROUPS:
        raise Http404("Unknown grouping")
    form = ReportFilterForm(params)
    dates = form.cleaned_data if form.is_valid() else {}
    report = selectors.report_shown(
        selectors.referral_report(
            referrals=selectors.referrals_reportable(user=user),
            date_from=dates.get("date_from"),
            date_to=dates.get("date_to"),
        ),
        exact=selectors.report_exact(user=user),
    )
    return [*getattr(report, GROUPS[group]), report.total]


def _none(value):
    return "" if value is None else value


register(
    ExportSpec(
        name="referral-report",
        title=_("Referral report"),
        filters=("group", "date_from", "date_to"),
        columns=(
            Column(_("Key"), lambda r: "" if r.key == "*" else r.key),
            Column(_("Name"), lambda r: gettext("All") if r.key == "*" else r.label),
            Column(_("Referrals"), lambda r: shown(r.total)),
            Column(_("Open"), lambda r: shown(r.open)),
            Column(_("Overdue"), lambda r: shown(r.overdue)),
            Column(_("Rejected"), lambda r: shown(r.statuses.get("rejected", 0))),
            Column(
                pgettext_lazy("referral status", "Completed"),
                lambda r: shown(r.statuses.get("completed", 0)),
            ),
            Column(_("Enrolled"), lambda r: shown(r.enrolled)),
            Column(_("Median days to acceptance"), lambda r: _none(r.median_accept)),
            Column(_("Median days to completion"), lambda r: _none(r.median_complete)),
            Column(_("Mean days to acceptance"), lambda r: _none(r.mean_accept)),
            Column(_("Mean days to completion"), lambda r: _none(r.mean_complete)),
        ),
        rows=report_rows,
        describe=describe_by(gettext_noop("referral report")),
        filename=lambda p: f"referral-report-{p.get('group', 'agency')}",
    )
)


# Eligible but not receiving ------------------------------------------------------------------


def excluded_rows(*, user, params: dict, pseudonymised: bool):
    """The people of the "Eligible but not receiving" page: households in the user's area
    (and the `area` code) eligible for `service` but not receiving it. The page's control
    names the service it shows; without one, every service's excluded people."""
    access.require_city(user)
    area = scope_for(user).area(MANAGE_TARGETING)
    households = selectors.households_in_area(code=params.get("area", "")).filter(
        area.q("community")
    )
    report = selectors.exclusion_report(
        households=households, service_code=params.get("service", "")
    )
    return report.rows


register(
    ExportSpec(
        name="eligible-excluded",
        title=_("Eligible but not receiving"),
        filters=("area", "service"),
        columns=(
            Column(_("Person"), lambda e: e.person.full_name, NAME),
            Column(_("Person ID"), lambda e: e.person.pk, IDENTIFIER, namespace="person"),
            Column(
                _("Household code"),
                lambda e: e.household.code,
                IDENTIFIER,
                namespace="household",
                key=lambda e: e.household.pk,
            ),
            Column(_("District code"), lambda e: e.household.subdistrict_id[:4]),
            Column(_("Service"), lambda e: e.service.name),
            Column(_("Why"), lambda e: e.summary, PERSONAL),
            Column(_("baht"), lambda e: "" if e.amount is None else f"{e.amount:.0f}"),
            Column(_("Open referral"), lambda e: "1" if e.open_referral else "0"),
        ),
        rows=excluded_rows,
        describe=lambda p: Deferred(
            gettext_noop("eligible but not receiving, area %(area)s, service %(service)s"),
            area=p.get("area") or "*",
            service=p.get("service") or "*",
        ),
        filename=lambda p: f"eligible-excluded-{p.get('service') or 'all'}",
    )
)


# The service catalogue (public information) ----------------------------------------------------


def catalogue_rows(*, user, params: dict, pseudonymised: bool) -> list[tuple]:
    """The catalogue page's services, each with its rule in force today."""
    today = timezone.localdate()
    services = Service.objects.select_related("provider").prefetch_related("rules")
    return [(s, s.rule_on(today)) for s in services]


def _rule(rule) -> str:
    if rule is None or rule.eligibility is None:
        return ""
    return rule_text(rule.eligibility)


register(
    ExportSpec(
        name="service-catalogue",
        title=_("Services"),
        columns=(
            Column(_("Code"), lambda r: r[0].code),
            Column(_("Service"), lambda r: r[0].name),
            Column(_("Category"), lambda r: r[0].get_category_display()),
            Column(_("Active"), lambda r: "1" if r[0].is_active else "0"),
            Column(_("Provider"), lambda r: str(r[0].provider) if r[0].provider else ""),
            Column(_("Rule in force"), lambda r: _rule(r[1])),
            Column(
                _("Amount (baht)"), lambda r: rule_text(r[1].amount) if r[1] is not None else ""
            ),
            Column(_("Amount period"), lambda r: r[0].get_amount_period_display()),
            Column(
                _("Rule confirmed"), lambda r: "1" if r[1] is not None and r[1].is_confirmed else ""
            ),
            Column(_("days"), lambda r: r[0].sla_days),
        ),
        rows=catalogue_rows,
        describe=describe_by(gettext_noop("service catalogue")),
        filename=lambda p: "service-catalogue",
    )
)
