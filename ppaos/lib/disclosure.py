"""One disclosure-control layer for every table of counts shown to roles that see counts only
(researchers) and to the public: primary and complementary suppression.

A table is a set of named counts (`cells`) and the sums the reader can see between them
(`Table.add_sum(parts, total)`: the parts add up to the total, e.g. a row and its row total,
households assessed and its level counts). `Table.protect()` returns the figures to show:

- primary: every count from 1 to threshold - 1 becomes None, shown as "< 5"
  (`ppaos.lib.suppression`);
- complementary: while the sums let a reader work out a hidden figure exactly, the smallest
  other non-zero figure of a sum holding it that cures it is hidden too, as `WITHHELD` (shown
  as "*": it is not small, and is never shown as "< 5"); repeated to a fixpoint.

The reader is assumed to know that a "< 5" count lies in 1..threshold-1, a "*" figure in
threshold..∞ and every shown figure exactly; what the reader can prove is found by tightening
each figure's range through every sum until nothing changes (interval propagation). A reader
may still narrow a "< 5" count within 1..threshold-1 (two "< 5" parts of a "< 5" total are each
at most 3), but never pin it to one value. When interval propagation finds nothing, each
hidden figure's least and greatest value is solved as a linear programme over all the sums
together (scipy, where installed; without it only propagation runs). The security tests
(ppaos/tests_security/test_disclosure.py) solve every published table the same way.
Limits: only the sums a table declares are protected; figures in two different tables are
protected against each other only where a caller declares the sum (e.g. a page's
headline total over its child rows), or where both take their labels from one `Decision`
(`decide`, over every sum between them: ppaos.dashboards.hierarchy decides every area's
figures once, so they read the same on every page).

`recording()` (for tests) collects every protected table published while it is active."""

import contextlib
import contextvars
import math
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field

from ppaos.lib.suppression import WITHHELD, is_hidden, small_count_threshold, withheld_label

__all__ = [
    "WITHHELD",
    "Published",
    "Table",
    "group",
    "grid",
    "is_hidden",
    "protect",
    "recording",
    "withheld_label",
]


@dataclass
class Published:
    """A protected table as a reader sees it, for the security tests."""

    name: str
    true: dict
    shown: dict
    sums: list[tuple[tuple, Hashable]]
    threshold: int
    # Key → global identity of the figure (e.g. (("d", "1008"), "households")), for cells that
    # are one area's figure: the same figure on every page, API answer and export.
    idents: dict = field(default_factory=dict)


_recorder: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "ppaos_disclosure_recorder", default=None
)


@contextlib.contextmanager
def recording() -> Iterator[list[Published]]:
    """Collect every table protected inside the block (tests)."""
    published: list[Published] = []
    token = _recorder.set(published)
    try:
        yield published
    finally:
        _recorder.reset(token)


@dataclass
class Table:
    """Counts and the sums between them; `protect()` gives the figures safe to show."""

    name: str
    cells: dict = field(default_factory=dict)
    sums: list[tuple[tuple, Hashable]] = field(default_factory=list)
    fixed: set = field(default_factory=set)
    idents: dict = field(default_factory=dict)

    def add(
        self, key: Hashable, value: int | None, *, fixed: bool = False, ident: Hashable = None
    ) -> Hashable:
        """A count; `fixed` ones the viewer may see exactly (never hidden, known to them).
        `ident`: the figure's global identity (an area's figure, see `Decision`): with a
        decision, `protect` shows it as the decision says, the same on every page."""
        self.cells[key] = int(value or 0)
        if fixed:
            self.fixed.add(key)
        if ident is not None:
            self.idents[key] = ident
        return key

    def add_sum(self, parts: Iterable[Hashable], total: Hashable) -> None:
        """Declare that `parts` add up to `total` (all of them cells of the table)."""
        parts = tuple(parts)
        if parts:
            self.sums.append((parts, total))

    def protect(
        self,
        *,
        exact: bool = False,
        threshold: int | None = None,
        decision: "Decision | None" = None,
    ) -> dict:
        """Key → count, None (small) or WITHHELD; every count as it is when `exact`.

        With a `decision`, every cell with an identity the decision holds takes the decision's
        value and label (shown ones are fixed, hidden ones stay hidden); only the table's other
        cells are decided here, around them."""
        if exact:
            return dict(self.cells)
        limit = small_count_threshold() if threshold is None else threshold
        fixed = set(self.fixed)
        pinned: dict = {}
        if decision is not None:
            for key, ident in self.idents.items():
                if key in fixed or not decision.holds(ident):
                    continue
                self.cells[key] = decision.value(ident, self.cells[key])
                pinned[key] = decision.shown(ident, self.cells[key])
        fixed |= {k for k, v in pinned.items() if not is_hidden(v)}
        shown = protect(self.cells, self.sums, limit, fixed=frozenset(fixed), pinned=pinned)
        published = _recorder.get()
        if published is not None:
            published.append(
                Published(
                    self.name,
                    dict(self.cells),
                    shown,
                    list(self.sums),
                    limit,
                    dict(self.idents),
                )
            )
        return shown


