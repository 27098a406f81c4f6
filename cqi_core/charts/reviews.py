"""Charts of the case review and voices pages. They return a `Figure` and never render.

Numbers are printed on the marks (the heatmap prints each cell's rate and n, bars carry
their share and count), greyed-out cells say "too few" in words, a control chart marks its
signals with a different shape as well as colour, and the palette is Okabe-Ito, so nothing
is read from colour alone.
"""

from __future__ import annotations

import re

import altair as alt
import polars as pl

from cqi_core.charts.base import PALETTE, Figure, _finish
from cqi_core.charts.convention import label_lines, row_axis, rows_height, text_px, wrap_label
from cqi_core.indicators.display import format_share
from cqi_core.indicators.engine import f1_favourable, f1_favourable_words
from cqi_core.analysis.reviews import ITEMS, OUTCOME_WORDS, ItemTrend, ReviewSettings, load_settings

GREY = "#D9D9D9"
_OUTCOME_FILL = [PALETTE[0], PALETTE[4], PALETTE[1]]   # substantially, partially, not achieved
_RATING_FILL = [PALETTE[5], PALETTE[1], "#BBBBBB", PALETTE[4], PALETTE[0]]   # 1 … 5


_pct = format_share   # one formatter: a missing share is one em dash everywhere


def item_unit_heatmap(table: pl.DataFrame, item_names: dict[str, str] | None = None,
                      settings: ReviewSettings | None = None) -> Figure:
    """Items across, units down: each cell the share rated a strength and n below it; cells
    with fewer than `small_n` applicable reviews are grey and say so."""
    s = settings or load_settings()
    names = item_names or {}
    data = table.with_columns(
        pl.col("item").replace_strict(names, default=pl.col("item"), return_dtype=pl.String)
        .alias("item_name"),
        pl.when(pl.col("n") == 0).then(pl.lit("·"))
        .when(pl.col("too_few")).then(pl.lit("–"))
        .otherwise((pl.col("rate") * 100).round(0).cast(pl.Int64).cast(pl.String) + "%")
        .alias("top"),
        ("n=" + pl.col("n").cast(pl.String)).alias("bottom"),
        (~pl.col("too_few") & (pl.col("n") > 0)).alias("readable"))
    data = data.with_columns(
        (pl.col("readable") & (pl.col("rate") >= 0.7)).alias("dark"),
        # the item by its number and words, wrapped: rows read as practice, not as codes
        pl.struct("item", "item_name").map_elements(
            lambda r: wrap_label(r["item_name"] if re.search(rf"\b{re.escape(str(r['item']))}\b", r["item_name"])
                                 else f"{r['item']}. {r['item_name']}", 40),
            return_dtype=pl.String).alias("item_label"))
    items = [i for i in ITEMS if i in set(data["item"].to_list())]
    order = [data.filter(pl.col("item") == i)["item_label"][0] for i in items]
    # Items down (their words need the width), units across with their names at an angle.
    y = alt.Y("item_label:N", title="Review item", sort=order, axis=row_axis())
    x = alt.X("unit_name:N", title="Unit", sort="ascending",
              axis=alt.Axis(labelAngle=-40, orient="top", labelLimit=0))
    tooltip = [alt.Tooltip("unit_name:N", title="Unit"), alt.Tooltip("item_name:N", title="Item"),
               alt.Tooltip("strengths:Q", title="Rated a strength"),
               alt.Tooltip("n:Q", title="Reviews where the item applied"),
               alt.Tooltip("rate:Q", title="Share rated a strength", format=".0%")]
    # Two layers: a continuous colour scale drops cells without a value, so the greyed-out
    # cells (too few, or none applicable) get their own.
    shaded = alt.Chart(data.filter(pl.col("readable"))).mark_rect(stroke="#FFFFFF", strokeWidth=1).encode(
        x=x, y=y, tooltip=tooltip,
        color=alt.Color("rate:Q", title="Share rated a strength",
                        scale=alt.Scale(scheme="blues", domain=[0, 1]),
                        legend=alt.Legend(format=".0%", orient="bottom", gradientLength=220)))
    grey = alt.Chart(data.filter(~pl.col("readable"))).mark_rect(
        stroke="#FFFFFF", strokeWidth=1, color=GREY).encode(x=x, y=y, tooltip=tooltip)
    ink = alt.condition("datum.dark", alt.value("#FFFFFF"), alt.value("#000000"))
    top = alt.Chart(data).mark_text(baseline="bottom", dy=-1, fontSize=text_px()).encode(
        x=x, y=y, text="top:N", color=ink, tooltip=tooltip)
    bottom = alt.Chart(data).mark_text(baseline="top", dy=1, fontSize=text_px()).encode(
        x=x, y=y, text="bottom:N", color=ink, tooltip=tooltip)
    read = data.filter(~pl.col("too_few") & (pl.col("n") > 0))
    desc = (f"Table chart of the share of case reviews rated a strength, {len(items)} items by "
            f"{data['unit_id'].n_unique()} units; each cell prints the share and the number of "
            f"reviews where the item applied. {data.filter(pl.col('too_few')).height} cells have "
            f"fewer than {s.small_n} reviews and are greyed out.")
    if read.height:
        low = read.sort("rate").row(0, named=True)
        high = read.sort("rate", descending=True).row(0, named=True)
        desc += (f" Lowest readable cell: item {low['item']} in {low['unit_name']} "
                 f"({_pct(low['rate'])} of {low['n']}); highest: item {high['item']} in "
                 f"{high['unit_name']} ({_pct(high['rate'])} of {high['n']}).")
    return _finish(alt.layer(shaded, grey, top, bottom),
                   "Share of reviews rated a strength, by item and unit",
                   desc, "Each cell is one unit's reviews of one item: the percent rated a "
                   "strength, and below it how many reviews the item applied to (n). Darker "
                   f"blue is higher. Grey cells with a dash have fewer than {s.small_n} reviews: "
                   "too few to read; a dot means the item applied to none.",
                   # two lines of 12 px text a cell (the unit names above the cells are outside the plot)
                   height=rows_height(len(items), row_px=40, lines=label_lines(order)))


