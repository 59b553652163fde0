"""Area reads with household and people counts, limited to what the user may count."""

from dataclasses import dataclass, field

from django.db.models import Count, Sum

from ppaos.accounts.scope import VIEW_COUNTS, VIEW_PEOPLE, scope_for
from ppaos.areas.models import Community, District, Province, Subdistrict
from ppaos.lib.disclosure import Table
from ppaos.registry.models import Household
from ppaos.registry.selectors import current_member_count


@dataclass
class AreaCounts:
    communities: int = 0
    households: int = 0
    people: int = 0
    # Whose counts of which area (an area object, a DOPA code, "" for the whole scope): lets
    # `protect_counts` read the figures from the hierarchy's one decision.
    area: object = field(default=None, compare=False, repr=False)
    user: object = field(default=None, compare=False, repr=False)


def _household_counts(*, user, group_by: str, **filters) -> dict[str, AreaCounts]:
    # People: each household's current members counted on the (household, end_date) index,
    # summed. Not a JOIN of every membership grouped back: for one community that plan read
    # the whole household table (its rows lie on as many pages as there are households).
    area = scope_for(user).area(VIEW_COUNTS)
    rows = (
        Household.objects.filter(area.q("community"), **filters)
        .annotate(members=current_member_count())
        .values(group_by)
        .annotate(households=Count("id"), people=Sum("members"))
        .order_by()
    )
    return {
        str(r[group_by]): AreaCounts(households=r["households"], people=r["people"] or 0)
        for r in rows
    }


def _community_counts(*, user, group_by: str, **filters) -> dict[str, int]:
    area = scope_for(user).area(VIEW_COUNTS)
    rows = (
        Community.objects.filter(area.community_q(), **filters)
        .values(group_by)
        .annotate(n=Count("id"))
    )
    return {str(r[group_by]): r["n"] for r in rows}


def _with_counts(areas, households, communities, user) -> list[tuple[object, AreaCounts]]:
    result = []
    for a in areas:
        counts = households.get(str(a.pk), AreaCounts())
        counts.communities = communities.get(str(a.pk), 0)
        counts.area, counts.user = a, user
        result.append((a, counts))
    return result


def district_list_with_counts(*, user, province: Province):
    """The province's districts the user's scope touches, each with its counts."""
    area = scope_for(user).area(VIEW_COUNTS)
    districts = [d for d in province.districts.all() if area.touches(d.code)]
    key = "community__subdistrict__district_id"
    return _with_counts(
        districts,
        _household_counts(
            user=user, group_by=key, community__subdistrict__district__province=province
        ),
        _community_counts(
            user=user, group_by="subdistrict__district_id", subdistrict__district__province=province
        ),
        user,
    )


def subdistrict_list_with_counts(*, user, district: District):
    area = scope_for(user).area(VIEW_COUNTS)
    subdistricts = [s for s in district.subdistricts.all() if area.touches(s.code)]
    return _with_counts(
        subdistricts,
        _household_counts(
            user=user,
            group_by="community__subdistrict_id",
            community__subdistrict__district=district,
        ),
        _community_counts(user=user, group_by="subdistrict_id", subdistrict__district=district),
        user,
    )


def community_list_with_counts(*, user, subdistrict: Subdistrict):
    area = scope_for(user).area(VIEW_COUNTS)
    communities = Community.objects.filter(area.community_q(), subdistrict=subdistrict)
    counts = _household_counts(
        user=user, group_by="community_id", community__subdistrict=subdistrict
    )
    result = []
    for c in communities:
        row = counts.get(str(c.pk), AreaCounts())
        row.communities, row.area, row.user = 1, c, user
        result.append((c, row))
    return result


def community_counts(*, user, community: Community) -> AreaCounts:
    """One community's counts (its row of `community_list_with_counts`, without counting the
    rest of the subdistrict)."""
    counts = _household_counts(user=user, group_by="community_id", community=community)
    row = counts.get(str(community.pk), AreaCounts())
    row.communities, row.area, row.user = 1, community, user
    return row


def total_counts(*, user, area_code: str = "") -> AreaCounts:
    """Totals over the user's countable scope, optionally inside one area code."""
    area = scope_for(user).area(VIEW_COUNTS)
    households = Household.objects.filter(area.q("community"))
    communities = Community.objects.filter(area.community_q())
    if area_code:
        households = households.filter(community__subdistrict__code__startswith=area_code)
        communities = communities.filter(subdistrict__code__startswith=area_code)
    people = households.annotate(members=current_member_count()).aggregate(n=Sum("members"))["n"]
    return AreaCounts(
        communities=communities.count(),
        households=households.count(),
        people=people or 0,
        area=area_code,
        user=user,
    )


def counts_exact(*, user, area_code: str = "", community: Community | None = None) -> bool:
    """Whether the user sees the area's counts as they are: they may see the people of every
    community of it they may count. Researchers (counts only) see protected counts."""
    scope = scope_for(user)
    if community is not None:
        return scope.area(VIEW_PEOPLE).contains_community(community)
    countable = Community.objects.filter(scope.area(VIEW_COUNTS).community_q())
    if area_code:
        countable = countable.filter(subdistrict__code__startswith=area_code)
    return not countable.exclude(scope.area(VIEW_PEOPLE).community_q()).exists()


def _ident(counts: AreaCounts, metric: str):
    from ppaos.dashboards.hierarchy import area_figure

    return None if counts.user is None else area_figure(counts.area, metric)


def protect_counts(rows, totals: AreaCounts | None, *, exact: bool, name: str = "areas"):
    """The page's (area, counts) rows and its totals with households and people protected
    together (ppaos.lib.disclosure): the rows add up to the totals. Returns (rows, totals) with
    new AreaCounts whose hidden figures are None ("< 5") or WITHHELD ("*").

    Counts from this module's selectors know their area and viewer: their figures are those
    of the hierarchy's one decision (ppaos.dashboards.hierarchy), the same on every page and
    API answer, as at the last dashboard refresh."""
    if exact:
        return rows, totals
    from ppaos.dashboards.hierarchy import decision_for

    table = Table(name)
    metrics = ("households", "people")
    users = [c.user for c in [*(c for _a, c in rows), totals] if c is not None and c.user]
    decision = decision_for(users[0]) if users else None
    for i, (_area, counts) in enumerate(rows):
        for m in metrics:
            table.add((i, m), getattr(counts, m), ident=_ident(counts, m))
    if totals is not None:
        for m in metrics:
            table.add(("total", m), getattr(totals, m), ident=_ident(totals, m))
            if decision is not None:
                table.cells[("total", m)] = decision.value(
                    _ident(totals, m), table.cells[("total", m)]
                )
            parts = [(i, m) for i in range(len(rows))]
            if decision is not None:
                for k in parts:
                    table.cells[k] = decision.value(table.idents.get(k), table.cells[k])
            if parts and sum(table.cells[k] for k in parts) == table.cells[("total", m)]:
                table.add_sum(parts, ("total", m))
    shown = table.protect(decision=decision)
    new_rows = [
        (area, AreaCounts(counts.communities, shown[(i, "households")], shown[(i, "people")]))
        for i, (area, counts) in enumerate(rows)
    ]
    new_totals = None
    if totals is not None:
        new_totals = AreaCounts(
            totals.communities, shown[("total", "households")], shown[("total", "people")]
        )
    return new_rows, new_totals