def _label_bounds(value, true: int, limit: int) -> tuple[float, float]:
    if value is None:
        return 1, limit - 1
    if value is WITHHELD:
        return limit, math.inf
    return true, true


def _derive(terms, bounds: dict, key) -> tuple[float, float]:
    """The range of `key` that one sum (terms: (key, ±1), adding up to 0) allows, given the
    ranges of its other figures."""
    a = next(c for k, c in terms if k == key)
    low = high = 0.0
    for j, b in terms:
        if j == key:
            continue
        lo, hi = bounds[j]
        low += min(b * lo, b * hi)
        high += max(b * lo, b * hi)
    first, second = -high / a, -low / a
    return min(first, second), max(first, second)


def _ceil(x: float) -> float:
    return x if math.isinf(x) else math.ceil(x - 1e-9)


def _floor(x: float) -> float:
    return x if math.isinf(x) else math.floor(x + 1e-9)


def _terms(parts, total) -> list:
    return [(k, 1) for k in parts] + [(total, -1)]


def _reader_bounds(shown: dict, cells: dict, sums, limit: int) -> dict:
    """What a reader can prove about every figure: the labels' ranges tightened through every
    sum until nothing changes (interval constraint propagation)."""
    bounds = {k: _label_bounds(v, cells[k], limit) for k, v in shown.items()}
    for _round in range(100):
        changed = False
        for parts, total in sums:
            terms = _terms(parts, total)
            for k, _a in terms:
                if not is_hidden(shown[k]):
                    continue
                lo, hi = _derive(terms, bounds, k)
                old_lo, old_hi = bounds[k]
                new = (max(old_lo, _ceil(lo)), min(old_hi, _floor(hi)))
                if new != bounds[k]:
                    bounds[k] = new
                    changed = True
        if not changed:
            break
    return bounds


def _components(hidden: list, sums) -> list[tuple[list, list]]:
    """The hidden figures split into groups no sum links to each other, each with its sums:
    every group is its own, much smaller, linear programme."""
    parent = {k: k for k in hidden}

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for parts, total in sums:
        keys = [k for k, _a in _terms(parts, total) if k in parent]
        for k in keys[1:]:
            parent[root(k)] = root(keys[0])
    groups: dict = {}
    for k in hidden:
        groups.setdefault(root(k), ([], []))[0].append(k)
    for parts, total in sums:
        keys = [k for k, _a in _terms(parts, total) if k in parent]
        if keys:
            groups[root(keys[0])][1].append((parts, total))
    return [group for group in groups.values() if group[1]]


def _determined(shown: dict, cells: dict, sums, limit: int, keys) -> list:
    """Of `keys` (hidden), those whose least and greatest value subject to everything the
    reader sees are equal: a linear programme per key (scipy's HiGHS), when scipy is present."""
    try:
        from scipy.optimize import linprog
    except ImportError:  # pragma: no cover - interval propagation alone
        return []
    wanted = set(keys)
    found = []
    for hidden, group_sums in _components([k for k, v in shown.items() if is_hidden(v)], sums):
        index = {k: i for i, k in enumerate(hidden)}
        bounds = [(limit, None) if shown[k] is WITHHELD else (1, limit - 1) for k in hidden]
        rows, rhs = [], []
        for parts, total in group_sums:
            row, constant = [0.0] * len(hidden), 0.0
            for key, coef in _terms(parts, total):
                if key in index:
                    row[index[key]] += coef
                else:
                    constant += coef * cells[key]
            rows.append(row)
            rhs.append(-constant)
        for key in hidden:
            if key not in wanted:
                continue
            objective = [0.0] * len(hidden)
            objective[index[key]] = 1.0
            low = linprog(objective, A_eq=rows, b_eq=rhs, bounds=bounds)
            high = linprog([-c for c in objective], A_eq=rows, b_eq=rhs, bounds=bounds)
            if low.status == 0 and high.status == 0 and -high.fun - low.fun < 1 - 1e-6:
                found.append(key)
    return found


