"""The segmented regression of a cycle drawn for people: before, after, and what was expected.

`segmented_figure` draws the observed periods as dots, the fitted trend before and after the
change as solid lines, the earlier trend carried on past the change as a dashed line (what
the measure would have done without it), and the change as a labelled vertical rule. Lines
differ by dash as well as colour (Okabe-Ito palette), and the legend names each, so nothing
depends on colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import altair as alt
import polars as pl

from cqi_core.charts.base import PALETTE, Figure, _finish
from cqi_core.indicators.catalog import CatalogEntry
from cqi_core.methods.its import SegmentedFit
from cqi_core.charts.trends import PAGE_HEIGHT
from cqi_core.indicators.display import AXIS_TITLES, display_scale, format_display
from cqi_core.analysis.trends import period_label

OBSERVED = "Observed"
FITTED = "Fitted trend"
EXPECTED = "Earlier trend carried on (expected without the change)"
_STYLES = {FITTED: (PALETTE[0], [1, 0]), EXPECTED: (PALETTE[1], [7, 4])}


def _frames(fit: SegmentedFit, periods: Sequence[date], observed: Sequence[float | None],
            k: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Observed points, and the lines in long form (one path per segment and line)."""
    points = pl.DataFrame({"period_start": list(periods),
                           "value": [None if v is None else v * k for v in observed]},
                          schema={"period_start": pl.Date, "value": pl.Float64}).drop_nulls()
    rows = []
    for i, d in enumerate(periods):
        after = i >= fit.change_at
        rows.append({"period_start": d, "y": fit.fitted[i] * k, "line": FITTED,
                     "path": "after" if after else "before"})
        if i >= fit.change_at - 1:  # from the last period before, so the dashes join the line
            rows.append({"period_start": d, "y": fit.counterfactual[i] * k, "line": EXPECTED,
                         "path": "expected"})
    lines = pl.DataFrame(rows, schema={"period_start": pl.Date, "y": pl.Float64,
                                       "line": pl.String, "path": pl.String})
    return points, lines.filter(pl.col("y").is_finite())


def _domain(points: pl.DataFrame, lines: pl.DataFrame) -> list[float]:
    """The y range of what was observed and fitted, with a margin: an earlier trend carried
    far beyond it leaves the chart (clipped) instead of flattening everything else."""
    values = pl.concat([points["value"], lines.filter(pl.col("line") == FITTED)["y"]])
    low, high = float(values.min()), float(values.max())
    pad = (high - low) * 0.15 or abs(high) * 0.1 or 1.0
    return [low - pad, high + pad]


