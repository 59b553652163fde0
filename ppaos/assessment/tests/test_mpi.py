"""Tests for the Alkire–Foster core (pure; no database)."""

from __future__ import annotations

import dataclasses
import json
import math
from decimal import Decimal
from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ppaos.assessment.mpi import (
    GroupMPIResult,
    MPIResult,
    alkire_foster,
    deprivations_from_achievements,
    to_fraction,
)

# ---------------------------------------------------------------------------------------------
# Reference test A: Alkire & Foster (2011) §2 example, 4 people x 4 dimensions, equal weights.
# Values from docs stack.md §1 (exact fractions); the paper reports H=1/2, A=3/4, M0=3/8 at k=2.
# ---------------------------------------------------------------------------------------------

AF_Y = [
    [13.1, 14, 4, 1],
    [15.2, 7, 5, 0],
    [12.5, 10, 1, 0],
    [20, 11, 3, 1],
]
AF_Z = [13, 12, 3, 1]
AF_G0 = [[0, 0, 0, 0], [0, 1, 0, 1], [1, 1, 1, 1], [0, 1, 0, 0]]
AF_W = [F(1, 4)] * 4
AF_UNCENSORED = [F(1, 4), F(3, 4), F(1, 4), F(1, 2)]

# k as a count of the 4 dimensions -> (H, A, M0, censored h_j(k), contributions)
AF_TABLE = {
    1: (F(3, 4), F(7, 12), F(7, 16), [F(1, 4), F(3, 4), F(1, 4), F(1, 2)], [1, 3, 1, 2], 7),
    2: (F(1, 2), F(3, 4), F(3, 8), [F(1, 4), F(1, 2), F(1, 4), F(1, 2)], [1, 2, 1, 2], 6),
    3: (F(1, 4), F(1), F(1, 4), [F(1, 4)] * 4, [1, 1, 1, 1], 4),
    4: (F(1, 4), F(1), F(1, 4), [F(1, 4)] * 4, [1, 1, 1, 1], 4),
}


def test_af2011_deprivation_matrix_from_achievements():
    g0 = deprivations_from_achievements(AF_Y, AF_Z)
    assert g0 == AF_G0
    result = alkire_foster(g0, AF_W, F(1, 2))
    assert result.scores.tolist() == [0, 0.5, 1, 0.25]


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_af2011_reference_table(count):
    h, a, m0, censored, contrib_num, contrib_den = AF_TABLE[count]
    result = alkire_foster(AF_G0, AF_W, F(count, 4))
    assert (result.H_exact, result.A_exact, result.M0_exact) == (h, a, m0)
    as_floats = (float(h), float(a), float(m0))
    assert as_floats == (result.H, result.A, result.M0)
    assert result.M0_exact == result.H_exact * result.A_exact
    assert list(result.uncensored_headcounts.values()) == [float(x) for x in AF_UNCENSORED]
    assert list(result.censored_headcounts.values()) == [float(x) for x in censored]
    expected = [F(c, contrib_den) for c in contrib_num]
    assert list(result.contributions.values()) == [float(x) for x in expected]
    assert sum(expected) == 1


def test_af2011_contribution_percentages_match_published_rounding():
    # stack.md table: 14.29/42.86/14.29/28.57 (union) and 16.67/33.33/16.67/33.33 (k = 2).
    union = alkire_foster(AF_G0, AF_W, 0.25).contributions.values()
    assert [round(100 * c, 2) for c in union] == [14.29, 42.86, 14.29, 28.57]
    k2 = alkire_foster(AF_G0, AF_W, 0.5).contributions.values()
    assert [round(100 * c, 2) for c in k2] == [16.67, 33.33, 16.67, 33.33]


