"""Charts of findings, drawn to be read across a room or on paper.

Two styles share one set of builders: `PRESENTATION` for a screen share at 1280×720 (type of
20 px and more, thick lines, big points) and `DOCUMENT` for the meeting pack. Both use the
Okabe-Ito palette and never rely on colour: the figure is a solid line with filled points
(or dots with interval bars), the agency standard is dashed and the national reference or
the whole agency dotted, each named in the legend and in the description. Masked values
arrive as nulls and are simply not drawn; a line breaks where a point is missing rather
than joining across it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import altair as alt
import polars as pl

from cqi_core.charts.convention import PRESENT_TEXT_PX, legible
from cqi_core.charts.base import PALETTE, Figure
from cqi_core.indicators.catalog import CatalogEntry
from cqi_core.charts.indicators import value_scale
from cqi_core.indicators.display import AXIS_TITLES, display_scale, format_value

INK = "#000000"
"""Text, axes and reference lines: black on white is the highest contrast there is."""


@dataclass(frozen=True)
class ChartStyle:
    """Sizes of a chart's type and marks."""

    title: int
    """Title font size (px)."""
    label: int
    """Axis labels, legend labels and value labels (px)."""
    axis_title: int
    """Axis titles (px)."""
    line: float
    """Width of the figure's line and interval bars (px)."""
    rule: float
    """Width of the reference lines (px)."""
    point: int
    """Area of a point (px²)."""
    height: int
    """Height of the plotting area (px)."""
    wrap: int
    """Characters per title line."""


PRESENTATION = ChartStyle(title=28, label=20, axis_title=22, line=5, rule=3, point=260,
                          height=240, wrap=60)
DOCUMENT = ChartStyle(title=18, label=14, axis_title=15, line=3, rule=2, point=90,
                      height=300, wrap=80)

_DASHES = {"Agency standard": [10, 6], "National performance": [2, 4], "Whole agency": [2, 4],
           "Agency standard and national performance": [10, 6]}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def value_text(entry: CatalogEntry, value: float | None) -> str:
    """A value (engine scale) in its display unit ("38.2%", "4.28"); "" when missing.

    The short form of `format_value`; blank rather than a dash because it labels a point
    or completes a phrase ("at least 90.0%"), where a missing value shows nothing."""
    return "" if value is None else format_value(entry, value, short=True)


def _axis(style: ChartStyle, title: str, **extra) -> alt.Axis:
    return alt.Axis(title=title, labelFontSize=style.label, titleFontSize=style.axis_title,
                    labelColor=INK, titleColor=INK, domainColor=INK, tickColor=INK,
                    gridColor="#D9D9D9", titlePadding=12, **extra)


def _title(text: str, style: ChartStyle) -> alt.TitleParams:
    lines = textwrap.wrap(text, style.wrap) or [text]
    return alt.TitleParams(lines, fontSize=style.title, color=INK, anchor="start", offset=10)


def _legend(style: ChartStyle) -> alt.Legend:
    return alt.Legend(orient="top", title=None, labelFontSize=style.label, labelColor=INK,
                      symbolStrokeWidth=style.rule, symbolSize=600, labelLimit=600, offset=6,
                      padding=0)


def _references(entry: CatalogEntry, k: float, agency: float | None = None) -> pl.DataFrame:
    refs = []
    if entry.standard is not None and entry.national is not None \
            and abs(entry.standard - entry.national) < 1e-12:
        refs.append(("Agency standard and national performance", entry.standard * k))
    else:
        if entry.standard is not None:
            refs.append(("Agency standard", entry.standard * k))
        if entry.national is not None and agency is None:  # both would be dotted
            refs.append(("National performance", entry.national * k))
    if agency is not None:
        refs.append(("Whole agency", agency * k))
    return pl.DataFrame(refs, schema={"line": pl.String, "at": pl.Float64}, orient="row")


def _rules(refs: pl.DataFrame, style: ChartStyle, channel: str) -> alt.Chart:
    names = refs["line"].to_list()
    dash = alt.StrokeDash("line:N", scale=alt.Scale(domain=names, range=[_DASHES[n] for n in names]),
                          legend=_legend(style))
    enc = {channel: alt.X("at:Q") if channel == "x" else alt.Y("at:Q"), "strokeDash": dash}
    return alt.Chart(refs).mark_rule(color=INK, strokeWidth=style.rule).encode(**enc)


def _finish(layers: list, title: str, description: str, how_to_read: str, style: ChartStyle,
            height: int) -> Figure:
    # fit-x: the width follows the page or file, the height is the plotting area's, so the
    # type keeps its size whatever the width.
    chart = alt.layer(*layers).properties(
        title=_title(title, style), description=description, height=height, width="container",
        background="#FFFFFF", autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
    ).configure_view(stroke=None)
    chart = legible(chart, presentation=style.label >= PRESENT_TEXT_PX)
    return Figure(chart=chart, title=title, description=description, how_to_read=how_to_read)


