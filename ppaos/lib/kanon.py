"""k-anonymity for pseudonymised exports (issue 14, 8).

A pseudonym hides who a row is, not what it says: a household alone in its community with its
tenure and its size is found again by anyone who knows those three facts, and with it its
poverty score. So each list declares its *quasi-identifiers* next to its columns
(`ExportSpec.quasi_identifiers`): the facts an outsider may know, each with a hierarchy of
coarser and coarser recodings, the last hiding the value ("*").

`generalise` is a full-domain generalisation (every row of a column recoded at the same
level), greedy and deterministic (Datafly-like): while more rows than `SUPPRESSION_LIMIT` of
the table sit in combinations of fewer than k rows, it raises by one level the quasi-identifier
whose raise leaves the fewest such rows (ties: the one with the most distinct values, then the
first declared). The rows still in combinations smaller than k are then dropped, and counted.
Every combination written has at least k rows; a table of fewer than k rows is written empty.

k is the setting EXPORT_K (`PPAOS_EXPORT_K`, default 5). The export's audit row records k, the
smallest combination written (`k_reached`), the level of each quasi-identifier and the number
of rows dropped (`Anonymised.summary`); never a value."""

import pickle  # nosec B403: only our own temporary spill file is read back
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings

STAR = "*"
# At most this share of the rows is dropped; beyond it, the quasi-identifiers are generalised
# further (a table already at the top of every hierarchy drops what it must).
SUPPRESSION_LIMIT = 0.05

Recode = Callable[[tuple], tuple]


@dataclass(frozen=True)
class QuasiIdentifier:
    """A fact about a row an outsider may know, over one or more export `columns` (their
    header msgids), with `levels`: recodings of the original cells, each coarser than the one
    before, the last hiding them. Level 0 is the cells as they are."""

    name: str
    columns: tuple
    levels: tuple[Recode, ...]

    @property
    def top(self) -> int:
        return len(self.levels)

    def at(self, level: int, values: tuple) -> tuple:
        return values if level == 0 else self.levels[level - 1](values)


@dataclass
class Anonymised:
    """The rows as written, and what it took. A streamed export (`export_table`) keeps no rows
    (`rows` empty) and counts them in `written`."""

    rows: list[list]
    k: int
    k_reached: int | None  # the smallest combination written; None when nothing is written
    levels: dict[str, int]
    suppressed: int
    written: int = 0

    def summary(self) -> dict:
        """For the audit row: counts and levels only."""
        return {
            "k": self.k,
            "k_reached": self.k_reached,
            "levels": self.levels,
            "suppressed": self.suppressed,
            "rows": self.written,
        }