def test_af2011_k_given_as_float_share_and_paper_weights_rescaled():
    # The paper uses weights summing to d = 4 and k = 2 dimensions; as shares that is 1/4, 1/2.
    result = alkire_foster(np.array(AF_G0, dtype=bool), [0.25] * 4, 0.5)
    assert (result.H, result.A, result.M0) == (0.5, 0.75, 0.375)
    assert result.poor.tolist() == [False, True, True, False]


def test_af2011_subgroup_decomposition():
    result = alkire_foster(AF_G0, AF_W, F(1, 2), groups=["first", "first", "second", "second"])
    first, second = result.groups["first"], result.groups["second"]
    assert isinstance(first, GroupMPIResult)
    assert (first.M0_exact, second.M0_exact) == (F(1, 4), F(1, 2))
    assert first.population_share == second.population_share == 0.5
    assert (first.contribution_to_M0, second.contribution_to_M0) == (float(F(1, 3)), float(F(2, 3)))
    assert F(1, 2) * first.M0_exact + F(1, 2) * second.M0_exact == result.M0_exact == F(3, 8)
    # Person 4 (deprived in 1 of 4) is censored out of the second group.
    assert second.poor.tolist() == [True, False]
    assert second.censored_headcounts == {0: 0.5, 1: 0.5, 2: 0.5, 3: 0.5}
    assert second.uncensored_headcounts == {0: 0.5, 1: 1.0, 2: 0.5, 3: 0.5}


# ---------------------------------------------------------------------------------------------
# Reference test B: yng-me/mpindex tests/testthat/test-compute-mpi.R (df_simple / specs_simple).
# ---------------------------------------------------------------------------------------------


def test_mpindex_simple_example():
    df = pd.DataFrame(
        {"a1": [0, 1, 1, 0], "a2": [0, 0, 1, 1], "b1": [0, 0, 1, 0], "b2": [0, 1, 1, 0]}
    )
    result = alkire_foster(df, {"a1": 1 / 4, "a2": 1 / 4, "b1": 1 / 4, "b2": 1 / 4}, 1 / 2)
    assert result.indicators == ("a1", "a2", "b1", "b2")
    assert result.H == 0.5
    assert result.A == 0.75
    assert result.M0 == 0.375
    assert result.A * result.H == result.M0
    assert sum(100 * c for c in result.contributions.values()) == pytest.approx(100, abs=1e-3)


# ---------------------------------------------------------------------------------------------
# The floating-point trap: a person exactly at k must be poor.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "m", "k"),
    [
        (6, 5, 5 / 6),  # five weights of 1/6 sum to 0.8333333333333333 < 0.8333333333333334
        (10, 8, 0.8),  # eight weights of 0.1 sum to 0.7999999999999999 < 0.8
        (6, 6, 1.0),  # intersection: six weights of 1/6 sum to 0.9999999999999999 < 1
        (12, 6, 0.5),  # six weights of 1/12 sum to 0.49999999999999994 < 0.5
    ],
)
def test_person_exactly_at_k_is_poor_despite_float_rounding(d, m, k):
    weights = [1 / d] * d
    person = [1] * m + [0] * (d - m)
    matrix = np.array([person, [0] * d])
    # The naive float computation gets it wrong, which is the point of this test ...
    assert not (matrix[0] @ np.array(weights) >= k)
    # ... and the exact comparison gets it right.
    result = alkire_foster(matrix, weights, k)
    assert result.poor.tolist() == [True, False]
    assert result.H_exact == F(1, 2)
    assert result.A_exact == F(m, d)
    assert result.k == F(m, d)


def test_score_just_below_k_is_not_poor():
    # 2/3 - 1/300 is far below any float noise but still below k.
    weights = [F(1, 3) - F(1, 300), F(1, 3) + F(1, 300), F(1, 3)]
    result = alkire_foster([[1, 0, 1], [0, 1, 1]], weights, F(2, 3))
    assert result.poor.tolist() == [False, True]


# ---------------------------------------------------------------------------------------------
# Property tests against a naive exact (per-row Fraction) oracle.
# ---------------------------------------------------------------------------------------------


