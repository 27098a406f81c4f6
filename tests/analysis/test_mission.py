"""The agency's values: loaded and versioned, aligned with the measures, status per value."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import yaml
from polars.testing import assert_frame_equal

from cqi_core.errors import CQIError
from cqi_core.indicators.catalog import load_catalog, save_edit
from cqi_core.analysis.mission import (VALUES_PATH, alignment, check_values, load_values,
                              measure_status, review_items, save_value_edit, value_history,
                              value_status)
from cqi_core.storage.store import open_store


def raw_values() -> dict:
    return yaml.safe_load(VALUES_PATH.read_text(encoding="utf-8"))


def write(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "mission.duckdb")
    yield s
    s.close()


# ---- the values ---------------------------------------------------------------------------

def test_the_shipped_values_load_and_agree_with_the_catalog():
    values = load_values()
    assert values.ids == ["safety", "family_engagement", "stability", "timely_permanency",
                          "connections", "well_being", "youth_family_voice", "equity",
                          "workforce", "quality_visits", "timely_records"]
    assert {v.kind for v in values} == {"value", "practice_standard"}
    assert check_values(load_catalog(), values) == []


def test_every_case_review_item_speaks_to_some_value():
    claimed = {i for v in load_values() for i in v.review_items}
    assert set(review_items()) == claimed
    assert len(review_items()) == 21


@pytest.mark.parametrize("change, field", [
    ({"colour": "red"}, "colour"),
    ({"review_items": ["19"]}, "review_items"),
    ({"kind": "belief"}, "kind"),
    ({"description": 42}, "description"),
])
def test_a_bad_value_is_refused_with_its_id_and_field(tmp_path, change, field):
    raw = raw_values()
    raw["values"][2].update(change)  # stability
    with pytest.raises(ValueError, match=rf"value stability, field {field}:"):
        load_values(path=write(tmp_path, raw))


def test_a_value_missing_a_field_is_refused(tmp_path):
    raw = raw_values()
    del raw["values"][0]["description"]
    with pytest.raises(ValueError, match="value safety, field description: missing"):
        load_values(path=write(tmp_path, raw))


def test_item_labels_are_read_like_the_importer_reads_them(tmp_path):
    raw = raw_values()
    raw["values"][2]["review_items"] = ["Item 4", 4, "12a"]
    assert load_values(path=write(tmp_path, raw)).entry("stability").review_items == \
        ("4", "12A")


# ---- alignment ----------------------------------------------------------------------------

def test_alignment_lists_indicators_and_review_items_per_value():
    a = alignment(load_catalog(), load_values())
    stability = a.filter(pl.col("value_id") == "stability")
    assert_frame_equal(stability, pl.DataFrame({
        "value_id": ["stability"] * 4,
        "value_name": ["Children have stable homes"] * 4,
        "measure_id": ["P4", "P5", "Q2.P1", "4"],
        "measure_name": ["Re-entry to foster care in 12 months", "Placement stability",
                         "Permanency 1: children have permanency and stability in their living "
                         "situations", "Item 4: Stability of foster care placement"],
        "measure_kind": ["indicator", "indicator", "indicator", "review_item"],
    }))
    # Q1.4 (the strength rate of item 4) is shown once, as the review item
    assert "Q1.4" not in a["measure_id"].to_list()


def test_a_value_with_no_measure_appears_with_a_null_measure(tmp_path):
    raw = raw_values()
    raw["values"].append({"id": "joy", "name": "Childhood joy", "kind": "value",
                          "description": "Children get to play and have fun.",
                          "review_items": [], "history": raw["values"][0]["history"]})
    a = alignment(load_catalog(), load_values(path=write(tmp_path, raw)))
    unmeasured = a.filter(pl.col("measure_id").is_null())
    assert unmeasured["value_id"].to_list() == ["equity", "joy"]
    assert unmeasured["measure_kind"].null_count() == 2
    assert a.filter(pl.col("value_id") == "joy").height == 1


def test_an_edited_catalog_entry_moves_into_the_value_it_now_serves(store):
    save_edit(store, "E1", {"value_ids": ["safety", "equity"]},
              why="Entry rates by region are our first equity lens", by="CQI manager")
    a = alignment(load_catalog(store), load_values(store))
    assert a.filter(pl.col("value_id") == "equity")["measure_id"].to_list() == ["E1"]


# ---- status against standards -------------------------------------------------------------

def _results() -> pl.DataFrame:
    """A tiny engine output: group_by 'all' rows plus a unit row that must be ignored."""
    rows = [
        # id,     period_end,         group_by, value
        ("P4",    date(2025, 12, 31), "all",  0.05),   # lower is better, 0.05 <= 0.056 → meets
        ("P5",    date(2024, 12, 31), "all",  4.00),   # older period: ignored
        ("P5",    date(2025, 12, 31), "all",  5.00),   # latest: 5.0 > 4.48 → not meeting
        ("Q1.4",  date(2025, 12, 31), "all",  0.95),   # exactly 0.95, not strict → meets
        ("V1",    date(2025, 12, 31), "all",  0.96),   # >= 0.95 → meets
        ("V2",    date(2025, 12, 31), "all",  0.50),   # strict "above 50%" → not meeting
        ("Q1.14", date(2025, 12, 31), "all",  None),   # no reviews: no value → no data
        ("Q1.15", date(2025, 12, 31), "unit", 0.99),   # only a unit row → no data
        ("W1",    date(2025, 12, 31), "all",  14.0),   # no standard set → no standard
    ]
    return pl.DataFrame(rows, schema={"indicator_id": pl.String, "period_end": pl.Date,
                                      "group_by": pl.String, "value": pl.Float64}, orient="row")


def test_measure_status_compares_the_latest_all_row_with_the_standard():
    s = measure_status(_results(), load_catalog())
    got = dict(zip(s["measure_id"].to_list(), s["status"].to_list()))
    assert {k: got[k] for k in ("P4", "P5", "Q1.4", "V1", "V2", "Q1.14", "Q1.15", "W1",
                                "Q2.P1", "E1")} == {
        "P4": "meeting", "P5": "not_meeting", "Q1.4": "meeting", "V1": "meeting",
        "V2": "not_meeting", "Q1.14": "no_data", "Q1.15": "no_data", "W1": "no_standard",
        "Q2.P1": "no_data", "E1": "no_data"}


def test_value_status_counts_measures_meeting_and_not_meeting_their_standards():
    catalog, values = load_catalog(), load_values()
    got = value_status(alignment(catalog, values), _results(), catalog)
    assert got["value_id"].to_list() == values.ids
    # stability: P4 meets, P5 does not, item 4 (Q1.4) meets, Q2.P1 has no data
    # quality_visits: V1 meets, V2 does not, items 14 and 15 have no data ('all' row)
    # workforce: W1 has a value but no standard, W2 has no data
    # equity: no measure at all
    expected = pl.DataFrame({
        "value_id": ["stability", "quality_visits", "workforce", "equity"],
        "value_name": ["Children have stable homes", "Regular, meaningful visits",
                       "A skilled and supported workforce", "Fairness for every child and family"],
        "measures": [4, 4, 2, 0], "with_value": [3, 2, 1, 0], "meeting": [2, 1, 0, 0],
        "not_meeting": [1, 1, 0, 0], "no_standard": [0, 0, 1, 0], "no_data": [1, 2, 1, 0],
        "not_meeting_ids": [["P5"], ["V2"], [], []],
    }, schema=got.schema)
    ordered = pl.DataFrame({"value_id": expected["value_id"]})
    assert_frame_equal(ordered.join(got, on="value_id", how="left"), expected)


def test_value_status_with_no_results_says_no_data_everywhere():
    catalog, values = load_catalog(), load_values()
    empty = pl.DataFrame(schema={"indicator_id": pl.String, "group_by": pl.String,
                                 "value": pl.Float64})
    got = value_status(alignment(catalog, values), empty, catalog)
    assert (got["no_data"] == got["measures"]).all()
    assert got["meeting"].sum() == 0


# ---- versioned value edits ----------------------------------------------------------------

def test_a_value_edit_is_a_new_version_with_history_and_the_yaml_unchanged(store):
    before = hashlib.sha256(VALUES_PATH.read_bytes()).hexdigest()
    edited = save_value_edit(store, "stability", {"review_items": ["4", "9"]},
                             why="Connections keep placements stable", by="Practice lead")
    assert edited.version == 2 and edited.review_items == ("4", "9")
    assert load_values(store).entry("stability").review_items == ("4", "9")
    assert load_values().entry("stability").review_items == ("4",)
    assert hashlib.sha256(VALUES_PATH.read_bytes()).hexdigest() == before
    h = value_history(store, "stability")
    assert h["version"].to_list() == [2, 1]
    assert h["source"].to_list() == ["saved edit", "catalog file"]
    assert h["changes"][0] == '{"review_items": ["4", "9"]}'
    # the new item shows in the alignment, and the catalog's Q1.9 now disagrees
    a = alignment(load_catalog(store), load_values(store))
    assert "9" in a.filter(pl.col("value_id") == "stability")["measure_id"].to_list()
    assert check_values(load_catalog(store), load_values(store)) == [
        "Value stability lists review item 9, but catalog entry Q1.9 does not name stability."]


@pytest.mark.parametrize("changes, message", [
    ({"id": "steady"}, "'id' cannot be changed here"),
    ({"review_items": ["19"]}, "not a case review item"),
    ({"kind": "belief"}, "kind must be one of"),
    ({"description": ""}, "cannot be empty"),
    ({"name": "Children have stable homes"}, "Nothing to save"),
])
def test_a_value_edit_that_does_not_fit_is_refused(store, changes, message):
    with pytest.raises(CQIError, match=message):
        save_value_edit(store, "stability", changes, why="test", by="tester")
    assert store.scalar("SELECT count(*) FROM value_edits") == 0


def test_an_unknown_value_cannot_be_edited(store):
    with pytest.raises(CQIError, match="no agency value 'kindness'"):
        save_value_edit(store, "kindness", {"name": "Kindness"}, why="x", by="y")
