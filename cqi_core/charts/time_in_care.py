"""Time in care charts: cohort curves of leaving care, and where children live month by
month since removal (the Time in care page). They draw what analysis.time_in_care hands
them and never decide what an audience may see."""

from __future__ import annotations

import altair as alt
import polars as pl

from cqi_core.charts.base import PALETTE, Figure, _finish

_DASHES = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [4, 4], [1, 3], [10, 4], [3, 6]]
_SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "wedge",
           "stroke"]


def cohort_curves_figure(frame: pl.DataFrame, series: str, series_title: str, curve_words: str,
                         p1_month: int = 12, p1_value: float | None = None,
                         title: str | None = None) -> Figure:
    """One line per series (an entry year, a unit ...): the share who had left by each month.

    Args:
        frame: columns `series` (the label), month, cumulative, ci_low, ci_high, at_risk.
        series: the label column.
        series_title: what the lines are, in words ("Entered care in").
        curve_words: what the curve counts ("Any permanency").
        p1_month: the month marked (12: permanency in 12 months).
        p1_value: the published or computed P1 figure to mark beside it (None: not shown).
    """
    data = frame.filter(pl.col("cumulative").is_not_null()).with_columns(
        (pl.col("cumulative") * 100).alias("percent"),
        (pl.col("ci_low") * 100).alias("low"), (pl.col("ci_high") * 100).alias("high"))
    names = data[series].unique(maintain_order=True).to_list()
    colour = alt.Color(f"{series}:N", title=series_title, sort=names,
                       scale=alt.Scale(domain=names, range=PALETTE[:len(names)] or PALETTE[:1]),
                       legend=alt.Legend(orient="top"))
    base = alt.Chart(data).encode(
        x=alt.X("month:Q", title="Months since coming into care",
                scale=alt.Scale(domain=[0, max(36, int(data["month"].max() or 0))]),
                axis=alt.Axis(values=list(range(0, 37, 3)))),
        y=alt.Y("percent:Q", title=f"Share who left care: {curve_words.lower()} (%)",
                scale=alt.Scale(domain=[0, 100])),
        color=colour,
        tooltip=[alt.Tooltip(f"{series}:N", title=series_title),
                 alt.Tooltip("month:Q", title="Month"),
                 alt.Tooltip("percent:Q", title="Share who left (%)", format=".1f"),
                 alt.Tooltip("low:Q", title="95% interval from (%)", format=".1f"),
                 alt.Tooltip("high:Q", title="95% interval to (%)", format=".1f"),
                 alt.Tooltip("at_risk:Q", title="Children still in care at the month's start")])
    band = base.mark_area(opacity=0.12, interpolate="step-after").encode(
        y="low:Q", y2="high:Q")
    lines = base.mark_line(interpolate="step-after", strokeWidth=2).encode(
        strokeDash=alt.StrokeDash(f"{series}:N", sort=names, legend=None,
                                  scale=alt.Scale(domain=names, range=_DASHES[:len(names)] or _DASHES[:1])))
    points = base.mark_point(filled=True, size=28).encode(
        shape=alt.Shape(f"{series}:N", sort=names, legend=None,
                        scale=alt.Scale(domain=names, range=_SHAPES[:len(names)] or _SHAPES[:1])))
    rule = alt.Chart(pl.DataFrame({"month": [p1_month],
                                   "label": [f"{p1_month} months"]})).mark_rule(
        color="#000000", strokeDash=[3, 3]).encode(x="month:Q")
    label = alt.Chart(pl.DataFrame({"month": [p1_month], "y": [98.0],
                                    "label": [f"{p1_month} months (P1)"]})).mark_text(
        align="left", dx=4, color="#000000").encode(x="month:Q", y="y:Q", text="label:N")
    layers = [band, lines, points, rule, label]
    if p1_value is not None:
        p1 = alt.Chart(pl.DataFrame({"month": [p1_month], "percent": [p1_value * 100]})).mark_point(
            shape="diamond", size=160, filled=False, color="#000000", strokeWidth=2).encode(
            x="month:Q", y="percent:Q",
            tooltip=[alt.Tooltip("percent:Q", title="P1, permanency in 12 months (%)", format=".1f")])
        layers.append(p1)
    chart = alt.layer(*layers)
    at12 = data.filter(pl.col("month") == p1_month)
    parts = "; ".join(f"{r[series]}: {r['percent']:.0f}% by month {p1_month}"
                      for r in at12.iter_rows(named=True))
    desc = (f"Step chart of the share of children who left care ({curve_words.lower()}) by each "
            f"month since they came into care, one line per {series_title.lower()}"
            + (f". {parts}." if parts else "."))
    return _finish(chart, title or f"{curve_words}: share who left care, by month since coming into care",
                   desc, "Each line climbs as children leave care; a line above another means "
                   f"those children left sooner. The dashed line marks {p1_month} months: the "
                   "permanency in 12 months measure (P1) is the any-permanency line there, for "
                   "its own cohort. Shaded bands are 95% intervals.", height=320)