def trend_figure(rows: pl.DataFrame, entry: CatalogEntry, title: str, where: str,
                 style: ChartStyle = PRESENTATION) -> Figure:
    """A line of 12-month figures, one point per quarter, with its 95% interval band and the
    reference lines.

    Args:
        rows: released indicator rows of one group, oldest first (period_end, value,
            ci_low, ci_high; masked values null), each the 12 months ending on a quarter end.
        entry: the indicator's catalog entry.
        title: the chart's title in words.
        where: whose figures, in words ("the whole agency").
        style: PRESENTATION or DOCUMENT.
    """
    k = display_scale(entry)
    data = rows.select(
        pl.col("period_end").map_elements(lambda d: f"{MONTHS[d.month - 1]} {d.year}",
                                          return_dtype=pl.String).alias("quarter"),
        (pl.col("value") * k).alias("value"), (pl.col("ci_low") * k).alias("ci_low"),
        (pl.col("ci_high") * k).alias("ci_high"),
        # A hidden period breaks the line: each run of shown periods is its own segment, so
        # the line never joins across a figure nobody may see.
        pl.col("value").is_null().cum_sum().alias("segment"))
    order = data["quarter"].to_list()
    y_title = AXIS_TITLES.get(entry.unit, "Value")
    x = alt.X("quarter:O", sort=order, axis=_axis(
        style, "12 months ending", labelAngle=0, labelExpr="split(datum.label, ' ')",
        labelOverlap=False, labelPadding=6))
    y_scale = value_scale(entry, data["ci_low"], data["ci_high"], data["value"],
                          _references(entry, k)["at"])
    fmt = ".1f" if entry.unit == "percent" else ".2f"
    tip = [alt.Tooltip("quarter:N", title="12 months ending"),
           alt.Tooltip("value:Q", title=y_title, format=fmt),
           alt.Tooltip("ci_low:Q", title="95% interval from", format=fmt),
           alt.Tooltip("ci_high:Q", title="95% interval to", format=fmt)]
    band = alt.Chart(data).mark_area(color=PALETTE[4], opacity=0.35).encode(
        x=x, y=alt.Y("ci_low:Q", scale=y_scale, axis=_axis(style, y_title, tickCount=6)),
        y2="ci_high:Q", detail="segment:N")
    line = alt.Chart(data).mark_line(color=PALETTE[0], strokeWidth=style.line).encode(
        x=x, y=alt.Y("value:Q", scale=y_scale), detail="segment:N")
    points = alt.Chart(data).mark_point(
        color=PALETTE[0], filled=True, size=style.point, shape="circle", opacity=1,
        stroke="#FFFFFF", strokeWidth=1.5).encode(x=x, y=alt.Y("value:Q", scale=y_scale),
                                                  tooltip=tip)
    shown = data.filter(pl.col("value").is_not_null())
    last = shown.tail(1).with_columns(
        pl.col("value").map_elements(lambda v: value_text(entry, v / k),
                                     return_dtype=pl.String).alias("text"))
    refs = _references(entry, k)
    side = _label_side(last["value"][0] if last.height else None, refs["at"].to_list(),
                       y_scale, [*data["ci_low"], *data["ci_high"], *data["value"]], style)
    label = alt.Chart(last).mark_text(
        dy=side * (style.label + 4), fontSize=style.label + 2, fontWeight="bold", color=INK).encode(
        x=x, y=alt.Y("value:Q", scale=y_scale), text="text:N")
    layers = [band, line, points, label]
    if refs.height:
        layers.append(_rules(refs, style, "y"))
    desc = f"Line chart of {entry.name} for {where}, each point the 12 months ending with a quarter"
    if order:
        desc += f", from the 12 months to {order[0]} to the 12 months to {order[-1]}"
    desc += "."
    if shown.height:
        desc += (f" The latest figure, for the 12 months to {shown['quarter'][-1]}, is "
                 f"{value_text(entry, shown['value'][-1] / k)}.")
    if shown.height < data.height:
        desc += (" Some points are not drawn, and the line breaks there: their figures are "
                 "hidden to protect privacy.")
    desc += "".join(f" {n}: {value_text(entry, v / k)}." for n, v in refs.iter_rows())
    how = ("Each point is the 12 months ending with that quarter, so one unusual month moves it "
           "only a little; the shaded band is its 95% interval, the range the true figure most "
           "likely lies in. " + _reference_words(refs)
           + (" A gap in the line is a period whose figure is hidden to protect privacy."
              if shown.height < data.height else ""))
    return _finish(layers, title, desc, how, style, style.height)


def _label_side(value: float | None, lines: list[float], y_scale: alt.Scale, drawn: list,
                style: ChartStyle) -> int:
    """Where the latest figure's label goes: above its point (-1, screen y grows down) or
    below it (1), whichever keeps it off the reference lines and inside the plot; above when
    both are free (or both blocked).

    The label is `style.label` + 2 px tall, its middle `style.label` + 4 px from the point,
    so it covers from about 11 to 37 px away at 20 px type; a line in that strip would run
    through it. Positions come from the value axis's range (its set domain, else the drawn
    figures and lines) and the plot's height."""
    if value is None:
        return -1
    domain = y_scale.to_dict().get("domain")
    shown = [float(v) for v in [*drawn, *lines] if v is not None and v == v]
    low, high = domain if isinstance(domain, list) else (min(shown), max(shown))
    span = (high - low) or 1.0
    middle, half = style.label + 4, (style.label + 2) / 2 + 2   # 2 px of air each side

    def away(v: float) -> float:   # how far above the point, in pixels
        return (v - value) / span * style.height

    def blocked(direction: int) -> bool:
        edge = away(high) if direction < 0 else -away(low)
        return edge < middle + half or any(
            middle - half < -direction * away(v) < middle + half for v in lines)

    return 1 if blocked(-1) and not blocked(1) else -1


