"""Charts of the unit profile, Reviews and data, and Bright spots pages. They return a
`Figure` and never render.

The joint display is a table drawn as a chart: one row per pair, the measure and the case
reviews side by side, each cell saying in words (and with an arrow) how the unit compares
with the agency, and the fit of the two in the last column. Interval charts mark the unit
and the agency with different shapes as well as colours, and label them, so nothing is read
from colour alone (Okabe-Ito palette).
"""

from __future__ import annotations

import altair as alt
import polars as pl

from cqi_core.charts.base import PALETTE, Figure, _finish
from cqi_core.charts.convention import label_lines, row_axis, rows_height, wrap_label
from cqi_core.indicators.display import MISSING, format_share

LABEL_SYMBOLS = {"confirming": "✓", "expanding": "+", "discordant": "≠", "not_enough": "?"}
_FILL = {"better": "#CFE6F5", "worse": "#F8D9C4", "close": "#EEEEEE", "none": "#FFFFFF",
         "confirming": "#CDEBDD", "expanding": "#F6E7B8", "discordant": "#F0D3E4",
         "not_enough": "#FFFFFF"}
COLUMNS = ("The measure", "Case reviews", "Fit")
ITEM_CHARACTERS = 44
"""Longest line of a review item's label before it wraps."""


def _item_axis() -> alt.Axis:
    """The review item axis: long labels whole, wrapped over lines (`wrap_label`), and its
    title above them (beside them it would collide with labels this long)."""
    return row_axis(titleAngle=0, titleAlign="right", titleBaseline="bottom", titleX=-4,
                    titleY=-6)


def _item_rows(label: pl.Expr) -> pl.Expr:
    """An item's label as its row on the axis: "14 · words", wrapped over lines (wider than
    the convention's: these charts have the page's width, and the items long names)."""
    return label.str.replace(r"^Item ([0-9A-C]+): ", "$1 · ").map_elements(
        lambda text: wrap_label(text, ITEM_CHARACTERS), return_dtype=pl.String)


_pct = format_share   # one formatter: a missing share is one em dash everywhere


def _kind(direction: str | None, clear: bool) -> str:
    """Cell shading: only a clear difference is shaded (better or worse); the rest is grey."""
    if direction is None:
        return "none"
    if not clear:
        return "close"
    return "worse" if direction.startswith(("worse", "getting worse")) else "better"


def _cell(direction: str | None, clear: bool) -> str:
    """A side in words, with an arrow: filled when clear, hollow when only leaning."""
    if direction is None:
        return "? not enough to compare"
    if direction.startswith("close"):
        return "● close to the agency"
    worse = direction.startswith(("worse", "getting worse"))
    if clear:
        return f"{'▼' if worse else '▲'} " + (direction if direction.startswith(("improving", "getting"))
                                             else f"clearly {direction}")
    return f"{'▽ a little worse' if worse else '△ a little better'}, within chance"


