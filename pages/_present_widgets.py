"""Streamlit glue of presentation mode: the stylesheet, the deck and slide in the URL, the
slide's buttons, the meeting pack and the deck editor.

The deck and slide live in the URL (?deck=default&slide=3), so a presenter can bookmark
or share a place in a deck. A slide's chart, takeaway and table come from
`findings.finding_view` for the page's store, cached by data version (which includes the
audience) and finding. Decks themselves are read fresh on each run: they are small, and
an edit must show at once. The editor only collects what the person typed; the core
checks it (`findings.update_deck`) and says what is wrong.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import pandas as pd
import streamlit as st

import cqi_core
from cqi_core.present import findings
from cqi_core.errors import CQIError
from cqi_core.present.findings import DEFAULT_DECK, GROUP_TITLES, Deck, Finding
from cqi_core.indicators.catalog import Catalog
from cqi_core.present.meeting_pack import meeting_pack
from pages import _shared as ui

# A fixed stylesheet (no data in it): large type and black on white for a screen share.
STYLESHEET = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.75rem; padding-bottom: 3rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 1.1rem; padding: 0; color: #000; }
.st-key-takeaway p { font-size: 1.45rem; line-height: 1.3; font-weight: 650; color: #000; }
.st-key-slide-nav button { min-height: 3.25rem; border: 2px solid #000; }
.st-key-slide-nav button p { font-size: 1.35rem; font-weight: 650; }
.st-key-slide-count p { font-size: 1.35rem; text-align: center; color: #000; margin: 0; }
.st-key-speaker-notes p { font-size: 1.3rem; line-height: 1.45; color: #000; }
.st-key-privacy-note p { font-size: 1.1rem; color: #000; }
</style>"""
VIEW_WORDS = {"trend": "Trend, 12 months at a time", "breakdown": "Breakdown by group"}
_DECK, _SAVED = "present_deck", "present_saved"


def stylesheet() -> None:
    """Large type and high contrast for this page only."""
    st.markdown(STYLESHEET, unsafe_allow_html=True)


@st.cache_data(show_spinner="Drawing the chart…", max_entries=256)
def finding_view(version: str, finding: Finding) -> findings.FindingView:
    """A finding's chart, takeaway and table for this audience (cached)."""
    return findings.finding_view(ui.store(), finding)


def plain(text: str) -> str:
    """Text shown as written: the characters Markdown or LaTeX would act on escaped."""
    text = re.sub(r"([\\`*_\[\]#|$<>~])", r"\\\1", text)
    return re.sub(r"(?m)^(\s*)(\d+)([.)])", r"\1\2\\\3", re.sub(r"(?m)^(\s*)([-+])", r"\1\\\2", text))


def choose_deck(store) -> Deck:
    """The deck named in the URL, with a chooser in the sidebar (the default when the URL
    names a deck that no longer exists)."""
    saved = findings.list_decks(store)
    names = {DEFAULT_DECK: "Headline measures (ready-made)",
             **{str(i): n for i, n in saved.select("deck_id", "name").iter_rows()}}
    want = st.query_params.get("deck", DEFAULT_DECK)
    if want not in names:
        st.warning("The deck in this link was not found (it may have been deleted); showing "
                   "the headline measures instead.")
        want = DEFAULT_DECK
    if st.session_state.get(_DECK) != want:
        st.session_state[_DECK] = want
    st.query_params["deck"] = want
    st.sidebar.selectbox("Deck", list(names), format_func=names.get, key=_DECK,
                         on_change=_deck_changed,
                         help="Analysts and supervisors can make decks under **Edit decks**.")
    return findings.load_deck(store, want)


def _deck_changed() -> None:
    st.query_params.update({"deck": st.session_state[_DECK], "slide": "1"})


def slide_number(total: int) -> int:
    """The slide in the URL (1 = first), kept inside the deck, and written back."""
    try:
        n = int(st.query_params.get("slide", "1"))
    except ValueError:
        n = 1
    n = min(max(n, 1), total)
    st.query_params["slide"] = str(n)
    return n


def _go(n: int) -> None:
    st.query_params["slide"] = str(n)


def navigation(slide: int, total: int) -> None:
    """Previous and next (also the left and right arrow keys), and where we are."""
    with st.container(key="slide-nav"):
        prev, where, nxt = st.columns([2, 1, 2], vertical_alignment="center")
        prev.button("◀  Previous", on_click=_go, args=(slide - 1,), disabled=slide <= 1,
                    shortcut="Left", width="stretch", key="slide_prev")
        with where.container(key="slide-count"):
            st.markdown(f"{slide} of {total}")
        nxt.button("Next  ▶", on_click=_go, args=(slide + 1,), disabled=slide >= total,
                   shortcut="Right", width="stretch", key="slide_next", type="primary")


def pack_download(store, deck: Deck, include_notes: bool) -> None:
    """The deck as one HTML file, built only when clicked (and logged by the core)."""
    title = st.text_input("Title of the meeting pack", value=deck.name, max_chars=120,
                          key=f"pack_title_{deck.key}")
    stem = re.sub(r"[^A-Za-z0-9]+", "_", title).strip("_") or "meeting_pack"
    st.download_button("Download the meeting pack (HTML)", icon=":material/download:",
                       data=lambda: meeting_pack(store, deck, title, include_notes=include_notes),
                       file_name=f"{stem}.html", mime="text/html", on_click="ignore",
                       key=f"pack_{deck.key}",
                       help="One file with every chart, its takeaway, the figures and the "
                            "definitions. It opens without a network connection and prints "
                            "one finding per page." + (" Speaker notes are included because "
                                                       "they are shown." if include_notes else ""))