def exit_types_figure(frame: pl.DataFrame, words: dict[str, str], title: str) -> Figure:
    """One cohort's curves by exit type (Aalen–Johansen), each line a kind of exit."""
    data = frame.filter(pl.col("cumulative").is_not_null()).with_columns(
        pl.col("exit_type").replace_strict(words, default=pl.col("exit_type")).alias("exit"),
        (pl.col("cumulative") * 100).alias("percent"))
    names = [words.get(t, t) for t in frame["exit_type"].unique(maintain_order=True).to_list()]
    base = alt.Chart(data).encode(
        x=alt.X("month:Q", title="Months since coming into care",
                axis=alt.Axis(values=list(range(0, 37, 3)))),
        y=alt.Y("percent:Q", title="Share who left this way (%)"),
        color=alt.Color("exit:N", title="How they left", sort=names,
                        scale=alt.Scale(domain=names, range=PALETTE[:len(names)]),
                        legend=alt.Legend(orient="top", columns=3)),
        tooltip=[alt.Tooltip("exit:N", title="How they left"), alt.Tooltip("month:Q", title="Month"),
                 alt.Tooltip("percent:Q", title="Share (%)", format=".1f")])
    chart = (base.mark_line(interpolate="step-after", strokeWidth=2).encode(
        strokeDash=alt.StrokeDash("exit:N", sort=names, legend=None,
                                  scale=alt.Scale(domain=names, range=_DASHES[:len(names)])))
        + base.mark_point(filled=True, size=24).encode(
            shape=alt.Shape("exit:N", sort=names, legend=None,
                            scale=alt.Scale(domain=names, range=_SHAPES[:len(names)]))))
    last = data.sort("month").group_by("exit", maintain_order=True).last()
    parts = "; ".join(f"{r['exit']}: {r['percent']:.0f}% by month {r['month']}"
                      for r in last.iter_rows(named=True))
    return _finish(chart, title, f"Step chart of the share of children who left care each way, "
                   f"by month since they came into care. {parts}.",
                   "Each line is one way of leaving care; the lines count the same children, and "
                   "a child who left one way cannot leave another, so together they never pass "
                   "100%.", height=320)


def trajectory_figure(frame: pl.DataFrame, words: dict[str, str], title: str) -> Figure:
    """Where the cohort's children are at the end of each month: stacked shares."""
    order = [s for s in words if s in set(frame["state"].to_list())]
    labels = [words[s] for s in order]
    data = frame.filter(pl.col("share").is_not_null()).with_columns(
        pl.col("state").replace_strict(words, default=pl.col("state")).alias("where"),
        (pl.col("share") * 100).alias("percent"),
        pl.col("state").replace_strict({s: i for i, s in enumerate(order)}, default=99)
        .alias("order"))
    chart = alt.Chart(data).mark_area().encode(
        x=alt.X("month:Q", title="Months since coming into care",
                axis=alt.Axis(values=list(range(0, 37, 3)))),
        y=alt.Y("percent:Q", title="Share of the children (%)", stack="zero",
                scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("where:N", title="Where they were", sort=labels,
                        scale=alt.Scale(domain=labels,
                                        range=(PALETTE * 2)[:len(labels)]),
                        legend=alt.Legend(orient="right")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("where:N", title="Where"), alt.Tooltip("month:Q", title="Month"),
                 alt.Tooltip("percent:Q", title="Share (%)", format=".1f")])
    m12 = data.filter(pl.col("month") == 12)
    parts = "; ".join(f"{r['where']}: {r['percent']:.0f}%" for r in m12.iter_rows(named=True))
    return _finish(chart, title, "Stacked area chart of where the cohort's children were at the "
                   "end of each month since they came into care" + (f". At month 12: {parts}." if parts else "."),
                   "Each band is one kind of home (or having left care); its height at a month is "
                   "the share of the children there at that month's end. The bands add up to all "
                   "the children whose whereabouts that day are known.", height=340)
