"""Funnel plots against FunnelPlotR's published tests, METHODS.md's quoted limits, and small
cases worked by hand; then `compare.units` on the sample agency.

z for 95% is Φ⁻¹(0.975) = 1.959964 and for 99.8% Φ⁻¹(0.999) = 3.090232 throughout.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest

import cqi_core
from cqi_core import privacy
from cqi_core import compare
from cqi_core.compare import COLUMNS, auto_funnel, choose_method, funnel, limits, outliers
from cqi_core.errors import CQIError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "methods"
FUNNELPLOTR = json.loads((FIXTURES / "funnelplotr_unit_tests.json").read_text())


def close(a, b, rel=0.0, abs_=5e-8) -> bool:
    """Equal to the 7 decimals the hand arithmetic is written with (or a relative tolerance)."""
    return a is not None and math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def row(result, unit: str) -> dict:
    return result.units.filter(pl.col("unit") == unit).row(0, named=True)


# --------------------------------------------------------------------------- published cases


def test_exact_poisson_limits_of_a_standardised_ratio_match_funnelplotr_to_full_precision():
    case = FUNNELPLOTR["poisson_sr_limits"]["full_precision"]
    got = limits(case["number_seq"], 1.0, kind="sr", method="exact")
    for name, ours in (("ll95", "lcl95"), ("ul95", "ucl95"), ("ll998", "lcl998"),
                       ("ul998", "ucl998")):
        for a, b in zip(got[ours], case[name]):
            assert math.isclose(a, b, rel_tol=1e-9), (name, a, b)


def test_the_same_limits_reach_the_unit_table_when_observed_equals_expected():
    case = FUNNELPLOTR["poisson_sr_limits"]
    e = case["expected_denominator"]
    result = funnel(e, e, ["a", "b", "c"], target=1.0, method="exact", kind="sr",
                    min_denominator=0)
    # the upstream test rounds lower limits to 7 dp and upper limits to 6 dp
    assert [round(v, 7) for v in result.units["lcl95"]] == case["ll95"]
    assert [round(v, 6) for v in result.units["ucl95"]] == case["ul95"]
    assert [round(v, 7) for v in result.units["lcl998"]] == case["ll998"]
    assert [round(v, 6) for v in result.units["ucl998"]] == case["ul998"]
    assert result.units["flag"].to_list() == ["none"] * 3  # O/E = 1 sits on the target


@pytest.mark.parametrize("case, lower, upper, multiplier", [
    ("limit95_unadjusted", "LCL95", "UCL95", 1),
    ("limit95_adjusted", "OD95LCL", "OD95UCL", 1),
    ("limit99_unadjusted", "LCL99", "UCL99", 1),
    ("limit99_adjusted", "OD99LCL", "OD99UCL", 1),
    ("limit95_unadjusted_multiplier100", "LCL95", "UCL95", 100),
])
def test_outliers_match_funnelplotr_outliers_func(case, lower, upper, multiplier):
    c = FUNNELPLOTR["outliers_func"]
    got = outliers(c["rr"], c[lower], c[upper], multiplier=multiplier)
    assert got.astype(int).tolist() == c["expected_outlier"][case]


def test_rows_of_one_unit_are_summed_first_as_funnelplotr_aggregate_func():
    c = FUNNELPLOTR["aggregate"]
    agg = compare.aggregate(c["numerator"], c["denominator"], c["group"])
    # a: 430/402, b: 209/195, c: 225/220
    assert agg["numerator"].to_list() == [430, 209, 225]
    assert agg["denominator"].to_list() == [402, 195, 220]
    assert [round(v, 6) for v in agg["value"]] == c["expected_rr_rounded6"]
    result = funnel(c["numerator"], c["denominator"], c["group"], target=1.0, kind="sr",
                    min_denominator=0)
    assert result.units["unit"].to_list() == ["a", "b", "c"]
    assert [round(v, 6) for v in result.units["value"]] == c["expected_rr_rounded6"]


def test_exact_binomial_limits_match_the_values_methods_quotes():
    # METHODS.md 3.1: θ0 = 0.1, n = 100 at tail probabilities 0.001/0.025/0.975/0.999
    exact = limits([100], 0.1, method="exact")
    assert [round(float(exact[k][0]), 4) for k in ("lcl998", "lcl95", "ucl95", "ucl998")] == \
        [0.0142, 0.0404, 0.1577, 0.1984]
    normal = limits([100], 0.1, method="normal")
    assert [round(float(normal[k][0]), 4) for k in ("lcl998", "lcl95", "ucl95", "ucl998")] == \
        [0.0073, 0.0412, 0.1588, 0.1927]


def test_exact_binomial_interpolation_by_hand():
    # θ0 = 0.1, n = 100, p = 0.975: P(R ≤ 15) = 0.96011, P(R ≤ 16) = 0.97940, so r = 16,
    # P(R = 16) = 0.019287; α = (0.97940 − 0.975)/0.019287 = 0.22815; (16 − 0.22815)/100.
    from scipy.stats import binom
    c16, p16 = binom.cdf(16, 100, 0.1), binom.pmf(16, 100, 0.1)
    assert binom.cdf(15, 100, 0.1) < 0.975 <= c16
    assert close(limits([100], 0.1, method="exact")["ucl95"][0], (16 - (c16 - 0.975) / p16) / 100,
                 rel=1e-12, abs_=0)


# --------------------------------------------------------------------------- by hand


def test_normal_limits_and_z_by_hand():
    # A 2/10, B 6/20, C 12/30: θ0 = 20/60 = 1/3.
    # n = 10: s = sqrt((1/3)(2/3)/10) = 0.1490712; 95%: 1/3 ± 1.959964·0.1490712 =
    #   0.0411592 .. 0.6255075; 99.8%: 1/3 ± 3.090232·0.1490712 = −0.1273313 → 0 .. 0.7939980.
    # z_A = (0.2 − 1/3)/0.1490712 = −0.8944272.
    # n = 30: s = 0.0860663; 95% 0.1646465 .. 0.5020202; z_C = (0.4 − 1/3)/0.0860663 = 0.7745967.
    r = funnel([2, 6, 12], [10, 20, 30], ["A", "B", "C"], min_denominator=0)
    assert close(r.target, 1 / 3)
    a, c = row(r, "A"), row(r, "C")
    assert close(a["lcl95"], 0.0411592) and close(a["ucl95"], 0.6255075)
    assert a["lcl998"] == 0.0 and close(a["ucl998"], 0.7939980)
    assert close(a["z"], -0.8944272) and close(c["z"], 0.7745967)
    assert close(c["lcl95"], 0.1646465) and close(c["ucl95"], 0.5020202)
    assert r.units["flag"].to_list() == ["none"] * 3
    # three units: phi is computed but not tested (compare.yaml asks for at least 5)
    assert r.p_value is None and r.chi2 is None and not r.overdispersed


def test_on_a_limit_is_inside_and_strictly_outside_is_flagged():
    # 0/5, 5/5, 50/100: θ0 = 55/110 = 0.5. At n = 5, s = sqrt(0.25/5) = 0.2236068:
    # 95% 0.0617387 .. 0.9382613; 99.8% −0.1909970 .. 1.1909970, truncated to 0 .. 1.
    # 5/5 = 1 is above the 95% limit and exactly on the 99.8% one (inside it): high_95.
    # 0/5 = 0 is below the 95% limit and on the 99.8% one: low_95.
    r = funnel([0, 5, 50], [5, 5, 100], ["low", "high", "big"], min_denominator=0)
    assert row(r, "high")["ucl998"] == 1.0 and row(r, "low")["lcl998"] == 0.0
    assert r.units["flag"].to_list() == ["low_95", "high_95", "none"]


def test_arcsine_limits_by_hand():
    # θ0 = 0.25 given, n = 100: T = asin(sqrt(0.25)) = π/6 = 0.5235988, s = 1/(2·10) = 0.05.
    # 95%: sin²(0.5235988 ∓ 1.959964·0.05) = sin²(0.4256006), sin²(0.6215970) = 0.1704599, 0.3391131
    # 99.8%: sin²(0.5235988 ∓ 0.1545116) = 0.1301508, 0.3935336.
    # z for 30/100: (asin(sqrt 0.3) − π/6)/0.05 = (0.57963974 − 0.52359878)/0.05 = 1.1208193.
    r = funnel([30], [100], ["u"], target=0.25, method="arcsine", min_denominator=0)
    u = row(r, "u")
    assert close(u["lcl95"], 0.1704599) and close(u["ucl95"], 0.3391131)
    assert close(u["lcl998"], 0.1301508) and close(u["ucl998"], 0.3935336)
    assert close(u["z"], 1.1208193)


FIVE = dict(numerator=[40, 45, 50, 55, 70], denominator=[100] * 5, unit=list("ABCDE"),
            target=0.5, min_denominator=0)
# Five units of 100 against a given θ0 = 0.5: s = sqrt(0.25/100) = 0.05 and
# z = (0.40, 0.45, 0.50, 0.55, 0.70 − 0.5)/0.05 = −2, −1, 0, 1, 4.
# R type 7 quantiles of the sorted z: q10 = −2 + 0.4·(−1 + 2) = −1.6, q90 = 1 + 0.6·(4 − 1) = 2.8,
# so z_w = −1.6, −1, 0, 1, 2.8 and φ̂ = (2.56 + 1 + 0 + 1 + 7.84)/5 = 2.48.
# The target is given, so df = I = 5: χ² = 5·2.48 = 12.4, p = 0.0297 < 0.05.


def test_phi_from_winsorised_z_and_its_chi_squared_test_by_hand():
    r = funnel(**FIVE)
    assert r.units["z"].to_list() == pytest.approx([-2, -1, 0, 1, 4])
    assert r.units["z_winsorised"].to_list() == pytest.approx([-1.6, -1, 0, 1, 2.8])
    assert close(r.phi, 2.48) and r.df == 5 and close(r.chi2, 12.4)
    assert close(r.p_value, 0.0296995) and r.overdispersed
    # plain limits: 0.5 + 3.090232·0.05 = 0.6545116 < 0.70, so E is beyond the 99.8% limit;
    # 0.5 − 1.959964·0.05 = 0.4020018 > 0.40, so A is just below the 95% one
    assert r.units["flag"].to_list() == ["low_95", "none", "none", "none", "high_99.8"]
    assert not r.adjusted


def test_multiplicative_overdispersion_by_hand():
    # sqrt(φ̂) = sqrt(2.48) = 1.5748016. 95%: 0.5 ± 1.959964·1.5748016·0.05 = 0.3456723 ..
    # 0.6543277; 99.8%: 0.5 + 3.090232·1.5748016·0.05 = 0.7433251. E (0.70) drops to high_95.
    # z_E = 4/1.5748016 = 2.5400025.
    r = funnel(**FIVE, overdispersion="multiplicative")
    e = row(r, "E")
    assert close(e["lcl95"], 0.3456723) and close(e["ucl95"], 0.6543277)
    assert close(e["ucl998"], 0.7433251) and close(e["z"], 2.5400025)
    assert e["flag"] == "high_95" and r.adjusted
    assert row(r, "A")["flag"] == "none"  # 0.40 is inside 0.3456723 now
    assert e["z_winsorised"] == pytest.approx(2.8)  # the unadjusted z, winsorised


def test_additive_overdispersion_on_the_normal_scale_by_hand():
    # w = 1/0.05² = 400 each: Σw = 2000, Σw² = 800000, Σw − Σw²/Σw = 1600.
    # τ̂² = (5·2.48 − 4)/1600 = 8.4/1600 = 0.00525; sqrt(0.0025 + 0.00525) = 0.0880341.
    # 95%: 0.5 ± 1.959964·0.0880341 = 0.3274564 .. 0.6725436; 99.8%: 0.5 + 0.2720458 = 0.7720458.
    # z_E = 4·0.05/0.0880341 = 2.2718473.
    r = funnel(**FIVE, overdispersion="additive")
    e = row(r, "E")
    assert close(r.tau2, 0.00525)
    assert close(e["lcl95"], 0.3274564) and close(e["ucl95"], 0.6725436)
    assert close(e["ucl998"], 0.7720458) and close(e["z"], 2.2718473)
    assert e["flag"] == "high_95"


def test_additive_overdispersion_on_the_arcsine_scale_by_hand():
    # T = asin(sqrt 0.5) = π/4 = 0.7853982; s = 0.05. Y = asin(sqrt p) for 0.40 … 0.70 =
    # 0.6847192, 0.7353145, 0.7853982, 0.8354819, 0.9911566, so
    # z = −2.0135792, −1.0016742, 0, 1.0016742, 4.1151685.
    # q10 = −2.0135792 + 0.4·1.0119050 = −1.6088172; q90 = 1.0016742 + 0.6·3.1134943 = 2.8697708.
    # φ̂ = (1.6088172² + 1.0016742² + 0 + 1.0016742² + 2.8697708²)/5 = 2.5661159.
    # τ̂² = (5·2.5661159 − 4)/1600 = 0.0055191; sqrt(0.0025 + 0.0055191) = 0.0895495.
    # 95%: sin²(π/4 ± 1.959964·0.0895495) = 0.3280685 .. 0.6719315; 99.8% upper 0.7628158.
    # z_E = 4.1151685·0.05/0.0895495 = 2.2977061.
    r = funnel(**{**FIVE, "method": "arcsine", "overdispersion": "additive"})
    e = row(r, "E")
    assert close(r.phi, 2.5661159) and close(r.tau2, 0.0055191)
    assert close(e["lcl95"], 0.3280685) and close(e["ucl95"], 0.6719315)
    assert close(e["ucl998"], 0.7628158) and close(e["z"], 2.2977061)
    assert e["flag"] == "high_95"


def test_tau2_is_zero_and_nothing_widens_when_units_vary_less_than_chance():
    # z = −0.4, −0.2, 0, 0.2, 0.4 (p = 0.48 … 0.52, n = 100, θ0 = 0.5): φ̂ = 0.064 < 1 and
    # I·φ̂ = 0.32 < I − 1 = 4, so τ̂² = 0 and neither model widens the limits.
    args = dict(numerator=[48, 49, 50, 51, 52], denominator=[100] * 5, unit=list("abcde"),
                target=0.5, min_denominator=0)
    plain = funnel(**args)
    for model in ("multiplicative", "additive"):
        r = funnel(**args, overdispersion=model)
        assert r.tau2 == 0 and not r.adjusted
        assert r.units["ucl95"].to_list() == plain.units["ucl95"].to_list()


def test_exact_poisson_for_rates_does_not_flag_a_unit_with_no_events_where_few_are_expected():
    # θ0 = 0.001 a day, n = 2,000 days: E = 2, X ~ Poisson(2).
    # P(X ≤ 4) = 0.9473470, P(X ≤ 5) = 0.9834364, P(X = 5) = 0.0360894: r = 5,
    # α = (0.9834364 − 0.975)/0.0360894 = 0.2337636, upper 95% = (5 − 0.2337636)/2000 = 0.0023831.
    # Lower: P(X = 0) = 0.1353353 ≥ 0.025 so r = 0 and (0 − 0.8152)/2000 < 0 → 0.
    # (FunnelPlotR's χ² form would put the lower limit at χ²(0.025; 4)/4000 = 0.000121 and
    # flag the unit with no events although that happens 13.5% of the time.)
    r = funnel([0, 6], [2000, 2000], ["none", "six"], target=0.001, method="exact", kind="rate",
               min_denominator=0)
    assert row(r, "none")["lcl95"] == 0 and row(r, "none")["flag"] == "none"
    assert close(row(r, "six")["ucl95"], 0.0023831)
    assert row(r, "six")["flag"] == "high_95"  # 6/2000 = 0.003: above 0.0023831, below 99.8%


def test_normal_rate_limits_and_the_multiplier_by_hand():
    # θ0 = 0.001 a day, n = 2,000: 0.001 + 1.959964·sqrt(0.001/2000) = 0.0023859 a day,
    # shown per 1,000 days: 2.3859.
    r = funnel([2], [2000], ["u"], target=0.001, kind="rate", min_denominator=0, multiplier=1000)
    assert close(row(r, "u")["ucl95"], 2.3859038) and close(r.target, 1.0)
    assert close(row(r, "u")["value"], 1.0)


# --------------------------------------------------------------------------- shape of the result


def test_units_keep_their_input_order_and_the_columns_are_exactly_the_contract():
    r = funnel([3, 1, 2, 1], [30, 10, 20, 10], ["c", "a", "b", "a"], min_denominator=0)
    assert tuple(r.units.columns) == COLUMNS
    assert r.units["unit"].to_list() == ["c", "a", "b"]  # a's two rows summed at its first place
    assert row(r, "a")["denominator"] == 20


def test_zero_and_missing_denominators_get_nulls_and_no_flag():
    r = funnel([5, 0, 3, None], [50, 0, None, 40], ["ok", "zero", "none", "nonum"],
               min_denominator=0)
    assert r.target == pytest.approx(0.1)  # only ok counts: 5/50
    for unit in ("zero", "none", "nonum"):
        u = row(r, unit)
        assert u["flag"] == "none"
        assert all(u[c] is None for c in ("value", "z", "z_winsorised", "lcl95", "ucl998"))


def test_units_below_the_minimum_are_not_flagged_and_not_in_phi():
    # 9/10 would be far above the limits, but 10 < min_denominator 20
    r = funnel([9, 20, 22, 18, 21, 19], [10, 100, 100, 100, 100, 100], list("sabcde"),
               min_denominator=20)
    s = row(r, "s")
    assert s["flag"] == "none" and s["value"] == 0.9 and s["z_winsorised"] is None
    assert r.units_in_estimate == 5


def test_the_default_minimum_comes_from_compare_yaml():
    settings = compare.load_settings()
    r = funnel([1], [5], ["u"])
    assert r.min_denominator == settings.min_denominator["proportion"]


def test_bad_arguments_raise_the_projects_error():
    with pytest.raises(CQIError, match="method"):
        funnel([1], [2], ["u"], method="wald")
    with pytest.raises(CQIError, match="over-dispersion"):
        funnel([1], [2], ["u"], overdispersion="both")
    with pytest.raises(CQIError, match="larger than its denominator"):
        funnel([3], [2], ["u"])
    with pytest.raises(CQIError, match="different lengths"):
        funnel([1, 2], [2], ["u"])


def test_compare_yaml_is_checked_when_it_is_loaded(tmp_path, monkeypatch):
    from cqi_core.methods.funnel import settings as cs
    ranked = tmp_path / "compare.yaml"
    ranked.write_text(cs.SETTINGS_FILE.read_text().replace("sort_table_by: unit",
                                                           "sort_table_by: value"))
    monkeypatch.setattr(cs, "SETTINGS_FILE", ranked)
    cs.load_settings.cache_clear()
    try:
        with pytest.raises(CQIError, match="never ranked"):
            cs.load_settings()
    finally:
        monkeypatch.undo()
        cs.load_settings.cache_clear()
    s = cs.load_settings()
    assert s.tails()["alarm"] == pytest.approx((0.001, 0.999))
    assert s.level_words("alert") == "95%" and s.level_words("alarm") == "99.8%"


# --------------------------------------------------------------------------- choosing


def test_exact_is_chosen_when_a_unit_expects_fewer_than_ten_events():
    # θ0 = 0.1: n = 90 expects 9 events (< 10) → exact; n = 100 and 200 expect 10, 20 → normal.
    assert choose_method([90, 200], 0.1, "proportion", min_denominator=0) == "exact"
    assert choose_method([100, 200], 0.1, "proportion", min_denominator=0) == "normal"
    # θ0 = 0.95: n = 150 expects 142.5 events but only 7.5 non-events → exact
    assert choose_method([150], 0.95, "proportion", min_denominator=0) == "exact"
    # units below the minimum do not count
    assert choose_method([5, 500], 0.1, "proportion", min_denominator=20) == "normal"


def test_auto_tests_on_the_arcsine_scale_and_adjusts_when_over_dispersed():
    num = [40, 45, 50, 55, 70, 30, 62]
    den = [100] * 7
    a = auto_funnel(num, den, list("abcdefg"), min_denominator=0)
    assert a.test.method == "arcsine" and a.test.overdispersed
    assert a.result.method == "arcsine" and a.result.overdispersion == "additive"
    assert a.result.adjusted
    quiet = auto_funnel([48, 49, 50, 51, 52], [100] * 5, list("abcde"), min_denominator=0)
    assert not quiet.test.overdispersed and quiet.result.method == "normal"
    assert quiet.result.overdispersion == "none"


# --------------------------------------------------------------------------- units of the agency



@pytest.fixture(autouse=True)
def _close_sample(request):
    # These tests open the shared sample database for writing; close it after each one so
    # later tests can open it read-only (DuckDB refuses mixed connections in one process).
    yield
    if "sample_db" in request.fixturenames:
        cqi_core.open_store(request.getfixturevalue("sample_db")).close()

def _period(db, iid):
    return compare.periods(cqi_core.open_store(db), iid)[0]


def test_units_compares_every_unit_sorted_by_id_with_findings_in_words(sample_db):
    store = cqi_core.open_store(sample_db)
    start, end = _period(sample_db, "V1")
    c = compare.units(store, "V1", start, end)
    ids = c.result.units["unit"].to_list()
    assert ids == sorted(ids) and "unknown" not in ids
    assert c.entry.direction == "higher"
    flags = dict(c.result.units.select("unit", "flag").iter_rows())
    assert all(flags[u].startswith("high") for u in c.bright_spots)
    assert all(flags[u].startswith("low") for u in c.concerns)
    assert any("chance" in s for s in c.sentences)
    assert c.result.target == pytest.approx(
        c.result.units["numerator"].sum() / c.result.units["denominator"].sum())


def test_for_a_lower_is_better_measure_the_low_outliers_are_the_bright_spots(sample_db):
    store = cqi_core.open_store(sample_db)
    start, end = _period(sample_db, "P5")
    c = compare.units(store, "P5", start, end, method="normal", overdispersion="none")
    flags = dict(c.result.units.select("unit", "flag").iter_rows())
    assert c.entry.direction == "lower"
    assert all(flags[u].startswith("low") for u in c.bright_spots)
    assert all(flags[u].startswith("high") for u in c.concerns)


def test_a_ratio_indicator_or_a_grouping_it_lacks_is_refused(sample_db):
    store = cqi_core.open_store(sample_db)
    start, end = _period(sample_db, "V1")
    with pytest.raises(CQIError, match="not a proportion or a rate"):
        compare.units(store, "W1", start, end)
    with pytest.raises(CQIError, match="not broken down by unit"):
        compare.units(store, "E1", start, end)
    assert "W1" not in compare.comparable("unit") and "E1" in compare.comparable("region")


def test_a_public_viewer_gets_no_small_count_and_nothing_computed_from_one(sample_db):
    store = privacy.Handle(cqi_core.open_store(sample_db), privacy.Viewer("youth"))
    start, end = _period(sample_db, "P1")
    c = compare.units(store, "P1", start, end)
    units = c.result.units
    assert privacy.SUPPRESSED in units.columns and units[privacy.SUPPRESSED].any()
    for col in ("numerator", "denominator"):
        assert not units[col].is_between(1, 10).any()
    hidden = units.filter(pl.col(privacy.SUPPRESSED))
    for col in ("value", "z", "lcl95", "ucl998", "flag"):
        assert hidden[col].null_count() == hidden.height
    named = set(c.bright_spots) | set(c.concerns)
    assert not named & set(hidden["unit"].to_list())
    # the limit curves start near the smallest unit still shown (80% of it, rounded to a whole
    # number for exact binomial limits), so their extent reveals no hidden unit's size
    shown_min = units.filter(~pl.col(privacy.SUPPRESSED))["denominator"].min()
    hidden_min = cqi_core.compute(cqi_core.open_store(sample_db), start, end, by=["unit"],
                                  indicators=["P1"]).filter(
        pl.col("group_by") == "unit")["denominator"].min()
    assert hidden_min < shown_min * 0.8 - 1
    assert c.result.curve["denominator"].min() >= round(shown_min * 0.8)
