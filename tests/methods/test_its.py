"""Segmented regression: the published cdi case (METHODS.md 5.2), hand-computed small cases,
the parametrisation of time after the change, and what is refused."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from cqi_core.errors import CQIError
from cqi_core.methods.its import design, newey_west_lag, segmented_regression

CDI = Path(__file__).parents[1] / "fixtures" / "methods" / "qic_run_chart_cdi_freeze24.json"


@pytest.fixture(scope="module")
def cdi():
    """qicharts2's cdi data: 36 months of hospital-acquired C. difficile counts and risk days,
    24 before the intervention and 12 after."""
    data = json.loads(CDI.read_text(encoding="utf-8"))["input"]
    assert data["period"].count("pre") == 24 and data["period"].count("post") == 12
    return data


def test_cdi_rate_per_10000_risk_days_matches_the_published_ols_fit(cdi):
    # METHODS.md 5.2: OLS beta = 14.18, -0.092, -5.67, -0.108 (SE 1.29, 0.090, 2.24, 0.272),
    # DW = 2.11, with time_after = 1 at the first post month (as in the fixture).
    rate = [y / days * 10_000 for y, days in zip(cdi["y"], cdi["days"])]
    fit = segmented_regression(rate, change_at=24)
    assert fit.coef == pytest.approx((14.18, -0.092, -5.67, -0.108), abs=0.006)
    assert fit.se == pytest.approx((1.29, 0.090, 2.24, 0.272), abs=0.006)
    assert fit.durbin_watson == pytest.approx(2.11, abs=0.005)
    # DW inside 1.5-2.5: ordinary standard errors, t with 36 - 4 = 32 degrees of freedom
    assert fit.se_method == "ols" and fit.df_resid == 32 and fit.uses_t
    assert (fit.n_pre, fit.n_post) == (24, 12) and fit.warnings == ()


def test_cdi_poisson_with_risk_days_offset_matches_the_published_rate_ratio(cdi):
    # METHODS.md 5.2: level change RR = exp(beta2) = 0.535; quasi-Poisson dispersion 1.30.
    fit = segmented_regression(cdi["y"], change_at=24, exposure=cdi["days"], family="poisson")
    assert math.exp(fit.coef[2]) == pytest.approx(0.535, abs=0.0005)
    assert fit.dispersion == pytest.approx(1.30, abs=0.005)
    assert fit.se_method == "quasi" and fit.uses_t  # dispersion > 1: SEs widened by sqrt(1.30)
    table = fit.table()
    assert table["ratio"][2] == pytest.approx(0.535, abs=0.0005)
    assert table["ratio_low"][2] < 0.535 < table["ratio_high"][2]


def test_three_points_a_side_ols_by_hand():
    # y = 1, 3, 2 | 5, 4, 6. The four coefficients are two separate lines:
    # before: slope sum((t-2)(y-2))/sum((t-2)^2) = (1 + 0 + 0)/2 = 0.5, intercept 2 - 0.5*2 = 1;
    # after (t = 4..6): slope (0 + 0 + 1)/2 = 0.5, intercept 5 - 0.5*5 = 2.5.
    # beta3 = 0.5 - 0.5 = 0; with time_after = t - 3, the after line is
    # (beta0 + beta2 - 3*beta3) + (beta1 + beta3) t, so beta2 = 2.5 - 1 + 0 = 1.5.
    # Residuals -0.5, 1, -0.5, 0.5, -1, 0.5: RSS 3, df 2, sigma^2 1.5.
    # Var(beta1) = 1.5/2; Var(beta3) = 1.5/2 + 1.5/2; Var(beta0) = 1.5 (1/3 + 4/2);
    # Var(beta2) = Var(after line at t=3) + Var(before line at t=3)
    #            = 1.5 ((1/3 + 4/2) + (1/3 + 1/2)) = 1.5 * 19/6.
    fit = segmented_regression([1, 3, 2, 5, 4, 6], change_at=3, hac=False)
    assert fit.coef == pytest.approx((1, 0.5, 1.5, 0), abs=1e-12)
    assert fit.se == pytest.approx((math.sqrt(1.5 * 7 / 3), math.sqrt(0.75), math.sqrt(4.75),
                                    math.sqrt(1.5)), rel=1e-12)
    # DW = (1.5^2 + 1.5^2 + 1^2 + 1.5^2 + 1.5^2) / 3 = 10/3
    assert fit.durbin_watson == pytest.approx(10 / 3, rel=1e-12)
    # 95% interval with t(0.975, 2) = 4.302653 (tables)
    assert fit.ci_high[1] - fit.coef[1] == pytest.approx(4.302653 * math.sqrt(0.75), rel=1e-6)
    assert fit.fitted == pytest.approx((1.5, 2, 2.5, 4.5, 5, 5.5), abs=1e-12)
    assert fit.counterfactual == pytest.approx((1.5, 2, 2.5, 3, 3.5, 4), abs=1e-12)
    assert any("Only 3 periods before and 3 after" in w for w in fit.warnings)


def test_autocorrelated_residuals_switch_to_newey_west_with_the_stated_lag():
    # The same series: DW 10/3 is outside 1.5-2.5, so HAC standard errors are used, with lag
    # floor(4 (6/100)^(2/9)) = floor(2.14) = 2.
    fit = segmented_regression([1, 3, 2, 5, 4, 6], change_at=3)
    assert fit.se_method == "newey_west" and fit.hac_lag == 2 == newey_west_lag(6)
    assert any("Durbin–Watson 3.33" in w for w in fit.warnings)
    assert newey_west_lag(36) == 3  # floor(4 * 0.36^(2/9)) = floor(3.19)
    # With lag 0 the HAC covariance is White's: (X'X)^-1 X' diag(e^2) X (X'X)^-1.
    X = design(6, 3)
    e = np.array([-0.5, 1, -0.5, 0.5, -1, 0.5])
    bread = np.linalg.inv(X.T @ X)
    white = bread @ (X.T * e**2) @ X @ bread
    lag0 = segmented_regression([1, 3, 2, 5, 4, 6], change_at=3, hac=True, hac_lag=0)
    assert lag0.se == pytest.approx(tuple(np.sqrt(np.diag(white))), rel=1e-10)


def test_a_perfectly_linear_series_with_a_known_break_is_recovered_exactly():
    # y = 10 + 0.5 t for t = 1..4; from t = 5 the level drops by 4 and the slope rises by 1:
    # y = 10 + 0.5 t - 4 + 1 (t - 4): 10.5, 11, 11.5, 12 | 9.5, 11, 12.5, 14.
    y = [10 + 0.5 * t + (t > 4) * (-4 + (t - 4)) for t in range(1, 9)]
    fit = segmented_regression(y, change_at=4)
    assert fit.coef == pytest.approx((10, 0.5, -4, 1), abs=1e-9)
    assert fit.se == (0.0, 0.0, 0.0, 0.0) and fit.durbin_watson is None
    assert fit.counterfactual[4:] == pytest.approx((12.5, 13, 13.5, 14), abs=1e-9)
    # time_after is 1 at t = 5, so the change seen there is beta2 + beta3 = -4 + 1 = -3:
    # the fitted 9.5 against the earlier trend's 12.5.
    assert fit.fitted[4] - fit.counterfactual[4] == pytest.approx(-3, abs=1e-9)
    est, low, high = fit.immediate_change
    assert est == pytest.approx(-3, abs=1e-9) and low == pytest.approx(high, abs=1e-9)


def test_time_after_starting_at_zero_moves_the_first_slope_step_into_the_level_change():
    # Same series. With time_after = 0 at t = 5, the after line is
    # beta0 + beta2' + (beta1 + beta3)(t) - 5 beta3, so beta2' = beta2 + beta3 = -3, beta3 = 1;
    # the immediate change is beta2' alone: -3 in both parametrisations.
    y = [10 + 0.5 * t + (t > 4) * (-4 + (t - 4)) for t in range(1, 9)]
    fit = segmented_regression(y, change_at=4, time_after_starts_at=0)
    assert fit.coef == pytest.approx((10, 0.5, -3, 1), abs=1e-9)
    assert fit.immediate_change[0] == pytest.approx(-3, abs=1e-9)


def test_poisson_with_an_exact_halving_has_the_hand_computed_standard_errors():
    # Rates 0.1 then 0.05 per unit of exposure (counts 100 then 50 on 1,000): beta = (log 0.1,
    # 0, log 0.5, 0), dispersion 0, so model standard errors. Information per segment with
    # weights mu: Var(slope before) = 1/(100 * 2); Var(beta0) = 1/300 + 2^2/200;
    # Var(beta2) = (1/150 + (3-5)^2/100) + (1/300 + (3-2)^2/200) = 0.055;
    # Var(beta3) = 1/200 + 1/100 = 0.015.
    fit = segmented_regression([100, 100, 100, 50, 50, 50], change_at=3,
                               exposure=[1000] * 6, family="poisson")
    assert fit.coef == pytest.approx((math.log(0.1), 0, math.log(0.5), 0), abs=1e-9)
    assert fit.se == pytest.approx((math.sqrt(1 / 300 + 0.02), math.sqrt(0.005),
                                    math.sqrt(0.055), math.sqrt(0.015)), rel=1e-6)
    assert fit.se_method == "model" and fit.dispersion == 0 and not fit.uses_t
    assert fit.fitted[3] == pytest.approx(0.05) and fit.counterfactual[3] == pytest.approx(0.1)


def test_binomial_with_an_exact_step_gives_the_odds_ratio_and_hand_standard_errors():
    # 20 of 100 then 50 of 100: beta2 = logit(0.5) - logit(0.2) = log 4; weights
    # n p (1-p) = 16 before, 25 after. Var(slope before) = 1/(16 * 2).
    fit = segmented_regression([20, 20, 20, 50, 50, 50], change_at=3, n=[100] * 6,
                               family="binomial")
    assert math.exp(fit.coef[2]) == pytest.approx(4, rel=1e-9)
    assert fit.se[1] == pytest.approx(math.sqrt(1 / 32), rel=1e-6)
    assert fit.fitted[0] == pytest.approx(0.2) and fit.fitted[5] == pytest.approx(0.5)


def test_missing_periods_keep_their_place_in_time():
    # Period 3 missing: the fit uses t = 1, 2, 4 before the change; still exact for a line.
    y = [1.0, 2.0, None, 4.0, 10.0, 11.0, 12.0]
    fit = segmented_regression(y, change_at=4)
    assert fit.used == (True, True, False, True, True, True, True)
    assert (fit.n_pre, fit.n_post) == (3, 3)
    assert fit.coef[:2] == pytest.approx((0, 1), abs=1e-9)
    assert fit.fitted[2] == pytest.approx(3, abs=1e-9)


def test_fewer_than_three_points_a_side_is_refused():
    with pytest.raises(CQIError, match="at least 3 periods before and 3 after"):
        segmented_regression([1, 2, 3, 4, 5], change_at=3)
    with pytest.raises(CQIError, match="there are 2 before"):
        segmented_regression([1, None, 3, 4, 5, 6], change_at=3)


def test_counts_of_zero_on_one_side_cannot_be_modelled():
    with pytest.raises(CQIError, match="counts none"):
        segmented_regression([0, 0, 0, 3, 2, 4], change_at=3, exposure=[10] * 6,
                             family="poisson")
    with pytest.raises(CQIError, match="counts all"):
        segmented_regression([5, 4, 5, 10, 10, 10], change_at=3, n=[10] * 6,
                             family="binomial")


def test_arguments_that_do_not_fit_the_family_are_programming_errors():
    with pytest.raises(ValueError, match="family"):
        segmented_regression([1] * 6, 3, family="gamma")
    with pytest.raises(ValueError, match="needs n"):
        segmented_regression([1] * 6, 3, family="binomial")
    with pytest.raises(ValueError, match="exposure is for poisson"):
        segmented_regression([1] * 6, 3, exposure=[1] * 6)
    with pytest.raises(ValueError, match="change_at"):
        segmented_regression([1] * 6, 6)


def test_an_earlier_trend_carried_far_beyond_the_data_is_flagged():
    # Counts 1, 10, 100 before the change: the log-linear trend is exact, x10 a period
    # (beta0 = log 0.1, beta1 = log 10). Carried on to period 13 it gives 0.1 * 10^13, far
    # beyond the largest count seen (100), so comparisons with it are flagged.
    fit = segmented_regression([1, 10, 100] + [100] * 10, change_at=3, exposure=[1] * 13,
                               family="poisson")
    assert fit.coef[:2] == pytest.approx((math.log(0.1), math.log(10)), abs=1e-6)
    assert fit.counterfactual[-1] == pytest.approx(1e12, rel=1e-6)
    assert fit.far_extrapolation
    assert any("goes far beyond anything observed" in w for w in fit.warnings)
    assert not segmented_regression([1, 3, 2, 5, 4, 6], change_at=3).far_extrapolation
