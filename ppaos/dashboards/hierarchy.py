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
from dataclasses import dataclass, field
from functools import partial

from django.core.cache import cache
from django.db import transaction
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


@dataclass
class _Cells:
    """A decision's figures and what links them: `cells` (area, metric) → count, `children`
    area → its child areas, `fixed` the figures known to the viewer."""

    cells: dict
    children: dict
    fixed: frozenset


def _add(cells: dict, area: tuple, metric, value: int, changed: set | None = None) -> None:
    """Add `value` to the area's figure, and to the figures derived from it (households
    assessed in a round, a trend's total)."""
    keys = [(area, metric)]
    if isinstance(metric, tuple) and metric[0] == "round" and metric[2].startswith("level_"):
        keys.append((area, ("round", metric[1], "assessed")))
    elif isinstance(metric, tuple) and metric[0] == "month":
        keys.append((area, ("months", metric[1])))
    for key in keys:
        cells[key] = cells.get(key, 0) + value
        if changed is not None:
            changed.add(key)


def _cells(countable: dict[int, str], visible: set[int], values: dict[int, dict]) -> _Cells:
    cells: dict = {}
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
                cells[(area, metric)] = cells.get((area, metric), 0) + value
    # Derived figures: households assessed per round, each trend's total.
    for (area, metric), value in list(cells.items()):
        if isinstance(metric, tuple) and metric[0] == "round" and metric[2].startswith("level_"):
            key = (area, ("round", metric[1], "assessed"))
            cells[key] = cells.get(key, 0) + value
        elif isinstance(metric, tuple) and metric[0] == "month":
            key = (area, ("months", metric[1]))
            cells[key] = cells.get(key, 0) + value
    # Every area's figures are known exactly to a viewer who may see all its people.
    areas = {area for area in children} | {a for kids in children.values() for a in kids}
    fixed = frozenset(area for area in areas if not hidden_in.get(area))
    return _Cells(cells, dict(children), fixed)


def _sums(cells: dict, children: dict) -> dict:
    """Every sum a reader knows between the figures, by identity: each area's figure the sum
    of its children's (("kids", area, metric)), households assessed the sum of the levels of a
    round (("levels", area, round)), a trend's total the sum of its months (("months", area,
    name)) and the figure at the refresh, where they agree (("equal", area, name))."""
    by_area: dict[tuple, list] = defaultdict(list)
    for area, metric in cells:
        by_area[area].append(metric)
    sums = {}
    for parent, kids in children.items():
        ordered = sorted(kids, key=repr)
        for metric in by_area.get(parent, ()):
            parts = [(k, metric) for k in ordered if (k, metric) in cells]
            sums[("kids", parent, metric)] = (tuple(parts), (parent, metric))
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
            sums[("levels", area, name)] = (
                tuple(sorted(parts)),
                (area, ("round", name, "assessed")),
            )
        for name, parts in months.items():
            total = (area, ("months", name))
            sums[("months", area, name)] = (tuple(sorted(parts)), total)
            if cells.get((area, name)) == cells[total]:
                sums[("equal", area, name)] = ((total,), (area, name))
    return sums


def _sum(ident: tuple, cells: dict, children: dict, metrics_of: dict):
    """The one sum `ident` (as `_sums` names it) over the figures now, or None."""
    kind, area, what = ident
    if kind == "kids":
        if area not in children or (area, what) not in cells:
            return None
        ordered = sorted(children.get(area, ()), key=repr)
        return (tuple((k, what) for k in ordered if (k, what) in cells), (area, what))
    mine = metrics_of.get(area, ())
    if kind == "levels":
        parts = [
            (area, m)
            for m in mine
            if isinstance(m, tuple) and m[0] == "round" and m[1] == what
            if m[2].startswith("level_")
        ]
        return (tuple(sorted(parts)), (area, ("round", what, "assessed"))) if parts else None
    months = [(area, m) for m in mine if isinstance(m, tuple) and m[0] == "month" and m[1] == what]
    total = (area, ("months", what))
    if kind == "months":
        return (tuple(sorted(months)), total) if months else None
    if months and cells.get((area, what)) == cells[total]:  # "equal"
        return ((total,), (area, what))
    return None


def _sums_of(key: tuple, parent: dict) -> list[tuple]:
    """The identities of the sums figure `key` may be in."""
    area, metric = key
    found = [("kids", area, metric)]
    if area in parent:
        found.append(("kids", parent[area], metric))
    if isinstance(metric, tuple):
        if metric[0] == "round":
            found.append(("levels", area, metric[1]))
        elif metric[0] in ("month", "months"):
            found += [("months", area, metric[1]), ("equal", area, metric[1])]
    else:
        found.append(("equal", area, metric))
    return found


