"""Streamlit glue for the Improvement cycles page: the list, the forms, the study view.

The forms only collect what the person typed; `cqi_core.analysis.improvement` checks it (an empty
aim, an end before the start, a unit outside a supervisor's own) and stores it, and the page
shows its message. Who may edit is decided by the core too; the page only hides forms a
person could not use. The study is cached by data version (which carries the viewer's
audience), the coding version (quotes approved for sharing) and the cycle's version.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import (AccessDenied, CQIError, Viewer, control_chart_figure, group_label,
                      segmented_figure)
from pages import _shared as ui

_FLASH = "improvement_saved"
GRAINS = {"month": "Monthly", "quarter": "Quarterly"}


def flash() -> None:
    """Show the message of the last save, once."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def _saved(message: str, cycle_id: int | None = None) -> None:
    st.session_state[_FLASH] = message
    if cycle_id is not None:
        st.query_params["cycle"] = str(cycle_id)
    st.rerun()


@st.cache_data(show_spinner=False)
def _names(version: str) -> tuple[dict[str, str], dict[str, str]]:
    catalog = cqi_core.load_catalog(ui.store())
    units = cqi_core.unit_list(ui.store()).sort("unit_name")
    return ({e.id: e.name for e in catalog},
            dict(zip(units["unit_id"].to_list(), units["unit_name"].to_list())))


def names() -> tuple[dict[str, str], dict[str, str]]:
    """(measure id → name, unit id → name)."""
    return _names(ui.data_version())


def can_edit(viewer: Viewer, cycle: cqi_core.Cycle | None = None) -> bool:
    """Whether to show the forms: analysts, and supervisors for their own units."""
    if viewer.role == "analyst":
        return True
    if viewer.role != "supervisor":
        return False
    if viewer.units is None or cycle is None:
        return True
    return bool(cycle.units) and set(cycle.units) <= set(viewer.units)


def chosen_cycle() -> int | None:
    """The cycle named in the URL (?cycle=3), or None for the list."""
    raw = st.query_params.get("cycle")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        st.error(f"{raw!r} is not a cycle number.")
        return None


def roles_text(roles: list[str], counted: bool = True) -> str:
    """Participants' roles in words: "2 youth, 1 caregiver (foster or kin)", or without the
    numbers ("youth, caregiver (foster or kin)") for a public audience, where a small number
    of people in a unit is not given."""
    words = cqi_core.improvement_settings().roles
    counts: dict[str, int] = {}
    for r in roles:
        counts[r] = counts.get(r, 0) + 1
    return ", ".join(f"{n} {words.get(r, r).lower()}" if counted else words.get(r, r).lower()
                     for r, n in counts.items()) or "not recorded"


