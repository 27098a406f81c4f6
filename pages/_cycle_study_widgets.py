"""Streamlit glue for the study of an improvement cycle: one panel per measure (its control
chart with the baseline frozen and its segmented regression) and what was heard and done."""

from __future__ import annotations

import streamlit as st

import cqi_core
from cqi_core import control_chart_figure, group_label, segmented_figure
from pages import _improvement_widgets as w
from pages import _tables as tables
from pages import _shared as ui


def panel(p, study, public: bool) -> None:
    """One measure for one unit: the verdict, the frozen-baseline chart, the regression."""
    catalog = cqi_core.load_catalog(ui.store())
    entry = catalog.entry(p.indicator_id)
    label = group_label(p.group_by, p.group_value, w.names()[1])
    verdict = st.success if p.improved else st.info
    verdict(f"**Did a signal of improvement appear?** {p.verdict}")
    if study.cycle.prediction:  # for a public audience, only an approved prediction
        st.markdown(f"**You predicted:** {ui.plain(study.cycle.prediction)}")
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
        tables.show(p.fit.table(),
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
            st.markdown(f"**{ui.plain(r['theme'])}**: raised by {share} of sources "
                        f"({ui.count_text(r['sources'])} of {ui.count_text(r['total_sources'])}).")
            for q in r["quotes"]:
                st.markdown(f"> {ui.plain(q)}")
    with right:
        st.markdown("#### We did")
        c = study.cycle
        st.markdown(f"**We tried:** {ui.plain(c.change_idea or c.title)}")
        decided = cqi_core.decision_words(c)
        decided = "not decided yet" if decided == "not yet" else decided
        st.markdown(f"**Decision:** {ui.plain(decided)}")
        if c.study_notes:  # for a public audience, only approved notes
            st.markdown(f"**What we saw:** {ui.plain(c.study_notes)}")