def _decision(cells: dict, shown: dict) -> Decision:
    metrics = {m if not isinstance(m, tuple) else m[0] for _a, m in cells} | set(VALUES)
    return Decision(
        hidden={k: v for k, v in shown.items() if is_hidden(v)},
        values={k: v for k, v in cells.items() if k[1] in VALUES},
        metrics=metrics | {"month", "months", "round"},
        valued=VALUES,
    )


def _decide(figures: _Cells, limit: int) -> dict:
    fixed = frozenset(k for k in figures.cells if k[0] in figures.fixed)
    sums = list(_sums(figures.cells, figures.children).values())
    return decide(figures.cells, sums, limit, fixed)


def build(
    countable: dict[int, str], visible: set[int], values: dict[int, dict], limit: int
) -> Decision:
    """The decision for the communities `countable` (pk → subdistrict code), whose figures
    are `values`; the people of `visible` the viewer may see (their areas are exact)."""
    figures = _cells(countable, visible, values)
    return _decision(figures.cells, _decide(figures, limit))


def _stamp() -> str:
    stamp = cache.get(STAMP_KEY)
    if stamp is None:
        stamp = uuid.uuid4().hex
        cache.set(STAMP_KEY, stamp, None)
    return stamp


def invalidate() -> None:
    """Forget every cached decision: the figures changed (a full refresh)."""
    cache.set(STAMP_KEY, uuid.uuid4().hex, None)


def _signature(countable: dict, visible: set, limit: int) -> str:
    return hashlib.sha256(
        (
            ",".join(map(str, sorted(countable)))
            + "|"
            + ",".join(map(str, sorted(visible)))
            + f"|{limit}"
        ).encode()
    ).hexdigest()[:32]


def _key(refresh_pk: int, stamp: str, signature: str) -> str:
    return f"ppaos:disclosure:{refresh_pk}:{stamp}:{signature}"


# The last few decisions this process read, by cache key (a city's is a few MB to unpickle).
_recent: OrderedDict[str, Decision] = OrderedDict()
RECENT = 4
_recent_lock = threading.Lock()


@dataclass
class _State:
    """What deciding again after a change of a few communities needs (`communities_changed`):
    the figures per community and per area, the sums by identity and which sums each figure
    is in, and every figure's label."""

    refresh_pk: int
    stamp: str
    countable: dict
    limit: int
    values: dict
    figures: _Cells
    sums: dict
    shown: dict
    decision: Decision
    member_of: dict = field(default_factory=dict)
    parent: dict = field(default_factory=dict)
    metrics_of: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        for ident, (parts, total) in self.sums.items():
            for k in (*parts, total):
                self.member_of.setdefault(k, set()).add(ident)
        for up, kids in self.figures.children.items():
            for kid in kids:
                self.parent[kid] = up
        for area, metric in self.figures.cells:
            self.metrics_of.setdefault(area, set()).add(metric)


# The decisions the refreshes (the worker) built, by signature, kept to decide again
# incrementally; pages keep none.
_states: OrderedDict[str, _State] = OrderedDict()
STATES = 2


def _remember(signature: str, state: _State) -> None:
    with _recent_lock:
        _states[signature] = state
        _states.move_to_end(signature)
        while len(_states) > STATES:
            _states.popitem(last=False)


def _cached(refresh: Refresh, area, countable: dict, visible: set, *, keep=False) -> Decision:
    limit = small_count_threshold()
    signature = _signature(countable, visible, limit)
    stamp = _stamp()
    key = _key(refresh.pk, stamp, signature)
    state = _states.get(signature) if keep else None
    if state is not None and (state.refresh_pk, state.stamp) == (refresh.pk, stamp):
        return state.decision
    # The refreshes build afresh what they keep; pages take any decided one.
    decision = None if keep else _recent.get(key) or cache.get(key)
    if decision is None:
        values = _community_values(refresh, area)
        figures = _cells(countable, visible, values)
        sums = _sums(figures.cells, figures.children)
        fixed = frozenset(k for k in figures.cells if k[0] in figures.fixed)
        shown = decide(figures.cells, list(sums.values()), limit, fixed)
        decision = _decision(figures.cells, shown)
        cache.set(key, decision, CACHE_SECONDS)
        if keep:
            state = _State(
                refresh.pk, stamp, countable, limit, values, figures, sums, shown, decision
            )
            _remember(signature, state)
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
    page waits for it after a refresh. Called by the refreshes (background work), which keep
    what deciding again incrementally needs (`communities_changed`)."""
    from ppaos.dashboards.selectors import current_refresh

    refresh = current_refresh()
    if refresh is None:
        return
    countable = dict(Community.objects.values_list("pk", "subdistrict_id"))
    _cached(refresh, _Everywhere(), countable, set(), keep=True)


def _update(state: _State, fresh: dict[int, dict], community_ids) -> None:
    """Apply the new figures of `community_ids` (`fresh`, as `_community_values` gives them)
    to the state's areas and sums, then decide again around the changed figures."""
    cells, changed = state.figures.cells, set()
    for pk in community_ids:
        if pk not in state.countable:
            continue
        old, new = state.values.get(pk, {}), fresh.get(pk, {})
        chain = _ancestors(pk, state.countable[pk])
        for metric in old.keys() | new.keys():
            delta = new.get(metric, 0) - old.get(metric, 0)
            if delta:
                for area in chain:
                    _add(cells, area, metric, delta, changed)
        if new:
            state.values[pk] = new
        else:
            state.values.pop(pk, None)
    if not changed:
        return
    for area, metric in changed:
        state.metrics_of.setdefault(area, set()).add(metric)
    for ident in {i for key in changed for i in _sums_of(key, state.parent)}:
        old_sum = state.sums.pop(ident, None)
        if old_sum is not None:
            for k in (*old_sum[0], old_sum[1]):
                state.member_of.get(k, set()).discard(ident)
        new_sum = _sum(ident, cells, state.figures.children, state.metrics_of)
        if new_sum is not None:
            state.sums[ident] = new_sum
            for k in (*new_sum[0], new_sum[1]):
                state.member_of.setdefault(k, set()).add(ident)
    hidden, values = state.decision.hidden, state.decision.values
    for k in _redecide(state, changed):
        label = state.shown[k]
        if is_hidden(label):
            hidden[k] = label
        else:
            hidden.pop(k, None)
        if k[1] in VALUES:
            values[k] = cells[k]
    kinds = {m if not isinstance(m, tuple) else m[0] for _a, m in changed}
    state.decision.metrics = state.decision.metrics | kinds


