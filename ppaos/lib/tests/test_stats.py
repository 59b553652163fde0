import pytest

from ppaos.lib.stats import wilson


def test_wilson_matches_published_values():
    # Newcombe (1998), example: 81 of 263 → 0.3080, CI 0.2553–0.3662.
    result = wilson(81, 263)
    assert result.rate == pytest.approx(0.30798, abs=1e-4)
    assert result.low == pytest.approx(0.2553, abs=1e-4)
    assert result.high == pytest.approx(0.3662, abs=1e-4)


def test_wilson_at_the_edges_stays_inside_zero_one():
    zero = wilson(0, 10)
    assert zero.rate == 0 and zero.low == 0 and 0.2 < zero.high < 0.35
    full = wilson(10, 10)
    assert full.high == 1 and 0.65 < full.low < 0.8


def test_wilson_without_a_denominator():
    assert wilson(0, 0).rate is None


def test_wilson_rejects_impossible_counts():
    with pytest.raises(ValueError):
        wilson(5, 3)
