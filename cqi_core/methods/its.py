"""Segmented regression of an interrupted time series (Wagner et al. 2002; METHODS.md 5.2).

Did a change move a measure beyond what its earlier trend predicted? The series is split at
the change into a before and an after segment and one model is fitted to both:

    g(E[Y_t]) = β0 + β1·time_t + β2·post_t + β3·time_after_t  (+ log exposure_t)

- time_t = 1, 2, … T counts periods from the first one;
- post_t = 0 before the change, 1 from the first period after it;
- time_after_t = 0 before the change and counts periods after it. With
  `time_after_starts_at=1` (the default, as in the published cdi example) it is 1 at the
  first period after the change, so the change seen at that period is β2 + β3; with
  `time_after_starts_at=0` it is 0 there and the change at that period is β2 alone
  (Wang et al. 2025 on why this matters). `SegmentedFit.immediate_change` follows the
  choice, so the words shown never depend on remembering it.

β0 is the level at time 0, β1 the slope before the change, β2 the level change and β3 the
change in slope. Three families:

- "gaussian": ordinary least squares on the values (closed form);
- "poisson": counts with an exposure (days in care …), log link, offset log(exposure),
  fitted by iteratively reweighted least squares; when the Pearson dispersion is above 1
  the standard errors are scaled by its square root (quasi-Poisson) and intervals use t;
- "binomial": successes out of n, logit link, same fitting and the same quasi rule.

Autocorrelation is reported with the Durbin–Watson statistic (on the residuals of OLS, on
the Pearson residuals of the other two). When it lies outside 1.5–2.5, or when asked,
standard errors are Newey–West (HAC, Bartlett weights) with the lag
floor(4·(T/100)^(2/9)) (Newey & West 1994's rule for the automatic bandwidth), at least 1.

Fewer than 3 points on either side is refused (Cochrane EPOC's minimum for an interrupted
time series); fewer than 8 gives a warning, as power is poor. Plain NumPy and SciPy's t
and normal distributions: no model library is needed for four coefficients.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from cqi_core.errors import CQIError

FAMILIES = ("gaussian", "poisson", "binomial")
"""Model families `segmented_regression` fits."""
TERMS = ("level at time 0", "slope before the change", "level change", "slope change")
"""β0..β3 in words."""
MIN_POINTS = 3
"""Fewer points than this on either side of the change is not an interrupted time series."""
WARN_POINTS = 8
"""Fewer points than this on either side gives a warning: the model has little power."""
DW_BAND = (1.5, 2.5)
"""A Durbin–Watson statistic outside this band suggests autocorrelated residuals."""
_MAX_ITERATIONS = 100
_TOLERANCE = 1e-10


@dataclass(frozen=True)
class SegmentedFit:
    """A fitted segmented regression, with everything needed to draw and explain it."""

    family: str
    """gaussian, poisson or binomial."""
    coef: tuple[float, float, float, float]
    """β0..β3 on the model's scale (values; log rate; log odds)."""
    se: tuple[float, float, float, float]
    """Standard errors of β0..β3 (scaled or HAC as `se_method` says)."""
    ci_low: tuple[float, float, float, float]
    """Lower ends of the 95% intervals of β0..β3."""
    ci_high: tuple[float, float, float, float]
    """Upper ends of the 95% intervals of β0..β3."""
    p_value: tuple[float, float, float, float]
    """Two-sided p-values of β0..β3 against zero."""
    covariance: tuple[tuple[float, ...], ...]
    """The 4 × 4 covariance matrix of the coefficients (as used for `se`)."""
    df_resid: int
    """Points used minus 4."""
    uses_t: bool
    """True when intervals and p-values use Student's t with `df_resid` degrees of freedom
    (OLS and quasi fits); else the normal distribution."""
    n_pre: int
    """Points used before the change."""
    n_post: int
    """Points used from the change on."""
    change_at: int
    """Index (0-based) of the first period after the change: the number of periods before it."""
    time_after_starts_at: int
    """0 or 1: time_after at the first period after the change."""
    fitted: tuple[float, ...]
    """The model at every period (missing ones included), on the response scale: the value
    (gaussian), the rate per unit of exposure (poisson) or the proportion (binomial)."""
    counterfactual: tuple[float, ...]
    """The trend before the change carried on (β0 + β1·time) at every period, on the
    response scale; equal to `fitted` before the change."""
    used: tuple[bool, ...]
    """Whether each period took part in the fit (missing values and empty exposures do not)."""
    durbin_watson: float | None
    """Durbin–Watson statistic of the residuals in time order (None when they are all 0)."""
    dispersion: float | None
    """Pearson chi-square over residual degrees of freedom (poisson, binomial); None for OLS."""
    se_method: str
    """ols, model (GLM, dispersion at most 1), quasi (GLM scaled by the dispersion) or
    newey_west."""
    hac_lag: int | None
    """The Newey–West lag, when those standard errors are used."""
    warnings: tuple[str, ...]
    """Plain sentences on what limits the result (few points, autocorrelation, a far
    extrapolation)."""
    far_extrapolation: bool = False
    """True when the earlier trend carried on leaves the observed range by more than a
    factor of 100 (or float range): comparisons with it at the end say nothing useful."""

    @property
    def immediate_change(self) -> tuple[float, float, float]:
        """The change at the first period after it, on the model's scale, with its 95%
        interval: β2 + β3 when time_after starts at 1, β2 when it starts at 0."""
        w = np.array([0.0, 0.0, 1.0, float(self.time_after_starts_at)])
        cov = np.array(self.covariance)
        est = float(w @ np.array(self.coef))
        se = math.sqrt(max(float(w @ cov @ w), 0.0))
        q = _critical(self.uses_t, self.df_resid)
        return est, est - q * se, est + q * se

    @property
    def relative(self) -> bool:
        """True when changes are ratios (exp of the coefficient): rate ratios for poisson,
        odds ratios for binomial."""
        return self.family != "gaussian"

    def table(self) -> pl.DataFrame:
        """The four coefficients as rows: term, estimate, se, ci_low, ci_high, p_value, and
        for poisson and binomial ratio, ratio_low, ratio_high (exp of the estimate and its
        interval: rate ratios or odds ratios)."""
        out = pl.DataFrame({"term": list(TERMS), "estimate": list(self.coef), "se": list(self.se),
                            "ci_low": list(self.ci_low), "ci_high": list(self.ci_high),
                            "p_value": list(self.p_value)})
        if self.relative:
            out = out.with_columns(pl.col("estimate").exp().alias("ratio"),
                                   pl.col("ci_low").exp().alias("ratio_low"),
                                   pl.col("ci_high").exp().alias("ratio_high"))
        return out


