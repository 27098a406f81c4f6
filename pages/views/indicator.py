"""One indicator: definition and method, its trend, and its breakdown by group.

The indicator, the period and the grouping live in the URL (?id=P1&end=2025-09-30&by=unit),
so a copied link reproduces the view.
"""

from datetime import date

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import (breakdown_chart, format_value, how_to_read, indicator_config,
                      indicator_series, period_ending, trend_chart)
from pages import _downloads as dl
from pages import _params as params
from pages import _tables as tables
from pages import _shared as ui

ui.require_router("indicator.py")

GROUP_TITLES = {"unit": "Unit", "region": "Region", "age_group": "Age group", "sex": "Sex",
                "race_ethnicity": "Race/ethnicity", "source_group": "Who gave feedback"}


@st.cache_data(show_spinner="Computing…")
def _breakdown(version: str, iid: str, start: date, end: date, by: str) -> pl.DataFrame:
    return cqi_core.compute(ui.store(), start, end, by=[by], indicators=[iid])


@st.cache_data(show_spinner="Computing the trend…")
def _series(version: str, iid: str, grain: str) -> pl.DataFrame:
    return indicator_series(ui.store(), iid, grain=grain)


catalog = ui.catalog()
config = indicator_config()
family = {i: f for f, c in config.items() for i in c.ids}
ids = catalog.ids
iid = st.selectbox("Indicator", ids, format_func=lambda i: f"{catalog.entry(i).name} ({i})",
                   index=params.choice_index("id", ids, what="measure",
                                             instead="the first measure is shown"))
entry, cfg = catalog.entry(iid), config[family[iid]]
as_of = ui.as_of()
st.title(ui.plain(entry.name))
if as_of is None:
    st.info("No data is loaded yet.")
    st.stop()

try:  # staff: two years of month ends; a public audience: the published periods
    ends = ui.period_ends(cfg.followup, as_of)
except cqi_core.NotPublished as exc:
    st.info(str(exc))
    st.stop()
want_end = params.date_param("end", ends[0], ends)
c1, c2 = st.columns(2)
end = c1.selectbox("12 months ending", ends, index=ends.index(want_end),
                   format_func=lambda d: f"{d:%B %-d, %Y}")
groupings = [g for g in cfg.groupings]
first_by = GROUP_TITLES[groupings[0]].lower()
by = c2.radio("Break down by", groupings, horizontal=True, format_func=GROUP_TITLES.get,
              index=params.choice_index("by", groupings, what="grouping",
                                        instead=f"the breakdown by {first_by} is shown"))
start = period_ending(end)[0]
st.query_params.update({"id": iid, "end": end.isoformat(), "by": by})

st.markdown(f"**What it measures.** {ui.plain(entry.definition)}")
if entry.label:
    st.caption(f"Federal statewide data indicator: {ui.plain(entry.label)}.")
frame = _breakdown(ui.data_version(), iid, start, end, by)
whole = frame.filter(pl.col("group_by") == "all").row(0, named=True)
m = st.columns(3)
m[0].metric(f"{start:%b %Y} – {end:%b %Y}", format_value(entry, whole["value"], short=True),
            help=format_value(entry, whole["value"]))
m[1].metric("Agency standard", format_value(entry, entry.standard, True) if entry.standard is not None else "none set")
m[2].metric("National performance", format_value(entry, entry.national, True) if entry.national is not None else "—")
interval = ("no interval" if whole["ci_low"] is None else
            f"95% interval {format_value(entry, whole['ci_low'], True)} to {format_value(entry, whole['ci_high'], True)}")
den = whole["denominator"]
den_text = f"{den:,.0f}" if float(den).is_integer() else f"{den:,.2f}"
followup = ("" if whole["followup_complete"] else
            " Follow-up is not complete for this period: the figure can still change.")
st.caption(f"{interval}; numerator {whole['numerator']:,.0f} of denominator {den_text}."
           f"{followup} {how_to_read(entry)}")

grain = st.radio("Trend by", ["quarter", "year"], horizontal=True,
                 format_func={"quarter": "Quarters", "year": "Fiscal years (October–September)"}.get)
series = _series(ui.data_version(), iid, grain)
shown = series.filter(pl.col("followup_complete"))
left_out = series.height - shown.height
ui.show_figure(trend_chart(shown, entry), what=f"{entry.name}: trend chart")
if left_out:
    st.caption(f"{left_out} recent period(s) are left out because their follow-up is not complete.")

groups = frame.filter(pl.col("group_by") == by)
if by == "unit" and groups.height:  # units by their names, as on every other page
    names = dict(ui.units().select("unit_id", "unit_name").iter_rows())
    groups = groups.with_columns(pl.col("group_value").replace(names))
if groups.height:
    ui.show_figure(breakdown_chart(groups, entry, GROUP_TITLES[by]),
                   what=f"{entry.name} by {GROUP_TITLES[by].lower()}, {start} to {end}")
    tables.show(groups.select("group_value", "numerator", "denominator", "value", "ci_low", "ci_high",
                              *[c for c in ("suppressed",) if c in groups.columns]),
                  f"One row per {GROUP_TITLES[by].lower()} for {entry.name}, {start} to {end}: "
                  "the group, numerator, denominator, value and its 95% interval (low, high).",
                  entry=entry, column_config={"group_value": GROUP_TITLES[by]})
dl.table_downloads(frame, f"{entry.name}, {start} to {end}", noun="these figures",
                   file_stem=f"{iid}_{start}_{end}")
with st.expander("How it is calculated"):
    st.markdown(ui.plain(entry.methodology))
    for choice in entry.choices:
        st.markdown(f"- {ui.plain(choice)}")
