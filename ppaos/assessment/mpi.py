"""Alkire–Foster (AF) multidimensional poverty measurement.

This module is pure: it never touches the database or Django. It implements the AF counting
method (Alkire & Foster 2011, *J. Public Econ.* 95:476–487; Alkire et al. 2015, ch. 5) on a
0/1 deprivation matrix and returns H, A, M0, the uncensored and censored headcount ratios, the
dimensional breakdown and, optionally, the subgroup decomposition.

Definitions (weights ``w_j > 0`` with ``sum(w) == 1``, poverty cutoff ``k`` in ``(0, 1]``):

* deprivation score ``c_i = sum_j w_j * g_ij``; person ``i`` is **poor** iff ``c_i >= k``
  (inclusive);
* ``H = q / n`` (share of people who are poor);
* ``A = sum_{poor} c_i / q`` (average score *among the poor*; defined as 0 when ``q == 0``);
* ``M0 = sum_{poor} c_i / n = H * A``;
* uncensored headcount ratio ``h_j = mean_i g_ij``; censored ``h_j(k) = mean_i g_ij * poor_i``;
* contribution of indicator ``j``: ``w_j * h_j(k) / M0`` (these sum to 1; all 0 when ``M0 == 0``);
* subgroup decomposition ``M0 = sum_g (n_g / n) * M0_g``; contribution of subgroup ``g`` is
  ``(n_g / n) * M0_g / M0``.

Exactness
---------
``c_i >= k`` is never evaluated in floating point (``0.1 * 8`` summed in float is
``0.7999999999999999 < 0.8``, and six weights of 1/6 sum to ``0.9999999999999999 < 1``).
Weights and ``k`` are converted to :class:`fractions.Fraction`, scaled to integers over their
least common denominator ``D``, and scores are compared as integer numerators (vectorised in
numpy ``int64``; a slower exact Python-integer path is used automatically if ``D`` is too large
for ``int64``). Headline measures are computed exactly and then rounded once to ``float``; the
exact values are also exposed (``H_exact``, ``A_exact``, ``M0_exact``).

Number conversion (:func:`to_fraction`): ``int`` and ``Fraction`` are exact; ``str`` is parsed by
``Fraction`` (``"1/3"``, ``"0.25"``) and is exact; ``Decimal`` is exact; ``float`` is read as
``Fraction(repr(x)).limit_denominator(10**6)``, i.e. the nearest fraction with denominator at most
one million, so ``1/3``, ``0.1`` and ``1/18`` passed as floats mean exactly 1/3, 1/10 and 1/18.
Pass a ``Fraction`` or a string when you need a value that is not such a fraction.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FLOAT_MAX_DENOMINATOR",
    "GroupMPIResult",
    "MPIResult",
    "alkire_foster",
    "deprivations_from_achievements",
    "to_fraction",
]

#: Floats are converted with ``Fraction(repr(x)).limit_denominator(FLOAT_MAX_DENOMINATOR)``.
FLOAT_MAX_DENOMINATOR = 10**6

# Scores are integers in [0, D]; above this D we switch to exact Python-integer arithmetic.
_INT64_SAFE_DENOMINATOR = 2**62


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MPIResult:
    """Result of :func:`alkire_foster`.

    Per-indicator mappings are keyed by indicator name: the DataFrame column labels, or the
    column positions ``0 .. d-1`` for arrays and lists. Ratios are shares of the population
    (0..1), not percentages.
    """

    indicators: tuple[Hashable, ...]
    weights: dict[Hashable, Fraction]
    k: Fraction
    n: int
    n_poor: int
    H: float
    A: float
    M0: float
    H_exact: Fraction
    A_exact: Fraction
    M0_exact: Fraction
    uncensored_headcounts: dict[Hashable, float]
    censored_headcounts: dict[Hashable, float]
    contributions: dict[Hashable, float]
    #: Weighted deprivation score per row (share of total weight, 0..1), in input row order.
    scores: np.ndarray = field(repr=False, compare=False)
    #: ``scores >= k`` evaluated exactly, per row.
    poor: np.ndarray = field(repr=False, compare=False)
    #: Group label -> :class:`GroupMPIResult`, only when ``groups`` was given.
    groups: dict[Hashable, GroupMPIResult] | None = field(default=None, repr=False)

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable headline figures (no per-row arrays; keys as strings)."""
        out: dict[str, Any] = {
            "k": str(self.k),
            "n": self.n,
            "n_poor": self.n_poor,
            "H": self.H,
            "A": self.A,
            "M0": self.M0,
            "weights": {str(name): str(w) for name, w in self.weights.items()},
            "uncensored_headcounts": _str_keys(self.uncensored_headcounts),
            "censored_headcounts": _str_keys(self.censored_headcounts),
            "contributions": _str_keys(self.contributions),
        }
        if isinstance(self, GroupMPIResult):
            out["population_share"] = self.population_share
            out["contribution_to_M0"] = self.contribution_to_M0
        if self.groups is not None:
            out["groups"] = {str(g): r.summary() for g, r in self.groups.items()}
        return out


