"""Social mobility between two survey rounds: the level transition matrix, who moved up or
fell back, and the income change of enrolled members.

The matrix is one GROUP BY over two rounds' assessments (the later round joined to the
earlier one by household through the (household, round) unique index), so a million
households cost one aggregate query, not a million rows in Python. Level names come from the
indicator set the later round was assessed with, never from constants."""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, FilteredRelation, Q, QuerySet
from django.utils.translation import gettext as _

from ppaos.assessment.definition import compile_definition
from ppaos.assessment.models import Assessment, IndicatorSet
from ppaos.lib.disclosure import Table
from ppaos.lib.i18n import localized_name
from ppaos.lib.suppression import WITHHELD, suppress, withheld_label

NO_SCORE = None


@dataclass
class MatrixRow:
    level: int | None
    label: str
    cells: list[int | None]  # one per column level, suppressed cells are None
    total: int | None


@dataclass
class Mobility:
    from_round: str | None
    to_round: str | None
    levels: list[tuple[int | None, str]] = field(default_factory=list)
    rows: list[MatrixRow] = field(default_factory=list)
    households: int | None = 0
    graduated: int | None = 0
    fell_back: int | None = 0
    same: int | None = 0
    unscored: int | None = 0
    income_people: int | None = 0
    income_change_median: Decimal | None = None
    suppressed: bool = False

    def as_dict(self) -> dict:
        """Plain data: rounds used, matrix rows with level labels and counts, totals (null: a
        small count; "*": withheld so that a small count cannot be worked out)."""
        return _plain(self._dict())

    def _dict(self) -> dict:
        return {
            "from_round": self.from_round,
            "to_round": self.to_round,
            "levels": [{"level": n, "label": label} for n, label in self.levels],
            "matrix": [
                {
                    "level": row.level,
                    "label": row.label,
                    "counts": {
                        str(n): cell
                        for (n, _label), cell in zip(self.levels, row.cells, strict=True)
                    },
                    "total": row.total,
                }
                for row in self.rows
            ],
            "households": self.households,
            "graduated": self.graduated,
            "fell_back": self.fell_back,
            "same": self.same,
            "unscored": self.unscored,
            "income_people": self.income_people,
            "income_change_median": self.income_change_median,
        }


def _plain(value):
    if value is WITHHELD:
        return withheld_label()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def round_pair(rounds: list[str], from_round: str | None, to_round: str | None):
    """The two rounds to compare: the asked ones when assessed, else the latest two by name
    ("2568-1" < "2568-2" < "2569-1")."""
    ordered = sorted(rounds)
    to_round = to_round if to_round in ordered else (ordered[-1] if ordered else None)
    if from_round not in ordered or from_round == to_round:
        earlier = [r for r in ordered if to_round is not None and r < to_round]
        from_round = earlier[-1] if earlier else None
    return from_round, to_round


def level_labels(round_name: str | None) -> list[tuple[int | None, str]]:
    """(level number, name in the current language) from the indicator set of the round."""
    set_id = (
        Assessment.objects.filter(round_name=round_name)
        .order_by()
        .values_list("indicator_set_id", flat=True)
        .first()
        if round_name
        else None
    )
    indicator_set = (
        IndicatorSet.objects.filter(pk=set_id).first()
        or IndicatorSet.objects.filter(is_active=True).first()
    )
    if indicator_set is None:
        return []
    spec = compile_definition(indicator_set.definition)
    return [(lv.level, localized_name(lv)) for lv in spec.levels]


def transition_counts(
    later: QuerySet[Assessment], *, from_round: str
) -> dict[tuple[int | None, int | None], int]:
    """{(level in from_round, level in the later round): households} for the households of
    `later` (one round's assessments, already filtered) assessed in both rounds."""
    rows = (
        later.annotate(
            before=FilteredRelation(
                "household__assessments",
                condition=Q(household__assessments__round_name=from_round),
            )
        )
        .filter(before__id__isnull=False)
        .order_by()
        .values(from_level=F("before__level"), to_level=F("level"))
        .annotate(n=Count("id"))
    )
    return {(r["from_level"], r["to_level"]): r["n"] for r in rows}


def income_changes(incomes: Iterable[tuple[int, str, Decimal]], from_round: str, to_round: str):
    """Changes (later minus earlier) per enrolment with an income in both rounds."""
    by_enrolment: dict[int, dict[str, Decimal]] = {}
    for enrolment_id, round_name, amount in incomes:
        by_enrolment.setdefault(enrolment_id, {})[round_name] = amount
    return [
        rounds[to_round] - rounds[from_round]
        for rounds in by_enrolment.values()
        if from_round in rounds and to_round in rounds
    ]


def build(
    counts: dict[tuple[int | None, int | None], int],
    *,
    from_round: str | None,
    to_round: str | None,
    changes: list[Decimal] | None = None,
    hide_small: bool = False,
) -> Mobility:
    """The matrix, totals and income median from transition counts; with `hide_small`
    every count from 1 to the threshold - 1 (and a median over so few people) is hidden."""
    levels = level_labels(to_round)
    known = {n for n, _label in levels}
    extra = sorted({n for pair in counts for n in pair if n is not None and n not in known})
    levels += [(n, str(n)) for n in extra]
    if any(None in pair for pair in counts):
        levels.append((NO_SCORE, _("no score")))
    graduated, fell_back, same, unscored = [], [], [], []
    for a, _la in levels:
        for b, _lb in levels:
            if a is None or b is None:
                unscored.append((a, b))
            elif b > a:
                graduated.append((a, b))
            elif b < a:
                fell_back.append((a, b))
            else:
                same.append((a, b))
    # One table for ppaos.lib.disclosure: the cells, each row's total, the households (the
    # total of the rows) and the four movement counts (sums of cells, adding up to it too).
    table = Table("mobility")
    for a, _la in levels:
        for b, _lb in levels:
            table.add(("cell", a, b), counts.get((a, b), 0))
        table.add(("row", a), sum(counts.get((a, b), 0) for b, _lb in levels))
        table.add_sum([("cell", a, b) for b, _lb in levels], ("row", a))
    table.add("households", sum(counts.values()))
    table.add_sum([("row", a) for a, _la in levels], "households")
    moves = {"graduated": graduated, "fell_back": fell_back, "same": same, "unscored": unscored}
    for name, pairs in moves.items():
        table.add(name, sum(counts.get(pair, 0) for pair in pairs))
        table.add_sum([("cell", *pair) for pair in pairs], name)
    table.add_sum(list(moves), "households")
    shown = table.protect(exact=not hide_small)
    rows = [
        MatrixRow(a, label, [shown[("cell", a, b)] for b, _lb in levels], shown[("row", a)])
        for a, label in levels
    ]
    changes = changes or []
    median = statistics.median(changes) if changes else None
    if hide_small and median is not None and suppress(len(changes)) is None:
        median = None
    return Mobility(
        from_round=from_round,
        to_round=to_round,
        levels=levels,
        rows=rows,
        households=shown["households"],
        graduated=shown["graduated"],
        fell_back=shown["fell_back"],
        same=shown["same"],
        unscored=shown["unscored"],
        income_people=suppress(len(changes)) if hide_small else len(changes),
        income_change_median=median,
        suppressed=hide_small,
    )
