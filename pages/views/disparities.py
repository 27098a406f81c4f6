"""Disparities: how each group of children fares on one measure, against a reference.

The measure, period, grouping and reference live in the URL (?id=P1&end=2025-09-30
&by=race_ethnicity&ref=agency). The core computes each group's ratio to the reference with
its 95% interval, words it, and releases the table for the viewer's audience.
"""

from datetime import date

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import CQIError, disparity_figure, display_scale
from pages import _downloads as dl
from pages import _params as params
from pages import _tables as tables
from pages import _shared as ui

ui.require_router("disparities.py")


@st.cache_data(show_spinner="Comparing the groups…")
def _table(version: str, iid: str, start: date, end: date, by: str, ref: str) -> pl.DataFrame:
    return cqi_core.disparities(ui.store(), iid, start, end, by, ref)


@st.cache_data(show_spinner=False)
def _periods(version: str, iid: str) -> list[tuple[date, date]]:
    return cqi_core.compare_periods(ui.store(), iid)


st.title("Disparities")
st.caption("Do some groups of children fare differently? Each group's figure is set against "
           "the whole agency (or one group), as a ratio with its 95% interval.")
if ui.as_of() is None:
    st.info("No data is loaded yet.")
    st.stop()

version = ui.data_version()
catalog = ui.catalog()
top = st.columns([3, 2])
ids = cqi_core.disparity_indicators()
iid = top[0].selectbox("Measure", ids, format_func=lambda i: f"{catalog.entry(i).name} ({i})",
                       index=params.choice_index("id", ids, what="measure",
                                                 instead="the first measure is shown"))
try:  # staff: the latest complete 12 months and those before; the public: published ones
    spans = _periods(version, iid)
except CQIError as exc:
    st.info(str(exc))
    st.stop()
ends = [e for _, e in spans]
wanted = params.date_param("end", ends[0], ends)
end = top[1].selectbox("12 months ending", ends, index=ends.index(wanted),
                       format_func=lambda d: f"{d:%B %-d, %Y}",
                       help="The first choice is the latest 12 months whose follow-up is complete.")
start = spans[ends.index(end)][0]
row = st.columns([3, 2])
bys = cqi_core.disparity_groupings(iid)
first_by = cqi_core.GROUPING_WORDS[bys[0]].lower()
by = row[0].radio("Groups", bys, format_func=cqi_core.GROUPING_WORDS.get, horizontal=True,
                  index=params.choice_index("by", bys, what="grouping",
                                            instead=f"the groups by {first_by} are shown"))
refs = ["agency", *[g for g in cqi_core.DISPARITY_GROUP_WORDS[by] if g != "unknown"]]
ref = row[1].selectbox("Compare with", refs, format_func=lambda g: "The whole agency"
                       if g == "agency" else cqi_core.disparity_group_label(by, g),
                       index=params.choice_index("ref", refs, what="comparison group",
                                                 instead="each group is set against the "
                                                         "whole agency"))
st.query_params.update({"id": iid, "end": end.isoformat(), "by": by, "ref": ref})

try:
    frame = _table(version, iid, start, end, by, ref)
except CQIError as exc:
    st.info(str(exc))
    st.stop()
entry = catalog.entry(iid)
period = f"{start:%B %Y} to {end:%B %Y}"
ui.show_figure(disparity_figure(frame, entry, ref, period),
               what=f"Disparities: {entry.name} by {by}, {period}")
st.markdown("\n".join(f"- {s}" for s in cqi_core.describe_disparities(frame, entry, ref)))

k = display_scale(entry)
table = frame.select(
    pl.col("group_value").map_elements(lambda g: cqi_core.disparity_group_label(by, g),
                                       return_dtype=pl.String).alias("Group"),
    "numerator", "denominator", "value", "ci_low", "ci_high",
    pl.col("ratio").round(2).alias("Ratio"), pl.col("ratio_low").round(2).alias("Ratio from"),
    pl.col("ratio_high").round(2).alias("Ratio to"), pl.col("reading").alias("Reading"))
st.subheader("Every group")
tables.show(table, f"One row per group ({cqi_core.GROUPING_WORDS[by].lower()}) for "
              f"{entry.name}, {period}: the group, numerator, denominator, value and its 95% "
              "interval, the ratio to "
              + ("the whole agency" if ref == "agency" else cqi_core.disparity_group_label(by, ref))
              + " with its interval, and the reading in words.", entry=entry)
dl.table_downloads(table, f"Disparities: {entry.name} by {by}, {period}", noun="the table",
                   file_stem=f"disparities_{iid}_{by}_{end}")
with st.expander("How the ratios and intervals are worked out"):
    st.markdown(
        "- **Ratio**: the group's figure divided by the reference's; 1 means the same.\n"
        "- **Against another group**: the 95% interval is the usual one for two separate groups "
        "(the Katz log risk-ratio interval for percentages, the log rate-ratio interval for "
        "rates).\n"
        "- **Against the whole agency**: the agency includes the group, so the two figures "
        "share children; the interval allows for that by treating the group and the rest of "
        "the agency as the two separate parts.\n"
        "- **No events** in a group gives a ratio of 0 with no interval.\n"
        "- A difference is not a cause: it is a question to take to the case reviews and to "
        "the people the figures describe.")
