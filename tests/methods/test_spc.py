"""SPC against published cases (qicharts2, NHSRplotthedots) and hand-computed charts."""

from __future__ import annotations

import csv
import json
import math
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cqi_core.methods import spc

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "methods"
"""Published cases, copied unchanged from the methods reference (each names its source)."""


def _load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def _assert_column(got: list, expected: list, column: str) -> None:
    assert len(got) == len(expected), column
    for i, (a, b) in enumerate(zip(got, expected)):
        if isinstance(b, float) or (isinstance(a, float) and isinstance(b, int)):
            assert a is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), \
                f"{column}[{i}]: {a} != {b}"
        else:
            assert a == b, f"{column}[{i}]: {a!r} != {b!r}"


def _assert_frame(frame, expected: dict, rename: dict | None = None) -> None:
    for column, values in expected.items():
        name = (rename or {}).get(column, column)
        _assert_column(frame[name].to_list(), values, column)


QIC_CASES = ["qic_run_chart_cdi_freeze24", "qic_i_chart_montgomery_ex6_5",
             "qic_p_chart_varying_n_montgomery_tbl7_4"]


@pytest.mark.parametrize("name", QIC_CASES)
def test_qic_reproduces_the_published_case(name):
    case = _load(name)
    given_ = case["input"]
    params = {k: v for k, v in case["params"].items() if k != "screened_mr"}
    result = spc.qic(given_.get("y", given_.get("numerator")), n=given_.get("denominator"),
                     x=given_.get("x"), **params)
    _assert_frame(result.points, case["expected"]["points"])
    _assert_frame(result.runs, case["expected"]["runs_analysis"])


def test_mdc_reproduces_the_published_xmr_case():
    case = _load("ptd_xmr_rnorm_seed123")
    result = spc.mdc(case["input"]["y"], case["input"]["x"], **case["params"])
    _assert_frame(result.points, case["expected"]["points"], rename={"mean_col": "mean"})
    groups = case["expected"]["summary"]["groups"]
    _assert_column(result.points["nlpl"].unique().to_list(), groups["nlpl"], "nlpl")
    _assert_column(result.points["nupl"].unique().to_list(), groups["nupl"], "nupl")
    assert result.variation == case["expected"]["summary"]["variation_icon_point_type_of_last_point"]
    assert result.assurance is None


def test_anhoej_critical_values_match_the_published_table():
    with (FIXTURES / "anhoej_runs_critical_values_10_100.csv").open() as f:
        for row in csv.DictReader(f):
            n = int(row["n_useful"])
            assert spc.longest_run_limit(n) == int(row["longest_run_max"]), n
            assert spc.qbinom_05(n - 1) == int(row["n_crossings_min"]), n


def test_c_chart_split_after_24_months_matches_the_qicharts2_vignette():
    # qicharts2 vignette, case 2 (cdi): 18.7 infections a month before, 7.1 after; limits
    # 5.7-31.7 before and 0-15.1 after (METHODS.md 5.1).
    y = _load("qic_run_chart_cdi_freeze24")["input"]["y"]
    points = spc.qic(y, chart="c", part=[24]).points
    before, after = points.row(0, named=True), points.row(30, named=True)
    assert (round(before["cl"], 1), round(before["lcl"], 1), round(before["ucl"], 1)) == \
        (18.7, 5.7, 31.7)
    assert (round(after["cl"], 1), after["lcl"], round(after["ucl"], 1)) == (7.1, 0.0, 15.1)
    assert points["part"].to_list() == [1] * 24 + [2] * 12


def test_mdc_screening_matches_the_deviations_vignette():
    # NHSRplotthedots "Deviations from Excel defaults": screened UPL 4.60, mean 1.94,
    # LPL -0.72; unscreened (Excel) 6.95 / 1.94 / -3.06.
    data = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    dates = [date(2021, 3, 22) + timedelta(days=i) for i in range(18)]
    screened = spc.mdc(data, dates).points.row(0, named=True)
    excel = spc.mdc(data, dates, screen_outliers=False).points.row(0, named=True)
    assert [round(screened[k], 2) for k in ("upl", "mean", "lpl")] == [4.60, 1.94, -0.72]
    assert [round(excel[k], 2) for k in ("upl", "mean", "lpl")] == [6.95, 1.94, -3.06]


# ----------------------------------------------------------------- hand-computed charts


def test_i_chart_by_hand_with_screened_moving_range():
    # y = 10, 12, 11, 30, 11: moving ranges 2, 1, 19, 19; mean 10.25; screening drops
    # ranges >= 3.267 * 10.25 = 33.49 (none). sigma = 10.25 / 1.128; cl = 74 / 5 = 14.8.
    points = spc.qic([10, 12, 11, 30, 11], chart="i").points
    sigma = 10.25 / 1.128
    assert points["cl"][0] == pytest.approx(14.8)
    assert points["ucl"][0] == pytest.approx(14.8 + 3 * sigma)
    assert points["lcl_95"][0] == pytest.approx(14.8 - 2 * sigma)


