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
from django.utils import translation
from django.utils.translation import gettext as _

from ppaos.assessment.definition import compile_definition
from ppaos.assessment.models import Assessment, IndicatorSet
from ppaos.lib.suppression import suppress

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
        """Plain data: rounds used, matrix rows with level labels and counts, totals."""
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
    english = translation.get_language() == "en"
    spec = compile_definition(indicator_set.definition)
    return [
        (lv.level, (lv.name_en if english and lv.name_en else lv.name_th)) for lv in spec.levels
    ]


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
    keep = (lambda n: suppress(n)) if hide_small else (lambda n: n)
    rows = []
    for n, label in levels:
        cells = [counts.get((n, m), 0) for m, _l in levels]
        rows.append(MatrixRow(n, label, [keep(c) for c in cells], keep(sum(cells))))
    graduated = fell_back = same = unscored = 0
    for (a, b), n in counts.items():
        if a is None or b is None:
            unscored += n
        elif b > a:
            graduated += n
        elif b < a:
            fell_back += n
        else:
            same += n
    changes = changes or []
    median = statistics.median(changes) if changes else None
    if hide_small and median is not None and suppress(len(changes)) is None:
        median = None
    return Mobility(
        from_round=from_round,
        to_round=to_round,
        levels=levels,
        rows=rows,
        households=keep(sum(counts.values())),
        graduated=keep(graduated),
        fell_back=keep(fell_back),
        same=keep(same),
        unscored=keep(unscored),
        income_people=keep(len(changes)),
        income_change_median=median,
        suppressed=hide_small,
    )
