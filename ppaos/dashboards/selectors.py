"""Dashboard reads: sums of the pre-aggregated figures over the communities the user may count.

Every read starts from `_rows`, which keeps only the current refresh and the user's
VIEW_COUNTS scope, so an area's figures are those of the communities of it the user may count.
Viewers who may not see the people of every community summed get small counts suppressed
(ppaos.lib.suppression), and so do the rates built from them."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import Substr

from ppaos.accounts.scope import VIEW_COUNTS, VIEW_PEOPLE, scope_for
from ppaos.areas.models import Community, District, Province
from ppaos.assessment.models import IndicatorSet
from ppaos.dashboards import hierarchy
from ppaos.dashboards.models import Figure, Refresh
from ppaos.lib.disclosure import Table
from ppaos.lib.i18n import localized
from ppaos.lib.stats import Proportion, wilson
from ppaos.lib.suppression import WITHHELD, is_hidden, suppress, withheld_label
from ppaos.targeting.sampling import Estimate, wilson_fpc

# Counts of things, not of households or people: never suppressed.
NOT_PERSONAL = {"communities", "communities_verified"}
# The figures kept at the state of the refresh (period and round empty).
METRICS = frozenset(
    {
        "communities",
        "communities_verified",
        "households",
        "people",
        "households_verified",
        "people_verified",
        "listed_reviewed",
        "listed_not_poor",
        "excluded_found",
        "awaiting_review",
        "not_checked",
        "sample_frame",
        "sample_drawn",
        "sample_verified",
        "sample_poor",
        "referrals_made",
        "referrals_completed",
        "referrals_open",
        "referrals_overdue",
    }
)


def current_refresh() -> Refresh | None:
    """The latest finished refresh: the figures every page shows."""
    return Refresh.objects.filter(status=Refresh.Status.DONE).order_by("-pk").first()


def _rows(*, user, refresh: Refresh, area_code: str = "", community=None) -> QuerySet[Figure]:
    area = scope_for(user).area(VIEW_COUNTS)
    rows = Figure.objects.filter(area.q("community"), refresh=refresh)
    if area_code:
        rows = rows.filter(community__subdistrict__code__startswith=area_code)
    if community is not None:
        rows = rows.filter(community=community)
    return rows.order_by()


def hidden_communities(*, user) -> dict[int, str]:
    """Communities the user may count but whose people they may not see (pk → subdistrict):
    figures summing any of them are suppressed."""
    scope = scope_for(user)
    rows = (
        Community.objects.filter(scope.area(VIEW_COUNTS).community_q())
        .exclude(scope.area(VIEW_PEOPLE).community_q())
        .values_list("pk", "subdistrict_id")
    )
    return dict(rows)


def must_suppress(*, hidden: dict[int, str], area_code: str = "", community=None) -> bool:
    """True when the area (or community) holds a community in `hidden`."""
    if community is not None:
        return community.pk in hidden
    return any(code.startswith(area_code) for code in hidden.values())


@dataclass
class Summary:
    """One area's figures (None: suppressed) and the error rates built from them."""

    values: dict[str, int | None] = field(default_factory=dict)
    suppressed: bool = False

    def __getitem__(self, metric: str) -> int | None:
        # Unknown names raise, so templates fall back to the attributes (`inclusion` …).
        if metric not in METRICS:
            raise KeyError(metric)
        return self.values.get(metric, 0)

    def _rate(self, count: str, total: str) -> Proportion | None:
        n, d = self[count], self[total]
        if is_hidden(n) or is_hidden(d):
            return None
        return wilson(n, d)

    @property
    def inclusion(self) -> Proportion | None:
        """คนจนไม่จริง, as the targeting error report counts it: listed households reviewed as
        not poor ÷ listed households with a reviewed status (95% Wilson interval)."""
        return self._rate("listed_not_poor", "listed_reviewed")

    @property
    def exclusion(self) -> Estimate | None:
        """คนจนตกหล่น, as the targeting report estimates it from the random sample: sampled
        households reviewed as poor ÷ sampled households with a reviewed status, with Wilson's
        95% interval corrected for the frame (the area's households in the frame). The
        communities' samples are pooled (see README "Dashboards"). None when suppressed."""
        x, n, frame = self["sample_poor"], self["sample_verified"], self["sample_frame"]
        if is_hidden(x) or is_hidden(n) or is_hidden(frame):
            return None
        return wilson_fpc(x, n, frame)

    @property
    def missing(self) -> tuple[float, float, float] | None:
        """Poor households missing from the list, estimated: frame × the exclusion share
        (estimate, low, high); None without a sample estimate or when suppressed."""
        share = self.exclusion
        return None if share is None else share.in_frame

    def figure(self, key: str) -> float | int | None:
        """A figure for the map: a count, or a rate in percent (None: suppressed or unknown)."""
        if key in ("inclusion", "exclusion"):
            rate = getattr(self, key)
            return None if rate is None or rate.rate is None else round(100 * rate.rate, 1)
        value = self[key]
        return withheld_label() if value is WITHHELD else value