def naive_af(matrix, weights, k):
    """Straightforward, loop-based AF with Fractions; the test oracle."""
    n, d = len(matrix), len(weights)
    scores = [sum((w for w, g in zip(weights, row, strict=True) if g), F(0)) for row in matrix]
    poor = [s >= k for s in scores]
    q = sum(poor)
    censored = [sum(1 for i in range(n) if poor[i] and matrix[i][j]) for j in range(d)]
    total = sum((s for s, p in zip(scores, poor, strict=True) if p), F(0))
    m0 = total / n
    return {
        "scores": scores,
        "poor": poor,
        "H": F(q, n),
        "A": total / q if q else F(0),
        "M0": m0,
        "uncensored": [F(sum(row[j] for row in matrix), n) for j in range(d)],
        "censored": [F(c, n) for c in censored],
        "contributions": [
            w * F(c, n) / m0 if m0 else F(0) for w, c in zip(weights, censored, strict=True)
        ],
    }


@st.composite
def af_problems(draw, max_rows=25, max_cols=6):
    d = draw(st.integers(1, max_cols))
    raw = draw(st.lists(st.integers(1, 12), min_size=d, max_size=d))
    weights = [F(r, sum(raw)) for r in raw]
    n = draw(st.integers(1, max_rows))
    matrix = draw(
        st.lists(st.lists(st.integers(0, 1), min_size=d, max_size=d), min_size=n, max_size=n)
    )
    # Attainable scores (boundary cases) or any fraction in (0, 1].
    attainable = sorted(
        {sum((w for w, g in zip(weights, row, strict=True) if g), F(0)) for row in matrix} - {0}
    )
    any_k = st.fractions(min_value=0, max_value=1, max_denominator=60).filter(lambda x: x > 0)
    k = draw(st.sampled_from(attainable) | any_k if attainable else any_k)
    groups = draw(st.lists(st.sampled_from("ABC"), min_size=n, max_size=n))
    return matrix, weights, k, groups


@settings(max_examples=150, deadline=None)
@given(af_problems())
def test_matches_naive_oracle_and_core_identities(problem):
    matrix, weights, k, _ = problem
    result = alkire_foster(matrix, weights, k)
    expected = naive_af(matrix, weights, k)
    assert result.poor.tolist() == expected["poor"]
    assert result.scores.tolist() == [float(s) for s in expected["scores"]]
    assert (result.H_exact, result.A_exact, result.M0_exact) == (
        expected["H"],
        expected["A"],
        expected["M0"],
    )
    assert list(result.uncensored_headcounts.values()) == [float(x) for x in expected["uncensored"]]
    assert list(result.censored_headcounts.values()) == [float(x) for x in expected["censored"]]
    assert list(result.contributions.values()) == [float(x) for x in expected["contributions"]]
    # M0 = H * A (exactly, and as floats up to rounding).
    assert result.M0_exact == result.H_exact * result.A_exact
    assert math.isclose(result.M0, result.H * result.A, rel_tol=1e-12, abs_tol=1e-15)
    # Contributions sum to 1 when someone is poor, else all zero.
    if result.M0 > 0:
        assert sum(result.contributions.values()) == pytest.approx(1, rel=1e-12)
    else:
        assert set(result.contributions.values()) == {0.0}
        assert result.A == 0
    # Censoring only removes deprivations; M0 is the weighted sum of censored headcounts.
    for j, name in enumerate(result.indicators):
        assert result.censored_headcounts[name] <= result.uncensored_headcounts[name]
        assert result.weights[name] == weights[j]
    assert sum(
        w * F(result.censored_headcounts[name]) for name, w in result.weights.items()
    ) == pytest.approx(result.M0, rel=1e-12, abs=1e-15)