class _Plan:
    """The generalisation of a table known only by how often each combination of original
    quasi-identifier values occurs (`combos`: per-QI value tuples → rows): which level each QI
    is raised to, and how many rows each generalised combination then holds. Memory is that of
    the distinct combinations, whatever the number of rows."""

    def __init__(self, combos: Counter, qis: Sequence[QuasiIdentifier], k: int, allowed: int):
        self.qis, self.k = qis, k
        self._recoded: dict[tuple[int, int], dict] = {}
        self._combos = list(combos.items())
        levels = [0] * len(qis)
        while self._outliers(levels) > allowed:
            options = [i for i in range(len(qis)) if levels[i] < qis[i].top]
            if not options:
                break

            def cost(i: int) -> tuple:
                raised = [*levels[:i], levels[i] + 1, *levels[i + 1 :]]
                distinct = {self.recode(i, levels[i], c[i]) for c, _n in self._combos}
                return (self._outliers(raised), -len(distinct), i)

            levels[min(options, key=cost)] += 1
        self.levels = levels
        self.counts = self._counts(levels)

    def recode(self, i: int, level: int, value: tuple) -> tuple:
        """QI i's cells `value` at `level`, each distinct value recoded once."""
        if level == 0:
            return value
        cache = self._recoded.setdefault((i, level), {})
        if value not in cache:
            cache[value] = self.qis[i].at(level, value)
        return cache[value]

    def key(self, levels: Sequence[int], combo: tuple) -> tuple:
        pairs = enumerate(zip(levels, combo, strict=True))
        return tuple(self.recode(i, level, v) for i, (level, v) in pairs)

    def _counts(self, levels: Sequence[int]) -> Counter:
        counts: Counter = Counter()
        for combo, n in self._combos:
            counts[self.key(levels, combo)] += n
        return counts

    def _outliers(self, levels: Sequence[int]) -> int:
        return sum(n for n in self._counts(levels).values() if n < self.k)

    def kept(self, combo: tuple) -> tuple | None:
        """The generalised combination of a row with these original values, or None when its
        combination is smaller than k (the row is dropped)."""
        key = self.key(self.levels, combo)
        return key if self.counts[key] >= self.k else None

    def result(self, rows: list[list]) -> Anonymised:
        sizes = [n for n in self.counts.values() if n >= self.k]
        total = sum(self.counts.values())
        written = sum(sizes)
        return Anonymised(
            rows=rows,
            k=self.k,
            k_reached=min(sizes) if sizes else None,
            levels={qi.name: level for qi, level in zip(self.qis, self.levels, strict=True)},
            suppressed=total - written,
            written=written,
        )


def _combo(row: Sequence, positions: Sequence[tuple[int, ...]]) -> tuple:
    return tuple(tuple(row[p] for p in pos) for pos in positions)


def _apply(row: list, key: tuple, positions, levels) -> list:
    """The row with the cells of every raised QI replaced by their generalised values."""
    for pos, level, values in zip(positions, levels, key, strict=True):
        if level:
            for p, value in zip(pos, values, strict=True):
                row[p] = value
    return row


def generalise(
    records: Iterable[Sequence],
    qis: Sequence[QuasiIdentifier],
    *,
    k: int,
    positions: Sequence[tuple[int, ...]] | None = None,
    suppression_limit: float = SUPPRESSION_LIMIT,
) -> Anonymised:
    """`records` made k-anonymous on `qis`. `positions` gives the indices of each QI's
    columns in a record (default: its `columns`, read as indices)."""
    rows = [list(r) for r in records]
    if positions is None:
        positions = [tuple(qi.columns) for qi in qis]
    combos = Counter(_combo(r, positions) for r in rows)
    plan = _Plan(combos, qis, k, int(suppression_limit * len(rows)))
    kept = []
    for row in rows:
        key = plan.kept(_combo(row, positions))
        if key is not None:
            kept.append(_apply(row, key, positions, plan.levels))
    return plan.result(kept)


def export_k() -> int:
    return max(1, int(getattr(settings, "EXPORT_K", 5)))


def export_table(spec, rows, *, progress=None) -> tuple[Iterator[list], Anonymised]:
    """A pseudonymised list (`ppaos.lib.exports.ExportSpec`) as the lines to write, made
    k-anonymous on its declared quasi-identifiers.

    Streamed in two passes: the first reads the rows, counts their quasi-identifier
    combinations and spills the pseudonymised cells, a chunk at a time, to an anonymous
    temporary file (no names, no identifiers in clear); the levels are then chosen from the
    counts alone, and the second pass reads the spill back and yields the lines. The
    Anonymised summary is complete when this returns (`rows` stays empty; `written` counts)."""
    from ppaos.lib import exports as lib

    headers = [str(c.header) for c in spec.columns_for(True)]
    positions = []
    for qi in spec.quasi_identifiers:
        missing = [str(h) for h in qi.columns if str(h) not in headers]
        if missing:
            raise ValueError(f"{spec.name}: quasi-identifier {qi.name} has no column {missing}")
        positions.append(tuple(headers.index(str(h)) for h in qi.columns))
    cells = spec.row_cells(True)
    combos: Counter = Counter()
    spill = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the generator below)
    chunk: list[list] = []
    total = 0
    for row in lib.spec_rows(spec, rows, pseudonymised=True):
        line = cells(row)
        combos[_combo(line, positions)] += 1
        chunk.append(line)
        if len(chunk) == lib.CHUNK:
            pickle.dump(chunk, spill, protocol=pickle.HIGHEST_PROTOCOL)
            total += len(chunk)
            chunk = []
            if progress:
                progress(total)
    if chunk:
        pickle.dump(chunk, spill, protocol=pickle.HIGHEST_PROTOCOL)
        total += len(chunk)
    plan = _Plan(combos, spec.quasi_identifiers, export_k(), int(SUPPRESSION_LIMIT * total))
    result = plan.result([])
    if progress:
        progress(result.written)
    header = [lib.safe(h) for h in spec.header(True)]
    return _lines(spill, header, plan, positions), result


