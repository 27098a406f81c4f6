"""The forms of the Improvement cycles page: record or edit a cycle, and record its decision.

The forms only collect what the person typed; `cqi_core` checks it (an empty aim, an end
before the start, a unit outside a supervisor's own) and stores it, and the form shows its
message. After a save the page reruns and `flash` shows the message once.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import CQIError, Viewer
from pages import _improvement_widgets as w
from pages import _shared as ui

_FLASH = "improvement_saved"


def flash() -> None:
    """Show the message of the last save, once."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def _saved(message: str, cycle_id: int | None = None) -> None:
    st.session_state[_FLASH] = message
    if cycle_id is not None:
        st.query_params["cycle"] = str(cycle_id)
    st.rerun()


def _who(viewer: Viewer, key: str) -> str:
    if viewer.source in ("oidc", "proxy"):
        return viewer.name
    name = st.text_input("Your name (kept with the change; leave empty to record your role)",
                         key=key)
    return name.strip() or viewer.role


def _participants_editor(cycle: cqi_core.Cycle | None, key: str) -> list[dict]:
    roles = cqi_core.improvement_settings().roles
    rows = [{"name": p.name, "role": p.role} for p in (cycle.participants if cycle else ())]
    edited = ui.edit_table(
        pl.DataFrame(rows, schema={"name": pl.String, "role": pl.String}),
        "One row per person or group taking part: a name (optional) and their role; add or "
        "remove rows here.", key=key,
        num_rows="dynamic", hide_index=True, width="stretch",
        column_config={"name": st.column_config.TextColumn(
                           "Name or group", help="May be left empty; never shown publicly."),
                       "role": st.column_config.SelectboxColumn(
                           "Role", options=list(roles), format_func=roles.get, required=True)})
    return [r for r in pl.DataFrame(edited).to_dicts() if r.get("role")]


def cycle_form(viewer: Viewer, cycle: cqi_core.Cycle | None = None) -> None:
    """The form that records a new cycle (cycle None) or saves an edit of one."""
    settings = cqi_core.improvement_settings()
    measures, units = w.names()
    allowed = list(units) if viewer.units is None else [u for u in units if u in viewer.units]
    key = f"imp_form_{cycle.cycle_id if cycle else 'new'}"
    with st.form(key, clear_on_submit=cycle is None):
        title = st.text_input("Title", value=cycle.title if cycle else "", key=f"{key}_title",
                              placeholder="For example: weekly visit huddles in North Metro")
        aim = st.text_area("Aim: what will improve, by how much, by when",
                           value=cycle.aim if cycle else "", key=f"{key}_aim")
        change = st.text_area("Change idea: what you will try", key=f"{key}_change",
                              value=cycle.change_idea if cycle else "")
        prediction = st.text_area("Prediction: what you expect to see", key=f"{key}_prediction",
                                  value=cycle.prediction if cycle else "")
        c1, c2 = st.columns(2)
        chosen_measures = c1.multiselect("Measures to study", list(measures),
                                         default=list(cycle.indicators) if cycle else [],
                                         format_func=measures.get, key=f"{key}_measures")
        chosen_units = c2.multiselect(
            "Units" + (" (yours)" if viewer.units is not None else " (none: the whole agency)"),
            allowed, default=[u for u in (cycle.units if cycle else ()) if u in allowed],
            format_func=units.get, key=f"{key}_units")
        d1, d2, d3 = st.columns(3)
        start = d1.date_input("Start date", value=cycle.start_date if cycle else date.today(),
                              key=f"{key}_start")
        end = d2.date_input("End date (optional)", value=cycle.end_date if cycle else None,
                            key=f"{key}_end")
        statuses = list(settings.statuses)
        status = d3.selectbox("Status", statuses, format_func=settings.statuses.get,
                              index=statuses.index(cycle.status) if cycle else 0,
                              key=f"{key}_status")
        plan = st.text_area("Plan: who does what, when, and how it is measured",
                            value=cycle.plan if cycle else "", key=f"{key}_plan")
        reason = ""
        notes = cycle.study_notes if cycle else ""
        if cycle:
            notes = st.text_area("Study notes", value=cycle.study_notes, key=f"{key}_notes")
            reason = st.text_input("Reason, if withdrawn", value=cycle.status_reason,
                                   key=f"{key}_reason")
        st.caption("Who took part (add a row per person or group; stakeholders included):")
        people = _participants_editor(cycle, f"{key}_people")
        user = _who(viewer, f"{key}_who")
        if not st.form_submit_button("Save the cycle" if cycle else "Record the cycle"):
            return
    fields = dict(title=title, aim=aim, change_idea=change, prediction=prediction,
                  indicators=tuple(chosen_measures), units=tuple(chosen_units), start_date=start,
                  end_date=end, status=status, plan=plan, study_notes=notes,
                  status_reason=reason, participants=tuple(people))
    try:
        if cycle is None:
            saved = cqi_core.create_cycle(ui.store(), cqi_core.Cycle(**fields), user)
            _saved(f"Cycle {saved.cycle_id} recorded. Its dates now show on the trend charts "
                   "of its measures.", saved.cycle_id)
        else:
            cqi_core.update_cycle(ui.store(), cycle.cycle_id, fields, user, base_version=cycle.version)
            _saved("Saved. The change is kept in the cycle's history.", cycle.cycle_id)
    except CQIError as exc:  # AccessDenied included
        st.error(str(exc))


def act_form(viewer: Viewer, cycle: cqi_core.Cycle) -> None:
    """Adopt, adapt or abandon, with what the team saw."""
    decisions = cqi_core.improvement_settings().act_decisions
    with st.form("imp_act"):
        current = list(decisions).index(cycle.act_decision) if cycle.act_decision else None
        decision = st.radio("Decision", list(decisions), index=current,
                            format_func=decisions.get, key="imp_act_decision")
        notes = st.text_area("What the team saw (study notes)", value=cycle.study_notes,
                             key="imp_act_notes")
        user = _who(viewer, "imp_act_who")
        if not st.form_submit_button("Record the decision"):
            return
    try:
        cqi_core.update_cycle(ui.store(), cycle.cycle_id,
                              {"act_decision": decision, "study_notes": notes, "status": "done"},
                              user, base_version=cycle.version)
        _saved("Decision recorded; the cycle is done.", cycle.cycle_id)
    except CQIError as exc:
        st.error(str(exc))
