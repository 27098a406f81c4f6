"""Streamlit glue of the case-mix-adjusted figures: the O/E funnel of the Compare units page
and the observed-and-adjusted table of the unit profile and the scorecard. Every figure,
sentence and rule comes from the core (`cqi_core.compare_adjusted`, `group_adjusted`,
`never_words`); the core applies the publication's rules for public audiences.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import CQIError, NotPublished
from pages import _shared as ui

VIEWS = {"observed": "Observed", "adjusted": "Adjusted for case mix"}
READINGS = {"better": "better", "worse": "worse", "chance": "within chance"}


@st.cache_data(show_spinner="Adjusting every unit for case mix…")
def _compare(version: str, iid: str, start: date, end: date, by: str, method: str, od: str):
    return cqi_core.compare_adjusted(ui.store(), iid, start, end, by, method, od)


@st.cache_data(show_spinner="Adjusting the figures for case mix…")
def _group(version: str, group: str, by: str) -> pl.DataFrame:
    return cqi_core.group_adjusted(ui.store(), group, by)


def compare_view(iid: str, start: date, end: date, by: str, method: str, od: str) -> None:
    """The adjusted half of the Compare units page: the O/E funnel, what it shows, the table."""
    if iid not in cqi_core.CASEMIX_INDICATORS:
        st.info("Case-mix adjustment is made for the seven federal measures "
                f"({', '.join(cqi_core.CASEMIX_INDICATORS)}) only; this measure is shown as "
                "observed.")
        return
    try:
        c = _compare(ui.data_version(), iid, start, end, by, method, od)
    except CQIError as exc:
        st.info(str(exc))
        return
    period = f"{start:%B %Y} to {end:%B %Y}"
    st.markdown(f"**Adjusted for {cqi_core.adjuster_words(iid)}.** {cqi_core.never_words()}")
    ui.show_figure(cqi_core.oe_funnel_figure(c, period),
                   what=f"Funnel plot of observed over expected: {c.entry.name} by {by}, {period}")
    st.subheader("What the funnel shows")
    st.markdown("\n".join(f"- {s}" for s in c.sentences))
    rows = c.table.filter(pl.col("group_by") == by)
    table = rows.select(
        pl.col("group_value").replace_strict(c.labels, default=pl.col("group_value"))
        .alias(by.capitalize()),
        pl.col("group_value").alias("Id"),
        pl.col("numerator").alias("Observed count"),
        pl.col("expected").round(1).alias("Expected count"),
        pl.col("observed").map_elements(lambda v: cqi_core.format_value(c.entry, v),
                                        return_dtype=pl.String).alias("Observed"),
        pl.col("oe_ratio").round(2).alias("Observed over expected"),
        pl.col("oe_low").round(2).alias("95% lower"), pl.col("oe_high").round(2).alias("95% upper"),
        pl.col("adjusted_value").map_elements(lambda v: cqi_core.format_value(c.entry, v),
                                              return_dtype=pl.String).alias("Adjusted"))
    st.subheader(f"Every {by}, by {by} id")
    ui.show_table(table, f"One row per {by} for {c.entry.name}, {period}: the observed and "
                  "expected counts, the observed figure, observed over expected with its 95% "
                  "interval, and the adjusted figure (observed over expected times the "
                  "agency's figure). Hidden figures are empty.", hide_index=True, width="stretch")
    with st.expander("How the adjustment is made"):
        st.markdown(
            "- **Expected.** A model fitted on every child the measure counts across the agency "
            "gives each child the chance of the outcome (or, for a rate, the events per day) "
            f"that children of the same age group have across the agency; a {by}'s expected "
            "count is the sum over its children. Age is taken on "
            f"{cqi_core.casemix_settings().age_at[iid]}.\n"
            "- **Observed over expected.** 1 means the unit does as the agency's rates would "
            "have it do with its children. Its 95% interval is exact (Poisson, on the observed "
            "count).\n"
            "- **Adjusted figure.** Observed over expected times the agency's observed figure, "
            "as the Children's Bureau's risk-standardized performance does for states.\n"
            f"- **Never race or ethnicity.** {cqi_core.never_words()}\n"
            "- **The rules** are in `cqi_core/analysis/casemix.yaml`; the limits follow the "
            "same rules as the observed funnel (compare.yaml).")


def group_table(group: str, by: str = "unit", heading: str = "Observed and adjusted for case mix") -> None:
    """One unit's (or region's) observed and adjusted figures on the federal measures, with
    the sentence where they disagree."""
    try:
        t = _group(ui.data_version(), group, by)
    except (CQIError, NotPublished) as exc:
        st.info(str(exc))
        return
    if t.is_empty():
        return
    st.subheader(heading)
    table = t.select(
        pl.col("measure").alias("Measure"),
        pl.format("{} to {}", pl.col("period_start").dt.strftime("%b %Y"),
                  pl.col("period_end").dt.strftime("%b %Y")).alias("Period"),
        pl.col("observed_text").alias("Observed"), pl.col("agency_text").alias("Agency"),
        pl.col("observed_reading").replace_strict(READINGS, default="—").alias("Observed against the agency"),
        pl.col("adjusted_text").alias("Adjusted"), pl.col("oe_text").alias("Observed over expected (95%)"),
        pl.col("adjusted_reading").replace_strict(READINGS, default="—").alias("Adjusted against the agency"))
    ui.show_table(table, "One row per federal measure: its period, the observed figure, the "
                  "agency's, how the observed figure compares with the agency's, the figure "
                  "adjusted for case mix, observed over expected with its 95% interval, and "
                  "how the adjusted figure compares.", hide_index=True, width="stretch")
    for sentence in t["sentence"].drop_nulls().to_list():
        st.markdown(f"- {sentence}")
    st.caption("Adjusted for the age of the children each measure counts, as the Children's "
               f"Bureau adjusts states' figures. {cqi_core.never_words()} "
               "A dash means the figure is hidden or there is no one to count.")
