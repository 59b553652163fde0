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


# One decision over many linked sums (ppaos.lib.disclosure.decide): an area hierarchy ---------


def test_group_ranges_agree_with_derive():
    import math
    import random

    from ppaos.lib.disclosure import _derive, _group_ranges, _terms

    rng = random.Random(7)
    for _case in range(300):
        members = [f"k{i}" for i in range(rng.randint(2, 6))]
        cells = {k: rng.randint(0, 30) for k in members}
        bounds = {}
        for k in members:
            kind = rng.choice(["shown", "small", "star", "narrow"])
            if kind == "small":
                bounds[k] = (1, 4)
            elif kind == "star":
                bounds[k] = (5, math.inf)
            elif kind == "narrow":
                bounds[k] = (2, 9)
        everything = {k: bounds.get(k, (cells[k], cells[k])) for k in members}
        terms = _terms(members[:-1], members[-1])
        for k, (lo, hi) in _group_ranges(members, bounds, cells):
            assert (lo, hi) == pytest.approx(_derive(terms, everything, k)), (members, k)


def _tree(rng, *, fanout=(1, 4), depth=3, small=0.4):
    """A random area tree: leaf → count; every parent the sum of its children."""
    cells, sums = {}, []

    def grow(key, level):
        if level == depth:
            cells[key] = rng.choice([1, 2, 3, 4]) if rng.random() < small else rng.randint(0, 30)
            return cells[key]
        kids = [(*key, i) for i in range(rng.randint(*fanout))]
        cells[key] = sum(grow(k, level + 1) for k in kids)
        sums.append((tuple(kids), key))
        return cells[key]

    grow(("root",), 0)
    return cells, sums


@pytest.mark.parametrize("seed", range(25))
def test_decide_on_a_tree_leaks_nothing_by_linear_programming(seed):
    import random

    from ppaos.lib.disclosure import Published, decide

    rng = random.Random(seed)
    cells, sums = _tree(rng)
    shown = decide(cells, sums, 5)
    table = Published("tree", cells, shown, sums, 5)
    assert recoverable(table) == []
    for key, value in shown.items():
        if value is None:
            assert 0 < cells[key] < 5
        elif value is WITHHELD:
            assert cells[key] >= 5
        else:
            assert value == cells[key]
    for parts, total in sums:  # the rule: no sum holds exactly one hidden figure
        hidden = [k for k in (*parts, total) if shown[k] is None or shown[k] is WITHHELD]
        assert len(hidden) != 1, (parts, total, hidden)


def test_decide_keeps_fixed_figures_and_pins_from_labels():
    from ppaos.lib.disclosure import Published, decide

    # 4 + 4 = 8 under a shown parent pins both; a third figure must be hidden.
    cells = {"p": 28, "a": 4, "b": 4, "c": 20}
    shown = decide(cells, [(("a", "b", "c"), "p")], 5)
    assert shown["a"] is None and shown["b"] is None
    assert shown["c"] is WITHHELD or shown["p"] is WITHHELD
    assert recoverable(Published("t", cells, shown, [(("a", "b", "c"), "p")], 5)) == []
    # A figure the viewer may see exactly is never hidden.
    shown = decide({"p": 9, "a": 2, "b": 7}, [(("a", "b"), "p")], 5, fixed=frozenset({"b"}))
    assert shown["b"] == 7 and shown["a"] is None and shown["p"] is WITHHELD
