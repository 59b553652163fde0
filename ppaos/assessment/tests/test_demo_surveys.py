"""Demo survey round: deterministic, plausible, and levels spread over all four groups."""

import io
from collections import Counter

import pytest
from django.core.management import call_command

from ppaos.assessment.models import Assessment, SurveyResponse
from ppaos.demo.assessment import DEMO_ROUND
from ppaos.registry.models import Household

pytestmark = pytest.mark.django_db


def _answers():
    return list(
        SurveyResponse.objects.order_by("household__code").values_list(
            "household__code", "collected_on", "indicators", "capital_items", "problems"
        )
    )


def test_demo_round_assesses_into_four_levels(geography):
    out = io.StringIO()
    call_command("demo-data", "--seed", "2566", "--no-users", stdout=out)
    assert f"round {DEMO_ROUND}: 658 surveys" in out.getvalue()
    first = _answers()
    call_command("assess", "--round", DEMO_ROUND, stdout=out)
    levels = Counter(Assessment.objects.values_list("level", flat=True))
    assert set(levels) == {1, 2, 3, 4}
    assert all(n >= 0.08 * 658 for n in levels.values()), levels
    # Lower income per person goes with lower levels.
    by_level = {}
    for level, details in Assessment.objects.values_list("level", "details"):
        income = details.get("i3_income_per_person")  # only when some income is recorded
        if income:
            by_level.setdefault(level, []).append(income["monthly_total"] / income["members"])
    means = [sum(v) / len(v) for _, v in sorted(by_level.items())]
    assert means == sorted(means)
    # Some members answer person-level indicators; collection days follow the moves.
    assert SurveyResponse.objects.exclude(member_indicators={}).count() > 300
    assert any(problems for *_, problems in first)

    # Same seed, same answers; demo-data can run again over surveys and assessments.
    call_command("demo-data", "--seed", "2566", "--no-users", stdout=out)
    assert _answers() == first
    assert not Assessment.objects.exists()


def test_no_surveys_flag(geography):
    call_command("demo-data", "--seed", "5", "--households", "40", "--no-users", "--no-surveys")
    assert Household.objects.count() == 40 and not SurveyResponse.objects.exists()
