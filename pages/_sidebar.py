"""The shared sidebar: who is looking, the demo-mode banner, the "View as" picker, the guide
for agencies and what is loaded."""

from __future__ import annotations

import os

import streamlit as st

from pages import _identity


_PREVIEW = {"analyst": "Everything (analyst)", "supervisor": "A supervisor",
            "stakeholder": "A stakeholder meeting", "youth": "A youth advisory board"}


def sidebar() -> None:
    """The shared sidebar: who is looking, the demo-mode banner, and what is loaded."""
    from pages import _shared as ui  # imported when called: _shared re-exports this module
    v = ui.viewer()
    _identity.own()  # read here, not in the sidebar: a note on the link's "View as" is the page's
    with st.sidebar:
        if v.source == "pinned":
            st.info(f"**{_PREVIEW[v.role]}** view: figures for everyone, with small numbers "
                    "hidden to protect privacy.", icon=":material/groups:")
            return
        if v.source == "demo":
            st.warning("**Demo mode**: no sign-in is configured, so you see everything as an "
                       "analyst. Do not load real case data on a shared machine in this mode.",
                       icon=":material/lock_open:")
        else:
            st.caption(f"Signed in as {v.name} ({v.role}"
                       + (f", units {', '.join(v.units)}" if v.units else "") + ")")
            if v.source == "oidc":
                st.button("Sign out", on_click=st.logout)
        _preview_picker()
        _guide_link()
        if not v.public:
            st.caption(f"Database: `{ui.db_path()}`")


def _guide_link() -> None:
    """The guide for agencies: a link where CQI_DOCS_URL publishes docs/, else its path."""
    if base := os.environ.get("CQI_DOCS_URL", "").strip().rstrip("/"):
        st.link_button("Guide for agencies", f"{base}/FOR_AGENCIES.md", icon=":material/help:")
    else:
        st.caption("Guide for agencies: `docs/FOR_AGENCIES.md` in the dashboard's source.")


def _preview_picker() -> None:
    """Let a person see the app as an audience with less detail (never more). The choice is
    kept in the link (`?view_as=`, `pages._identity`), so a reload or a shared link keeps it."""
    options = _identity.previews(_identity.own())
    if len(options) < 2:
        return
    st.selectbox("View as", options, key=_identity.PARAM, format_func=_PREVIEW.get,
                 help="See what each audience sees. Public views hide small numbers, case "
                      "lists and any text not approved for sharing. The choice is kept in the "
                      "page's address, so a reload or a shared link keeps it.")
