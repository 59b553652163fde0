"""`ppaos assess`: hand-computed deprivations, levels and AF poverty; immutable rounds."""

import copy
import datetime as dt
import io
import json
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from ppaos.assessment.definition import compile_definition
from ppaos.assessment.models import Assessment
from ppaos.assessment.services import DEFAULT_SET, assessment_run, indicator_set_load
from ppaos.assessment.tests.conftest import ROUND, add_person, capital_items, survey
from ppaos.registry.models import Household

pytestmark = pytest.mark.django_db


def _by_code(assessments):
    return {a.household.code: a for a in assessments}


def test_household_x_by_hand(scenario):
    report = assessment_run(round_name=ROUND)
    assert report.created == 5 and report.unchanged == 0
    x = Assessment.objects.get(household=scenario["X"])
    deprived = {code for code, value in x.deprivations.items() if value == 1}
    # h3, l1 from the household answers; e2 from the 9-year-old (the head's e2 answer and the
    # member who left are ignored); a2 from the disabled parent; i3: (5,000 + 800) * 12 / 3
    # = 23,200 < 38,000.
    assert deprived == {
        "h3_medicines",
        "l1_housing",
        "e2_compulsory",
        "a2_disability_care",
        "i3_income_per_person",
    }
    codes = compile_definition(x.indicator_set.definition).codes
    assert x.deprived_mask == sum(1 << j for j, c in enumerate(codes) if c in deprived)
    assert x.deprivations["h1_birth_weight"] is None  # does not apply
    assert x.deprivations["e1_early_childhood"] is None  # nobody aged 3–5
    assert x.deprivations["e4_literacy"] == 0
    # 1/20 + 1/20 + 1/20 + 1/10 + 1/15 = 19/60 >= k = 1/17
    assert x.deprivation_score == "19/60"
    assert x.deprivation_score_value == pytest.approx(19 / 60)
    assert x.is_poor and x.status == "poor"
    assert x.missing == []  # every indicator known, every item answered
    assert x.members == 3
    assert x.details["e2_compulsory"] == {
        "source": "members",
        "answered": 1,
        "eligible": 1,
        "failed": [scenario["people"]["child"].pk],
    }
    income = x.details["i3_income_per_person"]
    assert income["source"] == "registry" and income["members"] == 3
    assert income["monthly_total"] == 5800 and income["threshold"] == 38000
    # Every item scored 1 -> every capital 1.0 -> อยู่ลำบาก (already below the income cap).
    assert x.overall_score == 1.0 and x.level == 1 and x.score_level == 1
    assert x.level_reasons == []
    assert set(x.capital_scores.values()) == {1.0}
    assert x.survey.round_name == ROUND and x.round_name == ROUND


def test_exact_thresholds(scenario):
    assessment_run(round_name=ROUND)
    got = _by_code(Assessment.objects.select_related("household"))
    y = got["T-Y"]
    # (2 + 1.5 + 1.5 + 2 + 1.75) / 5 = 1.75 exactly -> อยู่ยาก, not อยู่ลำบาก
    assert y.overall_score == 1.75 and y.level == 2
    # 9,500 * 12 / 3 = 38,000: at the threshold is not deprived (strictly below is)
    assert y.deprivations["i3_income_per_person"] == 0
    assert y.deprivation_score == "0" and not y.is_poor
    # Household-level answer stands in for a person-level indicator without member answers.
    z = got["T-Z"]
    assert z.deprivations["e4_literacy"] == 1 and z.deprivation_score == "1/20"
    assert z.level == 4 and z.overall_score == 4.0
    assert z.is_poor  # union rule: one education indicator alone (weight 1/20) is poor


def test_carry_forward_and_latest_survey(scenario):
    assessment_run(round_name=ROUND)
    got = _by_code(Assessment.objects.select_related("household", "survey"))
    w = got["T-W"]
    assert w.survey.round_name == "2568-1" and w.round_name == ROUND  # carried forward
    # Scores say อยู่พอได้ (3), but 3,000 * 12 = 36,000 < 38,000: the set's override caps it.
    assert w.score_level == 3 and w.level == 2
    assert w.level_reasons == ["below_income_line"]
    v = got["T-V"]
    assert v.survey_id == scenario["V_latest"].pk
    assert v.deprivations["l4_tidy_home"] == 0  # the earlier survey's answer is not used