def _summary(raw: dict[str, int], suppressed: bool) -> Summary:
    if not suppressed:
        return Summary(dict(raw), False)
    return Summary(
        {k: v if k in NOT_PERSONAL else suppress(v) for k, v in raw.items()}, suppressed=True
    )


def _snapshot(rows: QuerySet[Figure]) -> QuerySet:
    return rows.filter(period__isnull=True, round_name="")


def _raw_summary(*, user, refresh: Refresh, area_code: str = "", community=None) -> dict:
    rows = _snapshot(_rows(user=user, refresh=refresh, area_code=area_code, community=community))
    return {r["metric"]: int(r["n"]) for r in rows.values("metric").annotate(n=Sum("value"))}


def area_summary(
    *, user, refresh: Refresh, hidden: dict[int, str], area_code: str = "", community=None
) -> Summary:
    """The area's (or one community's) figures at the refresh (primary suppression only: pages
    and exports use `dashboard_figures`, which protects the page's tables together)."""
    raw = _raw_summary(user=user, refresh=refresh, area_code=area_code, community=community)
    return _summary(raw, must_suppress(hidden=hidden, area_code=area_code, community=community))


def _raw_children(*, user, refresh: Refresh, area_code: str, by: str) -> dict[str, dict]:
    rows = _snapshot(_rows(user=user, refresh=refresh, area_code=area_code))
    key = Substr("community__subdistrict_id", 1, 4) if by == "district" else F("community_id")
    grouped: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows.values("metric", child=key).annotate(n=Sum("value")):
        grouped[str(r["child"])][r["metric"]] = int(r["n"])
    return grouped


def _child_suppressed(*, hidden: dict[int, str], child: str, by: str) -> bool:
    if by == "district":
        return must_suppress(hidden=hidden, area_code=child)
    return int(child) in hidden


def child_summaries(
    *, user, refresh: Refresh, hidden: dict[int, str], area_code: str, by: str
) -> dict[str, Summary]:
    """Per district (`by="district"`, key: DOPA code) or community (key: str(pk)) of the area
    (primary suppression only; see `dashboard_figures`)."""
    grouped = _raw_children(user=user, refresh=refresh, area_code=area_code, by=by)
    return {
        child: _summary(raw, _child_suppressed(hidden=hidden, child=child, by=by))
        for child, raw in grouped.items()
    }


@dataclass
class Month:
    period: dt.date
    values: dict[str, int | None]


MONTHLY = ("households_verified", "referrals_made", "referrals_completed")


def monthly(
    *, user, refresh: Refresh, area_code: str = "", community=None, suppressed: bool = False
) -> list[Month]:
    """Per month (oldest first, gaps filled with zeros): households verified for the first
    time, referrals sent, referrals completed."""
    rows = _rows(user=user, refresh=refresh, area_code=area_code, community=community).filter(
        period__isnull=False
    )
    grouped: dict[dt.date, dict[str, int]] = defaultdict(dict)
    for r in rows.values("period", "metric").annotate(n=Sum("value")):
        grouped[r["period"]][r["metric"]] = int(r["n"])
    if not grouped:
        return []
    months = []
    current, last = min(grouped), max(grouped)
    while current <= last:
        raw = grouped.get(current, {})
        values = {m: raw.get(m, 0) for m in MONTHLY}
        if suppressed:
            values = {k: suppress(v) for k, v in values.items()}
        months.append(Month(current, values))
        current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def rounds(
    *, user, refresh: Refresh, area_code: str = "", community=None, suppressed: bool = False
) -> dict[str, dict[str, int | None]]:
    """Per survey round: households assessed (the sum of the levels), poor, and per level."""
    rows = _rows(user=user, refresh=refresh, area_code=area_code, community=community).exclude(
        round_name=""
    )
    grouped: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows.values("round_name", "metric").annotate(n=Sum("value")):
        grouped[r["round_name"]][r["metric"]] = int(r["n"])
    result = {}
    for round_name, raw in sorted(grouped.items()):
        raw["assessed"] = sum(n for metric, n in raw.items() if metric.startswith("level_"))
        result[round_name] = {k: suppress(v) if suppressed else v for k, v in raw.items()}
    return result


@dataclass
class DashboardFigures:
    """Everything one dashboard page (and its export) shows, protected together."""

    summary: Summary
    children: dict[str, Summary]
    months: list[Month]
    month_totals: dict[str, int | None]
    rounds: dict[str, dict[str, int | None]]


