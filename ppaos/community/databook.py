"""A community's data book: its own aggregate picture, for the page, the printable PDF and
(suppressed) the public transparency page.

`build(community=..., exact=...)`: with `exact` every count is shown as it is (registry roles
of that community); without, every count from 1 to the threshold - 1 is hidden
("< 5") and each group of counts is protected together with the total it adds up to
(`ppaos.lib.disclosure`): where a hidden count could be worked out by subtraction, another
figure is withheld too ("*", never shown as "< 5": it is not small). Averages and medians over
too few households are hidden likewise. Callers check
access first: this module reads the community unscoped."""

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from ppaos.areas.models import Community
from ppaos.assessment import charts
from ppaos.assessment.definition import compile_definition
from ppaos.assessment.models import Assessment, IndicatorSet
from ppaos.lib.disclosure import Table
from ppaos.lib.i18n import localized, localized_name
from ppaos.lib.suppression import is_hidden, small_count_threshold, suppress
from ppaos.lib.thaidate import age_on
from ppaos.referrals.models import Referral, Status
from ppaos.referrals.selectors import referral_report
from ppaos.registry.models import Household, Membership, Sex

AGE_GROUPS = (("children", 0, 14), ("working", 15, 59), ("older", 60, 200))
REFERRAL_STATUSES = (
    Status.SENT,
    Status.ACCEPTED,
    Status.IN_PROGRESS,
    Status.COMPLETED,
    Status.REJECTED,
    Status.CLOSED,
)
STATUS_COLOURS = {
    Status.COMPLETED: "#0b6e4f",
    Status.REJECTED: "#a1162b",
    Status.CLOSED: "#5b6775",
}


@dataclass
class Bar:
    """One row of a bar chart: `value` None when suppressed (shown as "< 5", no bar)."""

    key: str
    label: str
    value: int | None
    width: float = 0.0
    share: float | None = None
    colour: str = "#0b6e4f"


@dataclass
class Capital:
    code: str
    name: str
    average: float | None


@dataclass
class DataBook:
    community: Community
    exact: bool
    made_at: dt.datetime
    households: int | None
    people: int | None
    sex: list[Bar]
    ages: list[Bar]
    disability: int | None
    round_name: str | None = None
    rounds: list[str] = field(default_factory=list)
    assessed: int | None = None
    poor: int | None = None
    levels: list[Bar] = field(default_factory=list)
    capitals: list[Capital] = field(default_factory=list)
    radar: dict | None = None
    problems: list[Bar] = field(default_factory=list)
    referrals_made: int | None = 0
    referral_statuses: list[Bar] = field(default_factory=list)
    referrals_completed: int | None = 0
    referrals_overdue: int | None = 0
    people_enrolled: int | None = 0
    referral_services: list[dict] = field(default_factory=list)
    programmes: list[dict] = field(default_factory=list)
    mobility: dict | None = None

    @property
    def threshold(self) -> int:
        return small_count_threshold()

    @property
    def largest_hidden(self) -> int:
        return small_count_threshold() - 1


def _keep(value: int | None, exact: bool) -> int | None:
    return value if exact else suppress(value)


def protect_groups(name: str, total: int, groups: dict, *, exact: bool):
    """Groups of counts that each add up to `total` (sex and age groups both to the people),
    protected together: ({group: {key: shown}}, shown total)."""
    table = Table(name)
    table.add("total", total)
    for group, counts in groups.items():
        for key, value in counts.items():
            table.add((group, key), value)
        if sum(counts.values()) == total:
            table.add_sum([(group, key) for key in counts], "total")
    shown = table.protect(exact=exact)
    return (
        {group: {key: shown[(group, key)] for key in counts} for group, counts in groups.items()},
        shown["total"],
    )


def hide_group(counts: dict, *, exact: bool) -> dict:
    """A group of counts shown beside the total they add up to, protected together."""
    shown, _total = protect_groups("group", sum(counts.values()), {"g": counts}, exact=exact)
    return shown["g"]


def _bars(rows: list[tuple[str, str, int | None, str]], total: int | None) -> list[Bar]:
    """Bars scaled to the largest shown value; shares of `total` where both are shown."""
    top = max((v for *_rest, v, _c in rows if v), default=0)
    bars = []
    for key, label, value, colour in rows:
        width = 100 * value / top if value and top else 0.0
        shares = total and not is_hidden(value) and not is_hidden(total)
        share = 100 * value / total if shares else None
        bars.append(Bar(str(key), label, value, width, share, colour))
    return bars


