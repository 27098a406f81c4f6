"""Case-mix adjustment (cqi_core/analysis/casemix.py) on built agencies whose expected counts
are worked out by hand.

With a single adjuster (the age group) the logistic model is saturated: its fitted
probability in each age group is that group's agency rate, so a unit's expected count is
Σ over age groups of (its children in the group × the agency's rate in the group).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from casemix_support import AGE_ONLY, AGE_ONLY_REGIONS, END, START, build_store
from cqi_core import privacy
from cqi_core.analysis import casemix
from cqi_core.errors import CQIError
from cqi_core.privacy import Handle, NotPublished, Viewer


def _row(frame: pl.DataFrame, group: str, iid: str = "P1") -> dict:
    return frame.filter((pl.col("indicator_id") == iid) & (pl.col("group_value") == group)).row(
        0, named=True)


@pytest.fixture(scope="module")
def age_only(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("casemix"), AGE_ONLY, AGE_ONLY_REGIONS,
                        publish=True)
    yield store
    store.close()


def test_columns_are_exactly_those_of_the_issue(age_only):
    frame = casemix.adjusted(age_only, START, END, indicators=["P1"])
    assert frame.columns == ["indicator_id", "group_by", "group_value", "numerator",
                             "denominator", "observed", "expected", "oe_ratio", "oe_low",
                             "oe_high", "adjusted_value"]
    assert frame["group_value"].to_list() == ["all", "U1", "U2", "U3", "U4"]


def test_a_unit_that_differs_only_by_age_mix_is_as_expected_after_adjustment(age_only):
    frame = casemix.adjusted(age_only, START, END, indicators=["P1"])
    agency, u2 = _row(frame, "all"), _row(frame, "U2")
    # Agency 148 / 370 = 0.40; U2 30 / 120 = 0.25.
    assert agency["observed"] == pytest.approx(0.40)
    assert u2["observed"] == pytest.approx(0.25)
    # Before adjustment U2 is clearly below the agency: 30 against 120 × 0.40 = 48 (0.625).
    assert u2["numerator"] / (u2["denominator"] * agency["observed"]) == pytest.approx(0.625)
    # Expected: 15 babies × 0.60 + 105 teenagers × 0.20 = 9 + 21 = 30, so O/E = 1 and the
    # adjusted figure is the agency's 40%.
    assert u2["expected"] == pytest.approx(30.0, rel=1e-6)
    assert u2["oe_ratio"] == pytest.approx(1.0, rel=1e-6)
    assert u2["adjusted_value"] == pytest.approx(0.40, rel=1e-6)
    assert u2["oe_low"] < 1 < u2["oe_high"]
    # U1: 60 × 0.6 + 60 × 0.2 = 48 = O; U3: 105 × 0.6 + 15 × 0.2 = 66 = O.
    assert _row(frame, "U1")["expected"] == pytest.approx(48.0, rel=1e-6)
    assert _row(frame, "U3")["expected"] == pytest.approx(66.0, rel=1e-6)
    # The agency is its own reference: O/E 1, no interval.
    assert agency["oe_ratio"] == pytest.approx(1.0) and agency["oe_low"] is None


def test_the_sentence_says_it_looks_worse_but_serves_more_teenagers(age_only):
    frame = casemix.adjusted(age_only, START, END, indicators=["P1"])
    from cqi_core.indicators.catalog import load_catalog

    entry = load_catalog(age_only).entry("P1")
    mix = casemix._all(age_only, START, END, ["P1"], "unit")["P1"].mix
    text = casemix.disagreement(entry, _row(frame, "U2"), mix.filter(pl.col("group_value") == "U2"),
                                0.40)
    # Observed: 30 against 48 expected at the agency's 40%: exact Poisson 95% interval of
    # 30 is 20.24 to 42.83, / 48 = 0.42 to 0.89, all below 1: worse. Adjusted: O/E 1, within
    # chance. Teenagers are 105 / 120 = 88% of U2's children against 185 / 370 = 50%.
    assert text is not None
    assert "looks worse than the agency (25.0% against 40.0%)" in text
    assert "serves more teenagers aged 11 to 15 (88% of those it counts, against 50%" in text
    assert "adjusted for age, within what chance would give" in text
    # U1 agrees (O/E 1, observed equal to the agency): no sentence.
    assert casemix.disagreement(entry, _row(frame, "U1"), mix, 0.40) is None


def test_by_region_sums_the_units_of_each_region(age_only):
    frame = casemix.adjusted(age_only, START, END, indicators=["P1"], by="region")
    north, south = _row(frame, "North"), _row(frame, "South")
    # North = U1 + U3: 114 of 240; expected 48 + 66 = 114. South = U2 + U4: 34 of 130;
    # expected 30 + (5 × 0.6 + 5 × 0.2 = 4) = 34.
    assert (north["numerator"], north["denominator"]) == (114, 240)
    assert north["expected"] == pytest.approx(114.0, rel=1e-6)
    assert south["expected"] == pytest.approx(34.0, rel=1e-6)
    assert set(frame["group_by"].to_list()) == {"all", "region"}


def test_expected_sum_by_hand_on_a_tiny_agency(tmp_path):
    # U1: 4 babies (3 reach permanency), 2 teenagers (none); U2: 2 babies (1), 4 teenagers (2).
    # Agency rates: babies 4/6 = 2/3, teenagers 2/6 = 1/3; agency 6/12 = 0.5.
    # E(U1) = 4 × 2/3 + 2 × 1/3 = 10/3; O/E = 3 / (10/3) = 0.9; adjusted 0.9 × 0.5 = 0.45.
    # E(U2) = 2 × 2/3 + 4 × 1/3 = 8/3;  O/E = 3 / (8/3) = 1.125; adjusted 0.5625.
    # Interval of U1: the exact Poisson limits of 3 events are 0.6187 and 8.7673
    # (chi-square 2.5% on 6 df = 1.2373, 97.5% on 8 df = 17.5345, each halved), divided by
    # 10/3: 0.1856 and 2.6302.
    store = build_store(tmp_path, {"U1": {"<1": (4, 3), "11-15": (2, 0)},
                                   "U2": {"<1": (2, 1), "11-15": (4, 2)}},
                        {"U1": "North", "U2": "South"})
    try:
        frame = casemix.adjusted(store, START, END, indicators=["P1"])
    finally:
        store.close()
    u1, u2 = _row(frame, "U1"), _row(frame, "U2")
    assert u1["expected"] == pytest.approx(10 / 3, rel=1e-6)
    assert u2["expected"] == pytest.approx(8 / 3, rel=1e-6)
    assert u1["oe_ratio"] == pytest.approx(0.9, rel=1e-6)
    assert u2["oe_ratio"] == pytest.approx(1.125, rel=1e-6)
    assert u1["adjusted_value"] == pytest.approx(0.45, rel=1e-6)
    assert u2["adjusted_value"] == pytest.approx(0.5625, rel=1e-6)
    assert u1["oe_low"] == pytest.approx(0.1856, abs=1e-4)
    assert u1["oe_high"] == pytest.approx(2.6302, abs=1e-4)


def test_poisson_rates_reproduce_each_cells_rate_per_day():
    # Saturated Poisson model with log(days) offset: age a 2 events in 1,000 days, b 6 in
    # 1,000: fitted 0.002 and 0.006 per day. A unit with 500 days of a and 100 of b
    # expects 500 × 0.002 + 100 × 0.006 = 1.6 events.
    cells = pl.DataFrame({"age_group": ["a", "b"], "o": [2.0, 6.0], "n": [1000.0, 1000.0]})
    rates = casemix.cell_rates(cells, ["age_group"], "rate")
    assert rates.tolist() == pytest.approx([0.002, 0.006], rel=1e-6)
    assert 500 * rates[0] + 100 * rates[1] == pytest.approx(1.6, rel=1e-6)


def test_degenerate_cells_do_not_crash():
    # No event anywhere: every cell has the pooled rate 0 (nothing to fit).
    none = pl.DataFrame({"age_group": ["a", "b"], "o": [0.0, 0.0], "n": [5.0, 7.0]})
    assert casemix.cell_rates(none, ["age_group"], "proportion").tolist() == [0.0, 0.0]
    # A level with no event: its fitted probability is (about) 0, the other level's is its
    # own rate 3/10.
    one = pl.DataFrame({"age_group": ["a", "b"], "o": [0.0, 3.0], "n": [10.0, 10.0]})
    rates = casemix.cell_rates(one, ["age_group"], "proportion")
    assert rates[0] == pytest.approx(0.0, abs=1e-6) and rates[1] == pytest.approx(0.3, rel=1e-6)
    # One level only: the intercept-only model, the pooled rate 3/10.
    single = pl.DataFrame({"age_group": ["a"], "o": [3.0], "n": [10.0]})
    assert casemix.cell_rates(single, ["age_group"], "proportion").tolist() == pytest.approx([0.3])
    # A zero denominator: no rate, no crash.
    empty = pl.DataFrame({"age_group": ["a"], "o": [0.0], "n": [0.0]})
    assert casemix.cell_rates(empty, ["age_group"], "rate").tolist() == [0.0]


def test_one_unit_and_a_period_with_no_one(tmp_path):
    store = build_store(tmp_path, {"U1": {"<1": (3, 1), "11-15": (2, 0)}}, {"U1": "North"})
    try:
        frame = casemix.adjusted(store, START, END, indicators=["P1", "P5"])
        empty = casemix.adjusted(store, date(2020, 1, 1), date(2020, 12, 31), indicators=["P1"])
    finally:
        store.close()
    # The only unit is the agency: O/E = 1 / (3 × 1/3 + 2 × 0) = 1.
    assert _row(frame, "U1")["oe_ratio"] == pytest.approx(1.0, rel=1e-6)
    # P5: no placement is recorded, so no move: expected 0, no ratio, no crash.
    p5 = _row(frame, "U1", "P5")
    assert p5["numerator"] == 0 and p5["expected"] == 0 and p5["oe_ratio"] is None
    # Nobody entered care in 2020: the agency row only, zero denominator, empty figures.
    assert empty.height == 1 and empty.row(0, named=True)["denominator"] == 0
    assert empty.row(0, named=True)["observed"] is None


def test_unknown_indicator_or_grouping_is_refused(age_only):
    with pytest.raises(CQIError, match="not adjusted"):
        casemix.adjusted(age_only, START, END, indicators=["V1"])
    with pytest.raises(CQIError, match="unit or by region"):
        casemix.adjusted(age_only, START, END, by="race_ethnicity")


def test_race_and_ethnicity_are_never_adjusters(tmp_path, monkeypatch):
    text = casemix.SETTINGS_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "casemix.yaml"
    bad.write_text(text.replace("    adjusters: [age_group]\n    age_at: the day the child entered care\n"
                                "    source: \"Round 4 data dictionary, P1",
                                "    adjusters: [age_group, race_ethnicity]\n    age_at: the day the "
                                "child entered care\n    source: \"Round 4 data dictionary, P1", 1),
                   encoding="utf-8")
    with monkeypatch.context() as m:
        m.setattr(casemix, "SETTINGS_FILE", bad)
        casemix.load_settings.cache_clear()
        try:
            with pytest.raises(CQIError, match="never adjusted for"):
                casemix.load_settings()
        finally:
            casemix.load_settings.cache_clear()
    assert "race_ethnicity" in casemix.load_settings().never
    assert "Race and ethnicity are never adjusted for" in casemix.never_words()
    assert all("race_ethnicity" not in a for a in casemix.load_settings().adjusters.values())


def test_public_viewers_get_only_units_whose_published_cell_is_shown(age_only):
    public = Handle(age_only, Viewer("stakeholder", "test", (), "cli"))
    frame = casemix.adjusted(public, START, END, indicators=["P1"])
    published = privacy.indicator_rows(age_only, START, END, by=["unit"], indicators=["P1"]) \
        .filter(pl.col("group_by") == "unit")
    hidden = set(published.filter(pl.col("suppressed"))["group_value"].to_list())
    # U4 counts 4 of 10: a count of 1 to 10, always hidden.
    assert "U4" in hidden
    assert frame.columns == [*casemix.COLUMNS, "suppressed"]
    units = frame.filter(pl.col("group_by") == "unit")
    assert set(units.filter(pl.col("suppressed"))["group_value"].to_list()) == hidden
    for r in units.iter_rows(named=True):
        figures = [r[c] for c in casemix.COLUMNS[3:]]
        if r["group_value"] in hidden:
            assert figures == [None] * len(figures)
        else:  # same stratum rates in every unit: O/E 1 for each unit shown
            assert r["oe_ratio"] == pytest.approx(1.0, rel=1e-6)
    # A period the publication does not hold is refused, never computed.
    with pytest.raises(NotPublished):
        casemix.adjusted(public, date(2024, 2, 1), date(2024, 12, 31), indicators=["P1"])


def test_group_adjusted_gives_both_figures_and_the_sentence_for_a_unit(age_only):
    # P1's latest complete 12 months, as of 2025-12-31 with 12 months of follow-up, are
    # the built ones: 2024-01-01 to 2024-12-31 (and a published period too).
    table = casemix.group_adjusted(age_only, "U2", indicators=["P1"])
    row = table.row(0, named=True)
    assert (row["period_start"], row["period_end"]) == (START, END)
    assert row["observed_text"] == "25.0%" and row["adjusted_text"] == "40.0%"
    assert row["observed_reading"] == "worse" and row["adjusted_reading"] == "chance"
    assert "serves more teenagers" in row["sentence"]
    public = Handle(age_only, Viewer("stakeholder", "test", (), "cli"))
    hidden = casemix.group_adjusted(public, "U4", indicators=["P1"]).row(0, named=True)
    assert hidden["hidden"] and hidden["adjusted_text"] == hidden["observed_text"]