def breakdown_figure(rows: pl.DataFrame, entry: CatalogEntry, title: str, group_title: str,
                     agency: float | None, style: ChartStyle = PRESENTATION) -> Figure:
    """One dot per group with its 95% interval as a bar, the whole agency and the standard
    as labelled vertical lines.

    Args:
        rows: released rows of the groups (label, value, ci_low, ci_high; masked values
            null), in the order to show.
        entry: the indicator's catalog entry.
        title: the chart's title in words.
        group_title: what the groups are ("Region", "Age group").
        agency: the whole agency's value (engine scale), or None when hidden.
        style: PRESENTATION or DOCUMENT.
    """
    k = display_scale(entry)
    data = rows.filter(pl.col("value").is_not_null()).select(
        "label", (pl.col("value") * k).alias("value"), (pl.col("ci_low") * k).alias("ci_low"),
        (pl.col("ci_high") * k).alias("ci_high"),
        pl.col("value").map_elements(lambda v: value_text(entry, v),
                                     return_dtype=pl.String).alias("text"))
    hidden = rows.filter(pl.col("value").is_null()).select(
        "label", pl.lit("hidden to protect privacy").alias("text"))
    # Each group's figure is written in its row's label, beside the axis, where no reference
    # line or interval can run through it.
    row_words = dict(zip(data["label"], data["text"])) | dict(zip(hidden["label"], hidden["text"]))
    order = [f"{g}: {row_words.get(g, '')}" for g in rows["label"].to_list()]
    data = data.with_columns((pl.col("label") + ": " + pl.col("text")).alias("row"))
    hidden = hidden.with_columns((pl.col("label") + ": " + pl.col("text")).alias("row"))
    x_title = AXIS_TITLES.get(entry.unit, "Value")
    y = alt.Y("row:N", sort=order, scale=alt.Scale(domain=order, padding=0.9),
              axis=_axis(style, group_title, labelLimit=0, labelFontWeight="bold"))
    x_scale = value_scale(entry, data["ci_low"], data["ci_high"], data["value"],
                          *([agency * k] if agency is not None else []),
                          *([entry.standard * k] if entry.standard is not None else []))
    fmt = ".1f" if entry.unit == "percent" else ".2f"
    bars = alt.Chart(data).mark_rule(color=PALETTE[0], strokeWidth=style.line).encode(
        y=y, x=alt.X("ci_low:Q", scale=x_scale, axis=_axis(style, x_title, tickCount=6)),
        x2="ci_high:Q")
    dots = alt.Chart(data).mark_point(
        color=PALETTE[0], filled=True, size=style.point * 1.4, shape="diamond", opacity=1,
        stroke="#FFFFFF", strokeWidth=1.5).encode(
        y=y, x=alt.X("value:Q", scale=x_scale),
        tooltip=[alt.Tooltip("label:N", title=group_title),
                 alt.Tooltip("value:Q", title=x_title, format=fmt),
                 alt.Tooltip("ci_low:Q", title="95% interval from", format=fmt),
                 alt.Tooltip("ci_high:Q", title="95% interval to", format=fmt)])
    layers = [bars, dots]
    refs = _references(entry, k, agency)
    if refs.height:
        layers.append(_rules(refs, style, "x"))
    parts = "; ".join(f"{g}: {value_text(entry, v / k)}" for g, v in data.select("label", "value").iter_rows())
    desc = f"Dot chart of {entry.name} by {group_title.lower()}. {parts}."
    if hidden.height:
        desc += (f" Hidden to protect privacy: {', '.join(hidden['label'].to_list())}.")
    desc += "".join(f" {n}: {value_text(entry, v / k)}." for n, v in refs.iter_rows())
    how = ("Each diamond is one group, its figure written beside its name, and the bar through "
           "it its 95% interval; when two bars overlap a lot, the difference may be chance. " + _reference_words(refs))
    per_row = int(style.label * 2.6) + 8
    return _finish(layers, title, desc, how, style,
                   min(style.height + style.label * 4, max(style.height // 2, per_row * max(len(order), 1))))


def _reference_words(refs: pl.DataFrame) -> str:
    words = {"Agency standard": "The dashed line is the agency standard.",
             "National performance": "The dotted line is national performance.",
             "Agency standard and national performance":
                 "The dashed line is the agency standard, which is national performance.",
             "Whole agency": "The dotted line is the whole agency."}
    return " ".join(words[n] for n in refs["line"].to_list())
