"""Chart builders for indicators: a trend over periods and a breakdown by group.

Values are drawn in the unit people read (percent for proportions); the standard is a
dashed line and the national reference a dotted one, each labelled in words, so nothing
depends on colour.
"""

from __future__ import annotations

import math

import altair as alt
import polars as pl

from cqi_core.charts.base import PALETTE, Figure, _finish
from cqi_core.charts.convention import label_lines, row_axis, rows_height, wrap_label
from cqi_core.indicators.catalog import CatalogEntry
from cqi_core.indicators.display import display_scale, is_share

AXIS_UNITS = {"percent": "Percent", "per_1000_days": "Per 1,000 days in care",
              "per_100000_days": "Per 100,000 days in care",
              "per_1000_children": "Per 1,000 children", "ratio": "Ratio"}


_scale = display_scale


def value_scale(entry: CatalogEntry, *values, nice: bool = True) -> alt.Scale:
    """The value axis: free for rates (not from zero, changes matter more here); for a share
    (percent) it stays within 0-100%, in steps of 10 around the values drawn, so an axis
    never reads "110%". `values` are the drawn numbers on the display scale (columns or
    numbers; None and NaN are skipped)."""
    if not is_share(entry):
        return alt.Scale(zero=False, nice=nice)
    flat = []
    for v in values:
        flat.extend(v if isinstance(v, (list, tuple, pl.Series)) else [v])
    shown = [float(v) for v in flat if v is not None and math.isfinite(float(v))]
    if not shown:
        return alt.Scale(domain=[0, 100], nice=False, clamp=True)
    low = max(0.0, math.floor(min(shown) / 10) * 10)
    high = min(100.0, max(math.ceil(max(shown) / 10) * 10, low + 10))
    return alt.Scale(domain=[min(low, high - 10), high], nice=False, clamp=True)


def _reference_lines(entry: CatalogEntry) -> pl.DataFrame:
    refs = []
    if entry.standard is not None:
        refs.append({"line": "Agency standard", "y": entry.standard * _scale(entry)})
    if entry.national is not None:
        refs.append({"line": "National performance", "y": entry.national * _scale(entry)})
    return pl.DataFrame(refs, schema={"line": pl.String, "y": pl.Float64})


def _fmt(entry: CatalogEntry) -> str:
    return ".1f" if entry.unit == "percent" else ".2f"


def trend_chart(series: pl.DataFrame, entry: CatalogEntry, group_label: str = "the agency") -> Figure:
    """Value per period with its 95% interval as a band, plus standard and national lines."""
    k = _scale(entry)
    # A hidden period breaks the line (each run of shown periods is a segment of its own),
    # so the line never joins across a figure nobody may see.
    data = series.with_columns(pl.col("value").is_null().cum_sum().alias("segment")).filter(
        pl.col("value").is_not_null()).select(
        "period_start", "period_end", "numerator", "denominator",
        (pl.col("value") * k).alias("value"), (pl.col("ci_low") * k).alias("ci_low"),
        (pl.col("ci_high") * k).alias("ci_high"), "segment")
    gaps = series.height - data.height
    y_title = AXIS_UNITS.get(entry.unit, "Value")
    x = alt.X("period_end:T", title="Period ending", axis=alt.Axis(format="%b %Y"))
    tooltip = [alt.Tooltip("period_start:T", title="From", format="%b %-d, %Y"),
               alt.Tooltip("period_end:T", title="To", format="%b %-d, %Y"),
               alt.Tooltip("value:Q", title=y_title, format=_fmt(entry)),
               alt.Tooltip("ci_low:Q", title="95% interval from", format=_fmt(entry)),
               alt.Tooltip("ci_high:Q", title="95% interval to", format=_fmt(entry)),
               alt.Tooltip("numerator:Q", title="Numerator", format=",.0f"),
               alt.Tooltip("denominator:Q", title="Denominator", format=",.0f")]
    # Changes matter more than the distance from zero here; shares stay within 0-100%.
    y_scale = value_scale(entry, data["ci_low"], data["ci_high"], data["value"],
                          _reference_lines(entry)["y"])
    band = alt.Chart(data).mark_area(opacity=0.2, color=PALETTE[0]).encode(
        x=x, y=alt.Y("ci_low:Q", title=y_title, scale=y_scale), y2="ci_high:Q",
        detail="segment:N")
    line = alt.Chart(data).mark_line(color=PALETTE[0], point=alt.OverlayMarkDef(filled=True, size=40)
                                     ).encode(x=x, y=alt.Y("value:Q", title=y_title, scale=y_scale),
                                              tooltip=tooltip, detail="segment:N")
    refs = _reference_lines(entry)
    layers = [band, line]
    if refs.height:
        rules = alt.Chart(refs).mark_rule(color="#000000").encode(
            y="y:Q", strokeDash=alt.StrokeDash("line:N", title="", scale=alt.Scale(
                domain=refs["line"].to_list(),
                range=[[6, 4] if n == "Agency standard" else [2, 2] for n in refs["line"]]),
                legend=alt.Legend(orient="top")))
        layers.append(rules)
    last = data.tail(1)
    desc = f"Line chart of {entry.name} for {group_label} over {data.height} periods"
    if last.height:
        desc += (f"; the latest period ending {last['period_end'][0]:%B %Y} is "
                 f"{last['value'][0]:{_fmt(entry)}}"
                 + ("%" if entry.unit == "percent" else "") + ".")
    if entry.standard is not None:
        desc += f" The agency standard is {entry.standard * k:{_fmt(entry)}}."
    if gaps:
        desc += (f" {gaps} period{'s are' if gaps != 1 else ' is'} not drawn and the line breaks "
                 "there: the figures are hidden to protect privacy.")
    return _finish(alt.layer(*layers), f"{entry.name}: each period", desc,
                   "Each point is one period; the shaded band is its 95% interval. The dashed "
                   "line is the agency's standard and the dotted line national performance."
                   + (" A gap in the line is a period whose figure is hidden to protect privacy."
                      if gaps else ""))