def test_float_trap_level_is_exact(communities, default_set):
    """Capital means 13/6, 2, 3, 8/3, 8/3 average exactly 5/2, but added left to right in
    floats give 2.4999999999999996: the level must still be อยู่พอได้ (3)."""
    definition = json.loads(DEFAULT_SET.read_text(encoding="utf-8"))
    definition["version"] = "float-trap"
    items = []
    counts = {"human": 6, "physical": 3, "financial": 4, "natural": 6, "social": 3}
    for capital, count in counts.items():
        for n in range(count):
            items.append({"capital": capital, "capital_th": capital, "code": f"{capital}_{n}"})
    definition["capitals"]["items"] = items
    trap = indicator_set_load(definition=definition)
    household = Household.objects.create(
        code="T-F", community=communities["A"], subdistrict_id="100801"
    )
    add_person(household, born=dt.date(1980, 1, 1), income=10000, relation="head")
    values = {
        "human": [2, 1, 4, 1, 1, 4],
        "physical": [2, 3, 1],
        "financial": [4, 1, 3, 4],
        "natural": [3, 3, 1, 3, 3, 3],
        "social": [1, 4, 3],
    }
    answers = {f"{c}_{n}": v for c, vs in values.items() for n, v in enumerate(vs)}
    h, p, f, n, s = (sum(v) / len(v) for v in values.values())
    assert (h + p + f + n + s) / 5 < 2.5  # the trap is real when added left to right
    survey(household, trap, items=answers)
    assessment_run(round_name=ROUND)
    result = Assessment.objects.get(household=household)
    assert result.level == 3
    assert result.indicator_set == trap


def test_rerun_changes_nothing_and_reports_unchanged(scenario):
    assessment_run(round_name=ROUND)
    before = list(Assessment.objects.order_by("id").values())
    # A later survey for X in the same round does not change X's assessment.
    survey(
        scenario["X"],
        scenario["X"].surveys.first().indicator_set,
        on=dt.date(2025, 11, 20),
        indicators={},
        items=capital_items([4] * 4, [4] * 4, [4] * 4, [4] * 3, [4] * 4),
    )
    report = assessment_run(round_name=ROUND)
    assert report.created == 0 and report.unchanged == 5
    assert report.newer_survey == 1
    assert list(Assessment.objects.order_by("id").values()) == before
    out = io.StringIO()
    call_command("assess", "--round", ROUND, stdout=out)
    assert "0 assessed, 5 unchanged" in out.getvalue()
    assert "later survey" in out.getvalue()


def test_new_household_is_added_to_an_assessed_round(scenario, communities, default_set):
    assessment_run(round_name=ROUND)
    late = Household.objects.create(code="T-L", community=communities["C"], subdistrict_id="100905")
    add_person(late, born=dt.date(1975, 1, 1), income=1000, relation="head")
    survey(late, default_set, on=dt.date(2025, 11, 2), indicators={"l1_housing": False})
    report = assessment_run(round_name=ROUND)
    assert report.created == 1 and report.unchanged == 5


def test_assessments_are_immutable(scenario):
    assessment_run(round_name=ROUND)
    x = Assessment.objects.get(household=scenario["X"])
    x.level = 4
    with pytest.raises(ValueError, match="immutable"):
        x.save()


def test_unknown_round_is_an_error(scenario):
    with pytest.raises(ValidationError):
        assessment_run(round_name="2599-9")


def test_old_assessments_keep_their_version(scenario, default_set):
    assessment_run(round_name=ROUND)
    newer = copy.deepcopy(default_set.definition)
    newer["version"] = "2027.1"
    newer["poverty_rule"] = {"kind": "k", "k": "1/3"}
    newer["dimensions"][0]["indicators"][1]["name_th"] = "ชื่อใหม่"
    loaded = indicator_set_load(definition=newer)
    assert loaded.is_active and loaded.pk != default_set.pk
    survey(scenario["X"], loaded, on=dt.date(2026, 5, 1), round_name="2569-1", indicators={})
    assessment_run(round_name="2569-1")
    old = Assessment.objects.get(household=scenario["X"], round_name=ROUND)
    new = Assessment.objects.get(household=scenario["X"], round_name="2569-1")
    assert old.indicator_set_id == default_set.pk and new.indicator_set_id == loaded.pk
    assert old.is_poor  # 19/60: poor under the old set's union rule, unchanged
    assert compile_definition(old.indicator_set.definition).rule.kind == "union"
    assert compile_definition(loaded.definition).k == Fraction(1, 3)