def joint_display_chart(joint: pl.DataFrame) -> Figure:
    """The joint display: pairs down, the measure / the case reviews / their fit across."""
    rows = []
    for r in joint.iter_rows(named=True):
        items = r["items"]
        review_top = (f"{_pct(r['review_rate'])} strengths vs agency {_pct(r['agency_review_rate'])}"
                      if r["review_rate"] is not None else "no ratings to show")
        rows += [
            {"pair": r["title"], "column": COLUMNS[0], "kind": _kind(r["data_direction"], r["data_clear"]),
             "top": f"{r['indicator_id']}: {r['data_text']} vs agency {r['agency_text']}",
             "bottom": _cell(r["data_direction"], r["data_clear"])},
            {"pair": r["title"], "column": COLUMNS[1], "kind": _kind(r["review_direction"], r["review_clear"]),
             "top": f"Item{'s' if ',' in items else ''} {items}: {review_top}",
             "bottom": _cell(r["review_direction"], r["review_clear"])},
            {"pair": r["title"], "column": COLUMNS[2], "kind": r["label"],
             "top": f"{LABEL_SYMBOLS[r['label']]} {r['label_words']}",
             "bottom": r["fit_note"]}]
    data = pl.DataFrame(rows, schema={"pair": pl.String, "column": pl.String, "kind": pl.String,
                                      "top": pl.String, "bottom": pl.String})
    order = [wrap_label(t) for t in joint["title"].to_list()]
    data = data.with_columns(pl.col("pair").map_elements(wrap_label, return_dtype=pl.String))
    x = alt.X("column:N", title=None, sort=list(COLUMNS), axis=alt.Axis(orient="top", labelAngle=0,
                                                                         labelFontWeight="bold"))
    y = alt.Y("pair:N", title=None, sort=order, axis=row_axis(labelFontWeight="bold"))
    kinds = list(_FILL)
    cells = alt.Chart(data).mark_rect(stroke="#FFFFFF", strokeWidth=3).encode(
        x=x, y=y, color=alt.Color("kind:N", scale=alt.Scale(domain=kinds, range=list(_FILL.values())),
                                  legend=None),
        tooltip=[alt.Tooltip("pair:N", title="Practice"), alt.Tooltip("column:N", title="Column"),
                 alt.Tooltip("top:N", title="Figures"), alt.Tooltip("bottom:N", title="Reading")])
    top = alt.Chart(data).mark_text(baseline="bottom", dy=-2, fontSize=12, color="#000000").encode(
        x=x, y=y, text="top:N")
    bottom = alt.Chart(data).mark_text(baseline="top", dy=2, fontSize=12, color="#000000",
                                       fontWeight="bold").encode(x=x, y=y, text="bottom:N")
    parts = "; ".join(f"{r['title']}: {r['label_words'].lower()} ({r['sentence']})"
                      for r in joint.iter_rows(named=True))
    desc = (f"Joint display, a table of {joint.height} practices: for each, the unit's measure "
            f"against the agency, its case review ratings against the agency, and whether the two "
            f"confirm, expand or contradict each other. {parts}")
    how = ("Each row is one practice. The first column is the administrative measure, the second "
           "the case review items that judge the same practice. A filled arrow on a shaded cell "
           "is a clear difference from the agency (the 95% interval leaves out the agency's "
           "figure, or the unit's own chart shows a signal): ▲ better, ▼ worse. A hollow arrow "
           "on grey leans one way within chance; ● is close to the agency. The last column says "
           "whether the two sources confirm each other (✓), one adds to the other (+), or they "
           "disagree (≠).")
    chart = alt.layer(cells, top, bottom).properties(width="container")
    return _finish(chart, "The unit's measures and case reviews side by side", desc, how,
                   # two lines of text a cell
                   height=rows_height(joint.height, row_px=64, lines=label_lines(order)))


