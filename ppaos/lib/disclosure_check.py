"""Proof, for tests, that no small count of a published table can be worked out: each hidden
figure's least and greatest value subject to everything the reader sees (shown figures fixed,
"< 5" in 1..threshold-1, "*" at least the threshold, every declared sum), solved as a linear
programme with scipy (a test dependency). Used by ppaos/lib/tests/test_disclosure.py and
ppaos/tests_security/test_disclosure.py."""

from ppaos.lib.disclosure import Published
from ppaos.lib.suppression import WITHHELD, is_hidden


def hidden_ranges(table: Published) -> dict:
    """Hidden key → (least, greatest) value the reader can prove (inf when unbounded)."""
    from scipy.optimize import linprog

    hidden = [k for k, v in table.shown.items() if is_hidden(v)]
    index = {k: i for i, k in enumerate(hidden)}
    limit = table.threshold
    bounds = [(limit, None) if table.shown[k] is WITHHELD else (1, limit - 1) for k in hidden]
    rows, rhs = [], []
    for parts, total in table.sums:
        row = [0.0] * len(hidden)
        constant = 0.0
        for key, coef in [(p, 1) for p in parts] + [(total, -1)]:
            if key in index:
                row[index[key]] += coef
            else:
                constant += coef * table.shown[key]
        if any(row):
            rows.append(row)
            rhs.append(-constant)
    ranges = {}
    for key, i in index.items():
        objective = [0.0] * len(hidden)
        objective[i] = 1.0
        low = linprog(objective, A_eq=rows or None, b_eq=rhs or None, bounds=bounds)
        high = linprog([-c for c in objective], A_eq=rows or None, b_eq=rhs or None, bounds=bounds)
        assert low.status == 0, (table.name, low.message)
        assert high.status in (0, 3), (table.name, high.message)
        ranges[key] = (low.fun, float("inf") if high.status == 3 else -high.fun)
    return ranges


def recoverable(table: Published) -> list:
    """Hidden figures the reader can work out exactly: [(key, true value, range)].

    `narrowed(table)` lists, more strictly, "< 5" counts whose range is less than the label's."""
    found = []
    for key, (low, high) in hidden_ranges(table).items():
        if high - low < 1 - 1e-6:
            found.append((key, table.true[key], (low, high)))
    return found


def narrowed(table: Published) -> list:
    """Small ("< 5") counts whose range the reader can narrow below 1..threshold-1."""
    found = []
    for key, (low, high) in hidden_ranges(table).items():
        if table.shown[key] is None and (low > 1 + 1e-6 or high < table.threshold - 1 - 1e-6):
            found.append((key, table.true[key], (low, high)))
    return found
