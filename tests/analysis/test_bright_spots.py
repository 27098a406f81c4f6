"""Bright spots (cqi_core.analysis.bright_spots): sustained improvements on units' charts, with what
their reviews say, on hand-built monthly series and the hand-built agency of
tests/fixtures/joint/ (Harbor U1 and Ridge U2; its README describes the reviews).

The series are written out here rather than computed, so each chart's signals are known:
24 months from July 2024 to June 2026, 60 child-months a month.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
import yaml

from cqi_core import import_files, load_catalog, open_store
from cqi_core import privacy
from cqi_core.analysis import bright_spots as bs
from cqi_core.privacy import Viewer
from cqi_core.errors import CQIError

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "joint"
MONTHS = [date(2024 + (6 + k) // 12, (6 + k) % 12 + 1, 1) for k in range(24)]


def _month_end(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1) - timedelta(days=1)


def monthly(indicator: str, unit: str, numerators: list[float], denominator: float = 60.0) -> pl.DataFrame:
    return pl.DataFrame({
        "indicator_id": indicator, "period_start": MONTHS, "period_end": [_month_end(m) for m in MONTHS],
        "group_by": "unit", "group_value": unit, "numerator": numerators,
        "denominator": [denominator] * 24, "value": [n / denominator for n in numerators],
        "followup_complete": True, "provisional": False})


# Harbor's visits: 12 months at 40 of 60, then 12 at 55 of 60. The last 12 months are a run
# above the centre line, longer than the 8 that 24 points allow (Anhøj), reaching the latest
# month, and the latest 3 months are above the line: sustained.
HARBOR_V1 = monthly("V1", "U1", [40.0] * 12 + [55.0] * 12)
# Ridge's visits: 12 low, 9 high, 3 low again. The 9-month run is a shift too, but it ended 3
# months before the latest (more than the 0 allowed) and the latest months are below the line.
RIDGE_V1 = monthly("V1", "U2", [40.0] * 12 + [55.0] * 9 + [40.0] * 3)
# Ridge's caseload falls for a year: an improvement, but caseload is context, never a bright spot.
RIDGE_W1 = monthly("W1", "U2", [20.0] * 12 + [10.0] * 12, denominator=1.0)
SERIES = pl.concat([HARBOR_V1, RIDGE_V1, RIDGE_W1])


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_store(tmp_path_factory.mktemp("bright") / "cqi.duckdb")
    result = import_files(s, [FIXTURE], user="tests")
    assert result.outcome == "landed", result.message
    yield s
    s.close()


def test_only_an_improvement_that_lasts_is_sustained(store):
    signals, charts = bs.sustained_signals(SERIES, load_catalog(store))
    assert signals.select("unit_id", "indicator_id", "rule", "points", "held").rows() == [
        ("U1", "V1", "shift", 12, 3)]
    row = signals.row(0, named=True)
    assert (row["signal_start"], row["signal_end"]) == (date(2025, 7, 1), date(2026, 6, 1))
    assert row["latest_value"] == pytest.approx(55 / 60)
    assert set(charts) == {("U1", "V1")}


def test_a_shorter_minimum_does_not_rescue_an_improvement_that_did_not_hold(store, tmp_path):
    raw = yaml.safe_load(bs.PATH.read_text(encoding="utf-8"))
    raw.update(max_periods_ago=3, min_points=2)
    path = tmp_path / "bright.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    signals, _ = bs.sustained_signals(SERIES, load_catalog(store), bs.load_settings(str(path)))
    # Ridge's 9-month run now reaches far enough back, but its latest 3 months are below the line.
    assert signals["unit_id"].to_list() == ["U1"]


def test_a_bright_spot_says_what_its_reviews_say(store):
    (spot,) = bs.bright_spots(store, series=SERIES)
    assert (spot.unit_id, spot.unit_name, spot.region) == ("U1", "Harbor Unit", "East")
    # V1 is paired with items 14 and 15: Harbor rated them a strength in 0 of 10 reviews each.
    assert spot.items.select("item", "strengths", "n").rows() == [("14", 0, 10), ("15", 0, 10)]
    # Narratives rated a strength: items 1 and 2 (10 each) and 3 to 6 (5 each); only item 3's
    # carry a theme (transportation), in 5 strength narratives of the 10 rated on item 3.
    assert spot.themes.select("theme", "strength_texts", "texts").rows() == [("Transportation", 5, 10)]
    assert spot.themes["strength_share"][0] == pytest.approx(0.5)
    # No strength narrative on items 14 or 15, so the quotes come from the first items with one.
    assert spot.quotes["item"].to_list() == ["1", "2"]
    assert len(spot.charts) == 1 and spot.charts[0].indicator_id == "V1"


def test_the_shareable_summary_reads_on_its_own(store):
    (spot,) = bs.bright_spots(store, series=SERIES)
    text = spot.summary
    assert text.startswith("## Bright spot: Harbor Unit (East)")
    assert "**Monthly caseworker visits.** 12 months in a row above the average" in text
    assert "The latest 3 judged points of its chart are all on the better side of the centre line." in text
    assert "Item 14: Caseworker visits with child: rated a strength in 0% of 10 reviews (agency 50%)." in text
    assert "Transportation (5 narratives)" in text
    assert "> The reviewer read the case file." in text
    assert "Latest complete month, June 2026: 91.7%." in text          # 55 of 60


def test_another_units_quotes_need_approval_for_a_supervisor(store):
    ridge_only = privacy.Handle(store, Viewer("supervisor", "s", ("U2",), "oidc"))
    (spot,) = bs.bright_spots(ridge_only, series=SERIES)
    assert spot.quotes.is_empty()                 # Harbor's narratives, none approved
    assert "In the reviewers' words" not in spot.summary
    harbor = privacy.Handle(store, Viewer("supervisor", "s", ("U1",), "oidc"))
    assert bs.bright_spots(harbor, series=SERIES)[0].quotes.height == 2


def test_a_public_viewer_gets_the_tables_released(store):
    public = privacy.Handle(store, Viewer("youth", "public", (), "pinned"))
    (spot,) = bs.bright_spots(public, series=SERIES)
    # 55 and 60 are above the threshold of 10: the signal stands. Item counts of 10 do not.
    assert spot.signals["sentence"][0].startswith("12 months in a row above")
    assert spot.items["n"].to_list() == [None, None] and spot.items["suppressed"].all()
    assert spot.themes["strength_texts"].to_list() == [None]
    assert spot.charts == ()
    assert spot.quotes.is_empty()


def test_the_overview_table(store):
    table = bs.bright_spot_table(bs.bright_spots(store, series=SERIES))
    assert table.rows() == [("U1", "Harbor Unit", "East", 1, "Monthly caseworker visits", 12)]


def test_no_signal_no_bright_spot(store):
    flat = monthly("V1", "U1", [50.0] * 24)
    assert bs.bright_spots(store, series=flat) == ()


def test_the_summary_names_the_latest_complete_month_and_a_provisional_one_as_such(store):
    # Harbor's visits again, with a 25th month (July 2026, 40 of 60) still provisional: it is
    # not judged, so the run up to June still reaches the latest judged month; the summary
    # quotes June (55 of 60) and says July is provisional rather than hiding it.
    july = HARBOR_V1.tail(1).with_columns(
        pl.lit(date(2026, 7, 1)).alias("period_start"), pl.lit(date(2026, 7, 31)).alias("period_end"),
        pl.lit(40.0).alias("numerator"), pl.lit(40 / 60).alias("value"),
        pl.lit(True).alias("provisional"))
    (spot,) = bs.bright_spots(store, series=pl.concat([HARBOR_V1, july]), as_of=date(2026, 7, 31))
    assert "Latest complete month, June 2026: 91.7%." in spot.summary
    assert "July 2026 (provisional, records still arriving): 66.7%." in spot.summary


def test_a_run_of_empty_months_of_a_rare_event_is_never_a_bright_spot(store):
    # Harbor's turnover (lower is better), 6 caseworkers: departures in the first two months,
    # then 22 months with none. A U chart called the 22 zeros a shift; the median month has
    # no departure (rare), and one gap between events is too few to judge: no bright spot.
    turnover = monthly("W2", "U1", [1.0, 1.0] + [0.0] * 22, denominator=6.0)
    assert bs.sustained_signals(turnover, load_catalog(store))[0].is_empty()


def test_a_chart_with_too_few_events_is_not_a_bright_spot(store, tmp_path):
    # Harbor's visits count 12 * 40 + 12 * 55 = 1,140 visits; asking for 1,141 drops it.
    raw = yaml.safe_load(bs.PATH.read_text(encoding="utf-8"))
    raw.update(min_events=1141)
    path = tmp_path / "bright.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert bs.sustained_signals(SERIES, load_catalog(store), bs.load_settings(str(path)))[0] \
        .is_empty()
    raw.update(min_events=1140)
    exact = tmp_path / "bright_exact.yaml"   # a new file: settings are cached by path
    exact.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert bs.sustained_signals(SERIES, load_catalog(store), bs.load_settings(str(exact)))[0] \
        ["unit_id"].to_list() == ["U1"]


def test_the_settings_are_checked(tmp_path):
    raw = yaml.safe_load(bs.PATH.read_text(encoding="utf-8"))
    raw["rules"] = ["shift", "luck"]
    path = tmp_path / "bright.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(CQIError, match="rules"):
        bs.load_settings(str(path))
