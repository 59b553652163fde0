"""Poor, not poor or incomplete: who is poor when some indicators are unknown.

An unknown indicator is neither deprived nor not deprived. With the known deprivations alone
scoring `D` and the unknown ones weighing `U` together, a household is

* poor when `D >= k`: whatever the unknowns are, it is poor;
* not poor when `D + U < k`: even were every unknown not met, it would not be poor;
* incomplete otherwise: the answer depends on what is missing, so it is not guessed.

Scores are compared as integers over the weights' common denominator (exact). Pure: no
database. `ppaos assess` decides it in DuckDB with `status_sql`; `poverty_statuses` is the same
rule over an engine frame.
"""

import json
import math

import numpy as np
import pandas as pd

from ppaos.assessment.definition import Spec
from ppaos.assessment.models import PovertyStatus


def _int_weights(spec: Spec) -> tuple[np.ndarray, int]:
    denominator = math.lcm(*(w.denominator for w in spec.weights.values()))
    weights = np.array([int(spec.weights[c] * denominator) for c in spec.codes], dtype=np.int64)
    return weights, denominator


def _bits(masks: pd.Series, width: int) -> np.ndarray:
    values = masks.fillna(0).to_numpy(dtype=np.int64)
    return (values[:, None] >> np.arange(width, dtype=np.int64)) & 1


def poverty_statuses(frame: pd.DataFrame, *, spec: Spec) -> list[str]:
    """One `PovertyStatus` per engine row (see engine.compute), decided exactly."""
    weights, denominator = _int_weights(spec)
    width = len(spec.codes)
    known = _bits(frame["deprived_mask"], width) @ weights
    unknown = _bits(frame["missing_mask"], width) @ weights
    k = spec.k
    poor = known * k.denominator >= k.numerator * denominator
    could_be = (known + unknown) * k.denominator >= k.numerator * denominator
    return [
        PovertyStatus.POOR if p else PovertyStatus.INCOMPLETE if c else PovertyStatus.NOT_POOR
        for p, c in zip(poor.tolist(), could_be.tolist(), strict=True)
    ]


def status_sql(*, known: str, unknown: str, k, denominator: int) -> str:
    """The rule as SQL over two integer expressions: `known`, the weights of the indicators
    not met, and `unknown`, of those unknown, both over `denominator`."""
    return (
        f"CASE WHEN {known} * {k.denominator} >= {k.numerator} * {denominator} "
        f"THEN '{PovertyStatus.POOR.value}' "
        f"WHEN ({known} + {unknown}) * {k.denominator} >= {k.numerator} * {denominator} "
        f"THEN '{PovertyStatus.INCOMPLETE.value}' ELSE '{PovertyStatus.NOT_POOR.value}' END"
    )


def missing_lists(frame: pd.DataFrame, *, spec: Spec) -> list[list[str]]:
    """Per engine row: the unknown indicators' codes (set order), then the unanswered items."""
    codes = spec.codes
    bits = _bits(frame["missing_mask"], len(codes))
    result = []
    for row, items in zip(bits.tolist(), frame["missing_items"].tolist(), strict=True):
        listed = [code for code, bit in zip(codes, row, strict=True) if bit]
        result.append(listed + (json.loads(items) if isinstance(items, str) else list(items)))
    return result


def level_reason_lists(frame: pd.DataFrame) -> list[list[str]]:
    """Per engine row: the codes of the level overrides that moved the level."""
    return [
        json.loads(value) if isinstance(value, str) else list(value)
        for value in frame["level_reasons"].tolist()
    ]
