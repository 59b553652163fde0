"""Alkire–Foster measures and level counts per area, from stored assessments.

Pure reads: the caller passes an already scoped queryset of `Assessment` rows (one round), and
gets, per indicator set used in it, the overall H, A, M0, indicator contributions and level
counts, and the same per district / subdistrict / community (`mpi.alkire_foster` with groups).

Households whose poverty status is "incomplete" (unknown indicators could change whether they
are poor) are left out of H, A and M0, as OPHI drops cases with missing data, and counted apart
(`incomplete`); their levels are counted like any other.
"""

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd
from django.db.models import Count, QuerySet, Sum

from ppaos.assessment.definition import Spec, compile_definition
from ppaos.assessment.models import Assessment, IndicatorSet, PovertyStatus
from ppaos.assessment.mpi import MPIResult, alkire_foster
from ppaos.lib.i18n import localized_name

GROUPINGS = {
    "district": (
        "household__community__subdistrict__district_id",
        "household__community__subdistrict__district__name_th",
        "household__community__subdistrict__district__name_en",
    ),
    "subdistrict": (
        "household__community__subdistrict_id",
        "household__community__subdistrict__name_th",
        "household__community__subdistrict__name_en",
    ),
    "community": (
        "household__community_id",
        "household__community__name_th",
        "household__community__name_en",
        "household__community__code",
    ),
}
UNITS = ("households", "people")


@dataclass
class AreaMeasures:
    key: object
    code: str
    name_th: str
    name_en: str
    households: int
    n: int  # households or people, by the unit measured
    n_poor: int
    H: float
    A: float
    M0: float
    contributions: dict[str, float]
    censored: dict[str, float]
    uncensored: dict[str, float]
    levels: dict[int | None, int]

    @property
    def name(self) -> str:
        return localized_name(self)

    def summary(self, spec: Spec) -> dict:
        levels = {str(lv.level): self.levels.get(lv.level, 0) for lv in spec.levels}
        levels["none"] = self.levels.get(None, 0)
        return {
            "code": self.code,
            "name": self.name_th,
            "households": self.households,
            "n": self.n,
            "n_poor": self.n_poor,
            "H": self.H,
            "A": self.A,
            "M0": self.M0,
            "contributions": self.contributions,
            "censored_headcounts": self.censored,
            "uncensored_headcounts": self.uncensored,
            "levels": levels,
        }


@dataclass
class SetAnalysis:
    indicator_set: IndicatorSet
    spec: Spec
    unit: str
    overall: AreaMeasures
    areas: list[AreaMeasures] = field(default_factory=list)
    incomplete: int = 0

    @property
    def k(self) -> Fraction:
        return self.spec.k

    def summary(self) -> dict:
        return {
            "indicator_set": str(self.indicator_set),
            "unit": self.unit,
            "k": str(self.spec.k),
            "weights": {code: str(w) for code, w in self.spec.weights.items()},
            "rule": self.spec.rule.kind if self.spec.rule else "k",
            "incomplete": self.incomplete,
            "overall": self.overall.summary(self.spec),
            "areas": [a.summary(self.spec) for a in self.areas],
        }


def _measures(
    result: MPIResult, *, key, code, names, households: int, levels: Counter
) -> AreaMeasures:
    return AreaMeasures(
        key=key,
        code=code,
        name_th=names[0],
        name_en=names[1],
        households=households,
        n=result.n,
        n_poor=result.n_poor,
        H=result.H,
        A=result.A,
        M0=result.M0,
        contributions={str(k): v for k, v in result.contributions.items()},
        censored={str(k): v for k, v in result.censored_headcounts.items()},
        uncensored={str(k): v for k, v in result.uncensored_headcounts.items()},
        levels=dict(levels),
    )


def _empty(key, code, names, spec: Spec) -> AreaMeasures:
    zeros = dict.fromkeys(spec.codes, 0.0)
    return AreaMeasures(
        key, code, names[0], names[1], 0, 0, 0, 0.0, 0.0, 0.0, zeros, zeros, zeros, {}
    )


