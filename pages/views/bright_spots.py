"""Bright spots: units whose improvement has lasted, what their case reviews say about their
practice, and a summary ready to share with other units. Analysts and supervisors."""

import streamlit as st

import cqi_core
from cqi_core import CQIError
from pages import _bright_widgets as bw
from pages import _downloads
from pages import _tables as tables
from pages import _shared as ui

ui.require_router("bright_spots.py")

st.title("Bright spots")
st.write("Units where an improvement has lasted, and what their case reviews say they do: "
         "practice other units can learn from.")
st.caption(bw.sustained_words())
try:
    spots = bw.bright_spots()
except CQIError as exc:
    st.error(str(exc))
    st.stop()
if not spots:
    st.info("No unit has a sustained improvement on its charts right now.")
    st.stop()
tables.show(cqi_core.bright_spot_table(spots).drop("unit_id"),
              "One row per bright spot unit: the unit, its region, its number of sustained "
              "improvements, the measures they are in and the longest one in periods.",
              hide_index=True, width="stretch",
              column_config={"unit_name": "Unit", "region": "Region",
                             "signals": "Sustained improvements",
                             "measures": "In", "longest": "Longest (periods)"})
_downloads.download("Download every bright spot (Markdown)",
                    lambda: "\n\n".join(s.summary for s in spots).encode("utf-8"),
                    "bright_spots.md", "text/markdown", "Bright spots, all units", "md",
                    key="bright_all")
for spot in bw.page_of(spots):
    with st.container(border=True, key=f"spot-{spot.unit_id}"):
        st.markdown(spot.summary)
        bw.signal_chart(spot)
        _downloads.download("Download this summary (Markdown)",
                            lambda s=spot: s.summary.encode("utf-8"),
                            f"bright_spot_{spot.unit_id}.md", "text/markdown",
                            f"Bright spot: {spot.unit_name}", "md", key=f"bright_{spot.unit_id}")
        if ui.viewer().sees_unit(spot.unit_id):
            st.markdown(f"[Open the profile of {spot.unit_name}](unit?unit={spot.unit_id})")
