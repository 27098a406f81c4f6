"""What changed: the signals in the most recent periods of every measure, for the agency,
each region and each unit, concerns and improvements apart, strongest first.

It is what a supervisor opens on Monday: it opens on their own unit (a link's ?unit= or
?region= wins; "Everyone" is one choice away), read the few cards at the top (one per measure and group, the strongest first), and open a chart
for the story behind a card.
"""

import streamlit as st

import cqi_core
from cqi_core import VARIATION_ICONS
from pages import _change_cards as cc
from pages import _change_widgets as cw
from pages import _params as params
from pages import _shared as ui
from pages import _trend_widgets as w

ui.require_router("what_changed.py")

st.title("What changed")
st.caption("Every measure, for the agency, each region and each unit, checked for signals: "
           "changes bigger or longer than ordinary ups and downs. Only signals that reach "
           "into the most recent periods are listed.")

settings = cqi_core.trend_settings()
wanted = cw.scope_from_link()  # the link's choices, read (and any note shown) above the row
mine = cqi_core.home_unit(ui.viewer(), cw.unit_ids())
if mine and params.raw_param("unit") is None and params.raw_param("region") is None:
    wanted = f"unit:{mine}"  # a supervisor lands on their own unit
grains, presets = list(w.GRAINS), list(w.PRESETS)
grain_at = params.choice_index("grain", grains, what="periods",
                               instead=f"{w.GRAINS[grains[0]].lower()} periods are shown")
preset_at = params.choice_index("rules", presets, presets.index(settings.preset),
                                what="signal rules", instead="the default rules are used")
c = st.columns([3, 2, 2, 2])
with c[0]:
    unit, region = cw.choose_scope(wanted)
grain = c[1].radio("Periods", grains, horizontal=True, format_func=w.GRAINS.get, index=grain_at)
preset = c[2].radio("Signal rules", presets, horizontal=True, format_func=w.PRESETS.get,
                    index=preset_at, help=w.PRESET_WORDS["anhoej"] + " " + w.PRESET_WORDS["mdc"])
recent = c[3].number_input("Recent periods", min_value=1, max_value=24, step=1,
                           value=settings.recent_periods[grain], key=f"recent_{grain}",
                           help="A signal is listed when it touches one of this many latest "
                                "periods (provisional ones are not judged).")
st.query_params.update({"grain": grain, "rules": preset})

catalog = ui.catalog()
found = cw.in_scope(w.scan(grain, preset, int(recent)), unit, region)
st.markdown(cw.summary_line(found, int(recent), grain))
st.caption(cw.ranking_words())

sections = [("concern", "Needs attention", VARIATION_ICONS["special_cause_concern"][0]),
            ("improvement", "Improvements", VARIATION_ICONS["special_cause_improvement"][0])]
shown = cc.top_cards(found, settings.what_changed_top)
columns = st.columns(2)
for col, (direction, title, symbol) in zip(columns, sections):
    with col:
        total = found.filter(found["direction"] == direction).height
        first = shown[direction].height
        st.subheader(f"{symbol} {title} ({total})")
        if first < total:
            st.caption(f"The {first} strongest; the rest are under Show all below.")
        cc.change_cards(shown[direction], catalog, grain, preset, key=direction)
if shown["neutral"].height:
    st.subheader("◆ Changes where neither way is better "
                 f"({found.filter(found['direction'] == 'neutral').height})")
    cc.change_cards(shown["neutral"], catalog, grain, preset, key="neutral")
cc.show_all(found, shown, catalog, grain, preset)
cc.full_list(found, catalog, grain, preset)
