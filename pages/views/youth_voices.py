"""What young people told us: the themes of young people's comments as shares, and quotes
an analyst approved for sharing. Counts are released as for the youth audience."""

import streamlit as st

import cqi_core
from cqi_core import theme_pictogram
from pages import _shared as ui
from pages import _youth_widgets as yw

ui.require_router("youth_voices.py")


@st.cache_data(show_spinner=False)
def _heard(version: str, years_back: int) -> cqi_core.YouthVoices:
    return cqi_core.youth_voices(ui.store(), years_back=years_back)


text = cqi_core.load_youth_text()
words = text["voices"]
yw.style()
st.title(words["title"])
st.write(words["intro"])
spans = list(text.spans)
back = st.selectbox(words["span_label"], spans, format_func=text.spans.get)
heard = _heard(ui.data_version(), back)
st.write(" ".join(p for p in (heard.period, heard.total) if p))
if heard.themes:
    yw.scale_note(text)  # one scale for every picture of the page

for first in range(0, len(heard.themes), 2):
    for column, theme in zip(st.columns(2, gap="large"), heard.themes[first:first + 2]):
        with column, st.container(border=True):
            yw.picture(theme_pictogram(theme), text, theme.sentence)
if heard.also:
    st.subheader(heard.also_title)
    st.markdown("\n".join(f"- {label[:1].upper()}{label[1:]}" for label in heard.also))

st.header(words["quotes_title"])
st.write(words["quotes_intro"])
if heard.quotes:
    for quote in heard.quotes:
        st.markdown("> " + "\n> ".join(ui.plain(t) for t in quote.split("\n")))
else:
    st.write(words["no_quotes"])
