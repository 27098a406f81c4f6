"""The chart and table convention: heights from rows, legible configuration, tables in words.
Expected values are worked out by hand from the convention's constants, stated here."""

from __future__ import annotations

from datetime import date

import altair as alt
import polars as pl

from cqi_core.charts import convention as cv
from cqi_core.indicators.catalog import load_catalog


def _entry(unit: str):
    return next(e for e in load_catalog().entries if e.unit == unit)


def test_a_chart_of_nine_rows_asks_for_their_room_only():
    # the plotting area: 9 rows x 32 px = 288 (title, legend and axes sit around it)
    assert cv.rows_height(9) == 288


def test_one_row_still_gets_the_room_of_three():
    # max(1, 3) x 32 = 96
    assert cv.rows_height(1) == 96


def test_rows_whose_labels_wrap_onto_three_lines_are_taller():
    # 3 lines x 14 px + 4 = 46 px a row (more than 32); 5 rows x 46 = 230
    assert cv.rows_height(5, lines=3) == 230
    assert cv.label_lines(["North", "Came into care,\nlast 12 months,\nby region"]) == 3
    assert cv.label_lines([]) == 1


def test_presentation_rows_are_taller():
    # 4 rows x 53 px = 212 (two lines of 20 px text: (2 x 14 + 4) x 20/12 = 53.3 -> 53)
    assert cv.rows_height(4, presentation=True) == 212


def test_a_long_label_wraps_over_lines_and_keeps_every_word():
    label = "Came into care, last 12 months, by the region they live in"
    wrapped = cv.wrap_label(label, 20)
    assert wrapped.split("\n") == ["Came into care, last", "12 months, by the", "region they live in"]
    assert wrapped.replace("\n", " ") == label


def test_legible_sets_text_sizes_and_lifts_label_limits():
    chart = cv.legible(alt.Chart(pl.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q"))
    config = chart.to_dict()["config"]
    assert config["axis"]["labelFontSize"] == 12 and config["axis"]["labelLimit"] == 0
    assert config["axis"]["labelOverlap"] is True
    assert config["legend"]["labelFontSize"] == 12 and config["legend"]["labelLimit"] == 0
    shown = cv.legible(alt.Chart(pl.DataFrame({"a": [1]})).mark_bar(), presentation=True)
    assert shown.to_dict()["config"]["axis"]["labelFontSize"] == 20


def test_legible_keeps_a_configuration_the_chart_already_has_and_leaves_its_source_alone():
    base = alt.Chart(pl.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q")
    framed = base.configure_view(stroke=None)
    layered = alt.layer(base, base).configure_view(stroke=None)
    for chart in (framed, layered):
        config = cv.legible(chart).to_dict()["config"]
        assert config["view"]["stroke"] is None  # set before, still there
        assert config["title"]["fontSize"] == 16 and config["text"]["fontSize"] == 12
        assert config["axisTemporal"] == {"labelFlush": True, "labelBound": True}
    source = base.to_dict().get("config", {})  # the chart the configured ones came from
    assert "title" not in source and "stroke" not in source.get("view", {})


def test_a_proportion_reads_as_a_percent_and_missing_values_as_words():
    frame = pl.DataFrame({"group_value": ["North", "South", "East"],
                          "numerator": [9, None, None], "denominator": [23, None, 4],
                          "value": [0.3913, None, None],
                          "suppressed": [False, True, False]})
    table = cv.display_table(frame, entry=_entry("percent"))
    out = table.frame
    # 9 / 23 = 0.3913 -> "39.1%"; the suppressed row's figure says "hidden", the other
    # missing one "not enough data"; the suppressed column itself is dropped
    assert out["value"].to_list() == ["39.1%", "hidden", "not enough data"]
    assert out["numerator"].to_list() == ["9", "hidden", "not enough data"]
    assert out["denominator"].to_list() == ["23", "hidden", "4"]
    assert "suppressed" not in out.columns
    assert table.columns["value"].label == "Figure"
    assert table.columns["group_value"].label == "Group"


def test_headers_are_words():
    table = cv.display_table(pl.DataFrame({"ci_low": [0.1], "ci_high": [0.2],
                                           "narratives_with": [3], "Already words": ["x"]}))
    labels = {k: v.label for k, v in table.columns.items()}
    assert labels == {"ci_low": "95% interval, low", "ci_high": "95% interval, high",
                      "narratives_with": "Narratives with", "Already words": "Already words"}


def test_a_rate_puts_its_unit_in_the_header_and_its_figure_in_two_decimals():
    entry = _entry("per_1000_days")
    table = cv.display_table(pl.DataFrame({"value": [4.4712]}), entry=entry)
    assert table.frame["value"].to_list() == ["4.47"]
    assert table.columns["value"].label == "Figure (per 1,000 days in care)"


def test_codes_unit_ids_dates_and_shares_read_as_words():
    frame = pl.DataFrame({"source_type": ["focus_group", "survey"], "unit_id": ["U012", "U999"],
                          "share": [0.25, None], "date": [date(2026, 9, 30), None]})
    table = cv.display_table(frame, unit_names={"U012": "Alder Creek Family Services 2"},
                             hidden=True)
    out = table.frame
    assert out["source_type"].to_list() == ["Focus group", "Survey"]
    # a unit without a name keeps its id rather than disappearing
    assert out["unit_id"].to_list() == ["Alder Creek Family Services 2", "U999"]
    # 0.25 -> "25.0%"; a public table's missing values are the ones privacy hid
    assert out["share"].to_list() == ["25.0%", "hidden"]
    assert out["date"].to_list() == ["Sep 30, 2026", "hidden"]
    assert table.placeholder == "hidden"


def test_a_table_is_as_tall_as_its_rows_and_sentences_wrap():
    # 18 rows x 35 px + header 38 + 2 = 670: no 10-row scroll box
    assert cv.display_table(pl.DataFrame({"item": [str(i) for i in range(18)]})).height == 670
    # 100 rows would be 3,540 px: capped at a screen, 720
    assert cv.display_table(pl.DataFrame({"n": list(range(100))})).height == 720
    wrapped = cv.display_table(pl.DataFrame({"text": ["A long narrative."]}))
    assert wrapped.row_height == 96 and wrapped.columns["text"].width == "large"


def test_long_text_wraps_in_a_medium_column_and_a_unit_code_beside_its_name_says_so():
    measures = "Maltreatment in foster care, Recurrence of maltreatment"  # 55 characters > 40
    frame = pl.DataFrame({"unit_id": ["U01"], "unit_name": ["North Valley"],
                          "measures": [measures], "signals": [2]})
    table = cv.display_table(frame)
    assert table.columns["measures"].width == "medium"
    assert table.columns["unit_name"].width is None  # 12 characters: one line
    # rows of long text are 66 px (three wrapped lines); one row: 38 + 66 + 2 = 106 px
    assert table.row_height == 66 and table.height == 106
    assert table.columns["unit_id"].label == "Unit code"
    assert table.columns["unit_name"].label == "Unit"


def test_one_sentence_column_is_large_and_two_share_the_page():
    one = cv.display_table(pl.DataFrame({"version": [1], "why": ["A reason in words."]}))
    assert one.columns["why"].width == "large" and one.row_height == 96
    # what + why at "large" (400 px each) would be 800 px before any other column
    two = cv.display_table(pl.DataFrame({"version": [1], "what": ["A change."],
                                         "why": ["A reason in words."]}))
    assert two.columns["what"].width == "medium" and two.columns["why"].width == "medium"
