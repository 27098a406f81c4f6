"""Streamlit glue for coding qualitative text: who is coding, the theme decisions on one
text, and approving a text for sharing. `cqi_core.record_decision` and
`approve_for_sharing` check and keep each decision."""

from __future__ import annotations

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import CQIError
from pages import _shared as ui


_NAME = "coding_user_name"

def user_name(key: str) -> str:
    """The analyst's name, kept with every decision (asked once per session)."""
    name = st.text_input("Your name (kept with your decisions)", value=st.session_state.get(_NAME, ""),
                         key=f"{key}_name")
    if name.strip():
        st.session_state[_NAME] = name.strip()
    return name.strip()

def coding_controls(row: dict, coded_rows: pl.DataFrame, theme_names_: dict[str, str], key: str) -> None:
    """Confirm, reject or add themes on one excerpt (analysts only)."""
    store = ui.store()
    here = coded_rows.filter(pl.col("excerpt_id") == row["excerpt_id"])
    status = dict(zip(here["code"].to_list(), here["status"].to_list()))
    st.markdown(f"**Themes on this text:** " + (", ".join(
        f"{ui.plain(theme_names_.get(c, c))} ({s})" for c, s in status.items()) or "none yet"))
    who = user_name(key)
    with st.form(f"{key}_form"):
        keep = st.multiselect("Confirm these themes", list(status), default=[c for c, s in status.items() if s != "suggested"],
                              format_func=lambda c: theme_names_.get(c, c))
        drop = st.multiselect("Reject these themes", list(status), format_func=lambda c: theme_names_.get(c, c))
        add = st.multiselect("Add themes", [c for c in theme_names_ if c not in status],
                             format_func=lambda c: theme_names_.get(c, c))
        sent = st.form_submit_button("Save my coding")
    if not sent:
        return
    if not who:
        st.error("Please give your name: it is kept with each decision.")
        return
    try:
        for code, decision in ([(c, "confirm") for c in keep if status.get(c) == "suggested" and c not in drop]
                               + [(c, "reject") for c in drop] + [(c, "add") for c in add]):
            cqi_core.record_decision(store, row["excerpt_id"], row["text_hash"], code, decision, who)
    except CQIError as exc:
        st.error(str(exc))
        return
    st.success("Saved. The themes above now count your decisions.")
    st.rerun()

def sharing_control(row: dict, key: str) -> None:
    """Approve one excerpt for sharing with public audiences (analysts only)."""
    who = user_name(key)
    if st.button("Approve this text for sharing (shown redacted)", key=f"{key}_approve"):
        if not who:
            st.error("Please give your name: it is kept with the approval.")
            return
        try:
            cqi_core.approve_for_sharing(ui.store(), row["excerpt_id"], row["text_hash"], who)
        except CQIError as exc:
            st.error(str(exc))
            return
        st.success("Approved for sharing. Stakeholder and youth views may now show it, redacted.")
