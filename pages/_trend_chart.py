"""Streamlit glue for what sits around one trend chart: its icons, the signal lists, the
references of its measure and the table of its points."""

from __future__ import annotations

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import CatalogEntry, RULE_WORDS, format_display
from pages import _tables as tables
from pages import _shared as ui


@st.cache_data(show_spinner=False)
def _latest(version: str, indicator_id: str, group_by: str, group_value: str):
    return cqi_core.latest_figure(ui.store(), indicator_id, group_by, group_value)


def icons(entry: CatalogEntry, chart: cqi_core.TrendChart, variation: tuple[str, str],
          assurance: tuple[str, str], view) -> None:
    """The latest point, the latest 12 months as every other page shows them (the shared
    `latest_figure`: the scorecard's figure, change and verdict), what the variation says
    and whether the standard will be met."""
    last = chart.points.row(chart.points.height - 1, named=True)
    c = st.columns(4)
    when = cqi_core.period_label(last["period_start"], chart.grain)
    what = "Latest gap between events, to" if chart.chart == "g" else "Latest point:"
    c[0].caption(f"{what} {when}" + (" (provisional)" if last["provisional"] else ""))
    c[0].markdown(f"**{chart.value_text(entry, last['value'])}**")
    fig = _latest(ui.data_version(), view.indicator_id, view.group_by, view.group_value)
    c[1].caption(f"12 months to {fig.period_end:%B %Y}, as on the scorecard")
    shown = cqi_core.TOO_FEW if fig.too_small else cqi_core.format_value(entry, fig.value)
    verdict = cqi_core.verdict_words(fig.verdict, entry, fig.suppressed, fig.too_small)
    c[1].markdown(f"**{shown}**: {verdict}; {cqi_core.change_verdict_words(fig.change_verdict)}")
    c[2].caption("Variation (the latest period)")
    c[2].markdown(f"**{variation[0]} {variation[1]}**")
    c[3].caption("Against the agency standard")
    c[3].markdown(f"**{assurance[0]} {assurance[1]}**")

def signal_lists(chart: cqi_core.TrendChart, symbols: dict[str, str]) -> None:
    """Every signal as one sentence, newest first: concerns, improvements, other changes."""
    if not chart.signals:
        st.markdown("**No signals.** The ups and downs are what chance alone would give.")
        return
    for direction, title in (("concern", "Needs attention"), ("improvement", "Improvements"),
                             ("neutral", "Changes (neither way is better)")):
        found = [s for s in reversed(chart.signals) if s.direction == direction]
        if found:
            st.markdown(f"**{title} ({len(found)})**")
            st.markdown("\n".join(f"- {symbols[direction]} {s.sentence}" for s in found))

def references(entry: CatalogEntry) -> str:
    """The standard and the national reference in one plain sentence."""
    way = {"higher": "higher is better", "lower": "lower is better",
           "none": "neither higher nor lower is better"}[entry.direction]
    text = (f"The agency standard is {format_display(entry, entry.standard)} ({way})."
            if entry.standard is not None else f"The agency has not set a standard ({way}).")
    text += (f" National performance is {format_display(entry, entry.national)}."
             if entry.national is not None else " There is no national reference for this measure.")
    return text

def points_table(chart: cqi_core.TrendChart, entry: CatalogEntry) -> None:
    """The plotted points as a table, on the same scale as the chart."""
    k = chart.scale(entry)
    value = "Periods without an event" if chart.chart == "g" else "Value"
    table = chart.points.select(
        pl.col("period_start").map_elements(lambda d: cqi_core.period_label(d, chart.grain),
                                            return_dtype=pl.String).alias("Period"),
        pl.col("numerator").alias("Numerator"), pl.col("denominator").alias("Denominator"),
        (pl.col("value") * k).round(2).alias(value), (pl.col("cl") * k).round(2).alias("Centre"),
        (pl.col("lcl") * k).round(2).alias("Lower limit"),
        (pl.col("ucl") * k).round(2).alias("Upper limit"),
        pl.when(pl.col("provisional")).then(pl.lit("provisional, not judged"))
        .otherwise(pl.col("rule").replace_strict(RULE_WORDS, default="")).alias("Signal"))
    with st.expander("The plotted points (table)"):
        tables.show(table, f"One row per {chart.grain} plotted for "
                             f"{entry.name}: the period, numerator, denominator, "
                             f"{value.lower()}, centre line, lower and upper limits and any "
                             "signal.",
                      hide_index=True, width="stretch")
