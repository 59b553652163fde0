"""The dashboard's child-area table (districts of a province, communities of a district) as
CSV and Excel (see `ppaos.lib.exports`): aggregates only, suppressed exactly as on the page
(the same `child_summaries` with the user's hidden communities)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from ppaos.dashboards import access, selectors
from ppaos.lib.exports import Column, ExportSpec, register
from ppaos.lib.i18n import Deferred
from ppaos.lib.suppression import shown


def area_rows(*, user, params: dict, pseudonymised: bool) -> list[tuple]:
    """(area, summary or None) rows of the dashboard's table: a district's communities with
    `district`, else the districts of `province` (default: the home province) in scope."""
    if params.get("district"):
        parent = access.district_for_user(user=user, code=params["district"])
    else:
        parent = access.province_for_user(user=user, code=params.get("province"))
    return selectors.child_rows(
        user=user,
        parent=parent,
        refresh=selectors.current_refresh(),
        hidden=selectors.hidden_communities(user=user),
    )


def _metric(name: str):
    return lambda row: "" if row[1] is None else shown(row[1][name])


def _rate(name: str):
    def value(row):
        rate = getattr(row[1], name) if row[1] is not None else None
        return "" if rate is None or rate.rate is None else round(rate.rate, 4)

    return value


register(
    ExportSpec(
        name="dashboard-areas",
        title=_("Dashboard"),
        keys=("province", "district"),
        columns=(
            Column(_("Area code"), lambda r: r[0].code),
            Column(_("Name"), lambda r: r[0].name),
            Column(_("communities"), _metric("communities")),
            Column(_("households"), _metric("households")),
            Column(_("verified"), _metric("households_verified")),
            Column(_("people verified"), _metric("people_verified")),
            Column(_("referrals made"), _metric("referrals_made")),
            Column(_("completed"), _metric("referrals_completed")),
            Column(_("inclusion error"), _rate("inclusion")),
            Column(_("exclusion error"), _rate("exclusion")),
        ),
        rows=area_rows,
        describe=lambda p: (
            Deferred(gettext_noop("dashboard of district %(district)s"), district=p["district"])
            if p.get("district")
            else Deferred(
                gettext_noop("dashboard of province %(province)s"), province=p.get("province", "")
            )
        ),
        filename=lambda p: f"dashboard-{p.get('district') or p.get('province') or 'city'}",
    )
)
