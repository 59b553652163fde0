"""Small statistics helpers for reports."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Proportion:
    count: int
    total: int
    rate: float | None
    low: float | None
    high: float | None


def wilson(count: int, total: int, z: float = 1.959963984540054) -> Proportion:
    """The proportion count/total with its Wilson score interval (95% by default).

    Wilson's interval stays inside [0, 1] and behaves at 0 and at small totals, where the
    normal approximation does not; None when there is nothing to divide by."""
    if total <= 0:
        return Proportion(count, total, None, None, None)
    if not 0 <= count <= total:
        raise ValueError(f"count {count} outside 0..{total}")
    p = count / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == total else min(1.0, centre + half)
    return Proportion(count, total, p, low, high)