@settings(max_examples=100, deadline=None)
@given(af_problems())
def test_subgroup_decomposability(problem):
    matrix, weights, k, groups = problem
    result = alkire_foster(matrix, weights, k, groups=groups)
    assert list(result.groups) == sorted(set(groups))
    assert sum(g.n for g in result.groups.values()) == result.n
    exact = sum((F(g.n, result.n) * g.M0_exact for g in result.groups.values()), F(0))
    assert exact == result.M0_exact
    floats = sum(g.population_share * g.M0 for g in result.groups.values())
    assert floats == pytest.approx(result.M0, rel=1e-12, abs=1e-15)
    assert sum(g.population_share for g in result.groups.values()) == pytest.approx(1)
    if result.M0 > 0:
        assert sum(g.contribution_to_M0 for g in result.groups.values()) == pytest.approx(1)
    for label, group in result.groups.items():
        rows = [row for row, g in zip(matrix, groups, strict=True) if g == label]
        alone = alkire_foster(rows, weights, k)
        assert (group.H_exact, group.A_exact, group.M0_exact) == (
            alone.H_exact,
            alone.A_exact,
            alone.M0_exact,
        )
        assert group.contributions == alone.contributions
        assert group.censored_headcounts == alone.censored_headcounts
        assert group.poor.tolist() == alone.poor.tolist()
        assert group.scores.tolist() == alone.scores.tolist()


@settings(max_examples=100, deadline=None)
@given(af_problems(), st.lists(st.fractions(0, 1, max_denominator=60), min_size=2, max_size=6))
def test_monotone_in_k(problem, ks):
    matrix, weights, _, _ = problem
    ks = sorted({k for k in ks if k > 0})
    results = [alkire_foster(matrix, weights, k) for k in ks]
    for low, high in zip(results, results[1:], strict=False):
        assert high.H_exact <= low.H_exact
        assert high.M0_exact <= low.M0_exact
        assert not (high.poor & ~low.poor).any()  # the poor at higher k are poor at lower k


@settings(max_examples=100, deadline=None)
@given(af_problems())
def test_union_and_intersection_approaches(problem):
    matrix, weights, _, _ = problem
    deprived = np.array(matrix, dtype=bool)
    union = alkire_foster(matrix, weights, min(weights))
    assert union.poor.tolist() == deprived.any(axis=1).tolist()
    assert union.censored_headcounts == union.uncensored_headcounts
    intersection = alkire_foster(matrix, weights, 1)
    assert intersection.poor.tolist() == deprived.all(axis=1).tolist()


@settings(max_examples=60, deadline=None)
@given(af_problems())
def test_float_weights_and_k_mean_the_same_fractions(problem):
    matrix, weights, k, groups = problem
    exact = alkire_foster(matrix, weights, k, groups=groups)
    floats = alkire_foster(matrix, [float(w) for w in weights], float(k), groups=groups)
    assert floats.k == k
    assert list(floats.weights.values()) == weights
    assert floats.poor.tolist() == exact.poor.tolist()
    assert floats == exact  # dataclass equality ignores the arrays, compares everything else


# ---------------------------------------------------------------------------------------------
# Input types and conversion
# ---------------------------------------------------------------------------------------------


def test_accepts_dataframe_array_and_lists_alike():
    df = pd.DataFrame(AF_G0, columns=["income", "edu", "health", "water"], index=[10, 11, 12, 13])
    by_frame = alkire_foster(df, AF_W, F(1, 2))
    assert by_frame.indicators == ("income", "edu", "health", "water")
    assert by_frame.contributions["edu"] == float(F(1, 3))
    for data in (AF_G0, np.array(AF_G0), np.array(AF_G0, dtype=bool), np.array(AF_G0, float)):
        other = alkire_foster(data, AF_W, F(1, 2))
        assert other.indicators == (0, 1, 2, 3)
        assert list(other.contributions.values()) == list(by_frame.contributions.values())
        assert other.M0_exact == by_frame.M0_exact
    booleans = df.astype(bool).assign(water=df["water"].astype("Int64"))  # mixed dtypes
    assert alkire_foster(booleans, AF_W, F(1, 2)).M0_exact == F(3, 8)