def _redecide(state: _State, changed: set) -> set:
    """Decide again the sums the changed figures are in, with every sum linked to them through
    hidden figures (the reader's interval reasoning follows those), starting from the earlier
    labels (ppaos.lib.disclosure `decide`, incrementally); where a figure hidden on the way is
    in sums outside those, they are added and decided again. Every other sum keeps its
    figures and labels, so the rule holds for it as before. Returns the figures decided."""
    chosen: dict = {}  # sum identities, in the order found

    def include(idents) -> None:
        stack = list(idents)
        while stack:
            ident = stack.pop()
            if ident in chosen or ident not in state.sums:
                continue
            chosen[ident] = None
            parts, total = state.sums[ident]
            for k in (*parts, total):
                if is_hidden(state.shown.get(k)):
                    stack.extend(state.member_of.get(k, ()))

    cells, fixed_areas = state.figures.cells, state.figures.fixed
    include(i for k in changed for i in state.member_of.get(k, ()))
    decided: set = set(changed)
    again = set(changed)
    for _round in range(len(cells) + 1):
        sums = [state.sums[i] for i in chosen]
        keys = {k for parts, total in sums for k in (*parts, total)} | again
        mine = {k: cells[k] for k in keys}
        start = {k: state.shown[k] for k in keys if k in state.shown}
        fixed = frozenset(k for k in keys if k[0] in fixed_areas)
        shown = decide(mine, sums, state.limit, fixed, start=start, changed=again)
        newly = {k for k, v in shown.items() if is_hidden(v) and not is_hidden(start.get(k, 0))}
        state.shown.update(shown)
        decided |= keys
        outside = {i for k in newly for i in state.member_of.get(k, ()) if i not in chosen}
        if not outside:
            break
        include(outside)
        again = newly
    return decided


def communities_changed(refresh: Refresh, community_ids) -> None:
    """The incremental refresh rewrote the figures of `community_ids` in `refresh`, in the
    transaction still open: every cached decision is forgotten (a new stamp, set again once
    committed), and the decisions this process keeps (the city-wide one, in the worker) are
    decided again for the sums the change touches (ppaos.lib.disclosure `decide`, from the
    earlier labels) and cached under the new stamp, so pages find them decided. Without one
    kept (another process refreshed last), the city-wide decision is built in full."""
    old, new = _stamp(), uuid.uuid4().hex
    fresh = _community_values(refresh, _Communities(community_ids))
    kept = False
    for signature, state in list(_states.items()):
        if (state.refresh_pk, state.stamp) != (refresh.pk, old):
            with _recent_lock:
                _states.pop(signature, None)
            continue
        _update(state, fresh, community_ids)
        # Kept only once committed: after a rollback it no longer matches the figures.
        state.stamp = ""
        transaction.on_commit(partial(setattr, state, "stamp", new))
        cache.set(_key(refresh.pk, new, signature), state.decision, CACHE_SECONDS)
        kept = True
    cache.set(STAMP_KEY, new, None)
    transaction.on_commit(partial(cache.set, STAMP_KEY, new, None))
    if not kept:
        warm()


class _Communities:
    """Some communities, as a scope area gives them (`q`)."""

    def __init__(self, community_ids):
        self.ids = list(community_ids)

    def q(self, prefix: str) -> Q:
        return Q(**{f"{prefix}__in": self.ids})
