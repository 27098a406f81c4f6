"""Streamlit glue shared by the pages: the store, cached accessors, common widgets.

Pages call only public `cqi_core` names; this module is the one place that knows how
Streamlit caches and shows them.
"""

from __future__ import annotations

import json
import os
import threading
import weakref
from pathlib import Path

# Imported whole before any page runs: Streamlit imports pandas lazily on a script thread
# (tables), while Altair, on another session's thread, finds the half-imported module in
# sys.modules and fails ("partially initialized module 'pandas'").
import pandas  # noqa: F401
import streamlit as st

import cqi_core
from cqi_core import CQIError, Figure, Viewer
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
        st.title(_nav.title_of(page))
        st.error(REFUSED)
        st.info(_nav.not_for_you(page, _nav.title_of(page), role()), icon=":material/lock:")
        st.stop()


REFUSED = "This page is for other people, so it is not part of your view of the dashboard."
"""What a page started on its own says to an audience it does not serve (then whom it is
for); through the router the person reads `for_others` instead."""


def for_others(page: str, title: str):
    """What the router shows at the address of `page` (a file in `_nav.PAGES`, called
    `title`) to a person whose audience it does not serve: whom it is for, and a way on."""
    def draw() -> None:
        st.title(title)
        st.info(_nav.not_for_you(page, title, role()), icon=":material/lock:")
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
    if _kept(s, "needs_sample", cqi_core.needs_sample):
        bar = st.progress(0.0, text="Setting up: loading the sample agency…")

        def progress(message: str, fraction: float) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=f"Setting up the sample agency: {message}")

        try:
            cqi_core.ensure_database(db_path(), progress=lambda m, f: progress(m, 0.3 * f))
            # the public figures and every trend series, so no later visitor waits for them
            cqi_core.refresh(s, progress=lambda m, f: progress(m, 0.3 + 0.7 * f))
        except CQIError as exc:
            st.error(f"The sample agency could not be loaded: {exc}")
        bar.empty()  # no cache to clear: the import changed the data version every key holds
    return s


_keys: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_keys_lock = threading.Lock()


def _kept(s, name: str, read):
    """`read(s)` (a key or flag read from the data: the data version, the coding version),
    read once per store generation: it changes only when a change is saved through the store
    or another file is swapped in (`Store.generation`), so a page shown again asks the
    database nothing to know that its cached results are current."""
    gen = s.generation
    with _keys_lock:
        held = _keys.get(s)
        if held is None or held[0] != gen:
            held = _keys[s] = (gen, {})
        if name in held[1]:
            return held[1][name]
    value = read(s)
    with _keys_lock:
        if s.generation == gen:  # not kept when a change landed while it was read
            held[1][name] = value
    return value


def _viewer_key(v: Viewer) -> str:
    """The viewer's part of every cache key: the audience and the exact units (JSON, so no
    unit name can read as another list of units, nor as "every unit")."""
    return json.dumps([v.role, list(v.units) if v.units is not None else None])


def data_version() -> str:
    """Changes whenever an import lands or an edit is saved, and differs by viewer (audience
    and units): the first argument of every cached result, so caches follow the data, never
    mix two databases, and never hand one viewer's result to another. An import makes new
    keys, so no cache needs clearing; read from the database once per change (`_kept`)."""
    return f"{_kept(_database(), 'data_version', cqi_core.data_version)}|{_viewer_key(viewer())}"


def coding_version() -> str:
    """`cqi_core.coding_version`, read once per change of the database (a cache key)."""
    return _kept(_database(), "coding_version", cqi_core.coding_version)


def approvals_version() -> str:
    """`cqi_core.approvals_version`, read once per change of the database (a cache key)."""
    return _kept(_database(), "approvals_version", cqi_core.approvals_version)


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


# The sidebar and the cached readers live in their own modules (this one stays short); pages
# reach them here as before: ui.sidebar(), ui.units(), ui.catalog(), ui.as_of() ...
from pages._sidebar import sidebar  # noqa: E402,F401
from pages._readers import (agency_strip, as_of, catalog, period_ends,  # noqa: E402,F401
                            series_ready, units)