def cycle_list(frame: pl.DataFrame, public: bool) -> None:
    """The cycles as a table, and a picker that opens one."""
    if frame.is_empty():
        st.info("No improvement cycle matches. Analysts and supervisors record them here.")
        return
    settings = cqi_core.improvement_settings()
    measures, units = names()
    table = frame.select(
        pl.col("cycle_id").alias("Cycle"), pl.col("title").alias("Title"),
        pl.col("status").replace_strict(settings.statuses).alias("Status"),
        pl.col("start_date").alias("Starts"), pl.col("end_date").alias("Ends"),
        pl.col("indicators").list.eval(pl.element().replace_strict(measures, default=pl.element()))
        .list.join("; ").alias("Measures"),
        pl.col("units").list.eval(pl.element().replace_strict(units, default=pl.element()))
        .list.join("; ").alias("Units"),
        pl.col("act_decision").replace_strict(settings.act_decisions, default="not yet")
        .alias("Decision"),
        pl.col("participant_roles").map_elements(lambda r: roles_text(r.to_list(), not public),
                                                 return_dtype=pl.String)
        .alias("Who took part"))
    ui.show_table(table.with_columns(pl.col("Units").replace("", "Whole agency")),
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


def _who(viewer: Viewer, key: str) -> str:
    if viewer.source in ("oidc", "proxy"):
        return viewer.name
    name = st.text_input("Your name (kept with the change; leave empty to record your role)",
                         key=key)
    return name.strip() or viewer.role


def _participants_editor(cycle: cqi_core.Cycle | None, key: str) -> list[dict]:
    roles = cqi_core.improvement_settings().roles
    rows = [{"name": p.name, "role": p.role} for p in (cycle.participants if cycle else ())]
    edited = ui.edit_table(
        pl.DataFrame(rows, schema={"name": pl.String, "role": pl.String}),
        "One row per person or group taking part: a name (optional) and their role; add or "
        "remove rows here.", key=key,
        num_rows="dynamic", hide_index=True, width="stretch",
        column_config={"name": st.column_config.TextColumn(
                           "Name or group", help="May be left empty; never shown publicly."),
                       "role": st.column_config.SelectboxColumn(
                           "Role", options=list(roles), format_func=roles.get, required=True)})
    return [r for r in pl.DataFrame(edited).to_dicts() if r.get("role")]


def cycle_form(viewer: Viewer, cycle: cqi_core.Cycle | None = None) -> None:
    """The form that records a new cycle (cycle None) or saves an edit of one."""
    settings = cqi_core.improvement_settings()
    measures, units = names()
    allowed = list(units) if viewer.units is None else [u for u in units if u in viewer.units]
    key = f"imp_form_{cycle.cycle_id if cycle else 'new'}"
    with st.form(key, clear_on_submit=cycle is None):
        title = st.text_input("Title", value=cycle.title if cycle else "", key=f"{key}_title",
                              placeholder="For example: weekly visit huddles in North Metro")
        aim = st.text_area("Aim: what will improve, by how much, by when",
                           value=cycle.aim if cycle else "", key=f"{key}_aim")
        change = st.text_area("Change idea: what you will try", key=f"{key}_change",
                              value=cycle.change_idea if cycle else "")
        prediction = st.text_area("Prediction: what you expect to see", key=f"{key}_prediction",
                                  value=cycle.prediction if cycle else "")
        c1, c2 = st.columns(2)
        chosen_measures = c1.multiselect("Measures to study", list(measures),
                                         default=list(cycle.indicators) if cycle else [],
                                         format_func=measures.get, key=f"{key}_measures")
        chosen_units = c2.multiselect(
            "Units" + (" (yours)" if viewer.units is not None else " (none: the whole agency)"),
            allowed, default=[u for u in (cycle.units if cycle else ()) if u in allowed],
            format_func=units.get, key=f"{key}_units")
        d1, d2, d3 = st.columns(3)
        start = d1.date_input("Start date", value=cycle.start_date if cycle else date.today(),
                              key=f"{key}_start")
        end = d2.date_input("End date (optional)", value=cycle.end_date if cycle else None,
                            key=f"{key}_end")
        statuses = list(settings.statuses)
        status = d3.selectbox("Status", statuses, format_func=settings.statuses.get,
                              index=statuses.index(cycle.status) if cycle else 0,
                              key=f"{key}_status")
        plan = st.text_area("Plan: who does what, when, and how it is measured",
                            value=cycle.plan if cycle else "", key=f"{key}_plan")
        reason = ""
        notes = cycle.study_notes if cycle else ""
        if cycle:
            notes = st.text_area("Study notes", value=cycle.study_notes, key=f"{key}_notes")
            reason = st.text_input("Reason, if withdrawn", value=cycle.status_reason,
                                   key=f"{key}_reason")
        st.caption("Who took part (add a row per person or group; stakeholders included):")
        people = _participants_editor(cycle, f"{key}_people")
        user = _who(viewer, f"{key}_who")
        if not st.form_submit_button("Save the cycle" if cycle else "Record the cycle"):
            return
    fields = dict(title=title, aim=aim, change_idea=change, prediction=prediction,
                  indicators=tuple(chosen_measures), units=tuple(chosen_units), start_date=start,
                  end_date=end, status=status, plan=plan, study_notes=notes,
                  status_reason=reason, participants=tuple(people))
    try:
        if cycle is None:
            saved = cqi_core.create_cycle(ui.store(), cqi_core.Cycle(**fields), user)
            _saved(f"Cycle {saved.cycle_id} recorded. Its dates now show on the trend charts "
                   "of its measures.", saved.cycle_id)
        else:
            cqi_core.update_cycle(ui.store(), cycle.cycle_id, fields, user, base_version=cycle.version)
            _saved("Saved. The change is kept in the cycle's history.", cycle.cycle_id)
    except CQIError as exc:  # AccessDenied included
        st.error(str(exc))


def act_form(viewer: Viewer, cycle: cqi_core.Cycle) -> None:
    """Adopt, adapt or abandon, with what the team saw."""
    decisions = cqi_core.improvement_settings().act_decisions
    with st.form("imp_act"):
        current = list(decisions).index(cycle.act_decision) if cycle.act_decision else None
        decision = st.radio("Decision", list(decisions), index=current,
                            format_func=decisions.get, key="imp_act_decision")
        notes = st.text_area("What the team saw (study notes)", value=cycle.study_notes,
                             key="imp_act_notes")
        user = _who(viewer, "imp_act_who")
        if not st.form_submit_button("Record the decision"):
            return
    try:
        cqi_core.update_cycle(ui.store(), cycle.cycle_id,
                         {"act_decision": decision, "study_notes": notes, "status": "done"},
                         user, base_version=cycle.version)
        _saved("Decision recorded; the cycle is done.", cycle.cycle_id)
    except CQIError as exc:
        st.error(str(exc))


def header(cycle: cqi_core.Cycle, public: bool) -> None:
    """The cycle in a few lines: aim, change, dates, status, decision, who took part."""
    settings = cqi_core.improvement_settings()
    measures, units = names()
    st.subheader(f"Cycle {cycle.cycle_id}: {cycle.title}")
    where = ", ".join(units.get(u, u) for u in cycle.units) or "the whole agency"
    when = f"{cycle.start_date:%B %-d, %Y}" + (f" to {cycle.end_date:%B %-d, %Y}"
                                               if cycle.end_date else " (no end date yet)")
    lines = [f"**Aim:** {cycle.aim}", f"**Change idea:** {cycle.change_idea or '—'}"]
    if not public:
        lines.append(f"**Prediction:** {cycle.prediction or '—'}")
    lines += [f"**Where:** {where}. **When:** {when}.",
              f"**Measures:** {', '.join(measures.get(i, i) for i in cycle.indicators)}.",
              f"**Status:** {settings.statuses[cycle.status]}"
              + (f" ({cycle.status_reason})" if cycle.status_reason and not public else "")
              + f". **Decision:** {settings.act_decisions.get(cycle.act_decision, 'not yet')}.",
              f"**Who took part:** {roles_text([p.role for p in cycle.participants], not public)}."]
    st.markdown("  \n".join(lines))
    if not public and cycle.plan:
        with st.expander("Plan"):
            st.write(cycle.plan)


@st.cache_data(show_spinner="Studying the cycle: reading its measures period by period…")
def _study(version: str, coding: str, cycle_id: int, cycle_version: int, grain: str):
    return cqi_core.cycle_study(ui.store(), cycle_id, grain)


def study(cycle: cqi_core.Cycle, grain: str):
    """The study of the cycle (cached), or None after showing why there is none."""
    try:
        coding = cqi_core.coding_version(ui.store())
        return _study(ui.data_version(), coding, cycle.cycle_id, cycle.version, grain)
    except CQIError as exc:
        st.error(str(exc))
        return None


def panel(p, study, public: bool) -> None:
    """One measure for one unit: the verdict, the frozen-baseline chart, the regression."""
    catalog = cqi_core.load_catalog(ui.store())
    entry = catalog.entry(p.indicator_id)
    label = group_label(p.group_by, p.group_value, names()[1])
    verdict = st.success if p.improved else st.info
    verdict(f"**Did a signal of improvement appear?** {p.verdict}")
    if study.cycle.prediction and not public:
        st.markdown(f"**You predicted:** {study.cycle.prediction}")
    if p.chart is None:
        return
    ui.show_figure(control_chart_figure(p.chart, entry, label, p.notes))
    st.caption(f"**{p.chart.chart_label}.** " + " ".join(p.chart.notes))
    st.markdown("**Before and after the change (segmented regression)**")
    if p.fit is None:
        st.caption(" ".join(p.fit_words))
        return
    ui.show_figure(segmented_figure(p.fit, p.periods, p.observed, entry, label, study.grain,
                                    p.to_chart, f"Cycle {study.cycle.cycle_id} began"))
    st.markdown("\n".join(f"- {w}" for w in p.fit_words))
    with st.expander("The model in numbers"):
        st.caption(study.parametrisation)
        ui.show_table(p.fit.table(),
                      "One row per term of the model (level at the start, slope before the "
                      "change, level change, slope change): its estimate, standard error, 95% "
                      "interval and p-value" + (", and the estimate and interval as ratios."
                                                if p.fit.relative else "."),
                      hide_index=True, width="stretch")
        dw = "—" if p.fit.durbin_watson is None else f"{p.fit.durbin_watson:.2f}"
        disp = "" if p.fit.dispersion is None else f"; dispersion {p.fit.dispersion:.2f}"
        st.caption(f"Model: {p.fit.family}; standard errors: {p.fit.se_method}"
                   + (f" (lag {p.fit.hac_lag})" if p.fit.hac_lag else "")
                   + f"; Durbin–Watson {dw}{disp}; {p.fit.n_pre} periods before, "
                     f"{p.fit.n_post} after.")


def you_said_we_did(study, public: bool) -> None:
    """What people said about these units around the cycle, and what the agency did."""
    settings = cqi_core.improvement_settings()
    left, right = st.columns(2)
    with left:
        st.markdown("#### You said")
        st.caption(f"Feedback, staff survey comments and case review narratives from "
                   f"{study.heard_from:%B %Y} to {study.heard_to:%B %Y}"
                   + (", themes the codebook links to these measures." if study.heard_related
                      else ", the themes raised most."))
        if study.heard.is_empty():
            st.write("No themes were found for these units and dates.")
        for r in study.heard.iter_rows(named=True):
            share = "a hidden share" if r["share"] is None else f"{r['share']:.0%}"
            st.markdown(f"**{r['theme']}**: raised by {share} of sources "
                        f"({ui.count_text(r['sources'])} of {ui.count_text(r['total_sources'])}).")
            for q in r["quotes"]:
                st.markdown(f"> {q}")
    with right:
        st.markdown("#### We did")
        c = study.cycle
        st.markdown(f"**We tried:** {c.change_idea or c.title}")
        decided = settings.act_decisions.get(c.act_decision, "not decided yet")
        st.markdown(f"**Decision:** {decided}")
        if c.study_notes and not public:
            st.markdown(f"**What we saw:** {c.study_notes}")


def history(cycle_id: int) -> None:
    """Every saved version, with who saved it and what changed."""
    with st.expander("History of this cycle"):
        try:
            frame = cqi_core.cycle_history(ui.store(), cycle_id)
        except AccessDenied:
            return
        ui.show_table(frame.select(pl.col("version").alias("Version"),
                                   pl.col("saved_by").alias("Saved by"),
                                   pl.col("saved_at").alias("When"),
                                   pl.col("what").alias("What changed")),
                      "One row per saved version of this cycle: the version number, who saved "
                      "it, when and what changed.",
                      hide_index=True, width="stretch")
