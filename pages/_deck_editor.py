"""Streamlit glue for the presentation deck editor: make a deck, and edit its findings in a
table. `cqi_core.create_deck` / `update_deck` check what was typed and keep it."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
import streamlit as st

import cqi_core
from cqi_core import Catalog, CQIError, Deck, DEFAULT_DECK, Finding, GROUP_TITLES
from pages import _present_widgets as w
from pages import _shared as ui


def editor(store, deck: Deck, catalog: Catalog) -> None:
    """Make, change and delete decks (analysts and supervisors)."""
    done = st.session_state.pop(w._SAVED, None)
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
                made = cqi_core.create_deck(store, name, start)
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
        "view": cc.SelectboxColumn("Shows", options=list(w.VIEW_WORDS), required=True,
                                   width="medium", default="trend", format_func=w.VIEW_WORDS.get),
        "by": cc.SelectboxColumn(
            "Whose figures / by", options=list(GROUP_TITLES), required=True, default="all",
            format_func=GROUP_TITLES.get,
            help="A trend: the whole agency or a region. A breakdown: by region, age group, "
                 "sex or race and ethnicity."),
        "region": cc.SelectboxColumn("Region (a region's trend)", options=regions),
        "start": cc.DateColumn("From", format="YYYY-MM-DD"),
        "end": cc.DateColumn("To", format="YYYY-MM-DD"),
        "takeaway": cc.TextColumn("Takeaway (one line)", max_chars=cqi_core.MAX_TAKEAWAY,
                                  width="large"),
        "notes": cc.TextColumn("Speaker notes", max_chars=cqi_core.MAX_NOTES)}
    edited = ui.edit_table(rows, f"One row per slide of the deck “{deck.name}”: its order, the "
                           "measure, what the slide shows, whose figures, the region, the dates "
                           "from and to, the takeaway and the speaker notes.",
                           num_rows="dynamic", hide_index=True, width="stretch",
                           column_config=columns, key=f"deck_rows_{deck.key}")
    name = st.text_input("Deck name", value=deck.name, max_chars=120, key=f"deck_name_{deck.key}")
    save, remove = st.columns(2)
    if save.button("Save the deck", type="primary", key=f"deck_save_{deck.key}"):
        try:
            cqi_core.update_deck(store, deck.deck_id, name=name, findings=_findings(edited))
        except CQIError as exc:
            st.error(str(exc))
        else:
            _open(deck.key, "The deck is saved.")
    sure = remove.checkbox("Yes, delete this deck", key=f"deck_sure_{deck.key}")
    if remove.button("Delete the deck", disabled=not sure, key=f"deck_delete_{deck.key}"):
        cqi_core.delete_deck(store, deck.deck_id)
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
    st.session_state[w._SAVED] = message
    st.query_params.update({"deck": key, "slide": "1"})
    st.rerun()
