"""Run and control charts drawn for people: the series, its centre line and limits, signals.

`control_chart_figure` turns a `trends.TrendChart` into an Altair figure on the indicator's
display scale (percent for proportions). Signals differ from ordinary points by colour,
by shape and by a text marker above the point, and hollow points are provisional, so
nothing depends on colour alone. The agency standard, the national reference and the
chart's notes (a frozen baseline, a new process, a dated note) are labelled in words.
Limits arrive clipped at the measure's natural floor and ceiling (`trends`), and the value
axis stays inside them: never below 0, and never above 100% on a percentage chart. A g chart
(rare events) is drawn in whole periods between events. `to_png` renders a figure offline
for download. The words and numbers a chart shows (axis
titles, value text, the variation and assurance icons) come from `indicators.display`, the
one formatter, and stay importable from here.
"""

from __future__ import annotations

import json
from datetime import date

import altair as alt
import polars as pl

from cqi_core.charts.base import PALETTE, Figure, _finish
from cqi_core.indicators.catalog import CatalogEntry
from cqi_core.analysis.trends import TrendChart
from cqi_core.indicators.display import (  # noqa: F401 (re-exported for callers of charts.trends)
    ASSURANCE_ICONS, AXIS_TITLES, RULE_WORDS, VARIATION_ICONS, assurance_icon, display_scale,
    format_display, group_label, variation_icon)
from cqi_core.periods import period_label

PAGE_HEIGHT = 300
"""Height of the chart's plotting area on a page (the title, legends and axes sit around it,
`charts.base._finish`): the whole chart stays within a 1280×720 screen."""
EXPORT_WIDTH, EXPORT_HEIGHT = 900, 380
"""Size of the plotting area of a chart rendered to PNG (a page chart fills its container
instead; offline rendering adds the title, legends and axes around the plotting area)."""

# Point kinds, in legend order: (label, colour, shape, text marker).
KINDS = (
    ("Ordinary variation", "#6E6E6E", "circle", ""),
    ("Improvement", PALETTE[0], "diamond", "+"),
    ("Needs attention", PALETTE[5], "square", "!"),
    ("Change (neither way better)", PALETTE[3], "triangle-up", "*"),
    ("Provisional (not judged yet)", "#6E6E6E", "circle", ""),
)
PROVISIONAL = KINDS[4][0]
_KIND_OF = {"improvement": KINDS[1][0], "concern": KINDS[2][0], "neutral": KINDS[3][0]}
_MARKER = {k[0]: k[3] for k in KINDS}
_COLOUR = {k[0]: k[1] for k in KINDS}
_NOTE_WORDS = {"freeze": "baseline ends", "split": "new process"}


def _point_kinds(chart: TrendChart) -> list[str]:
    """Each plotted point's kind: provisional, ordinary, or the direction of its signal."""
    kinds = []
    rows = chart.points.select("period_start", "signal", "provisional").iter_rows()
    for d, flagged, late in rows:
        if late:
            kinds.append(PROVISIONAL)
            continue
        covering = [s for s in chart.signals if s.rule != "few_crossings" and s.start <= d <= s.end]
        if not flagged or not covering:
            kinds.append(KINDS[0][0])
        else:
            strongest = max(covering, key=lambda s: s.strength)
            kinds.append(_KIND_OF[strongest.direction])
    return kinds


def _points_frame(chart: TrendChart, k: float) -> pl.DataFrame:
    kinds = _point_kinds(chart)
    return chart.points.with_columns(
        pl.Series("kind", kinds, dtype=pl.String),
        pl.Series("marker", [_MARKER[x] for x in kinds], dtype=pl.String),
        pl.Series("marker_colour", [_COLOUR[x] for x in kinds], dtype=pl.String),
        pl.Series("period", [period_label(d, chart.grain) for d in chart.points["period_start"]],
                  dtype=pl.String),
        pl.col("rule").replace_strict(RULE_WORDS, default="").alias("rule_words"),
        (pl.col("value") * k).alias("shown"), (pl.col("cl") * k).alias("centre"),
        (pl.col("lcl") * k).alias("lower"), (pl.col("ucl") * k).alias("upper"),
        *[(pl.col(c) * k).alias(c + "_shown") for c in ("lcl_95", "ucl_95")
          if c in chart.points.columns],
        pl.col("part").cast(pl.Int64))


def _lines_frame(points: pl.DataFrame, lines: list[tuple[str, str]]) -> pl.DataFrame:
    """Centre line and limits in long form, one path per part and line (broken between parts)."""
    frames = [points.select("period_start", pl.col(col).alias("y"), pl.lit(name).alias("line"),
                            (pl.lit(col + "-") + pl.col("part").cast(pl.String)).alias("path"))
              for col, name in lines]
    return pl.concat(frames).filter(pl.col("y").is_not_null() & pl.col("y").is_not_nan())


