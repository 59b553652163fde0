"""The transition matrix and its totals against a hand-computed example."""

from decimal import Decimal

import pytest

from ppaos.livelihoods import mobility, selectors, services
from ppaos.livelihoods.tests.factories import assess, head, household_with_head, programme

pytestmark = pytest.mark.django_db

# (level in 2568-1, level in 2568-2) for ten households of community A.
PAIRS = [(1, 1), (1, 2), (1, 2), (2, 2), (2, 3), (2, 1), (3, 3), (3, 3), (4, 3), (None, 2)]


@pytest.fixture
def assessed(communities, coordinator):
    households = []
    for n, (before, after) in enumerate(PAIRS, start=1):
        household, _person = household_with_head(coordinator, communities["A"], 100 + n)
        assess(household, "2568-1", before)
        assess(household, "2568-2", after)
        households.append(household)
    # Only in the later round: not in the matrix.
    lone, _ = household_with_head(coordinator, communities["A"], 200)
    assess(lone, "2568-2", 4)
    # Another community: never counted for A.
    other, _ = household_with_head(coordinator, communities["C"], 201)
    assess(other, "2568-1", 1)
    assess(other, "2568-2", 4)
    return households


def test_matrix_matches_hand_count(assessed, communities):
    result = selectors.community_mobility(community_id=communities["A"].pk)
    assert (result["from_round"], result["to_round"]) == ("2568-1", "2568-2")
    labels = [row["label"] for row in result["matrix"]]
    assert labels == ["อยู่ลำบาก", "อยู่ยาก", "อยู่พอได้", "อยู่ดี", "ไม่มีคะแนน"]
    matrix = {row["level"]: row["counts"] for row in result["matrix"]}
    assert matrix[1] == {"1": 1, "2": 2, "3": 0, "4": 0, "None": 0}
    assert matrix[2] == {"1": 1, "2": 1, "3": 1, "4": 0, "None": 0}
    assert matrix[3] == {"1": 0, "2": 0, "3": 2, "4": 0, "None": 0}
    assert matrix[4] == {"1": 0, "2": 0, "3": 1, "4": 0, "None": 0}
    assert matrix[None]["2"] == 1
    # Up: 1→2 twice, 2→3; down: 2→1, 4→3; same: 1→1, 2→2, 3→3 twice; no score: one.
    assert (result["graduated"], result["fell_back"], result["same"]) == (3, 2, 4)
    assert result["unscored"] == 1
    assert result["households"] == 10


def test_rounds_can_be_chosen_and_reversed(assessed, communities):
    result = selectors.community_mobility(
        community_id=communities["A"].pk, from_round="2568-2", to_round="2568-1"
    )
    assert (result["graduated"], result["fell_back"]) == (2, 3)
    # A single round: nothing to compare.
    empty = selectors.community_mobility(
        community_id=communities["A"].pk, from_round="2568-1", to_round="2568-1"
    )
    assert empty["from_round"] is None and empty["matrix"] == []


def test_round_pair_defaults_to_latest_two():
    rounds = ["2569-1", "2568-1", "2568-2"]
    assert mobility.round_pair(rounds, None, None) == ("2568-2", "2569-1")
    assert mobility.round_pair(rounds, "2568-1", None) == ("2568-1", "2569-1")
    assert mobility.round_pair(rounds, "nope", "2568-2") == ("2568-1", "2568-2")
    assert mobility.round_pair([], None, None) == (None, None)


def test_level_names_follow_the_language(assessed, communities, settings):
    from django.utils import translation

    with translation.override("en"):
        result = selectors.community_mobility(community_id=communities["A"].pk)
    assert [r["label"] for r in result["matrix"]][:4] == [
        "Struggling",
        "Hard",
        "Getting by",
        "Well",
    ]


def test_income_change_median_and_programme_matrix(assessed, communities, coordinator):
    p = programme(coordinator, [communities["A"]])
    for household, (before, after) in zip(
        assessed[:3], [(3000, 4000), (2000, 2500), (1000, 900)], strict=True
    ):
        e = services.enrolment_create(actor=coordinator, programme=p, person=head(household))
        services.income_record(
            actor=coordinator, enrolment=e, data={"round_name": "2568-1", "monthly_income": before}
        )
        services.income_record(
            actor=coordinator, enrolment=e, data={"round_name": "2568-2", "monthly_income": after}
        )
    result = selectors.programme_mobility(user=coordinator, programme=p)
    # The first three households: 1→1, 1→2, 1→2.
    assert (result.graduated, result.same, result.fell_back) == (2, 1, 0)
    assert result.income_people == 3
    assert result.income_change_median == Decimal("500.00")
    book = selectors.community_programmes(community_id=communities["A"].pk)
    assert book[0]["enrolled_households"] == 3
    assert book[0]["median_latest_income"] == Decimal("2500.00")
    assert book[0]["latest_income_round"] == "2568-2"
    assert [s["people"] for s in book[0]["stages"]] == [0, 0, 0]
    assert selectors.community_programmes(community_id=communities["C"].pk) == []


def test_researcher_sees_small_counts_suppressed(assessed, communities, researcher, coordinator):
    hidden = selectors.area_mobility(user=researcher, community=communities["A"])
    shown = selectors.area_mobility(user=coordinator, community=communities["A"])
    assert shown.graduated == 3 and hidden.graduated is None
    assert shown.households == 10 and hidden.households == 10
    assert hidden.suppressed and not shown.suppressed
    cells = [c for row in hidden.rows for c in row.cells]
    assert 0 in cells and None in cells and all(c is None or c == 0 or c >= 5 for c in cells)