def test_i_chart_screening_drops_a_huge_moving_range():
    # y = 1, 2, 1, 2, 1, 2, 1, 100: ranges 1 x6 and 99; mean 105/7 = 15; the limit
    # 3.267 * 15 = 49.0 drops 99, so the mean moving range is 1 and sigma = 1 / 1.128
    # (unscreened it would be 15 / 1.128).
    points = spc.qic([1, 2, 1, 2, 1, 2, 1, 100], chart="i").points
    assert points["ucl"][0] - points["cl"][0] == pytest.approx(3 / 1.128)
    assert points["sigma_signal"][7] is True


def test_mr_chart_by_hand():
    points = spc.qic([10, 12, 11, 14], chart="mr").points
    assert points["y"].to_list() == [None, 2.0, 1.0, 3.0]
    assert points["cl"][0] == pytest.approx(2.0)
    assert points["ucl"][0] == pytest.approx(3.267 * 2.0)
    assert points["lcl"][0] == 0.0


def test_u_chart_limits_by_hand():
    # 4/100, 6/200, 10/200: cl = 20/500 = 0.04; sigma_i = sqrt(0.04 / n_i)
    points = spc.qic([4, 6, 10], n=[100, 200, 200], chart="u").points
    assert points["cl"][0] == pytest.approx(0.04)
    assert points["ucl"][0] == pytest.approx(0.04 + 3 * math.sqrt(0.04 / 100))
    assert points["lcl"][0] == 0.0  # 0.04 - 0.06 is clipped at zero


def test_g_chart_centre_is_the_median_and_limits_come_from_the_mean():
    # y = 2, 4, 9: mean 5, median 4; ucl = 5 + 3 * sqrt(5 * 6)
    points = spc.qic([2, 4, 9], chart="g").points
    assert points["cl"][0] == 4
    assert points["ucl"][0] == pytest.approx(5 + 3 * math.sqrt(30))
    assert points["lcl"][0] == 0.0


def test_event_gaps_count_the_empty_periods_between_periods_with_an_event():
    # events by period:   0  1  0  0  2  1  0  0  0   (indexes 0..8)
    # periods with one:   1, 4, 5 -> gaps 4-1-1 = 2 and 5-4-1 = 0; the 3 empty periods after
    # index 5 are the gap still running, ending at the last period (8 - 5 = 3).
    found = spc.event_gaps([0, 1, 0, 0, 2, 1, 0, 0, 0])
    assert found.positions == (4, 5, 8)
    assert found.gaps == (2, 0, 3)
    assert found.open_last


def test_event_gaps_leave_out_the_time_before_the_first_event_and_close_on_an_event():
    # events at 2, 3 and 6 (the last period): gaps 0 and 2, nothing running; the two
    # periods before the first event are not a gap (when it started is not known).
    found = spc.event_gaps([0, 0, 1, 1, 0, 0, 3])
    assert (found.positions, found.gaps, found.open_last) == ((3, 6), (0, 2), False)
    assert spc.event_gaps([0, 0, 0]).gaps == ()


def test_t_chart_back_transforms_an_i_chart_of_y_to_the_power_one_over_3_6():
    y = [10.0, 20.0, 15.0, 30.0]
    t = [v ** (1 / 3.6) for v in y]
    cl = sum(t) / 4
    amr = sum(abs(b - a) for a, b in zip(t, t[1:])) / 3
    points = spc.qic(y, chart="t").points
    assert points["cl"][0] == pytest.approx(cl ** 3.6)
    assert points["ucl"][0] == pytest.approx((cl + 3 * amr / 1.128) ** 3.6)
    with pytest.raises(ValueError, match="greater than zero"):
        spc.qic([1.0, 0.0, 2.0], chart="t")


def test_laney_p_prime_and_u_prime_limits_agree_on_the_same_data():
    # METHODS.md 1.1: the prime limits do not depend on the constant in sigma_i.
    y = [120, 135, 101, 150, 99, 141, 118, 160, 125, 110, 131, 144]
    n = [1000, 1100, 950, 1200, 900, 1150, 1000, 1250, 1010, 980, 1090, 1190]
    pp = spc.qic(y, n=n, chart="pp").points
    up = spc.qic(y, n=n, chart="up").points
    p = spc.qic(y, n=n, chart="p").points
    for a, b in zip(pp["ucl"].to_list(), up["ucl"].to_list()):
        assert a == pytest.approx(b, rel=1e-12)
    assert pp["ucl"][0] != pytest.approx(p["ucl"][0])