def test_weights_by_name_are_aligned_not_positional():
    df = pd.DataFrame(AF_G0, columns=["a", "b", "c", "d"])
    weights = pd.Series({"d": F(1, 2), "c": F(1, 6), "b": F(1, 6), "a": F(1, 6)})
    result = alkire_foster(df, weights, F(1, 2))
    assert result.weights == {"a": F(1, 6), "b": F(1, 6), "c": F(1, 6), "d": F(1, 2)}
    # Person 2 is deprived in b (1/6) and d (1/2): score 2/3; person 4 only in b: 1/6.
    assert result.scores.tolist() == [0, float(F(2, 3)), 1, float(F(1, 6))]


def test_mixed_number_types_for_weights_and_k():
    weights = [F(1, 6), "1/6", Decimal("0.5"), np.float64(1 / 6)]
    result = alkire_foster(AF_G0, weights, "1/2")
    assert list(result.weights.values()) == [F(1, 6), F(1, 6), F(1, 2), F(1, 6)]
    assert alkire_foster([[1]], [1], 1).H == 1.0
    assert alkire_foster([[1]], np.array([1.0]), np.int64(1)).H == 1.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, F(1, 10)),
        (1 / 3, F(1, 3)),
        (1 / 18, F(1, 18)),
        (0.2, F(1, 5)),
        (1, F(1)),
        (np.float32(0.1), F(1, 10)),
        ("1/3", F(1, 3)),
        (" 0.25 ", F(1, 4)),
        (Decimal("0.1234567"), F(1234567, 10**7)),
        (F(1, 7919), F(1, 7919)),
    ],
)
def test_to_fraction(value, expected):
    assert to_fraction(value) == expected


@pytest.mark.parametrize("value", [True, float("nan"), float("inf"), "a third", None, [0.5]])
def test_to_fraction_rejects(value):
    with pytest.raises(ValueError):
        to_fraction(value)


def test_huge_common_denominator_uses_exact_python_integers():
    # Prime denominators near 10**6: their LCM (~10**24) does not fit int64.
    w = [F(1, 999983), F(1, 999979), F(1, 999961) + F(1, 999953)]
    weights = [*w, 1 - sum(w)]
    assert math.lcm(*(x.denominator for x in weights)) > 2**63
    matrix = [[1, 1, 1, 0], [0, 0, 0, 1], [1, 1, 0, 1], [1, 0, 0, 1], [0, 0, 0, 0]]
    k = weights[3] + w[0]  # exactly the score of the fourth row; the third is above it
    result = alkire_foster(matrix, weights, k, groups=["x", "y", "x", "y", "y"])
    expected = naive_af(matrix, weights, k)
    assert result.poor.tolist() == expected["poor"] == [False, False, True, True, False]
    assert result.M0_exact == expected["M0"]
    assert list(result.contributions.values()) == [float(x) for x in expected["contributions"]]
    assert result.scores.dtype == np.float64


def test_nobody_poor():
    result = alkire_foster([[0, 1], [0, 0]], [0.5, 0.5], 1, groups=[1, 2])
    assert (result.H, result.A, result.M0) == (0.0, 0.0, 0.0)
    assert result.contributions == {0: 0.0, 1: 0.0}
    assert result.uncensored_headcounts == {0: 0.0, 1: 0.5}
    assert result.censored_headcounts == {0: 0.0, 1: 0.0}
    assert {g.contribution_to_M0 for g in result.groups.values()} == {0.0}


