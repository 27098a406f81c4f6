"""Trends: one measure as a run or control chart, its signals in words, and its baseline.

The measure, the grouping, the group, the periods and the rule preset live in the URL
(?id=V1&by=unit&group=U012&grain=month&rules=anhoej), so a link from What changed, or a
copied link, reproduces the view. Freezing the baseline, splitting the chart and dated
notes are stored with who and why, and every later drawing of the chart uses them.
"""

import streamlit as st

import cqi_core
from cqi_core import (CQIError, VARIATION_ICONS, assurance_icon, control_chart_figure,
                      variation_icon)
from pages import _downloads as dl
from pages import _params as params
from pages import _shared as ui
from pages import _trend_chart as tc
from pages import _trend_notes as tn
from pages import _trend_widgets as w

ui.require_router("trends.py")

st.title("Trends")
st.caption("Is a change real, or ordinary ups and downs? Each measure by month or quarter, "
           "with the limits chance alone would stay within, and every signal said in words.")

catalog = ui.catalog()
# The link's grain, read quietly: the view below reads it again, and says so when unusable.
all_series = w.series(params.choice_param("grain", list(w.GRAINS), quiet=True, what="periods"))
if all_series.is_empty():
    st.info("No data is loaded yet. An analyst can load the agency's exports on the "
            "**Import data** page.")
    st.stop()
view = w.choose_view(catalog, all_series)
all_series = w.series(view.grain)
entry = catalog.entry(view.indicator_id)
whose = w.label(view.group_by, view.group_value)

notes = cqi_core.chart_notes(ui.store(), view.indicator_id, view.group_by, view.group_value)
freeze_at, split_at = cqi_core.chart_phases(notes)
one = cqi_core.series_for(all_series, view.indicator_id, view.group_by, view.group_value)
try:
    chart = cqi_core.control_chart(one, entry, view.grain, preset=view.preset,
                                   freeze_at=freeze_at, split_at=split_at)
except CQIError as exc:
    st.info(f"{exc} Choose another group, or quarterly periods.")
    st.stop()

tc.icons(entry, chart, variation_icon(chart.variation), assurance_icon(chart.assurance), view)
figure = control_chart_figure(chart, entry, whose, notes)
ui.show_figure(figure)
st.caption(f"**{chart.chart_label}.** " + " ".join(chart.notes))
dl.chart_downloads(figure, f"Trend chart: {entry.name}, {whose}",
                   file_stem=f"{view.indicator_id}_{view.group_value}_{view.grain}".replace(" ", "_"))

st.subheader("Signals")
symbols = {"concern": VARIATION_ICONS["special_cause_concern"][0],
           "improvement": VARIATION_ICONS["special_cause_improvement"][0], "neutral": "◆"}
tc.signal_lists(chart, symbols)
st.markdown(tc.references(entry))
with st.expander("How signals are found"):
    for preset, words in w.PRESET_WORDS.items():
        mark = " **(used here)**" if preset == view.preset else ""
        st.markdown(f"**{w.PRESETS[preset]}**{mark}: {words}")
    st.markdown(w.rare_words())
    st.caption("The default is set in trends.yaml; choosing other rules above changes this "
               "view only. A signal says the process changed, not why: the case reviews and "
               "the notes on the chart help with that.")

tn.phases_editor(view, chart, notes)
tn.notes_editor(view, chart, notes)
tc.points_table(chart, entry)
