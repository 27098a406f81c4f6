"""Improvement cycles (plan-do-study-act): the list, a form to record one, and the study of a
cycle (?cycle=3 in the URL): its measures with the baseline frozen at the start, whether a
signal of improvement appeared, a segmented regression, and "you said, we did".

Analysts and supervisors (for their own units) record and edit cycles; stakeholders read
the aims, dates, roles of those who took part, decisions and the aggregate study, with
small numbers hidden. Youth are not served here: the study speaks in control limits and
regression intervals, and the youth view has its own plain-language pages.
"""

import streamlit as st

import cqi_core
from cqi_core import CQIError
from pages import _approval_widgets as ap
from pages import _cycle_forms as fw
from pages import _cycle_study_widgets as sw
from pages import _improvement_widgets as w
from pages import _shared as ui

ui.require_router("improvement.py")

st.title("Improvement cycles")
st.caption("Plan a change, try it, study what happened, then adopt, adapt or abandon it. "
           + ("Each cycle is a change the agency tried, to make one of its measures better."
              if ui.viewer().public else
              "Each cycle's dates show on the trend charts of its measures."))
fw.flash()
viewer = ui.viewer()
settings = cqi_core.improvement_settings()
chosen = w.chosen_cycle()

if chosen is None:
    shown = [s for s in settings.statuses if not (viewer.public and s == "withdrawn")]
    statuses = st.multiselect("Status", shown, format_func=settings.statuses.get,
                              placeholder="Every status")
    w.cycle_list(cqi_core.list_cycles(ui.store(), status=statuses or None), viewer.public,
                 filtered=bool(statuses))
    if cqi_core.may_edit_cycle(viewer):
        with st.expander("Record a new cycle", expanded=False):
            fw.cycle_form(viewer)
    st.stop()

try:
    cycle = cqi_core.load_cycle(ui.store(), chosen)
except CQIError as exc:
    st.error(str(exc))
    st.stop()
if st.button("Back to every cycle", icon=":material/arrow_back:"):
    del st.query_params["cycle"]
    st.rerun()
w.header(cycle, viewer.public)
editor = cqi_core.may_edit_cycle(viewer, cycle)
if editor:
    with st.expander("Edit this cycle"):
        fw.cycle_form(viewer, cycle)
ap.approve_control(cqi_core.cycle_approval_items(cycle), f"approve_cycle_{cycle.cycle_id}")

st.header("Study")
grain = st.radio("Periods", list(w.GRAINS), format_func=w.GRAINS.get, horizontal=True,
                 key="imp_grain")
study = w.study(cycle, grain)
if study is None:
    st.stop()
if study.as_of is None:
    st.info("No data is loaded yet, so the cycle cannot be studied.")
    st.stop()
st.caption(f"The baseline is the periods before {study.first_post:%B %Y}, when the cycle began; "
           "its centre line and limits carry on, so a shift after the start shows as a signal. "
           + study.parametrisation)
if not study.panels:
    st.info("This cycle has no measure to study.")
measures, units = w.names()
tabs = st.tabs([f"{measures.get(p.indicator_id, p.indicator_id)} · "
                f"{units.get(p.group_value, 'whole agency')}" for p in study.panels] or ["—"])
for tab, p in zip(tabs, study.panels):
    with tab:
        sw.panel(p, study, viewer.public)

st.header("You said, we did")
sw.you_said_we_did(study, viewer.public)

if editor:
    st.header("Act")
    fw.act_form(viewer, cycle)
if not viewer.public:
    w.history(cycle.cycle_id)
