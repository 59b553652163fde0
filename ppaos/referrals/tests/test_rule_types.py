"""Rules are type-checked when saved: every fact has a declared type, every operator takes
arguments of its types, eligibility is true/false and an amount a number. Each operator is
tried at the edge of what it accepts."""

import pytest
from django.core.exceptions import ValidationError

from ppaos.referrals import rules
from ppaos.referrals.eligibility import FACTS
from ppaos.referrals.services import rule_check

AGE = {"var": "age"}
THAI = {"var": "thai"}
BORN = {"var": "birth_date"}
TENURE = {"var": "household.tenure"}


def refused(rule, expect=None) -> str:
    with pytest.raises(ValidationError) as error:
        rules.validate(rule, FACTS, expect)
    return error.value.messages[0]


def test_every_fact_declares_a_type():
    assert all(fact.type != rules.ANY for fact in FACTS.values())
    assert rules.check(AGE, FACTS) == rules.NUMBER
    assert rules.check(THAI, FACTS) == rules.BOOL
    assert rules.check(BORN, FACTS) == rules.DATE
    assert rules.check(TENURE, FACTS) == rules.STRING


@pytest.mark.parametrize(
    "rule",
    [
        {"between": [AGE, 3, 15]},
        {"between": [AGE, 3.5, 15]},
        {"between": [BORN, "2015-10-01", "2020-09-30"]},
        {"between": [AGE, {"var": "household.members"}, 15]},
    ],
)
def test_between_takes_numbers_or_dates(rule):
    assert rules.check(rule, FACTS, rules.BOOL) == rules.BOOL


@pytest.mark.parametrize(
    "rule, message",
    [
        ({"between": [AGE, "a", "z"]}, "'between' needs a date or a number as argument 2"),
        ({"between": [AGE, 3, "z"]}, "argument 3"),
        ({"between": [AGE, None, 15]}, "not null"),
        ({"between": [AGE, True, 15]}, "not true/false"),
        ({"between": [TENURE, "a", "z"]}, "argument 1"),
        ({"between": [AGE, "2015-10-01", 15]}, "mixes a number and a date"),
        ({"between": [AGE, 3]}, "takes 3 arguments, not 2"),
    ],
)
def test_between_refuses_text_nulls_and_mixed_bounds(rule, message):
    assert message in refused(rule)


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "min", "max"])
def test_arithmetic_takes_numbers_only(op):
    assert rules.check({op: [AGE, 2]}, FACTS) == rules.NUMBER
    assert f"'{op}' needs a number as argument 1, not text" in refused({op: ["x", 3]})
    assert "argument 2, not true/false" in refused({op: [AGE, THAI]})
    assert "not a date" in refused({op: [BORN, 1]})


def test_minus_and_divide_take_two_arguments():
    assert "takes 2 arguments, not 3" in refused({"-": [1, 2, 3]})
    assert "takes 2 arguments, not 1" in refused({"/": [1]})
    assert rules.check({"+": [1, 2, 3]}, FACTS) == rules.NUMBER


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
def test_ordering_takes_numbers_or_dates_of_one_type(op):
    assert rules.check({op: [AGE, 60]}, FACTS) == rules.BOOL
    assert rules.check({op: [BORN, "2015-10-01"]}, FACTS) == rules.BOOL
    assert "argument 2, not text" in refused({op: [AGE, "sixty"]})
    assert "argument 1, not text" in refused({op: [TENURE, "a"]})
    assert "argument 1, not true/false" in refused({op: [THAI, True]})
    assert "mixes a date and a number" in refused({op: [BORN, 2015]})


@pytest.mark.parametrize("op", ["==", "!="])
def test_equality_compares_like_with_like(op):
    assert rules.check({op: [TENURE, "public_land"]}, FACTS) == rules.BOOL
    assert rules.check({op: [AGE, 60]}, FACTS) == rules.BOOL
    assert rules.check({op: [THAI, False]}, FACTS) == rules.BOOL
    assert "mixes a number and text" in refused({op: [AGE, "60"]})
    assert "not a list" in refused({op: [AGE, [60]]})
    assert "not null" in refused({op: [AGE, None]})


