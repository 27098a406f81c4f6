"""Unit profile: a supervisor's home for their unit. Its measures against the agency with
their chart status, its case review ratings, the themes in its reviews and feedback, and the
joint display that sets each measure beside the review items judging the same practice.
Analysts and supervisors; a supervisor listed for some units opens only those."""

import streamlit as st

import cqi_core
from cqi_core import CQIError
from pages import _casemix_widgets as cm
from pages import _profile_findings as pf
from pages import _profile_widgets as pw
from pages import _shared as ui

ui.require_router("unit_profile.py")

st.title("Unit profile")
st.caption("One unit at a time: what its records say, what its case reviews say, and whether the "
           "two tell the same story. Link to a unit with ?unit=U012.")
unit = pw.choose_unit()
if unit is None:
    st.info("No units are loaded yet. An analyst can load the agency's exports on the "
            "**Import data** page.")
    st.stop()
try:
    p = pw.profile(unit)
except CQIError as exc:
    st.error(str(exc))
    st.stop()

st.subheader(ui.plain(p.unit_name + (f" · {p.region}" if p.region else "")))
st.caption(f"Data as of {p.as_of:%B %-d, %Y}. " + " ".join(p.notes))
pw.label_counts(p)

tabs = st.tabs(["Joint display", "Measures", "Case review items", "Themes"])
with tabs[0]:
    ui.show_figure(cqi_core.joint_display_chart(p.joint), "Joint display of a unit's measures and reviews")
    pf.joint_findings(p)
    with st.expander("How the fit is decided"):
        st.markdown(pw.rule_words())
with tabs[1]:
    pw.indicator_table(p)
    cm.group_table(unit)  # observed and adjusted for case mix, the federal measures
with tabs[2]:
    if p.items.is_empty():
        st.info("No case review of this unit is dated in the period.")
    else:
        ui.show_figure(cqi_core.item_strength_chart(p.items), "Case review items of a unit")
with tabs[3]:
    pf.themes(p)
