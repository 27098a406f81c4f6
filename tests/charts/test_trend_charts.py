"""Control chart figures: the Vega-Lite spec is the contract (layers, encodings, words).

The series is built by hand: 24 months of a visits-like proportion for one unit, 50 children
a month, about 90% in the first year and about 76% in the second, and a last month still
provisional. Anhøj's rules must see a run above the centre line (an improvement for a
higher-is-better measure) and a run below it (a concern).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

import cqi_core
from cqi_core.analysis import trends
from cqi_core.charts.trends import (assurance_icon, control_chart_figure, group_label, to_png,
                                   variation_icon)

FIRST_YEAR = [45, 46, 44, 45, 47, 45, 44, 46, 45, 45, 46, 44]   # 90% on average
SECOND_YEAR = [38, 39, 37, 38, 40, 38, 37, 39, 38, 38, 39, 41]  # the last one provisional


@pytest.fixture(scope="module")
def catalog(sample_db):
    store = cqi_core.open_store(sample_db)
    try:
        yield cqi_core.load_catalog(store)
    finally:
        store.close()


def _months(n: int, start: date = date(2024, 1, 1)) -> list[date]:
    return [date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
            for i in range(n)]


def _series(indicator: str, numerators: list[float], denominators: list[float],
            provisional_last: bool = True) -> pl.DataFrame:
    starts = _months(len(numerators))
    n = len(starts)
    return pl.DataFrame({
        "indicator_id": [indicator] * n, "period_start": starts,
        "period_end": [d.replace(day=28) for d in starts], "group_by": ["unit"] * n,
        "group_value": ["U001"] * n, "numerator": [float(x) for x in numerators],
        "denominator": [float(x) for x in denominators],
        "value": [a / b for a, b in zip(numerators, denominators)],
        "followup_complete": [True] * n,
        "provisional": [provisional_last and i == n - 1 for i in range(n)]})


@pytest.fixture(scope="module")
def visits(catalog):
    entry = catalog.entry("V1")
    chart = trends.control_chart(_series("V1", FIRST_YEAR + SECOND_YEAR, [50] * 24), entry)
    return chart, entry


def _spec(figure) -> dict:
    return figure.chart.to_dict()


def _rows(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][layer["data"]["name"]]


def _layer(spec: dict, mark: str, field: str | None = None) -> dict:
    for layer in spec["layer"]:
        kind = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        if kind == mark and (field is None or field in str(layer["encoding"])):
            return layer
    raise AssertionError(f"no {mark} layer encoding {field}")


def test_the_hand_built_series_gives_a_p_chart_with_a_run_each_side(visits):
    chart, _ = visits
    assert chart.chart == "p" and chart.chart_label == "P chart"
    kinds = {(s.rule, s.direction) for s in chart.signals}
    assert kinds == {("shift", "improvement"), ("shift", "concern"), ("few_crossings", "concern")}
    assert chart.signals[1].sentence.startswith("The line crossed the average only once in 23 "
                                                "months;")


def test_title_subtitle_and_axes_are_in_words(visits):
    chart, entry = visits
    spec = _spec(control_chart_figure(chart, entry, "Test Unit"))
    assert spec["title"]["text"] == "Monthly caseworker visits, Test Unit: P chart"
    assert spec["title"]["subtitle"] == "Each month, January 2024 to December 2025"
    points = _layer(spec, "point")
    assert points["encoding"]["x"]["title"] == "Month"
    assert points["encoding"]["y"]["title"] == "Percent (%)"
    assert "'%'" in points["encoding"]["y"]["axis"]["labelExpr"]


def test_values_are_drawn_in_percent(visits):
    chart, entry = visits
    spec = _spec(control_chart_figure(chart, entry, "Test Unit"))
    rows = _rows(spec, _layer(spec, "point", "color"))
    assert rows[0]["shown"] == pytest.approx(90.0)   # 45 of 50
    assert rows[-1]["shown"] == pytest.approx(78.0)  # 39 of 50, the last judged month
    cl = sum(FIRST_YEAR[:12] + SECOND_YEAR[:11]) / (23 * 50) * 100  # provisional left out
    assert rows[0]["centre"] == pytest.approx(cl)


def test_signals_differ_by_colour_shape_and_a_text_marker(visits):
    chart, entry = visits
    spec = _spec(control_chart_figure(chart, entry, "Test Unit"))
    points = _layer(spec, "point", "color")
    enc = points["encoding"]
    assert enc["shape"]["field"] == enc["color"]["field"] == "kind"
    domain, shapes = enc["shape"]["scale"]["domain"], enc["shape"]["scale"]["range"]
    shape_of = dict(zip(domain, shapes))
    assert shape_of == {"Ordinary variation": "circle", "Improvement": "diamond",
                        "Needs attention": "square"}
    colour_of = dict(zip(domain, enc["color"]["scale"]["range"]))
    assert len(set(colour_of.values())) == 3
    rows = _rows(spec, points)
    assert rows[0]["kind"] == "Improvement" and rows[15]["kind"] == "Needs attention"
    markers = _rows(spec, _layer(spec, "text", "marker"))
    assert {r["marker"] for r in markers} == {"+", "!"}


def test_provisional_points_are_hollow(visits):
    chart, entry = visits
    spec = _spec(control_chart_figure(chart, entry, "Test Unit"))
    hollow = [layer for layer in spec["layer"] if layer["mark"]["type"] == "point"
              and layer["mark"].get("filled") is False]
    assert len(hollow) == 1
    assert [r["period"] for r in _rows(spec, hollow[0])] == ["December 2025"]
    judged = _rows(spec, _layer(spec, "point", "color"))
    assert len(judged) == 23 and "December 2025" not in {r["period"] for r in judged}


def test_limits_are_dashed_steps_and_the_centre_line_solid(visits):
    chart, entry = visits
    spec = _spec(control_chart_figure(chart, entry, "Test Unit"))
    lines = _layer(spec, "line", "path")
    assert lines["mark"]["interpolate"] == "step"
    dash = lines["encoding"]["strokeDash"]["scale"]
    style = dict(zip(dash["domain"], dash["range"]))
    assert style["Average"] == [1, 0] and style["Limits"] == [6, 4]
    assert lines["encoding"]["detail"]["field"] == "path"


def test_a_split_breaks_the_limits_between_parts(visits, catalog):
    entry = catalog.entry("V1")
    chart = trends.control_chart(_series("V1", FIRST_YEAR + SECOND_YEAR, [50] * 24), entry,
                                 split_at=[date(2025, 1, 1)])
    spec = _spec(control_chart_figure(chart, entry, "Test Unit"))
    paths = {r["path"] for r in _rows(spec, _layer(spec, "line", "path"))}
    assert {"upper-1", "upper-2", "lower-1", "lower-2", "centre-1", "centre-2"} <= paths
    assert "New process from January 2025: that phase has its own centre line and limits." \
        in chart.notes


def test_the_standard_is_a_labelled_rule_in_the_lines_legend(visits):
    chart, entry = visits
    spec = _spec(control_chart_figure(chart, entry, "Test Unit"))
    rule = _layer(spec, "rule", "line")
    rows = _rows(spec, rule)
    assert rows == [{"period_start": None, "y": pytest.approx(95.0),
                     "line": "Agency standard 95.0%", "path": ""}]
    assert "Agency standard 95.0%" in rule["encoding"]["stroke"]["scale"]["domain"]


def test_standard_and_national_reference_for_a_rate(catalog):
    entry = catalog.entry("P5")  # per 1,000 days; standard and national are both 4.48
    chart = trends.control_chart(_series("P5", [5, 7, 4, 6, 5, 8, 6, 5, 7, 6, 4, 5, 6, 7],
                                         [1000] * 14), entry)
    spec = _spec(control_chart_figure(chart, entry, "Test Unit"))
    assert _layer(spec, "point")["encoding"]["y"]["title"] == "Per 1,000 days in care"
    assert [r["line"] for r in _rows(spec, _layer(spec, "rule", "line"))] == \
        ["Standard and national 4.48"]
    assert _rows(spec, _layer(spec, "point"))[0]["shown"] == pytest.approx(5.0)


def test_notes_freeze_and_split_are_labelled_vertical_rules(visits):
    chart, entry = visits
    notes = pl.DataFrame({"note_date": [date(2024, 7, 1), date(2025, 1, 1), date(2025, 3, 1),
                                        date(2019, 1, 1)],
                          "kind": ["note", "freeze", "split", "note"],
                          "text": ["Weekly visit huddles started", "why", "why", "too early"]})
    spec = _spec(control_chart_figure(chart, entry, "Test Unit", notes))
    rule = next(
        layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"
        and "x" in layer["encoding"])
    xs = [r["x"][:10] for r in _rows(spec, rule)]
    # a note sits on its month; a boundary halfway between the two months it separates
    assert xs == ["2024-07-01", "2024-12-16", "2025-02-15"]
    labels = [r["label"] for layer in spec["layer"] if layer["mark"]["type"] == "text"
              and layer["encoding"]["text"]["field"] == "label" for r in _rows(spec, layer)]
    assert sorted(labels) == ["Weekly visit huddles started", "baseline ends", "new process"]


def test_description_and_how_to_read_summarise_the_chart(visits):
    chart, entry = visits
    figure = control_chart_figure(chart, entry, "Test Unit")
    assert figure.description.startswith(
        "P chart of Monthly caseworker visits for Test Unit, 24 months from January 2024 to "
        "December 2025. The latest, December 2025 (provisional), is 82.0%;")
    # the two runs, and too few crossings (a concern: the line ends below the average)
    assert "3 signals: 2 needing attention, 1 improvement. The latest: 11 months in a row " \
        "below the average" in figure.description
    assert "The agency standard is 95.0%." in figure.description
    assert _spec(figure)["description"] == figure.description
    assert figure.how_to_read.startswith(
        "Each dot is one month. The middle line is the average; points outside the dashed "
        "limits, or long runs on one side, are signals, not chance.")


def test_a_short_series_is_a_run_chart_with_a_median_and_no_limits(catalog):
    entry = catalog.entry("V1")
    chart = trends.control_chart(_series("V1", FIRST_YEAR[:8], [50] * 8), entry, "quarter")
    spec = _spec(control_chart_figure(chart, entry, "the whole agency"))
    assert chart.chart == "run"
    assert {r["line"] for r in _rows(spec, _layer(spec, "line", "path"))} == {"Median"}
    assert spec["title"]["subtitle"].startswith("Each quarter, Q1 2024")
    assert "The middle line is the median" in control_chart_figure(
        chart, entry, "x").how_to_read


def test_icons_give_a_symbol_and_words():
    assert variation_icon("special_cause_improvement") == ("▲", "improving")
    assert variation_icon("special_cause_concern") == ("▼", "getting worse")
    assert variation_icon("common_cause") == ("●", "no change beyond chance")
    assert assurance_icon("consistent_pass") == ("✓", "will meet the standard")
    assert assurance_icon("consistent_fail") == ("✗", "will not meet the standard without change")
    assert assurance_icon("inconsistent") == ("~", "may or may not meet the standard")
    assert assurance_icon(None)[0] == "–"


def test_group_label_names_units_regions_and_the_agency():
    names = {"U012": "Alder Creek Family Services 2"}
    assert group_label("unit", "U012", names) == "Alder Creek Family Services 2"
    assert group_label("region", "River Valley", names) == "River Valley region"
    assert group_label("all", "all", names) == "the whole agency"


def test_png_export_renders_offline_at_a_fixed_width(visits):
    chart, entry = visits
    png = to_png(control_chart_figure(chart, entry, "Test Unit"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width > 900 * 2 * 0.9  # 900 px wide at twice the density, plus the axis margin


def test_assurance_compares_a_rate_standard_on_the_plotted_scale(catalog):
    # P5's standard is 4.48 per 1,000 days; the chart plots per 1,000 days too. Limits of
    # roughly 1.4 to 10.6 around 6 contain 4.48, so meeting it is hit and miss.
    entry = catalog.entry("P5")
    chart = trends.control_chart(_series("P5", [5, 7, 4, 6, 5, 8, 6, 5, 7, 6, 4, 5, 6, 7],
                                         [1000] * 14, provisional_last=False), entry)
    assert chart.points["lcl"][-1] < 4.48 < chart.points["ucl"][-1]
    assert chart.assurance == "inconsistent"


def test_chart_phases_a_split_replaces_a_frozen_baseline():
    notes = pl.DataFrame({"note_date": [date(2024, 3, 1), date(2024, 6, 1)],
                          "kind": ["freeze", "freeze"], "text": ["a", "b"]})
    assert trends.chart_phases(notes) == (date(2024, 6, 1), ())
    with_split = pl.concat([notes, pl.DataFrame({"note_date": [date(2025, 1, 1)],
                                                 "kind": ["split"], "text": ["c"]})])
    assert trends.chart_phases(with_split) == (None, (date(2025, 1, 1),))
    assert trends.chart_phases(notes.clear()) == (None, ())


def test_a_baseline_or_split_too_close_to_an_end_is_not_used_and_said_so(catalog):
    entry = catalog.entry("V1")
    series = _series("V1", FIRST_YEAR + SECOND_YEAR, [50] * 24)
    early = trends.control_chart(series, entry, freeze_at=date(2024, 2, 1))
    assert "The baseline would end before the chart has two months, so it is not used." \
        in early.notes
    late = trends.control_chart(series, entry, split_at=[date(2025, 12, 1)])
    assert set(late.points["part"].to_list()) == {1}
    assert any(n.startswith("A split that would leave fewer than two") for n in late.notes)
    frozen = trends.control_chart(series, entry, freeze_at=date(2025, 1, 1))
    assert frozen.notes[0].startswith("Baseline: the 12 months before January 2025;")


def _y_domains(spec: dict) -> list[list[float]]:
    return [layer["encoding"]["y"]["scale"]["domain"] for layer in spec["layer"]
            if layer.get("encoding", {}).get("y", {}).get("type") == "quantitative"
            and "scale" in layer["encoding"]["y"]]


def test_a_percentage_axis_stays_between_0_and_100(catalog):
    # Visits at 100% and 60% in turn under Making Data Count: limits 80 -/+ 2.66 * 40 =
    # -26.4% and 186.4% before clipping. The limits are drawn at 0% and 100% and every layer's
    # axis stops there: nothing shown lies outside what a percentage can be.
    chart = trends.control_chart(_series("V1", [50, 30] * 8, [50] * 16, provisional_last=False),
                                 catalog.entry("V1"), preset="mdc")
    spec = _spec(control_chart_figure(chart, catalog.entry("V1"), "Test Unit"))
    domains = _y_domains(spec)
    assert domains and all(d == domains[0] for d in domains)
    assert domains[0][0] >= 0 and domains[0][1] <= 100
    assert domains[0][1] == 100.0      # the values reach 100%: the axis goes no further


def test_value_domain_pads_and_clamps_by_hand():
    from cqi_core.charts.trends import value_domain
    # 10..20 padded by 5% of the range (0.5) each side; a ceiling of 100 does not bite.
    assert value_domain([10, 20, 15], 100.0) == pytest.approx([9.5, 20.5])
    # 2..98: padding 4.8 would cross 0 and 100, so the axis stops at both.
    assert value_domain([2, 98], 100.0) == pytest.approx([0.0, 100.0])


def test_a_g_chart_is_drawn_in_months_between_events(catalog):
    # Turnover with a departure every fifth month (rare: most months have none): a g chart.
    # Its axis is in months, not percent, and the words say so.
    entry = catalog.entry("W2")
    events = [1 if m % 5 == 0 else 0 for m in range(30)]
    chart = trends.control_chart(_series("W2", events, [6] * 30, provisional_last=False), entry)
    assert chart.chart == "g"
    figure = control_chart_figure(chart, entry, "Test Unit")
    spec = _spec(figure)
    y = _layer(spec, "point", "color")["encoding"]["y"]
    assert y["title"] == "Months without an event, between events"
    assert "labelExpr" not in y.get("axis", {})          # no % sign on the labels
    assert "median gap is 4 months" in figure.description  # gaps 4, 4, 4, 4, 4 (then 4 running)
    assert "Events are rare" in figure.how_to_read
