"""The k-anonymity generaliser of pseudonymised exports (issue 14, 8), on plain tables."""

import random
from collections import Counter

import pytest

from ppaos.lib import kanon

# Columns: pseudonym, community, khwaeng, members, score.
PLACE = kanon.place(1, 2)
MEMBERS = kanon.member_count(3)


def _rows(*groups):
    """(community, khwaeng, members, how many) → rows with a running pseudonym and score."""
    rows = []
    for community, khwaeng, members, count in groups:
        for _ in range(count):
            rows.append([f"p{len(rows)}", community, khwaeng, members, len(rows) / 10])
    return rows


def _classes(rows, *indices):
    return Counter(tuple(r[i] for i in indices) for r in rows)


def test_an_already_k_anonymous_table_is_unchanged():
    rows = _rows(("C1", "100801", 2, 3), ("C2", "100803", 5, 4))
    result = kanon.generalise(rows, (PLACE, MEMBERS), k=3)
    assert result.rows == rows
    assert result.levels == {"place": 0, "members": 0}
    assert result.k_reached == 3 and result.suppressed == 0


def test_a_class_of_k_minus_one_forces_generalisation():
    # C2 has two households of 4 and 5: alone on (community, members) for k = 3.
    rows = _rows(("C1", "100801", 2, 3), ("C1", "100801", 3, 3), ("C2", "100801", 4, 1))
    rows += _rows(("C2", "100801", 5, 2))
    result = kanon.generalise(rows, (PLACE, MEMBERS), k=3)
    assert result.suppressed == 0
    assert min(_classes(result.rows, 1, 2, 3).values()) >= 3
    assert result.k_reached == min(_classes(result.rows, 1, 2, 3).values())
    # Raising the household size to bands is enough; the community stays.
    assert result.levels == {"place": 0, "members": 1}
    # Only the quasi-identifiers change; the pseudonyms and scores are kept, in order.
    assert [r[0] for r in result.rows] == [r[0] for r in rows]
    assert [r[4] for r in result.rows] == [r[4] for r in rows]


def test_generalisation_follows_the_hierarchies():
    rows = _rows(("C1", "100801", 1, 2), ("C2", "100803", 7, 2))
    result = kanon.generalise(rows, (PLACE, MEMBERS), k=4)
    assert result.suppressed == 0
    assert {tuple(r[1:3]) for r in result.rows} <= {("*", "1008**"), ("*", "10****"), ("*", "*")}
    assert PLACE.at(1, ("C1", "100801")) == ("*", "100801")
    assert PLACE.at(2, ("C1", "100801")) == ("*", "1008**")
    assert PLACE.at(3, ("C1", "100801")) == ("*", "10****")
    assert PLACE.at(4, ("C1", "100801")) == ("*", "*")
    assert [MEMBERS.at(1, (n,))[0] for n in (1, 2, 3, 4, 5, 6, 9)] == [
        "1",
        "2–3",
        "2–3",
        "4–5",
        "4–5",
        "6+",
        "6+",
    ]
    assert MEMBERS.at(1, ("",)) == ("",) and MEMBERS.at(2, (3,)) == ("*",)
    age = kanon.age(0)
    assert [age.at(level, (37,))[0] for level in range(5)] == [37, "35–39", "30–39", "20–39", "*"]
    assert age.at(3, (85,)) == ("80+",)


def test_the_output_is_deterministic_whatever_the_row_order():
    rows = _rows(
        ("C1", "100801", 2, 4),
        ("C2", "100801", 3, 2),
        ("C3", "100803", 6, 3),
        ("C4", "100905", 1, 1),
        ("C4", "100905", 4, 5),
    )
    first = kanon.generalise(rows, (PLACE, MEMBERS), k=5)
    assert kanon.generalise(rows, (PLACE, MEMBERS), k=5) == first
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    again = kanon.generalise(shuffled, (PLACE, MEMBERS), k=5)
    assert again.levels == first.levels and again.suppressed == first.suppressed
    assert sorted(map(str, again.rows)) == sorted(map(str, first.rows))


def test_a_few_outliers_are_dropped_and_counted_rather_than_generalising_everyone():
    # 40 households in one community and one alone in another: dropping it (1 of 41, within
    # the limit) keeps every community code.
    rows = _rows(("C1", "100801", 2, 20), ("C1", "100801", 4, 20), ("C2", "100905", 9, 1))
    result = kanon.generalise(rows, (PLACE, MEMBERS), k=5)
    assert result.levels == {"place": 0, "members": 0}
    assert result.suppressed == 1 and len(result.rows) == 40
    assert "C2" not in {r[1] for r in result.rows}
    assert result.summary() == {
        "k": 5,
        "k_reached": 20,
        "levels": {"place": 0, "members": 0},
        "suppressed": 1,
        "rows": 40,
    }
    # With no room to drop anyone, the table is generalised instead.
    strict = kanon.generalise(rows, (PLACE, MEMBERS), k=5, suppression_limit=0)
    assert strict.suppressed == 0 and strict.levels["place"] > 0


def test_fewer_than_k_rows_are_all_dropped():
    rows = _rows(("C1", "100801", 2, 3))
    result = kanon.generalise(rows, (PLACE, MEMBERS), k=5)
    assert result.rows == [] and result.suppressed == 3 and result.k_reached is None
    assert result.levels == {"place": 4, "members": 2}


@pytest.mark.parametrize("k", [1, 2])
def test_k_of_one_or_two_on_unique_rows(k):
    rows = _rows(("C1", "100801", 1, 1), ("C2", "100803", 2, 1), ("C3", "100803", 3, 1))
    result = kanon.generalise(rows, (PLACE, MEMBERS), k=k)
    assert min(_classes(result.rows, 1, 2, 3).values()) >= k
    if k == 1:
        assert result.rows == rows


def test_a_category_groups_then_hides():
    tenure = kanon.category("tenure", 0, lambda v: "own" if v in ("owned", "house") else "other")
    assert tenure.top == 2
    assert tenure.at(1, ("house",)) == ("own",) and tenure.at(2, ("house",)) == ("*",)
    assert kanon.category("sex", 0).at(1, ("F",)) == ("*",)


def test_declared_quasi_identifiers_name_columns_of_the_pseudonymised_form():
    """A renamed column would otherwise fail only at export time."""
    from ppaos.lib import exports as lib

    declared = {name: s for name, s in lib.all_specs().items() if s.quasi_identifiers}
    assert {"households", "assessments"} <= set(declared)
    for spec in declared.values():
        headers = [str(c.header) for c in spec.columns_for(True)]
        for qi in spec.quasi_identifiers:
            assert all(str(h) in headers for h in qi.columns), (spec.name, qi.name)
