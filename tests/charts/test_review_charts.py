"""The case review and voices charts, asserted from their Vega-Lite JSON: words around every
chart, n printed in every heatmap cell, small cells greyed out and said in words, limits only
on a control chart, and nothing told by colour alone."""

from __future__ import annotations

import json
from datetime import date

import polars as pl

from cqi_core.charts import reviews as rc
from cqi_core.analysis import reviews as rv


def _spec(fig) -> dict:
    return json.loads(fig.chart.to_json())


def _datasets(spec: dict) -> list[dict]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def _words_are_there(fig) -> None:
    spec = _spec(fig)
    assert spec["title"] == fig.title and spec["description"] == fig.description
    assert len(fig.how_to_read) > 40 and len(fig.description) > 40


TABLE = pl.DataFrame({
    "item": ["1", "1", "4", "4"], "unit_id": ["U1", "U2", "U1", "U2"],
    "unit_name": ["North One", "South One", "North One", "South One"],
    "strengths": [4, 1, 0, 3], "n": [5, 2, 0, 6], "rate": [0.8, 0.5, None, 0.5],
    "too_few": [False, True, True, False]})


def test_heatmap_prints_rate_and_n_in_every_cell_and_greys_out_small_n():
    fig = rc.item_unit_heatmap(TABLE, {"1": "Item 1: Timeliness", "4": "Item 4: Stability"})
    _words_are_there(fig)
    spec = _spec(fig)
    rows = {(r["unit_id"], r["item"]): r for r in _datasets(spec) if "top" in r}
    assert (rows[("U1", "1")]["top"], rows[("U1", "1")]["bottom"]) == ("80%", "n=5")
    # a cell is about 30 px wide with 20 units across: a dash (too few) and a dot (none),
    # said in words in the how-to-read line, where the words would not fit at 12 px
    assert (rows[("U2", "1")]["top"], rows[("U2", "1")]["bottom"]) == ("–", "n=2")
    assert (rows[("U1", "4")]["top"], rows[("U1", "4")]["bottom"]) == ("·", "n=0")
    layers = spec["layer"]
    grey = [layer for layer in layers if layer["mark"].get("color") == rc.GREY]
    assert len(grey) == 1                                  # small cells have their own grey layer
    assert {layer["encoding"]["text"]["field"] for layer in layers if "text" in layer["encoding"]} == {"top", "bottom"}
    # items down, in words (their number and name), units across
    assert layers[0]["encoding"]["y"]["title"] == "Review item"
    assert layers[0]["encoding"]["x"]["title"] == "Unit"
    assert {r["item_label"] for r in rows.values()} == {"Item 1: Timeliness", "Item 4: Stability"}
    assert "fewer than 5 reviews" in fig.how_to_read and "a dot means" in fig.how_to_read


def test_outcome_bars_label_every_part_with_its_percent():
    rates = pl.DataFrame({"group_by": ["all"] * 2, "group_value": ["all"] * 2,
                          "group_label": ["All reviews"] * 2, "outcome": ["S1", "WB1"],
                          "substantially_achieved": [3, 1], "partially_achieved": [0, 2],
                          "not_achieved": [1, 1], "n": [4, 4], "rate": [0.75, 0.25]})
    fig = rc.outcome_bars(rates, {"S1": "Safety 1: protected", "WB1": "Well-Being 1: capacity"})
    _words_are_there(fig)
    rows = [r for r in _datasets(_spec(fig)) if "label" in r]
    got = {(r["outcome"], r["rating"]): r["label"] for r in rows}
    assert got[("S1", "substantially_achieved")] == "75%" and got[("WB1", "partially_achieved")] == "50%"
    assert {r["row"] for r in rows} == {"Safety 1 (n=4)", "Well-Being 1 (n=4)"}
    assert "S1: 75% substantially achieved of 4" in fig.description