def segmented_figure(fit: SegmentedFit, periods: Sequence[date], observed: Sequence[float | None],
                     entry: CatalogEntry, group_label: str, grain: str, to_chart: float = 1.0,
                     change_label: str = "Change began") -> Figure:
    """The observed series, the fitted segments, the earlier trend carried on, the change date.

    Args:
        fit: from `its.segmented_regression` over `periods`.
        periods: first day of each period, oldest first (the fit's order).
        observed: each period's value on the fit's response scale (None: not used).
        entry: the measure (name, unit, direction).
        group_label: whose figures, in words.
        grain: month or quarter.
        to_chart: factor from the fit's response scale to the measure's values (the
            multiplier of a rate).
        change_label: the words at the change line.
    """
    k = to_chart * display_scale(entry)
    points, lines = _frames(fit, periods, observed, k)
    unit_title = "Month" if grain == "month" else "Quarter"
    y_title = AXIS_TITLES.get(entry.unit, "Value")
    x = alt.X("period_start:T", title=unit_title, axis=alt.Axis(
        format="%b %Y" if grain == "month" else "Q%q %Y", labelAngle=0, tickCount=8,
        labelOverlap=True))
    y_axis = alt.Axis(labelExpr="datum.label + '%'") if entry.unit == "percent" else alt.Axis()
    scale = alt.Scale(zero=False, domain=_domain(points, lines), nice=True)
    y = alt.Y("y:Q", title=y_title, scale=scale, axis=y_axis)
    fmt = ".1f" if entry.unit == "percent" else ".2f"
    line_layer = alt.Chart(lines).mark_line(strokeWidth=2.2, clip=True).encode(
        x=x, y=y, detail="path:N",
        stroke=alt.Stroke("line:N", title="Lines", scale=alt.Scale(
            domain=list(_STYLES), range=[c for c, _ in _STYLES.values()]),
            legend=alt.Legend(orient="top", symbolType="stroke", symbolStrokeWidth=2.5,
                              symbolSize=500, labelLimit=420)),
        strokeDash=alt.StrokeDash("line:N", title="Lines", scale=alt.Scale(
            domain=list(_STYLES), range=[d for _, d in _STYLES.values()])),
        tooltip=[alt.Tooltip("period_start:T", title=unit_title,
                             format="%B %Y" if grain == "month" else "%b %Y"),
                 alt.Tooltip("line:N", title="Line"),
                 alt.Tooltip("y:Q", title=y_title, format=fmt)])
    dots = alt.Chart(points.with_columns(pl.lit(OBSERVED).alias("series"))).mark_point(
        filled=True, size=60, opacity=1).encode(
        x=x, y=alt.Y("value:Q", title=y_title, scale=scale, axis=y_axis),
        color=alt.Color("series:N", title="Points", scale=alt.Scale(
            domain=[OBSERVED], range=["#4D4D4D"]), legend=alt.Legend(orient="top")),
        shape=alt.Shape("series:N", title="Points", scale=alt.Scale(
            domain=[OBSERVED], range=["circle"])),
        tooltip=[alt.Tooltip("period_start:T", title=unit_title,
                             format="%B %Y" if grain == "month" else "%b %Y"),
                 alt.Tooltip("value:Q", title=y_title, format=fmt)])
    before, first = periods[fit.change_at - 1], periods[fit.change_at]
    mark = pl.DataFrame({"x": [before + (first - before) / 2], "label": [change_label]})
    rule = alt.Chart(mark).mark_rule(color="#000000", strokeDash=[3, 2], strokeWidth=1.2).encode(
        x=alt.X("x:T", title=unit_title))
    text = alt.Chart(mark).mark_text(align="left", baseline="top", dx=4, fontSize=12,
                                     color="#000000").encode(x=alt.X("x:T"), y=alt.value(4),
                                                             text="label:N")
    title = f"{entry.name}, {group_label}: before and after the change"
    return _finish(alt.layer(line_layer, dots, rule, text), title,
                   _description(fit, periods, entry, group_label, grain, to_chart),
                   _how_to_read(grain), height=PAGE_HEIGHT)


def _description(fit: SegmentedFit, periods: Sequence[date], entry: CatalogEntry, group: str,
                 grain: str, to_chart: float) -> str:
    k = fit.change_at
    units = "months" if grain == "month" else "quarters"

    def show(v: float) -> str:
        return format_display(entry, v * to_chart)

    return (f"Segmented regression of {entry.name} for {group}: {fit.n_pre} {units} before "
            f"and {fit.n_post} from {period_label(periods[k], grain)}, when the change began. "
            f"The fitted trend moves from {show(fit.fitted[0])} in "
            f"{period_label(periods[0], grain)} to {show(fit.fitted[k - 1])} just before the "
            f"change, then {show(fit.fitted[k])} at its start and {show(fit.fitted[-1])} in "
            f"{period_label(periods[-1], grain)}. The earlier trend carried on would have "
            f"given {show(fit.counterfactual[k])} at the start and "
            f"{show(fit.counterfactual[-1])} at the end.")


def _how_to_read(grain: str) -> str:
    unit = "month" if grain == "month" else "quarter"
    return (f"Dots are the observed {unit}s. The solid lines are the trends fitted before and "
            "after the change; the dashed line carries the earlier trend on, showing what was "
            "expected without the change. The gap between the solid and the dashed line after "
            f"the change is the estimated effect. The first {unit} of the change counts as "
            f"{unit} 1 after it, so the jump there is the level change plus one {unit} of the "
            "slope change.")