def test_multiply_scales_values_and_limits_but_not_the_signals():
    y, n = [3, 5, 4, 30], [100, 100, 100, 100]
    plain = spc.qic(y, n=n, chart="u").points
    scaled = spc.qic(y, n=n, chart="u", multiply=1000).points
    assert scaled["cl"][0] == pytest.approx(plain["cl"][0] * 1000)
    assert scaled["ucl"].to_list() == pytest.approx([v * 1000 for v in plain["ucl"]])
    assert scaled["sigma_signal"].to_list() == plain["sigma_signal"].to_list()


def test_duplicate_x_values_are_added_together_and_sorted():
    points = spc.qic([1, 2, 3, 4], n=[10, 10, 10, 10], x=[2, 1, 2, 1], chart="p").points
    assert points["x"].to_list() == [1, 2]
    assert points["y"].to_list() == pytest.approx([6 / 20, 4 / 20])


def test_missing_values_are_kept_and_never_signal():
    points = spc.qic([5, None, 6, 5, 7], chart="i").points
    assert points["y"][1] is None
    assert points["sigma_signal"][1] is False
    assert spc.qic([5, None, 6, 5, 7], chart="i").runs["n_obs"][0] == 5


def test_categorical_x_has_no_runs_signal():
    # 16 points, median 3, a run of 8 below then 8 above: longest run 8 > 7 signals on a
    # time axis; with category labels (units) the points are not a sequence.
    y = [1] * 8 + [5] * 8
    x = [f"unit {c}" for c in "abcdefghijklmnop"]
    assert spc.qic(y).runs["runs_signal"][0] is True
    assert spc.qic(y, x=x).runs["runs_signal"][0] is False


def test_freeze_is_ignored_when_the_chart_is_split():
    points = spc.qic(list(range(1, 21)), chart="i", freeze=5, part=[10]).points
    assert points["baseline"].all()
    assert points["part"].to_list() == [1] * 10 + [2] * 10


def test_unknown_chart_and_missing_denominators_are_refused():
    with pytest.raises(ValueError, match="chart must be one of"):
        spc.qic([1, 2], chart="xbar")
    with pytest.raises(ValueError, match="needs denominators"):
        spc.qic([1, 2], chart="p")


# ----------------------------------------------------------------- runs rules by hand


def test_a_run_of_eight_below_in_fourteen_points_signals():
    # 14 useful points: longest run limit round(log2 14) + 3 = 7; a run of 8 signals.
    y = [5, 6, 5, 6, 5, 6, 1, 1, 1, 1, 1, 1, 1, 1]
    runs = spc.qic(y, freeze=6).runs.row(0, named=True)
    assert runs["longest_run"] == 8 and runs["longest_run_max"] == 7 and runs["runs_signal"]


def test_points_on_the_centre_line_neither_break_nor_extend_a_run():
    # median of 1..5 is 3; sides: - - 0 + + ; the middle point is not useful.
    runs = spc.qic([1, 2, 3, 4, 5]).runs.row(0, named=True)
    assert runs["n_useful"] == 4 and runs["longest_run"] == 2 and runs["n_crossings"] == 1


# ----------------------------------------------------------------- Making Data Count rules


def _days(count: int) -> list[date]:
    return [date(2024, 1, 1) + timedelta(days=i) for i in range(count)]


def test_mdc_seven_point_trend_flags_all_seven_points_with_their_direction():
    # mean 71/15, mean moving range 36/14: limits -2.1 to 11.6, nothing close or outside.
    y = [3, 7, 3, 7, 3, 2, 3, 4, 5, 6, 7, 8, 3, 7, 3]
    result = spc.mdc(y, _days(15), improvement="decrease")
    labels = result.points["special_cause_type"].to_list()
    assert labels[5:12] == ["7 Point Trend (Increasing)"] * 7
    assert result.points["point_type"].to_list()[5:12] == ["special_cause_concern"] * 7
    assert labels[4] == "Common Cause" and labels[12] == "Common Cause"


def test_mdc_equal_neighbours_break_a_trend():
    y = [1, 2, 3, 3, 4, 5, 6, 7, 3, 3, 3, 3]
    labels = spc.mdc(y, _days(12)).points["special_cause_type"].to_list()
    assert not any("Trend" in label for label in labels)


def test_mdc_seven_points_one_side_and_a_point_on_the_mean_breaks_the_run():
    # Both series have mean 70/14 = 5 and limits far from every point. In the first, seven
    # points sit above the mean; in the second a point exactly on the mean breaks each run.
    above = [6, 8, 6, 8, 6, 8, 6, 2, 4, 2, 4, 2, 4, 4]
    labels = spc.mdc(above, _days(14)).points["special_cause_type"].to_list()
    assert labels[:7] == ["7 Points Above CL"] * 7
    broken = [6, 8, 6, 5, 6, 8, 6, 2, 4, 2, 5, 4, 4, 4]
    labels = spc.mdc(broken, _days(14)).points["special_cause_type"].to_list()
    assert "7 Points Above CL" not in labels and "7 Points Below CL" not in labels


