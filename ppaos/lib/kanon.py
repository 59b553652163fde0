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

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
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
    """The rows as written, and what it took."""

    rows: list[list]
    k: int
    k_reached: int | None  # the smallest combination written; None when nothing is written
    levels: dict[str, int]
    suppressed: int

    def summary(self) -> dict:
        """For the audit row: counts and levels only."""
        return {
            "k": self.k,
            "k_reached": self.k_reached,
            "levels": self.levels,
            "suppressed": self.suppressed,
            "rows": len(self.rows),
        }


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
    originals = [[tuple(r[p] for p in pos) for r in rows] for pos in positions]
    recoded: dict[tuple[int, int], list[tuple]] = {}

    def column(i: int, level: int) -> list[tuple]:
        """The QI's cells at `level`, each distinct value recoded once."""
        if level == 0:
            return originals[i]
        if (i, level) not in recoded:
            recode = {v: qis[i].at(level, v) for v in set(originals[i])}
            recoded[i, level] = [recode[v] for v in originals[i]]
        return recoded[i, level]

    def keys(levels: list[int]) -> Iterable[tuple]:
        columns = [column(i, level) for i, level in enumerate(levels)]
        return zip(*columns, strict=True) if columns else [()] * len(rows)

    def outliers(levels: list[int]) -> int:
        return sum(n for n in Counter(keys(levels)).values() if n < k)

    allowed = int(suppression_limit * len(rows))
    levels = [0] * len(qis)
    while outliers(levels) > allowed:
        options = [i for i in range(len(qis)) if levels[i] < qis[i].top]
        if not options:
            break

        def cost(i: int) -> tuple:
            raised = [*levels[:i], levels[i] + 1, *levels[i + 1 :]]
            return (outliers(raised), -len(set(column(i, levels[i]))), i)

        levels[min(options, key=cost)] += 1

    counts = Counter(keys(levels))
    raised = [(positions[i], column(i, level)) for i, level in enumerate(levels) if level]
    kept = []
    for n, (row, key) in enumerate(zip(rows, keys(levels), strict=True)):
        if counts[key] < k:
            continue
        for pos, values in raised:
            for p, value in zip(pos, values[n], strict=True):
                row[p] = value
        kept.append(row)
    sizes = [n for n in counts.values() if n >= k]
    return Anonymised(
        rows=kept,
        k=k,
        k_reached=min(sizes) if kept else None,
        levels={qi.name: level for qi, level in zip(qis, levels, strict=True)},
        suppressed=len(rows) - len(kept),
    )


def export_k() -> int:
    return max(1, int(getattr(settings, "EXPORT_K", 5)))


def export_table(spec, rows, *, progress=None) -> tuple[list[list], Anonymised]:
    """A pseudonymised list (`ppaos.lib.exports.ExportSpec`) as the lines to write, made
    k-anonymous on its declared quasi-identifiers (the whole list is read first)."""
    from ppaos.lib import exports as lib

    headers = [str(c.header) for c in spec.columns_for(True)]
    positions = []
    for qi in spec.quasi_identifiers:
        missing = [str(h) for h in qi.columns if str(h) not in headers]
        if missing:
            raise ValueError(f"{spec.name}: quasi-identifier {qi.name} has no column {missing}")
        positions.append(tuple(headers.index(str(h)) for h in qi.columns))
    cells = []
    for row in lib.iterate(rows):
        cells.append(spec.cells(row, True))
        if progress and len(cells) % lib.CHUNK == 0:
            progress(len(cells))
    result = generalise(cells, spec.quasi_identifiers, k=export_k(), positions=positions)
    if progress:
        progress(len(result.rows))
    lines = [[lib.safe(h) for h in spec.header(True)]]
    lines += [[lib.safe(v) for v in row] for row in result.rows]
    return lines, result


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
