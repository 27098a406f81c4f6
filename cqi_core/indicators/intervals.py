"""95% intervals for indicator values: Wilson for proportions, exact Poisson (Garwood)
for counts over an exposure (days, population, headcount); and for the change between two
periods: Newcombe's interval of a difference of proportions, the exact interval of a ratio
of Poisson rates.

Both are vectorised over Polars columns: the engine computes thousands of groups at once.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaincinv

#: The 97.5th percentile of the standard normal distribution, scipy.stats.norm.ppf(0.975)
#: written out (a test checks it), so that loading this module does not load scipy.stats.
Z95 = 1.959963984540054


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
        low = np.where(k > 0, _chi2_quantile(a / 2, 2 * k) / 2, 0.0) / e * multiplier
        high = _chi2_quantile(1 - a / 2, 2 * k + 2) / 2 / e * multiplier
    bad = ~(e > 0)
    low[bad] = np.nan
    high[bad] = np.nan
    return low, high


def _chi2_quantile(p, df):
    """The p-quantile of the χ² distribution with df degrees of freedom: 2·P⁻¹(df/2, p), P the
    regularised lower incomplete gamma function. This is how scipy.stats.chi2.ppf computes it
    (a test checks the two agree exactly), without loading scipy.stats (0.7 s) for it: the
    first figures a process computes would otherwise wait for it."""
    return 2 * gammaincinv(np.asarray(df, dtype=float) / 2, p)


def newcombe_difference(x1: float, n1: float, x2: float, n2: float,
                        z: float = Z95) -> tuple[float, float]:
    """95% interval of p1 - p2 for two independent proportions (Newcombe 1998, method 10:
    the hybrid score interval built from each proportion's Wilson interval).

    low = d - sqrt((p1 - l1)² + (u2 - p2)²), high = d + sqrt((u1 - p1)² + (p2 - l2)²).
    Like the Wilson intervals it is made of, it stays inside [-1, 1].
    """
    (l1,), (u1,) = wilson(np.array([x1]), np.array([n1]), z)
    (l2,), (u2,) = wilson(np.array([x2]), np.array([n2]), z)
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    return (float(d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)),
            float(d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)))


def poisson_ratio(k1: float, e1: float, k2: float, e2: float,
                  level: float = 0.95) -> tuple[float, float]:
    """Exact interval of the rate ratio (k1/e1) / (k2/e2) of two Poisson counts over their
    exposures, conditional on the total k1 + k2 (the binomial method).

    Given the total, k1 is binomial with p = R·e1 / (R·e1 + e2); the Clopper-Pearson
    interval (pL, pU) of k1 / (k1 + k2) turns into R = p / (1 - p) × e2 / e1. With no
    events at all the ratio can be anything: (0, inf).
    """
    k1, k2 = int(round(k1)), int(round(k2))
    n = k1 + k2
    if n == 0:
        return 0.0, math.inf
    from scipy.stats import binomtest  # imported when used: scipy.stats costs every command 0.7 s to load

    ci = binomtest(k1, n).proportion_ci(confidence_level=level, method="exact")

    def ratio(p: float) -> float:
        return math.inf if p >= 1 else p / (1 - p) * e2 / e1

    return ratio(ci.low), ratio(ci.high)
