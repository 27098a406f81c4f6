"""Indicator catalog: what every measure means, in plain words, grouped by measure type,
with its standard, owner, review date and version history. Analysts edit an entry here;
every change is kept as a new version with who, when and why."""

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import CQIError, MEASURE_TYPES, due_for_review, format_value
from pages import _catalog_forms as cf
from pages import _catalog_widgets as w
from pages import _tables as tables
from pages import _shared as ui

ui.require_router("catalog.py")

TYPE_WORDS = {"completion": "Was the required work done?",
              "timeliness": "Was it done on time?",
              "performance": "How well does the system do what it sets out to do?",
              "quality": "How good was the practice? Mostly from case reviews.",
              "outcome": "What happened for children and families?",
              "context": "Background figures that help read the others."}

st.title("Indicator catalog")
st.write("Every measure the dashboard shows, in words that staff, families and partners can "
         "read: who is counted, what counts as success, which way is better, the standard the "
         "agency aims for and why, and which of the agency's values it serves. Entries are "
         "reviewed on a schedule and every change is kept.")

left, right = st.columns([3, 2])
types = left.multiselect("Measure types", MEASURE_TYPES, default=list(MEASURE_TYPES),
                         format_func=str.capitalize, key="catalog_types")
search = right.text_input("Search", placeholder="a word from the name, definition or method",
                          key="catalog_search").strip().lower()

catalog, values, card = w.catalog(), w.values(), w.results()
value_names = {v.id: v.name for v in values}
now = dict(zip(card["indicator_id"].to_list(), card["value"].to_list()))
due = {e.id for e in due_for_review(catalog)}
shown = [e for e in catalog if e.measure_type in types and (not search or any(
    search in t.lower() for t in (e.id, e.name, e.definition, e.methodology, *e.choices)))]

if due:
    st.warning(f"**Due for review:** {', '.join(sorted(due))}. Their review date has come: "
               "time for the owner to look at the definition and the standard again, with the "
               "staff and stakeholders the measure concerns.", icon=":material/event:")
st.caption(f"{len(shown)} of {len(catalog)} entries shown.")
if not shown:
    st.info("No entry matches these measure types and this search.")
tables.show(pl.DataFrame([{
    "Id": e.id, "Measure": e.name, "Type": e.measure_type, "Which way is better": e.direction,
    "Standard": cf.standard_text(e), "National": cf.national_text(e),
    "Now": format_value(e, now.get(e.id)), "Owner": e.owner,
    "Next review": e.review_date, "Due": "⚑ due" if e.id in due else "",
    "Version": e.version} for e in shown], infer_schema_length=None),
    "One row per measure in the catalog: its id, name, type, which way is better, the "
    "standard, the national figure, the agency's figure now, its owner, its next review "
    "date, whether that review is due and its version.",
    hide_index=True, width="stretch")

for mtype in [t for t in MEASURE_TYPES if t in types]:
    part = [e for e in shown if e.measure_type == mtype]
    if not part:
        continue
    st.subheader(f"{mtype.capitalize()} ({len(part)})")
    st.caption(TYPE_WORDS[mtype])
    for e in part:
        flag = " · ⚑ due for review" if e.id in due else ""
        with st.expander(f"{e.id} · {e.name}{flag}"):
            cf.entry_details(e, cqi_core.youth_text(e, now.get(e.id)), value_names, e.id in due,
                             format_value(e, now.get(e.id)))

st.subheader("Versions of an entry")
ids = catalog.ids
chosen = catalog.entry(st.selectbox("Entry", ids, key="catalog_entry",
                                    format_func=lambda i: f"{i} · {catalog.entry(i).name}"))
w.show_saved()
w.history_table(w.entry_history(chosen.id))
if ui.role() == "analyst":
    with st.expander(f"Change {chosen.id} (saved as version {chosen.version + 1})"):
        request = cf.entry_form(chosen, value_names)
    if request is not None:
        try:
            new = cqi_core.save_edit(ui.store(), chosen.id, **request)
        except CQIError as exc:
            st.error(str(exc))
        else:
            w.saved(f"Saved {new.id} as version {new.version}.")
