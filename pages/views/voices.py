"""Voices: what youth, parents, caregivers, partners, providers and staff told the agency,
from feedback and the staff survey: ratings (F1), themes, quotes, trends and a "What we
heard" list for a meeting. Analysts and supervisors (supervisors read comments redacted)."""

from datetime import date

import polars as pl
import streamlit as st

import cqi_core
from pages import _coding_widgets as cdw
from pages import _downloads as dl
from pages import _review_widgets as rw
from pages import _tables as tables
from pages import _shared as ui

ui.require_router("voices.py")
BY = {"source_group": "Who", "channel": "Channel", "region": "Region", "unit": "Unit"}


@st.cache_data(show_spinner="Reading the comments…")
def _all(version: str) -> pl.DataFrame:
    return cqi_core.load_voices(ui.store())


@st.cache_data(show_spinner=False)
def _pick(version: str, start: date | None, end: date | None, f: tuple) -> pl.DataFrame:
    return cqi_core.filter_voices(_all(version), start, end, *f)


@st.cache_data(show_spinner=False)
def _coded(version: str, coding: str, start: date | None, end: date | None, f: tuple) -> pl.DataFrame:
    return cqi_core.selection_coded(rw.coded(version, coding, None, None, cqi_core.VOICE_SOURCE_TYPES),
                                    _pick(version, start, end, f))


@st.cache_data(show_spinner="Preparing the text for your role…")
def _seen(version: str, coding: str, role: str, start: date, end: date, f: tuple, which: str) -> pl.DataFrame:
    frame = _coded(version, coding, start, end, f) if which == "coded" else _pick(version, start, end, f)
    return cqi_core.text_for_audience(frame, role, ui.store())


st.title("Voices")
st.write("Feedback from youth, parents, caregivers, community partners and providers, and the "
         "comments staff write in the staff survey. Themes count **sources** (one feedback or "
         "one survey answer), so a long comment does not weigh more than a short one.")
version, coding = rw.versions()
everything = _all(version)
if everything.is_empty():
    st.info("No feedback or staff survey comments are loaded yet.")
    st.stop()
first, last = everything["date"].min(), everything["date"].max()
period = rw.period_picker("vo_grain", lambda grain: cqi_core.periods_between(first, last, grain))
unit_names = dict(everything.select("unit_id", "unit_name").drop_nulls("unit_id").unique().iter_rows())
c = st.columns(5)
f = (tuple(c[0].multiselect("Source", cqi_core.VOICE_SOURCE_TYPES, format_func=cqi_core.SOURCE_TYPE_WORDS.get,
                            placeholder="Feedback and staff survey")),
     tuple(c[1].multiselect("Who", list(cqi_core.VOICE_GROUP_WORDS), format_func=cqi_core.VOICE_GROUP_WORDS.get,
                            placeholder="Everyone")),
     tuple(c[2].multiselect("Channel", list(cqi_core.CHANNEL_WORDS), format_func=cqi_core.CHANNEL_WORDS.get,
                            placeholder="Every channel")),
     tuple(c[4].multiselect("Unit", sorted(unit_names, key=unit_names.get), format_func=unit_names.get,
                            placeholder="Every unit")),
     tuple(c[3].multiselect("Region", sorted(everything["region"].drop_nulls().unique()),
                            placeholder="Every region")))
sel = _pick(version, period.start, period.end, f)
if sel.is_empty():
    st.info(f"Nothing was heard in {period.label} for this selection.")
    st.stop()
fav = cqi_core.favourable(sel).row(0, named=True) if cqi_core.favourable(sel).height else None
m = st.columns(3)
m[0].metric("Comments and answers", f"{sel['source_key'].n_unique():,}")
m[1].metric("Feedback with a rating", f"{fav['rated']:,}" if fav else "0")
liked = cqi_core.f1_favourable_words()   # F1's favourable ratings ("4 or 5"), from its setting
m[2].metric(f"Rated {liked} (F1)", f"{fav['share']:.0%}" if fav else "no ratings",
            help=f"The stakeholder feedback measure: the share of rated feedback rated {liked} out of 5.")
by = st.radio("Compare by", list(BY), horizontal=True, format_func=BY.get)
themes = rw.theme_names(version, coding)
coded = _coded(version, coding, period.start, period.end, f)

tabs = st.tabs(["Ratings", "Themes", "Quotes", "Trends", "What we heard"])
with tabs[0]:
    dist = cqi_core.rating_distribution(sel, by)
    if dist.is_empty():
        st.info("No feedback in this selection has a rating.")
    else:
        ui.show_figure(cqi_core.rating_distribution_chart(dist, BY[by]))

