"""Funnel plots: each unit's figure against the target, with limits that narrow as units grow.

Spiegelhalter (2005, 2012) as METHODS.md section 3 states it, checked against FunnelPlotR
0.6.0 and the published limits quoted there. `funnel` takes plain sequences (or Polars
Series) so it can be tested against those cases; the limits themselves are drawn by
`limits.py`, and `choose.py` applies the rules of compare.yaml. Values stay on the caller's scale: proportions 0-1, rates per
unit of exposure (times `multiplier`).

Kinds
    proportion  numerator out of denominator (binomial).
    rate        events over an exposure such as days in care (Poisson).
    sr          an indirectly standardised ratio O/E: the denominator is the expected
                count E (FunnelPlotR "SR"); Poisson like a rate, except for exact limits.

The method's scale
    normal   raw scale: z = (p − θ0)/s with s = sqrt(θ0(1−θ0)/n) (proportions) or
             sqrt(θ0/n) (rates, ratios); limits θ0 ± z·s, truncated to [0, 1] (or at 0).
    exact    proportions and rates: the binomial or Poisson quantile with interpolation
             (Spiegelhalter 2005 appendix), so a unit with no events where a few are
             expected is not flagged; sr: FunnelPlotR's θ0·χ²(p; 2E)/(2E) and
             θ0·χ²(p; 2(E+1))/(2E), E treated as continuous (METHODS.md 3.2; at small E its
             lower limit is above zero even when no events is a likely count, which is why
             rates do not use it). z-scores, φ̂ and τ̂² are those of the normal scale.
    arcsine  the variance-stabilised scale: proportions Y = asin(sqrt p), rates and ratios
             Y = sqrt(value), all with s = 1/(2·sqrt n) (FunnelPlotR "PR"; the square root is
             the Poisson counterpart of the arcsine, squared back as METHODS.md 3.3 says);
             limits are back-transformed (sin², ²) after the angle or root is clipped to its
             range, so they stay monotonic at tiny n.

Over-dispersion
    φ̂ is the mean square of the z-scores winsorised at their 10th and 90th percentiles
    (R quantile type 7), over the units at or above the minimum denominator (I of them);
    I·φ̂ is tested against χ² on I − 1 degrees of freedom (I when the target is given).
    multiplicative  the distance of each limit from θ0 is multiplied by sqrt(φ̂), and z is
                    divided by it; only when φ̂ > 1, as FunnelPlotR.
    additive        τ̂² (DerSimonian-Laird, w = 1/s²) is added to s² on the method's scale:
                    limits T ± z·sqrt(s² + τ̂²) back-transformed, z rescaled by
                    s/sqrt(s² + τ̂²). With method "normal" the scale is the raw one; exact
                    limits have no random-effects form, so "exact" with additive draws the
                    normal-scale additive limits (say so where it is shown).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import polars as pl

from cqi_core.errors import CQIError
from cqi_core.methods.funnel.limits import limits, outliers, se, to_scale
from cqi_core.methods.funnel.settings import ADJUSTMENTS, KINDS, load_settings

METHODS = ("normal", "exact", "arcsine")
"""How limits are drawn."""
OVERDISPERSION = ("none", *ADJUSTMENTS)
"""Over-dispersion models: none, multiplicative, additive."""
COLUMNS = ("unit", "numerator", "denominator", "value", "z", "z_winsorised", "lcl95", "ucl95",
           "lcl998", "ucl998", "flag")
"""The columns of `FunnelResult.units`, in order."""


@dataclass(frozen=True)
class FunnelResult:
    """A funnel plot's numbers: every unit against the target, and the limits as curves."""

    units: pl.DataFrame
    """In input order (repeated units summed, at their first position): unit, numerator,
    denominator, value, z, z_winsorised, lcl95, ucl95, lcl998, ucl998, flag. `z` is on the
    method's scale after any adjustment; `z_winsorised` is the unadjusted z clipped at its
    10th/90th percentiles (what φ̂ averages; null for units left out of the estimate);
    limits are at the unit's own denominator. flag is high_99.8, high_95, low_99.8, low_95
    or none: strictly outside a limit is an outlier, on it is inside. Units with a zero or
    missing denominator (or numerator) have nulls and flag none; units below the minimum
    denominator keep their value, z and limits but are never flagged."""
    target: float | None
    """θ0: pooled Σ numerator / Σ denominator, or the target given (times `multiplier`);
    None when no unit has a denominator."""
    phi: float | None
    """φ̂, the over-dispersion ratio (1 = as much spread as chance predicts); None
    without any comparable unit."""
    tau2: float
    """DerSimonian-Laird τ̂² on the method's scale; 0 when I·φ̂ < I − 1."""
    chi2: float | None
    """I·φ̂, the test statistic; None when fewer units than compare.yaml's minimum."""
    df: int
    """Degrees of freedom of the test: I − 1 (pooled target) or I (given target)."""
    p_value: float | None
    """Upper tail of χ²(df) at I·φ̂; None when not tested."""
    overdispersed: bool
    """True when the test finds more spread than chance (p below compare.yaml's alpha)."""
    units_in_estimate: int
    """I: units with a denominator at or above the minimum and a finite z-score."""
    method: str
    """normal, exact or arcsine."""
    overdispersion: str
    """The model asked for: none, multiplicative or additive."""
    adjusted: bool
    """True when the limits were actually widened (φ̂ > 1, or τ̂² > 0)."""
    kind: str
    """proportion, rate or sr."""
    min_denominator: float
    """Units below this are greyed and never flagged."""
    multiplier: float
    """Values, limits and target are multiplied by this (1,000 for a rate per 1,000 days)."""
    curve: pl.DataFrame
    """The limits as curves for drawing: denominator, lcl95, ucl95, lcl998, ucl998."""


