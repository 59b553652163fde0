"""The identification rule as the indicator set declares it (union, intersection, AF k), level
overrides, rubrics, and definitions refused with the field named."""

import copy
import datetime as dt
import io
import json
from fractions import Fraction

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from ppaos.assessment.definition import DefinitionError, compile_definition
from ppaos.assessment.models import Assessment, IndicatorSet
from ppaos.assessment.mpi import alkire_foster
from ppaos.assessment.services import DEFAULT_SET, assessment_run
from ppaos.assessment.tests.conftest import ROUND, add_person, capital_items, survey
from ppaos.registry.models import Household

DEFAULT = json.loads(DEFAULT_SET.read_text(encoding="utf-8"))
CODES = [i["code"] for d in DEFAULT["dimensions"] for i in d["indicators"]]
ITEMS = capital_items([3] * 4, [3] * 4, [3] * 4, [3] * 3, [3] * 4)


def _four_indicators(rule: dict) -> dict:
    """AF 2011's example as a definition: 4 indicators, each its own dimension (weight 1/4)."""
    definition = copy.deepcopy(DEFAULT)
    definition["poverty_rule"] = rule
    definition["dimensions"] = [
        {"code": f"d{n}", "weight": "1/4", "indicators": [{"code": f"x{n}"}]} for n in range(4)
    ]
    definition["capitals"]["level_overrides"] = []
    return definition


# AF 2011 §2 deprivation matrix g0 (stack.md, reference test A).
G0 = pd.DataFrame([[0, 0, 0, 0], [0, 1, 0, 1], [1, 1, 1, 1], [0, 1, 0, 0]])


@pytest.mark.parametrize(
    "rule, cutoff, H, A, M0",
    [
        ({"kind": "union"}, Fraction(1, 4), Fraction(3, 4), Fraction(7, 12), Fraction(7, 16)),
        ({"kind": "k", "k": "1/2"}, Fraction(1, 2), Fraction(1, 2), Fraction(3, 4), Fraction(3, 8)),
        ({"kind": "k", "k": "0.5"}, Fraction(1, 2), Fraction(1, 2), Fraction(3, 4), Fraction(3, 8)),
        ({"kind": "intersection"}, Fraction(1), Fraction(1, 4), Fraction(1), Fraction(1, 4)),
    ],
)
def test_each_rule_reproduces_the_published_af_example(rule, cutoff, H, A, M0):
    spec = compile_definition(_four_indicators(rule))
    assert spec.rule.kind == rule["kind"] and spec.k == cutoff
    frame = G0.set_axis(spec.codes, axis=1)
    result = alkire_foster(frame, spec.weights, spec.k)
    assert (result.H_exact, result.A_exact, result.M0_exact) == (H, A, M0)


def test_default_set_is_union_with_the_smallest_weight_as_cutoff():
    spec = compile_definition(DEFAULT)
    assert spec.rule.kind == "union" and spec.rule.k is None
    assert spec.k == min(spec.weights.values()) == Fraction(1, 20)