def outcome_bars(rates: pl.DataFrame, outcome_names: dict[str, str] | None = None) -> Figure:
    """One bar per outcome cut into substantially, partially and not achieved, each segment
    labelled with its percent; the reviews counted are in the row label."""
    names = outcome_names or {}
    long = (rates.select("outcome", "n", *OUTCOME_WORDS)
            .unpivot(index=["outcome", "n"], variable_name="rating", value_name="reviews")
            .with_columns(share=pl.col("reviews") / pl.col("n"),
                          rating_words=pl.col("rating").replace_strict(OUTCOME_WORDS),
                          order=pl.col("rating").replace_strict(
                              {k: i for i, k in enumerate(OUTCOME_WORDS)}, return_dtype=pl.Int64),
                          row=pl.col("outcome").replace_strict(names, default=pl.col("outcome"),
                                                               return_dtype=pl.String)
                          .str.split(":").list.first() + " (n=" + pl.col("n").cast(pl.String) + ")")
            .with_columns(label=pl.when(pl.col("share") >= 0.07)
                          .then((pl.col("share") * 100).round(0).cast(pl.Int64).cast(pl.String) + "%")
                          .otherwise(pl.lit(""))))
    rows = rates.with_columns(row=pl.col("outcome").replace_strict(names, default=pl.col("outcome"),
                                                                  return_dtype=pl.String)
                              .str.split(":").list.first() + " (n=" + pl.col("n").cast(pl.String) + ")"
                              )["row"].to_list()
    y = alt.Y("row:N", title="Outcome (reviews where it applied)", sort=rows,
              axis=row_axis())
    x = alt.X("share:Q", title="Share of reviews", stack="zero", axis=alt.Axis(format="%"),
              scale=alt.Scale(domain=[0, 1]))
    bars = alt.Chart(long).mark_bar(stroke="#000000", strokeWidth=0.5).encode(
        y=y, x=x, order=alt.Order("order:Q"),
        color=alt.Color("rating_words:N", title="", sort=list(OUTCOME_WORDS.values()),
                        scale=alt.Scale(domain=list(OUTCOME_WORDS.values()), range=_OUTCOME_FILL),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("row:N", title="Outcome"), alt.Tooltip("rating_words:N", title="Rating"),
                 alt.Tooltip("reviews:Q", title="Reviews"), alt.Tooltip("share:Q", format=".0%",
                                                                       title="Share")])
    text = alt.Chart(long).transform_stack(
        stack="share", groupby=["row"], as_=["x0", "x1"], sort=[alt.SortField("order")]
    ).transform_calculate(mid="(datum.x0 + datum.x1) / 2").mark_text(fontSize=text_px()).encode(
        y=y, x="mid:Q", text="label:N",
        color=alt.condition("datum.rating === 'substantially_achieved'", alt.value("#FFFFFF"),
                            alt.value("#000000")))
    parts = "; ".join(f"{r['outcome']}: {_pct(r['rate'])} substantially achieved of {r['n']}"
                      for r in rates.iter_rows(named=True))
    return _finish(alt.layer(bars, text), "How the case review outcomes were rated",
                   f"Stacked bar chart of outcome ratings for each outcome. {parts}.",
                   "Each bar is one outcome, split from the left into substantially achieved "
                   "(dark blue), partially achieved (light blue) and not achieved (orange); the "
                   "percent is printed in each part. Only substantially achieved counts toward "
                   "the 95% standard.", height=rows_height(rates.height))


