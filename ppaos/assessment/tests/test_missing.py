"""Missing data is not zero: unknown answers and incomes are listed, never guessed."""

import datetime as dt

import pytest
from django.urls import reverse

from ppaos.assessment.analysis import analyse
from ppaos.assessment.models import Assessment
from ppaos.assessment.services import assessment_run
from ppaos.assessment.tests.conftest import ALL_MET, ROUND, add_person, capital_items, survey
from ppaos.registry.models import Household

pytestmark = pytest.mark.django_db

ITEMS = capital_items([3] * 4, [3] * 4, [3] * 4, [3] * 3, [3] * 4)
# Every household-level and person-level indicator answered met, except the income.
KNOWN = {
    **ALL_MET,
    "h1_birth_weight": None,
    **dict.fromkeys(["e1_early_childhood", "e2_compulsory", "e3_upper_secondary"], None),
    **dict.fromkeys(["e4_literacy", "i1_working_age_job", "i2_elderly_income"], True),
    **dict.fromkeys(["a1_elderly_care", "a2_disability_care"], None),
}


@pytest.fixture
def make(communities):
    def make(code: str) -> Household:
        return Household.objects.create(
            code=code, community=communities["A"], subdistrict_id="100801"
        )

    return make


def _assess(household) -> Assessment:
    assessment_run(round_name=ROUND)
    return Assessment.objects.get(household=household)


def test_unanswered_indicator_is_unknown_and_the_status_incomplete(make, default_set):
    household = make("T-U")
    add_person(household, born=dt.date(1985, 1, 1), income=20000, relation="head")
    answers = {c: v for c, v in KNOWN.items() if c != "l3_water_use"}
    survey(household, default_set, indicators=answers, items=ITEMS)
    result = _assess(household)
    assert result.deprivations["l3_water_use"] is None
    assert result.missing == ["l3_water_use"]
    # Nothing known is not met, but the one unknown alone would make it poor: not guessed.
    assert result.status == "incomplete" and not result.is_poor
    assert result.level == 3  # the capitals are all answered


def test_known_deprivation_decides_despite_missing_answers(make, default_set):
    household = make("T-P")
    add_person(household, born=dt.date(1985, 1, 1), income=20000, relation="head")
    answers = {c: v for c, v in KNOWN.items() if c != "l3_water_use"}
    survey(household, default_set, indicators={**answers, "l1_housing": False}, items=ITEMS)
    result = _assess(household)
    assert result.status == "poor" and result.is_poor
    assert result.missing == ["l3_water_use"]  # still listed: the survey is incomplete


def test_k_rule_not_poor_when_even_every_unknown_would_not_reach_k(make, default_set):
    from ppaos.assessment.services import indicator_set_load

    definition = {**default_set.definition, "version": "k-third"}
    definition["poverty_rule"] = {"kind": "k", "k": "1/3"}
    third = indicator_set_load(definition=definition)
    household = make("T-K")
    add_person(household, born=dt.date(1985, 1, 1), income=20000, relation="head")
    answers = {c: v for c, v in KNOWN.items() if c not in ("l3_water_use", "h2_safe_food")}
    survey(household, third, indicators=answers, items=ITEMS)
    result = _assess(household)
    assert result.status == "not_poor"  # 1/20 + 1/20 < 1/3 whatever they are
    assert result.missing == ["h2_safe_food", "l3_water_use"]


def test_unknown_income_is_not_zero(make, default_set):
    # Known incomes alone reach the threshold: 20,000 * 12 = 240,000 >= 38,000 * 2.
    rich = make("T-R")
    add_person(rich, born=dt.date(1985, 1, 1), income=20000, relation="head")
    add_person(rich, born=dt.date(1987, 1, 1), relation="spouse")  # income not recorded
    survey(rich, default_set, indicators=KNOWN, items=ITEMS)
    # Known incomes alone do not: 2,000 * 12 < 38,000 * 2, so it depends on the unknown one.
    unknown = make("T-N")
    add_person(unknown, born=dt.date(1985, 1, 1), income=2000, relation="head")
    add_person(unknown, born=dt.date(1987, 1, 1), relation="spouse")
    survey(unknown, default_set, indicators=KNOWN, items=ITEMS)
    # ... and with the volunteer's answer for the household's income, that answer decides.
    asked = make("T-A")
    add_person(asked, born=dt.date(1985, 1, 1), income=2000, relation="head")
    add_person(asked, born=dt.date(1987, 1, 1), relation="spouse")
    survey(asked, default_set, indicators={**KNOWN, "i3_income_per_person": False}, items=ITEMS)
    # Recorded as 0 baht is known: 24,000 / 2 = 12,000 < 38,000.
    zero = make("T-Z0")
    add_person(zero, born=dt.date(1985, 1, 1), income=2000, relation="head")
    add_person(zero, born=dt.date(1987, 1, 1), income=0, relation="spouse")
    survey(zero, default_set, indicators=KNOWN, items=ITEMS)
    assessment_run(round_name=ROUND)
    got = {a.household.code: a for a in Assessment.objects.select_related("household")}
    assert got["T-R"].deprivations["i3_income_per_person"] == 0
    assert got["T-R"].details["i3_income_per_person"]["source"] == "registry"
    assert got["T-R"].status == "not_poor"
    assert got["T-N"].deprivations["i3_income_per_person"] is None
    assert got["T-N"].missing == ["i3_income_per_person"] and got["T-N"].status == "incomplete"
    assert got["T-A"].deprivations["i3_income_per_person"] == 1
    assert got["T-A"].details["i3_income_per_person"]["source"] == "survey"
    assert got["T-A"].level == 2 and got["T-A"].level_reasons == ["below_income_line"]
    assert got["T-Z0"].deprivations["i3_income_per_person"] == 1 and got["T-Z0"].is_poor