def _leaks(shown: dict, cells: dict, sums, limit: int, *, thorough: bool = False) -> list:
    """Hidden keys the reader can work out exactly: by interval propagation, and with
    `thorough` by linear programming over all the sums together."""
    bounds = _reader_bounds(shown, cells, sums, limit)
    hidden = [k for k, v in shown.items() if is_hidden(v)]
    found = [k for k in hidden if bounds[k][0] >= bounds[k][1]]
    if thorough and not found:
        related = {k for p, t in sums for k in (*p, t)}
        found = _determined(shown, cells, sums, limit, [k for k in hidden if k in related])
    return found


def protect(
    cells: dict,
    sums: list[tuple[tuple, Hashable]],
    limit: int,
    fixed: frozenset = frozenset(),
    pinned: dict | None = None,
) -> dict:
    """Primary then complementary suppression (see the module docstring); `fixed` counts are
    shown as they are and never chosen to hide another; `pinned` keys start as given (a
    decision taken elsewhere: `Decision`)."""
    shown = {k: (None if 0 < v < limit and k not in fixed else v) for k, v in cells.items()}
    shown.update(pinned or {})
    incurable: set = set()
    for _step in range(len(cells) + 1):
        leaks = [k for k in _leaks(shown, cells, sums, limit, thorough=True) if k not in incurable]
        if not leaks:
            break
        leak = leaks[0]
        related = [(p, t) for p, t in sums if leak == t or leak in p]
        candidates = sorted(
            {
                k
                for p, t in related
                for k in (*p, t)
                if shown[k] and not is_hidden(shown[k]) and k not in fixed
            },
            key=lambda k: (cells[k], repr(k)),
        )
        if not candidates:
            # Only zeros and figures the viewer may see exactly beside it: nothing to hide.
            incurable.add(leak)
            continue
        pick = candidates[-1]
        for k in candidates:
            shown[k] = WITHHELD
            cured = leak not in _leaks(shown, cells, related, limit)
            shown[k] = cells[k]
            if cured:
                pick = k
                break
        shown[pick] = WITHHELD
    return shown


def group(
    name: str, counts: dict, *, total: int | None = None, exact: bool = False
) -> tuple[dict, int | None]:
    """A group of counts with (optionally) the total they add up to shown beside them:
    (protected counts, protected total). Without `total` the group's sum is the total."""
    table = Table(name)
    for key, value in counts.items():
        table.add(("part", key), value)
    table.add("total", sum(int(v or 0) for v in counts.values()) if total is None else total)
    table.add_sum([("part", k) for k in counts], "total")
    shown = table.protect(exact=exact)
    return {k: shown[("part", k)] for k in counts}, shown["total"]


def grid(
    name: str,
    rows: dict[Hashable, dict[Hashable, int]],
    *,
    columns: Iterable[Hashable],
    exact: bool = False,
    row_totals: bool = True,
    column_totals: bool = True,
) -> dict:
    """A cross-table with its margins protected together. Keys of the result: ("cell", r, c),
    ("row", r), ("col", c) and "all" (the grand total), each when shown."""
    columns = list(columns)
    table = Table(name)
    for r, values in rows.items():
        for c in columns:
            table.add(("cell", r, c), values.get(c, 0))
    if row_totals:
        for r, values in rows.items():
            table.add(("row", r), sum(values.get(c, 0) or 0 for c in columns))
            table.add_sum([("cell", r, c) for c in columns], ("row", r))
    if column_totals:
        for c in columns:
            table.add(("col", c), sum(v.get(c, 0) or 0 for v in rows.values()))
            table.add_sum([("cell", r, c) for r in rows], ("col", c))
    if row_totals or column_totals:
        table.add("all", sum(sum(v.get(c, 0) or 0 for c in columns) for v in rows.values()))
        if row_totals:
            table.add_sum([("row", r) for r in rows], "all")
        if column_totals:
            table.add_sum([("col", c) for c in columns], "all")
    return table.protect(exact=exact)


# One decision for figures shown on many pages ----------------------------------------------