def _people(community: Community, exact: bool, today: dt.date) -> dict:
    members = Membership.objects.filter(household__community=community, end_date__isnull=True)
    rows = list(
        members.values_list("person__sex", "person__birth_date", "person__has_disability_card")
    )
    people = len(rows)
    sexes = Counter(sex for sex, _b, _d in rows)
    ages = Counter()
    for _s, birth, _d in rows:
        age = age_on(birth, today) if birth else None
        group = next(
            (g for g, low, high in AGE_GROUPS if age is not None and low <= age <= high),
            "unknown",
        )
        ages[group] += 1
    age_keys = [g for g, _l, _h in AGE_GROUPS] + (["unknown"] if ages.get("unknown") else [])
    groups, total = protect_groups(
        "databook-people",
        people,
        {
            "sex": {s: sexes.get(s, 0) for s in Sex.values},
            "age": {g: ages.get(g, 0) for g in age_keys},
        },
        exact=exact,
    )
    sex_counts, age_counts = groups["sex"], groups["age"]
    age_labels = {
        "children": _("children (0–14)"),
        "working": _("working age (15–59)"),
        "older": _("older people (60+)"),
        "unknown": _("age not known"),
    }
    return {
        "people": total,
        "sex": _bars([(s, str(Sex(s).label), sex_counts[s], "#2f6690") for s in Sex.values], total),
        "ages": _bars([(g, age_labels[g], age_counts[g], "#2f6690") for g in age_keys], total),
        "disability": _keep(sum(1 for *_r, d in rows if d), exact),
    }


def assessed_rounds(community: Community) -> list[str]:
    """Rounds with assessments of this community, the latest first (round names such as
    "2568-2" sort in time order, whatever order they were computed in)."""
    rounds = (
        Assessment.objects.filter(household__community=community)
        .order_by()
        .values_list("round_name", flat=True)
        .distinct()
    )
    return sorted(rounds, reverse=True)


def _problem_codes(problems) -> set[str]:
    codes = set()
    for entry in problems if isinstance(problems, list) else []:
        if isinstance(entry, dict) and entry.get("code"):
            codes.add(str(entry["code"]))
        elif isinstance(entry, str) and entry:
            codes.add(entry)
    return codes


def _problem_name(spec, code: str) -> str:
    entry = spec.problems.get(code)
    if entry is None:
        return code
    return localized(entry.get("name_th", code), entry.get("name_en", code))


