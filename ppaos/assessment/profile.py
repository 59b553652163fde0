"""What a household's assessment page shows, in words a district officer understands.

Built from the stored assessment, its survey and its own indicator-set version (never the
current one), so an old round reads exactly as it was computed."""

from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ppaos.assessment import charts
from ppaos.assessment.definition import Indicator, Level, Spec, compile_definition
from ppaos.assessment.models import Assessment, PovertyStatus
from ppaos.lib.i18n import localized, localized_name
from ppaos.lib.templatetags.thai import bedate
from ppaos.registry.models import Person


@dataclass
class IndicatorRow:
    indicator: Indicator
    status: str  # "deprived", "met", "na", "unknown"
    reasons: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return localized_name(self.indicator)

    @property
    def dimension(self) -> str:
        return localized(self.indicator.dimension_th, self.indicator.dimension_en)


@dataclass
class ItemRow:
    """A capital item's answer and what that score means by the item's rubric."""

    code: str
    name: str
    value: int | None
    meaning: str
    rubric: list[tuple[int, str]]


@dataclass
class CapitalRow:
    code: str
    name: str
    score: float | None
    level: Level | None
    items: list[ItemRow]


@dataclass
class Profile:
    assessment: Assessment
    spec: Spec
    level: Level | None
    level_name: str
    help: str
    deprived: list[IndicatorRow]
    indicators: list[IndicatorRow]
    capitals: list[CapitalRow]
    problems: list[str]
    radar: dict
    weight_share: str
    k: str
    status: str = ""
    status_name: str = ""
    missing: list[str] = field(default_factory=list)
    rule: str = ""
    score_level_name: str = ""
    level_reasons: list[str] = field(default_factory=list)


def _baht(value: float) -> str:
    return number_format(round(value), decimal_pos=0, force_grouping=True)


def _age(person: Person, on) -> int | None:
    born = person.birth_date
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _member_reason(detail: dict, people: dict[int, Person], on) -> list[str]:
    failed = detail.get("failed") or []
    names = []
    for pid in failed:
        person = people.get(pid)
        if person is None:
            names.append(_("a former member"))
            continue
        age = _age(person, on)
        names.append(
            _("%(name)s (aged %(age)s)") % {"name": person.full_name, "age": age}
            if age is not None
            else person.full_name
        )
    answered = detail.get("answered", 0)
    return [
        _("Not met for %(names)s (%(failed)s of the %(answered)s eligible members asked).")
        % {"names": ", ".join(names), "failed": len(failed), "answered": answered}
    ]


def _income_reason(detail: dict, deprived: bool, legacy: bool) -> list[str]:
    members = detail.get("members") or 0
    threshold = detail.get("threshold") or 0
    monthly = detail.get("monthly_total") or 0
    per_person = monthly * 12 / members if members else 0
    values = {
        "per_person": _baht(per_person),
        "threshold": _baht(threshold),
        "members": members,
        "monthly": _baht(monthly),
    }
    if deprived:
        text = _(
            "Income is %(per_person)s baht per person a year, below the threshold of "
            "%(threshold)s baht (%(members)s members, %(monthly)s baht a month together)."
        )
    else:
        text = _(
            "Income is %(per_person)s baht per person a year, at or above the threshold of "
            "%(threshold)s baht (%(members)s members, %(monthly)s baht a month together)."
        )
    reasons = [text % values]
    unknown = members - (detail.get("known") or 0)
    if unknown > 0 and legacy:  # computed before unknown incomes were kept apart
        reasons.append(
            _("No income is recorded for %(n)s of the members; counted as 0 baht.") % {"n": unknown}
        )
    elif unknown > 0:
        reasons = [
            _(
                "No income is recorded for %(n)s of the %(members)s members; the recorded "
                "incomes alone, %(monthly)s baht a month, already reach the threshold."
            )
            % {**values, "n": unknown}
        ]
    return reasons


def _income_unknown_reason(detail: dict, status: str) -> list[str]:
    """The registry cannot decide: some incomes are not recorded (never counted as 0)."""
    values = {
        "n": (detail.get("members") or 0) - (detail.get("known") or 0),
        "members": detail.get("members") or 0,
    }
    text = _(
        "No income is recorded for %(n)s of the %(members)s members, so the registry cannot "
        "tell whether the household reaches the threshold (an unknown income is not 0)."
    )
    if status == "unknown":
        return [text % values, _("The survey has no answer either: the result is unknown.")]
    return [text % values, _("The volunteer's answer in the survey is used.")]


