"""Streamlit glue for approving staff-written text for public audiences, where it is edited
(an improvement cycle, a deck). The core lists the texts (`cycle_approval_items`,
`deck_approval_items`) and records each decision (`approve_text`, `revoke_text`, analysts
only); this control shows each exact text as written and a box to tick per text."""

from __future__ import annotations

import streamlit as st

import cqi_core
from cqi_core import CQIError
from pages import _shared as ui

_FLASH = "approvals_saved"


def approve_control(items: tuple[cqi_core.ApprovalItem, ...], key: str) -> None:
    """"Approve for public sharing": one box per text (ticked when its exact text is
    approved now), and a button that records what changed. Analysts only."""
    if ui.role() != "analyst":
        return
    with st.expander("Approve for public sharing", icon=":material/public:"):
        done = st.session_state.pop(_FLASH, None)
        if done:
            st.success(done)
        if not items:
            st.caption("There is no text here to approve.")
            return
        st.caption("Stakeholders and youth read a text only once an analyst approved that "
                   "exact text; any edit withdraws the approval. Names, phone numbers and "
                   "addresses are still masked for them.")
        wanted, version = {}, cqi_core.approvals_version(ui.store())
        for n, it in enumerate(items):  # keyed by the version: boxes follow a saved decision
            wanted[it] = st.checkbox(
                f"{it.label}" + (" (approved)" if it.approved else ""), value=it.approved,
                key=f"{key}_{it.field}_{version}_{n}")
            st.markdown(ui.plain(it.text))
        if st.button("Save approvals", key=f"{key}_save", type="primary"):
            _save(wanted)


def _save(wanted: dict) -> None:
    who = ui.viewer().name or ui.role()
    changed = 0
    try:
        for it, want in wanted.items():
            if want and not it.approved:
                cqi_core.approve_text(ui.store(), it.kind, it.item, it.field, it.text, who)
            elif it.approved and not want:
                cqi_core.revoke_text(ui.store(), it.kind, it.item, it.field, who, text=it.text)
            else:
                continue
            changed += 1
    except CQIError as exc:  # AccessDenied included
        st.error(str(exc))
        return
    st.session_state[_FLASH] = (f"Saved: {changed} approval(s) changed." if changed
                                else "Nothing changed.")
    st.rerun()