@dataclass(frozen=True, kw_only=True)
class GroupMPIResult(MPIResult):
    """AF measures for one subgroup. ``scores``/``poor`` hold the group's rows in input order."""

    #: ``n_g / n``.
    population_share: float
    #: ``(n_g / n) * M0_g / M0`` (0 when the overall M0 is 0); sums to 1 over the groups.
    contribution_to_M0: float


def _str_keys(mapping: Mapping[Hashable, float]) -> dict[str, float]:
    return {str(key): value for key, value in mapping.items()}


# ---------------------------------------------------------------------------------------------
# Number conversion
# ---------------------------------------------------------------------------------------------


def to_fraction(value: Any, *, name: str = "value") -> Fraction:
    """Convert ``value`` to an exact :class:`~fractions.Fraction` (see the module docstring).

    Raises ``ValueError`` for booleans, NaN/infinity, unparsable strings and non-numbers.
    """
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be a number, not a boolean ({value!r})")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int | np.integer):
        return Fraction(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{name} must be finite, got {number!r}")
        return Fraction(repr(number)).limit_denominator(FLOAT_MAX_DENOMINATOR)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{name} must be finite, got {value!r}")
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{name} is not a number: {value!r}") from None
    if isinstance(value, numbers.Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    raise ValueError(f"{name} must be an int, float, Fraction, Decimal or str, got {value!r}")


def _real_float(value: Any, *, name: str) -> float:
    """A finite or infinite real cutoff as float (NaN and booleans rejected)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real | Decimal):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    number = float(value)
    if math.isnan(number):
        raise ValueError(f"{name} must not be NaN")
    return number


# ---------------------------------------------------------------------------------------------
# Input coercion
# ---------------------------------------------------------------------------------------------


def _is_polars(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "polars"


def _to_numeric_2d(data: Any, what: str) -> tuple[np.ndarray, tuple[Hashable, ...], str]:
    """Return ``(values, column names, kind)`` for a DataFrame, Polars frame, array or list.

    ``kind`` is one of ``"pandas"``, ``"polars"``, ``"numpy"``, ``"list"``. Values are a 2-D
    numpy array of bool, integer or float dtype with no missing values.
    """
    if isinstance(data, pd.DataFrame):
        kind = "pandas"
        names: tuple[Hashable, ...] = tuple(data.columns)
        bad = [c for c, dt in data.dtypes.items() if not pd.api.types.is_numeric_dtype(dt)]
        if bad:
            raise ValueError(f"{what}: columns must be numeric or boolean; not {bad!r}")
        missing = data.isna().to_numpy()
        if missing.any():
            row, col = np.argwhere(missing)[0]
            raise ValueError(
                f"{what} contains missing values (first at row {data.index[row]!r}, "
                f"column {names[col]!r}); decide the missing-data rule before calling"
            )
        values = data.to_numpy()
        if values.dtype == object:  # mixed nullable extension dtypes
            values = data.to_numpy(dtype=np.float64)
    elif _is_polars(data):
        kind = "polars"
        if type(data).__name__ != "DataFrame":
            raise ValueError(f"{what}: pass a polars DataFrame (call .collect() on a LazyFrame)")
        names = tuple(data.columns)
        if sum(data.null_count().row(0)):
            raise ValueError(f"{what} contains missing (null) values")
        values = data.to_numpy()
    else:
        kind = "numpy" if isinstance(data, np.ndarray) else "list"
        try:
            values = np.asarray(data)
        except ValueError as exc:  # ragged lists
            raise ValueError(f"{what} must be a rectangular 2-D matrix: {exc}") from None
        if values.ndim != 2:
            raise ValueError(f"{what} must be 2-D (rows x indicators), got shape {values.shape}")
        names = tuple(range(values.shape[1]))

    if values.ndim != 2:
        raise ValueError(f"{what} must be 2-D (rows x indicators), got shape {values.shape}")
    if values.shape[0] == 0:
        raise ValueError(f"{what} has no rows")
    if values.shape[1] == 0:
        raise ValueError(f"{what} has no columns (indicators)")
    if len(set(names)) != len(names):
        raise ValueError(f"{what} has duplicate column names: {list(names)!r}")

    dtype_kind = values.dtype.kind
    if dtype_kind == "O":
        if pd.isna(values).any():
            raise ValueError(f"{what} contains missing values (None/NaN)")
        if any(isinstance(v, str | bytes) for v in values.flat):
            raise ValueError(f"{what} must be numeric; it contains strings")
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{what} must contain only real numbers") from None
        dtype_kind = "f"
    if dtype_kind not in "biuf":
        raise ValueError(f"{what} must be numeric or boolean, got dtype {values.dtype}")
    if dtype_kind == "f" and np.isnan(values).any():
        row, col = np.argwhere(np.isnan(values))[0]
        raise ValueError(
            f"{what} contains NaN (first at row {row}, column {names[col]!r}); "
            "decide the missing-data rule before calling"
        )
    return values, names, kind


def _deprivation_matrix(deprivations: Any) -> tuple[np.ndarray, tuple[Hashable, ...]]:
    values, names, _ = _to_numeric_2d(deprivations, "deprivations")
    if values.dtype.kind == "b":
        return values, names
    ok = (values == 0) | (values == 1)
    if not ok.all():
        row, col = np.argwhere(~ok)[0]
        raise ValueError(
            "deprivations must contain only 0 and 1 (or booleans); found "
            f"{values[row, col]!r} at row {row}, column {names[col]!r}"
        )
    return values.astype(bool), names


def _weight_fractions(weights: Any, names: tuple[Hashable, ...]) -> tuple[Fraction, ...]:
    if isinstance(weights, pd.Series):
        weights = weights.to_dict()
    if isinstance(weights, Mapping):
        missing = [n for n in names if n not in weights]
        extra = [key for key in weights if key not in set(names)]
        if missing or extra:
            raise ValueError(
                f"weights keys must match the indicator names; missing {missing!r}, "
                f"unexpected {extra!r}"
            )
        raw = [weights[n] for n in names]
    else:
        array = None if isinstance(weights, str | bytes) else np.asarray(weights, dtype=object)
        if array is None or array.ndim != 1:
            raise ValueError("weights must be a 1-D sequence (one per indicator) or a mapping")
        raw = list(array)
        if len(raw) != len(names):
            raise ValueError(f"got {len(raw)} weights for {len(names)} indicators")
    fracs = tuple(to_fraction(w, name=f"weight for {n!r}") for n, w in zip(names, raw, strict=True))
    nonpositive = {n: w for n, w in zip(names, fracs, strict=True) if w <= 0}
    if nonpositive:
        raise ValueError(
            "every weight must be > 0 (floats are read to the nearest 1/1,000,000); "
            f"got {_fmt(nonpositive)}"
        )
    total = sum(fracs, Fraction(0))
    if total != 1:
        raise ValueError(
            f"weights must sum to exactly 1, they sum to {total} (~{float(total):.12g}). "
            "Floats are read as the nearest fraction with denominator <= 1,000,000; "
            "pass Fractions or strings such as '1/3' for exact weights"
        )
    return fracs


def _fmt(mapping: Mapping[Hashable, Fraction]) -> str:
    return ", ".join(f"{key!r}: {value}" for key, value in mapping.items())


def _poverty_cutoff(k: Any) -> Fraction:
    frac = to_fraction(k, name="k")
    if not 0 < frac <= 1:
        raise ValueError(
            f"k must be in (0, 1] as a share of the total weight, got {k!r}; "
            "for 'deprived in 2 of 4 equally weighted indicators' pass Fraction(2, 4)"
        )
    return frac


def _group_codes(groups: Any, n: int) -> tuple[np.ndarray, list[Hashable]]:
    if isinstance(groups, pd.Series | pd.Index | pd.Categorical) or _is_polars(groups):
        values = groups.to_numpy()
    else:
        if isinstance(groups, str | bytes):
            raise ValueError("groups must be an array of labels, one per row (not a string)")
        values = np.asarray(groups, dtype=object if isinstance(groups, list | tuple) else None)
    if values.ndim != 1:
        raise ValueError(f"groups must be one-dimensional, got shape {values.shape}")
    if len(values) != n:
        raise ValueError(f"groups has {len(values)} labels for {n} rows")
    if pd.isna(values).any():
        raise ValueError("groups contains missing labels; every row must belong to a group")
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:  # labels of mixed, unorderable types
        codes, uniques = pd.factorize(values, sort=False)
    keys = [u.item() if isinstance(u, np.generic) else u for u in np.asarray(uniques, dtype=object)]
    return codes.astype(np.intp, copy=False), keys


# ---------------------------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------------------------


def _score_numerators(matrix: np.ndarray, int_weights: Sequence[int], denom: int) -> np.ndarray:
    """Integer deprivation scores ``sum_j W_j * g_ij`` (scores over ``denom``)."""
    n = matrix.shape[0]
    if denom <= _INT64_SAFE_DENOMINATOR:
        scores = np.zeros(n, dtype=np.int64)
        for j, weight in enumerate(int_weights):
            scores += np.int64(weight) * matrix[:, j]
        return scores
    # Exact but slower: Python integers in an object array (only for exotic denominators).
    scores = np.zeros(n, dtype=object)
    for j, weight in enumerate(int_weights):
        scores = scores + matrix[:, j].astype(object) * weight  # True * w == w
    return scores


def _measures(
    *,
    n: int,
    n_poor: int,
    uncensored_counts: Sequence[int],
    censored_counts: Sequence[int],
    int_weights: Sequence[int],
    denom: int,
) -> dict[str, Any]:
    """Exact AF measures from integer counts (Python ints only)."""
    shares = [w * c for w, c in zip(int_weights, censored_counts, strict=True)]
    total = sum(shares)  # = D * sum_{poor} c_i
    h_exact = Fraction(n_poor, n)
    m0_exact = Fraction(total, n * denom)
    a_exact = Fraction(total, n_poor * denom) if n_poor else Fraction(0)
    return {
        "n": n,
        "n_poor": n_poor,
        "H": float(h_exact),
        "A": float(a_exact),
        "M0": float(m0_exact),
        "H_exact": h_exact,
        "A_exact": a_exact,
        "M0_exact": m0_exact,
        "uncensored": [c / n for c in uncensored_counts],
        "censored": [c / n for c in censored_counts],
        "contributions": [float(Fraction(s, total)) if total else 0.0 for s in shares],
        "total": total,
    }


def _readonly(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def alkire_foster(deprivations: Any, weights: Any, k: Any, groups: Any = None) -> MPIResult:
    """Compute the Alkire–Foster measures for a 0/1 deprivation matrix.

    Args:
        deprivations: rows = people (or households), columns = indicators; 1/True = deprived.
            A pandas DataFrame (column labels become indicator names), a Polars DataFrame, a
            2-D numpy array or a list of lists. Missing values are rejected.
        weights: one positive weight per indicator, summing to exactly 1; a sequence in column
            order or a mapping (or pandas Series) keyed by indicator name.
        k: poverty cutoff as a share of the total weight, ``0 < k <= 1``. A row is poor when
            its score is ``>= k``, compared exactly. ``k <= min(weights)`` is the union
            approach, ``k == 1`` the intersection approach.
        groups: optional labels, one per row (aligned by position), for subgroup decomposition.

    Returns:
        :class:`MPIResult`; with ``groups``, ``result.groups`` maps each label (sorted when the
        labels are orderable) to a :class:`GroupMPIResult`.

    Raises:
        ValueError: on malformed input (non-0/1 values, NaN, bad weights, k outside (0, 1],
            length mismatches).
    """
    matrix, names = _deprivation_matrix(deprivations)
    n, d = matrix.shape
    weight_fracs = _weight_fractions(weights, names)
    k_frac = _poverty_cutoff(k)
    codes_keys = _group_codes(groups, n) if groups is not None else None

    denom = math.lcm(k_frac.denominator, *(w.denominator for w in weight_fracs))
    int_weights = [int(w * denom) for w in weight_fracs]
    k_int = int(k_frac * denom)

    numerators = _score_numerators(matrix, int_weights, denom)
    poor = np.asarray(numerators >= k_int, dtype=bool)
    scores = np.asarray(numerators / denom, dtype=np.float64)

    uncensored_counts = np.count_nonzero(matrix, axis=0)
    censored_matrix = matrix & poor[:, None]
    censored_counts = np.count_nonzero(censored_matrix, axis=0)
    n_poor = int(np.count_nonzero(poor))

    common = {
        "indicators": names,
        "weights": dict(zip(names, weight_fracs, strict=True)),
        "k": k_frac,
    }
    overall = _measures(
        n=n,
        n_poor=n_poor,
        uncensored_counts=uncensored_counts.tolist(),
        censored_counts=censored_counts.tolist(),
        int_weights=int_weights,
        denom=denom,
    )

    group_results = None
    if codes_keys is not None:
        codes, keys = codes_keys
        n_groups = len(keys)
        sizes = np.bincount(codes, minlength=n_groups)
        poor_sizes = np.bincount(codes[poor], minlength=n_groups)
        unc = np.column_stack(
            [np.bincount(codes[matrix[:, j]], minlength=n_groups) for j in range(d)]
        )
        cen = np.column_stack(
            [np.bincount(codes[censored_matrix[:, j]], minlength=n_groups) for j in range(d)]
        )
        order = np.argsort(codes, kind="stable")
        bounds = np.cumsum(sizes)[:-1]
        score_parts = np.split(scores[order], bounds)
        poor_parts = np.split(poor[order], bounds)
        group_results = {}
        decomposed = Fraction(0)
        for g, key in enumerate(keys):
            m = _measures(
                n=int(sizes[g]),
                n_poor=int(poor_sizes[g]),
                uncensored_counts=unc[g].tolist(),
                censored_counts=cen[g].tolist(),
                int_weights=int_weights,
                denom=denom,
            )
            decomposed += Fraction(m["n"], n) * m["M0_exact"]
            group_results[key] = _build(
                GroupMPIResult,
                common,
                m,
                score_parts[g],
                poor_parts[g],
                population_share=m["n"] / n,
                contribution_to_M0=(
                    float(Fraction(m["total"], overall["total"])) if overall["total"] else 0.0
                ),
            )
        if decomposed != overall["M0_exact"]:  # subgroup decomposability; exact by construction
            raise RuntimeError(
                f"subgroup decomposition failed: {decomposed} != {overall['M0_exact']}"
            )

    return _build(MPIResult, common, overall, scores, poor, groups=group_results)


def _build(
    cls: type[MPIResult],
    common: dict[str, Any],
    m: dict[str, Any],
    scores: np.ndarray,
    poor: np.ndarray,
    **extra: Any,
) -> Any:
    names = common["indicators"]
    return cls(
        **common,
        n=m["n"],
        n_poor=m["n_poor"],
        H=m["H"],
        A=m["A"],
        M0=m["M0"],
        H_exact=m["H_exact"],
        A_exact=m["A_exact"],
        M0_exact=m["M0_exact"],
        uncensored_headcounts=dict(zip(names, m["uncensored"], strict=True)),
        censored_headcounts=dict(zip(names, m["censored"], strict=True)),
        contributions=dict(zip(names, m["contributions"], strict=True)),
        scores=_readonly(scores),
        poor=_readonly(poor),
        **extra,
    )


# ---------------------------------------------------------------------------------------------
# Achievements -> deprivations
# ---------------------------------------------------------------------------------------------


def deprivations_from_achievements(achievements: Any, cutoffs: Any) -> Any:
    """Deprivation matrix ``g_ij = 1[x_ij < z_j]`` (strictly below the cutoff is deprived).

    ``achievements`` is a pandas DataFrame, Polars DataFrame, 2-D numpy array or list of lists
    of numbers (missing values are rejected). ``cutoffs`` is one number per column, as a
    sequence in column order or a mapping (or pandas Series) keyed by column name. Numbers are
    compared as floats (``Fraction``/``Decimal`` cutoffs are converted with ``float``).

    Returns the same type and shape as given, holding 0/1: a DataFrame with the same index and
    columns (``int8``), a Polars DataFrame (``Int8``), an ``int8`` numpy array, or a list of
    lists of ``int``.
    """
    values, names, kind = _to_numeric_2d(achievements, "achievements")
    if isinstance(cutoffs, pd.Series):
        cutoffs = cutoffs.to_dict()
    if isinstance(cutoffs, Mapping):
        missing = [c for c in names if c not in cutoffs]
        extra = [key for key in cutoffs if key not in set(names)]
        if missing or extra:
            raise ValueError(
                f"cutoffs keys must match the columns; missing {missing!r}, unexpected {extra!r}"
            )
        raw = [cutoffs[c] for c in names]
    else:
        array = None if isinstance(cutoffs, str | bytes) else np.asarray(cutoffs, dtype=object)
        if array is None or array.ndim != 1:
            raise ValueError("cutoffs must be a 1-D sequence (one per column) or a mapping")
        raw = list(array)
        if len(raw) != len(names):
            raise ValueError(f"got {len(raw)} cutoffs for {len(names)} columns")
    z = np.array(
        [_real_float(c, name=f"cutoff for {n!r}") for n, c in zip(names, raw, strict=True)],
        dtype=np.float64,
    )
    deprived = (values < z[None, :]).astype(np.int8)

    if kind == "pandas":
        return pd.DataFrame(deprived, index=achievements.index, columns=achievements.columns)
    if kind == "polars":
        import polars as pl

        return pl.DataFrame(
            {name: deprived[:, j] for j, name in enumerate(names)},
            schema={name: pl.Int8 for name in names},
        )
    if kind == "numpy":
        return deprived
    return deprived.astype(int).tolist()
