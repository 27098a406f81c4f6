"""Streamlit glue shared by the Case reviews, Voices and Codebook pages: cached readers,
the period picker, paged text tables and the coding and sharing controls.

Cached readers take the data version and the coding version (codebook, coding decisions,
sharing approvals) as their first arguments, so a saved decision shows at once. Every
text shown here has passed `qualitative.text_for_audience` for the reader's role.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from cqi_core.analysis import qualitative
from cqi_core.analysis import quotes
from cqi_core.analysis import reviews as rv
from cqi_core.errors import CQIError
from pages import _shared as ui

PAGE_SIZE = 20
_NAME = "coding_user_name"


def versions() -> tuple[str, str]:
    """(data version, coding version): the first arguments of every cached reader here."""
    return ui.data_version(), qualitative.coding_version(ui.store())


@st.cache_data(show_spinner=False)
def review_periods(version: str, grain: str) -> list[rv.ReviewPeriod]:
    return rv.review_periods(ui.store(), grain)


@st.cache_data(show_spinner="Reading the case reviews…")
def rated_items(version: str, start: date | None, end: date | None) -> pl.DataFrame:
    return rv.rated_items(ui.store(), start, end)


@st.cache_data(show_spinner=False)
def rated_outcomes(version: str, start: date, end: date) -> pl.DataFrame:
    return rv.rated_outcomes(ui.store(), start, end)


@st.cache_data(show_spinner=False)
def qa_pairs(version: str, start: date, end: date) -> pl.DataFrame:
    return rv.qa_pairs(ui.store(), start, end)


@st.cache_data(show_spinner=False)
def names(version: str) -> tuple[dict[str, str], dict[str, str]]:
    """(item names, outcome names) from the catalog."""
    return rv.item_names(ui.store()), rv.outcome_names(ui.store())


@st.cache_data(show_spinner=False)
def theme_names(version: str, coding: str) -> dict[str, str]:
    return {t.code: t.name for t in qualitative.load_codebook(ui.store()).themes}


@st.cache_data(show_spinner="Reading the narratives…")
def visible_narratives(version: str, coding: str, role: str, start: date, end: date,
                       units: tuple[str, ...], case_types: tuple[str, ...]) -> pl.DataFrame:
    """The narratives of the selection as this role may read them."""
    frame = quotes.review_narratives(ui.store(), start, end, units=units, case_types=case_types)
    return qualitative.text_for_audience(frame, role, ui.store())


@st.cache_data(show_spinner="Finding the themes…")
def coded(version: str, coding: str, start: date, end: date,
          source_types: tuple[str, ...]) -> pl.DataFrame:
    return qualitative.coded_excerpts(ui.store(), start, end, source_types=list(source_types))


def period_picker(grain_key: str, periods_of) -> rv.ReviewPeriod | None:
    """Grain (fiscal year or quarter) and one period of it, latest first."""
    c1, c2 = st.columns([1, 2])
    grain = c1.radio("Review period", ["fiscal_year", "quarter"], horizontal=True, key=grain_key,
                     format_func={"fiscal_year": "Fiscal year", "quarter": "Quarter"}.get)
    periods = list(reversed(periods_of(grain)))
    if not periods:
        return None
    return c2.selectbox("Period", periods, format_func=lambda p: p.label, key=f"{grain_key}_period")


def show_texts(frame: pl.DataFrame, key: str, columns: dict[str, str], empty: str) -> pl.DataFrame:
    """One page of a text table with a page selector; returns the rows shown."""
    if frame.is_empty():
        st.info(empty)
        return frame
    pages = quotes.page_count(frame.height, PAGE_SIZE)
    c1, c2 = st.columns([1, 3])
    page = c1.number_input(f"Page (of {pages})", min_value=1, max_value=pages, value=1, step=1,
                           key=f"{key}_page")
    c2.caption(f"{frame.height:,} texts; {PAGE_SIZE} a page.")
    shown = quotes.page_of(frame, int(page), PAGE_SIZE)
    cols = [c for c in columns if c in shown.columns]
    dates = [c for c in cols if shown.schema[c] in (pl.Date, pl.Datetime) or isinstance(shown.schema[c], pl.Datetime)]
    shown_cols = shown.with_columns(pl.col(c).dt.strftime("%b %-d, %Y") for c in dates)
    config = {c: columns[c] for c in cols}
    if "text" in config:
        config["text"] = st.column_config.TextColumn(columns["text"], width="large")
    names = [columns[c].lower() for c in cols]
    noun = columns.get("text", "text").lower()
    ui.show_table(shown_cols.select(cols),
                  f"One row per {noun}, page {int(page)} of {pages}: "
                  + (", ".join(names[:-1]) + " and " if len(names) > 1 else "") + f"{names[-1]}.",
                  hide_index=True, width="stretch", column_config=config)
    return shown


def quote(text: str, caption: str) -> None:
    """A quote block with where it comes from."""
    st.markdown("> " + text.replace("\n", "\n> "))
    st.caption(caption)


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
        f"{theme_names_.get(c, c)} ({s})" for c, s in status.items()) or "none yet"))
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
            qualitative.record_decision(store, row["excerpt_id"], row["text_hash"], code, decision, who)
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
            qualitative.approve_for_sharing(ui.store(), row["excerpt_id"], row["text_hash"], who)
        except CQIError as exc:
            st.error(str(exc))
            return
        st.success("Approved for sharing. Stakeholder and youth views may now show it, redacted.")