def test_member_rule_all_members(communities, default_set):
    definition = copy.deepcopy(default_set.definition)
    definition["version"] = "all-members"
    definition["poverty_rule"]["household_deprived_when"] = "all_eligible_members"
    strict = indicator_set_load(definition=definition)
    household = Household.objects.create(
        code="T-M", community=communities["A"], subdistrict_id="100801"
    )
    a = add_person(household, born=dt.date(1990, 1, 1), income=20000, relation="head")
    b = add_person(household, born=dt.date(1991, 1, 1), income=20000, relation="spouse")
    survey(
        household,
        strict,
        members={str(a.pk): {"e4_literacy": False}, str(b.pk): {"e4_literacy": True}},
    )
    assessment_run(round_name=ROUND)
    result = Assessment.objects.get(household=household)
    assert result.deprivations["e4_literacy"] == 0  # not all eligible members fail


@pytest.mark.parametrize(
    "change, message",
    [
        ({"poverty_rule": {"kind": "k", "k": "0"}}, "poverty_rule.k"),
        ({"capitals": {"overall_rule": "median"}}, "overall_rule"),
        ({"income_threshold_baht_per_person_year": None}, "income indicator"),
    ],
)
def test_bad_definitions_are_refused(default_set, change, message):
    definition = copy.deepcopy(default_set.definition)
    definition["version"] = "bad"
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(definition.get(key), dict):
            definition[key] = {**definition[key], **value}
        else:
            definition[key] = value
    with pytest.raises(ValidationError, match=message):
        indicator_set_load(definition=definition)


def test_income_threshold_by_buddhist_era_year(communities, default_set):
    definition = copy.deepcopy(default_set.definition)
    definition["version"] = "by-year"
    definition["income_threshold_baht_per_person_year"] = {"2560": "30000", "2569": "40000"}
    by_year = indicator_set_load(definition=definition)
    household = Household.objects.create(
        code="T-B", community=communities["A"], subdistrict_id="100801"
    )
    add_person(household, born=dt.date(1960, 1, 1), income=3000, relation="head")  # 36,000
    survey(household, by_year)  # 1 Nov 2025 = BE 2568: the 2560 threshold applies
    survey(household, by_year, on=dt.date(2026, 6, 1), round_name="2569-1")
    assessment_run(round_name=ROUND)
    assessment_run(round_name="2569-1")
    results = {
        a.round_name: a.deprivations["i3_income_per_person"]
        for a in Assessment.objects.filter(household=household)
    }
    assert results == {ROUND: 0, "2569-1": 1}


def test_malformed_answers_are_ignored(communities, default_set):
    household = Household.objects.create(
        code="T-J", community=communities["A"], subdistrict_id="100801"
    )
    head = add_person(household, born=dt.date(1980, 1, 1), income=20000, relation="head")
    survey(
        household,
        default_set,
        indicators={"h2_safe_food": "maybe", "l1_housing": False},
        members={str(head.pk): ["not", "an", "object"], "x": {"e4_literacy": False}},
        items={"hu1_health": 5, "hu2_dependency": 2.5, "hu3_education": "3", "hu4_skills": 0},
    )
    assessment_run(round_name=ROUND)
    result = Assessment.objects.get(household=household)
    assert result.deprivations["h2_safe_food"] is None  # "maybe" is not an answer: unknown
    assert "h2_safe_food" in result.missing
    assert result.deprivations["l1_housing"] == 1
    assert result.deprivations["e4_literacy"] is None
    assert "e4_literacy" in result.missing  # the head is eligible and was not asked
    assert result.capital_scores["human"] == 3.0  # only the "3" counts
    assert result.capital_scores["physical"] is None
    # Four capitals without any answered item: no overall score and no level, not a guess.
    assert result.overall_score is None and result.level is None
    assert {"hu1_health", "ph1_housing", "so4_welfare"} <= set(result.missing)


def test_rows_stored_before_the_status_existed_read_it_from_is_poor(scenario):
    assessment_run(round_name=ROUND)
    Assessment.objects.update(status="")  # as the migration leaves older rows
    for a in Assessment.objects.all():
        assert a.poverty_status == ("poor" if a.is_poor else "not_poor")


def test_a_batch_run_leaves_one_summary_audit_row(scenario):
    from ppaos.audit.models import AuditEvent

    report = assessment_run(round_name=ROUND)
    rows = AuditEvent.objects.filter(object_type="assessment.assessment", object_id=ROUND)
    assert rows.count() == 1
    assert rows.get().changes["created"] == report.created == 5
    assessment_run(round_name=ROUND)  # nothing new: no second row
    assert rows.count() == 1
