"""Streamlit glue shared by the pages: the store, cached accessors, common widgets.

Pages call only public `cqi_core` names; this module is the one place that knows how
Streamlit caches and shows them.
"""

from __future__ import annotations

import os
from pathlib import Path

# Imported whole before any page runs: Streamlit imports pandas lazily on a script thread
# (tables), while Altair, on another session's thread, finds the half-imported module in
# sys.modules and fails ("partially initialized module 'pandas'").
import pandas  # noqa: F401
import streamlit as st

import cqi_core
from cqi_core import AUDIENCES, PUBLIC_AUDIENCES, CQIError, Figure, Viewer, suppression_words
from pages import _identity, _nav
from pages._text import plain  # noqa: F401  (pages show typed text with ui.plain)

# The page scripts live in pages/views/. Streamlit's older multipage style (used until
# st.navigation first runs) looks only at pages/*.py beside the main script, where there is
# only this glue, never in sub-folders: a page is reached through the router's st.Page
# objects. A script can still be started on its own (`streamlit run pages/views/x.py`, a
# test), so every page also calls `require_router` with its own name: access never depends
# on the router alone.


def begin_run() -> None:
    """Called by app.py at the start of every run, on the script's thread: the run goes
    through the router, and who is looking is worked out now, once, for the whole run."""
    _identity.begin(routed=True)
    viewer()


def require_router(page: str) -> None:
    """Make a page safe however it was started: sidebar shown, other roles refused.

    `page` is the page's file name in `_nav.PAGES` (one table for the router and the
    pages), which says the audiences it serves; a name the table lacks is a mistake."""
    roles = _nav.roles_of(page)
    if roles is None:
        raise ValueError(f"{page!r} is not in the page table (pages/_nav.py)")
    if not _identity.routed():  # started on its own: this run's identity starts here
        _identity.begin(routed=False)
        sidebar()
    if role() not in roles:
        st.error("This page is not available to your role.")
        st.stop()


def for_others(page: str, title: str):
    """What the router shows at the address of `page` (a file in `_nav.PAGES`, called
    `title`) to a person whose audience it does not serve: whom it is for, and a way on."""
    def draw() -> None:
        st.title(title)
        st.info(f"**{title}** is a page for {_nav.for_whom(page)}, so it is not part of your "
                "view of the dashboard. Your pages are listed in the menu.", icon=":material/lock:")
        landing = next(iter(_nav.served(role()).values()))[0]
        st.page_link(_nav.script(landing[0]), label=f"Go to {landing[1]}",
                     icon=":material/arrow_forward:")
    return draw


def db_path() -> Path:
    """The database this app works on (`CQI_DB` or data/cqi.duckdb)."""
    return cqi_core.default_db_path()


@st.cache_resource(show_spinner=False)
def _store(path: str):
    return cqi_core.open_store(path)


def store():
    """The store handle this page may use: the process-wide database, bound to the viewer so
    the core releases only what their audience may see. On first run, loads the sample
    agency with a progress bar."""
    return cqi_core.Handle(_database(), viewer())


def _database():
    try:
        s = _store(str(db_path()))
        if s.closed:  # closed by someone else in this process (a command, a test): reopen
            _store.clear()
            s = _store(str(db_path()))
        s.refresh()  # an import or another app swapped in a new file: reopen on it
    except CQIError as exc:  # e.g. the file is held by a running import
        st.error(f"The database cannot be opened. {exc}")
        st.stop()
    if cqi_core.needs_sample(s):
        bar = st.progress(0.0, text="Setting up: loading the sample agency…")

        def progress(message: str, fraction: float) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=f"Setting up the sample agency: {message}")

        try:
            cqi_core.ensure_database(db_path(), progress=lambda m, f: progress(m, 0.3 * f))
            # the public figures and every trend series, so no later visitor waits for them
            cqi_core.refresh(s, progress=lambda m, f: progress(m, 0.3 + 0.7 * f))
        except CQIError as exc:
            st.error(f"The sample agency could not be loaded: {exc}")
        bar.empty()
        st.cache_data.clear()
    return s


def data_version() -> str:
    """Changes whenever an import lands or an edit is saved, and differs by audience: the
    first argument of every cached result, so caches follow the data, never mix two
    databases, and never hand one audience's result to another."""
    v = viewer()
    units = ",".join(v.units) if v.units else ("all" if v.units is None else "none")
    return f"{cqi_core.data_version(_database())}|{v.role}|{units}"


def viewer() -> Viewer:
    """Who is looking: the platform's identity (sign-in or a trusted proxy header), the
    pinned public audience (`CQI_AUDIENCE`), or the local demo as analyst. A person may
    preview an audience with less detail than their own ("View as" in the sidebar); nothing
    here can add detail. Stops the page with a sign-in button when nobody is signed in.
    Worked out once per run on the script's thread (`pages._identity`)."""
    return _identity.seen()