with tabs[1]:
    presence = cqi_core.theme_presence(coded, sel, "all", themes)
    if presence.is_empty():
        st.info("No themes were found in these comments.")
    else:
        ui.show_figure(cqi_core.theme_bars(presence, "Themes people raised", sel["source_key"].n_unique()))
        split = cqi_core.theme_presence(coded, sel, by, themes).with_columns(
            cell=(pl.col("share") * 100).round(0).cast(pl.Int64).cast(pl.String) + "% of "
            + pl.col("total_sources").cast(pl.String))
        tables.show(split.pivot(on="group_label", index="theme", values="cell"),
                      "One row per theme; one column per "
                      f"{by.replace('source_group', 'group of people')}: the share of its "
                      "sources raising the theme, of the number of sources.", hide_index=True,
                      width="stretch", column_config={"theme": "Theme"})
        code = st.selectbox("Read the comments of one theme", presence["code"], format_func=themes.get)
        behind = cqi_core.excerpts_for(_seen(version, coding, ui.role(), period.start, period.end, f,
                                             "coded"), code)
        rw.show_texts(behind, "vo_theme", {"date": "Date", "source_group": "Who", "channel": "Channel",
                                           "rating": "Rating", "text": "Comment"}, "No comment carries this theme.")

with tabs[2]:
    seen = _seen(version, coding, ui.role(), period.start, period.end, f, "texts")
    query = st.text_input("Search the comments", placeholder="for example: bus")
    found = cqi_core.search_text(seen, query)
    for row in cqi_core.exemplars(found, ["source_group"]).iter_rows(named=True):
        rw.quote(row["text"], f"{cqi_core.VOICE_GROUP_WORDS.get(row['source_group'], row['source_group'])} · "
                 f"{cqi_core.SOURCE_TYPE_WORDS[row['source_type']]} · {row['date']:%B %Y}")
    shown = rw.show_texts(found, "vo_texts", {"date": "Date", "source_group": "Who", "channel": "Channel",
                                              "unit_name": "Unit", "rating": "Rating", "text": "Comment"},
                          "No comment matches.")
    if ui.role() == "analyst" and shown.height:
        with st.expander("Approve a comment for sharing with stakeholders and youth"):
            pick = st.selectbox("Comment", shown["excerpt_id"].to_list(), key="vo_share_pick")
            row = shown.filter(pl.col("excerpt_id") == pick).row(0, named=True)
            st.markdown(ui.plain(cqi_core.redact(row["text"])))
            cdw.sharing_control(row, "vo_share")

with tabs[3]:
    past = _pick(version, None, None, f)
    trend = cqi_core.favourable_trend(past, first, last)
    ui.show_figure(cqi_core.share_trend_chart(trend, f"Feedback rated {liked}, each quarter", f"Share rated {liked}",
                                              "Each point is one quarter's rated feedback; the line shows "
                                              "whether people rate their experience better over time."))
    top = cqi_core.theme_presence(coded, sel, "all", themes)["code"].head(3).to_list()
    chosen = st.multiselect("Themes to follow", list(themes), default=top, format_func=themes.get)
    if chosen:
        over = cqi_core.theme_trend(_coded(version, coding, None, None, f), past, chosen, first, last, themes)
        ui.show_figure(cqi_core.share_trend_chart(over, "Themes raised, each quarter", "Share of sources",
                                                  "Each line is one theme: the share of the quarter's "
                                                  "comments and answers that raise it."))

with tabs[4]:
    n = st.slider("How many themes", 3, 10, 5)
    heard = cqi_core.what_we_heard(coded, sel, _seen(version, coding, ui.role(), period.start, period.end,
                                                     f, "coded"), themes, top=n)
    about = f"{period.label}: {sel['source_key'].n_unique():,} comments and answers."
    text = cqi_core.what_we_heard_markdown(heard, "What we heard", about)
    st.markdown(cqi_core.what_we_heard_markdown(heard, "What we heard", about, level=3))
    d1, d2 = st.columns(2)
    with d1:
        dl.download("Download for the meeting (Markdown)", lambda: text.encode("utf-8"),
                    "what_we_heard.md", "text/markdown", f"What we heard, {period.label}", "md")
    with d2:
        dl.table_downloads(heard, f"What we heard, {period.label}", noun="the themes and quotes",
                           file_stem="what_we_heard")
