"""Households with hand-picked members and survey answers, for the assessment tests.

Default indicator set (union rule: one indicator not met is poor; weights 1/20 in health,
living and education, 1/15 in income, 1/10 in access; threshold 38,000 baht per person a year;
below it the level is at most 2)."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from ppaos.assessment.models import SurveyResponse
from ppaos.assessment.services import DEFAULT_SET, indicator_set_load
from ppaos.registry.models import Household, Membership, Person

ROUND = "2568-2"
SURVEY_DAY = dt.date(2025, 11, 1)
ALL_MET = {
    "h1_birth_weight": None,  # no newborn: does not apply (an absent answer is unknown)
    "h2_safe_food": True,
    "h3_medicines": True,
    "h4_exercise": True,
    "l1_housing": True,
    "l2_drinking_water": True,
    "l3_water_use": True,
    "l4_tidy_home": True,
}


def capital_items(human, physical, financial, natural, social) -> dict:
    codes = {
        "human": ["hu1_health", "hu2_dependency", "hu3_education", "hu4_skills"],
        "physical": ["ph1_housing", "ph2_utilities", "ph3_tools", "ph4_access"],
        "financial": ["fi1_income", "fi2_stability", "fi3_debt", "fi4_savings"],
        "natural": ["na1_flood", "na2_pollution", "na3_green"],
        "social": ["so1_groups", "so2_participation", "so3_support", "so4_welfare"],
    }
    values = {
        "human": human,
        "physical": physical,
        "financial": financial,
        "natural": natural,
        "social": social,
    }
    return {
        code: value
        for capital, items in codes.items()
        for code, value in zip(items, values[capital], strict=True)
    }


def add_person(household, *, born, income=None, disabled=False, relation="child", since=None):
    n = Person.objects.count() + 1
    person = Person.objects.create(
        first_name=f"สมาชิก{n}",
        last_name="ทดสอบ",
        sex="F",
        birth_date=born,
        monthly_income=Decimal(income) if income is not None else None,
        has_disability_card=disabled,
    )
    Membership.objects.create(
        household=household,
        person=person,
        relation=relation,
        start_date=since or dt.date(2015, 1, 1),
    )
    return person


def survey(household, indicator_set, *, on=SURVEY_DAY, round_name=ROUND, **answers):
    return SurveyResponse.objects.create(
        household=household,
        indicator_set=indicator_set,
        collected_on=on,
        round_name=round_name,
        indicators=answers.get("indicators", {}),
        member_indicators=answers.get("members", {}),
        capital_items=answers.get("items", {}),
        problems=answers.get("problems", []),
    )


@pytest.fixture
def default_set(db):
    return indicator_set_load(definition=json.loads(DEFAULT_SET.read_text(encoding="utf-8")))


@pytest.fixture
def scenario(communities, default_set):
    """Households X, Y, Z (community A), W (B, carried forward), V (C, surveyed twice)."""
    made = {}
    for key, community in [("X", "A"), ("Y", "A"), ("Z", "A"), ("W", "B"), ("V", "C")]:
        made[key] = Household.objects.create(
            code=f"T-{key}",
            community=communities[community],
            subdistrict_id=communities[community].subdistrict_id,
        )
    x = made["X"]
    head = add_person(x, born=dt.date(1980, 5, 1), income=5000, relation="head")
    child = add_person(x, born=dt.date(2016, 3, 1), income=0)  # 9 on the survey day: 6–14
    elder = add_person(x, born=dt.date(1955, 1, 1), income=800, disabled=True, relation="parent")
    gone = add_person(x, born=dt.date(2012, 1, 1))
    Membership.objects.filter(person=gone).update(end_date=dt.date(2024, 1, 1))
    survey(
        x,
        default_set,
        indicators={**ALL_MET, "h1_birth_weight": None, "h3_medicines": False, "l1_housing": False},
        members={
            str(head.pk): {
                "e4_literacy": True,
                "i1_working_age_job": True,
                "e2_compulsory": False,  # not 6–14: ignored
            },
            str(child.pk): {"e2_compulsory": False},
            str(elder.pk): {
                "i2_elderly_income": True,
                "a1_elderly_care": True,
                "a2_disability_care": False,
            },
            str(gone.pk): {"e2_compulsory": False},  # left before the survey: ignored
        },
        items=capital_items([1] * 4, [1] * 4, [1] * 4, [1] * 3, [1] * 4),
        problems=["debt", "income"],
    )
    y = made["Y"]
    y_head = add_person(y, born=dt.date(1990, 1, 1), income=9500, relation="head")
    y_spouse = add_person(y, born=dt.date(1992, 1, 1), income=0, relation="spouse")
    y_child = add_person(y, born=dt.date(2020, 1, 1), income=0)  # 5: early childhood
    adult = {"e4_literacy": True, "i1_working_age_job": True}
    survey(
        y,
        default_set,
        indicators=ALL_MET,
        members={
            str(y_head.pk): adult,
            str(y_spouse.pk): adult,
            str(y_child.pk): {"e1_early_childhood": True},
        },
        items=capital_items([2] * 4, [1, 1, 2, 2], [1, 2, 2, 1], [2] * 3, [2, 2, 2, 1]),
    )
    z = made["Z"]
    z_head = add_person(z, born=dt.date(1970, 1, 1), income=20000, relation="head")
    survey(
        z,
        default_set,
        indicators={**ALL_MET, "e4_literacy": False},  # asked of the household, no members
        members={str(z_head.pk): {"i1_working_age_job": True}},
        items=capital_items([4] * 4, [4] * 4, [4] * 4, [4] * 3, [4] * 4),
    )
    w = made["W"]
    w_head = add_person(w, born=dt.date(1960, 1, 1), income=3000, relation="head")
    survey(
        w,
        default_set,
        on=dt.date(2025, 4, 1),
        round_name="2568-1",
        indicators=ALL_MET,
        members={str(w_head.pk): {"i2_elderly_income": True, "a1_elderly_care": True}},
        items=capital_items([3] * 4, [3] * 4, [3] * 4, [3] * 3, [3] * 4),
    )
    v = made["V"]
    v_head = add_person(v, born=dt.date(1985, 1, 1), income=40000, relation="head")
    survey(v, default_set, on=dt.date(2025, 10, 20), indicators={**ALL_MET, "l4_tidy_home": False})
    made["V_latest"] = survey(
        v,
        default_set,
        on=dt.date(2025, 10, 25),
        indicators=ALL_MET,
        members={str(v_head.pk): adult},
        items=capital_items([3] * 4, [3] * 4, [3] * 4, [3] * 3, [3] * 4),
    )
    made["people"] = {"head": head, "child": child, "elder": elder, "gone": gone}
    return made
