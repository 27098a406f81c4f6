"""Trend charts: chart choice, signals in words, provisional periods, the scan, notes."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

import cqi_core
from cqi_core import privacy
from cqi_core.analysis import trends
from cqi_core.errors import CQIError
from cqi_core.indicators.engine import plus_months


@pytest.fixture(scope="module")
def catalog(sample_db):
    store = cqi_core.open_store(sample_db, read_only=True)
    try:
        return cqi_core.load_catalog(store)
    finally:
        store.close()


def _series(numerators, denominators, indicator="V1", group_by="unit", group_value="U001",
            first=date(2022, 1, 1), complete=None, provisional=None) -> pl.DataFrame:
    count = len(numerators)
    starts = [plus_months(first, i) for i in range(count)]
    return pl.DataFrame({
        "indicator_id": [indicator] * count, "period_start": starts,
        "period_end": [plus_months(s, 1) for s in starts],
        "group_by": [group_by] * count, "group_value": [group_value] * count,
        "numerator": [float(v) for v in numerators],
        "denominator": [float(v) for v in denominators],
        "value": [n / d for n, d in zip(numerators, denominators)],
        "followup_complete": complete or [True] * count,
        "provisional": provisional or [False] * count,
    })


def test_periods_are_whole_months_or_quarters_ending_by_the_as_of_date():
    assert trends.periods(date(2026, 9, 30), "month", 3)[-1] == (date(2026, 9, 1), date(2026, 9, 30))
    assert trends.periods(date(2026, 9, 29), "month", 3)[-1] == (date(2026, 8, 1), date(2026, 8, 31))
    quarters = trends.periods(date(2026, 9, 30), "quarter", 12)
    assert quarters == [(date(2025, 10, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 3, 31)),
                        (date(2026, 4, 1), date(2026, 6, 30)), (date(2026, 7, 1), date(2026, 9, 30))]
    with pytest.raises(CQIError):
        trends.periods(date(2026, 9, 30), "week", 3)


def test_a_short_series_gets_a_run_chart_and_says_why(catalog):
    chart = trends.control_chart(_series([40, 42, 41, 39, 44, 40], [50] * 6), catalog.entry("V1"))
    assert chart.chart == "run"
    assert chart.points["cl"][0] == pytest.approx(0.81)  # median of 0.78..0.88 (40.5/50)
    assert any("too few for control limits" in n for n in chart.notes)
    assert chart.assurance is None and chart.trial is False


def test_a_sustained_drop_is_a_shift_explained_in_one_sentence(catalog):
    # From January 2022: 12 months at 45/50, then January-September 2023 at 35/50. P chart;
    # centre 855/1050; the last 9
    # points sit below the centre line, longest run 12 (above) and 9 (below) against a limit
    # of round(log2 21) + 3 = 7.
    chart = trends.control_chart(_series([45] * 12 + [35] * 9, [50] * 21), catalog.entry("V1"))
    assert chart.chart == "p"
    shifts = [s for s in chart.signals if s.rule == "shift"]
    below = [s for s in shifts if s.side == "low"][0]
    assert below.points == 9 and below.direction == "concern"
    assert below.sentence.startswith("9 months in a row below the average (January 2023 to "
                                     "September 2023): a real shift, not chance.")
    assert chart.variation == "special_cause_concern"


def test_over_dispersed_proportions_switch_to_laney(catalog):
    # Denominators of 10,000 with proportions swinging 0.80/0.90: binomial sigma is 0.004, so
    # the spread is far beyond chance (sigma-z ~ 25) and P' is used.
    num = [8000, 9000] * 10
    chart = trends.control_chart(_series(num, [10000] * 20), catalog.entry("V1"))
    assert chart.chart == "pp" and chart.sigma_z > 20
    assert "Laney" in chart.chart_label
    assert not any(s.rule == "outside_limits" for s in chart.signals)


def test_a_provisional_latest_month_is_drawn_but_not_judged(catalog):
    num = [45, 44, 46, 45, 44, 46, 45, 44, 46, 45, 44, 46, 45, 44, 10]
    chart = trends.control_chart(_series(num, [50] * 15, provisional=[False] * 14 + [True]),
                                 catalog.entry("V1"))
    assert chart.points["provisional"][-1] is True
    assert chart.points["signal"][-1] is False
    assert not chart.signals
    assert any("provisional" in n for n in chart.notes)


def test_periods_with_follow_up_still_open_are_left_out_and_said_so(catalog):
    chart = trends.control_chart(
        _series([10] * 14, [20] * 14, indicator="P1", complete=[True] * 12 + [False] * 2),
        catalog.entry("P1"))
    assert len(chart.left_out) == 2 and chart.points.height == 12
    assert any("follow-up is not complete" in n for n in chart.notes)


def test_small_denominators_are_left_out_for_units_but_not_for_the_agency(catalog):
    den = [20] * 13 + [3]
    assert len(trends.control_chart(_series([10] * 14, den), catalog.entry("V1")).too_small) == 1
    agency = trends.control_chart(_series([10] * 14, den, group_by="all", group_value="all"),
                                  catalog.entry("V1"))
    assert agency.too_small == ()


def test_freeze_extends_the_baseline_and_split_starts_a_new_process(catalog):
    series = _series([45] * 12 + [35] * 12, [50] * 24)
    frozen = trends.control_chart(series, catalog.entry("V1"), freeze_at=date(2023, 1, 1))
    assert frozen.points["baseline"].sum() == 12
    assert frozen.points["cl"][20] == pytest.approx(0.9)  # the baseline's 45/50
    assert frozen.trial  # a 12-point baseline is below the 20 points for settled limits
    split = trends.control_chart(series, catalog.entry("V1"), split_at=[date(2023, 1, 1)])
    assert split.points["part"].to_list() == [1] * 12 + [2] * 12
    assert split.points["cl"][20] == pytest.approx(0.7)


def test_assurance_compares_the_standard_with_the_latest_limits(catalog):
    p1 = catalog.entry("P1")  # higher is better; standard = national 35.2%
    assert p1.standard == pytest.approx(0.352)
    # A P chart's limits come from the binomial model, so a flat 80% has limits too
    # (0.8 -/+ 3 * 0.04) and they are all above 35.2%.
    high = trends.control_chart(_series([80] * 20, [100] * 20, indicator="P1"), p1)
    assert high.assurance == "consistent_pass"
    wobble = [78, 82] * 10
    assert trends.control_chart(_series(wobble, [100] * 20, indicator="P1"), p1).assurance == \
        "consistent_pass"
    low = [18, 22] * 10
    assert trends.control_chart(_series(low, [100] * 20, indicator="P1"), p1).assurance == \
        "consistent_fail"


def test_the_mdc_preset_names_its_rules_and_icons(catalog):
    # 88%/92% alternating for 12 months, then 78%/82% for 9: mean 0.857, mean moving range
    # 0.04 after screening the one jump, limits 0.857 -/+ 0.106: nothing outside, nine points
    # below the mean.
    chart = trends.control_chart(_series([44, 46] * 6 + [39, 41] * 4 + [39], [50] * 21),
                                 catalog.entry("V1"), preset="mdc")
    assert chart.chart == "xmr"
    assert {s.rule for s in chart.signals} >= {"shift"}
    assert chart.variation == "special_cause_concern"


def test_scan_ranks_recent_concerns_and_improvements(catalog):
    series = pl.concat([
        _series([45] * 24 + [30] * 3, [50] * 27, group_value="U001"),  # recent drop: concern
        _series([30] * 24 + [45] * 3, [50] * 27, group_value="U002"),  # recent rise: improvement
        _series([45, 44, 46] * 9, [50] * 27, group_value="U003"),      # steady: nothing
        _series([45] * 3 + [30] * 24, [50] * 27, group_value="U004"),  # old change only
    ])
    found = trends.scan(series, catalog, "month", recent=6, groups=("unit",))
    units = found["group_value"].to_list()
    assert "U003" not in units
    assert found.filter(pl.col("group_value") == "U001")["direction"].to_list()[0] == "concern"
    assert found.filter(pl.col("group_value") == "U002")["direction"].to_list()[0] == "improvement"
    assert found["score"].to_list() == sorted(found["score"].to_list(), reverse=True)
    u4 = found.filter(pl.col("group_value") == "U004")
    assert not (u4["rule"] == "outside_limits").any()


def test_rare_events_are_charted_as_gaps_and_a_run_of_empty_months_is_no_signal(catalog):
    # Caseworker turnover (lower is better), 6 caseworkers, one departure every fifth month
    # (months 0, 5, 10, 15, 20, 25) and none in the 22 months after: the median month has 0
    # events, below trends.yaml's 1, so it is a g chart. Judged gaps 4, 4, 4, 4, 4: median 4,
    # mean 4, upper limit 4 + 3 * sqrt(4 * 5) = 17.42. The gap still running (47 - 25 = 22
    # months) is drawn but not judged, and nothing else stands out: no signal at all, where a
    # U chart would have called the 22 empty months a shift.
    events = [1 if m in (0, 5, 10, 15, 20, 25) else 0 for m in range(48)]
    chart = trends.control_chart(_series(events, [6] * 48, indicator="W2"), catalog.entry("W2"))
    assert chart.chart == "g" and chart.chart_label.startswith("g chart (months between events)")
    assert chart.signals == ()
    assert chart.points["value"].to_list() == [4, 4, 4, 4, 4, 22]
    assert chart.points["provisional"].to_list() == [False] * 5 + [True]
    assert chart.points["cl"][0] == 4
    assert chart.points["ucl"][0] == pytest.approx(4 + 3 * 20 ** 0.5)
    assert chart.value_text(catalog.entry("W2"), 22) == "22 months"
    assert any(n.startswith("Rare events:") for n in chart.notes)


def test_a_gap_above_the_g_chart_limit_is_an_improvement_when_lower_is_better(catalog):
    # Departures in months 0, 2, 4, 6, 8, 30 and 32 (the last): gaps 1, 1, 1, 1, 21, 1.
    # Mean 26/6 = 4.333, sigma sqrt(4.333 * 5.333) = 4.807, upper limit 18.76; median gap 1.
    # The 21-month gap ending July 2024 is above it: events became rarer, an improvement.
    events = [1 if m in (0, 2, 4, 6, 8, 30, 32) else 0 for m in range(33)]
    chart = trends.control_chart(_series(events, [6] * 33, indicator="W2"), catalog.entry("W2"))
    assert chart.chart == "g"
    assert chart.points["ucl"][0] == pytest.approx(26 / 6 + 3 * (26 / 6 * 32 / 6) ** 0.5)
    (signal,) = chart.signals
    assert (signal.rule, signal.direction, signal.start) == ("outside_limits", "improvement",
                                                             date(2024, 7, 1))
    assert "events have become rarer" in signal.sentence
    assert "(trial limits)" in chart.chart_label      # 6 gaps, limits settle at 20


def test_too_few_events_are_shown_without_signals(catalog):
    # Two departures in 48 months (months 1 and 40): one gap, fewer than rare_min_gaps (3).
    events = [1 if m in (1, 40) else 0 for m in range(48)]
    chart = trends.control_chart(_series(events, [6] * 48, indicator="W2"), catalog.entry("W2"))
    assert chart.signals == () and not chart.points["signal"].any()
    assert "too few events to judge" in chart.chart_label
    assert chart.variation == "common_cause"


def test_a_run_at_the_floor_is_not_an_improvement_but_the_same_run_just_above_it_is(catalog):
    # Re-entry (P4, lower is better), 20 children a month: 3, 2, 3, 2 ... for 12 months.
    # Then 12 months at 0 of 20: the median month has (0 + 2) / 2 = 1 event, not rare, so a
    # P chart, where 12 points below the average outrun the limit of 8 (24 points). Those 12
    # are all at the floor, so no improvement is announced.
    at_floor = trends.control_chart(_series([3, 2] * 6 + [0] * 12, [20] * 24, indicator="P4"),
                                    catalog.entry("P4"))
    assert at_floor.chart in ("p", "pp")
    assert [s for s in at_floor.signals if s.direction == "improvement"] == []
    # The same 12 months at 1 of 20 (5%, below the average of 42/480 = 8.75%) are a shift.
    above = trends.control_chart(_series([3, 2] * 6 + [1] * 12, [20] * 24, indicator="P4"),
                                 catalog.entry("P4"))
    assert ("shift", 12) in [(s.rule, s.points) for s in above.signals
                             if s.direction == "improvement"]


def test_limits_are_clipped_at_0_and_100_percent(catalog):
    # Visits at 100% and 60% in turn (Making Data Count): mean 80%, moving range 40 points,
    # limits 80 -/+ 2.66 * 40 = -26.4% and 186.4%: drawn at 0% and 100%.
    chart = trends.control_chart(_series([50, 30] * 8, [50] * 16), catalog.entry("V1"),
                                 preset="mdc")
    assert chart.points["lcl"].min() == 0.0 and chart.points["ucl"].max() == 1.0
    assert chart.points["cl"][0] == pytest.approx(0.8)


def test_the_runs_sentence_names_the_line_it_counts(catalog):
    # A run chart (8 months < 12) counts crossings of the median; the words say so.
    assert trends.centre_word("run") == "median" and trends.centre_word("g") == "median"
    assert trends.centre_word("p") == "average"
    chart = trends.control_chart(_series([45] * 24 + [30] * 3, [50] * 27), catalog.entry("V1"))
    assert all("median" not in s.sentence for s in chart.signals)
    assert any("average" in s.sentence for s in chart.signals if s.rule == "shift")


def test_the_scan_can_keep_one_card_per_chart(catalog):
    # U001: a drop to 30 of 50 for the last 3 months: outside the limits (strength 3) and
    # the runs rules may add more; the strongest by score is kept, with the count of all.
    series = _series([45] * 24 + [30] * 3, [50] * 27, group_value="U001")
    every = trends.scan(series, catalog, "month", recent=6, groups=("unit",))
    one = trends.scan(series, catalog, "month", recent=6, groups=("unit",), strongest_only=True)
    assert every.height >= 2 and one.height == 1
    assert one["signals"][0] == every.height
    assert one["score"][0] == max(every["score"].to_list())


def test_notes_need_a_reason_and_removing_keeps_the_record(sample_db_copy):
    store = cqi_core.open_store(sample_db_copy)
    with pytest.raises(CQIError, match="needs a reason"):
        trends.add_note(store, "V1", "unit", "U012", date(2025, 3, 1), "freeze", "  ", "ana")
    note = trends.add_note(store, "V1", "unit", "U012", date(2025, 3, 1), "freeze",
                           "New visit scheduling tool from March", "ana")
    trends.add_note(store, "*", "*", "*", date(2024, 7, 1), "note", "Policy change", "ana")
    notes = trends.chart_notes(store, "V1", "unit", "U012")
    assert notes["kind"].to_list() == ["note", "freeze"]
    assert trends.chart_notes(store, "V1", "unit", "U011")["kind"].to_list() == ["note"]
    trends.remove_note(store, note, "ana")
    assert trends.chart_notes(store, "V1", "unit", "U012")["kind"].to_list() == ["note"]
    assert store.scalar("SELECT removed_by FROM chart_notes WHERE note_id = $n", {"n": note}) == "ana"
    store.close()


def test_series_match_single_period_results_and_are_kept_beside_the_database(sample_db_copy):
    store = cqi_core.open_store(sample_db_copy)
    series = trends.build_series(store, "quarter", months=12)
    assert set(series["group_by"].unique()) == {"all", "unit", "region"}
    last = series.filter(pl.col("indicator_id") == "T1", pl.col("group_by") == "all") \
        .sort("period_start").row(-1, named=True)
    single = cqi_core.compute(store, last["period_start"], last["period_end"], by=[],
                              indicators=["T1"])
    assert last["numerator"] == single["numerator"][0]
    cached = list(sample_db_copy.parent.glob("*.cache/series-quarter-*.parquet"))
    assert len(cached) == 1
    assert trends.build_series(store, "quarter", months=12).equals(series)
    store.close()


def test_the_refresh_keeps_the_recent_changes_and_pages_read_them(sample_db_copy, monkeypatch):
    store = cqi_core.open_store(sample_db_copy)
    series = trends.build_series(store, "quarter")
    catalog = cqi_core.load_catalog(store)
    # what What changed lists: the strongest recent signal of every chart, usual rules
    scanned = trends.scan(series, catalog, "quarter", strongest_only=True)
    assert scanned.height > 0 and set(scanned["group_by"]) >= {"unit"}
    assert trends.build_scan(store, "quarter") == scanned.height
    assert len(list(sample_db_copy.parent.glob("*.cache/scan-quarter-*.parquet"))) == 1

    def no_scan(*args, **kwargs):
        raise AssertionError("scanned again")

    monkeypatch.setattr(trends, "scan", no_scan)
    kept = trends.recent_changes(store, "quarter")  # read, not computed
    assert kept.equals(scanned)
    # other rules are computed for the asker, never read from the kept copy
    with pytest.raises(AssertionError, match="scanned again"):
        trends.recent_changes(store, "quarter", preset="mdc")
    monkeypatch.undo()
    usual = trends.load_settings().recent_periods["quarter"]
    assert trends.recent_changes(store, "quarter", recent=usual + 1).height >= kept.height
    # a public audience is refused, as it is for the series themselves
    public = privacy.Handle(store, privacy.Viewer("stakeholder", "x", (), "pinned"))
    with pytest.raises(privacy.AccessDenied):
        trends.recent_changes(public, "quarter")
    store.close()


def test_bright_spots_from_the_kept_scan_are_the_bright_spots_scanned_afresh(sample_db_copy):
    store = cqi_core.open_store(sample_db_copy)
    grain = cqi_core.bright_spot_settings().grain
    series = trends.build_series(store, grain)
    afresh = cqi_core.bright_spots(store, series=series)  # scans the series it is given
    trends.build_scan(store, grain)
    kept = cqi_core.bright_spots(store)  # reads the refresh's scan
    assert afresh  # the sample agency has bright spots: the comparison is not empty
    assert [s.summary for s in kept] == [s.summary for s in afresh]
    store.close()


def test_a_chart_drawn_without_its_points_gives_the_same_signals(sample_db_copy):
    # The scan asks thousands of charts for their signals only (points=False); each must say
    # exactly what the drawn chart says, on every chart of the sample agency's monthly series.
    store = cqi_core.open_store(sample_db_copy)
    catalog = cqi_core.load_catalog(store)
    series = trends.build_series(store, "month")
    compared, seen, signalled = 0, set(), 0
    for (iid, by, value), part in series.partition_by(
            ["indicator_id", "group_by", "group_value"], as_dict=True).items():
        if iid not in catalog:
            continue
        try:
            full = trends.control_chart(part, catalog.entry(iid), "month")
        except CQIError:
            continue
        lean = trends.control_chart(part, catalog.entry(iid), "month", points=False)
        assert lean.signals == full.signals, (iid, by, value)
        assert (lean.chart, lean.chart_label, lean.variation) == \
            (full.chart, full.chart_label, full.variation)
        assert lean.points["period_start"].to_list() == full.points["period_start"].to_list()
        compared += 1
        signalled += bool(full.signals)
        seen.add(full.chart)
    # every chart of the sample, rare-event and ordinary charts alike, many with signals
    assert compared > 500 and signalled > 100 and {"g", "p"} <= seen
    store.close()
