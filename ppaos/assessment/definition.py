"""An indicator set's definition (JSON) read into exact, typed rules.

Everything the assessment needs from a definition is here: the indicators with their weights as
exact fractions, who each person-level indicator applies to, the identification rule (`union`,
`intersection` or Alkire–Foster `k`, see `rules.py`), the household rule for person-level
indicators, the income threshold, the capitals and their items (with their 1–4 rubrics), the
overall-score rule, the level thresholds (exact fractions, so a score of exactly 1.75 is
"อยู่ยาก", never "อยู่ลำบาก" by a rounding error) and the level overrides. Pure: no database.
"""

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction

from ppaos.assessment.rules import (
    LevelOverride,
    PovertyRule,
    read_level_overrides,
    read_poverty_rule,
    read_rubric,
)

CODE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
MEMBER_RULES = ("any_eligible_member", "all_eligible_members", "most_eligible_members")
OVERALL_RULES = ("mean_of_capitals", "mean_of_items", "min_of_capitals")
APPLIES_TO = ("household", "person")
COMPUTED = ("income_per_person",)
WHEN = ("disabled",)
ITEM_MIN, ITEM_MAX = 1, 4
# The engine keeps person-level results, and assessments their deprivations, as bits of a
# signed 64-bit integer.
MAX_PERSON_INDICATORS = 62
MAX_INDICATORS = 62


@dataclass(frozen=True)
class Indicator:
    code: str
    dimension: str
    dimension_th: str
    dimension_en: str
    weight: Fraction
    name_th: str
    name_en: str
    applies_to: str = "household"
    computed: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    when: str | None = None

    @property
    def is_person(self) -> bool:
        return self.applies_to == "person"


@dataclass(frozen=True)
class Level:
    level: int
    code: str
    name_th: str
    name_en: str
    min: Fraction
    aliases: tuple[str, ...] = ()

    @property
    def min_display(self) -> str:
        return f"{float(self.min):g}"


@dataclass(frozen=True)
class Capital:
    code: str
    name_th: str
    name_en: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class CapitalItem:
    """One 1–4 item; `rubric_th`/`rubric_en` say what each score 1, 2, 3, 4 means."""

    code: str
    capital: str
    name_th: str
    name_en: str
    rubric_th: tuple[str, ...] = ()
    rubric_en: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spec:
    """A compiled definition. `k` is the exact cutoff the identification rule comes to (the
    smallest weight for `union`, 1 for `intersection`); `rule` says which rule was declared."""

    indicators: tuple[Indicator, ...]
    k: Fraction
    member_rule: str
    income_threshold: Fraction | None
    income_threshold_by_year: dict[int, Fraction]
    capitals: tuple[Capital, ...]
    overall_rule: str
    levels: tuple[Level, ...]
    help_by_level: dict[str, dict] = field(default_factory=dict)
    problems: dict[str, dict] = field(default_factory=dict)
    rule: PovertyRule | None = None
    items: tuple[CapitalItem, ...] = ()
    overrides: tuple[LevelOverride, ...] = ()

    @property
    def item_codes(self) -> list[str]:
        return [code for cap in self.capitals for code in cap.items]

    def item(self, code: str) -> CapitalItem | None:
        return next((i for i in self.items if i.code == code), None)

    @property
    def codes(self) -> list[str]:
        return [i.code for i in self.indicators]

    @property
    def weights(self) -> dict[str, Fraction]:
        return {i.code: i.weight for i in self.indicators}

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    def level(self, number: int | None) -> Level | None:
        return next((lv for lv in self.levels if lv.level == number), None)

    def level_for(self, score: Fraction) -> Level | None:
        """The highest level whose minimum the score reaches (exact comparison)."""
        reached = [lv for lv in self.levels if score >= lv.min]
        return reached[-1] if reached else None

    def threshold_for(self, on: dt.date) -> Fraction | None:
        """Income threshold (baht per person per year) that applies to a survey made on `on`:
        the latest Buddhist-era year in the by-year table at or before the survey's year."""
        if self.income_threshold_by_year:
            year = on.year + 543
            usable = [y for y in self.income_threshold_by_year if y <= year]
            key = max(usable) if usable else min(self.income_threshold_by_year)
            return self.income_threshold_by_year[key]
        return self.income_threshold

    @property
    def max_items(self) -> int:
        return max((len(c.items) for c in self.capitals), default=1)

    @property
    def items_lcm(self) -> int:
        """A common denominator for capital means with 1..max_items answered items."""
        return math.lcm(*range(1, self.max_items + 1))