def item_trend_chart(trend: ItemTrend, item_name: str) -> Figure:
    """The item's strength rate per review period with its centre line; on a P chart also
    the three-sigma limits, and signals drawn as larger diamonds."""
    pts = trend.result.points.with_columns(pl.Series("label", list(trend.labels)))
    p_chart = trend.chart == "p"
    base = alt.Chart(pts)
    x = alt.X("x:T", title="Review period (first day)", axis=alt.Axis(format="%b %Y"))
    y_title = "Share rated a strength"
    line = base.mark_line(color=PALETTE[0], point=alt.OverlayMarkDef(filled=True, size=40,
                                                                     color=PALETTE[0])).encode(
        x=x, y=alt.Y("y:Q", title=y_title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("label:N", title="Period"), alt.Tooltip("y:Q", title=y_title, format=".0%"),
                 alt.Tooltip("n:Q", title="Reviews where the item applied"),
                 alt.Tooltip("cl:Q", title="Centre line", format=".0%")])
    centre = base.mark_line(color="#000000", strokeDash=[6, 3]).encode(x=x, y="cl:Q")
    layers = [line, centre]
    if p_chart:
        for limit in ("lcl", "ucl"):
            layers.append(base.mark_line(color="#000000", strokeDash=[2, 2], interpolate="step")
                          .encode(x=x, y=f"{limit}:Q"))
    signals = pts.filter(pl.col("sigma_signal"))
    if signals.height:
        layers.append(alt.Chart(signals).mark_point(shape="diamond", size=160, filled=True,
                                                    color=PALETTE[5]).encode(x=x, y="y:Q"))
    runs = bool(trend.result.runs["runs_signal"].any()) if trend.result.runs.height else False
    kind = "P chart (control chart)" if p_chart else "run chart"
    desc = (f"{kind.capitalize()} of the share of reviews rating {item_name} a strength over "
            f"{pts.height} review periods.")
    if pts.height:
        last = pts.row(-1, named=True)
        desc += f" Latest period {last['label']}: {_pct(last['y'])} of {int(last['n'] or 0)} reviews."
    desc += (f" {signals.height} period(s) outside the limits." if p_chart else "")
    desc += " The runs analysis finds a shift or trend." if runs else " No unusual run."
    how = ("Each point is one review period. The dashed line is the average; the dotted step lines "
           "are the limits that chance alone rarely crosses. A diamond marks a period outside "
           "them: a real change worth looking into." if p_chart else
           "Each point is one review period and the dashed line the median. With few periods "
           "there are no limits yet; long runs on one side of the median suggest a real change.")
    return _finish(alt.layer(*layers), f"{item_name}: share rated a strength, each period",
                   desc, how, height=360)