def _references(entry: CatalogEntry | None, k: float) -> pl.DataFrame:
    """The agency standard and the national reference as labelled lines (one line when
    they are the same figure)."""
    rows = []
    if entry is None:  # a g chart is in periods between events: no standard applies
        return pl.DataFrame(rows, schema={"line": pl.String, "y": pl.Float64, "label": pl.String})
    same = entry.standard is not None and entry.standard == entry.national
    if entry.standard is not None:
        name = "Standard and national" if same else "Agency standard"
        rows.append({"line": "Agency standard", "y": entry.standard * k,
                     "label": f"{name} {format_display(entry, entry.standard, short=True)}"})
    if entry.national is not None and not same:
        rows.append({"line": "National", "y": entry.national * k,
                     "label": f"National {format_display(entry, entry.national, short=True)}"})
    return pl.DataFrame(rows, schema={"line": pl.String, "y": pl.Float64, "label": pl.String})


def _note_marks(notes: pl.DataFrame | None, starts: list[date]) -> pl.DataFrame:
    """Vertical rules for the notes inside the plotted periods. A baseline or phase boundary
    sits halfway between the last period before its date and the first one from it."""
    schema = {"x": pl.Date, "label": pl.String, "kind": pl.String, "row": pl.Int64}
    if notes is None or notes.is_empty() or not starts:
        return pl.DataFrame(schema=schema)
    rows = []
    for when, kind, text in notes.sort("note_date").select("note_date", "kind", "text").iter_rows():
        if not starts[0] <= when <= starts[-1]:
            continue
        x = when
        if kind in _NOTE_WORDS:
            before = [d for d in starts if d < when]
            after = [d for d in starts if d >= when]
            if not before or not after:
                continue
            x = before[-1] + (after[0] - before[-1]) / 2
        label = _NOTE_WORDS.get(kind) or (text if len(text) <= 28 else text[:27] + "…")
        rows.append({"x": x, "label": label, "kind": kind, "row": len(rows) % 3})
    return pl.DataFrame(rows, schema=schema)


def _description(chart: TrendChart, entry: CatalogEntry, group: str, points: pl.DataFrame) -> str:
    first, last = points.row(0, named=True), points.row(points.height - 1, named=True)
    unit = {"month": "months", "quarter": "quarters"}[chart.grain]
    what = "gaps between events" if chart.chart == "g" else unit
    centre = {"run": "median", "g": "median gap"}.get(chart.chart, "average (centre line)")
    text = (f"{chart.chart_label} of {entry.name} for {group}, {points.height} {what} from "
            f"{first['period']} to {last['period']}. The latest, {last['period']}"
            f"{' (provisional)' if last['provisional'] else ''}, is "
            f"{chart.value_text(entry, last['value'])}; the {centre} is "
            f"{chart.value_text(entry, last['cl'])}")
    if last["lcl"] is not None and last["ucl"] is not None and chart.chart != "run":
        text += (f", with limits from {chart.value_text(entry, last['lcl'], short=True)} to "
                 f"{chart.value_text(entry, last['ucl'], short=True)}")
    text += "."
    counts = {d: sum(1 for s in chart.signals if s.direction == d)
              for d in ("concern", "improvement", "neutral")}
    if not chart.signals:
        text += " No signals: the variation is what chance alone would give."
    else:
        parts = [f"{counts['concern']} needing attention",
                 f"{counts['improvement']} improvement{'' if counts['improvement'] == 1 else 's'}"]
        if counts["neutral"]:
            parts.append(f"{counts['neutral']} change{'' if counts['neutral'] == 1 else 's'} "
                         "with no better direction")
        text += (f" {len(chart.signals)} signal{'s' if len(chart.signals) != 1 else ''}: "
                 f"{', '.join(parts)}. The latest: {chart.signals[-1].sentence}")
    if entry.standard is not None and chart.chart != "g":
        text += f" The agency standard is {format_display(entry, entry.standard)}."
    if entry.national is not None and chart.chart != "g":
        text += f" National performance is {format_display(entry, entry.national)}."
    return text


def _how_to_read(chart: TrendChart) -> str:
    unit = {"month": "month", "quarter": "quarter"}[chart.grain]
    if chart.chart == "g":
        text = (f"Events are rare, so each dot is one {unit} with an event, its height the "
                f"number of {unit}s without one since the previous event (the last dot, hollow, "
                "is the gap still running). Higher dots mean rarer events. The middle line is "
                "the median gap; a dot above the dashed upper limit, or a long run on one "
                "side of the median, is a signal, not chance.")
    elif chart.chart == "run":
        text = (f"Each dot is one {unit}. The middle line is the median; long runs on one side "
                "of it, or too few crossings, are signals, not chance.")
    else:
        text = (f"Each dot is one {unit}. The middle line is the average; points outside the "
                "dashed limits, or long runs on one side, are signals, not chance.")
    return (text + " Signals are marked by shape and a sign above the point: a diamond with "
            "+ is an improvement, a square with ! needs attention, a triangle with * is a "
            "change where neither way is better. Hollow dots are provisional.")