def _series(values: Any, name: str) -> pl.Series:
    s = values if isinstance(values, pl.Series) else pl.Series(name, list(values), strict=False)
    return s.alias(name)


def aggregate(numerator: Sequence[float] | pl.Series, denominator: Sequence[float] | pl.Series,
              unit: Sequence[str] | pl.Series) -> pl.DataFrame:
    """Rows summed by unit, in order of first appearance (FunnelPlotR `aggregate_func`).

    Returns:
        unit, numerator, denominator, value (numerator / denominator; null when the
        denominator is zero or either count is missing in any of the unit's rows).
    """
    num = _series(numerator, "numerator").cast(pl.Float64, strict=False)
    den = _series(denominator, "denominator").cast(pl.Float64, strict=False)
    who = _series(unit, "unit").cast(pl.String)
    if not len(num) == len(den) == len(who):
        raise CQIError(f"numerator, denominator and unit have different lengths "
                       f"({len(num)}, {len(den)}, {len(who)}).")
    frame = pl.DataFrame([who, num.fill_nan(None), den.fill_nan(None)])
    if frame["unit"].null_count():
        raise CQIError("Every row needs a unit.")
    out = frame.group_by("unit", maintain_order=True).agg(
        *[pl.when(pl.col(c).is_null().any()).then(None).otherwise(pl.col(c).sum()).alias(c)
          for c in ("numerator", "denominator")])
    return out.with_columns(
        pl.when(pl.col("denominator") > 0).then(pl.col("numerator") / pl.col("denominator"))
        .alias("value"))


# --------------------------------------------------------------------------- funnel


def check_arguments(method: str, overdispersion: str, kind: str) -> None:
    """Raise CQIError for an unknown method, over-dispersion model or kind."""
    if method not in METHODS:
        raise CQIError(f"Unknown method {method!r}; choose normal, exact or arcsine.")
    if overdispersion not in OVERDISPERSION:
        raise CQIError(f"Unknown over-dispersion model {overdispersion!r}; choose none, "
                       "multiplicative or additive.")
    if kind not in KINDS:
        raise CQIError(f"Unknown kind {kind!r}; a funnel plot compares a proportion, a rate "
                       "or a standardised ratio (sr).")


def _target(o: np.ndarray, n: np.ndarray, valid: np.ndarray, target: float | None,
            kind: str) -> float | None:
    if target is None:
        total = n[valid].sum()
        return float(o[valid].sum() / total) if total > 0 else None
    if not math.isfinite(target) or target < 0 or (kind == "proportion" and target > 1):
        raise CQIError(f"The target {target!r} is not a possible "
                       f"{'proportion (0 to 1)' if kind == 'proportion' else 'rate'}.")
    return float(target)