def rating_distribution_chart(dist: pl.DataFrame, group_title: str = "Group") -> Figure:
    """One 100% bar per group cut into ratings 1-5, each segment labelled "rating · percent"."""
    data = dist.with_columns(
        rating_words=pl.col("rating").cast(pl.String) + pl.col("rating").replace_strict(
            {1: " (lowest)", 5: " (highest)"}, default="", return_dtype=pl.String),
        label=pl.when(pl.col("share") >= 0.06)
        .then(pl.col("rating").cast(pl.String) + " · " + (pl.col("share") * 100).round(0)
              .cast(pl.Int64).cast(pl.String) + "%").otherwise(pl.lit("")),
        dark=pl.col("rating").is_in([1, 5]))
    words = [f"{r}{s}" for r, s in zip(range(1, 6), [" (lowest)", "", "", "", " (highest)"])]
    y = alt.Y("group_label:N", title=group_title, axis=row_axis())
    bars = alt.Chart(data).mark_bar(stroke="#000000", strokeWidth=0.5).encode(
        # Shares add up to 100% give or take rounding: a fixed 0-100% axis, never "110%".
        y=y, x=alt.X("share:Q", title="Share of ratings", stack="zero", axis=alt.Axis(format="%"),
                     scale=alt.Scale(domain=[0, 1], nice=False, clamp=True)),
        order=alt.Order("rating:Q"),
        color=alt.Color("rating_words:N", title="Rating", sort=words,
                        scale=alt.Scale(domain=words, range=_RATING_FILL), legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("group_label:N", title=group_title), alt.Tooltip("rating:Q", title="Rating"),
                 alt.Tooltip("n:Q", title="Ratings"), alt.Tooltip("share:Q", title="Share", format=".0%")])
    text = alt.Chart(data).transform_stack(
        stack="share", groupby=["group_label"], as_=["x0", "x1"], sort=[alt.SortField("rating")]
    ).transform_calculate(mid="(datum.x0 + datum.x1) / 2").mark_text(fontSize=text_px()).encode(
        y=y, x="mid:Q", text="label:N",
        color=alt.condition("datum.dark", alt.value("#FFFFFF"), alt.value("#000000")))
    liked = f1_favourable_words()   # F1's favourable ratings ("4 or 5"), from its one setting
    fav = (data.filter(pl.col("rating") >= f1_favourable()).group_by("group_label").agg(pl.col("share").sum())
           .sort("group_label"))
    parts = "; ".join(f"{g}: {_pct(v)} rated {liked}" for g, v in fav.iter_rows())
    return _finish(alt.layer(bars, text), "How people rated their experience (1 to 5)",
                   f"Stacked bar chart of feedback ratings by {group_title.lower()}. {parts}.",
                   "Each bar is one group's ratings, from 1 (lowest, left) to 5 (highest, right); "
                   "each part is labelled with the rating and its share. The stakeholder feedback "
                   f"measure (F1) is the share rated {liked}.",
                   height=rows_height(data["group_label"].n_unique()))


def theme_bars(freq: pl.DataFrame, title: str, total_sources: int) -> Figure:
    """One bar per theme: the share of sources (reviews, comments) with the theme at least
    once, labelled with percent and count. `freq` has theme (words), sources."""
    data = freq.with_columns(share=pl.col("sources") / max(total_sources, 1)).with_columns(
        label=(pl.col("share") * 100).round(0).cast(pl.Int64).cast(pl.String) + "% ("
        + pl.col("sources").cast(pl.String) + ")")
    bars = alt.Chart(data).mark_bar(color=PALETTE[0]).encode(
        y=alt.Y("theme:N", title="Theme", sort="-x", axis=row_axis()),
        x=alt.X("share:Q", title=f"Share of the {total_sources:,} sources", axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("theme:N", title="Theme"), alt.Tooltip("sources:Q", title="Sources"),
                 alt.Tooltip("share:Q", title="Share of sources", format=".0%")])
    labels = bars.mark_text(align="left", dx=4, color="#000000").encode(text="label:N")
    parts = ", ".join(f"{t}: {s}" for t, s in data.select("theme", "label").iter_rows())
    return _finish(bars + labels, title, f"Bar chart: {title}. {parts}.",
                   "Each bar is one theme: the share of sources that mention it at least once "
                   "(the number of sources in brackets). Long texts do not count more than short "
                   "ones.", height=rows_height(data.height))


