"""Cached readers of the loaded data for the pages (the agency strip, the catalog, units,
the as-of date, the period ends, whether the series are ready), each keyed by data version.
`_shared` re-exports them, so pages call ui.units(), ui.catalog() and so on."""

from __future__ import annotations

import streamlit as st

import cqi_core
from cqi_core import suppression_words


def _ui():
    from pages import _shared  # imported when called: _shared re-exports this module
    return _shared


@st.cache_data(show_spinner=False)
def _agency_summary(version: str):
    return cqi_core.agency_summary(_ui().store())


@st.cache_data(show_spinner=False)
def _catalog(version: str):
    return cqi_core.load_catalog(_ui().store())


@st.cache_data(show_spinner=False)
def _as_of(version: str):
    return cqi_core.as_of_date(_ui().store())


@st.cache_data(show_spinner=False)
def _units(version: str):
    return cqi_core.unit_list(_ui().store())


@st.cache_data(show_spinner=False)
def _period_ends(version: str, followup, as_of):
    return cqi_core.period_ends(_ui().store(), followup, as_of)


def units():
    """Every unit with its name and region (`cqi_core.unit_list`), cached by data version."""
    return _units(_ui().data_version())


def period_ends(followup, as_of):
    """`cqi_core.period_ends` for this viewer, cached by data version (an audience's
    `NotPublished` is raised again each time, never kept)."""
    return _period_ends(_ui().data_version(), followup, as_of)


def catalog():
    """The indicator catalog with its saved edits (`cqi_core.load_catalog`), cached by data
    version: catalog edits change the version, so a saved edit shows at once."""
    return _catalog(_ui().data_version())


def as_of():
    """The as-of date of the loaded data (`cqi_core.as_of_date`), cached by data version."""
    return _as_of(_ui().data_version())


def series_ready(grain: str) -> bool:
    """`cqi_core.series_ready` for this data version; a yes is kept until the database
    changes (a no is asked again each run: the refresh may write the series at any time)."""
    s = _ui()._database()
    gen, name = s.generation, f"series_ready:{grain}"
    with _ui()._keys_lock:
        held = _ui()._keys.get(s)
        if held is not None and held[0] == gen and held[1].get(name):
            return True
    ready = cqi_core.series_ready(s, grain)
    if ready:
        _ui()._kept(s, name, lambda _s: True)
    return ready


def agency_strip():
    """The loaded agency in one row of figures (as-of date, in care, flow, units, last import).

    Returns the summary, or None (after saying so) when no data is loaded.
    """
    s = _agency_summary(_ui().data_version())
    if s.as_of is None:
        st.info("No data is loaded yet. An analyst can load the agency's exports on the "
                "**Import data** page, or with `python -m cqi_core import FOLDER`.")
        return None
    st.subheader(f"The agency as of {s.as_of:%B %-d, %Y}")
    c = st.columns(3 if s.suppressed else 5)
    c[0].metric("Children in care now", _ui().count_text(s.children_in_care),
                help="Children with a removal episode open on the as-of date.")
    c[1].metric("Came into care", _ui().count_text(s.entries_12m),
                help="Removal episodes that started in the 12 months ending on the as-of date.")
    c[2].metric("Left care", _ui().count_text(s.exits_12m),
                help="Removal episodes that ended in the 12 months ending on the as-of date.")
    # Short labels fit a shared 1280 px screen; the period is said once, here.
    st.caption(f"Came into care and left care: the 12 months to {s.as_of:%B %-d, %Y}.")
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
