"""Community lists as CSV and Excel (see `ppaos.lib.exports`): a fund year's ledger (cash) or
its requests to the district office (procurement), a community's corrections and the
reviewers' queue. Each reads through its page's own access
check and selector; out of scope is 404."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import REVIEW_CORRECTIONS
from ppaos.community import access, correctable
from ppaos.community.models import Correction, CorrectionStatus
from ppaos.community.selectors import corrections_to_review, corrections_visible, fund_ledger
from ppaos.lib import exports as lib
from ppaos.lib.exports import IDENTIFIER, NAME, PERSONAL, Column, ExportSpec, describe_by
from ppaos.registry.models import Household, Person

# A fund year's ledger ----------------------------------------------------------------------------


def ledger_rows(*, user, params: dict, pseudonymised: bool):
    """The "Ledger" table of the fund year page: every expenditure in date order with the
    balance left after it."""
    year = access.fund_year_for_user(user=user, pk=lib.int_param(params, "year"))
    return fund_ledger(fund_year=year).rows


lib.register(
    ExportSpec(
        name="fund-ledger",
        title=_("Ledger"),
        keys=("year",),
        columns=(
            Column(_("Date"), lambda r: r.expenditure.spent_on.isoformat()),
            Column(_("What for"), lambda r: r.expenditure.description),
            Column(_("Proposal"), lambda r: r.expenditure.proposal.title),
            Column(_("Paid to"), lambda r: r.expenditure.payee, NAME),
            Column(_("amount (baht)"), lambda r: f"{r.expenditure.amount:.2f}"),
            Column(_("balance (baht)"), lambda r: f"{r.balance:.2f}"),
        ),
        rows=ledger_rows,
        describe=describe_by(gettext_noop("ledger of fund year %(year)s"), "year"),
        filename=lambda p: f"fund-year-{p.get('year', '')}-ledger",
    )
)


def request_rows(*, user, params: dict, pseudonymised: bool):
    """The "Requests to the district office" table of a procurement-mode fund year."""
    year = access.fund_year_for_user(user=user, pk=lib.int_param(params, "year"))
    return [line.procurement for line in fund_ledger(fund_year=year).proposals if line.procurement]


def _day(value) -> str:
    return value.isoformat() if value else ""


lib.register(
    ExportSpec(
        name="fund-requests",
        title=_("Requests to the district office"),
        keys=("year",),
        columns=(
            Column(_("Request"), lambda r: r.number),
            Column(_("Proposal"), lambda r: r.proposal.title),
            Column(_("Items and quantities"), lambda r: r.items),
            Column(_("amount requested (baht)"), lambda r: f"{r.amount_requested:.2f}"),
            Column(_("Date requested"), lambda r: _day(r.requested_on)),
            Column(_("Date bought"), lambda r: _day(r.procured_on)),
            Column(_("Procurement method"), lambda r: r.get_method_display()),
            Column(_("Supplier (shop or contractor)"), lambda r: r.supplier, NAME),
            Column(_("Purchase order or contract no."), lambda r: r.reference),
            Column(_("amount (baht)"), lambda r: f"{r.amount:.2f}" if r.amount else ""),
            Column(_("Date delivered"), lambda r: _day(r.delivered_on)),
            Column(_("Date received"), lambda r: _day(r.received_on)),
            Column(_("Status"), lambda r: r.get_status_display()),
        ),
        rows=request_rows,
        describe=describe_by(gettext_noop("requests of fund year %(year)s"), "year"),
        filename=lambda p: f"fund-year-{p.get('year', '')}-requests",
    )
)


# Corrections -------------------------------------------------------------------------------------


def _field(c: Correction) -> str:
    if c.is_event:
        return str(c.get_kind_display())
    return correctable.label(Person if c.person_id else Household, c.field)


CORRECTION_COLUMNS = (
    Column(_("Number"), lambda c: c.number, IDENTIFIER, namespace="correction", key=lambda c: c.pk),
    Column(_("Community code"), lambda c: c.community.code),
    Column(
        _("Household code"),
        lambda c: c.household.code if c.household_id else "",
        IDENTIFIER,
        namespace="household",
        key=lambda c: c.household_id,
    ),
    Column(_("Person ID"), lambda c: c.person_id or "", IDENTIFIER, namespace="person"),
    Column(_("Record"), lambda c: c.person.full_name if c.person else "", NAME),
    Column(_("Field"), _field),
    Column(_("value now"), lambda c: c.old_display, PERSONAL),
    Column(_("proposed value"), lambda c: c.proposed_display, PERSONAL),
    Column(_("reason"), lambda c: c.reason, PERSONAL),
    Column(_("Status"), lambda c: c.get_status_display()),
    Column(_("Proposed"), lambda c: c.proposed_at.isoformat()),
    Column(
        _("Proposed by"),
        lambda c: c.proposed_by.get_full_name() or c.proposed_by.get_username(),
        NAME,
    ),
    Column(_("Reviewed"), lambda c: c.reviewed_at.isoformat() if c.reviewed_at else ""),
)


def community_correction_rows(*, user, params: dict, pseudonymised: bool):
    """The community's corrections page: those waiting for review, then the history (the page
    shows the latest 100 of it; the export all)."""
    community = access.community_with_people(user=user, pk=lib.int_param(params, "community"))
    corrections = corrections_visible(user=user).filter(community=community)
    pending = list(
        corrections.filter(status=CorrectionStatus.PENDING).order_by("proposed_at", "id")
    )
    done = corrections.exclude(status=CorrectionStatus.PENDING).order_by("-reviewed_at", "-id")
    return [*pending, *done]


lib.register(
    ExportSpec(
        name="community-corrections",
        title=_("Corrections"),
        keys=("community",),
        columns=CORRECTION_COLUMNS,
        rows=community_correction_rows,
        describe=describe_by(gettext_noop("corrections of community %(community)s"), "community"),
        filename=lambda p: f"community-{p.get('community', '')}-corrections",
    )
)


def review_rows(*, user, params: dict, pseudonymised: bool):
    """The reviewers' queue: pending corrections the user may decide on, oldest first."""
    require_capability(user, REVIEW_CORRECTIONS)
    return corrections_to_review(user=user)


lib.register(
    ExportSpec(
        name="corrections-to-review",
        title=_("Corrections to review"),
        columns=CORRECTION_COLUMNS,
        rows=review_rows,
        describe=describe_by(gettext_noop("corrections to review")),
        filename=lambda p: "corrections-to-review",
    )
)