@pytest.fixture
def household(communities):
    return Household.objects.create(
        code="T-ONE", community=communities["A"], subdistrict_id="100801"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("code", CODES)
def test_any_single_indicator_alone_makes_a_household_poor(household, default_set, code):
    """Every other indicator known and met; only `code` not met."""
    income = 1000 if code == "i3_income_per_person" else 20000  # 12,000 or 240,000 a year
    add_person(household, born=dt.date(1985, 1, 1), income=income, relation="head")
    answers = {c: c != code for c in CODES if c != "i3_income_per_person"}
    survey(household, default_set, indicators=answers, items=ITEMS)
    assessment_run(round_name=ROUND)
    result = Assessment.objects.get(household=household)
    assert {c for c, v in result.deprivations.items() if v == 1} == {code}
    assert result.missing == []
    assert result.is_poor and result.status == "poor"


@pytest.mark.django_db
def test_no_indicator_not_met_is_not_poor(household, default_set):
    add_person(household, born=dt.date(1985, 1, 1), income=20000, relation="head")
    survey(household, default_set, indicators=dict.fromkeys(CODES[:-3] + CODES[-2:], True))
    assessment_run(round_name=ROUND)
    result = Assessment.objects.get(household=household)
    assert not result.is_poor and result.status == "not_poor" and result.deprivation_score == "0"


@pytest.mark.django_db
def test_k_rule_is_exact_at_the_cutoff(household, default_set):
    """k = 1/10 and two health indicators (1/20 + 1/20) not met: exactly at k is poor."""
    definition = copy.deepcopy(default_set.definition)
    definition["version"] = "k-tenth"
    definition["poverty_rule"] = {"kind": "k", "k": "1/10"}
    loaded = IndicatorSet.objects.create(
        code="t", version="k", name_th="t", definition=definition, is_active=False
    )
    add_person(household, born=dt.date(1985, 1, 1), income=20000, relation="head")
    other = Household.objects.create(
        code="T-TWO", community=household.community, subdistrict_id="100801"
    )
    add_person(other, born=dt.date(1985, 1, 1), income=20000, relation="head")
    met = {c: True for c in CODES if c != "i3_income_per_person"}
    survey(household, loaded, indicators={**met, "h2_safe_food": False, "h3_medicines": False})
    survey(other, loaded, indicators={**met, "h2_safe_food": False})
    assessment_run(round_name=ROUND)
    assert Assessment.objects.get(household=household).is_poor  # 1/10 >= 1/10
    assert not Assessment.objects.get(household=other).is_poor  # 1/20 < 1/10


def _refused(tmp_path, definition: dict) -> str:
    path = tmp_path / "set.json"
    path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    before = IndicatorSet.objects.count()
    with pytest.raises(CommandError) as error:
        call_command("load-indicators", str(path), stdout=io.StringIO())
    assert IndicatorSet.objects.count() == before  # nothing half-applied
    return str(error.value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, names",
    [
        ({"poverty_rule": {"kind": "majority"}}, ["poverty_rule.kind", "majority"]),
        ({"poverty_rule": {"kind": "k", "k": 0.333}}, ["poverty_rule.k", "exactly"]),
        ({"poverty_rule": {"kind": "union", "k": "1/3"}}, ["poverty_rule.k"]),
        ({"poverty_rule": {"kind": "union", "cutoff": "1/3"}}, ["poverty_rule.cutoff"]),
    ],
)
def test_load_indicators_refuses_a_bad_poverty_rule(tmp_path, change, names):
    definition = {**copy.deepcopy(DEFAULT), "version": "bad", **change}
    message = _refused(tmp_path, definition)
    assert "nothing loaded" in message
    for name in names:
        assert name in message


@pytest.mark.django_db
@pytest.mark.parametrize(
    "override, names",
    [
        (
            {"when": {"indicator": "i9_unknown"}, "at_most": 2},
            ["capitals.level_overrides[0].when.indicator", "i9_unknown"],
        ),
        (
            {"when": {"indicator": "l1_housing", "field": "x"}, "at_most": 2},
            ["capitals.level_overrides[0].when.field"],
        ),
        ({"when": {"indicator": "l1_housing"}, "at_most": 7}, ["at_most", "7"]),
        ({"when": {"indicator": "l1_housing"}}, ["at_most, at_least"]),
    ],
)
def test_load_indicators_refuses_an_override_on_an_unknown_field(tmp_path, override, names):
    definition = copy.deepcopy(DEFAULT)
    definition["version"] = "bad-override"
    definition["capitals"]["level_overrides"] = [{"code": "x", "reason_th": "เหตุผล", **override}]
    message = _refused(tmp_path, definition)
    for name in names:
        assert name in message


def test_a_rubric_needs_four_scores():
    definition = copy.deepcopy(DEFAULT)
    definition["capitals"]["items"][0]["rubric_th"] = ["แย่", "ดี"]
    with pytest.raises(DefinitionError, match="hu1_health.*rubric_th"):
        compile_definition(definition)


def test_default_items_have_rubrics_and_no_farmland():
    spec = compile_definition(DEFAULT)
    assert all(len(i.rubric_th) == 4 and len(i.rubric_en) == 4 for i in spec.items)
    natural = [i for i in spec.items if i.capital == "natural"]
    text = " ".join(i.name_th + " " + " ".join(i.rubric_th) for i in natural)
    assert natural and "ทำกิน" not in text and "ที่ดิน" not in text  # no farmland questions
    assert all("farm" not in i.name_en.lower() for i in natural)


def test_older_definitions_without_kind_still_read_as_k():
    definition = copy.deepcopy(DEFAULT)
    definition["poverty_rule"] = {"k": "1/17", "household_deprived_when": "any_eligible_member"}
    spec = compile_definition(definition)
    assert spec.rule.kind == "k" and spec.k == Fraction(1, 17)


def test_score_choices_carry_the_rubric_for_the_survey_form():
    from ppaos.assessment.rules import score_choices

    item = next(i for i in DEFAULT["capitals"]["items"] if i["code"] == "fi3_debt")
    choices = score_choices(item)
    assert [value for value, _ in choices] == ["1", "2", "3", "4"]
    assert choices[0][1] == "1 – มีหนี้นอกระบบที่ผ่อนไม่ไหว" and choices[3][1] == "4 – ไม่มีหนี้"
    assert score_choices(item, english=True)[3][1] == "4 – No debt"
    assert score_choices({"code": "x"}) == [("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")]
