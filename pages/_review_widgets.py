"""Streamlit glue shared by the Case reviews, Voices and Codebook pages: cached readers,
the period picker and paged text tables (the coding and sharing controls are in
`_coding_widgets`).

Cached readers take the data version and the coding version (codebook, coding decisions,
sharing approvals) as their first arguments, so a saved decision shows at once. Every
text shown here has passed `qualitative.text_for_audience` for the reader's role.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

import cqi_core
from pages import _shared as ui, _tables as tables

PAGE_SIZE = 20
def versions() -> tuple[str, str]:
    """(data version, coding version): the first arguments of every cached reader here."""
    return ui.data_version(), ui.coding_version()


@st.cache_data(show_spinner=False)
def review_periods(version: str, grain: str) -> list[cqi_core.ReviewPeriod]:
    return cqi_core.review_periods(ui.store(), grain)


@st.cache_data(show_spinner="Reading the case reviews…")
def rated_items(version: str, start: date | None, end: date | None) -> pl.DataFrame:
    return cqi_core.rated_items(ui.store(), start, end)


@st.cache_data(show_spinner=False)
def rated_outcomes(version: str, start: date, end: date) -> pl.DataFrame:
    return cqi_core.rated_outcomes(ui.store(), start, end)


@st.cache_data(show_spinner=False)
def qa_pairs(version: str, start: date, end: date) -> pl.DataFrame:
    return cqi_core.qa_pairs(ui.store(), start, end)


@st.cache_data(show_spinner=False)
def names(version: str) -> tuple[dict[str, str], dict[str, str]]:
    """(item names, outcome names) from the catalog."""
    return cqi_core.item_names(ui.store()), cqi_core.outcome_names(ui.store())


@st.cache_data(show_spinner=False)
def theme_names(version: str, coding: str) -> dict[str, str]:
    return {t.code: t.name for t in cqi_core.load_codebook(ui.store()).themes}


@st.cache_data(show_spinner="Reading the narratives…")
def visible_narratives(version: str, coding: str, role: str, start: date, end: date,
                       units: tuple[str, ...], case_types: tuple[str, ...]) -> pl.DataFrame:
    """The narratives of the selection as this role may read them."""
    frame = cqi_core.review_narratives(ui.store(), start, end, units=units, case_types=case_types)
    return cqi_core.text_for_audience(frame, role, ui.store())


@st.cache_data(show_spinner=False)
def narrative_ids(version: str, start: date, end: date) -> pl.DataFrame:
    """Every first review's narratives of the period, without their text (theme shares)."""
    return cqi_core.review_narratives(ui.store(), start, end).select(
        "excerpt_id", "review_id", "unit_id", "case_type", "item", "rating")


@st.cache_data(show_spinner="Finding the themes…")
def coded(version: str, coding: str, start: date, end: date,
          source_types: tuple[str, ...]) -> pl.DataFrame:
    return cqi_core.coded_excerpts(ui.store(), start, end, source_types=list(source_types))


def period_picker(grain_key: str, periods_of) -> cqi_core.ReviewPeriod | None:
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
    pages = cqi_core.page_count(frame.height, PAGE_SIZE)
    c1, c2 = st.columns([1, 3])
    page = c1.number_input(f"Page (of {pages})", min_value=1, max_value=pages, value=1, step=1,
                           key=f"{key}_page")
    c2.caption(f"{frame.height:,} texts; {PAGE_SIZE} a page.")
    shown = cqi_core.page_of(frame, int(page), PAGE_SIZE)
    cols = [c for c in columns if c in shown.columns]
    dates = [c for c in cols if shown.schema[c] in (pl.Date, pl.Datetime) or isinstance(shown.schema[c], pl.Datetime)]
    shown_cols = shown.with_columns(pl.col(c).dt.strftime("%b %-d, %Y") for c in dates)
    config = {c: columns[c] for c in cols}
    if "text" in config:
        config["text"] = st.column_config.TextColumn(columns["text"], width="large")
    names = [columns[c].lower() for c in cols]
    noun = columns.get("text", "text").lower()
    tables.show(shown_cols.select(cols),
                  f"One row per {noun}, page {int(page)} of {pages}: "
                  + (", ".join(names[:-1]) + " and " if len(names) > 1 else "") + f"{names[-1]}.",
                  hide_index=True, width="stretch", column_config=config)
    return shown


def quote(text: str, caption: str) -> None:
    """A quote block (the text as written, never as Markdown) with where it comes from."""
    st.markdown("> " + "\n> ".join(ui.plain(line) for line in text.split("\n")))
    st.caption(caption)


def themes_tab(version: str, coding: str, period, units: list[str], case_types: list[str],
               item_names: dict[str, str], unit_names: dict[str, str]) -> None:
    """The Themes tab of the Case reviews page: themes as a share of the narratives of one
    item (or of all items), beside the whole agency when a unit or case type is chosen, and
    the narratives behind one theme."""
    coded_all = coded(version, coding, period.start, period.end, ("case_review",))
    themes = theme_names(version, coding)
    item = st.selectbox("Narratives of", [None, *cqi_core.REVIEW_ITEMS], key="cr_theme_item",
                        format_func=lambda i: "All items" if i is None else item_names.get(i, i))
    shares = cqi_core.review_theme_shares(coded_all, narrative_ids(version, period.start, period.end),
                                          units, case_types, item)
    small_n, pct = cqi_core.review_settings().small_n, st.column_config.NumberColumn
    if shares.is_empty():
        st.info("No themes were found in these narratives.")
        return
    if int(shares["narratives"].max()) < small_n:
        st.info(f"Fewer than {small_n} narratives in this selection: too few to show as shares.")
    else:
        of = "the narratives of all items" if item is None else f"the narratives of item {item}"
        ui.show_figure(cqi_core.theme_share_bars(shares, themes, of, bool(units or case_types)))
    with st.expander("Theme counts as a table (with the reviews that mention each theme)"):
        tables.show(shares.with_columns(pl.col("code").replace_strict(themes, default=pl.col("code")))
                      .select("code", "narratives_with", "narratives", "share", "reviews_with", "reviews",
                              "agency_share"),
                      "One row per theme: narratives with it, narratives in all, their share, reviews "
                      "with it, reviews in all, and the whole agency's share of narratives.",
                      hide_index=True, width="stretch", column_config={
                          "code": "Theme", "narratives_with": "Narratives with it", "reviews": "Reviews",
                          "narratives": "Narratives", "reviews_with": "Reviews with it",
                          "share": pct("Share", format="percent"), "agency_share": pct("Agency", format="percent")})
    code = st.selectbox("Read the narratives of one theme", shares["code"], format_func=themes.get,
                        key="cr_theme")
    mine = cqi_core.filter_reviews(coded_all, units, case_types)
    if item is not None:
        mine = mine.filter(pl.col("item") == item)
    behind = cqi_core.text_for_audience(cqi_core.excerpts_for(mine, code), ui.role(), ui.store())
    behind = behind.with_columns(unit_name=pl.col("unit_id").replace_strict(unit_names, default=None))
    show_texts(behind.rename({"date": "review_date"}), "cr_theme_texts",
               {"review_date": "Reviewed", "unit_name": "Unit", "item": "Item", "status": "Theme is",
                "text": "Narrative"}, "No narrative carries this theme.")
