"""For young people: how young people in care are doing, one card per measure with a
picture and one sentence. Numbers are released as for the youth audience, whoever looks."""

import streamlit as st

import cqi_core
from cqi_core import fact_pictogram
from pages import _shared as ui
from pages import _youth_widgets as yw

ui.require_router("youth_home.py")


@st.cache_data(show_spinner=False)
def _areas(version: str) -> list[str]:
    return cqi_core.youth_regions(ui.store())


@st.cache_data(show_spinner=False)
def _facts(version: str, area: str | None) -> tuple[cqi_core.YouthFact, ...]:
    return cqi_core.youth_facts(ui.store(), area)


text = cqi_core.load_youth_text()
home = text["home"]
yw.style()
st.title(home["title"])
st.write(home["intro"])
st.info(home["privacy"], icon=":material/lock:")
version = ui.data_version()
area = st.selectbox(home["area_label"], [None, *_areas(version)],
                    format_func=lambda a: home["everywhere"] if a is None else a)
facts = _facts(version, area)
if not facts:
    st.info(home["no_data"])
    st.stop()
if area:
    st.write(cqi_core.fill_youth_text(home["area_note"], area=area))
yw.scale_note(text)  # one scale for every picture of the page

for fact in facts:
    with st.container(border=True):
        st.subheader(ui.plain(fact.name))
        left, right = st.columns(2, gap="large")
        with left:
            yw.picture(fact_pictogram(fact, text.out_of), text)
        with right:
            yw.big(fact.sentence)
            if fact.change:
                st.markdown(ui.plain(fact.change))
            st.caption(fact.period)
            with st.expander(home["what_we_count"]):
                st.markdown(ui.plain(fact.what_we_count))
st.write(home["next"])