def item_strength_chart(items: pl.DataFrame, title: str = "Share of review items rated a strength: the unit and the agency") -> Figure:
    """Per item: the unit's share rated a strength with its interval, and the agency's share."""
    data = items.filter(pl.col("rate").is_not_null()).with_columns(
        label=_item_rows(pl.col("item_name")),
        n_text=pl.lit("n=") + pl.col("n").cast(pl.String))
    order = data["label"].to_list()
    y = alt.Y("label:N", title="Review item", sort=order, axis=_item_axis())
    x_scale = alt.Scale(domain=[0, 1])
    series = alt.Color("series:N", title="", scale=alt.Scale(
        domain=["This unit (with 95% interval)", "Whole agency"], range=[PALETTE[0], "#000000"]),
        legend=alt.Legend(orient="top", labelLimit=320))
    shape = alt.Shape("series:N", title="", scale=alt.Scale(
        domain=["This unit (with 95% interval)", "Whole agency"], range=["circle", "diamond"]),
        legend=alt.Legend(orient="top", labelLimit=320))
    long = pl.concat([
        data.select("label", "n_text", "strengths", "n", value=pl.col("rate"),
                    series=pl.lit("This unit (with 95% interval)")),
        data.select("label", "n_text", pl.col("agency_strengths").alias("strengths"),
                    pl.col("agency_n").alias("n"), value=pl.col("agency_rate"),
                    series=pl.lit("Whole agency"))], how="vertical_relaxed")
    tooltip = [alt.Tooltip("label:N", title="Item"), alt.Tooltip("series:N", title="Who"),
               alt.Tooltip("value:Q", title="Share rated a strength", format=".0%"),
               alt.Tooltip("strengths:Q", title="Rated a strength"),
               alt.Tooltip("n:Q", title="Reviews where it applied")]
    bars = alt.Chart(data).mark_rule(color=PALETTE[0], strokeWidth=2).encode(
        y=y, x=alt.X("ci_low:Q", title="Share rated a strength", scale=x_scale,
                     axis=alt.Axis(format="%")), x2="ci_high:Q")
    points = alt.Chart(long).mark_point(filled=True, size=90, opacity=1).encode(
        y=y, x=alt.X("value:Q", scale=x_scale), color=series, shape=shape, tooltip=tooltip)
    ns = alt.Chart(data).mark_text(align="left", dx=6, fontSize=12, color="#000000").encode(
        y=y, x=alt.X("ci_high:Q", scale=x_scale), text="n_text:N")
    clear = data.filter(pl.col("versus_agency").is_in(["better", "worse"]))
    desc = (f"Dot chart of {data.height} review items: the unit's share rated a strength with its "
            f"95% interval, and the whole agency's share. ")
    desc += ("; ".join(f"item {r['item']}: {_pct(r['rate'])} of {r['n']} (agency "
                       f"{_pct(r['agency_rate'])}, clearly {r['versus_agency']})"
                       for r in clear.iter_rows(named=True)) + "."
             if clear.height else "No item differs clearly from the agency.")
    how = ("Each row is one review item. The blue circle is the unit's share rated a strength, the "
           "line its 95% interval, n the reviews where the item applied; the black diamond is the "
           "whole agency. When the line does not reach the diamond, the difference is clear.")
    return _finish(alt.layer(bars, points, ns), title, desc, how,
                   height=rows_height(data.height, lines=label_lines(order)))


def agreement_chart(table: pl.DataFrame, item_names: dict[str, str] | None = None) -> Figure:
    """Per item: how often the review and the records agree, with its interval and kappa."""
    names = item_names or {}
    data = table.filter(pl.col("percent_agreement").is_not_null()).with_columns(
        label=_item_rows(pl.col("item").replace_strict(names, default=pl.col("item"),
                                                       return_dtype=pl.String)),
        note=pl.format("κ {} · n={}", pl.col("kappa").round(2), pl.col("compared")))
    order = data["label"].to_list()
    y = alt.Y("label:N", title="Review item", sort=order, axis=_item_axis())
    scale = alt.Scale(domain=[0, 1])
    rules = alt.Chart(data).mark_rule(color=PALETTE[0], strokeWidth=2).encode(
        y=y, x=alt.X("agreement_low:Q", title="Reviews where the rating and the records agree",
                     scale=scale, axis=alt.Axis(format="%")), x2="agreement_high:Q")
    points = alt.Chart(data).mark_point(filled=True, size=90, color=PALETTE[0], shape="circle").encode(
        y=y, x=alt.X("percent_agreement:Q", scale=scale),
        tooltip=[alt.Tooltip("label:N", title="Item"),
                 alt.Tooltip("percent_agreement:Q", title="Agreement", format=".0%"),
                 alt.Tooltip("kappa:Q", title="Cohen's kappa", format=".2f"),
                 alt.Tooltip("compared:Q", title="Reviews compared")])
    text = alt.Chart(data).mark_text(align="left", dx=6, fontSize=12, color="#000000").encode(
        y=y, x=alt.X("agreement_high:Q", scale=scale), text="note:N")
    desc = ("Dot chart of agreement between case review ratings and the administrative records, "
            "one row per item: " + "; ".join(
                f"item {r['item']}: {_pct(r['percent_agreement'])} of {r['compared']} agree, kappa "
                f"{MISSING if r['kappa'] is None else format(r['kappa'], '.2f')}"
                for r in data.iter_rows(named=True)) + ".")
    how = ("Each row is one review item checked against its measure. The dot is the share of "
           "reviews where a strength goes with favourable records or an area needing improvement "
           "with unfavourable ones, the line its 95% interval; κ (Cohen's kappa) corrects for "
           "agreement by chance: 1 is perfect, 0 no better than chance.")
    return _finish(alt.layer(rules, points, text), "How often the reviews and the records agree",
                   desc, how, height=rows_height(data.height, lines=label_lines(order)))