def _lines(spill, header: list, plan: _Plan, positions) -> Iterator[list]:
    """The header, then the kept rows of the spill file, generalised and guarded."""
    from ppaos.lib import exports as lib

    safe = lib.safe
    with spill:
        yield header
        spill.seek(0)
        while True:
            try:
                chunk = pickle.load(spill)  # noqa: S301  # nosec B301 (our own anonymous temp file)
            except EOFError:
                return
            for row in chunk:
                key = plan.kept(_combo(row, positions))
                if key is not None:
                    yield [safe(v) for v in _apply(row, key, positions, plan.levels)]


# Recodings and the usual hierarchies.


def hide(values: tuple) -> tuple:
    return (STAR,) * len(values)


def each(recode: Callable) -> Recode:
    """A recoding of every cell of the quasi-identifier by `recode`."""
    return lambda values: tuple(recode(v) for v in values)


def masked(code, keep: int):
    """A DOPA area code cut to its first `keep` digits, the rest starred: 100801 → 1008**."""
    text = "" if code is None else str(code)
    return text[:keep] + STAR * (len(text) - keep) if len(text) > keep else text


def place(community, subdistrict) -> QuasiIdentifier:
    """Community code and subdistrict code (khwaeng): community → khwaeng → khet → province
    → *. The community column is starred from the first level on."""
    return QuasiIdentifier(
        "place",
        (community, subdistrict),
        (
            lambda v: (STAR, v[1]),
            lambda v: (STAR, masked(v[1], 4)),
            lambda v: (STAR, masked(v[1], 2)),
            hide,
        ),
    )


def band_label(value, bands: Sequence[tuple[int, int | None]]):
    """The band holding a whole number ("2–3", "6+"); anything else as it is."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    for low, high in bands:
        if number >= low and (high is None or number <= high):
            if high is None:
                return f"{low}+"
            return str(low) if low == high else f"{low}–{high}"
    return value


MEMBER_BANDS = ((0, 0), (1, 1), (2, 3), (4, 5), (6, None))


def member_count(column) -> QuasiIdentifier:
    """Household size: exact → 1, 2–3, 4–5, 6+ → *."""
    return QuasiIdentifier(
        "members", (column,), (each(lambda v: band_label(v, MEMBER_BANDS)), hide)
    )


def _age_bands(width: int) -> tuple[tuple[int, int | None], ...]:
    return tuple((low, low + width - 1) for low in range(0, 80, width)) + ((80, None),)


def age(column) -> QuasiIdentifier:
    """Age in years: exact → 5-year → 10-year → 20-year bands (80+ at the top) → *."""
    return QuasiIdentifier(
        "age",
        (column,),
        tuple(each(lambda v, w=w: band_label(v, _age_bands(w))) for w in (5, 10, 20)) + (hide,),
    )


def category(name: str, column, group: Callable | None = None) -> QuasiIdentifier:
    """A category (sex, tenure, level): optionally `group`ed into broader ones, then *."""
    levels = ((each(group),) if group else ()) + (hide,)
    return QuasiIdentifier(name, (column,), levels)
