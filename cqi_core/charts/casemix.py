"""The case-mix-adjusted funnel: each unit's observed over expected count (O/E) against its
expected count, around 1, with the limits of a standardised ratio (FunnelPlotR "SR"). Drawn
like `compare.funnel_figure` (the same shapes, dashes and colours from compare.yaml), so the
observed and the adjusted views of the Compare units page read alike.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from cqi_core.analysis.casemix import AdjustedComparison
from cqi_core.charts.base import Figure, _finish
from cqi_core.charts.compare import PAGE_HEIGHT, _kinds, _limit_lines
from cqi_core.methods.funnel.settings import load_settings

X_TITLE = "Events expected for the unit's children at the agency's rates"
Y_TITLE = "Observed over expected (1 = as expected)"


def _points(c: AdjustedComparison) -> pl.DataFrame:
    kinds = {flag: rest for flag, *rest in _kinds(c.entry)}
    shown = c.result.units.filter(pl.col("value").is_not_null())
    small = pl.col("denominator") < c.result.min_denominator
    flag = pl.when(small).then(pl.lit("below_minimum")).otherwise(pl.col("flag"))
    return shown.with_columns(flag.alias("kind_flag")).with_columns(
        pl.col("unit").replace_strict(c.labels, default=pl.col("unit")).alias("unit_label"),
        pl.col("kind_flag").replace_strict({f: v[0] for f, v in kinds.items()}).alias("kind"),
        pl.col("kind_flag").replace_strict({f: v[2] for f, v in kinds.items()}).alias("marker"))


def oe_funnel_figure(c: AdjustedComparison, period: str) -> Figure:
    """The O/E funnel of a case-mix-adjusted comparison.

    Args:
        c: from `casemix.compare_adjusted`.
        period: the period in words ("October 2024 to September 2025").
    """
    points = _points(c)
    lines, dashes = _limit_lines(c, 1.0)
    x = alt.X("denominator:Q", title=X_TITLE, scale=alt.Scale(zero=False, nice=False))
    top = max([2.0, *points["value"].to_list()]) * 1.05 if points.height else 2.0
    y_scale = alt.Scale(domain=[0, top], nice=True)
    lines = lines.with_columns(pl.col("y").clip(0, top))

    def y(field: str) -> alt.Y:
        return alt.Y(f"{field}:Q", title=Y_TITLE, scale=y_scale)

    target_name = "As expected (1)"
    styles = {target_name: [1, 0], **dashes}
    line_enc = dict(strokeDash=alt.StrokeDash("line:N", title="Lines", scale=alt.Scale(
        domain=list(styles), range=list(styles.values())), legend=alt.Legend(
        orient="top", symbolType="stroke", symbolStrokeWidth=2, symbolSize=400, labelLimit=300)))
    layers = [
        alt.Chart(lines).mark_line(color="#1A1A1A", strokeWidth=1.4).encode(
            x=x, y=y("y"), detail="path:N", **line_enc),
        alt.Chart(pl.DataFrame({"y": [1.0], "line": [target_name]})).mark_rule(
            color="#1A1A1A", strokeWidth=2).encode(y=y("y"), **line_enc),
    ]
    kinds = [kd for kd in _kinds(c.entry) if kd[0] in set(points["kind_flag"].to_list())]
    if points.height:
        layers.append(alt.Chart(points).mark_point(filled=True, size=80, opacity=1).encode(
            x=x, y=y("value"),
            color=alt.Color("kind:N", title="Units", scale=alt.Scale(
                domain=[kd[1] for kd in kinds], range=[kd[4] for kd in kinds]),
                legend=alt.Legend(orient="top", symbolSize=90, labelLimit=300)),
            shape=alt.Shape("kind:N", title="Units", scale=alt.Scale(
                domain=[kd[1] for kd in kinds], range=[kd[2] for kd in kinds])),
            tooltip=[alt.Tooltip("unit_label:N", title=c.by.capitalize()),
                     alt.Tooltip("value:Q", title="Observed over expected", format=".2f"),
                     alt.Tooltip("numerator:Q", title="Observed", format=",.0f"),
                     alt.Tooltip("denominator:Q", title="Expected", format=",.1f"),
                     alt.Tooltip("kind:N", title="Where it lies")]))
        named = points.filter(~pl.col("kind_flag").is_in(["none", "below_minimum"]))
        if named.height:
            layers.append(alt.Chart(named.with_columns(
                (pl.col("marker") + " " + pl.col("unit_label")).alias("label"))).mark_text(
                align="left", dx=8, fontSize=12, color="#000000").encode(
                x=x, y=y("value"), text="label:N"))
    s = load_settings()
    title = f"{c.entry.name}, adjusted for case mix: each {c.by} against what its children would give, {period}"
    flagged = points.filter(~pl.col("kind_flag").is_in(["none", "below_minimum"]))
    desc = (f"Funnel plot of observed over expected {c.entry.name.lower()} for "
            f"{points.height} {c.by}s, {period}, around 1 (as expected for their children). "
            + (f"Outside the limits: {'; '.join(f'{n} ({v:.2f}, {k.lower()})' for n, v, k in flagged.select('unit_label', 'value', 'kind').iter_rows())}. "
               if flagged.height else "Every unit is inside the limits. ")
            + " ".join(c.sentences[:1]))
    how = (f"Each dot is one {c.by}: its observed count divided by the count expected for its "
           "children at the agency's rates. 1 means as expected; further right means more "
           f"expected, so less room for chance. The dashed lines are the "
           f"{s.level_words('alert')} limits and the dotted lines the "
           f"{s.level_words('alarm')} limits. Triangles point the way a unit lies, and the "
           "legend says whether that way is better; grey dots expect too few to judge. "
           "Nothing here is a ranking.")
    figure = _finish(alt.layer(*layers), title, desc, how, height=PAGE_HEIGHT)
    return Figure(chart=figure.chart.properties(title=alt.TitleParams(
        title, subtitle=c.method_reason, anchor="start", fontSize=16, subtitleFontSize=13)),
        title=title, description=figure.description, how_to_read=how)