def dashboard_figures(
    *,
    user,
    refresh: Refresh,
    hidden: dict[int, str],
    area_code: str = "",
    community=None,
    by: str | None = None,
) -> DashboardFigures:
    """The page's headline figures, its child table (`by`: "district" or "community"), the
    monthly trends with their totals and the level counts per round with households assessed,
    as one table for ppaos.lib.disclosure: each headline figure is the sum of its column of the
    child table and, where they agree, of its months; households assessed the sum of the levels.
    Children whose people the user may see stay exact (and are known to them)."""
    raw = _raw_summary(user=user, refresh=refresh, area_code=area_code, community=community)
    suppressed = must_suppress(hidden=hidden, area_code=area_code, community=community)
    children = _raw_children(user=user, refresh=refresh, area_code=area_code, by=by) if by else {}
    months = monthly(user=user, refresh=refresh, area_code=area_code, community=community)
    by_round = rounds(user=user, refresh=refresh, area_code=area_code, community=community)
    personal = sorted(METRICS - NOT_PERSONAL)
    page_area = community if community is not None else area_code
    table = Table("dashboard")

    def child_area(child: str):
        return child if by == "district" else ("c", int(child))

    def ident(area, metric):
        if isinstance(area, tuple):
            return (area, metric)
        return hierarchy.area_figure(area, metric)

    for m in personal:
        table.add(("area", m), raw.get(m, 0), ident=ident(page_area, m))
    for child, values in children.items():
        exact = not _child_suppressed(hidden=hidden, child=child, by=by)
        for m in personal:
            table.add(
                ("child", child, m),
                values.get(m, 0),
                fixed=exact,
                ident=ident(child_area(child), m),
            )
    for m in personal:
        if children and sum(v.get(m, 0) for v in children.values()) == raw.get(m, 0):
            table.add_sum([("child", c, m) for c in children], ("area", m))
    for m in MONTHLY:
        keys = [
            table.add(
                ("month", m, month.period),
                month.values[m],
                ident=ident(page_area, ("month", m, month.period.isoformat())),
            )
            for month in months
        ]
        total = sum(month.values[m] for month in months)
        table.add(("months", m), total, ident=ident(page_area, ("months", m)))
        table.add_sum(keys, ("months", m))
        if keys and total == raw.get(m, 0):
            table.add_sum([("months", m)], ("area", m))
    for name, values in by_round.items():
        levels = [k for k in values if k.startswith("level_")]
        for k, v in values.items():
            table.add(("round", name, k), v, ident=ident(page_area, ("round", name, k)))
        table.add_sum([("round", name, k) for k in levels], ("round", name, "assessed"))
    shown = table.protect(
        exact=not suppressed, decision=None if not suppressed else hierarchy.decision_for(user)
    )

    def summary(values: dict, key, hide: bool) -> Summary:
        figures = {m: values.get(m, 0) for m in NOT_PERSONAL if m in values}
        figures.update({m: shown[key(m)] for m in personal})
        return Summary(figures, suppressed=hide)

    return DashboardFigures(
        summary=summary(raw, lambda m: ("area", m), suppressed),
        children={
            c: summary(v, lambda m, c=c: ("child", c, m), suppressed) for c, v in children.items()
        },
        months=[
            Month(month.period, {m: shown[("month", m, month.period)] for m in MONTHLY})
            for month in months
        ],
        month_totals={m: shown[("months", m)] for m in MONTHLY},
        rounds={
            name: {k: shown[("round", name, k)] for k in values}
            for name, values in by_round.items()
        },
    )


def level_names() -> dict:
    """Level number → name in the page's language, from the active indicator set."""
    active = IndicatorSet.objects.filter(is_active=True).first()
    levels = (active.definition if active else {}).get("capitals", {}).get("levels", [])
    return {
        raw.get("level"): localized(raw.get("name_th", ""), raw.get("name_en")) for raw in levels
    }


def countable_communities(*, user, area_code: str) -> QuerySet[Community]:
    """The area's communities the user may count, for the child table."""
    area = scope_for(user).area(VIEW_COUNTS)
    return (
        Community.objects.filter(area.community_q(), subdistrict__code__startswith=area_code)
        .select_related("subdistrict")
        .order_by("code")
    )


def child_level(parent: Province | District) -> str:
    return "district" if isinstance(parent, Province) else "community"


def child_rows(
    *,
    user,
    parent: Province | District,
    refresh: Refresh | None,
    hidden: dict[int, str],
    figures: DashboardFigures | None = None,
) -> list[tuple]:
    """The dashboard's table, shared by its page and its export: (child, Summary or None) for
    each district of a province the user's counts touch, or each community of a district the
    user may count; no summaries before the first refresh. The summaries are those of the
    page's `dashboard_figures` (computed here when not given), so both show the same."""
    if isinstance(parent, Province):
        area = scope_for(user).area(VIEW_COUNTS)
        children = [d for d in parent.districts.all() if area.touches(d.code)]
        key = lambda d: d.code  # noqa: E731
    else:
        children = list(countable_communities(user=user, area_code=parent.code))
        key = lambda c: str(c.pk)  # noqa: E731
    summaries = {}
    if refresh is not None:
        if figures is None:
            figures = dashboard_figures(
                user=user,
                refresh=refresh,
                hidden=hidden,
                area_code=parent.code,
                by=child_level(parent),
            )
        summaries = figures.children
    return [(child, summaries.get(key(child))) for child in children]
