"""Streamlit glue shared by the Mission alignment and Indicator catalog pages.

Both pages read the catalog, the agency's values and the current results, and an edit on
either changes what the other shows (a new standard changes a value's status). So their
cached readers live here, keyed by the data version and by an edit counter kept in session
state; `saved` bumps the counter, clears these caches and reruns, so the new version shows
at once (the data version changes with every saved edit too, so other pages follow). The
edit forms are in `_catalog_forms`.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import CQIError, value_history
from pages import _tables as tables
from pages import _shared as ui

_EDITS = "mission_catalog_edits"
_FLASH = "mission_catalog_saved"
_EDITOR = "mission_catalog_editor"

_NO_RESULTS = pl.DataFrame(schema={"indicator_id": pl.String, "value": pl.Float64})

KIND_WORDS = {"value": "value", "practice_standard": "practice standard"}
def edits() -> int:
    """How many edits this session has saved (part of every cache key here)."""
    return st.session_state.get(_EDITS, 0)


@st.cache_data(show_spinner=False)
def _catalog(version: str, edits: int):
    return cqi_core.load_catalog(ui.store())


@st.cache_data(show_spinner=False)
def _values(version: str, edits: int):
    return cqi_core.load_values(ui.store())


@st.cache_data(show_spinner="Computing the current results…")
def _results(version: str, edits: int) -> pl.DataFrame:
    return cqi_core.build_scorecard(ui.store())


@st.cache_data(show_spinner=False)
def _entry_history(version: str, edits: int, entry_id: str) -> pl.DataFrame:
    return cqi_core.history(ui.store(), entry_id)


@st.cache_data(show_spinner=False)
def _value_history(version: str, edits: int, value_id: str) -> pl.DataFrame:
    return value_history(ui.store(), value_id)


def catalog():
    """The catalog with saved edits (cached)."""
    return _catalog(ui.data_version(), edits())


def values():
    """The agency's values with saved edits (cached)."""
    return _values(ui.data_version(), edits())


def results() -> pl.DataFrame:
    """The scorecard: each measure's latest complete period (no rows when there is no data)."""
    try:
        card = _results(ui.data_version(), edits())
    except CQIError as exc:
        st.error(f"The current results could not be computed: {exc}")
        card = pl.DataFrame()
    return card if card.height else _NO_RESULTS


def entry_history(entry_id: str) -> pl.DataFrame:
    """Every version of one catalog entry, newest first (cached)."""
    return _entry_history(ui.data_version(), edits(), entry_id)


def value_versions(value_id: str) -> pl.DataFrame:
    """Every version of one agency value, newest first (cached)."""
    return _value_history(ui.data_version(), edits(), value_id)


def saved(message: str) -> None:
    """After a save: bump the edit counter, drop cached results, say so after the rerun."""
    st.session_state[_EDITS] = edits() + 1
    for cached in (_catalog, _values, _results, _entry_history, _value_history):
        cached.clear()
    st.session_state[_FLASH] = message
    st.rerun()


def show_saved() -> None:
    """The message of the save that led to this run, once."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def status_summary(row: dict) -> str:
    """A value's measures in words ("10 measures: 1 meets the standard, 8 with an opportunity
    to improve, 1 with no standard yet"), from a row of `mission.value_status`."""
    n = row["measures"]
    if not n:
        return "not measured yet"
    parts = [f"{row['meeting']} {'meets' if row['meeting'] == 1 else 'meet'} the standard",
             f"{row['not_meeting']} with an opportunity to improve",
             f"{row['no_standard']} with no standard yet", f"{row['no_data']} with no data yet"]
    counts = (row["meeting"], row["not_meeting"], row["no_standard"], row["no_data"])
    said = [p for p, c in zip(parts, counts) if c]
    return f"{n} measure{'s' if n != 1 else ''}: " + ", ".join(said)


def history_table(frame: pl.DataFrame) -> None:
    """A version history, newest first."""
    tables.show(frame.select("version", "date", "what", "why", "by", "source"),
                  "One row per saved version, newest first: the version number, its date, what "
                  "changed, why, who made the change and where the version is kept.",
                  hide_index=True, width="stretch",
                  column_config={"version": "Version", "what": "What changed",
                                 "date": st.column_config.DateColumn("Date", format="MMM D, YYYY"),
                                 "why": "Why", "by": "By", "source": "Kept in"})


# ---- catalog entries ----------------------------------------------------------------------

# ---- agency values ------------------------------------------------------------------------
