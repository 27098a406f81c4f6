"""Agency overview: the loaded agency, and children coming into and leaving care over time."""

from datetime import date

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import in_care_by_region_chart, monthly_flow_chart
from pages import _shared as ui

ui.require_router("home.py")


@st.cache_data(show_spinner=False)
def _flow(version: str, start: date, as_of: date) -> pl.DataFrame:
    return cqi_core.monthly_flow(ui.store(), start, as_of)


st.title("Agency overview")
st.write(
    "One place where the agency's numbers and the voices behind them sit side by side: data "
    "from the case management system, case reviews and feedback from youth, families, "
    "caregivers, partners and staff, so that supervisors, staff and stakeholders can see what "
    "is working, what is not, and whether a change made a difference.")

s = ui.agency_strip()
if s is None:
    st.stop()
st.caption("The as-of date is the latest date present in the event tables unless an analyst set it.")

left, right = st.columns([3, 2])
with left:
    start = date(s.as_of.year - 3, s.as_of.month, 1)
    ui.show_figure(monthly_flow_chart(_flow(ui.data_version(), start, s.as_of)))
with right:
    ui.show_figure(in_care_by_region_chart(s.children_in_care_by_region))