def _critical(uses_t: bool, df: int) -> float:
    from scipy.stats import norm, t as student_t  # imported when used: scipy.stats costs every command 0.7 s to load

    return float(student_t.ppf(0.975, df)) if uses_t else float(norm.ppf(0.975))


def _floats(values: Sequence[float | None] | None, size: int, name: str) -> np.ndarray | None:
    if values is None:
        return None
    out = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    if out.size != size:
        raise ValueError(f"{name} has {out.size} values but y has {size}")
    return out


def design(size: int, change_at: int, time_after_starts_at: int = 1) -> np.ndarray:
    """The T × 4 design matrix: 1, time, post, time_after (see the module docstring)."""
    time = np.arange(1, size + 1, dtype=float)
    post = (np.arange(size) >= change_at).astype(float)
    after = np.where(post > 0, time - change_at - 1 + time_after_starts_at, 0.0)
    return np.column_stack([np.ones(size), time, post, after])


def newey_west_lag(size: int) -> int:
    """floor(4·(T/100)^(2/9)), at least 1: the lag used for Newey–West standard errors."""
    return max(1, int(math.floor(4 * (size / 100) ** (2 / 9))))


def _hac_meat(scores: np.ndarray, lag: int) -> np.ndarray:
    """Σ_t s_t s_t' + Σ_l w_l Σ_t (s_t s_{t-l}' + s_{t-l} s_t'), Bartlett w_l = 1 − l/(L+1)."""
    meat = scores.T @ scores
    for lag_l in range(1, lag + 1):
        w = 1 - lag_l / (lag + 1)
        g = scores[lag_l:].T @ scores[:-lag_l]
        meat += w * (g + g.T)
    return meat


def _durbin_watson(residuals: np.ndarray) -> float | None:
    ss = float(residuals @ residuals)
    if ss == 0:
        return None
    return float(np.sum(np.diff(residuals) ** 2) / ss)