def control_chart_figure(chart: TrendChart, entry: CatalogEntry, group_label: str,
                         notes_frame: pl.DataFrame | None = None,
                         show_95: bool = False) -> Figure:
    """The run or control chart, with signals, references and notes labelled.

    Args:
        chart: from `trends.control_chart`.
        entry: the indicator's catalog entry (name, unit, standard, national reference).
        group_label: whose figures, in words ("Copper Flats Child Protection").
        notes_frame: the chart's notes (`trends.chart_notes`): note_date, kind, text.
        show_95: also draw the 2-sigma lines (Making Data Count's "near the limit" lines).
    """
    k = chart.scale(entry)
    points = _points_frame(chart, k)
    y_title = chart.axis_title(entry)
    unit_title = "Month" if chart.grain == "month" else "Quarter"
    x = alt.X("period_start:T", title=unit_title, axis=alt.Axis(
        format="%b %Y" if chart.grain == "month" else "Q%q %Y", labelAngle=0, tickCount=8,
        labelOverlap=True, labelSeparation=10))
    percent = entry.unit == "percent" and chart.chart != "g"
    y_axis = alt.Axis(labelExpr="datum.label + '%'") if percent else alt.Axis()
    lines, styles = _line_layers(chart, entry, points, k, show_95)
    y_domain = value_domain([*points["shown"].to_list(), *lines["y"].to_list()],
                            100.0 if percent else None)

    def y(field: str) -> alt.Y:
        return alt.Y(f"{field}:Q", title=y_title, scale=alt.Scale(domain=y_domain, nice=False),
                     axis=y_axis)

    line_scales = dict(
        stroke=alt.Stroke("line:N", title="Lines", scale=alt.Scale(
            domain=list(styles), range=[c for c, _ in styles.values()]),
            legend=alt.Legend(orient="top", symbolType="stroke", symbolStrokeWidth=2,
                              symbolSize=400, labelLimit=400)),
        strokeDash=alt.StrokeDash("line:N", title="Lines", scale=alt.Scale(
            domain=list(styles), range=[d for _, d in styles.values()])))
    layers = [alt.Chart(lines.filter(pl.col("path") != "")).mark_line(
        interpolate="step", strokeWidth=1.5).encode(x=x, y=y("y"), detail="path:N", **line_scales)]
    refs = lines.filter(pl.col("path") == "")
    if refs.height:
        layers.append(alt.Chart(refs).mark_rule(strokeWidth=2.2).encode(y=y("y"), **line_scales))

    layers.append(alt.Chart(points).mark_line(color="#4D4D4D", strokeWidth=1.5).encode(
        x=x, y=y("shown")))
    fmt = ".1f" if percent else ".0f" if chart.chart == "g" else ".2f"
    centre_name = chart.centre_word.capitalize()
    tooltip = [alt.Tooltip("period:N", title=unit_title),
               alt.Tooltip("shown:Q", title=y_title, format=fmt),
               alt.Tooltip("numerator:Q", title="Numerator", format=",.0f"),
               alt.Tooltip("denominator:Q", title="Denominator", format=",.0f"),
               alt.Tooltip("centre:Q", title=centre_name, format=fmt),
               alt.Tooltip("lower:Q", title="Lower limit", format=fmt),
               alt.Tooltip("upper:Q", title="Upper limit", format=fmt),
               alt.Tooltip("kind:N", title="Point"),
               alt.Tooltip("rule_words:N", title="Rule")]
    judged = points.filter(pl.col("kind") != PROVISIONAL)
    present = set(judged["kind"].to_list()) | {KINDS[0][0]}
    kinds = [kd for kd in KINDS[:4] if kd[0] in present]
    domain = [kd[0] for kd in kinds]
    layers.append(alt.Chart(judged).mark_point(filled=True, size=75, opacity=1).encode(
        x=x, y=y("shown"),
        color=alt.Color("kind:N", title="Points", scale=alt.Scale(
            domain=domain, range=[kd[1] for kd in kinds]),
            legend=alt.Legend(orient="top", symbolSize=90, labelLimit=300)),
        shape=alt.Shape("kind:N", title="Points", scale=alt.Scale(
            domain=domain, range=[kd[2] for kd in kinds])),
        tooltip=tooltip))
    late = points.filter(pl.col("kind") == PROVISIONAL)
    if late.height:  # hollow: drawn but not judged (the how-to-read line says so)
        layers.append(alt.Chart(late).mark_point(
            filled=False, shape="circle", size=75, strokeWidth=2, color=KINDS[4][1],
            opacity=1).encode(x=x, y=y("shown"), tooltip=tooltip))
    marked = points.filter(pl.col("marker") != "")
    if marked.height:
        layers.append(alt.Chart(marked).mark_text(dy=-13, fontSize=14, fontWeight="bold").encode(
            x=x, y=y("shown"), text="marker:N",
            fill=alt.Fill("marker_colour:N", scale=None)))
    layers += _note_layers(notes_frame, points["period_start"].to_list(), unit_title)

    title = f"{entry.name}, {group_label}: {chart.chart_label}"
    subtitle = (f"Each {'month' if chart.grain == 'month' else 'quarter'}"
                f"{' with an event' if chart.chart == 'g' else ''}, "
                f"{points['period'][0]} to {points['period'][-1]}")
    figure = _finish(alt.layer(*layers), title, _description(chart, entry, group_label, points),
                     _how_to_read(chart), height=PAGE_HEIGHT)
    chart_out = figure.chart.properties(title=alt.TitleParams(
        title, subtitle=subtitle, anchor="start", fontSize=16, subtitleFontSize=13))
    return Figure(chart=chart_out, title=title, description=figure.description,
                  how_to_read=figure.how_to_read)