def analyse(
    assessments: QuerySet[Assessment], *, by: str | None = None, unit: str = "households"
) -> list[SetAnalysis]:
    """AF measures of the given assessments, per indicator set (usually one per round).

    `by`: None, "district", "subdistrict" or "community" (per-area results in `areas`, sorted
    by code). `unit`: "households" (each assessed household counts once) or "people" (each
    household counts as many times as it had members at the survey, so H is a headcount of
    people). Level counts are always households."""
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}")
    # One row per distinct (set, deprivation pattern, area) with its household and people
    # counts: the database groups by the integer bit mask, and alkire_foster gets the rows back
    # by repetition, exactly. Levels are counted in a second, equally small query.
    group_fields = list(GROUPINGS[by]) if by else []
    incomplete = dict(
        assessments.filter(status=PovertyStatus.INCOMPLETE)
        .order_by()
        .values_list("indicator_set_id")
        .annotate(n=Count("id"))
    )
    patterns = list(
        assessments.exclude(status=PovertyStatus.INCOMPLETE)
        .order_by()
        .values_list("indicator_set_id", "deprived_mask", *group_fields)
        .annotate(households=Count("id"), people=Sum("members"))
    )
    if not patterns:
        return []
    columns = ["indicator_set_id", "deprived_mask", *group_fields, "households", "people"]
    frame = pd.DataFrame(patterns, columns=columns)
    key = group_fields[:1]
    levels = pd.DataFrame(
        list(
            assessments.order_by()
            .values_list("indicator_set_id", "level", *key)
            .annotate(households=Count("id"))
        ),
        columns=["indicator_set_id", "level", *key, "households"],
    )
    sets = IndicatorSet.objects.in_bulk(frame["indicator_set_id"].unique().tolist())
    results = []
    for set_id, part in frame.groupby("indicator_set_id", sort=True):
        indicator_set = sets[set_id]
        spec = compile_definition(indicator_set.definition)
        set_levels = levels[levels["indicator_set_id"] == set_id]
        result = _analyse_set(part, set_levels, indicator_set, spec, by, unit, group_fields)
        result.incomplete = incomplete.get(set_id, 0)
        results.append(result)
    return results


def _level_counts(levels: pd.DataFrame, key: str | None) -> tuple[Counter, dict]:
    total, per_key = Counter(), {}
    columns = [levels["level"], levels["households"]]
    keys = levels[key].tolist() if key else [None] * len(levels)
    for level, n, k in zip(*(c.tolist() for c in columns), keys, strict=True):
        level = None if pd.isna(level) else int(level)
        total[level] += n
        per_key.setdefault(k, Counter())[level] += n
    return total, per_key


def _analyse_set(part, levels, indicator_set, spec, by, unit, group_fields) -> SetAnalysis:
    codes = spec.codes
    masks = part["deprived_mask"].to_numpy(dtype=np.int64)
    matrix = ((masks[:, None] >> np.arange(len(codes), dtype=np.int64)) & 1).astype(np.int8)
    households = part["households"].to_numpy(dtype=np.int64)
    repeat = part["people"].fillna(0).to_numpy(dtype=np.int64) if unit == "people" else households
    if not repeat.any():
        repeat = households  # no members recorded at all: count households
    expanded = pd.DataFrame(np.repeat(matrix, repeat, axis=0), columns=codes)
    total_levels, level_counts = _level_counts(levels, group_fields[0] if by else None)
    common = {"key": None, "code": "", "names": ("", ""), "households": int(households.sum())}
    if by is None:
        result = alkire_foster(expanded, spec.weights, spec.k)
        overall = _measures(result, **common, levels=total_levels)
        return SetAnalysis(indicator_set, spec, unit, overall)
    keys = part[group_fields[0]].tolist()
    labels = np.repeat(np.array(keys, dtype=object), repeat)
    result = alkire_foster(expanded, spec.weights, spec.k, groups=labels)
    overall = _measures(result, **common, levels=total_levels)
    names, codes_by_key, counts = {}, {}, Counter()
    rows = zip(part[group_fields].itertuples(index=False), households.tolist(), strict=True)
    for row, n in rows:
        key = row[0]
        names[key] = (row[1], row[2])
        codes_by_key[key] = str(row[3]) if len(row) > 3 else str(key)
        counts[key] += n
    households = counts
    areas = []
    for key in set(keys):
        if result.groups and key in result.groups:
            areas.append(
                _measures(
                    result.groups[key],
                    key=key,
                    code=codes_by_key[key],
                    names=names[key],
                    households=households[key],
                    levels=level_counts[key],
                )
            )
        else:  # members = 0 everywhere in this area with unit=people
            areas.append(_empty(key, codes_by_key[key], names[key], spec))
    areas.sort(key=lambda a: a.code)
    return SetAnalysis(indicator_set, spec, unit, overall, areas)
