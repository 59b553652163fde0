"""Statistics of the exclusion-error sample: its size for a target interval width, and the
Wilson interval with a finite-population correction.

The sample is a simple random sample, without replacement, of the households not on the
target list in the campaign's communities (the frame, of size N). For n households with a
reviewed status of which x are poor:

- the estimator is p̂ = x / n, the share of non-listed households that are poor
  (คนจนตกหล่น), and N·p̂ the number of poor households missing from the list;
- the 95% interval is Wilson's score interval computed with the effective sample size
  n_eff = n·(N − 1)/(N − n), i.e. the binomial variance scaled by the finite-population
  correction (N − n)/(N − 1); when the whole frame is observed (n = N) there is no sampling
  error and the interval is p̂ itself;
- the sample size for a full interval width w is the normal-approximation planning size at
  the worst case p = 0.5, n₀ = z²·0.25/(w/2)², corrected for the frame: n = n₀/(1 + (n₀ − 1)/N).
"""

import math
from dataclasses import dataclass
from decimal import Decimal

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A proportion with its 95% interval; rate and bounds are None when n is 0."""

    count: int
    n: int
    frame: int
    rate: float | None
    low: float | None
    high: float | None

    @property
    def in_frame(self) -> tuple[float, float, float] | None:
        """The estimate and its bounds as numbers of the frame's households (frame × rate),
        e.g. the poor households missing from a list; None without an estimate."""
        if self.rate is None:
            return None
        return (self.frame * self.rate, self.frame * self.low, self.frame * self.high)


def sample_size(*, width: Decimal | float, frame: int, p: float = 0.5, z: float = Z95) -> int:
    """Households to draw so the 95% interval's full width is about `width` (0 < width < 1)."""
    width = float(width)
    if not 0 < width < 1:
        raise ValueError(f"interval width {width} must lie between 0 and 1")
    if frame <= 0:
        return 0
    n0 = z * z * p * (1 - p) / (width / 2) ** 2
    return min(frame, math.ceil(n0 / (1 + (n0 - 1) / frame)))


def wilson_fpc(count: int, n: int, frame: int, z: float = Z95) -> Estimate:
    """count/n with Wilson's 95% interval, corrected for sampling n of `frame` households."""
    if n <= 0:
        return Estimate(count, n, frame, None, None, None)
    if not 0 <= count <= n <= max(frame, n):
        raise ValueError(f"count {count} outside 0..{n} (frame {frame})")
    p = count / n
    if n >= frame:
        return Estimate(count, n, frame, p, p, p)  # a census of the frame
    n_eff = n * (frame - 1) / (frame - n)
    denominator = 1 + z * z / n_eff
    centre = (p + z * z / (2 * n_eff)) / denominator
    half = z * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff * n_eff)) / denominator
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == n else min(1.0, centre + half)
    return Estimate(count, n, frame, p, low, high)