def _assessment(book: DataBook, community: Community, round_name: str | None) -> None:
    rounds = assessed_rounds(community)
    book.rounds = rounds
    book.round_name = round_name if round_name in rounds else (rounds[0] if rounds else None)
    if not book.round_name:
        return
    exact = book.exact
    assessments = Assessment.objects.filter(
        household__community=community, round_name=book.round_name
    )
    set_id = (
        assessments.order_by()
        .values("indicator_set_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("indicator_set_id", flat=True)
        .first()
    )
    spec = compile_definition(IndicatorSet.objects.get(pk=set_id).definition)
    rows = list(assessments.values_list("level", "is_poor", "capital_scores", "survey__problems"))
    assessed = len(rows)
    book.poor = _keep(sum(1 for _l, poor, _c, _p in rows if poor), exact)
    levels = Counter(level for level, *_rest in rows)
    order = [lv.level for lv in spec.levels] + ([None] if levels.get(None) else [])
    groups, book.assessed = protect_groups(
        "databook-levels",
        assessed,
        {"levels": {lv: levels.get(lv, 0) for lv in order}},
        exact=exact,
    )
    shown = groups["levels"]
    names = {lv.level: localized_name(lv) for lv in spec.levels}
    names[None] = _("no score")
    book.levels = _bars(
        [
            ("none" if lv is None else lv, names[lv], shown[lv], charts.LEVEL_COLOURS.get(lv))
            for lv in order
        ],
        book.assessed,
    )
    for cap in spec.capitals:
        scores = [c.get(cap.code) for _l, _p, c, _s in rows if (c or {}).get(cap.code) is not None]
        average = statistics.fmean(scores) if scores else None
        if not exact and suppress(len(scores)) is None:
            average = None
        book.capitals.append(Capital(cap.code, localized_name(cap), average))
    if any(c.average is not None for c in book.capitals):
        book.radar = charts.radar([(c.name, c.average) for c in book.capitals])
    named = Counter(code for *_rest, problems in rows for code in _problem_codes(problems))
    ranked = sorted(named.items(), key=lambda item: (-item[1], item[0]))
    book.problems = _bars(
        [
            (
                code,
                localized(
                    spec.problems[code].get("name_th", code),
                    spec.problems[code].get("name_en", code),
                )
                if code in spec.problems
                else code,
                _keep(n, exact),
                "#d9822b",
            )
            for code, n in ranked
        ],
        book.assessed,
    )


def _referrals(book: DataBook, community: Community) -> None:
    exact = book.exact
    referrals = Referral.objects.filter(household__community=community).exclude(status=Status.DRAFT)
    report = referral_report(referrals=referrals)
    total = report.total
    table = Table("databook-referrals")
    table.add("made", total.total)
    for s in REFERRAL_STATUSES:
        table.add(("status", s), total.statuses.get(s, 0))
    table.add_sum([("status", s) for s in REFERRAL_STATUSES], "made")
    for row in report.by_service:
        table.add(("made", row.key), row.total)
        table.add(("completed", row.key), row.statuses.get(Status.COMPLETED, 0))
        table.add(("enrolled", row.key), row.enrolled)
    if report.by_service:
        table.add_sum([("made", row.key) for row in report.by_service], "made")
        table.add_sum(
            [("completed", row.key) for row in report.by_service], ("status", Status.COMPLETED)
        )
    protected = table.protect(exact=exact)
    book.referrals_made = protected["made"]
    statuses = {s: protected[("status", s)] for s in REFERRAL_STATUSES}
    book.referral_statuses = _bars(
        [
            (s, str(Status(s).label), statuses[s], STATUS_COLOURS.get(s, "#2f6690"))
            for s in REFERRAL_STATUSES
        ],
        book.referrals_made,
    )
    book.referrals_completed = statuses[Status.COMPLETED]
    book.referrals_overdue = _keep(total.overdue, exact)
    book.people_enrolled = _keep(report.people_enrolled, exact)
    book.referral_services = [
        {
            "name": row.label,
            "made": protected[("made", row.key)],
            "completed": protected[("completed", row.key)],
            "enrolled": protected[("enrolled", row.key)],
        }
        for row in report.by_service
    ]


def _programmes(book: DataBook, community: Community) -> None:
    """Value-chain programmes and social mobility, from the livelihoods app."""
    from ppaos.livelihoods import selectors as livelihoods

    exact = book.exact
    for p in livelihoods.community_programmes(community_id=community.pk):
        people = p["enrolled_people"]
        median = p["median_latest_income"]
        if not exact and suppress(people) is None:
            median = None
        stage_people = {i: s["people"] for i, s in enumerate(p["stages"])}
        groups, people_shown = protect_groups(
            "databook-programme", people, {"stages": stage_people}, exact=exact
        )
        book.programmes.append(
            {
                "name": localized(p["name"], p["name_en"]),
                "households": _keep(p["enrolled_households"], exact),
                "people": people_shown,
                "stages": [
                    {
                        "name": localized(s["stage"], s["stage_en"]),
                        "people": groups["stages"][i],
                    }
                    for i, s in enumerate(p["stages"])
                ],
                "income_round": p["latest_income_round"],
                "median_income": median,
            }
        )
    mobility = livelihoods.community_mobility(community_id=community.pk)
    if not mobility.get("from_round") or not mobility.get("to_round"):
        return
    groups, households = protect_groups(
        "databook-mobility",
        mobility.get("households") or 0,
        {"moved": {k: mobility[k] or 0 for k in ("graduated", "same", "fell_back", "unscored")}},
        exact=exact,
    )
    moved = groups["moved"]
    median = mobility.get("income_change_median")
    if not exact and suppress(mobility.get("income_people") or 0) is None:
        median = None
    labels = {
        "graduated": _("moved up a level"),
        "same": _("stayed at the same level"),
        "fell_back": _("fell back a level or more"),
        "unscored": _("no score in one of the rounds"),
    }
    colours = {"graduated": "#0b6e4f", "same": "#5b6775", "fell_back": "#a1162b"}
    book.mobility = {
        "from_round": mobility["from_round"],
        "to_round": mobility["to_round"],
        "households": households,
        "bars": _bars(
            [(k, labels[k], moved[k], colours.get(k, "#aab4bf")) for k in labels], households
        ),
        "income_people": _keep(mobility.get("income_people") or 0, exact),
        "income_change_median": median,
    }


def build(*, community: Community, exact: bool, round_name: str | None = None) -> DataBook:
    """The community's data book (see the module docstring for `exact`)."""
    today = timezone.localdate()
    households = Household.objects.filter(community=community).count()
    people = _people(community, exact, today)
    book = DataBook(
        community=community,
        exact=exact,
        made_at=timezone.now(),
        households=_keep(households, exact),
        **people,
    )
    _assessment(book, community, round_name)
    _referrals(book, community)
    _programmes(book, community)
    return book
