"""The disclosure decision decided again after a change of a few communities (what the
incremental refresh does: hierarchy.communities_changed → _update), on random cities: every
label true, no sum with exactly one hidden figure, and the sums the same as built afresh from
the new figures. By linear programming over every sum: where the sums form a tree (one figure
per area), no hidden figure can be worked out; with months and levels beside them (a grid, for
which `decide` promises less), nothing more than from a full decision on the same figures."""

import random

import pytest

from ppaos.dashboards import hierarchy
from ppaos.lib.disclosure import Published, decide
from ppaos.lib.disclosure_check import recoverable
from ppaos.lib.suppression import WITHHELD, is_hidden

LIMIT = 5
SUBDISTRICTS = ("100801", "100802", "100901")
MONTHS = ("2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01")


def _values(rng: random.Random, *, tree: bool = False) -> dict:
    """One community's figures as `_community_values` gives them (non-zero only)."""
    if tree:
        return {"households": rng.choice([1, 3, 8, 20]), "people": rng.choice([0, 2, 6, 30])}
    months = {("month", "referrals_made", m): rng.choice([0, 1, 2, 6, 9]) for m in MONTHS}
    levels = {("round", "r1", f"level_{n}"): rng.choice([0, 1, 3, 7, 12]) for n in (1, 2, 3)}
    values = {"households": rng.choice([1, 3, 8, 20, 40]), **months, **levels}
    values["referrals_made"] = sum(months.values())
    return {k: v for k, v in values.items() if v}


def _state(rng: random.Random, communities: int, *, tree: bool = False) -> hierarchy._State:
    countable = {pk: rng.choice(SUBDISTRICTS) for pk in range(1, communities + 1)}
    values = {pk: _values(rng, tree=tree) for pk in countable}
    figures = hierarchy._cells(countable, set(), values)
    sums = hierarchy._sums(figures.cells, figures.children)
    shown = decide(figures.cells, list(sums.values()), LIMIT)
    decision = hierarchy._decision(figures.cells, shown)
    return hierarchy._State(1, "s", countable, LIMIT, values, figures, sums, shown, decision)


def _recoverable(cells: dict, shown: dict, sums: list) -> set:
    return {key for key, _true, _range in recoverable(Published("t", cells, shown, sums, LIMIT))}


def _assert_safe(state: hierarchy._State, *, tree: bool = False) -> None:
    cells = state.figures.cells
    assert state.sums == hierarchy._sums(cells, state.figures.children)
    for key, value in cells.items():
        label = state.shown[key]
        if label is None:
            assert 0 < value < LIMIT, key
        elif label is WITHHELD:
            assert value >= LIMIT, key
        else:
            assert label == value, key
    for parts, total in state.sums.values():
        hidden = [k for k in (*parts, total) if is_hidden(state.shown[k])]
        assert len(hidden) != 1, (parts, total)
    sums = list(state.sums.values())
    found = _recoverable(dict(cells), dict(state.shown), sums)
    if tree:
        assert found == set()
    else:
        assert found <= _recoverable(dict(cells), decide(dict(cells), sums, LIMIT), sums)
    hidden = {k: v for k, v in state.shown.items() if is_hidden(v) and k in cells}
    assert state.decision.hidden == hidden
    for key, value in cells.items():
        if key[1] in hierarchy.VALUES:
            assert state.decision.value(key, -1) == value


@pytest.mark.parametrize(("seed", "tree"), [(s, t) for s in range(5) for t in (True, False)])
def test_deciding_again_after_saves_leaks_nothing(seed, tree):
    rng = random.Random(seed)
    state = _state(rng, communities=9, tree=tree)
    _assert_safe(state, tree=tree)
    for _save in range(4):
        changed = rng.sample(sorted(state.countable), rng.choice([1, 2]))
        fresh = {}
        for pk in changed:
            values = dict(state.values.get(pk, {}))
            if tree:
                values["households"] += rng.choice([-1, 1, 2])
                values["people"] = max(0, values.get("people", 0) + rng.choice([-2, 1, 3]))
                fresh[pk] = {k: v for k, v in values.items() if v}
                continue
            # A visit or referral: one more (or, a correction, one fewer) in a figure, maybe in
            # a month that had none.
            month = ("month", "referrals_made", rng.choice(MONTHS))
            step = rng.choice([1, 1, -1])
            if values.get(month, 0) + step >= 0:
                values[month] = values.get(month, 0) + step
                values["referrals_made"] = values.get("referrals_made", 0) + step
            values["households"] = values.get("households", 0) + rng.choice([0, 1, 4])
            fresh[pk] = {k: v for k, v in values.items() if v}
        hierarchy._update(state, fresh, changed)
        for pk in changed:
            assert state.values.get(pk, {}) == fresh[pk]
        _assert_safe(state, tree=tree)


def test_an_unchanged_community_changes_nothing():
    state = _state(random.Random(7), communities=6)
    before = dict(state.shown)
    hierarchy._update(state, {1: dict(state.values[1])}, [1])
    assert state.shown == before
