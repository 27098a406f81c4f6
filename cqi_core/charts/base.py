"""Altair chart builders. They return a `Figure` and never render.

Every figure carries a title in words, axis titles, an accessible description and a
"how to read this" line, and uses the Okabe-Ito palette, which stays distinguishable
for the common forms of colour blindness and on a projector. Colour never carries
meaning alone: series also differ by shape or dash, and labels name them.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import polars as pl

from cqi_core.charts.convention import (label_lines, legible, row_axis, rows_height, text_px,
                                         wrap_label)

# Okabe & Ito (2008), "Color Universal Design".
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


@dataclass(frozen=True)
class Figure:
    """A chart with the words a reader needs around it."""

    chart: alt.Chart
    """The Altair chart (title, axis titles and description set)."""
    title: str
    """The title in words."""
    description: str
    """Accessible description: what the chart shows, for screen readers and alt text."""
    how_to_read: str
    """One plain sentence on how to read the chart."""


def _finish(chart: alt.Chart, title: str, description: str, how_to_read: str,
            height: int = 280) -> Figure:
    # fit-x: the width follows the page, the height is the plotting area's, so rows keep
    # their room whatever the title, legend and axes take (Streamlit shows the whole chart).
    chart = legible(chart.properties(title=title, description=description, height=height,
                                     width="container", autosize=alt.AutoSizeParams(
                                         type="fit-x", contains="padding")))
    return Figure(chart=chart, title=title, description=description, how_to_read=how_to_read)


def monthly_flow_chart(flow: pl.DataFrame) -> Figure:
    """Entries and exits per month as two lines with different marks and dashes."""
    long = flow.select("month", "entries", "exits").unpivot(
        index="month", variable_name="series", value_name="children").with_columns(
        pl.col("series").replace({"entries": "Came into care", "exits": "Left care"}))
    last = flow.tail(1)
    desc = ("Line chart of children coming into care and leaving care each month"
            + (f" from {flow['month'].min():%B %Y} to {flow['month'].max():%B %Y}." if len(flow) else "."))
    if len(last):
        desc += (f" In the last month shown, {last['entries'][0]} came into care and "
                 f"{last['exits'][0]} left.")
    base = alt.Chart(long).encode(
        x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y")),
        y=alt.Y("children:Q", title="Children per month"),
        color=alt.Color("series:N", title="", scale=alt.Scale(range=PALETTE[:2]),
                        legend=alt.Legend(orient="top")),
        strokeDash=alt.StrokeDash("series:N", title="", legend=None,
                                  scale=alt.Scale(range=[[1, 0], [6, 3]])),
        shape=alt.Shape("series:N", title="", legend=None),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"),
                 alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("children:Q", title="Children")],
    )
    chart = base.mark_line(strokeWidth=2) + base.mark_point(filled=True, size=30)
    return _finish(chart, "Children coming into and leaving care each month", desc,
                   "Each point is one month. When the solid line (came into care) is above the "
                   "dashed line (left care), the number of children in care is growing.")


def in_care_by_region_chart(by_region: pl.DataFrame) -> Figure:
    """Children in care now, one labelled bar per region."""
    total = int(by_region["children"].sum()) if len(by_region) else 0
    parts = ", ".join(f"{r}: {n}" for r, n in by_region.select("region", "children").iter_rows())
    desc = f"Bar chart of the {total} children in care on the as-of date by region. {parts}."
    bars = alt.Chart(by_region).mark_bar(color=PALETTE[0]).encode(
        y=alt.Y("region:N", title="Region", sort="-x", axis=row_axis()),
        x=alt.X("children:Q", title="Children in care"),
        tooltip=[alt.Tooltip("region:N", title="Region"),
                 alt.Tooltip("children:Q", title="Children in care")])
    labels = bars.mark_text(align="left", dx=4, color="#000000", fontSize=text_px()).encode(
        text="children:Q")
    return _finish(bars + labels, "Children in care now, by region", desc,
                   "Longer bars mean more children in care in that region on the as-of date; "
                   "the number at the end of each bar is the count.",
                   height=rows_height(len(by_region)))


def bar_by_group_chart(frame: pl.DataFrame, group: str, value: str, group_title: str,
                       value_title: str, title: str, how_to_read: str,
                       value_format: str = ",.0f") -> Figure:
    """A horizontal bar per group, labelled with its value (used for data checks by unit)."""
    parts = ", ".join(f"{g}: {v:{value_format.lstrip(',')}}" if isinstance(v, float) else f"{g}: {v}"
                      for g, v in frame.select(group, value).iter_rows())
    desc = f"Bar chart: {title}. {parts}."
    frame = frame.with_columns(pl.col(group).cast(pl.String).map_elements(
        wrap_label, return_dtype=pl.String).alias("label_lines"))
    bars = alt.Chart(frame).mark_bar(color=PALETTE[0]).encode(
        y=alt.Y("label_lines:N", title=group_title, sort="-x", axis=row_axis()),
        x=alt.X(f"{value}:Q", title=value_title),
        tooltip=[alt.Tooltip(f"{group}:N", title=group_title),
                 alt.Tooltip(f"{value}:Q", title=value_title, format=value_format)])
    labels = bars.mark_text(align="left", dx=4, color="#000000", fontSize=text_px()).encode(
        text=alt.Text(f"{value}:Q", format=value_format))
    return _finish(bars + labels, title, desc, how_to_read,
                   height=rows_height(len(frame), lines=label_lines(frame["label_lines"])))


def line_over_time_chart(frame: pl.DataFrame, period: str, value: str, value_title: str,
                         title: str, how_to_read: str, value_format: str = ",.0f") -> Figure:
    """One series over time, points marked (used for data checks over time)."""
    desc = f"Line chart: {title}, {len(frame)} periods."
    if len(frame):
        desc += f" Latest value {frame[value][-1]:{value_format.lstrip(',')}}."
    base = alt.Chart(frame).encode(
        x=alt.X(f"{period}:T", title="Month", axis=alt.Axis(format="%b %Y")),
        y=alt.Y(f"{value}:Q", title=value_title),
        tooltip=[alt.Tooltip(f"{period}:T", title="Month", format="%B %Y"),
                 alt.Tooltip(f"{value}:Q", title=value_title, format=value_format)])
    chart = base.mark_line(color=PALETTE[0]) + base.mark_point(color=PALETTE[0], filled=True)
    return _finish(chart, title, desc, how_to_read)
