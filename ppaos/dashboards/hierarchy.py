"""Small-count suppression decided once over the area hierarchy, for every page that shows an
area's figures (ppaos.lib.disclosure `Decision`).

An area's households, people, dashboard figures (the state at the refresh, per month, per
survey round) are shown on several pages: the area's own page, dashboard and API answer, its
parent's tables, the home page. Protected page by page, a figure withheld on one page (to
protect a small count beside it) could be shown on another and the small count recovered by
subtraction. So every such figure is decided here once, for all areas of the viewer's
countable scope together, with every sum a reader knows between them: each area's figure is
the sum of its children's (province → district → subdistrict → community, and the whole
scope above the provinces), households assessed the sum of the levels of a round, a trend's
total the sum of its months. Pages read each figure's label from the decision
(`Table.add(…, ident=area_figure(area, metric))`, `Table.protect(decision=…)`).

The decision depends on the figures (the current dashboard refresh, or the registry before
the first one) and on the viewer's scope only through which communities they may count and
whose people they may see (those are shown exactly, and known to them): every researcher of
the city shares one. It is cached under the refresh and a stamp that every refresh, full or
of one community, renews (`invalidate`)."""

import hashlib
import threading
import uuid
from collections import OrderedDict, defaultdict

from django.core.cache import cache
from django.db.models import Count, Q

from ppaos.accounts.scope import VIEW_COUNTS, VIEW_PEOPLE, scope_for
from ppaos.areas.models import Community, District, Province, Subdistrict
from ppaos.dashboards.models import Figure, Refresh
from ppaos.lib.disclosure import Decision, decide
from ppaos.lib.suppression import is_hidden, small_count_threshold

# Counts of things, not of households or people: never suppressed (as dashboards.selectors).
NOT_PERSONAL = frozenset({"communities", "communities_verified"})
# Figures whose value pages read from the decision (the area pages and the API count live
# otherwise): the snapshot's, so every page shows the same number.
VALUES = ("households", "people")
STAMP_KEY = "ppaos:disclosure:stamp"
CACHE_SECONDS = 24 * 3600


def area_key(area=None) -> tuple:
    """The area's identity in the hierarchy: ("p", code), ("d", code), ("s", code),
    ("c", pk), or ("all",) for the whole of the viewer's scope (None or "")."""
    if area is None or area == "":
        return ("all",)
    if isinstance(area, Community):
        return ("c", area.pk)
    if isinstance(area, Subdistrict):
        return ("s", area.code)
    if isinstance(area, District):
        return ("d", area.code)
    if isinstance(area, Province):
        return ("p", area.code)
    code = str(area)
    return {2: ("p", code), 4: ("d", code), 6: ("s", code)}[len(code)]


def area_figure(area, metric) -> tuple:
    """A figure's global identity: (area key, metric), where metric is a name ("households"),
    ("month", name, "YYYY-MM-DD"), ("months", name) (a trend's total) or
    ("round", round name, name) (a level count, "poor" or "assessed")."""
    return (area_key(area), metric)


def _ancestors(community_pk: int, subdistrict: str) -> list[tuple]:
    return [
        ("c", community_pk),
        ("s", subdistrict),
        ("d", subdistrict[:4]),
        ("p", subdistrict[:2]),
        ("all",),
    ]


def _metric(metric: str, period, round_name: str):
    if period is not None:
        return ("month", metric, period.isoformat())
    if round_name:
        return ("round", round_name, metric)
    return metric


def _community_values(refresh: Refresh | None, area) -> dict[int, dict]:
    """Community pk → {metric: count} (non-zero only), from the refresh's figures, or the
    registry's households and people before the first refresh."""
    values: dict[int, dict] = defaultdict(dict)
    if refresh is None:
        from ppaos.registry.models import Household

        rows = (
            Household.objects.filter(area.q("community"))
            .values("community_id")
            .annotate(
                households=Count("id", distinct=True),
                people=Count("memberships", filter=Q(memberships__end_date__isnull=True)),
            )
            .order_by()
        )
        for r in rows:
            for m in VALUES:
                if r[m]:
                    values[r["community_id"]][m] = r[m]
        return values
    rows = (
        Figure.objects.filter(area.q("community"), refresh=refresh)
        .exclude(metric__in=NOT_PERSONAL)
        .values_list("community_id", "metric", "period", "round_name", "value")
        .order_by()
    )
    for community, metric, period, round_name, value in rows.iterator(chunk_size=20000):
        if value:
            key = _metric(metric, period, round_name)
            mine = values[community]
            mine[key] = mine.get(key, 0) + int(value)
    return values


