"""Streamlit glue of the What changed cards: one card per measure and group (its strongest
recent signal), the top ones first, the rest grouped by whose chart behind "Show all", and
the full list as a table, each card linking to its chart on the Trends page."""

from __future__ import annotations

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import VARIATION_ICONS, Catalog
from pages import _nav as nav
from pages import _tables as tables
from pages import _shared as ui
from pages import _trend_widgets as tw

SYMBOLS = {"concern": VARIATION_ICONS["special_cause_concern"][0],
           "improvement": VARIATION_ICONS["special_cause_improvement"][0], "neutral": "◆"}
"""The mark of each kind of card."""


def _when(row: dict, grain: str) -> str:
    unit = "month" if grain == "month" else "quarter"
    a, b = (cqi_core.period_label(row[c], grain) for c in ("signal_start", "signal_end"))
    span = a if a == b else f"{a} to {b}"
    ago = row["periods_ago"]
    if ago == 0:
        return f"{span} · up to the latest {unit} on its chart"
    return f"{span} · ended {ago} {unit}{'' if ago == 1 else 's'} before the latest on its chart"


def change_cards(found: pl.DataFrame, catalog: Catalog, grain: str, preset: str,
                 key: str) -> None:
    """One card per chart (a row of the scan with `strongest_only`), in the order given:
    measure, group, its strongest signal, when, a link. Cards carry the CSS class
    `st-key-<key>-<rank>` (rank from 1)."""
    if found.is_empty():
        st.caption("None in these periods.")
        return
    for rank, row in enumerate(found.iter_rows(named=True), start=1):
        entry = catalog.entry(row["indicator_id"])
        with st.container(border=True, key=f"{key}-{rank}"):
            st.markdown(f"**{entry.name}** · {tw.label(row['group_by'], row['group_value'])}")
            more = row["signals"] - 1
            also = f" · {more} more signal{'' if more == 1 else 's'} on this chart" if more else ""
            st.markdown(f"{SYMBOLS[row['direction']]} {row['sentence']}  \n"
                        f":gray[{_when(row, grain)}{also}]")
            st.page_link(nav.script("trends.py"), label=f"Open the chart ({row['chart']})",
                         icon=":material/show_chart:", query_params={
                             "id": row["indicator_id"], "by": row["group_by"],
                             "group": row["group_value"], "grain": grain, "rules": preset})


def top_cards(found: pl.DataFrame, top: dict[str, int]) -> dict[str, pl.DataFrame]:
    """The cards shown first: per direction, the `top[direction]` strongest."""
    return {d: found.filter(pl.col("direction") == d).head(top.get(d, 0))
            for d in ("concern", "improvement", "neutral")}


def show_all(found: pl.DataFrame, shown: dict[str, pl.DataFrame], catalog: Catalog,
             grain: str, preset: str) -> None:
    """The cards not shown first, behind "Show all", grouped by whose chart: the agency,
    then each region, then each unit (by name), strongest first within each."""
    seen = pl.concat([p.select("indicator_id", "group_by", "group_value")
                      for p in shown.values()])
    rest = found.join(seen, on=["indicator_id", "group_by", "group_value"], how="anti",
                      maintain_order="left")
    if rest.is_empty():
        return
    order = {"all": 0, "region": 1, "unit": 2}
    groups = sorted({(b, v) for b, v in rest.select("group_by", "group_value").iter_rows()},
                    key=lambda g: (order.get(g[0], 3), tw.label(*g)))
    with st.expander(f"Show all: {rest.height} more chart{'' if rest.height == 1 else 's'} "
                     "with signals, by whose chart"):
        for i, (by, value) in enumerate(groups):
            mine = rest.filter((pl.col("group_by") == by) & (pl.col("group_value") == value))
            st.markdown(f"##### {tw.label(by, value)} ({mine.height})")
            change_cards(mine, catalog, grain, preset, key=f"rest-{i}")


def full_list(found: pl.DataFrame, catalog: Catalog, grain: str, preset: str) -> None:
    """Every card in one table, with a link to its chart."""
    if found.is_empty():
        return
    names = {e.id: e.name for e in catalog}
    # Labels are worked out here, on the script's own thread: a polars callback runs on a
    # worker thread, where who is looking (the session and its headers) cannot be read.
    whose = pl.DataFrame(
        [{"group_by": b, "group_value": v, "Whose": tw.label(b, v)}
         for b, v in found.select("group_by", "group_value").unique().iter_rows()],
        schema={"group_by": pl.String, "group_value": pl.String, "Whose": pl.String})
    table = found.join(whose, on=["group_by", "group_value"], how="left", maintain_order="left")
    table = table.with_row_index("Rank", offset=1).select(
        "Rank",
        pl.col("direction").replace_strict({"concern": "needs attention", "improvement":
                                            "improvement", "neutral": "change"}).alias("Kind"),
        pl.col("indicator_id").replace_strict(names, default=None).alias("Measure"),
        "Whose",
        pl.col("sentence").alias("What the chart shows"),
        pl.col("chart").alias("Chart"),
        ("trends?id=" + pl.col("indicator_id") + "&by=" + pl.col("group_by") + "&group="
         + pl.col("group_value").str.replace_all(" ", "+") + f"&grain={grain}&rules={preset}")
        .alias("Link"))
    with st.expander(f"The full list as a table ({found.height} charts)"):
        tables.show(table, "One row per chart, most important first: its rank, whether it "
                      "needs attention or is an improvement, the measure, whose chart it is, what "
                      "the chart shows and a link to the chart.",
                      hide_index=True, width="stretch", column_config={
                          "Link": st.column_config.LinkColumn("Chart link", display_text="open")})
