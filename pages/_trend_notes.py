"""Streamlit glue for the notes on a trend chart: the phases (baseline frozen, new process) and
the free notes a team keeps beside a chart, with the forms that add and remove them.

Saving goes through `cqi_core.add_note` / `remove_note`, which check the dates and the kind;
the page reruns and `_flash` shows what was saved, once.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import CQIError

from pages import _shared as ui
from pages import _trend_widgets as tw


KIND_WORDS = {"freeze": "Baseline frozen", "split": "New process", "note": "Note"}

_FLASH = "trend_note_saved"

_EDITOR = "trend_note_editor"

def _flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")

def _saved(message: str) -> None:
    st.session_state[_FLASH] = message
    st.rerun()

def _who(key: str) -> str:
    name = st.text_input("Your name (kept with it; leave empty to record your role)",
                         key=key, value=st.session_state.get(_EDITOR, ""))
    if name.strip():
        st.session_state[_EDITOR] = name.strip()
    return name.strip() or ui.role()

def _note_rows(notes: pl.DataFrame, kinds: tuple[str, ...], grain: str, key: str) -> None:
    rows = notes.filter(pl.col("kind").is_in(list(kinds)))
    if rows.is_empty():
        st.caption("None yet.")
        return
    for r in rows.iter_rows(named=True):
        left, right = st.columns([6, 1])
        scope = " (every chart)" if r["indicator_id"] == "*" else ""
        left.markdown(f"**{KIND_WORDS[r['kind']]}: {cqi_core.period_label(r['note_date'], grain)}**"
                      f"{scope}: {ui.plain(r['text'])}  \n"
                      f"_Recorded by {ui.plain(r['saved_by'])} on {r['saved_at']:%B %-d, %Y}._")
        if right.button("Remove", key=f"{key}_remove_{r['note_id']}"):
            cqi_core.remove_note(ui.store(), r["note_id"], st.session_state.get(_EDITOR) or ui.role())
            _saved("Removed. The chart is drawn without it.")

def _add(view: tw.View, when: date, kind: str, text: str, who: str, done: str) -> None:
    try:
        cqi_core.add_note(ui.store(), view.indicator_id, view.group_by, view.group_value, when,
                          kind, text, who)
    except CQIError as exc:
        st.error(str(exc))
    else:
        _saved(done)

def phases_editor(view: tw.View, chart: cqi_core.TrendChart, notes: pl.DataFrame) -> None:
    """Freeze the baseline or split the chart at a date, with a required reason."""
    _flash()
    with st.expander("Baseline and phases", expanded=not notes.filter(
            pl.col("kind").is_in(["freeze", "split"])).is_empty()):
        st.caption("**Freeze the baseline** before a change you are testing: the centre line and "
                   "limits of the periods before it carry on, so you can see whether the change "
                   "moved the process. **Split** once a change is accepted and lasting: the chart "
                   "starts a new centre line and limits from that date. Both need a reason.")
        _note_rows(notes, ("freeze", "split"), chart.grain, "phase")
        starts = chart.points["period_start"].to_list()[2:]
        if not starts:
            return
        with st.form("trend_phase_form", clear_on_submit=True):
            kind = st.radio("What to do", ["freeze", "split"], horizontal=True,
                            key="phase_kind",
                            format_func={"freeze": "Freeze the baseline before this period",
                                         "split": "Start a new process from this period"}.get)
            when = st.selectbox("Period", starts, index=len(starts) // 2, key="phase_period",
                                format_func=lambda d: cqi_core.period_label(d, chart.grain))
            why = st.text_area("Why (required)", key="phase_why",
                               placeholder="For example: weekly visit huddles started in "
                                           "this unit in March.")
            who = _who("trend_phase_who")
            if st.form_submit_button("Save"):
                _add(view, when, kind, why, who, "Saved. The chart now uses it.")

def notes_editor(view: tw.View, chart: cqi_core.TrendChart, notes: pl.DataFrame) -> None:
    """Dated notes on the chart (a training, a policy change, a staffing gap)."""
    with st.expander("Notes on dates"):
        _note_rows(notes, ("note",), chart.grain, "note")
        with st.form("trend_note_form", clear_on_submit=True):
            starts = chart.points["period_start"].to_list()
            when = st.selectbox("Period", starts, index=len(starts) - 1, key="note_period",
                                format_func=lambda d: cqi_core.period_label(d, chart.grain))
            text = st.text_area("Note (required)", key="note_text",
                                placeholder="For example: two caseworkers left the unit; "
                                            "their cases were shared out.")
            who = _who("trend_note_who")
            if st.form_submit_button("Add the note"):
                _add(view, when, "note", text, who, "Note added.")