def strength_by_data_chart(table: pl.DataFrame, item_names: dict[str, str] | None = None) -> Figure:
    """Per item: the share rated a strength when the records are favourable and when not."""
    names = item_names or {}
    fav, unfav = "Records favourable", "Records unfavourable"
    base = table.with_columns(label=_item_rows(pl.col("item").replace_strict(
        names, default=pl.col("item"), return_dtype=pl.String)))
    long = pl.concat([
        base.select("label", value=pl.col("strength_when_favourable"), low=pl.col("swf_low"),
                    high=pl.col("swf_high"), n=pl.col("strength_favourable") + pl.col("ani_favourable"),
                    records=pl.lit(fav)),
        base.select("label", value=pl.col("strength_when_unfavourable"), low=pl.col("swu_low"),
                    high=pl.col("swu_high"),
                    n=pl.col("strength_unfavourable") + pl.col("ani_unfavourable"),
                    records=pl.lit(unfav))]).filter(pl.col("value").is_not_null())
    order = base["label"].to_list()
    y = alt.Y("label:N", title="Review item", sort=order, axis=_item_axis())
    off = alt.YOffset("records:N", sort=[fav, unfav])
    scale = alt.Scale(domain=[0, 1])
    colour = alt.Color("records:N", title="", scale=alt.Scale(domain=[fav, unfav],
                                                             range=[PALETTE[0], PALETTE[5]]),
                       legend=alt.Legend(orient="top", labelLimit=320))
    shape = alt.Shape("records:N", title="", scale=alt.Scale(domain=[fav, unfav],
                                                             range=["circle", "square"]),
                      legend=alt.Legend(orient="top", labelLimit=320))
    rules = alt.Chart(long).mark_rule(strokeWidth=2).encode(
        y=y, yOffset=off, x=alt.X("low:Q", title="Share of reviews rating the item a strength",
                                  scale=scale, axis=alt.Axis(format="%")), x2="high:Q", color=colour)
    points = alt.Chart(long).mark_point(filled=True, size=80, opacity=1).encode(
        y=y, yOffset=off, x=alt.X("value:Q", scale=scale), color=colour, shape=shape,
        tooltip=[alt.Tooltip("label:N", title="Item"), alt.Tooltip("records:N", title="Records"),
                 alt.Tooltip("value:Q", title="Rated a strength", format=".0%"),
                 alt.Tooltip("n:Q", title="Reviews")])
    desc = ("Dot chart, two rows per item: the share of reviews rating the item a strength when "
            "the child's records were favourable and when they were not, with 95% intervals. "
            + "; ".join(f"item {r['item']}: {_pct(r['strength_when_favourable'])} when favourable, "
                        f"{_pct(r['strength_when_unfavourable'])} when not"
                        for r in table.iter_rows(named=True)) + ".")
    how = ("For each item, the blue circle is how often reviewers rated it a strength when the "
           "records were favourable, the orange square when they were not, each with its 95% "
           "interval. The further apart, the more the ratings follow the records.")
    return _finish(alt.layer(rules, points), "Ratings when the records are favourable and when not",
                   # a row of two dots: each its own line of room
                   desc, how, height=rows_height(table.height, row_px=44, lines=label_lines(order)))
