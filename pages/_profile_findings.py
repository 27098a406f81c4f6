"""Streamlit glue for what a unit profile found: the joint findings of its measures and case
reviews, and the themes raised in its narratives and feedback."""

from __future__ import annotations

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import LABEL_SYMBOLS, RATING_WORDS
from pages import _profile_widgets as pw
from pages import _tables as tables
from pages import _shared as ui


def joint_findings(p: cqi_core.UnitProfile) -> None:
    """Each pair's finding in words, with its quotes, under the joint display."""
    for r in p.joint.iter_rows(named=True):
        with st.container(border=True, key=f"pair-{r['pair_id']}"):
            st.markdown(f"**{r['title']}** · {LABEL_SYMBOLS[r['label']]} **{r['label_words']}**")
            st.write(r["sentence"])
            st.caption(f"Which way they agree: {r['agrees']}")
            mine = p.quotes.filter(pl.col("pair_id") == r["pair_id"])
            for q in mine.iter_rows(named=True):
                when = f" · {q['period_month']:%B %Y}" if q["period_month"] else ""
                st.markdown("> " + "\n> ".join(ui.plain(t) for t in q["text"].split("\n")))
                st.caption(f"Item {q['item']} · {RATING_WORDS.get(q['rating'], q['rating'])}{when}")

def themes(p: cqi_core.UnitProfile) -> None:
    """Top themes in the unit's review narratives and feedback, beside the agency's share."""
    if p.themes.is_empty():
        st.info("No themes were found in this unit's narratives or feedback in the period.")
        return
    for source in ("case_review", "feedback"):
        part = p.themes.filter(pl.col("source_type") == source)
        st.markdown(f"**{pw.SOURCE_WORDS[source]}**")
        if part.is_empty():
            st.caption("None in the period.")
            continue
        tables.show(part.select("theme", "texts", "texts_total", "share", "agency_share"),
                      f"One row per theme {pw.SOURCE_WORDS[source].lower()} of {p.unit_name}: "
                      "the theme, the unit's texts raising it, all the unit's texts, the share "
                      "that raise it and the share across the agency.",
                      hide_index=True, width="stretch", column_config={
                         "theme": "Theme", "texts": "Texts raising it",
                         "texts_total": "Texts of the unit",
                         "share": st.column_config.NumberColumn("Share", format="percent"),
                         "agency_share": st.column_config.NumberColumn("Agency share",
                                                                       format="percent")})
    st.caption("A text is one review narrative (each reviewed item has its own) or one feedback "
               "comment. Themes are suggested by the codebook's patterns and checked by analysts "
               "on the Case reviews and Voices pages.")
