"""Disparity ratios and intervals worked by hand, then `disparities` on the sample agency."""

from __future__ import annotations

import math
from types import SimpleNamespace

import polars as pl
import pytest

import cqi_core
from cqi_core import privacy
from cqi_core import compare
from cqi_core.analysis import disparities
from cqi_core.analysis.disparities import describe, log_ratio_variance, ratios
from cqi_core.errors import CQIError

# Three groups of 100 children: A 20 events (0.2), B 10 (0.1), C 30 (0.3); agency 60/300 = 0.2.
THREE = pl.DataFrame({
    "group_by": ["sex"] * 4, "group_value": ["A", "B", "C", "all"],
    "numerator": [20.0, 10.0, 30.0, 60.0], "denominator": [100.0, 100.0, 100.0, 300.0],
    "value": [0.2, 0.1, 0.3, 0.2], "ci_low": [None] * 4, "ci_high": [None] * 4},
    schema_overrides={"ci_low": pl.Float64, "ci_high": pl.Float64})


def by_group(frame: pl.DataFrame) -> dict[str, dict]:
    return {r["group_value"]: r for r in frame.iter_rows(named=True)}


def test_ratios_against_another_group_use_the_katz_interval_by_hand():
    # A against B: RR = 0.2/0.1 = 2. Katz: V = 1/20 − 1/100 + 1/10 − 1/100 = 0.13,
    # sqrt V = 0.3605551, 1.959964·0.3605551 = 0.7066751, so 2·e^∓0.7066751 = 0.9865632 .. 4.0544792.
    # C against B: RR = 3, V = 1/30 − 1/100 + 1/10 − 1/100 = 0.1133333, sqrt = 0.3366502,
    # half-width 0.6598222: 3·e^∓0.6598222 = 1.5508297 .. 5.8033451 (excludes 1).
    rows = by_group(ratios(THREE, "proportion", reference="B"))
    assert rows["A"]["ratio"] == pytest.approx(2)
    assert rows["A"]["ratio_low"] == pytest.approx(0.9865632, abs=5e-8)
    assert rows["A"]["ratio_high"] == pytest.approx(4.0544792, abs=5e-8)
    assert rows["C"]["ratio_low"] == pytest.approx(1.5508297, abs=5e-8)
    assert rows["C"]["ratio_high"] == pytest.approx(5.8033451, abs=5e-8)
    assert rows["B"]["ratio"] == 1 and rows["B"]["ratio_low"] is None
    assert rows["B"]["reading"] == "The reference group."
    assert rows["A"]["reading"] == ("2.00 times the B group's figure (95% interval 0.99 to "
                                    "4.05); the interval includes 1, so the difference may be "
                                    "chance.")
    assert rows["C"]["reading"].endswith("the interval excludes 1.")
    assert all(r["reference_value"] == 0.1 for r in rows.values())


def test_ratios_against_the_agency_allow_for_the_group_being_part_of_it_by_hand():
    # C against the agency: RR = 0.3/0.2 = 1.5. a = 30, n = 100, A = 60, N = 300, so the rest
    # of the agency has b = 30 events in m' = 200:
    # V = (1/30 − 1/60)²·30·(1 − 0.3) + 30·(1 − 30/200)/60² = 0.0058333 + 0.0070833 = 0.0129167,
    # sqrt V = 0.1136515, half-width 0.2227529: 1.5·e^∓0.2227529 = 1.2004689 .. 1.8742676.
    # A against the agency: RR = 1, V = (1/20 − 1/60)²·20·0.8 + 40·0.8/3600 = 0.0266667,
    # 1.959964·0.1632993 = 0.3200608: e^∓0.3200608 = 0.7261049 .. 1.3772115.
    rows = by_group(ratios(THREE, "proportion"))
    assert rows["C"]["ratio"] == pytest.approx(1.5)
    assert rows["C"]["ratio_low"] == pytest.approx(1.2004689, abs=5e-8)
    assert rows["C"]["ratio_high"] == pytest.approx(1.8742676, abs=5e-8)
    assert rows["A"]["ratio_low"] == pytest.approx(0.7261049, abs=5e-8)
    assert rows["A"]["ratio_high"] == pytest.approx(1.3772115, abs=5e-8)
    assert rows["C"]["reading"] == ("1.50 times the agency figure (95% interval 1.20 to 1.87); "
                                    "the interval excludes 1.")
    assert rows["all"]["ratio"] == 1 and rows["all"]["reading"] == "The reference group."


def test_the_agency_row_against_a_group_uses_the_nested_variance_the_other_way_round():
    # agency against B: RR = 0.2/0.1 = 2; B (10 of 100) is inside the agency (60 of 300):
    # V = (1/10 − 1/60)²·10·0.9 + 50·(1 − 50/200)/3600 = 0.0625 + 0.0104167 = 0.0729167,
    # sqrt = 0.2700309, half-width 0.5292508: 2·e^∓0.5292508 = 1.1780923 .. 3.3953198.
    rows = by_group(ratios(THREE, "proportion", reference="B"))
    assert rows["all"]["ratio_low"] == pytest.approx(1.1780923, abs=5e-8)
    assert rows["all"]["ratio_high"] == pytest.approx(3.3953198, abs=5e-8)


def test_rate_ratio_variances_by_hand():
    # Rates: log rate ratio of two groups V = 1/a + 1/c; a group inside the agency 1/a − 1/A.
    assert log_ratio_variance(20, 1000, 10, 2000, "rate", nested=False) == pytest.approx(0.15)
    assert log_ratio_variance(20, 1000, 60, 4000, "rate", nested=True) == pytest.approx(1 / 30)
    # no events: the log scale has no interval
    assert log_ratio_variance(0, 1000, 60, 4000, "rate", nested=True) is None