def theme_share_bars(shares: pl.DataFrame, theme_names: dict[str, str], narratives_of: str,
                     compared: bool) -> Figure:
    """One bar per theme that separates narratives: the share of the chosen narratives that
    carry it, labelled "percent (count of n)". With a unit or case type chosen, a black tick
    on each bar marks the whole agency's share of the same narratives. Themes in (nearly)
    every narrative (`everywhere`) are their topic: not drawn, named in the description.

    `shares` is `analysis.reviews.theme_shares`; `narratives_of` says which narratives in
    words ("item 14's narratives", "the narratives of all items")."""
    names = pl.col("code").replace_strict(theme_names, default=pl.col("code"), return_dtype=pl.String)
    data = (shares.filter(~pl.col("everywhere")).with_columns(names.alias("theme"))
            .with_columns(label=(pl.col("share") * 100).round(0).cast(pl.Int64).cast(pl.String) + "% ("
                          + pl.col("narratives_with").cast(pl.String) + " of "
                          + pl.col("narratives").cast(pl.String) + ")"))
    topic = shares.filter(pl.col("everywhere")).with_columns(names.alias("theme"))["theme"].to_list()
    total = int(shares["narratives"].max() or 0) if shares.height else 0
    order = data["theme"].to_list()
    y = alt.Y("theme:N", title="Theme", sort=order, axis=row_axis())
    tooltip = [alt.Tooltip("theme:N", title="Theme"),
               alt.Tooltip("narratives_with:Q", title="Narratives with the theme"),
               alt.Tooltip("share:Q", title="Share of the narratives", format=".0%")]
    if compared:
        tooltip.append(alt.Tooltip("agency_share:Q", title="Whole agency", format=".0%"))
    bars = alt.Chart(data).mark_bar(color=PALETTE[0]).encode(
        y=y, x=alt.X("share:Q", title=f"Share of the {total:,} narratives", axis=alt.Axis(format="%"),
                     scale=alt.Scale(domain=[0, 1])),
        tooltip=tooltip)
    layers = [bars, bars.mark_text(align="left", dx=4, color="#000000").encode(text="label:N")]
    if compared:
        layers.append(alt.Chart(data).mark_tick(color="#000000", thickness=3, size=22).encode(
            y=y, x="agency_share:Q", tooltip=tooltip))
    parts = "; ".join(f"{r['theme']}: {r['label']}" + (f", agency {_pct(r['agency_share'])}" if compared else "")
                      for r in data.iter_rows(named=True))
    desc = f"Bar chart of the themes in {narratives_of}: {parts or 'none'}."
    if topic:
        desc += f" In nearly every one of these narratives, so not drawn: {', '.join(topic)}."
    how = ("Each bar is one theme: the share of the narratives that mention it at least once, with "
           "the count. A narrative is one reviewer's text about one item, so a theme is counted "
           "where it is written about, not once per review.")
    if compared:
        how += (" The black tick is the whole agency's share of the same narratives; a bar well past "
                "its tick means the theme comes up more often here. Small counts differ by chance.")
    return _finish(alt.layer(*layers), f"Themes in {narratives_of}", desc, how,
                   height=rows_height(data.height))


def share_trend_chart(frame: pl.DataFrame, title: str, value_title: str, how_to_read: str) -> Figure:
    """Shares over quarters, one line per series with its own dash and point shape.
    `frame` has period_start, label, series, share, n."""
    series = sorted(frame["series"].unique().to_list())
    dashes = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [4, 4], [1, 3]]
    base = alt.Chart(frame).encode(
        x=alt.X("period_start:T", title="Quarter (first day)", axis=alt.Axis(format="%b %Y")),
        y=alt.Y("share:Q", title=value_title, axis=alt.Axis(format="%")),
        color=alt.Color("series:N", title="", sort=series,
                        scale=alt.Scale(domain=series, range=PALETTE[:len(series)]),
                        legend=alt.Legend(orient="top")),
        strokeDash=alt.StrokeDash("series:N", legend=None, sort=series,
                                  scale=alt.Scale(domain=series, range=dashes[:len(series)])),
        shape=alt.Shape("series:N", legend=None, sort=series),
        tooltip=[alt.Tooltip("label:N", title="Quarter"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("share:Q", title=value_title, format=".0%"),
                 alt.Tooltip("n:Q", title="Out of")])
    chart = base.mark_line(strokeWidth=2) + base.mark_point(filled=True, size=45)
    desc = f"Line chart: {title}, {frame['period_start'].n_unique()} quarters, series {', '.join(series)}."
    return _finish(chart, title, desc, how_to_read)
