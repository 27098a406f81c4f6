"""Words we use: the glossary of the youth pages, one plain line per word."""

import streamlit as st

from cqi_core.analysis import youth
from pages import _shared as ui
from pages import _youth_widgets as yw

ui.require_router()

text = youth.load_youth_text()
yw.style()
st.title(text["words"]["title"])
st.write(text["words"]["intro"])
with st.container(border=True):
    for word, means in youth.glossary(text):
        st.markdown(f"**{word}:** {means}")
