"""The rule language: values, three-valued logic and the reasons it gives, hand-computed."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from ppaos.referrals import rules
from ppaos.referrals.eligibility import FACTS
from ppaos.referrals.services import DEFAULT_CATALOGUE


def run(rule, receiving=(), **facts):
    context = rules.Context(
        facts=facts,
        known=FACTS,
        receiving=lambda code: code in receiving,
        service_names={"state_welfare_card": "state welfare card"},
    )
    return rules.evaluate(rule, context)


def test_comparison_states_the_fact_that_holds():
    rule = {">=": [{"var": "age"}, 60]}
    yes = run(rule, age=67)
    assert (yes.value, yes.text) == (True, "age 67 ≥ 60")
    no = run(rule, age=55)
    assert (no.value, no.text) == (False, "age 55 < 60")


def test_and_gives_every_reason_when_true_and_the_failing_ones_when_false():
    rule = {"and": [{">=": [{"var": "age"}, 60]}, {"var": "thai"}]}
    assert run(rule, age=67, thai=True).text == "age 67 ≥ 60, Thai nationality"
    failed = run(rule, age=67, thai=False)
    assert (failed.value, failed.text) == (False, "not Thai nationality")


def test_missing_fact_is_unknown_not_false():
    rule = {"and": [{">=": [{"var": "age"}, 60]}, {"var": "thai"}]}
    unknown = run(rule, age=None, thai=True)
    assert unknown.value is None
    assert unknown.text == "age not recorded"
    # ...but a false part decides an `and` even when another part is unknown.
    assert run(rule, age=None, thai=False).value is False
    either = {"or": [{"<=": [{"var": "annual_income"}, 100000]}, {"var": "thai"}]}
    assert run(either, annual_income=None, thai=True).value is True
    assert run(either, annual_income=None, thai=False).value is None


def test_not_keeps_the_true_statement():
    rule = {"not": {"receiving": "state_welfare_card"}}
    result = run(rule)
    assert (result.value, result.text) == (True, "not receiving state welfare card")
    assert run(rule, receiving={"state_welfare_card"}).text == "receiving state welfare card"


def test_tiers_pick_the_highest_step_reached():
    tiers = {"tiers": [{"var": "age"}, [[60, 600], [70, 700], [80, 800], [90, 1000]]]}
    assert run(tiers, age=67).value == 600
    assert run(tiers, age=70).value == 700
    assert run(tiers, age=95).value == 1000
    assert run(tiers, age=95).text == "age 95: tier from 90"
    assert run(tiers, age=59).value is None


def test_if_and_arithmetic():
    amount = {
        "if": [
            {"or": [{"<": [{"var": "age"}, 18]}, {"receiving": "state_welfare_card"}]},
            1000,
            800,
        ]
    }
    assert run(amount, age=40).value == 800
    assert run(amount, age=12).value == 1000
    assert run(amount, age=40, receiving={"state_welfare_card"}).value == 1000
    per_year = {"*": [{"var": "monthly_income"}, 12]}
    assert run(per_year, monthly_income=2500).value == 30000
    assert run({"/": [10, 0]}).value is None


def test_between_in_and_dates():
    assert run({"between": [{"var": "age"}, 3, 15]}, age=15).text == "3 ≤ age 15 ≤ 15"
    assert run({"between": [{"var": "age"}, 3, 15]}, age=16).value is False
    tenure = {"in": [{"var": "household.tenure"}, ["public_land", "owned_house_rented_land"]]}
    result = run(tenure, **{"household.tenure": "public_land"})
    assert result.value is True
    assert result.text == "tenure On public land without permission"
    born = {">=": [{"var": "birth_date"}, "2015-10-01"]}
    result = run(born, birth_date=dt.date(2021, 3, 1))
    assert result.value is True
    assert result.text == "birth date 01/03/2564 ≥ 01/10/2558"  # shown in the Buddhist era
    assert run(born, birth_date=dt.date(2015, 9, 30)).value is False


def test_strings_are_data_never_code():
    sneaky = {"==": [{"var": "occupation"}, "__import__('os').system('true')"]}
    assert run(sneaky, occupation="ว่างงาน").value is False


@pytest.mark.parametrize(
    "rule, message",
    [
        ({"eval": ["1"]}, "unknown operator"),
        ({"var": "salary"}, "unknown fact"),
        ({">=": [{"var": "age"}]}, "takes 2 arguments"),
        ({">=": [1, 2], "and": []}, "exactly one key"),
        ({"tiers": [{"var": "age"}, [600]]}, "tiers"),
    ],
)
def test_malformed_rules_are_refused_with_the_reason(rule, message):
    with pytest.raises(ValidationError) as error:
        rules.validate(rule, FACTS)
    assert message in error.value.messages[0]


def test_describe_reads_like_the_rule():
    rule = {"and": [{">=": [{"var": "age"}, 60]}, {"var": "thai"}]}
    assert rules.describe(rule, FACTS) == "age ≥ 60 and Thai nationality"
    tiers = {"tiers": [{"var": "age"}, [[60, 600], [70, 700]]]}
    assert rules.describe(tiers, FACTS) == "age → 60+: 600; 70+: 700"


SHIPPED = json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
SHIPPED_RULES = [
    expression
    for service in SHIPPED["services"]
    for rule in service["rules"]
    for expression in (rule["eligibility"], rule["amount"])
    if expression is not None
]
facts = st.fixed_dictionaries(
    {
        "age": st.none() | st.integers(0, 110),
        "birth_date": st.none() | st.dates(dt.date(1910, 1, 1), dt.date(2026, 1, 1)),
        "thai": st.booleans(),
        "undocumented": st.booleans(),
        "disability_card": st.booleans(),
        "annual_income": st.none() | st.integers(0, 500_000),
        "occupation": st.none() | st.sampled_from(["ว่างงาน", "ค้าขาย"]),
        "household.income_per_person_year": st.none() | st.integers(0, 200_000),
        "household.income_per_person_month": st.none() | st.integers(0, 20_000),
        "household.tenure": st.none() | st.sampled_from(["rented", "public_land", "owned"]),
    }
)


@settings(max_examples=60, deadline=None)
@given(facts=facts, receiving=st.sets(st.sampled_from(["state_welfare_card", "old_age_allowance"])))
def test_the_compiled_batch_agrees_with_the_explaining_interpreter(facts, receiving):
    for rule in SHIPPED_RULES:
        compiled = rules.compile_value(rule, FACTS)(facts, lambda code: code in receiving)
        assert compiled == run(rule, receiving, **facts).value, rule
