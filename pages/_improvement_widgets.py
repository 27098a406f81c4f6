"""Streamlit glue for the Improvement cycles page: the list, a cycle's header, the study and
its history (the forms are in `_cycle_forms`, the study's panels in `_cycle_study_widgets`).

Who may edit is decided by the core (`cqi_core.may_edit_cycle`, and again when saving); the
page only hides forms a person could not use. The study is cached by data version (which carries the viewer's
audience), the coding version (quotes approved for sharing), the approvals of staff-written
text and the cycle's version.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import AccessDenied, CQIError
from pages import _params as params
from pages import _tables as tables
from pages import _shared as ui

GRAINS = {"month": "Monthly", "quarter": "Quarterly"}


@st.cache_data(show_spinner=False)
def _names(version: str) -> tuple[dict[str, str], dict[str, str]]:
    catalog = cqi_core.load_catalog(ui.store())
    units = cqi_core.unit_list(ui.store()).sort("unit_name")
    return ({e.id: e.name for e in catalog},
            dict(zip(units["unit_id"].to_list(), units["unit_name"].to_list())))


def names() -> tuple[dict[str, str], dict[str, str]]:
    """(measure id → name, unit id → name)."""
    return _names(ui.data_version())


def chosen_cycle() -> int | None:
    """The cycle named in the URL (?cycle=3), or None for the list: also, with a note and
    the link cleared, when the link names no cycle this viewer can open."""
    if params.raw_param("cycle") is None:
        return None
    ids = cqi_core.list_cycles(ui.store())["cycle_id"].to_list()
    chosen = params.choice_param("cycle", ids, None, what="cycle",
                                 instead="the list of cycles is shown")
    if chosen is None:
        del st.query_params["cycle"]
    return chosen


EMPTY = {
    # (public, filtered by status) -> what an empty list says, to the person reading it
    (True, False): "The agency has not shared an improvement cycle yet. When staff try a "
                   "change to make one of the measures better, this page will show what they "
                   "aimed for, when they tried it, and what they decided.",
    (True, True): "No improvement cycle has the status you chose. Clear the Status choice to "
                  "see every cycle.",
    (False, False): "No improvement cycle is recorded yet. Analysts and supervisors record "
                    "one under **Record a new cycle** below.",
    (False, True): "No improvement cycle has the status you chose. Clear the Status choice to "
                   "see every cycle.",
}


def cycle_list(frame: pl.DataFrame, public: bool, filtered: bool = False) -> None:
    """The cycles as a table, and a picker that opens one; when there is none, words for
    the reader (a stakeholder is told what the page will show, staff how to start one).
    `filtered`: the list is narrowed by status."""
    if frame.is_empty():
        st.info(EMPTY[(public, filtered)], icon=":material/autorenew:")
        return
    measures, units = names()
    tables.show(cqi_core.cycle_table(frame, measures, units, public),
                  "One row per improvement cycle: its number, title, status, start and end "
                  "dates, the measures and units it covers, the decision made and who took part.",
                  hide_index=True, width="stretch",
                  column_config={"Starts": st.column_config.DateColumn(format="MMM D, YYYY"),
                                 "Ends": st.column_config.DateColumn(format="MMM D, YYYY")})
    options = frame["cycle_id"].to_list()
    titles = dict(zip(options, frame["title"].to_list()))
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    pick = c1.selectbox("Open a cycle", options, format_func=lambda i: f"{i}: {titles[i]}",
                        key="imp_open_pick")
    if c2.button("Open", key="imp_open"):
        st.query_params["cycle"] = str(pick)
        st.rerun()


def header(cycle: cqi_core.Cycle, public: bool) -> None:
    """The cycle in a few lines: aim, change, dates, status, decision, who took part (typed
    text as written, never as Markdown; for staff, which texts the public reads)."""
    settings = cqi_core.improvement_settings()
    measures, units = names()
    st.subheader(f"Cycle {cycle.cycle_id}: {ui.plain(cycle.title)}")
    where = ", ".join(units.get(u, u) for u in cycle.units) or "the whole agency"
    when = f"{cycle.start_date:%B %-d, %Y}" + (f" to {cycle.end_date:%B %-d, %Y}"
                                               if cycle.end_date else " (no end date yet)")
    lines = [f"**Aim:** {ui.plain(cycle.aim)}",
             f"**Change idea:** {ui.plain(cycle.change_idea) or '—'}"]
    if not public or cycle.prediction:  # the core gives the public approved text only
        lines.append(f"**Prediction:** {ui.plain(cycle.prediction) or '—'}")
    lines += [f"**Where:** {where}. **When:** {when}.",
              f"**Measures:** {', '.join(measures.get(i, i) for i in cycle.indicators)}.",
              f"**Status:** {settings.statuses[cycle.status]}"
              + (f" ({ui.plain(cycle.status_reason)})" if cycle.status_reason and not public
                 else "") + f". **Decision:** {ui.plain(cqi_core.decision_words(cycle))}.",
              f"**Who took part:** {cqi_core.participants_text([p.role for p in cycle.participants], not public)}."]
    st.markdown("  \n".join(lines))
    if not public:
        st.caption(cqi_core.approval_words(cycle))
    if not public and cycle.plan:
        with st.expander("Plan"):
            st.markdown(ui.plain(cycle.plan))


@st.cache_data(show_spinner="Studying the cycle: reading its measures period by period…")
def _study(version: str, coding: str, approvals: str, cycle_id: int, cycle_version: int,
           grain: str):
    return cqi_core.cycle_study(ui.store(), cycle_id, grain)


def study(cycle: cqi_core.Cycle, grain: str):
    """The study of the cycle (cached), or None after showing why there is none."""
    try:
        coding = ui.coding_version()
        return _study(ui.data_version(), coding, ui.approvals_version(),
                      cycle.cycle_id, cycle.version, grain)
    except CQIError as exc:
        st.error(str(exc))
        return None


def history(cycle_id: int) -> None:
    """Every saved version, with who saved it and what changed."""
    with st.expander("History of this cycle"):
        try:
            frame = cqi_core.cycle_history(ui.store(), cycle_id)
        except AccessDenied:
            return
        tables.show(frame.select(pl.col("version").alias("Version"),
                                   pl.col("saved_by").alias("Saved by"),
                                   pl.col("saved_at").alias("When"),
                                   pl.col("what").alias("What changed")),
                      "One row per saved version of this cycle: the version number, who saved "
                      "it, when and what changed.",
                      hide_index=True, width="stretch")
