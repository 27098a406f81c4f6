"""Streamlit glue shared by the Mission alignment and Indicator catalog pages.

Both pages read the catalog, the agency's values and the current results, and an edit on
either changes what the other shows (a new standard changes a value's status). So their
cached readers live here, keyed by the data version and by an edit counter kept in session
state; `saved` bumps the counter, clears these caches and reruns, so the new version shows
at once (the data version changes with every saved edit too, so other pages follow). The
edit forms only collect what the person changed; the core validates it and keeps the
version.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

import cqi_core
from cqi_core.errors import CQIError
from cqi_core.indicators.catalog import CatalogEntry
from cqi_core.indicators.display import UNIT_WORDS, format_value
from cqi_core.analysis.mission import VALUE_KINDS, AgencyValue, review_items, value_history
from pages import _shared as ui

_EDITS = "mission_catalog_edits"
_FLASH = "mission_catalog_saved"
_EDITOR = "mission_catalog_editor"

_NO_RESULTS = pl.DataFrame(schema={"indicator_id": pl.String, "value": pl.Float64})

KIND_WORDS = {"value": "value", "practice_standard": "practice standard"}
DIRECTION_WORDS = {"higher": "Higher is better.", "lower": "Lower is better.",
                   "none": "Context: neither higher nor lower is better."}


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
    ui.show_table(frame.select("version", "date", "what", "why", "by", "source"),
                  "One row per saved version, newest first: the version number, its date, what "
                  "changed, why, who made the change and where the version is kept.",
                  hide_index=True, width="stretch",
                  column_config={"version": "Version", "what": "What changed",
                                 "date": st.column_config.DateColumn("Date", format="MMM D, YYYY"),
                                 "why": "Why", "by": "By", "source": "Kept in"})


def _who_and_why(key: str) -> tuple[str, str]:
    why = st.text_area("Why is this changing? (required, kept with the version)",
                       key=f"{key}_why", required=True,
                       placeholder="For example: agreed at the March CQI meeting with the "
                                   "youth advisory board.")
    by = st.text_input("Your name (kept with the version)", key=f"{key}_by", required=True,
                       value=st.session_state.get(_EDITOR, ""))
    if by.strip():
        st.session_state[_EDITOR] = by.strip()
    return why, by


# ---- catalog entries ----------------------------------------------------------------------

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
    # Percent measures are entered as people read them (95 for 95%), as format_value shows.
    if v is None:
        return None
    return round(v * 100, 6) if entry.unit == "percent" else v


def _stored(entry: CatalogEntry, v: float | None) -> float | None:
    if v is None:
        return None
    return round(v / 100, 10) if entry.unit == "percent" else float(v)


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
    st.markdown(f"**What it measures.** {entry.definition}")
    st.markdown(f"**For young people.** {youth}")
    st.markdown(f"**Now** (latest complete 12 months). {now}  \n"
                f"**Which way is better.** {DIRECTION_WORDS[entry.direction]}  \n"
                f"**Agency standard.** {standard_text(entry)}. {entry.standard_note}  \n"
                f"**National reference.** {national_text(entry)}")
    serves = ", ".join(value_names.get(v, v) for v in entry.value_ids)
    st.markdown(f"**Serves.** {serves}  \n**Owner.** {entry.owner}  \n"
                f"**Next review.** {entry.review_date:%B %-d, %Y}  \n"
                f"**Version.** {entry.version}")
    st.markdown(f"**Methodology.** {entry.methodology}")
    note = "" if entry.choices_confirmed else " (not yet checked against the SQL)"
    st.markdown(f"**Choices made{note}:**\n" + "\n".join(f"- {c}" for c in entry.choices))


# ---- agency values ------------------------------------------------------------------------

def value_form(value: AgencyValue) -> dict | None:
    """The edit form of one value; on submit, the changed fields with why and by."""
    key = f"value_{value.id}_v{value.version}"
    items = list(review_items())
    with st.form(key):
        name = st.text_input("Name", value.name, key=f"{key}_name")
        kind = st.radio("Kind", VALUE_KINDS, index=VALUE_KINDS.index(value.kind),
                        format_func=KIND_WORDS.get, horizontal=True, key=f"{key}_kind")
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
