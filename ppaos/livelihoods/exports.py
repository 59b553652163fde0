"""Livelihood lists as CSV and Excel (see `ppaos.lib.exports`): a programme's enrolled members
and its social-mobility matrix. Enrolments read through the programme page's own selector
(people the user may see); the matrix is the page's own suppressed result, one row per cell."""

from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from ppaos.lib import exports as lib
from ppaos.lib.exports import IDENTIFIER, NAME, PERSONAL, Column, ExportSpec
from ppaos.lib.suppression import shown
from ppaos.livelihoods import selectors
from ppaos.livelihoods.access import programme_for_user
from ppaos.livelihoods.models import IncomeRecord


def _programme(user, params: dict):
    return programme_for_user(user=user, pk=lib.int_param(params, "programme"))


# Enrolled members --------------------------------------------------------------------------------


def enrolment_rows(*, user, params: dict, pseudonymised: bool):
    """The "Enrolled members" table of the programme page: only for roles that see people
    (the page shows it to no one else), with each enrolment's latest income."""
    programme = _programme(user, params)
    if not selectors.may_see_people(user):
        raise Http404("No member list for this role")
    latest = IncomeRecord.objects.filter(enrolment=OuterRef("pk")).order_by("-round_name", "-id")
    return selectors.programme_enrolments(user=user, programme=programme).annotate(
        latest_round=Subquery(latest.values("round_name")[:1]),
        latest_income=Subquery(latest.values("monthly_income")[:1]),
    )


lib.register(
    ExportSpec(
        name="programme-enrolments",
        title=_("Enrolled members"),
        keys=("programme",),
        columns=(
            Column(_("Member"), lambda e: e.person.full_name, NAME),
            Column(_("Person ID"), lambda e: e.person_id, IDENTIFIER, namespace="person"),
            Column(
                _("Household code"),
                lambda e: e.household.code,
                IDENTIFIER,
                namespace="household",
                key=lambda e: e.household_id,
            ),
            Column(_("Community code"), lambda e: e.household.community.code),
            Column(_("Stage"), lambda e: e.stage.name_th if e.stage else ""),
            Column(_("Status"), lambda e: e.get_status_display()),
            Column(_("Enrolled on"), lambda e: e.start_date.isoformat() if e.start_date else ""),
            Column(_("Latest income round"), lambda e: e.latest_round or ""),
            Column(
                _("Latest monthly income (baht)"),
                lambda e: "" if e.latest_income is None else f"{Decimal(e.latest_income):.2f}",
                PERSONAL,
            ),
        ),
        rows=enrolment_rows,
        describe=lib.describe_by(
            gettext_noop("enrolled members of programme %(programme)s"), "programme"
        ),
        filename=lambda p: f"programme-{p.get('programme', '')}-enrolments",
    )
)


# The mobility matrix (aggregates) ----------------------------------------------------------------


def mobility_rows(*, user, params: dict, pseudonymised: bool) -> list[tuple]:
    """The matrix of the programme's mobility page, the same suppressed result, as (level in
    the first round, level in the second, households) rows; the row totals follow each row."""
    result = selectors.programme_mobility(
        user=user,
        programme=_programme(user, params),
        from_round=params.get("from_round") or None,
        to_round=params.get("to_round") or None,
    )
    rows = []
    for row in result.rows:
        for (_level, label), cell in zip(result.levels, row.cells, strict=True):
            rows.append((result.from_round, row.label, result.to_round, label, shown(cell)))
        rows.append(
            (result.from_round, row.label, result.to_round, gettext("total"), shown(row.total))
        )
    return rows


lib.register(
    ExportSpec(
        name="programme-mobility",
        title=_("Social mobility"),
        keys=("programme",),
        filters=("from_round", "to_round"),
        columns=(
            Column(_("From round"), lambda r: r[0]),
            Column(_("Level in the first round"), lambda r: r[1]),
            Column(_("To round"), lambda r: r[2]),
            Column(_("Level in the second round"), lambda r: r[3]),
            Column(_("Households"), lambda r: r[4]),
        ),
        rows=mobility_rows,
        describe=lib.describe_by(
            gettext_noop("social mobility of programme %(programme)s"), "programme"
        ),
        filename=lambda p: f"programme-{p.get('programme', '')}-mobility",
    )
)
