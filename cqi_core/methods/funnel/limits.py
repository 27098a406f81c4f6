"""Funnel limits and z-scales: where chance alone would keep a unit of a given size.

The formulas are those of `funnel`'s module docstring (normal, exact, arcsine, for
proportions, rates and standardised ratios); `limits` draws the four limits at any
denominators, with either over-dispersion model applied.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from cqi_core.methods.funnel.settings import load_settings

_LIMITS = {"alert": ("lcl95", "ucl95"), "alarm": ("lcl998", "ucl998")}


def outliers(values: Sequence[float] | np.ndarray, lower: Sequence[float] | float,
             upper: Sequence[float] | float, multiplier: float = 1.0) -> np.ndarray:
    """Which values lie strictly outside their limits (on a limit is inside).

    FunnelPlotR `outliers_func`: the value is multiplied by `multiplier` before it is
    compared; missing values or limits are never outliers.
    """
    v = np.asarray(values, dtype=float) * multiplier
    lo = np.broadcast_to(np.asarray(lower, dtype=float), v.shape)
    hi = np.broadcast_to(np.asarray(upper, dtype=float), v.shape)
    with np.errstate(invalid="ignore"):
        return (v > hi) | (v < lo)


def _normalse(kind: str, theta: float, n: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt((theta * (1 - theta) if kind == "proportion" else theta) / n)


def se(kind: str, method: str, theta: float, n: np.ndarray) -> np.ndarray:
    """The standard error s of one unit on the method's scale (the normal one for exact)."""
    if method == "arcsine":
        with np.errstate(divide="ignore"):
            return 1 / (2 * np.sqrt(n))
    return _normalse(kind, theta, n)


def to_scale(kind: str, method: str, x: np.ndarray | float) -> np.ndarray:
    """Values (or the target) on the method's scale: asin(sqrt x), sqrt x, or x itself."""
    x = np.asarray(x, dtype=float)
    if method != "arcsine":
        return x
    with np.errstate(invalid="ignore"):
        return np.arcsin(np.sqrt(x)) if kind == "proportion" else np.sqrt(x)


def _from_scale(kind: str, method: str, y: np.ndarray) -> np.ndarray:
    if method != "arcsine":
        return np.clip(y, 0, 1 if kind == "proportion" else np.inf)
    if kind == "proportion":
        return np.sin(np.clip(y, 0, math.pi / 2)) ** 2
    return np.clip(y, 0, np.inf) ** 2


def _exact(kind: str, theta: float, n: np.ndarray, prob: float) -> np.ndarray:
    """One exact limit (tail probability `prob`) at each denominator."""
    from scipy.stats import binom, chi2, poisson  # imported when used: scipy.stats costs every command 0.7 s to load

    if kind == "sr":  # FunnelPlotR: θ0·χ²(p; 2E)/(2E) and θ0·χ²(p; 2(E+1))/(2E), E = n·θ0
        e = theta * n
        with np.errstate(divide="ignore", invalid="ignore"):
            if prob < 0.5:  # written as χ²(…)/(2n), which also holds at θ0 = 0
                return np.where(e > 0, chi2.ppf(prob, 2 * e) / (2 * n), 0.0)
            return chi2.ppf(prob, 2 * (e + 1)) / (2 * n)
    if kind == "proportion" and (theta <= 0 or theta >= 1):
        return np.full(n.shape, float(theta))  # every unit is certain to sit on the target
    # Spiegelhalter (2005) appendix: r = smallest count with P(R ≤ r) ≥ p, interpolated by
    # α = (P(R ≤ r) − p) / P(R = r); limit (r − α)/n. Binomial(n, θ0) or Poisson(n·θ0).
    if kind == "proportion":
        size = np.rint(n)
        dist = binom(size, theta)
    else:
        size = n
        dist = poisson(theta * n)
    r = dist.ppf(prob)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = (dist.cdf(r) - prob) / dist.pmf(r)
        return np.clip((r - alpha) / size, 0, 1 if kind == "proportion" else np.inf)


def limits(n: Sequence[float] | np.ndarray, target: float, kind: str = "proportion",
           method: str = "normal", factor: float = 1.0, tau2: float = 0.0) -> dict[str, np.ndarray]:
    """The four limits at each denominator (before any multiplier).

    Args:
        n: denominators.
        target: θ0 on the value's scale (a proportion, or events per unit of exposure).
        kind: proportion, rate or sr.
        method: normal, exact or arcsine.
        factor: multiplicative over-dispersion: the limits' distance from θ0 is multiplied
            by this (sqrt φ̂).
        tau2: additive over-dispersion: τ̂² on the method's scale (the normal scale for
            "exact").

    Returns:
        lcl95, ucl95, lcl998, ucl998 as arrays (level names as in compare.yaml).
    """
    from scipy.stats import norm  # imported when used: scipy.stats costs every command 0.7 s to load

    n = np.asarray(n, dtype=float)
    out = {}
    for level, (lo_p, hi_p) in load_settings().tails().items():
        for name, prob in zip(_LIMITS[level], (lo_p, hi_p)):
            if method == "exact" and tau2 == 0:
                base = _exact(kind, target, n, prob)
                out[name] = _from_scale(kind, "normal", target + factor * (base - target))
                continue
            scale = "normal" if method == "exact" else method
            s = se(kind, scale, target, n)
            centre = to_scale(kind, scale, target)
            out[name] = _from_scale(kind, scale,
                                    centre + norm.ppf(prob) * np.sqrt(factor ** 2 * s ** 2 + tau2))
    return out