class DefinitionError(ValueError):
    """The definition cannot be used; the message lists every problem found."""


def _fraction(value, what: str, problems: list[str]) -> Fraction | None:
    try:
        if isinstance(value, bool):
            raise ValueError
        return Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError, TypeError):
        problems.append(f"{what} is not a number: {value!r}")
        return None


def _ages(indicator: dict, problems: list[str]) -> tuple[int | None, int | None]:
    ages = indicator.get("ages")
    if ages is None:
        return None, None
    if (
        not isinstance(ages, list)
        or len(ages) != 2
        or not all(isinstance(a, int) and not isinstance(a, bool) for a in ages)
        or ages[0] > ages[1]
    ):
        problems.append(f"{indicator.get('code')}: ages must be [from, to] in whole years")
        return None, None
    return ages[0], ages[1]


def _indicators(definition: dict, problems: list[str]) -> list[Indicator]:
    result = []
    explicit = any(
        "weight" in i for d in definition.get("dimensions", []) for i in d.get("indicators", [])
    )
    for dimension in definition.get("dimensions", []):
        items = dimension.get("indicators") or []
        if not items:
            problems.append(f"dimension {dimension.get('code')!r} has no indicators")
            continue
        dim_weight = _fraction(dimension.get("weight"), f"weight of {dimension.get('code')}", [])
        for indicator in items:
            code = indicator.get("code", "")
            if explicit:
                weight = _fraction(indicator.get("weight"), f"weight of {code}", problems)
            else:
                weight = dim_weight / len(items) if dim_weight is not None else None
            applies_to = indicator.get("applies_to", "household")
            if applies_to not in APPLIES_TO:
                problems.append(f"{code}: applies_to must be one of {', '.join(APPLIES_TO)}")
            computed = indicator.get("computed")
            if computed is not None and computed not in COMPUTED:
                problems.append(f"{code}: unknown computed rule {computed!r}")
            when = indicator.get("when")
            if when is not None and when not in WHEN:
                problems.append(f"{code}: unknown condition when={when!r}")
            min_age, max_age = _ages(indicator, problems)
            if weight is not None and weight <= 0:
                problems.append(f"{code}: weight must be above 0")
            result.append(
                Indicator(
                    code=code,
                    dimension=dimension.get("code", ""),
                    dimension_th=dimension.get("name_th", dimension.get("code", "")),
                    dimension_en=dimension.get("name_en", dimension.get("code", "")),
                    weight=weight if weight is not None else Fraction(0),
                    name_th=indicator.get("name_th", code),
                    name_en=indicator.get("name_en", indicator.get("name_th", code)),
                    applies_to=applies_to,
                    computed=computed,
                    min_age=min_age,
                    max_age=max_age,
                    when=when,
                )
            )
    if len(result) > MAX_INDICATORS:
        problems.append(f"at most {MAX_INDICATORS} indicators")
    if sum(1 for i in result if i.is_person) > MAX_PERSON_INDICATORS:
        problems.append(f"at most {MAX_PERSON_INDICATORS} person-level indicators")
    if explicit and result and sum(i.weight for i in result) != 1:
        problems.append(f"indicator weights add up to {sum(i.weight for i in result)}, not 1")
    return result


def _items(definition: dict, problems: list[str]) -> list[CapitalItem]:
    result = []
    for item in definition.get("capitals", {}).get("items", []):
        code = item.get("code", "")
        result.append(
            CapitalItem(
                code=code,
                capital=item.get("capital", ""),
                name_th=item.get("name_th", code),
                name_en=item.get("name_en", item.get("name_th", code)),
                rubric_th=read_rubric(item, "rubric_th", problems),
                rubric_en=read_rubric(item, "rubric_en", problems),
            )
        )
    return result


def _capitals(definition: dict, problems: list[str]) -> list[Capital]:
    capitals: dict[str, dict] = {}
    for item in definition.get("capitals", {}).get("items", []):
        capital = capitals.setdefault(
            item.get("capital", ""),
            {"th": item.get("capital_th", ""), "en": item.get("capital_en", ""), "items": []},
        )
        capital["items"].append(item.get("code", ""))
    if not capitals:
        problems.append("capitals.items is empty")
    names = definition.get("capitals", {}).get("names", {})
    return [
        Capital(
            code=code,
            name_th=value["th"] or names.get(code, {}).get("th", code),
            name_en=value["en"] or names.get(code, {}).get("en", f"{code.capitalize()} capital"),
            items=tuple(value["items"]),
        )
        for code, value in capitals.items()
    ]