# --------------------------------------------------------------------------- editor


def editor(store, deck: Deck, catalog: Catalog) -> None:
    """Make, change and delete decks (analysts and supervisors)."""
    done = st.session_state.pop(_SAVED, None)
    if done:
        st.success(done)
    with st.expander("Edit decks", icon=":material/edit:"):
        new, this = st.tabs(["New deck", "This deck"])
        with new:
            _new_deck(store, deck)
        with this:
            if deck.deck_id is None:
                st.info("The headline deck is ready-made from the scorecard and follows the "
                        "data. To change it, save a copy under **New deck**.")
            else:
                _edit_deck(store, deck, catalog)


def _new_deck(store, deck: Deck) -> None:
    with st.form("new_deck"):
        name = st.text_input("Name of the new deck", max_chars=120)
        copy = st.checkbox(f"Start from a copy of “{deck.name}”", value=True)
        if st.form_submit_button("Create the deck", type="primary"):
            start = deck.findings if copy else deck.findings[:1]
            try:
                made = findings.create_deck(store, name, start)
            except CQIError as exc:
                st.error(str(exc))
                return
            _open(made.key, f"The deck “{made.name}” is saved: it is shown above.")


def _edit_deck(store, deck: Deck, catalog: Catalog) -> None:
    st.caption("One row per slide. Leave **From** and **To** empty to follow the latest "
               "figures, and the takeaway empty to have it written from the figures. Change "
               "**Order** to move a slide; add or delete rows at the bottom of the table.")
    regions = sorted(cqi_core.unit_list(store)["region"].drop_nulls().unique().to_list())
    rows = pd.DataFrame([{
        "order": i, "indicator": f.indicator_id, "view": f.view, "by": f.group_by,
        "region": f.group_value if f.group_by == "region" and f.view == "trend" else None,
        "start": f.period_start, "end": f.period_end, "takeaway": f.takeaway, "notes": f.notes}
        for i, f in enumerate(deck.findings, start=1)])
    cc = st.column_config
    columns = {
        "order": cc.NumberColumn("Order", min_value=1, step=1, width="small"),
        "indicator": cc.SelectboxColumn(
            "Measure", options=catalog.ids, required=True, width="large",
            format_func=lambda i: f"{catalog.entry(i).name} ({i})"),
        "view": cc.SelectboxColumn("Shows", options=list(VIEW_WORDS), required=True,
                                   width="medium", default="trend", format_func=VIEW_WORDS.get),
        "by": cc.SelectboxColumn(
            "Whose figures / by", options=list(GROUP_TITLES), required=True, default="all",
            format_func=GROUP_TITLES.get,
            help="A trend: the whole agency or a region. A breakdown: by region, age group, "
                 "sex or race and ethnicity."),
        "region": cc.SelectboxColumn("Region (a region's trend)", options=regions),
        "start": cc.DateColumn("From", format="YYYY-MM-DD"),
        "end": cc.DateColumn("To", format="YYYY-MM-DD"),
        "takeaway": cc.TextColumn("Takeaway (one line)", max_chars=findings.MAX_TAKEAWAY,
                                  width="large"),
        "notes": cc.TextColumn("Speaker notes", max_chars=findings.MAX_NOTES)}
    edited = ui.edit_table(rows, f"One row per slide of the deck “{deck.name}”: its order, the "
                           "measure, what the slide shows, whose figures, the region, the dates "
                           "from and to, the takeaway and the speaker notes.",
                           num_rows="dynamic", hide_index=True, width="stretch",
                           column_config=columns, key=f"deck_rows_{deck.key}")
    name = st.text_input("Deck name", value=deck.name, max_chars=120, key=f"deck_name_{deck.key}")
    save, remove = st.columns(2)
    if save.button("Save the deck", type="primary", key=f"deck_save_{deck.key}"):
        try:
            findings.update_deck(store, deck.deck_id, name=name, findings=_findings(edited))
        except CQIError as exc:
            st.error(str(exc))
        else:
            _open(deck.key, "The deck is saved.")
    sure = remove.checkbox("Yes, delete this deck", key=f"deck_sure_{deck.key}")
    if remove.button("Delete the deck", disabled=not sure, key=f"deck_delete_{deck.key}"):
        findings.delete_deck(store, deck.deck_id)
        _open(DEFAULT_DECK, f"The deck “{deck.name}” is deleted.")


def _findings(edited: pd.DataFrame) -> list[Finding]:
    rows = edited.to_dict("records")
    rows.sort(key=lambda r: (_missing(r.get("order")), r.get("order") or 0))
    out = []
    for n, r in enumerate(rows, start=1):
        if _missing(r.get("indicator")):
            continue  # a row added but left empty
        view = r.get("view") or "trend"
        by = r.get("by") or ("all" if view == "trend" else "region")
        region = None if _missing(r.get("region")) else r["region"]
        try:
            out.append(Finding(r["indicator"], view, by,
                               region if view == "trend" and by == "region" else "all",
                               _day(r.get("start")), _day(r.get("end")),
                               "" if _missing(r.get("takeaway")) else r["takeaway"],
                               "" if _missing(r.get("notes")) else r["notes"]))
        except CQIError as exc:
            raise CQIError(f"Row {n}: {exc}") from None
    return out


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT \
        or (isinstance(v, str) and not v.strip())


def _day(v) -> date | None:
    if _missing(v):
        return None
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.date()
    return v


def _open(key: str, message: str) -> None:
    st.session_state[_SAVED] = message
    st.query_params.update({"deck": key, "slide": "1"})
    st.rerun()
