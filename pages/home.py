"""Home: what agency is loaded, how many children are in care, and what came in lately."""

from datetime import date

import polars as pl
import streamlit as st

import cqi_core
from cqi_core.charts import in_care_by_region_chart, monthly_flow_chart
from pages import _shared as ui

ui.require_router()


@st.cache_data(show_spinner=False)
def _summary(version: str):
    return cqi_core.agency_summary(ui.store())


@st.cache_data(show_spinner=False)
def _flow(version: str, start: date, as_of: date) -> pl.DataFrame:
    return cqi_core.monthly_flow(ui.store(), start, as_of)


st.title("Continuous quality improvement dashboard")
st.write(
    "One place where the agency's numbers and the voices behind them sit side by side: data "
    "from the case management system, case reviews and feedback from youth, families, "
    "caregivers, partners and staff, so that supervisors, staff and stakeholders can see what "
    "is working, what is not, and whether a change made a difference.")

s = _summary(ui.data_version())
if s.as_of is None:
    st.info("No data is loaded yet. An analyst can load the agency's exports on the "
            "**Import data** page, or with `python -m cqi_core import FOLDER`.")
    st.stop()

st.subheader(f"The agency as of {s.as_of:%B %-d, %Y}")
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("Children in care now", f"{s.children_in_care:,}",
          help="Children with a removal episode open on the as-of date.")
c2.metric("Came into care, last 12 months", f"{s.entries_12m:,}",
          help="Removal episodes that started in the 12 months ending on the as-of date.")
c3.metric("Left care, last 12 months", f"{s.exits_12m:,}",
          help="Removal episodes that ended in the 12 months ending on the as-of date.")
c4.metric("Units", f"{s.n_units:,}", help="Offices or supervisory units in the units table.")
c5.metric("Regions", f"{s.n_regions:,}", help="Counties or regions the units belong to.")

if s.last_import is not None:
    li = s.last_import
    st.caption(f"Last import: {li['when']:%B %-d, %Y at %H:%M} ({li['mode']}, {li['outcome']}), "
               f"{li['rows_accepted']:,} rows accepted, {li['rows_rejected']:,} rejected. "
               f"The as-of date is the latest date present in the event tables unless an analyst set it.")

left, right = st.columns([3, 2])
with left:
    start = date(s.as_of.year - 3, s.as_of.month, 1)
    ui.show_figure(monthly_flow_chart(_flow(ui.data_version(), start, s.as_of)))
with right:
    ui.show_figure(in_care_by_region_chart(s.children_in_care_by_region))
