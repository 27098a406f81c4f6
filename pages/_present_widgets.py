"""Streamlit glue of presentation mode: the stylesheet, the deck and slide in the URL, the
slide's buttons and the meeting pack (the deck editor is in `_deck_editor`).

The deck and slide live in the URL (?deck=default&slide=3), so a presenter can bookmark
or share a place in a deck. A slide's chart, takeaway and table come from
`findings.finding_view` for the page's store, cached by data version (which includes the
audience), the approvals of staff-written text, the deck and the finding. Decks themselves
are read fresh on each run: they are small, and an edit must show at once.
"""

from __future__ import annotations

import re

import streamlit as st

import cqi_core
from cqi_core import Deck, DEFAULT_DECK, Finding, meeting_pack
from pages import _params as params
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
def finding_view(version: str, approvals: str, deck_id: int | None,
                 finding: Finding) -> cqi_core.FindingView:
    """A finding's chart, takeaway and table for this audience (cached by data version,
    the approvals of staff-written text and the deck whose approvals apply)."""
    return cqi_core.finding_view(ui.store(), finding, deck_id=deck_id)


def choose_deck(store) -> Deck:
    """The deck named in the URL, with a chooser in the sidebar (the default when the URL
    names a deck that no longer exists)."""
    saved = cqi_core.list_decks(store)
    names = {DEFAULT_DECK: "Headline measures (ready-made)",
             **{str(i): n for i, n in saved.select("deck_id", "name").iter_rows()}}
    want = params.choice_param("deck", list(names), DEFAULT_DECK, what="deck",
                               why=": it was not found (it may have been deleted)",
                               instead="the headline measures are shown")
    if st.session_state.get(_DECK) != want:
        st.session_state[_DECK] = want
    st.query_params["deck"] = want
    st.sidebar.selectbox("Deck", list(names), format_func=names.get, key=_DECK,
                         on_change=_deck_changed,
                         help="Analysts and supervisors can make decks under **Edit decks**.")
    return cqi_core.load_deck(store, want)


def _deck_changed() -> None:
    st.query_params.update({"deck": st.session_state[_DECK], "slide": "1"})


def slide_number(total: int) -> int:
    """The slide in the URL (1 = first), kept inside the deck, and written back."""
    n = params.number_param("slide", 1, 1, total, what="slide")
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
