"""Funnel plots and disparity charts drawn for people.

`funnel_figure` draws a `compare.Comparison`: one dot per unit against its denominator, the
agency figure as a solid line, the 95% limits dashed and the 99.8% limits dotted (so the two
pairs differ by dash, not colour), dots outside a limit drawn as triangles pointing the way
they lie, named and coloured by whether that way is better, and units too small to judge
greyed. Nothing is ranked. `disparity_figure` draws each group's ratio to the reference on
a log scale with its 95% interval and a line at 1. Shapes, dashes and words come from
compare.yaml, so the page and the chart explain the same rules.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from cqi_core.charts.base import PALETTE, Figure, _finish
from cqi_core.charts.convention import label_lines, row_axis, rows_height, text_px, wrap_label
from cqi_core.analysis.compare import Comparison
from cqi_core.methods.funnel.settings import load_settings
from cqi_core.analysis.disparities import AGENCY, GROUPING_WORDS, group_label
from cqi_core.indicators.catalog import CatalogEntry
from cqi_core.charts.indicators import value_scale
from cqi_core.indicators.display import AXIS_TITLES, display_scale, format_display, is_share

PAGE_HEIGHT = 320  # the plotting area; title, legends and axes sit around it (fit-x)
X_TITLES = {"percent": "Number counted in the unit (the denominator)",
            "per_1000_days": "Days in care in the unit (exposure)",
            "per_100000_days": "Days in care in the unit (exposure)",
            "per_1000_children": "Children in the population of the unit"}
_INSIDE, _GREY = "#6E6E6E", "#BDBDBD"
# Okabe-Ito pairs: the 99.8% outliers in the stronger colour of each pair.
_BETTER = {"95": PALETTE[4], "99.8": PALETTE[0]}
_WORSE = {"95": PALETTE[1], "99.8": PALETTE[5]}
_NEUTRAL = PALETTE[3]


def _kinds(entry: CatalogEntry) -> list[tuple[str, str, str, str, str]]:
    """(flag, label, shape, marker, colour) for each way a dot can be drawn, in legend order."""
    disp = load_settings().display
    out = []
    for flag, spec in disp["flags"].items():
        side, _, level = flag.partition("_")
        if flag == "none":
            colour, words = _INSIDE, ""
        elif entry.direction == "none":
            colour, words = _NEUTRAL, ""
        else:
            better = (side == "high") == (entry.direction == "higher")
            colour, words = (_BETTER[level], ": better") if better else (_WORSE[level], ": worse")
        out.append((flag, spec["label"] + words, spec["shape"], spec["marker"], colour))
    low = disp["below_minimum"]
    out.append(("below_minimum", low["label"], low["shape"], low["marker"], _GREY))
    return out


def _points(c: Comparison, k: float) -> pl.DataFrame:
    kinds = {flag: rest for flag, *rest in _kinds(c.entry)}
    shown = c.result.units.filter(pl.col("value").is_not_null())
    small = pl.col("denominator") < c.result.min_denominator
    flag = pl.when(small).then(pl.lit("below_minimum")).otherwise(pl.col("flag"))
    return shown.with_columns(flag.alias("kind_flag")).with_columns(
        pl.col("unit").replace_strict(c.labels, default=pl.col("unit")).alias("unit_label"),
        (pl.col("value") * k).alias("shown"),
        pl.col("kind_flag").replace_strict({f: v[0] for f, v in kinds.items()}).alias("kind"),
        pl.col("kind_flag").replace_strict({f: v[2] for f, v in kinds.items()}).alias("marker"),
        pl.col("value").map_elements(lambda v: format_display(c.entry, v),
                                     return_dtype=pl.String).alias("value_text"))


def _limit_lines(c: Comparison, k: float) -> tuple[pl.DataFrame, dict[str, list[int]]]:
    s = load_settings()
    names = {"alert": f"{s.level_words('alert')} limits", "alarm": f"{s.level_words('alarm')} limits"}
    cols = {"alert": ("lcl95", "ucl95"), "alarm": ("lcl998", "ucl998")}
    frames = [c.result.curve.select("denominator", (pl.col(col) * k).alias("y"),
                                    pl.lit(names[level]).alias("line"), pl.lit(col).alias("path"))
              for level, pair in cols.items() for col in pair]
    dashes = {names[level]: list(s.display["dash"][level]) for level in cols}
    return pl.concat(frames), dashes


def _description(c: Comparison, points: pl.DataFrame, period: str) -> str:
    flagged = points.filter(~pl.col("kind_flag").is_in(["none", "below_minimum"]))
    small = points.filter(pl.col("kind_flag") == "below_minimum").height
    text = (f"Funnel plot of {c.entry.name} for {c.result.units.height} {c.by}s, {period}. "
            f"The agency figure is {format_display(c.entry, c.result.target)}. "
            f"{points.height - flagged.height - small} {c.by}s are inside the limits")
    if flagged.height:
        parts = [f"{n} ({v}, {kind.lower()})" for n, v, kind in
                 flagged.select("unit_label", "value_text", "kind").iter_rows()]
        text += f"; {flagged.height} outside: {'; '.join(parts)}"
    text += "."
    if small:
        text += f" {small} {c.by}s are greyed: too few to judge."
    hidden = c.result.units.height - points.height
    if hidden:
        text += f" {hidden} {c.by}s are not drawn: their figures are hidden or missing."
    return text + " " + " ".join(c.sentences[:1])


def funnel_figure(c: Comparison, period: str) -> Figure:
    """The funnel plot of a comparison.

    Args:
        c: from `compare.units`.
        period: the period in words ("October 2025 to September 2026").
    """
    k = display_scale(c.entry)
    points = _points(c, k)
    lines, dashes = _limit_lines(c, k)
    y_title = AXIS_TITLES.get(c.entry.unit, "Value")
    x = alt.X("denominator:Q", title=X_TITLES.get(c.entry.unit, "Denominator"),
              scale=alt.Scale(zero=False, nice=False))
    y_axis = alt.Axis(labelExpr="datum.label + '%'") if c.entry.unit == "percent" else alt.Axis()

    y_scale = value_scale(c.entry, points["shown"] if points.height else None,
                          (c.result.target or 0) * k, nice=True)
    if is_share(c.entry):  # the limits may run past 0-100% for small units: clip them
        lines = lines.with_columns(pl.col("y").clip(0, 100))

    def y(field: str) -> alt.Y:
        return alt.Y(f"{field}:Q", title=y_title, scale=y_scale, axis=y_axis)

    target_name = f"Agency {format_display(c.entry, c.result.target, short=True)}"
    styles = {target_name: [1, 0], **dashes}
    line_enc = dict(strokeDash=alt.StrokeDash("line:N", title="Lines", scale=alt.Scale(
        domain=list(styles), range=list(styles.values())), legend=alt.Legend(
        orient="top", symbolType="stroke", symbolStrokeWidth=2, symbolSize=400, labelLimit=300)))
    target = pl.DataFrame({"y": [(c.result.target or 0) * k], "line": [target_name]})
    layers = [
        alt.Chart(lines).mark_line(color="#1A1A1A", strokeWidth=1.4).encode(
            x=x, y=y("y"), detail="path:N", **line_enc),
        alt.Chart(target).mark_rule(color="#1A1A1A", strokeWidth=2).encode(y=y("y"), **line_enc),
    ]
    kinds = [kd for kd in _kinds(c.entry) if kd[0] in set(points["kind_flag"].to_list())]
    fmt = ".1f" if c.entry.unit == "percent" else ".2f"
    tooltip = [alt.Tooltip("unit_label:N", title=c.by.capitalize()),
               alt.Tooltip("shown:Q", title=y_title, format=fmt),
               alt.Tooltip("numerator:Q", title="Numerator", format=",.0f"),
               alt.Tooltip("denominator:Q", title="Denominator", format=",.0f"),
               alt.Tooltip("kind:N", title="Where it lies")]
    if points.height:
        layers.append(alt.Chart(points).mark_point(filled=True, size=80, opacity=1).encode(
            x=x, y=y("shown"),
            color=alt.Color("kind:N", title="Units", scale=alt.Scale(
                domain=[kd[1] for kd in kinds], range=[kd[4] for kd in kinds]),
                legend=alt.Legend(orient="top", symbolSize=90, labelLimit=300)),
            shape=alt.Shape("kind:N", title="Units", scale=alt.Scale(
                domain=[kd[1] for kd in kinds], range=[kd[2] for kd in kinds])),
            tooltip=tooltip))
        named = points.filter(~pl.col("kind_flag").is_in(["none", "below_minimum"]))
        if named.height:
            layers.append(alt.Chart(named.with_columns(
                (pl.col("marker") + " " + pl.col("unit_label")).alias("label"))).mark_text(
                align="left", dx=8, fontSize=text_px(), color="#000000").encode(
                x=x, y=y("shown"), text="label:N"))
    title = f"{c.entry.name}: each {c.by} against the agency, {period}"
    how = (f"Each dot is one {c.by}; further right means more counted, so less room for "
           "chance. The solid line is the agency figure. The dashed lines are the "
           f"{load_settings().level_words('alert')} limits and the dotted lines the "
           f"{load_settings().level_words('alarm')} limits: they narrow as {c.by}s grow. A "
           f"{c.by} outside the dashed lines is worth a look; outside the dotted lines it is "
           "very unlikely to be chance. Triangles point the way a unit lies, and the legend "
           "says whether that way is better; grey dots have too few to judge. Nothing here is "
           "a ranking.")
    figure = _finish(alt.layer(*layers), title, _description(c, points, period), how,
                     height=PAGE_HEIGHT)
    return Figure(chart=figure.chart.properties(title=alt.TitleParams(
        title, subtitle=c.method_reason, anchor="start", fontSize=16, subtitleFontSize=13)),
        title=title, description=figure.description, how_to_read=how)


# --------------------------------------------------------------------------- disparities

_RATIO_KINDS = (("Higher than the reference (interval excludes 1)", PALETTE[5], "triangle-up"),
                ("Lower than the reference (interval excludes 1)", PALETTE[0], "triangle-down"),
                ("Interval includes 1", "#6E6E6E", "circle"),
                ("Reference", "#000000", "diamond"))


def _ratio_kind(ratio: float, low: float | None, high: float | None, is_ref: bool) -> str:
    if is_ref:
        return _RATIO_KINDS[3][0]
    if low is not None and low > 1:
        return _RATIO_KINDS[0][0]
    if high is not None and high < 1:
        return _RATIO_KINDS[1][0]
    return _RATIO_KINDS[2][0]


def disparity_figure(frame: pl.DataFrame, entry: CatalogEntry, reference: str,
                     period: str) -> Figure:
    """Each group's ratio to the reference on a log scale, with its 95% interval.

    Args:
        frame: from `disparities.disparities`.
        entry: the indicator's catalog entry.
        reference: "agency" or the reference group value.
        period: the period in words.
    """
    by = frame["group_by"][0] if frame.height else ""
    ref_words = "the agency" if reference == "agency" else group_label(by, reference)
    ref_value = AGENCY if reference == "agency" else reference
    rows = []
    for r in frame.iter_rows(named=True):
        if r["ratio"] is None or r["ratio"] <= 0:
            continue
        is_ref = r["group_value"] == ref_value
        rows.append({"group": wrap_label(group_label(by, r["group_value"])), "ratio": r["ratio"],
                     "low": r["ratio_low"], "high": r["ratio_high"], "reading": r["reading"],
                     "kind": _ratio_kind(r["ratio"], r["ratio_low"], r["ratio_high"], is_ref)})
    data = pl.DataFrame(rows, schema={"group": pl.String, "ratio": pl.Float64,
                                      "low": pl.Float64, "high": pl.Float64,
                                      "reading": pl.String, "kind": pl.String})
    order = [wrap_label(group_label(by, g)) for g in frame["group_value"].to_list()]
    finite = [v for v in [*data["low"].drop_nulls(), *data["high"].drop_nulls(),
                          *data["ratio"]] if v > 0]
    lo = min([0.5, *finite]) / 1.1
    hi = max([2.0, *finite]) * 1.1
    xs = alt.Scale(type="log", domain=[lo, hi])
    x_title = f"Ratio to {ref_words} (1 = the same; log scale)"
    yy = alt.Y("group:N", title=GROUPING_WORDS.get(by, "Group"), sort=order, axis=row_axis())
    kinds = [k for k in _RATIO_KINDS if k[0] in set(data["kind"].to_list())]
    layers = [alt.Chart(pl.DataFrame({"x": [1.0]})).mark_rule(
        color="#000000", strokeWidth=1.5).encode(x=alt.X("x:Q", scale=xs, title=x_title))]
    bars = data.filter(pl.col("low").is_not_null())
    if bars.height:
        layers.append(alt.Chart(bars).mark_rule(color="#4D4D4D", strokeWidth=2).encode(
            x=alt.X("low:Q", scale=xs, title=x_title), x2="high:Q", y=yy))
    if data.height:
        layers.append(alt.Chart(data).mark_point(filled=True, size=90, opacity=1).encode(
            x=alt.X("ratio:Q", scale=xs, title=x_title), y=yy,
            color=alt.Color("kind:N", title="", scale=alt.Scale(
                domain=[k[0] for k in kinds], range=[k[1] for k in kinds]),
                legend=alt.Legend(orient="top", labelLimit=320)),
            shape=alt.Shape("kind:N", title="", scale=alt.Scale(
                domain=[k[0] for k in kinds], range=[k[2] for k in kinds])),
            tooltip=[alt.Tooltip("group:N", title="Group"),
                     alt.Tooltip("ratio:Q", title="Ratio", format=".2f"),
                     alt.Tooltip("low:Q", title="95% interval from", format=".2f"),
                     alt.Tooltip("high:Q", title="to", format=".2f"),
                     alt.Tooltip("reading:N", title="Reading")]))
    title = f"{entry.name}: each group against {ref_words}, {period}"
    left = frame.height - data.height
    desc = (f"Chart of {data.height} groups' {entry.name} as a ratio to {ref_words}, {period}, "
            "on a log scale with 95% intervals. "
            + " ".join(f"{g}: {r:.2f}." for g, r in data.select("group", "ratio").iter_rows())
            + (f" {left} rows are not drawn (no events, no figure, or hidden)." if left else ""))
    how = (f"Each dot is a group's figure divided by {ref_words}'s; the line at 1 means the "
           "same. The bar through a dot is its 95% interval: when it does not cross 1, the "
           "difference is more than chance. The scale is logarithmic, so twice and half are "
           "the same distance from 1. Triangles point the way a clear difference goes.")
    height = rows_height(data.height, lines=label_lines(data["group"]))
    figure = _finish(alt.layer(*layers), title, desc, how, height=height)
    return Figure(chart=figure.chart.properties(title=alt.TitleParams(
        title, anchor="start", fontSize=16)), title=title, description=desc, how_to_read=how)

