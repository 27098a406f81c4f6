"""Presentation mode: a deck of findings for a stakeholder meeting, one finding per screen.

The chart comes first, then its takeaway in large type, then previous and next (or the
arrow keys) with "n of N"; the deck and slide live in the URL (?deck=default&slide=3).
Speaker notes stay hidden until the presenter opens them. Everything shown comes from the
core for this audience, so a public meeting sees figures with small numbers hidden and
nothing that identifies anyone. Sized for a 1280×720 screen share: the router (app.py) folds
the sidebar away on this page.
"""

import streamlit as st

import cqi_core
from cqi_core import CQIError, finding_notes
from pages import _approval_widgets as ap
from pages import _deck_editor as de
from pages import _downloads as dl
from pages import _present_widgets as w
from pages import _tables as tables
from pages import _shared as ui

ui.require_router("present.py")
w.stylesheet()

store = ui.store()
if ui.as_of() is None:
    st.title("Presentation mode")
    st.info("No data is loaded yet, so there is nothing to present.")
    st.stop()
catalog = ui.catalog()
deck = w.choose_deck(store)
total = len(deck.findings)
slide = w.slide_number(total)
finding = deck.findings[slide - 1]
st.title(ui.plain(deck.name))

try:
    view = w.finding_view(ui.data_version(), ui.approvals_version(), deck.deck_id,
                          finding)
except CQIError as exc:
    st.error(f"This slide cannot be shown: {exc}")
    view = None
if view is not None:
    st.altair_chart(view.figure.chart, width="stretch")
    with st.container(key="takeaway"):
        st.markdown(ui.plain(view.takeaway))
w.navigation(slide, total)

notes = finding_notes(store, finding, catalog, deck.deck_id)
show_notes = st.toggle("Speaker notes", value=False, key="show_notes", disabled=not notes,
                       help="For the presenter: hidden until opened, here and in the "
                            "meeting pack." if notes else "This slide has no speaker notes.")
if show_notes and notes:
    with st.container(key="speaker-notes", border=True):
        st.markdown(ui.plain(notes))

if view is not None:
    if view.note:
        with st.container(key="privacy-note"):
            st.markdown(ui.plain(view.note))
    st.caption(f"**How to read this:** {ui.plain(view.figure.how_to_read)}")
    with st.expander("The figures behind this chart"):
        tables.show(view.table, f"The figures behind the chart “{view.title}”, one row per "
                                  f"point or bar ({view.table.columns[0]}): the figure, its 95% "
                                  "interval, the numerator and the denominator; hidden cells "
                                  "are said in words.", hide_index=True, width="stretch")
        st.caption("**Chart description (text alternative):** " + ui.plain(view.figure.description))
        dl.chart_downloads(view.figure, f"Presentation chart: {view.title}",
                           key=f"slide_{deck.key}_{slide}")

with st.expander("Meeting pack: the whole deck as one file"):
    w.pack_download(store, deck, include_notes=show_notes)

if ui.role() in ("analyst", "supervisor"):
    de.editor(store, deck, catalog)
    ap.approve_control(cqi_core.deck_approval_items(store, deck), f"approve_deck_{deck.key}")