def test_mdc_two_in_three_flags_only_the_close_points():
    # Ten points alternating 9 and 11 (mean 10, mean moving range 2, limits 10 -/+ 5.32,
    # near limits 10 -/+ 3.547) then 13.8, 10.5, 13.9: two of three beyond 13.547 and all
    # above the mean.
    y = [9, 11] * 5 + [13.8, 10.5, 13.9]
    points = spc.mdc(y, _days(13), fix_after_n_points=10).points
    assert points["close_to_limits"].to_list()[10:] == [True, False, True]
    assert points["special_cause_type"].to_list()[10:] == \
        ["2 in 3 Above CL", "Common Cause", "2 in 3 Above CL"]


def test_mdc_neutral_direction_and_assurance_icons():
    y = [9, 11] * 6 + [20]
    result = spc.mdc(y, _days(13), improvement="neutral")
    assert result.variation == "special_cause_neutral_high"
    assert result.assurance is None
    # mean 10, limits 10 -/+ 2.66 * 2: a target of 20 is above the UPL.
    steady = spc.mdc([9, 11] * 7, _days(14), target=20)
    assert steady.assurance == "consistent_fail"
    assert spc.mdc([9, 11] * 7, _days(14), target=20, improvement="decrease").assurance == \
        "consistent_pass"
    assert spc.mdc([9, 11] * 7, _days(14), target=10).assurance == "inconsistent"


def test_mdc_rebase_starts_a_new_group_with_its_own_limits_and_trial_warning():
    dates = _days(20)
    y = [10, 12] * 5 + [20, 22] * 5
    points = spc.mdc(y, dates, rebase=[dates[10]]).points
    assert points["rebase_group"].to_list() == [0] * 10 + [1] * 10
    assert points["mean"].unique().sort().to_list() == [11.0, 21.0]
    assert points["short_group_warning"].all()  # both groups have fewer than 13 points


# ----------------------------------------------------------------- properties

series = st.lists(st.integers(min_value=0, max_value=1000), min_size=12, max_size=60)


@settings(max_examples=60, deadline=None)
@given(value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
       length=st.integers(min_value=2, max_value=80),
       chart=st.sampled_from(["run", "i"]))
def test_a_constant_series_never_signals(value, length, chart):
    result = spc.qic([value] * length, chart=chart)
    assert not result.points["sigma_signal"].any()
    assert not result.runs["runs_signal"].any()
    assert spc.mdc([value] * length, _days(length)).variation == "common_cause"


@settings(max_examples=60, deadline=None)
@given(y=series, shift=st.integers(min_value=-500, max_value=500))
def test_adding_a_constant_shifts_the_centre_line_and_not_the_width(y, shift):
    assume(len(set(y)) > 1)  # a flat series has no moving range, hence no limits at all
    before = spc.qic(y, chart="i").points.row(0, named=True)
    after = spc.qic([v + shift for v in y], chart="i").points.row(0, named=True)
    assert after["cl"] == pytest.approx(before["cl"] + shift, abs=1e-6)
    assert after["ucl"] - after["cl"] == pytest.approx(before["ucl"] - before["cl"], abs=1e-6)
    mdc_before = spc.mdc(y, _days(len(y))).points.row(0, named=True)
    mdc_after = spc.mdc([v + shift for v in y], _days(len(y))).points.row(0, named=True)
    assert mdc_after["upl"] - mdc_after["mean"] == \
        pytest.approx(mdc_before["upl"] - mdc_before["mean"], abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(y=series, data=st.data())
def test_excluded_points_are_left_out_of_the_runs_analysis(y, data):
    positions = data.draw(st.lists(st.integers(min_value=1, max_value=len(y)), unique=True,
                                   max_size=len(y) - 2))
    result = spc.qic(y, exclude=positions)
    kept = [v for i, v in enumerate(y, start=1) if i not in positions]
    # The runs analysis equals that of the kept points against the same centre line.
    cl = result.points["cl"][0]
    useful = [v for v in kept if v != cl]
    assert result.runs["n_obs"][0] == len(kept)
    assert result.runs["n_useful"][0] == len(useful)
    # and the centre line is the median of the kept points only
    assert cl == pytest.approx(sorted(kept)[len(kept) // 2] if len(kept) % 2 else
                               (sorted(kept)[len(kept) // 2 - 1] + sorted(kept)[len(kept) // 2]) / 2)