@pytest.mark.parametrize(
    "answers, expected",
    [
        ({"a": True}, None),  # b eligible and not asked: it could still fail
        ({"a": False}, 1),  # any member failing decides "not met"
        ({"a": True, "b": True}, 0),
    ],
)
def test_member_answers_decide_only_when_the_unasked_cannot_change_it(
    make, default_set, answers, expected
):
    household = make("T-M")
    people = {
        "a": add_person(household, born=dt.date(1985, 1, 1), income=20000, relation="head"),
        "b": add_person(household, born=dt.date(1987, 1, 1), income=20000, relation="spouse"),
    }
    indicators = {c: v for c, v in KNOWN.items() if c != "e4_literacy"}
    members = {str(people[k].pk): {"e4_literacy": ok} for k, ok in answers.items()}
    survey(household, default_set, indicators=indicators, members=members, items=ITEMS)
    result = _assess(household)
    assert result.deprivations["e4_literacy"] == expected
    assert ("e4_literacy" in result.missing) == (expected is None)


def test_analysis_leaves_incomplete_households_out_of_h(make, default_set, login, coordinator):
    poor = make("T-1")
    add_person(poor, born=dt.date(1985, 1, 1), income=20000, relation="head")
    survey(poor, default_set, indicators={**KNOWN, "l1_housing": False}, items=ITEMS)
    incomplete = make("T-2")
    add_person(incomplete, born=dt.date(1985, 1, 1), income=20000, relation="head")
    survey(incomplete, default_set, indicators={}, items=ITEMS)
    assessment_run(round_name=ROUND)
    [result] = analyse(Assessment.objects.filter(round_name=ROUND))
    assert result.incomplete == 1
    assert result.overall.n == 1 and result.overall.H == 1.0
    assert sum(result.overall.levels.values()) == 2  # levels count every household
    html = login(coordinator).get(reverse("assessment:province", args=["10"])).content.decode()
    assert 'id="incomplete" data-count="1"' in html and "ข้อมูลไม่ครบ" in html


def test_profile_says_incomplete_and_lists_what_is_missing(make, default_set, login, coordinator):
    household = make("T-3")
    add_person(household, born=dt.date(1985, 1, 1), income=20000, relation="head")
    answers = {c: v for c, v in KNOWN.items() if c != "l3_water_use"}
    items = {k: v for k, v in ITEMS.items() if k != "na3_green"}
    survey(household, default_set, indicators=answers, items=items)
    assessment_run(round_name=ROUND)
    html = login(coordinator).get(reverse("assessment:household", args=[household.pk]))
    html = html.content.decode()
    assert 'data-status="incomplete"' in html and "ข้อมูลไม่ครบ" in html
    assert 'id="missing" data-count="2"' in html
    assert "ครัวเรือนมีน้ำใช้เพียงพอตลอดปี" in html  # the unknown indicator, by name
    assert "การเข้าถึงพื้นที่สีเขียว" in html  # the unanswered capital item, by name


def test_one_household_at_a_time_gives_the_batch_result(make, default_set):
    """Unknown answers, an unknown income and a level override: the per-household path (a
    survey saved from the visit form) and `ppaos assess` store the same."""
    from ppaos.assessment.services import assessment_run_for_household

    made = []
    for code, indicators, spouse_income in [
        ("T-B1", {c: v for c, v in KNOWN.items() if c != "l3_water_use"}, 0),
        ("T-B2", KNOWN, None),
        ("T-B3", {**KNOWN, "i3_income_per_person": False}, None),
        ("T-B4", {}, 0),
    ]:
        household = make(code)
        add_person(household, born=dt.date(1985, 1, 1), income=2000, relation="head")
        add_person(household, born=dt.date(1987, 1, 1), income=spouse_income, relation="spouse")
        made.append((household, survey(household, default_set, indicators=indicators, items=ITEMS)))
    fields = ["household_id", "status", "is_poor", "missing", "deprived_mask", "unset_mask"]
    fields += ["details"]
    fields += ["deprivation_score", "level", "score_level", "level_reasons", "overall_score"]
    for household, saved in made:
        assessment_run_for_household(household=household, survey=saved)
    one_by_one = list(Assessment.objects.order_by("household_id").values(*fields))
    Assessment.objects.all().delete()
    assessment_run(round_name=ROUND)
    assert list(Assessment.objects.order_by("household_id").values(*fields)) == one_by_one
    statuses = [row["status"] for row in one_by_one]
    # B1, B4: 24,000 / 2 < 38,000 from the registry decides, whatever is unanswered; B2: the
    # spouse's income is unknown and nothing else is not met; B3: the volunteer's answer.
    assert statuses == ["poor", "incomplete", "poor", "poor"]
