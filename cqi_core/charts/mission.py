"""What the mission alignment page draws: each value's measures and how they are doing.

`value_measures` lays the current results (the scorecard) beside the alignment of values
and measures, one row per value × measure with its figure and status in words, so that a
page can list a value's measures without knowing how a review item maps to its strength
rate.
`value_status_chart` draws `mission.value_status` as one bar per value, cut into the
measures that meet their standard, show an opportunity to improve, have no standard yet or
no data. Every segment carries its count and its status in words and the segments differ
by outline as well as colour, so the chart reads in greyscale and on a projector. A value
with no measure gets a line of text in the chart instead of an empty row.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from cqi_core.charts.base import PALETTE, Figure, _finish
from cqi_core.indicators.catalog import Catalog
from cqi_core.indicators.display import format_value, status_words
from cqi_core.analysis.mission import _REVIEW_FAMILY

STATUSES = ("meeting", "not_meeting", "no_standard", "no_data")
"""The status columns of `mission.value_status`, in the order the bars are cut."""

STATUS_WORDS = {"meeting": "meet the standard", "not_meeting": "show an opportunity to improve",
                "no_standard": "have no standard yet", "no_data": "have no data yet"}
"""How each status reads after "measures that …": supportive, never a verdict."""

_SHORT = {"meeting": "meet", "not_meeting": "to improve", "no_standard": "no standard",
          "no_data": "no data"}
_FILL = {"meeting": PALETTE[2], "not_meeting": PALETTE[1], "no_standard": PALETTE[4],
         "no_data": "#FFFFFF"}
_DASH = {"meeting": [1, 0], "not_meeting": [1, 0], "no_standard": [6, 3], "no_data": [2, 2]}

VALUE_MEASURES_SCHEMA = {"value_id": pl.String, "measure_id": pl.String,
                         "indicator_id": pl.String, "measure_name": pl.String,
                         "measure_kind": pl.String, "value_text": pl.String,
                         "standard_text": pl.String, "status": pl.String}


def value_measures(alignment: pl.DataFrame, results: pl.DataFrame,
                   catalog: Catalog) -> pl.DataFrame:
    """Each value's measures with their current figure and status, in alignment order.

    Args:
        alignment: the frame from `mission.alignment`.
        results: one row per indicator with indicator_id and value (the scorecard: the
            latest complete period); may be empty when no data is loaded.
        catalog: the catalog (units, standards, directions).

    Returns:
        Columns value_id, measure_id (as alignment shows it: "P1", or "13" for review item
        13), indicator_id (the catalog id: "P1", "Q1.13"), measure_name, measure_kind,
        value_text, standard_text and status (the scorecard's supportive words). Values
        with no measure have no rows.
    """
    now = dict(zip(results["indicator_id"].to_list(), results["value"].to_list())) \
        if "indicator_id" in results.columns else {}
    rows = []
    for r in alignment.filter(pl.col("measure_id").is_not_null()).iter_rows(named=True):
        iid = (f"{_REVIEW_FAMILY}.{r['measure_id']}" if r["measure_kind"] == "review_item"
               else r["measure_id"])
        entry, value = (catalog.entry(iid), now.get(iid)) if iid in catalog else (None, None)
        rows.append({"value_id": r["value_id"], "measure_id": r["measure_id"],
                     "indicator_id": iid, "measure_name": r["measure_name"],
                     "measure_kind": r["measure_kind"],
                     "value_text": format_value(entry, value) if entry else "—",
                     "standard_text": (format_value(entry, entry.standard, short=True) if entry
                                       and entry.standard is not None else "none set"),
                     "status": status_words(entry.meets(value), entry) if entry
                     else "no data for this period"})
    return pl.DataFrame(rows, schema=VALUE_MEASURES_SCHEMA)


def _segments(status: pl.DataFrame) -> pl.DataFrame:
    """One row per value × status with a count above zero, with where its segment starts/ends."""
    rows = []
    for r in status.iter_rows(named=True):
        start = 0
        for s in STATUSES:
            n = int(r[s] or 0)
            if n <= 0:
                continue
            rows.append({"value_name": r["value_name"], "status": STATUS_WORDS[s], "key": s,
                         "count": n, "start": start, "end": start + n,
                         "label": f"{n}\n{'meets' if s == 'meeting' and n == 1 else _SHORT[s]}"})
            start += n
    return pl.DataFrame(rows, schema={"value_name": pl.String, "status": pl.String,
                                      "key": pl.String, "count": pl.Int64, "start": pl.Int64,
                                      "end": pl.Int64, "label": pl.String})


def value_status_chart(status: pl.DataFrame) -> Figure:
    """One bar per value, cut by how its measures are doing against their standards.

    Args:
        status: the frame from `mission.value_status` (value_name, measures, meeting,
            not_meeting, no_standard, no_data).
    """
    order = status["value_name"].to_list()
    seg = _segments(status)
    unmeasured = status.filter(pl.col("measures") == 0).select(
        "value_name", pl.lit("no measure yet").alias("label"))
    words = [STATUS_WORDS[s] for s in STATUSES]
    y = alt.Y("value_name:N", title="Value or practice standard", sort=order,
              scale=alt.Scale(domain=order), axis=alt.Axis(labelLimit=260))
    bars = alt.Chart(seg).mark_bar(stroke="#000000", strokeWidth=1).encode(
        y=y,
        x=alt.X("start:Q", title="Number of measures", axis=alt.Axis(tickMinStep=1)),
        x2="end:Q",
        color=alt.Color("status:N", title="Measures that", sort=words,
                        scale=alt.Scale(domain=words, range=[_FILL[s] for s in STATUSES]),
                        legend=alt.Legend(orient="top", labelLimit=0)),
        strokeDash=alt.StrokeDash("status:N", title="Measures that", sort=words,
                                  scale=alt.Scale(domain=words,
                                                  range=[_DASH[s] for s in STATUSES])),
        tooltip=[alt.Tooltip("value_name:N", title="Value"),
                 alt.Tooltip("status:N", title="Measures that"),
                 alt.Tooltip("count:Q", title="Number of measures")])
    labels = alt.Chart(seg).transform_calculate(mid="(datum.start + datum.end) / 2").mark_text(
        color="#000000", fontSize=12, lineBreak="\n", baseline="middle", dy=-6).encode(
        y=y, x="mid:Q", text="label:N")
    gaps = alt.Chart(unmeasured).mark_text(
        align="left", dx=4, fontSize=12, fontWeight="bold", color="#000000").encode(
        y=y, x=alt.datum(0), text="label:N")

    parts = []
    for r in status.iter_rows(named=True):
        if not r["measures"]:
            parts.append(f"{r['value_name']}: no measure yet")
            continue
        said = [f"{r[s]} {STATUS_WORDS[s]}" for s in STATUSES if r[s]]
        parts.append(f"{r['value_name']}: {r['measures']} measures ({', '.join(said)})")
    desc = ("Bar chart of the agency's values and practice standards, one bar per value, cut "
            "by how many of its measures meet their standard, show an opportunity to improve, "
            "have no standard yet or have no data. " + "; ".join(parts) + ".")
    return _finish(bars + labels + gaps, "How the measures of each value are doing", desc,
                   "Each bar is one value; its length is the number of measures that speak to "
                   "it. Each piece is labelled with its count and what it means: meet the "
                   "standard (solid), opportunity to improve (solid), no standard yet (dashed "
                   "outline), no data yet (dotted outline, white). A value marked \"no measure "
                   "yet\" has nothing that measures it.",
                   # Streamlit fits the whole chart (title, legend, axis) into the height.
                   height=180 + 44 * max(len(order), 1))