def _irls(X: np.ndarray, y: np.ndarray, size: np.ndarray,
          family: str) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and the final mean (counts) of a Poisson-log or binomial-logit GLM."""
    if family == "poisson":
        offset = np.log(size)
        eta = np.log(np.maximum(y, 0.5)) if y.sum() > 0 else offset.copy()
    else:
        offset = np.zeros_like(y)
        p = (y + 0.5) / (size + 1)
        eta = np.log(p / (1 - p))
    beta = np.zeros(X.shape[1])
    deviance = math.inf
    for _ in range(_MAX_ITERATIONS):
        if family == "poisson":
            mu = np.exp(eta)
            weight = mu
        else:
            p = 1 / (1 + np.exp(-eta))
            mu = size * p
            weight = size * p * (1 - p)
        if not np.all(np.isfinite(weight)) or np.any(weight <= 0):
            break
        z = eta - offset + (y - mu) / weight
        xtw = X.T * weight
        try:
            beta = np.linalg.solve(xtw @ X, xtw @ z)
        except np.linalg.LinAlgError:
            break
        eta = X @ beta + offset
        new = _deviance(y, size, eta, family)
        if abs(new - deviance) <= _TOLERANCE * (abs(new) + 0.1):
            return beta, _mean(eta, size, family)
        deviance = new
    raise CQIError("The model could not be fitted to these counts (for example every period "
                   "after the change has none): read the chart instead.")


def _mean(eta: np.ndarray, size: np.ndarray, family: str) -> np.ndarray:
    return np.exp(eta) if family == "poisson" else size / (1 + np.exp(-eta))


def _deviance(y: np.ndarray, size: np.ndarray, eta: np.ndarray, family: str) -> float:
    mu = _mean(eta, size, family)
    with np.errstate(divide="ignore", invalid="ignore"):
        if family == "poisson":
            term = np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu)
        else:
            rest = size - y
            term = (np.where(y > 0, y * np.log(y / mu), 0.0)
                    + np.where(rest > 0, rest * np.log(rest / (size - mu)), 0.0))
    return float(2 * np.sum(term))


def segmented_regression(y: Sequence[float | None], change_at: int,
                         exposure: Sequence[float | None] | None = None,
                         n: Sequence[float | None] | None = None, family: str = "gaussian",
                         time_after_starts_at: int = 1, hac: bool | None = None,
                         hac_lag: int | None = None) -> SegmentedFit:
    """Fit level and slope before and after a change to one series of consecutive periods.

    Args:
        y: one value per period, oldest first (gaussian: the value; poisson: the count;
            binomial: the successes). None or NaN marks a period without data: it keeps its
            place in time but takes no part in the fit.
        change_at: index (0-based) of the first period after the change, i.e. how many
            periods come before it (qicharts2's `freeze`).
        exposure: poisson only: exposure per period (days at risk …); log(exposure) is the
            offset, so coefficients are log rates per unit of exposure. None: counts alone.
        n: binomial only: trials per period.
        family: gaussian, poisson or binomial.
        time_after_starts_at: 1 (time_after is 1 at the first period after the change; the
            change seen there is β2 + β3) or 0 (β2 alone).
        hac: True for Newey–West standard errors, False for model ones, None to use
            Newey–West when the Durbin–Watson statistic lies outside 1.5–2.5.
        hac_lag: the Newey–West lag (default `newey_west_lag(T)`).

    Returns:
        The fit (`SegmentedFit`).

    Raises:
        CQIError: fewer than 3 usable periods on either side, or counts the model cannot fit.
        ValueError: an unknown family, arrays of different lengths, a change index outside
            the series, or the wrong size argument for the family.
    """
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}; got {family!r}")
    if time_after_starts_at not in (0, 1):
        raise ValueError("time_after_starts_at must be 0 or 1")
    values = _floats(y, len(y), "y")
    size = values.size
    if not 0 < change_at < size:
        raise ValueError(f"change_at must be between 1 and {size - 1}; got {change_at}")
    exp_arr = _floats(exposure, size, "exposure")
    n_arr = _floats(n, size, "n")
    if family == "binomial" and n_arr is None:
        raise ValueError("a binomial model needs n (trials per period)")
    if family != "poisson" and exp_arr is not None:
        raise ValueError("exposure is for poisson models only")
    if family != "binomial" and n_arr is not None:
        raise ValueError("n is for binomial models only")
    scale = {"poisson": exp_arr if exp_arr is not None else np.ones(size),
             "binomial": n_arr}.get(family, np.ones(size))

    used = np.isfinite(values) & np.isfinite(scale) & (scale > 0)
    if family == "poisson":
        used &= values >= 0
    elif family == "binomial":
        used &= (values >= 0) & (values <= scale)
    idx = np.arange(size)
    n_pre, n_post = int(np.sum(used & (idx < change_at))), int(np.sum(used & (idx >= change_at)))
    if min(n_pre, n_post) < MIN_POINTS:
        raise CQIError(f"A segmented regression needs at least {MIN_POINTS} periods before and "
                       f"{MIN_POINTS} after the change; there are {n_pre} before and {n_post} "
                       "after.")
    if family != "gaussian":
        for name, seg in (("before", used & (idx < change_at)),
                          ("after", used & (idx >= change_at))):
            if values[seg].sum() == 0 or (family == "binomial"
                                          and values[seg].sum() == scale[seg].sum()):
                what = "none" if values[seg].sum() == 0 else "all"
                raise CQIError(f"Every period {name} the change counts {what}, so the model "
                               "cannot estimate a level or a trend there: read the chart "
                               "instead.")
    X_all = design(size, change_at, time_after_starts_at)
    X, yy, ss = X_all[used], values[used], scale[used]
    df = int(used.sum()) - X.shape[1]

    if family == "gaussian":
        bread = np.linalg.inv(X.T @ X)
        beta = bread @ X.T @ yy
        resid = yy - X @ beta
        if float(resid @ resid) <= 1e-20 * float(yy @ yy):  # an exact fit, up to round-off
            resid = np.zeros_like(resid)
        score_resid = resid
        dispersion = None
        cov = bread * (float(resid @ resid) / df)
        method, uses_t = "ols", True
    else:
        beta, mu = _irls(X, yy, ss, family)
        weight = mu if family == "poisson" else mu * (1 - mu / ss)
        bread = np.linalg.inv((X.T * weight) @ X)
        resid = (yy - mu) / np.sqrt(weight)  # Pearson residuals
        score_resid = yy - mu
        if float(resid @ resid) <= 1e-16 * resid.size:  # an exact fit, up to round-off
            resid, score_resid = np.zeros_like(resid), np.zeros_like(resid)
        dispersion = float(resid @ resid / df)
        quasi = dispersion > 1
        cov = bread * dispersion if quasi else bread
        method, uses_t = ("quasi", True) if quasi else ("model", False)

    dw = _durbin_watson(resid)
    warnings: list[str] = []
    if min(n_pre, n_post) < WARN_POINTS:
        warnings.append(f"Only {n_pre} periods before and {n_post} after the change: with fewer "
                        f"than {WARN_POINTS} on a side, the model can miss a real change and its "
                        "intervals are wide.")
    autocorrelated = dw is not None and not DW_BAND[0] <= dw <= DW_BAND[1]
    lag = None
    if hac or (hac is None and autocorrelated):
        lag = newey_west_lag(size) if hac_lag is None else int(hac_lag)
        scores = X * score_resid[:, None]
        cov = bread @ _hac_meat(scores, lag) @ bread
        method = "newey_west"
        uses_t = family == "gaussian"
    if autocorrelated:
        warnings.append(f"Neighbouring periods are correlated (Durbin–Watson {dw:.2f}); "
                        + ("the intervals allow for it (Newey–West)." if method == "newey_west"
                           else "the intervals do not allow for it."))

    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    q = _critical(uses_t, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.abs(beta / se)
    from scipy.stats import norm, t as student_t  # imported when used: scipy.stats costs every command 0.7 s to load

    dist = student_t(df) if uses_t else norm
    p = np.where(np.isnan(stat), np.nan, 2 * dist.sf(stat))

    link = X_all @ beta
    pre_trend = X_all[:, :2] @ beta[:2]
    response = {"gaussian": lambda e: e, "poisson": np.exp,
                "binomial": lambda e: 1 / (1 + np.exp(-e))}[family]
    with np.errstate(over="ignore"):  # a steep trend carried far can leave float range (inf)
        fitted, counterfactual = response(link), response(pre_trend)
    seen = yy / ss if family != "gaussian" else yy
    span = max(float(np.max(np.abs(seen))), float(np.max(np.abs(fitted[used]))), 1e-12)
    far = bool(not np.all(np.isfinite(counterfactual))
               or np.max(np.abs(counterfactual)) > 100 * span)
    if far:
        warnings.append("The earlier trend, carried on this far, goes far beyond anything "
                        "observed: the expected line is not a sensible comparison at the end.")

    def four(a: np.ndarray) -> tuple[float, float, float, float]:
        return tuple(float(v) for v in a)  # type: ignore[return-value]

    return SegmentedFit(
        family=family, coef=four(beta), se=four(se), ci_low=four(beta - q * se),
        ci_high=four(beta + q * se), p_value=four(p),
        covariance=tuple(tuple(float(v) for v in row) for row in cov), df_resid=df,
        uses_t=uses_t, n_pre=n_pre, n_post=n_post, change_at=change_at,
        time_after_starts_at=time_after_starts_at,
        fitted=tuple(float(v) for v in fitted),
        counterfactual=tuple(float(v) for v in counterfactual),
        used=tuple(bool(u) for u in used), durbin_watson=dw, dispersion=dispersion,
        se_method=method, hac_lag=lag, warnings=tuple(warnings), far_extrapolation=far)