def breakdown_chart(frame: pl.DataFrame, entry: CatalogEntry, group_title: str) -> Figure:
    """One dot per group with its 95% interval as a line, and the standard as a dashed rule."""
    k = _scale(entry)
    data = frame.filter(pl.col("value").is_not_null()).select(
        "group_value", "numerator", "denominator", (pl.col("value") * k).alias("value"),
        (pl.col("ci_low") * k).alias("ci_low"), (pl.col("ci_high") * k).alias("ci_high"),
        pl.col("group_value").cast(pl.String).map_elements(
            wrap_label, return_dtype=pl.String).alias("label_lines"))
    x_title = AXIS_UNITS.get(entry.unit, "Value")
    y = alt.Y("label_lines:N", title=group_title, axis=row_axis(),
              sort=alt.EncodingSortField("value", order="descending"))
    x_scale = value_scale(entry, data["ci_low"], data["ci_high"], data["value"])
    err = alt.Chart(data).mark_rule(color=PALETTE[0], strokeWidth=2).encode(
        y=y, x=alt.X("ci_low:Q", title=x_title, scale=x_scale), x2="ci_high:Q")
    dots = alt.Chart(data).mark_point(filled=True, size=70, color=PALETTE[0]).encode(
        y=y, x=alt.X("value:Q", title=x_title, scale=x_scale),
        tooltip=[alt.Tooltip("group_value:N", title=group_title),
                 alt.Tooltip("value:Q", title=x_title, format=_fmt(entry)),
                 alt.Tooltip("ci_low:Q", title="95% interval from", format=_fmt(entry)),
                 alt.Tooltip("ci_high:Q", title="95% interval to", format=_fmt(entry)),
                 alt.Tooltip("numerator:Q", title="Numerator", format=",.0f"),
                 alt.Tooltip("denominator:Q", title="Denominator", format=",.0f")])
    layers = [err, dots]
    if entry.standard is not None:
        layers.append(alt.Chart(pl.DataFrame({"x": [entry.standard * k]})).mark_rule(
            strokeDash=[6, 4], color="#000000").encode(x="x:Q"))
    parts = "; ".join(f"{g}: {v:{_fmt(entry)}}" for g, v in data.select("group_value", "value").iter_rows())
    desc = f"Dot chart of {entry.name} by {group_title.lower()}. {parts}."
    return _finish(alt.layer(*layers), f"{entry.name} by {group_title.lower()}", desc,
                   "Each dot is one group and the line through it its 95% interval; when two "
                   "intervals overlap a lot, the difference may be chance. The dashed line is "
                   "the agency standard.",
                   height=rows_height(data.height, lines=label_lines(data["label_lines"])))
