"""Targeting lists as CSV and Excel (see `ppaos.lib.exports`): a target list's records, a
campaign's visits, the review queue and the error report. Each reads through the page's own
selector and access check; out of scope is 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import MANAGE_TARGETING, VIEW_PEOPLE, scope_for
from ppaos.lib import exports as lib
from ppaos.lib.exports import IDENTIFIER, NAME, PERSONAL, Column, ExportSpec, describe_by
from ppaos.targeting import access, selectors
from ppaos.targeting.models import TargetList


def _sees_people(user, params: dict) -> bool:
    return scope_for(user).can(VIEW_PEOPLE)


def _yes(value: bool) -> str:
    return "1" if value else "0"


def _flag(value: bool | None) -> str:
    return "" if value is None else _yes(value)


def _campaign(user, params: dict):
    return access.campaign_for_manager(user=user, pk=lib.int_param(params, "campaign"))


# A target list's records ----------------------------------------------------------------------


def _target_list(user, params: dict) -> TargetList:
    require_capability(user, MANAGE_TARGETING)
    return get_object_or_404(TargetList, pk=lib.int_param(params, "list"))


def record_rows(*, user, params: dict, pseudonymised: bool):
    target_list = _target_list(user, params)
    records = selectors.target_records_in_scope(user=user).filter(target_list=target_list)
    status = params.get("status", "")
    if status:
        records = records.filter(link_status=status)
    return records.order_by("line_no")


lib.register(
    ExportSpec(
        name="target-records",
        title=_("Target list records"),
        keys=("list",),
        filters=("status",),
        columns=(
            Column(_("Line"), lambda r: r.line_no),
            Column(_("Target list"), lambda r: str(r.target_list)),
            Column(_("Record"), lambda r: r.record_key, IDENTIFIER, namespace="target-record"),
            Column(_("Prefix"), lambda r: r.prefix, NAME),
            Column(_("First name"), lambda r: r.first_name, NAME),
            Column(_("Last name"), lambda r: r.last_name, NAME),
            Column(_("Sex"), lambda r: r.sex),
            Column(_("Birth date"), lambda r: r.birth_date or "", PERSONAL),
            Column(_("District code"), lambda r: r.district_code),
            Column(_("Subdistrict code"), lambda r: r.subdistrict_code),
            Column(_("House number"), lambda r: r.house_no, PERSONAL),
            Column(_("house code"), lambda r: r.house_code, PERSONAL),
            Column(_("state welfare card holder"), lambda r: _flag(r.welfare_card)),
            Column(_("survey year (B.E.)"), lambda r: r.survey_year_be or ""),
            Column(_("Failed dimensions"), lambda r: ";".join(r.failed_dimensions or [])),
            Column(
                _("จปฐ. indicators not passed"),
                lambda r: ";".join(k for k, ok in (r.indicator_results or {}).items() if not ok),
            ),
            Column(_("Link status"), lambda r: r.get_link_status_display()),
            Column(_("Match probability"), lambda r: r.link_probability),
            Column(
                _("Registry person"), lambda r: r.person_id or "", IDENTIFIER, namespace="person"
            ),
        ),
        rows=record_rows,
        identified_allowed=_sees_people,
        describe=describe_by(gettext_noop("records of target list %(list)s"), "list"),
        filename=lambda p: f"target-list-{p.get('list', '')}-records",
    )
)


# A campaign's visits -----------------------------------------------------------------------


def visit_rows(*, user, params: dict, pseudonymised: bool):
    visits = selectors.campaign_visits(user=user, campaign=_campaign(user, params))
    outcome = params.get("outcome", "")
    if outcome:
        visits = visits.filter(outcome=outcome)
    return visits


lib.register(
    ExportSpec(
        name="campaign-visits",
        title=_("Campaign visits"),
        keys=("campaign",),
        filters=("outcome",),
        columns=(
            Column(
                _("Household code"),
                lambda v: v.household.code,
                IDENTIFIER,
                namespace="household",
                key=lambda v: v.household_id,
            ),
            Column(_("Community code"), lambda v: v.household.community.code),
            Column(_("Visited on"), lambda v: v.visited_on.isoformat()),
            Column(_("Outcome"), lambda v: v.get_outcome_display()),
            Column(_("On the target list"), lambda v: _yes(v.on_target_list)),
            Column(_("Consent given"), lambda v: _yes(v.consent_given)),
            Column(_("Status"), lambda v: v.get_status_display()),
            Column(_("Source"), lambda v: v.source),
            Column(
                _("Volunteer"),
                lambda v: v.volunteer.get_full_name() or v.volunteer.get_username(),
                NAME,
            ),
            Column(_("Notes"), lambda v: v.notes, PERSONAL),
        ),
        rows=visit_rows,
        identified_allowed=_sees_people,
        describe=describe_by(gettext_noop("visits of campaign %(campaign)s"), "campaign"),
        filename=lambda p: f"campaign-{p.get('campaign', '')}-visits",
    )
)


# The review queue -------------------------------------------------------------------------


def review_rows(*, user, params: dict, pseudonymised: bool):
    require_capability(user, MANAGE_TARGETING)
    return selectors.review_queue(user=user).order_by("-probability", "id")


lib.register(
    ExportSpec(
        name="review-queue",
        title=_("Review queue"),
        columns=(
            Column(_("Target list"), lambda c: str(c.record.target_list)),
            Column(_("Line"), lambda c: c.record.line_no),
            Column(
                _("Record"),
                lambda c: c.record.record_key,
                IDENTIFIER,
                namespace="target-record",
            ),
            Column(_("Target record"), lambda c: str(c.record), NAME),
            Column(_("Registry person"), lambda c: c.person.full_name, NAME),
            Column(_("Person"), lambda c: c.person_id, IDENTIFIER, namespace="person"),
            Column(_("Match probability"), lambda c: round(c.probability, 4)),
        ),
        rows=review_rows,
        identified_allowed=_sees_people,
        describe=describe_by(gettext_noop("linkage review queue")),
        filename=lambda p: "review-queue",
    )
)


# The error report (aggregates) --------------------------------------------------------------


def error_rows(*, user, params: dict, pseudonymised: bool):
    by = params.get("by", "district")
    if by not in ("district", "community"):
        raise Http404("Unknown grouping")
    return selectors.error_report(user=user, campaign=_campaign(user, params), by=by)


def _rate(value):
    return round(value, 4) if value is not None else ""


lib.register(
    ExportSpec(
        name="error-report",
        title=_("Error report"),
        keys=("campaign",),
        filters=("by",),
        columns=(
            Column(_("Area code"), lambda r: "" if r.key == "*" else r.key),
            Column(_("Area"), lambda r: gettext("All") if r.key == "*" else r.label),
            Column(_("Households verified"), lambda r: r.households_visited),
            Column(_("People verified"), lambda r: r.people_verified),
            Column(_("Not really poor (share)"), lambda r: _rate(r.inclusion.rate)),
            Column(_("Not really poor, 95% low"), lambda r: _rate(r.inclusion.low)),
            Column(_("Not really poor, 95% high"), lambda r: _rate(r.inclusion.high)),
            Column(_("Not really poor (households)"), lambda r: r.inclusion.count),
            Column(_("Listed households with a reviewed status"), lambda r: r.inclusion.total),
            Column(_("Poor but missed found (households)"), lambda r: r.excluded_found),
            Column(_("Awaiting review"), lambda r: r.awaiting_review),
            Column(_("Not checked against a survey"), lambda r: r.not_checked),
            Column(_("Not found"), lambda r: r.not_found),
            Column(_("Moved or died"), lambda r: r.moved_or_died),
        ),
        rows=error_rows,
        describe=describe_by(gettext_noop("error report of campaign %(campaign)s"), "campaign"),
        filename=lambda p: f"campaign-{p.get('campaign', '')}-error-report",
    )
)