def _levels(definition: dict, problems: list[str]) -> list[Level]:
    levels = []
    for raw in definition.get("capitals", {}).get("levels", []):
        minimum = _fraction(raw.get("min"), f"minimum of level {raw.get('level')}", problems)
        levels.append(
            Level(
                level=raw.get("level"),
                code=raw.get("code", str(raw.get("level"))),
                name_th=raw.get("name_th", ""),
                name_en=raw.get("name_en", ""),
                min=minimum if minimum is not None else Fraction(0),
                aliases=tuple(raw.get("aliases", ())),
            )
        )
    if not levels:
        problems.append("capitals.levels is empty")
    mins = [lv.min for lv in levels]
    if mins != sorted(mins) or len(set(mins)) != len(mins):
        problems.append("level thresholds must increase")
    numbers = [lv.level for lv in levels]
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        problems.append("levels must be numbered with whole numbers")
    for lv in levels:
        if not CODE.match(lv.code or ""):
            problems.append(f"level code {lv.code!r} must be lower-case letters, digits, _")
    return levels


def compile_definition(definition: dict) -> Spec:
    """Read a definition into a `Spec`; raise `DefinitionError` listing every problem."""
    problems: list[str] = []
    indicators = _indicators(definition, problems)
    rule = definition.get("poverty_rule", {})
    if not isinstance(rule, dict):
        problems.append("poverty_rule must be an object")
        rule = {}
    poverty_rule = read_poverty_rule(rule, [i.weight for i in indicators], problems)
    member_rule = rule.get("household_deprived_when", "any_eligible_member")
    if member_rule not in MEMBER_RULES:
        problems.append(f"poverty_rule.household_deprived_when must be one of {MEMBER_RULES}")
    raw = definition.get("income_threshold_baht_per_person_year")
    threshold, by_year = None, {}
    if isinstance(raw, dict):
        for year, value in raw.items():
            if not str(year).isdigit():
                problems.append(f"income threshold year {year!r} must be a Buddhist-era year")
                continue
            parsed = _fraction(value, f"income threshold for {year}", problems)
            if parsed is not None:
                by_year[int(year)] = parsed
    elif raw is not None:
        threshold = _fraction(raw, "income_threshold_baht_per_person_year", problems)
    if any(i.computed == "income_per_person" for i in indicators) and not (threshold or by_year):
        problems.append("an income indicator needs income_threshold_baht_per_person_year")
    capitals = _capitals(definition, problems)
    overall = definition.get("capitals", {}).get("overall_rule", "mean_of_capitals")
    if overall not in OVERALL_RULES:
        problems.append(f"capitals.overall_rule must be one of {', '.join(OVERALL_RULES)}")
    levels = _levels(definition, problems)
    items = _items(definition, problems)
    overrides = read_level_overrides(
        definition.get("capitals", {}).get("level_overrides", []),
        indicators=[i.code for i in indicators],
        levels=[lv.level for lv in levels],
        problems=problems,
    )
    codes = [i.code for i in indicators] + [c for cap in capitals for c in cap.items]
    codes += [c.code for c in capitals]
    bad = sorted({c for c in codes if not CODE.match(c or "")})
    if bad:
        problems.append(f"codes must be lower-case letters, digits and _ : {', '.join(bad)}")
    help_by_level = definition.get("help_by_level", {})
    unknown = sorted(set(help_by_level) - {lv.code for lv in levels})
    if unknown:
        problems.append(f"help_by_level names unknown levels: {', '.join(unknown)}")
    if problems:
        raise DefinitionError("; ".join(problems))
    return Spec(
        indicators=tuple(indicators),
        k=poverty_rule.cutoff,
        member_rule=member_rule,
        income_threshold=threshold,
        income_threshold_by_year=by_year,
        capitals=tuple(capitals),
        overall_rule=overall,
        levels=tuple(levels),
        help_by_level=help_by_level,
        problems={p["code"]: p for p in definition.get("problems", []) if "code" in p},
        rule=poverty_rule,
        items=tuple(items),
        overrides=overrides,
    )
