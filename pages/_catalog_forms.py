"""Streamlit glue for editing the catalog and the agency's values: an entry's details in
words, and the forms that change an entry or a value (who, why, what).

The forms only collect what was typed; `cqi_core.save_edit` and `save_value_edit` check
and keep it, with the change in the history."""

from __future__ import annotations

import streamlit as st

from cqi_core import (AgencyValue, CatalogEntry, UNIT_WORDS, VALUE_KINDS, display_scale,
                      format_value, review_items)
from pages import _catalog_widgets as cw
from pages import _shared as ui


DIRECTION_WORDS = {"higher": "Higher is better.", "lower": "Lower is better.",
                   "none": "Context: neither higher nor lower is better."}

def _who_and_why(key: str) -> tuple[str, str]:
    why = st.text_area("Why is this changing? (required, kept with the version)",
                       key=f"{key}_why", required=True,
                       placeholder="For example: agreed at the March CQI meeting with the "
                                   "youth advisory board.")
    by = st.text_input("Your name (kept with the version)", key=f"{key}_by", required=True,
                       value=st.session_state.get(cw._EDITOR, ""))
    if by.strip():
        st.session_state[cw._EDITOR] = by.strip()
    return why, by

def standard_text(entry: CatalogEntry) -> str:
    """The standard in words: "at least 95.0%", "at most 9.07 per 100,000 days in care"."""
    if entry.standard is None:
        return "none set yet" if entry.direction != "none" else "none (context measure)"
    way = {("higher", False): "at least", ("higher", True): "above",
           ("lower", False): "at most", ("lower", True): "below"}[(entry.direction,
                                                                    entry.standard_strict)]
    return f"{way} {format_value(entry, entry.standard)}"

def national_text(entry: CatalogEntry) -> str:
    """The national reference with its label ("observed, not risk-adjusted")."""
    if entry.national is None:
        return "none"
    label = f" ({entry.label})" if entry.label else ""
    return f"{format_value(entry, entry.national)}{label}"

def _shown(entry: CatalogEntry, v: float | None) -> float | None:
    # Entered as people read them (95 for 95%, 20 per 100 caseworkers), as format_value shows.
    if v is None:
        return None
    return round(v * display_scale(entry), 6)

def _stored(entry: CatalogEntry, v: float | None) -> float | None:
    if v is None:
        return None
    return round(v / display_scale(entry), 10)

def entry_form(entry: CatalogEntry, value_names: dict[str, str]) -> dict | None:
    """The edit form of one entry; on submit, the changed fields with why and by."""
    key = f"catalog_{entry.id}_v{entry.version}"
    with st.form(key):
        name = st.text_input("Name", entry.name, key=f"{key}_name")
        definition = st.text_area("Plain definition", entry.definition, key=f"{key}_definition")
        youth = st.text_area("Youth sentence (keep the placeholder, such as {n10})",
                             entry.youth_sentence, key=f"{key}_youth")
        unit = ("percent, 95 for 95%" if entry.unit == "percent"
                else UNIT_WORDS.get(entry.unit, "").strip() or entry.unit)
        standard = st.number_input(
            f"Standard ({unit})",
            min_value=0.0, value=_shown(entry, entry.standard), step=0.1,
            format="%.1f" if entry.unit == "percent" else "%.2f", key=f"{key}_standard",
            disabled=entry.direction == "none",
            help="Leave empty when the agency has not set a standard.")
        owner = st.text_input("Owner", entry.owner, key=f"{key}_owner")
        review = st.date_input("Next review", entry.review_date, key=f"{key}_review")
        serves = st.multiselect("Values it serves", list(value_names),
                                default=list(entry.value_ids), format_func=value_names.get,
                                key=f"{key}_values")
        method = st.text_area("Methodology (the exact rule)", entry.methodology,
                              key=f"{key}_method")
        choices = st.text_area("Choices made (one per line)", "\n".join(entry.choices),
                               key=f"{key}_choices")
        why, by = _who_and_why(key)
        if not st.form_submit_button("Save as a new version", type="primary"):
            return None
    new = {"name": name.strip(), "definition": definition.strip(),
           "youth_sentence": youth.strip(), "owner": owner.strip(), "methodology": method.strip(),
           "value_ids": list(serves), "review_date": review,
           "choices": [c.strip() for c in choices.splitlines() if c.strip()]}
    old = {"name": entry.name, "definition": entry.definition,
           "youth_sentence": entry.youth_sentence, "owner": entry.owner,
           "methodology": entry.methodology, "value_ids": list(entry.value_ids),
           "review_date": entry.review_date, "choices": list(entry.choices)}
    changes = {k: v for k, v in new.items() if v != old[k]}
    if standard != _shown(entry, entry.standard):
        changes["standard"] = _stored(entry, standard)
    return {"changes": changes, "why": why, "by": by}

def entry_details(entry: CatalogEntry, youth: str, value_names: dict[str, str],
                  due: bool, now: str) -> None:
    """Everything the catalog says about one entry, in reading order (`now`: its current
    value as text, from the latest complete 12 months)."""
    if due:
        st.warning(f"**Due for review**: the review date was {entry.review_date:%B %-d, %Y}.",
                   icon=":material/event:")
    st.markdown(f"**What it measures.** {ui.plain(entry.definition)}")
    st.markdown(f"**For young people.** {ui.plain(youth)}")
    st.markdown(f"**Now** (latest complete 12 months). {now}  \n"
                f"**Which way is better.** {DIRECTION_WORDS[entry.direction]}  \n"
                f"**Agency standard.** {standard_text(entry)}. {ui.plain(entry.standard_note)}  \n"
                f"**National reference.** {national_text(entry)}")
    serves = ", ".join(value_names.get(v, v) for v in entry.value_ids)
    st.markdown(f"**Serves.** {ui.plain(serves)}  \n**Owner.** {ui.plain(entry.owner)}  \n"
                f"**Next review.** {entry.review_date:%B %-d, %Y}  \n"
                f"**Version.** {entry.version}")
    st.markdown(f"**Methodology.** {ui.plain(entry.methodology)}")
    note = "" if entry.choices_confirmed else " (not yet checked against the SQL)"
    st.markdown(f"**Choices made{note}:**\n" + "\n".join(f"- {ui.plain(c)}" for c in entry.choices))

def value_form(value: AgencyValue) -> dict | None:
    """The edit form of one value; on submit, the changed fields with why and by."""
    key = f"value_{value.id}_v{value.version}"
    items = list(review_items())
    with st.form(key):
        name = st.text_input("Name", value.name, key=f"{key}_name")
        kind = st.radio("Kind", VALUE_KINDS, index=VALUE_KINDS.index(value.kind),
                        format_func=cw.KIND_WORDS.get, horizontal=True, key=f"{key}_kind")
        description = st.text_area("Description", value.description, key=f"{key}_description")
        chosen = st.multiselect("Case review items that speak to it", items,
                                default=list(value.review_items),
                                format_func=lambda i: f"Item {i}", key=f"{key}_items")
        why, by = _who_and_why(key)
        if not st.form_submit_button("Save as a new version", type="primary"):
            return None
    new = {"name": name.strip(), "kind": kind, "description": description.strip(),
           "review_items": list(chosen)}
    old = {"name": value.name, "kind": value.kind, "description": value.description,
           "review_items": list(value.review_items)}
    return {"changes": {k: v for k, v in new.items() if v != old[k]}, "why": why, "by": by}
