"""The disclosure layer's algorithm at its boundaries (ppaos.lib.disclosure)."""

import pytest

from ppaos.lib.disclosure import WITHHELD, Table, grid, group, recording
from ppaos.lib.disclosure_check import recoverable


def _safe(published) -> None:
    for table in published:
        assert recoverable(table) == [], table.name


def test_threshold_minus_one_is_hidden_threshold_and_zero_are_shown():
    with recording() as published:
        parts, total = group("t", {"a": 4, "b": 5, "c": 0, "d": 20})
    assert parts["a"] is None
    assert parts["c"] == 0
    assert parts["d"] == 20
    # b (5) is the smallest other non-zero part: withheld, shown "*", never "< 5".
    assert parts["b"] is WITHHELD or total is WITHHELD
    _safe(published)


def test_nothing_small_nothing_hidden():
    parts, total = group("t", {"a": 5, "b": 0, "c": 9})
    assert parts == {"a": 5, "b": 0, "c": 9}
    assert total == 14


def test_single_hidden_cell_in_a_row_gets_a_partner():
    with recording() as published:
        parts, total = group("t", {"a": 2, "b": 30, "c": 40})
    hidden = [k for k, v in parts.items() if v is None or v is WITHHELD]
    assert total is WITHHELD or len(hidden) >= 2
    assert parts["a"] is None
    _safe(published)


def test_two_small_cells_that_add_up_to_a_giveaway_are_protected():
    # 4 + 4 = 8 with two "< 5" would pin both at 4.
    with recording() as published:
        parts, total = group("t", {"a": 4, "b": 4, "c": 50})
    assert parts["a"] is None and parts["b"] is None
    _safe(published)


def test_two_by_two_block():
    rows = {"r1": {"x": 2, "y": 10}, "r2": {"x": 10, "y": 10}}
    with recording() as published:
        shown = grid("g", rows, columns=["x", "y"])
    assert shown[("cell", "r1", "x")] is None
    assert sum(v is WITHHELD for v in shown.values()) >= 1
    _safe(published)


@pytest.mark.parametrize("seed", range(20))
def test_random_grids_leak_nothing(seed):
    import random

    rng = random.Random(seed)
    rows = {
        r: {c: rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 30]) for c in range(4)} for r in range(4)
    }
    with recording() as published:
        grid("g", rows, columns=range(4))
    _safe(published)


def test_exact_shows_everything_and_records_nothing():
    with recording() as published:
        parts, total = group("t", {"a": 1, "b": 9}, exact=True)
    assert parts == {"a": 1, "b": 9} and total == 10
    assert published == []


def test_table_without_sums_is_primary_only():
    table = Table("t")
    table.add("a", 3)
    table.add("b", 7)
    assert table.protect() == {"a": None, "b": 7}