def test_result_is_frozen_with_read_only_arrays_and_json_summary():
    result = alkire_foster(AF_G0, AF_W, 0.5, groups=np.array([1, 1, 2, 2]))
    assert isinstance(result, MPIResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.H = 0  # type: ignore[misc]
    with pytest.raises(ValueError):
        result.poor[0] = True
    with pytest.raises(ValueError):
        result.groups[1].scores[0] = 0.0
    assert list(result.groups) == [1, 2]  # numpy labels become plain Python ints
    summary = json.loads(json.dumps(result.summary()))
    assert summary["M0"] == 0.375
    assert summary["k"] == "1/2"
    assert summary["groups"]["2"]["contribution_to_M0"] == pytest.approx(2 / 3)
    assert "scores" not in repr(result)


def test_group_rows_keep_input_order():
    result = alkire_foster(AF_G0, AF_W, F(1, 4), groups=pd.Series(["b", "a", "b", "a"]))
    assert list(result.groups) == ["a", "b"]
    assert result.groups["a"].scores.tolist() == [0.5, 0.25]
    assert result.groups["b"].scores.tolist() == [0.0, 1.0]
    assert result.groups["b"].poor.tolist() == [False, True]


def test_million_rows_vectorised():
    rng = np.random.default_rng(20110101)
    matrix = rng.random((1_000_000, 10)) < 0.3
    weights = [0.1] * 10  # k = 0.3: poor iff deprived in >= 3 indicators (float sums would slip)
    groups = rng.integers(0, 77, size=len(matrix))
    result = alkire_foster(matrix, weights, 0.3, groups=groups)
    counts = matrix.sum(axis=1)
    poor = counts >= 3
    assert np.array_equal(result.poor, poor)
    assert result.n_poor == int(poor.sum())
    assert result.M0_exact == F(int(counts[poor].sum()), 10 * len(matrix))
    assert len(result.groups) == 77
    assert sum(F(g.n, result.n) * g.M0_exact for g in result.groups.values()) == result.M0_exact


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deprivations", "match"),
    [
        ([[0, 2], [1, 0]], "only 0 and 1"),
        ([[0, 0.5], [1, 0]], "only 0 and 1"),
        ([[0, -1], [1, 0]], "only 0 and 1"),
        ([[0, float("nan")], [1, 0]], "NaN"),
        ([[0, None], [1, 0]], "missing"),
        ([["0", "1"], ["1", "0"]], "numeric"),
        (np.array([[0, "1"], [1, 0]], dtype=object), "strings"),
        ([[0, 1], [1]], "rectangular|2-D"),
        ([0, 1], "2-D"),
        (np.zeros((0, 2)), "no rows"),
        (pd.DataFrame({"a": [0, pd.NA], "b": [1, 0]}, dtype="Int64"), "missing"),
        (pd.DataFrame({"a": [0.0, np.nan], "b": [1, 0]}), "missing"),
        (pd.DataFrame({"a": ["x", "y"], "b": [1, 0]}), "numeric"),
        (pd.DataFrame([[0, 1], [1, 0]], columns=["a", "a"]), "duplicate"),
    ],
)
def test_rejects_bad_deprivations(deprivations, match):
    with pytest.raises(ValueError, match=match):
        alkire_foster(deprivations, [0.5, 0.5], 0.5)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([0.5, 0.4], "sum to exactly 1"),
        ([F(1, 3), F(1, 3)], "sum to exactly 1"),
        ([1.5, -0.5], "> 0"),
        ([1, 0], "> 0"),
        ([0.5, 0.25, 0.25], "3 weights for 2 indicators"),
        ([1], "1 weights for 2 indicators"),
        ([[0.5, 0.5]], "1-D"),
        ("0.5", "1-D"),
        ([0.5, float("nan")], "finite"),
        ([0.5, True], "boolean"),
        ({"a": 0.5, "b": 0.5}, "missing \\[0, 1\\]"),
    ],
)
def test_rejects_bad_weights(weights, match):
    with pytest.raises(ValueError, match=match):
        alkire_foster([[0, 1], [1, 0]], weights, 0.5)