def _reasons(
    ind: Indicator, status: str, detail: dict | None, people, survey, legacy: bool = False
) -> list[str]:
    detail = detail or {}
    source = detail.get("source", "survey")
    if ind.computed == "income_per_person" and source == "registry":
        return _income_reason(detail, status == "deprived", legacy)
    if ind.computed == "income_per_person" and detail.get("members"):
        return _income_unknown_reason(detail, status)
    if status == "unknown":
        return [_("Not answered in the survey: neither met nor not met.")]
    if status != "deprived":
        return []
    if source == "members":
        return _member_reason(detail, people, survey.collected_on)
    return [
        _("The volunteer recorded it as not met in the survey of %(date)s.")
        % {"date": bedate(survey.collected_on)}
    ]


def _problem_codes(problems) -> list[str]:
    """Problems in rank order: a list of codes, or of {"code", "rank"} objects."""
    if not isinstance(problems, list):
        return []
    ranked = []
    for position, entry in enumerate(problems):
        if isinstance(entry, dict) and entry.get("code"):
            ranked.append((entry.get("rank", position + 1), position, str(entry["code"])))
        elif isinstance(entry, str) and entry:
            ranked.append((position + 1, position, entry))
    return [code for _, _, code in sorted(ranked)]


def build_profile(assessment: Assessment) -> Profile:
    spec = compile_definition(assessment.indicator_set.definition)
    survey = assessment.survey
    failed_ids = {
        pid
        for detail in (assessment.details or {}).values()
        if isinstance(detail, dict)
        for pid in detail.get("failed") or []
    }
    people = Person.objects.in_bulk(list(failed_ids)) if failed_ids else {}
    missing = set(assessment.missing or [])
    rows = []
    for ind in spec.indicators:
        value = (assessment.deprivations or {}).get(ind.code)
        status = "deprived" if value == 1 else "met" if value == 0 else "na"
        if ind.code in missing:
            status = "unknown"
        detail = (assessment.details or {}).get(ind.code)
        reasons = _reasons(ind, status, detail, people, survey, legacy=not assessment.status)
        rows.append(IndicatorRow(ind, status, reasons))
    level = spec.level(assessment.level)
    answers = survey.capital_items or {}
    capitals = []
    for cap in spec.capitals:
        score = (assessment.capital_scores or {}).get(cap.code)
        items = [_item_row(spec, code, answers.get(code)) for code in cap.items]
        capitals.append(
            CapitalRow(
                code=cap.code,
                name=localized_name(cap),
                score=score,
                level=spec.level_for(Fraction(str(score))) if score is not None else None,
                items=items,
            )
        )
    help_text = ""
    if level is not None:
        entry = spec.help_by_level.get(level.code, {})
        help_text = localized(entry.get("th", ""), entry.get("en", ""))
    problems = [
        localized(spec.problems[c].get("name_th", c), spec.problems[c].get("name_en", c))
        if c in spec.problems
        else c
        for c in _problem_codes(survey.problems)
    ]
    poverty = assessment.poverty_status
    return Profile(
        assessment=assessment,
        spec=spec,
        level=level,
        level_name=localized_name(level) if level else "",
        help=help_text,
        deprived=[r for r in rows if r.status == "deprived"],
        indicators=rows,
        capitals=capitals,
        problems=problems,
        radar=charts.radar([(c.name, c.score) for c in capitals]),
        weight_share=assessment.deprivation_score,
        k=str(spec.k),
        status=poverty,
        status_name=str(PovertyStatus(poverty).label),
        missing=_missing_names(spec, assessment.missing or []),
        rule=spec.rule.describe() if spec.rule else "",
        score_level_name=_level_name(spec, assessment.score_level),
        level_reasons=_level_reasons(spec, assessment.level_reasons or []),
    )


def _item_row(spec: Spec, code: str, raw) -> ItemRow:
    item = spec.item(code)
    value = raw if raw in (1, 2, 3, 4) and not isinstance(raw, bool) else None
    rubric = []
    if item is not None:
        rubric = list(enumerate(localized(item.rubric_th, item.rubric_en), start=1))
    meaning = dict(rubric).get(value, "") if value is not None else ""
    name = localized_name(item) if item is not None else code
    return ItemRow(code=code, name=name, value=value, meaning=meaning, rubric=rubric)


def _missing_names(spec: Spec, codes: list[str]) -> list[str]:
    """Names of the unknown indicators and unanswered capital items, in the stored order."""
    names = []
    for code in codes:
        if code in spec.codes:
            ind = spec.indicator(code)
            names.append(localized_name(ind))
        elif (item := spec.item(code)) is not None:
            names.append(localized_name(item))
        else:
            names.append(code)
    return names


def _level_name(spec: Spec, number: int | None) -> str:
    level = spec.level(number)
    return localized_name(level) if level else ""


def _level_reasons(spec: Spec, codes: list[str]) -> list[str]:
    """The texts of the level overrides that moved this household's level."""
    by_code = {o.code: o for o in spec.overrides}
    return [
        localized(by_code[c].reason_th, by_code[c].reason_en) if c in by_code else c for c in codes
    ]