def value_domain(values: list, ceiling: float | None, pad: float = 0.05) -> list[float]:
    """The value axis's range: the values, centre lines and limits drawn, with a little room,
    never below 0 and never above `ceiling` (100 on a percentage chart). Every measure here
    is a count, a rate or a share, none below zero."""
    shown = [float(v) for v in values if v is not None and v == v]
    if not shown:
        return [0.0, ceiling or 1.0]
    low, high = min(shown), max(shown)
    room = (high - low) * pad or max(abs(high) * pad, 1.0)
    low, high = max(low - room, 0.0), high + room
    if ceiling is not None:
        high = min(high, ceiling)
    return [low, high if high > low else low + 1.0]


def _line_layers(chart: TrendChart, entry: CatalogEntry, points: pl.DataFrame, k: float,
                 show_95: bool) -> tuple[pl.DataFrame, dict[str, tuple[str, list[int]]]]:
    """Centre line, limits and reference lines in long form, with each line's colour and
    dash; reference lines have an empty path (they are drawn as rules)."""
    centre = chart.centre_word.capitalize()
    wanted = [("centre", centre)]
    styles: dict[str, tuple[str, list[int]]] = {centre: ("#1A1A1A", [1, 0])}
    if chart.chart != "run":
        wanted += [("lower", "Limits"), ("upper", "Limits")]
        styles["Limits"] = ("#1A1A1A", [6, 4])
        if show_95 and "ucl_95_shown" in points.columns:
            wanted += [("lcl_95_shown", "2-sigma lines"), ("ucl_95_shown", "2-sigma lines")]
            styles["2-sigma lines"] = ("#7F7F7F", [2, 3])
    frames = [_lines_frame(points, wanted)]
    refs = _references(entry, k) if chart.chart != "g" else _references(None, k)
    for name, colour, dash in (("Agency standard", PALETTE[2], [12, 4]),
                               ("National", PALETTE[3], [2, 2])):
        one = refs.filter(pl.col("line") == name)
        if one.height:
            styles[one["label"][0]] = (colour, dash)
            frames.append(one.select(pl.lit(None, dtype=pl.Date).alias("period_start"), "y",
                                     pl.col("label").alias("line"), pl.lit("").alias("path")))
    return pl.concat(frames), styles


def _note_layers(notes: pl.DataFrame | None, starts: list[date],
                 unit_title: str) -> list[alt.Chart]:
    marks = _note_marks(notes, starts)
    if not marks.height:
        return []
    nx = alt.X("x:T", title=unit_title)
    layers = [alt.Chart(marks).mark_rule(color="#000000", strokeWidth=1.2,
                                         strokeDash=[3, 2]).encode(x=nx)]
    for row in range(3):  # staggered, so the labels of close dates do not overprint
        one = marks.filter(pl.col("row") == row)
        if one.height:
            layers.append(alt.Chart(one).mark_text(
                align="left", baseline="top", dx=3, fontSize=12, color="#000000").encode(
                x=nx, y=alt.value(4 + 15 * row), text="label:N"))
    return layers


def to_png(figure: Figure, width: int = EXPORT_WIDTH) -> bytes:
    """The figure as a PNG image (twice the pixel density), rendered offline."""
    import vl_convert  # imported here: only downloads need it

    spec = figure.chart.properties(width=width, height=EXPORT_HEIGHT).to_dict()
    spec.setdefault("config", {})["background"] = "#FFFFFF"  # keeps the chart's own config
    return vl_convert.vegalite_to_png(json.dumps(spec), scale=2)