def _trend(chart_periods: int):
    periods = [rv.period_of(date(2022 + k // 4, k % 4 * 3 + 1, 1), "quarter") for k in range(14)]
    series = pl.DataFrame({"period_start": [p.start for p in periods], "period_end": [p.end for p in periods],
                           "label": [p.label for p in periods], "strengths": [5, 6, 4, 5, 7, 5, 6, 4, 5, 6, 5, 5, 6, 0],
                           "n": [10] * 13 + [10]})
    settings = rv.load_settings().__class__(**{**rv.load_settings().__dict__,
                                               "control_chart_min_periods": chart_periods})
    return rv.item_trend(series, settings)


def test_item_trend_is_a_control_chart_with_limits_and_marked_signals():
    trend = _trend(12)
    assert trend.chart == "p"
    fig = rc.item_trend_chart(trend, "Item 4: Stability")
    _words_are_there(fig)
    fields = {layer["encoding"]["y"]["field"] for layer in _spec(fig)["layer"]}
    assert {"y", "cl", "lcl", "ucl"} <= fields
    # The last quarter (0 of 10) is far below the limits: drawn as a diamond, and said.
    diamonds = [layer for layer in _spec(fig)["layer"] if layer["mark"].get("shape") == "diamond"]
    assert diamonds and "1 period(s) outside the limits" in fig.description


def test_item_trend_before_enough_periods_is_a_run_chart_without_limits():
    trend = _trend(20)
    assert trend.chart == "run"
    fields = {layer["encoding"]["y"]["field"] for layer in _spec(rc.item_trend_chart(trend, "Item 4"))["layer"]}
    assert "ucl" not in fields and {"y", "cl"} <= fields


def test_rating_distribution_labels_each_part_with_rating_and_share():
    dist = pl.DataFrame({"group_by": ["source_group"] * 5, "group_value": ["youth"] * 5,
                         "group_label": ["Youth"] * 5, "rating": [1, 2, 3, 4, 5],
                         "n": [1, 0, 1, 2, 6], "share": [0.1, 0.0, 0.1, 0.2, 0.6]})
    fig = rc.rating_distribution_chart(dist, "Who")
    _words_are_there(fig)
    labels = {r["rating"]: r["label"] for r in _datasets(_spec(fig)) if "label" in r}
    assert labels[5] == "5 · 60%" and labels[2] == ""
    assert "Youth: 80% rated 4 or 5" in fig.description


def test_theme_bars_show_share_of_sources_and_count():
    freq = pl.DataFrame({"theme": ["Visits", "Transportation"], "sources": [30, 12]})
    fig = rc.theme_bars(freq, "Themes people raised", 120)
    _words_are_there(fig)
    labels = {r["theme"]: r["label"] for r in _datasets(_spec(fig))}
    assert labels == {"Visits": "25% (30)", "Transportation": "10% (12)"}
    assert _spec(fig)["layer"][0]["encoding"]["x"]["title"] == "Share of the 120 sources"


SHARES = pl.DataFrame({
    "code": ["visits", "transport", "services"], "narratives_with": [20, 5, 19],
    "narratives": [20, 20, 20], "share": [1.0, 0.25, 0.95], "agency_share": [0.9, 0.1, 0.8],
    "everywhere": [True, False, False]})


def test_theme_share_bars_draw_only_themes_that_separate_narratives():
    names = {"visits": "Caseworker visits", "transport": "Transportation", "services": "Services"}
    fig = rc.theme_share_bars(SHARES.with_columns(everywhere=pl.col("share") >= 0.9), names,
                              "the narratives of item 14", compared=False)
    _words_are_there(fig)
    # visits (20 of 20 = 100%) and services (19 of 20 = 95%) are at or above 0.9: named, not
    # drawn; transport 5 of 20 = 25%.
    labels = {r["theme"]: r["label"] for r in _datasets(_spec(fig)) if "label" in r}
    assert labels == {"Transportation": "25% (5 of 20)"}
    assert "not drawn: Caseworker visits, Services" in fig.description
    spec = _spec(fig)
    assert spec["layer"][0]["encoding"]["x"]["title"] == "Share of the 20 narratives"
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, 1]
    assert len(spec["layer"]) == 2 and "tick" not in json.dumps(spec)
    assert fig.title == "Themes in the narratives of item 14"


def test_theme_share_bars_mark_the_agency_share_when_a_selection_is_made():
    fig = rc.theme_share_bars(SHARES, {}, "the narratives of all items", compared=True)
    spec = _spec(fig)
    ticks = [layer for layer in spec["layer"] if layer["mark"]["type"] == "tick"]
    assert len(ticks) == 1 and ticks[0]["encoding"]["x"]["field"] == "agency_share"
    # Unnamed codes show as they are; services 19 of 20 = 95%, agency 80%.
    assert "services: 95% (19 of 20), agency 80%" in fig.description
    assert "black tick" in fig.how_to_read


def test_share_trend_tells_series_apart_by_dash_and_shape_as_well_as_colour():
    frame = pl.DataFrame({"period_start": [date(2025, 1, 1), date(2025, 4, 1)] * 2,
                          "label": ["Jan–Mar 2025", "Apr–Jun 2025"] * 2,
                          "series": ["Visits", "Visits", "Transportation", "Transportation"],
                          "share": [0.2, 0.3, 0.1, 0.05], "n": [50, 60, 50, 60]})
    fig = rc.share_trend_chart(frame, "Themes raised, each quarter", "Share of sources",
                               "Each line is one theme over the quarters.")
    enc = _spec(fig)["layer"][0]["encoding"]
    assert {"color", "strokeDash", "shape"} <= set(enc)