def test_a_group_with_no_events_has_ratio_zero_and_no_interval():
    table = THREE.with_columns(
        pl.when(pl.col("group_value") == "A").then(0.0).otherwise(pl.col("numerator")).alias("numerator"),
        pl.when(pl.col("group_value") == "A").then(0.0).otherwise(pl.col("value")).alias("value"))
    rows = by_group(ratios(table, "proportion", reference="B"))
    assert rows["A"]["ratio"] == 0 and rows["A"]["ratio_low"] is None
    assert rows["A"]["reading"].startswith("No events in this group")


def test_an_unknown_reference_group_is_refused():
    with pytest.raises(CQIError, match="no 'D' children"):
        ratios(THREE, "proportion", reference="D")


def test_describe_names_the_groups_whose_interval_excludes_one():
    entry = SimpleNamespace(direction="lower", unit="percent")  # what describe reads of one
    words = describe(ratios(THREE, "proportion"), entry)
    assert words[0] == "Each group is compared with the agency as a whole (20.0%)."
    # C (1.20 .. 1.87) excludes 1; B (0.29 .. 0.85) too; A (0.73 .. 1.38) does not
    assert words[1].startswith("2 groups differ from the agency as a whole")
    assert "C 1.50 times" in words[1] and "B 0.50 times" in words[1] and " A " not in words[1]
    assert words[2].startswith("Lower is better")


# --------------------------------------------------------------------------- the sample agency



@pytest.fixture(autouse=True)
def _close_sample(request):
    # These tests open the shared sample database for writing; close it after each one so
    # later tests can open it read-only (DuckDB refuses mixed connections in one process).
    yield
    if "sample_db" in request.fixturenames:
        cqi_core.open_store(request.getfixturevalue("sample_db")).close()

def _period(db, iid: str):
    return compare.periods(cqi_core.open_store(db), iid)[0]


def test_every_group_and_the_agency_row_add_up(sample_db):
    store = cqi_core.open_store(sample_db)
    start, end = _period(sample_db, "P1")
    frame = disparities.disparities(store, "P1", start, end, by="race_ethnicity")
    groups = frame.filter(pl.col("group_value") != "all")
    agency = frame.filter(pl.col("group_value") == "all").row(0, named=True)
    assert groups["numerator"].sum() == agency["numerator"]
    assert groups["denominator"].sum() == agency["denominator"]
    assert "unknown" in groups["group_value"].to_list()
    assert tuple(frame.columns) == disparities.COLUMNS
    assert agency["ratio"] == 1
    assert frame["reference_value"].unique().to_list() == [agency["value"]]


def test_a_public_viewer_gets_groups_suppressed_along_the_agency_total(sample_db):
    store = privacy.Handle(cqi_core.open_store(sample_db), privacy.Viewer("stakeholder"))
    start, end = _period(sample_db, "P1")
    frame = disparities.disparities(store, "P1", start, end, by="race_ethnicity")
    assert frame[privacy.SUPPRESSED].any()
    for col in ("numerator", "denominator"):
        assert not frame[col].is_between(1, 10).any()
        # complementary suppression: never exactly one hidden cell in the groups + agency total
        assert frame[col].null_count() != 1
    hidden = frame.filter(pl.col(privacy.SUPPRESSED))
    for col in ("value", "ci_low", "ratio", "ratio_low", "ratio_high"):
        assert hidden[col].null_count() == hidden.height
    assert all(r.startswith("Not shown") for r in hidden["reading"])


def test_when_a_public_viewer_s_reference_group_is_hidden_no_ratio_is_shown(sample_db):
    plain = cqi_core.open_store(sample_db)
    start, end = _period(sample_db, "P1")
    full = disparities.disparities(plain, "P1", start, end, by="race_ethnicity")
    small = full.filter(pl.col("denominator").is_between(1, 10)
                        | pl.col("numerator").is_between(1, 10))["group_value"][0]
    store = privacy.Handle(plain, privacy.Viewer("youth"))
    frame = disparities.disparities(store, "P1", start, end, by="race_ethnicity", reference=small)
    assert frame["ratio"].null_count() == frame.height
    assert frame["reference_value"].null_count() == frame.height


def test_groupings_and_kinds_the_indicator_lacks_are_refused(sample_db):
    store = cqi_core.open_store(sample_db)
    start, end = _period(sample_db, "V1")
    with pytest.raises(CQIError, match="cannot be broken down"):
        disparities.disparities(store, "T1", start, end, by="race_ethnicity")
    with pytest.raises(CQIError, match="not a proportion or a rate"):
        disparities.disparities(store, "W1", start, end, by="race_ethnicity")
    assert "T1" not in disparities.indicators() and "F1" in disparities.indicators()
    assert disparities.groupings("F1") == ["source_group"]


def test_rates_use_the_rate_ratio_interval(sample_db):
    store = cqi_core.open_store(sample_db)
    start, end = _period(sample_db, "P5")
    frame = disparities.disparities(store, "P5", start, end, by="sex", reference="female")
    male = frame.filter(pl.col("group_value") == "male").row(0, named=True)
    female = frame.filter(pl.col("group_value") == "female").row(0, named=True)
    v = 1 / male["numerator"] + 1 / female["numerator"]
    half = 1.959963984540054 * math.sqrt(v)
    assert male["ratio"] == pytest.approx(male["value"] / female["value"])
    assert male["ratio_low"] == pytest.approx(male["ratio"] * math.exp(-half))
    assert male["reading"].startswith(f"{male['ratio']:.2f} times the Female group's rate")