def funnel(numerator: Sequence[float] | pl.Series, denominator: Sequence[float] | pl.Series,
           unit: Sequence[str] | pl.Series, target: float | None = None, method: str = "normal",
           overdispersion: str = "none", *, kind: str = "proportion",
           min_denominator: float | None = None, multiplier: float = 1.0) -> FunnelResult:
    """Compare units with a funnel plot (see the module docstring for every formula).

    Args:
        numerator, denominator, unit: one entry per row; rows of the same unit are summed.
        target: θ0 on the value's scale before `multiplier` (default: pooled ΣO/Σn over
            the units with a denominator).
        method: normal, exact or arcsine.
        overdispersion: none, multiplicative or additive.
        kind: proportion (binomial), rate (Poisson: counts over an exposure) or sr (an
            indirectly standardised ratio O/E; the denominator is the expected count).
        min_denominator: units below it are greyed and never flagged, and left out of φ̂
            (default: compare.yaml `min_denominator` for the kind).
        multiplier: values, limits and target are multiplied by it for display.

    Raises:
        CQIError: unknown method, model or kind; negative counts; a proportion above 1;
            an impossible target.
    """
    check_arguments(method, overdispersion, kind)
    settings = load_settings()
    agg = aggregate(numerator, denominator, unit)
    o = agg["numerator"].to_numpy().astype(float)
    n = agg["denominator"].to_numpy().astype(float)
    with np.errstate(invalid="ignore"):
        if np.any(o < 0) or np.any(n < 0):
            raise CQIError("Counts cannot be negative.")
        if kind == "proportion" and np.any(o > n):
            raise CQIError("A numerator is larger than its denominator: that is not a proportion.")
        valid = np.isfinite(o) & np.isfinite(n) & (n > 0)
    theta = _target(o, n, valid, target, kind)
    min_den = settings.min_denominator[kind] if min_denominator is None else float(min_denominator)
    p = np.full(len(o), np.nan)
    p[valid] = o[valid] / n[valid]
    eligible = valid & (n >= min_den)
    if theta is None:  # no unit has a denominator: nothing to compare
        nan = np.full(len(o), np.nan)
        return FunnelResult(
            units=_units(agg, p, nan, nan, {}, np.full(len(o), "none", dtype=object), multiplier),
            target=None, phi=None, tau2=0.0, chi2=None, df=0, p_value=None, overdispersed=False,
            units_in_estimate=0, method=method, overdispersion=overdispersion, adjusted=False,
            kind=kind, min_denominator=min_den, multiplier=multiplier, curve=_empty_curve())
    z_raw = np.full(len(o), np.nan)
    s = se(kind, method if method == "arcsine" else "normal", theta, np.where(valid, n, np.nan))
    with np.errstate(divide="ignore", invalid="ignore"):
        z_raw[valid] = ((to_scale(kind, method, p[valid]) - to_scale(kind, method, theta))
                        / s[valid])
    z_raw[~np.isfinite(z_raw)] = np.nan
    est = eligible & np.isfinite(z_raw)
    big_i = int(est.sum())
    z_w = np.full(len(o), np.nan)
    phi = None
    if big_i:
        lo, hi = np.quantile(z_raw[est], [settings.winsorise, 1 - settings.winsorise])
        z_w[est] = np.clip(z_raw[est], lo, hi)
        phi = float(np.mean(z_w[est] ** 2))
    df = big_i - 1 if target is None else big_i
    tested = phi is not None and big_i >= settings.overdispersion_min_units and df >= 1
    stat = big_i * phi if tested else None
    from scipy.stats import chi2  # imported when used: scipy.stats costs every command 0.7 s to load

    p_value = float(chi2.sf(stat, df)) if tested else None
    tau2 = _dersimonian_laird(phi, big_i, s[est])
    factor = math.sqrt(phi) if overdispersion == "multiplicative" and phi and phi > 1 else 1.0
    tau = tau2 if overdispersion == "additive" else 0.0
    lims = {k: np.full(len(o), np.nan) for k in ("lcl95", "ucl95", "lcl998", "ucl998")}
    for k, v in limits(n[valid], theta, kind, method, factor, tau).items():
        lims[k][valid] = v
    with np.errstate(invalid="ignore"):
        z = z_raw * s / np.sqrt(factor ** 2 * s ** 2 + tau)
    return FunnelResult(
        units=_units(agg, p, z, z_w, lims, _flags(p, lims, eligible), multiplier),
        target=theta * multiplier, phi=phi, tau2=tau2, chi2=stat, df=df, p_value=p_value,
        overdispersed=bool(tested and p_value < settings.overdispersion_alpha),
        units_in_estimate=big_i, method=method, overdispersion=overdispersion,
        adjusted=factor > 1 or tau > 0, kind=kind, min_denominator=min_den,
        multiplier=multiplier, curve=_curve(n[valid], theta, kind, method, factor, tau, multiplier))