def build(
    countable: dict[int, str], visible: set[int], values: dict[int, dict], limit: int
) -> Decision:
    """The decision for the communities `countable` (pk → subdistrict code), whose figures
    are `values`; the people of `visible` the viewer may see (their areas are exact)."""
    cells: dict = defaultdict(int)
    children: dict[tuple, set] = defaultdict(set)
    hidden_in: dict[tuple, int] = defaultdict(int)
    for pk, subdistrict in countable.items():
        chain = _ancestors(pk, subdistrict)
        for child, parent in zip(chain, chain[1:], strict=False):
            children[parent].add(child)
        if pk not in visible:
            for area in chain:
                hidden_in[area] += 1
        for metric, value in values.get(pk, {}).items():
            for area in chain:
                cells[(area, metric)] += value
    # Derived figures: households assessed per round, each trend's total.
    for (area, metric), value in list(cells.items()):
        if isinstance(metric, tuple) and metric[0] == "round" and metric[2].startswith("level_"):
            cells[(area, ("round", metric[1], "assessed"))] += value
        elif isinstance(metric, tuple) and metric[0] == "month":
            cells[(area, ("months", metric[1]))] += value
    cells = dict(cells)
    by_area: dict[tuple, list] = defaultdict(list)
    for area, metric in cells:
        by_area[area].append(metric)
    sums = []
    for parent, kids in children.items():
        for metric in by_area.get(parent, ()):
            parts = [(k, metric) for k in sorted(kids, key=repr) if (k, metric) in cells]
            sums.append((tuple(parts), (parent, metric)))
    for area, metrics in by_area.items():
        levels: dict[str, list] = defaultdict(list)
        months: dict[str, list] = defaultdict(list)
        for metric in metrics:
            if isinstance(metric, tuple) and metric[0] == "round":
                if metric[2].startswith("level_"):
                    levels[metric[1]].append((area, metric))
            elif isinstance(metric, tuple) and metric[0] == "month":
                months[metric[1]].append((area, metric))
        for name, parts in levels.items():
            sums.append((tuple(sorted(parts)), (area, ("round", name, "assessed"))))
        for name, parts in months.items():
            total = (area, ("months", name))
            sums.append((tuple(sorted(parts)), total))
            if cells.get((area, name)) == cells[total]:
                sums.append(((total,), (area, name)))
    fixed = frozenset(k for k in cells if not hidden_in.get(k[0]))
    shown = decide(cells, sums, limit, fixed)
    metrics = {m if not isinstance(m, tuple) else m[0] for _a, m in cells} | set(VALUES)
    return Decision(
        hidden={k: v for k, v in shown.items() if is_hidden(v)},
        values={k: v for k, v in cells.items() if k[1] in VALUES},
        metrics=metrics | {"month", "months", "round"},
        valued=VALUES,
    )


def _stamp() -> str:
    stamp = cache.get(STAMP_KEY)
    if stamp is None:
        stamp = uuid.uuid4().hex
        cache.set(STAMP_KEY, stamp, None)
    return stamp


def invalidate() -> None:
    """Forget every cached decision: the figures changed (a refresh, full or of a community)."""
    cache.set(STAMP_KEY, uuid.uuid4().hex, None)


def _cache_key(refresh: Refresh, countable: dict, visible: set, limit: int) -> str:
    signature = hashlib.sha256(
        (
            ",".join(map(str, sorted(countable)))
            + "|"
            + ",".join(map(str, sorted(visible)))
            + f"|{limit}"
        ).encode()
    ).hexdigest()[:32]
    return f"ppaos:disclosure:{refresh.pk}:{_stamp()}:{signature}"


# The last few decisions this process read, by cache key (a city's is a few MB to unpickle).
_recent: OrderedDict[str, Decision] = OrderedDict()
RECENT = 4
_recent_lock = threading.Lock()


def _cached(refresh: Refresh, area, countable: dict, visible: set) -> Decision:
    limit = small_count_threshold()
    key = _cache_key(refresh, countable, visible, limit)
    decision = _recent.get(key)
    if decision is None:
        decision = cache.get(key)
    if decision is None:
        decision = build(countable, visible, _community_values(refresh, area), limit)
        cache.set(key, decision, CACHE_SECONDS)
    with _recent_lock:
        _recent[key] = decision
        _recent.move_to_end(key)
        while len(_recent) > RECENT:
            _recent.popitem(last=False)
    return decision


def decision_for(user) -> Decision:
    """The decision for the viewer's countable scope (cached; see the module docstring)."""
    from ppaos.dashboards.selectors import current_refresh

    scope = scope_for(user)
    area = scope.area(VIEW_COUNTS)
    countable = dict(
        Community.objects.filter(area.community_q()).values_list("pk", "subdistrict_id")
    )
    visible = set(
        Community.objects.filter(scope.area(VIEW_PEOPLE).community_q()).values_list("pk", flat=True)
    ) & set(countable)
    refresh = current_refresh()
    if refresh is None:  # the registry as it is now: not cached
        return build(countable, visible, _community_values(None, area), small_count_threshold())
    return _cached(refresh, area, countable, visible)


class _Everywhere:
    """The scope of a viewer who may count every community and see no one (researchers of
    the whole city): `q` and `community_q` as ppaos.accounts.scope areas give them."""

    def q(self, prefix: str) -> Q:
        return Q()

    def community_q(self) -> Q:
        return Q()


def warm() -> None:
    """Decide for the whole city, counts only (every city-wide researcher's decision), so no
    page waits for it after a refresh. Called by the refreshes (background work)."""
    from ppaos.dashboards.selectors import current_refresh

    refresh = current_refresh()
    if refresh is None:
        return
    countable = dict(Community.objects.values_list("pk", "subdistrict_id"))
    _cached(refresh, _Everywhere(), countable, set())