class Decision:
    """Suppression decided once for figures that several pages, exports and API answers show
    (an area's households, its dashboard figures …), keyed by each figure's global identity:
    a page reads each such figure's label from here, so a figure is hidden everywhere or
    nowhere (`Table.add(…, ident=…)`, `Table.protect(decision=…)`).

    `hidden`: identity → None ("< 5") or WITHHELD ("*"); `values`: identity → count, for the
    figures whose value pages read from the decision (others use the page's own count, which
    is the same figure of the same data). `known`: identities the decision covers (every
    figure of the metrics it decided, zero or not)."""

    def __init__(
        self, hidden: dict, values: dict | None = None, metrics=frozenset(), valued=frozenset()
    ):
        self.hidden = hidden
        self.values = values or {}
        self.metrics = frozenset(metrics)
        # Metrics whose every value is in `values` (missing: zero).
        self.valued = frozenset(valued)

    def holds(self, ident) -> bool:
        """Whether `ident` (area, metric) is a figure of this decision: its metric (or, for
        (kind, …) tuples such as ("month", metric, day), its kind) is one it decided."""
        if ident in self.hidden:
            return True
        try:
            metric = ident[1]
        except (TypeError, IndexError):
            return False
        return (metric[0] if isinstance(metric, tuple) else metric) in self.metrics

    def value(self, ident, default: int) -> int:
        """The figure's count as decided (pages show this one), else `default`."""
        if ident in self.values:
            return self.values[ident]
        if isinstance(ident, tuple) and len(ident) == 2 and ident[1] in self.valued:
            return 0
        return default

    def shown(self, ident, value: int):
        if ident in self.hidden:
            return self.hidden[ident]
        return value


def decide(
    cells: dict,
    sums: list,
    limit: int,
    fixed=frozenset(),
    *,
    start: dict | None = None,
    changed=(),
) -> dict:
    """Primary and complementary suppression for many figures linked by many small sums (an
    area hierarchy: each parent the sum of its children, per metric), without linear
    programmes: key → count, None or WITHHELD, as `protect` returns.

    The rule: in every sum, the hidden figures are none or at least two. For sums that form a
    tree (each figure the total of at most one sum and a part of at most one), that rule alone
    means no hidden figure is a linear combination of shown ones (any set of k linked sums has
    at least 2k hidden memberships and shares only k - 1 figures, so at least two hidden
    figures stay free). The labels' ranges ("< 5" is 1..4, "*" at least 5) are then checked by
    interval propagation over all the sums (4 + 4 = 8 pins both), hiding another figure of the
    sum where a figure is pinned. Linear in the number of figures for trees; the tests prove
    the result by linear programming (ppaos.lib.disclosure_check).

    Incrementally, with `start` (the labels an earlier call returned) and `changed` (the keys
    whose count changed since): the other figures keep their labels, and only the sums holding
    a changed or new figure are decided again (and those a figure hidden on the way is in).
    The same rule then holds for every sum, so the labels are as safe as a full decision's;
    they may hide more (a figure hidden earlier to protect another stays hidden)."""
    groups = [(*parts, total) for parts, total in sums]
    member_of: dict = {}
    for g, members in enumerate(groups):
        for k in members:
            member_of.setdefault(k, []).append(g)
    first_seeds = None
    if start is None:
        shown = {k: (None if 0 < v < limit and k not in fixed else v) for k, v in cells.items()}
        pending = list(range(len(groups) - 1, -1, -1))
    else:
        touched = {k for k in changed if k in cells} | {k for k in cells if k not in start}
        shown = {k: start[k] for k in cells if k not in touched}
        for k in touched:
            v = cells[k]
            if 0 < v < limit and k not in fixed:
                shown[k] = None
            elif start.get(k) is WITHHELD and v >= limit:
                shown[k] = WITHHELD
            else:
                shown[k] = v
        pending = sorted({g for k in touched for g in member_of.get(k, ())}, reverse=True)
        first_seeds = {k for g in pending for k in groups[g] if is_hidden(shown[k])}

    def candidates(g: int, leak=None) -> list:
        total = groups[g][-1]
        return sorted(
            (
                k
                for k in groups[g]
                if k != leak and shown[k] and not is_hidden(shown[k]) and k not in fixed
            ),
            key=lambda k: (k == total, cells[k], repr(k)),
        )

    def pins(g: int) -> bool:
        """Whether this sum alone, with the labels' ranges, pins a hidden figure."""
        labels = {k: _label_bounds(shown[k], cells[k], limit) for k in groups[g]}
        labels = {k: b for k, b in labels.items() if is_hidden(shown[k])}
        return any(
            max(labels[k][0], _ceil(lo)) >= min(labels[k][1], _floor(hi))
            for k, (lo, hi) in _group_ranges(groups[g], labels, cells)
        )

    def curing(g: int, found: list):
        """The first candidate that leaves no figure of the sum pinned (else the first)."""
        for k in found:
            shown[k] = WITHHELD
            cured = not pins(g)
            shown[k] = cells[k]
            if cured:
                return k
        return found[0]

    def hide(k) -> None:
        shown[k] = WITHHELD
        pending.extend(member_of.get(k, ()))
        newly.append(k)

    newly: list = []
    incurable: set = set()
    for _round in range(len(cells) + 1):
        while pending:
            g = pending.pop()
            hidden = [k for k in groups[g] if is_hidden(shown[k])]
            if len(hidden) == 1 and (g, hidden[0]) not in incurable:
                found = candidates(g)
                if found:
                    hide(curing(g, found))
                else:
                    incurable.add((g, hidden[0]))
            elif len(hidden) > 1 and (g, None) not in incurable and pins(g):
                # This sum alone, with the labels' ranges, must not pin one (4 + 4 = 8).
                found = candidates(g)
                if found:
                    hide(curing(g, found))
                else:
                    incurable.add((g, None))
        stuck = {leak for _g, leak in incurable}
        # Only the hidden figures linked (through sums of hidden figures) to one hidden since
        # the last pass can have changed: the first pass looks at all.
        if _round > 0:
            seeds = newly
        else:
            seeds = None if first_seeds is None else list(first_seeds | set(newly))
        pinned = _pinned(shown, cells, groups, member_of, limit, seeds=seeds)
        newly = []
        pinned = [k for k in pinned if k not in stuck]
        if not pinned:
            break
        # Each pinned figure gets another hidden figure in one of its sums, all at once; the
        # next pass propagates again over the hidden figures linked to the new ones.
        for leak in pinned:
            options = [(c, g) for g in member_of.get(leak, ()) for c in candidates(g, leak)[:1]]
            if options:
                hide(min(options, key=lambda o: (cells[o[0]], repr(o[0])))[0])
            else:
                incurable.add((None, leak))
    return shown