def _dersimonian_laird(phi: float | None, big_i: int, s: np.ndarray) -> float:
    """τ̂² = max(0, (I·φ̂ − (I − 1)) / (Σw − Σw²/Σw)), w = 1/s²; 0 when I·φ̂ < I − 1."""
    if phi is None or big_i * phi < big_i - 1:
        return 0.0
    w = 1 / s ** 2
    spread = w.sum() - (w ** 2).sum() / w.sum()
    if not spread > 0:
        return 0.0
    return max(0.0, float((big_i * phi - (big_i - 1)) / spread))


def _flags(p: np.ndarray, lims: dict[str, np.ndarray], eligible: np.ndarray) -> np.ndarray:
    flag = np.full(len(p), "none", dtype=object)
    for name, lo, hi in (("95", "lcl95", "ucl95"), ("99.8", "lcl998", "ucl998")):
        above = eligible & outliers(p, -np.inf, lims[hi])
        below = eligible & outliers(p, lims[lo], np.inf)
        flag[above] = f"high_{name}"
        flag[below] = f"low_{name}"
    return flag


def _empty_curve() -> pl.DataFrame:
    return pl.DataFrame(schema={"denominator": pl.Float64, **{
        k: pl.Float64 for k in ("lcl95", "ucl95", "lcl998", "ucl998")}})


def _curve(n: np.ndarray, theta: float, kind: str, method: str, factor: float, tau2: float,
           multiplier: float) -> pl.DataFrame:
    """Limits along a grid of denominators from 80% of the smallest unit to just past the
    largest (geometric spacing; whole numbers for exact binomial limits)."""
    if not len(n):
        return _empty_curve()
    points = load_settings().display["curve_points"]
    low = max(n.min() * 0.8, 1.0)
    high = max(n.max() * 1.05, low + 1)
    grid = np.geomspace(low, high, points)
    if kind == "proportion" and method == "exact":
        grid = np.unique(np.rint(grid))
    drawn = limits(grid, theta, kind, method, factor, tau2)
    return pl.DataFrame({"denominator": grid, **{k: v * multiplier for k, v in drawn.items()}})


def with_curve_over(result: FunnelResult, denominators: Sequence[float] | pl.Series) -> FunnelResult:
    """The result with its limit curves redrawn over these denominators only (a released
    table's: the curves' extent must not reveal a hidden unit's size)."""
    n = np.asarray(pl.Series(list(denominators), dtype=pl.Float64).drop_nulls().to_numpy())
    n = n[np.isfinite(n) & (n > 0)]
    if result.target is None or not len(n):
        return replace(result, curve=_empty_curve())
    factor = math.sqrt(result.phi) if (result.adjusted and result.overdispersion
                                       == "multiplicative") else 1.0
    tau = result.tau2 if result.adjusted and result.overdispersion == "additive" else 0.0
    return replace(result, curve=_curve(n, result.target / result.multiplier, result.kind,
                                        result.method, factor, tau, result.multiplier))


def _units(agg: pl.DataFrame, p: np.ndarray, z: np.ndarray, z_w: np.ndarray,
           lims: dict[str, np.ndarray], flag: np.ndarray, multiplier: float) -> pl.DataFrame:
    """The unit table in `COLUMNS` order: NaN becomes null; values and limits × multiplier."""
    def col(name: str, values: np.ndarray, scale: float = 1.0) -> pl.Series:
        return pl.Series(name, np.asarray(values, dtype=float) * scale).fill_nan(None)

    nan = np.full(len(p), np.nan)
    return agg.select("unit", "numerator", "denominator").with_columns(
        col("value", p, multiplier), col("z", z), col("z_winsorised", z_w),
        *[col(k, lims.get(k, nan), multiplier) for k in ("lcl95", "ucl95", "lcl998", "ucl998")],
        pl.Series("flag", flag.tolist(), dtype=pl.String)).select(COLUMNS)