def test_logic_takes_true_false():
    assert rules.check({"and": [THAI, {">=": [AGE, 60]}]}, FACTS) == rules.BOOL
    assert rules.check({"not": {"receiving": "x"}}, FACTS) == rules.BOOL
    assert "'and' needs true/false as argument 2, not a number" in refused({"and": [THAI, AGE]})
    assert "'or' needs true/false as argument 1, not text" in refused({"or": ["yes"]})
    assert "'not' needs true/false" in refused({"not": 1})
    assert "at least 1" in refused({"and": []})


def test_in_takes_a_list_of_the_same_type():
    assert rules.check({"in": [TENURE, ["public_land", "rented"]]}, FACTS) == rules.BOOL
    assert rules.check({"in": [AGE, [60, 70]]}, FACTS) == rules.BOOL
    assert "mixes text and a number" in refused({"in": [TENURE, ["public_land", 3]]})
    assert "list of values" in refused({"in": [TENURE, "public_land"]})
    assert "not a list" in refused({"in": [TENURE, [["a"]]]})


def test_tiers_take_a_number_and_a_table_of_number_steps():
    table = [[60, 600], [70, 700]]
    assert rules.check({"tiers": [AGE, table]}, FACTS, rules.NUMBER) == rules.NUMBER
    assert "'tiers' needs a number as argument 1, not text" in refused({"tiers": [TENURE, table]})
    assert "argument 2, not text" in refused({"tiers": [AGE, [["60", 600]]]})
    assert "plain values" in refused({"tiers": [AGE, [[60, {"var": "age"}]]]})
    assert "mixes a number and text" in refused({"tiers": [AGE, [[60, 600], [70, "x"]]]})
    assert "tiers" in refused({"tiers": [AGE, [600]]})


def test_if_takes_true_false_conditions_and_branches_of_one_type():
    amount = {"if": [{"<": [AGE, 18]}, 1000, 800]}
    assert rules.check(amount, FACTS, rules.NUMBER) == rules.NUMBER
    assert rules.check({"if": [THAI, 1, None]}, FACTS) == rules.NUMBER
    assert "'if' needs true/false as argument 1, not a number" in refused({"if": [AGE, 1, 2]})
    assert "mixes a number and text" in refused({"if": [THAI, 1, "x"]})


def test_the_whole_rule_has_the_type_its_field_needs():
    assert "gives a number where true/false is needed" in refused(AGE, rules.BOOL)
    assert "gives true/false where a number is needed" in refused(THAI, rules.NUMBER)
    with pytest.raises(ValidationError) as error:
        rule_check({"+": [AGE, 1]}, rules.BOOL)
    assert "true/false" in error.value.messages[0]
    rule_check(600, rules.NUMBER)
    rule_check(None, rules.BOOL)


def test_facts_and_values_a_rule_cannot_use():
    assert "unknown fact" in refused({"var": ["age"]})
    assert "not a number a rule can use" in refused({">=": [AGE, float("nan")]})
    assert "exactly one key" in refused({"and": [{}]})


def test_deep_nesting_is_refused_not_a_crash():
    deep = THAI
    for _ in range(rules.MAX_DEPTH + 5):
        deep = {"not": deep}
    assert "nested too deeply" in refused(deep)
    very_deep: list = []
    for _ in range(5000):
        very_deep = [very_deep]
    assert "nested too deeply" in refused(very_deep)


def test_every_shipped_rule_passes_the_type_check():
    import json

    from ppaos.referrals.services import DEFAULT_CATALOGUE

    shipped = json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    for service in shipped["services"]:
        for rule in service["rules"]:
            rule_check(rule["eligibility"], rules.BOOL)
            rule_check(rule["amount"], rules.NUMBER)