def _pinned(
    shown: dict, cells: dict, groups: list, member_of: dict, limit: int, seeds=None
) -> list:
    """Hidden figures interval propagation pins to one value (a worklist over the sums that
    hold hidden figures; see `_reader_bounds`). Each sum is revisited a bounded number of
    times: ranges that only creep (a wide "*" narrowed by one at a time) pin nothing, and
    the linear programmes of the tests are the proof."""
    if seeds is None:
        hidden = [k for k, v in shown.items() if is_hidden(v)]
    else:  # the hidden figures linked to `seeds` by sums
        hidden, stack = set(seeds), list(seeds)
        while stack:
            for g in member_of.get(stack.pop(), ()):
                for k in groups[g]:
                    if k not in hidden and is_hidden(shown[k]):
                        hidden.add(k)
                        stack.append(k)
    bounds = {k: _label_bounds(shown[k], cells[k], limit) for k in hidden}
    work = sorted({g for k in bounds for g in member_of.get(k, ())}, reverse=True)
    queued = set(work)
    visits: dict = {}
    while work:
        g = work.pop()
        queued.discard(g)
        visits[g] = visits.get(g, 0) + 1
        for k, (lo, hi) in _group_ranges(groups[g], bounds, cells):
            old = bounds[k]
            new = (max(old[0], _ceil(lo)), min(old[1], _floor(hi)))
            if new != old:
                bounds[k] = new
                for other in member_of.get(k, ()):
                    if other != g and other not in queued and visits.get(other, 0) < 12:
                        queued.add(other)
                        work.append(other)
    return [k for k, (lo, hi) in bounds.items() if lo >= hi]


def _group_ranges(members, bounds: dict, cells: dict):
    """(hidden key, the range one sum — parts then total — allows it given the other figures'
    ranges), in time linear in the sum's size (`_derive` for one key at a time)."""
    inf = math.inf
    terms = []
    low_sum = high_sum = 0.0
    low_inf = high_inf = 0
    last = len(members) - 1
    for i, k in enumerate(members):
        b = bounds.get(k)
        if b is None:
            value = cells[k]
            low = high = value if i != last else -value
        elif i != last:
            low, high = b
        else:
            low, high = -b[1], -b[0]
        if b is not None:
            terms.append((k, i == last, low, high))
        if low == -inf:
            low_inf += 1
        else:
            low_sum += low
        if high == inf:
            high_inf += 1
        else:
            high_sum += high
    for k, is_total, low, high in terms:
        if low == -inf:
            rest_low = -inf if low_inf > 1 else low_sum
        else:
            rest_low = -inf if low_inf else low_sum - low
        if high == inf:
            rest_high = inf if high_inf > 1 else high_sum
        else:
            rest_high = inf if high_inf else high_sum - high
        # ±x = -(the rest): a part lies in [-rest_high, -rest_low], the total in [rest_low,
        # rest_high].
        yield k, ((rest_low, rest_high) if is_total else (-rest_high, -rest_low))