def test_rejects_misnamed_weights_for_dataframe():
    df = pd.DataFrame({"a": [0, 1], "b": [1, 1]})
    with pytest.raises(ValueError, match="missing \\['b'\\], unexpected \\['c'\\]"):
        alkire_foster(df, {"a": 0.5, "c": 0.5}, 0.5)


@pytest.mark.parametrize("k", [0, 0.0, -0.5, 1.5, 2, F(5, 4), 1e-9, float("nan"), True, "x"])
def test_rejects_k_outside_unit_interval(k):
    with pytest.raises(ValueError, match="k"):
        alkire_foster([[0, 1], [1, 0]], [0.5, 0.5], k)


@pytest.mark.parametrize(
    ("groups", "match"),
    [
        (["a"], "1 labels for 2 rows"),
        (["a", None], "missing"),
        ([["a"], ["b"]], "one-dimensional"),
        ("ab", "not a string"),
    ],
)
def test_rejects_bad_groups(groups, match):
    with pytest.raises(ValueError, match=match):
        alkire_foster([[0, 1], [1, 0]], [0.5, 0.5], 0.5, groups=groups)


# ---------------------------------------------------------------------------------------------
# deprivations_from_achievements
# ---------------------------------------------------------------------------------------------


def test_achievements_dataframe_round_trip():
    df = pd.DataFrame(AF_Y, columns=["income", "schooling", "bmi", "water"], index=list("pqrs"))
    g0 = deprivations_from_achievements(df, {"water": 1, "bmi": 3, "income": 13, "schooling": 12})
    assert isinstance(g0, pd.DataFrame)
    assert list(g0.columns) == list(df.columns)
    assert list(g0.index) == list("pqrs")
    assert g0.to_numpy().tolist() == AF_G0
    assert set(g0.dtypes) == {np.dtype(np.int8)}
    assert alkire_foster(g0, AF_W, F(1, 2)).M0_exact == F(3, 8)


def test_achievements_numpy_and_strict_less_than():
    y = np.array([[1.0, 5], [0.999, 4], [2, 6]])
    g = deprivations_from_achievements(y, np.array([1, 5]))
    assert isinstance(g, np.ndarray)
    assert g.shape == y.shape
    assert g.tolist() == [[0, 0], [1, 1], [0, 0]]  # equal to the cutoff is not deprived


@pytest.mark.parametrize(
    ("achievements", "cutoffs", "match"),
    [
        ([[1.0, float("nan")]], [1, 1], "NaN"),
        ([[1.0, None]], [1, 1], "missing"),
        ([[1.0, 2.0]], [1], "1 cutoffs for 2 columns"),
        ([[1.0, 2.0]], [1, float("nan")], "NaN"),
        ([[1.0, 2.0]], [1, "2"], "real number"),
        ([1.0, 2.0], [1, 2], "2-D"),
        (pd.DataFrame({"a": [1.0]}), {"b": 1}, "missing \\['a'\\]"),
    ],
)
def test_achievements_validation(achievements, cutoffs, match):
    with pytest.raises(ValueError, match=match):
        deprivations_from_achievements(achievements, cutoffs)


def test_polars_frames_when_installed():
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"income": [13.1, 15.2, 12.5, 20.0], "schooling": [14, 7, 10, 11]})
    g0 = deprivations_from_achievements(frame, [13, 12])
    assert isinstance(g0, pl.DataFrame)
    assert g0.columns == ["income", "schooling"]
    assert g0.to_numpy().tolist() == [[0, 0], [0, 1], [1, 1], [0, 1]]
    result = alkire_foster(g0, {"income": 0.5, "schooling": 0.5}, 1)
    assert result.indicators == ("income", "schooling")
    assert result.poor.tolist() == [False, False, True, False]
    with pytest.raises(ValueError, match="missing"):
        alkire_foster(pl.DataFrame({"a": [1, None]}), [1], 1)
