"""Words we use: the glossary of the youth pages, one plain line per word."""

import streamlit as st

import cqi_core
from pages import _shared as ui
from pages import _youth_widgets as yw

ui.require_router("youth_words.py")

text = cqi_core.load_youth_text()
yw.style()
st.title(text["words"]["title"])
st.write(text["words"]["intro"])
with st.container(border=True):
    for word, means in cqi_core.youth_glossary(text):
        st.markdown(f"**{word}:** {means}")
