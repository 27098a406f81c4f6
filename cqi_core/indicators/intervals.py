"""95% intervals for indicator values: Wilson for proportions, exact Poisson (Garwood)
for counts over an exposure (days, population, headcount).

Both are vectorised over Polars columns: the engine computes thousands of groups at once.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2, norm

Z95 = float(norm.ppf(0.975))


def wilson(x: np.ndarray, n: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for x successes out of n (NaN where n <= 0).

    centre = (p + z²/2n) / (1 + z²/n); half-width = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n).
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        low, high = centre - half, centre + half
    bad = ~(n > 0)
    low[bad] = np.nan
    high[bad] = np.nan
    return np.clip(low, 0, 1), np.clip(high, 0, 1)


def garwood(k: np.ndarray, exposure: np.ndarray, multiplier: float = 1.0,
            level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson interval (Garwood 1936) for a count k over an exposure, × multiplier.

    lower = χ²(α/2; 2k)/2 (0 when k = 0), upper = χ²(1-α/2; 2k+2)/2, each divided by the
    exposure. NaN where the exposure is not positive.
    """
    k = np.asarray(k, dtype=float)
    e = np.asarray(exposure, dtype=float)
    a = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(k > 0, chi2.ppf(a / 2, 2 * k) / 2, 0.0) / e * multiplier
        high = chi2.ppf(1 - a / 2, 2 * k + 2) / 2 / e * multiplier
    bad = ~(e > 0)
    low[bad] = np.nan
    high[bad] = np.nan
    return low, high