def role() -> str:
    """The viewer's audience: analyst, supervisor, stakeholder or youth."""
    return viewer().role


_PREVIEW = {"analyst": "Everything (analyst)", "supervisor": "A supervisor",
            "stakeholder": "A stakeholder meeting", "youth": "A youth advisory board"}


def sidebar() -> None:
    """The shared sidebar: who is looking, the demo-mode banner, and what is loaded."""
    v = viewer()
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
            st.caption(f"Database: `{db_path()}`")


def _guide_link() -> None:
    """The guide for agencies: a link where CQI_DOCS_URL publishes docs/, else its path."""
    if base := os.environ.get("CQI_DOCS_URL", "").strip().rstrip("/"):
        st.link_button("Guide for agencies", f"{base}/FOR_AGENCIES.md", icon=":material/help:")
    else:
        st.caption("Guide for agencies: `docs/FOR_AGENCIES.md` in the dashboard's source.")


def _preview_picker() -> None:
    """Let a person see the app as an audience with less detail (never more)."""
    own = _identity.own()
    if own.role in PUBLIC_AUDIENCES:
        return
    options = list(AUDIENCES)[list(AUDIENCES).index(own.role):]
    st.selectbox("View as", options, key="view_as", format_func=_PREVIEW.get,
                 help="See what each audience sees. Public views hide small numbers, case "
                      "lists and any text not approved for sharing.")


@st.cache_data(show_spinner=False)
def _agency_summary(version: str):
    return cqi_core.agency_summary(store())


def agency_strip():
    """The loaded agency in one row of figures (as-of date, in care, flow, units, last import).

    Returns the summary, or None (after saying so) when no data is loaded.
    """
    s = _agency_summary(data_version())
    if s.as_of is None:
        st.info("No data is loaded yet. An analyst can load the agency's exports on the "
                "**Import data** page, or with `python -m cqi_core import FOLDER`.")
        return None
    st.subheader(f"The agency as of {s.as_of:%B %-d, %Y}")
    c = st.columns(3 if s.suppressed else 5)
    c[0].metric("Children in care now", count_text(s.children_in_care),
                help="Children with a removal episode open on the as-of date.")
    c[1].metric("Came into care, last 12 months", count_text(s.entries_12m),
                help="Removal episodes that started in the 12 months ending on the as-of date.")
    c[2].metric("Left care, last 12 months", count_text(s.exits_12m),
                help="Removal episodes that ended in the 12 months ending on the as-of date.")
    if s.suppressed:
        st.caption(suppression_words())
        return s
    c[3].metric("Units", f"{s.n_units:,}", help="Offices or supervisory units in the units table.")
    c[4].metric("Regions", f"{s.n_regions:,}", help="Counties or regions the units belong to.")
    if s.last_import is not None:
        li = s.last_import
        st.caption(f"Last import: {li['when']:%B %-d, %Y at %H:%M} ({li['mode']}, {li['outcome']}), "
                   f"{li['rows_accepted']:,} rows accepted, {li['rows_rejected']:,} rejected.")
    return s


def count_text(n) -> str:
    """A count for display: a masked count (None) reads as hidden, never as digits. (A masked
    count is not always small: some are hidden only so that a small one cannot be worked out.)"""
    return "Hidden" if n is None else f"{n:,}"


def show_figure(fig: Figure, what: str | None = None) -> None:
    """Render a chart with its 'how to read this' line and its description for screen readers;
    with `what` (the chart in words, for the export log), PNG and SVG downloads under it."""
    st.altair_chart(fig.chart, width="stretch")
    st.caption(f"**How to read this:** {fig.how_to_read}")
    with st.expander("Chart description (text alternative)"):
        st.write(fig.description)
    if what:
        from pages import _downloads  # imported here: it imports this module
        _downloads.chart_downloads(fig, what)


def show_table(frame, description: str, **kwargs):
    """Render a table under a one-sentence caption saying what its rows and columns are (the
    table's accessible description); keyword arguments go to `st.dataframe` unchanged, and its
    return value (a selection event when `on_select` is set) comes back."""
    st.caption(f"**Table:** {description}")
    return st.dataframe(frame, **kwargs)


def edit_table(frame, description: str, **kwargs):
    """`show_table` for an editable table: the caption, then `st.data_editor`; returns the
    edited frame."""
    st.caption(f"**Table:** {description}")
    return st.data_editor(frame, **kwargs)


def env_flag(name: str) -> bool:
    """True when an environment variable is set to a true-looking value."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}
