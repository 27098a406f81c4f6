"""Streamlit glue of the youth pages: large friendly type and the words around a picture.

Every word comes from `cqi_core.analysis.youth` (youth.yaml); this module only lays it out.
"""

from __future__ import annotations

import streamlit as st

import cqi_core
from cqi_core import Figure, YouthText

# Larger type, roomier lines and dark (not grey) small print, on the youth pages only: the
# style is an element of the page, so it goes when the page does.
_STYLE = """<style>
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li { font-size: 1.3rem; line-height: 1.6; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] { opacity: 1; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.1rem; color: #31333f; }
[data-testid="stMain"] h1 { font-size: 2.8rem; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 1.8rem; }
[data-testid="stMain"] blockquote { opacity: 1; color: #31333f; border-left-color: #0072B2; }
[data-testid="stMain"] blockquote p { font-size: 1.35rem; font-style: italic; color: #31333f; }
</style>"""


def style() -> None:
    """Large, friendly type for the page being drawn."""
    st.html(_STYLE)


def picture(fig: Figure, text: YouthText, sentence: str | None = None) -> None:
    """A pictogram, the sentence it pictures (when given), its 'how to read this' line and
    its words for screen readers."""
    labels = text["labels"]
    st.altair_chart(fig.chart, width="content")
    if sentence:
        big(sentence)
    st.caption(f"**{labels['how_to_read']}:** {fig.how_to_read}")
    with st.expander(labels["picture_in_words"]):
        st.write(fig.description)


def scale_note(text: YouthText) -> None:
    """The page's one scale, said once above its pictures ("Every picture on this page has
    100 small drawings, so you can compare them.")."""
    st.caption(cqi_core.fill_youth_text(text["labels"]["scale"], base=text.out_of))


def big(words: str) -> None:
    """One sentence in large type: a card's answer."""
    st.markdown(f"#### {words}")
