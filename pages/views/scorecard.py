"""Scorecard (the landing page): each measure's latest complete period against its standard."""

import polars as pl
import streamlit as st

import cqi_core
from pages import _nav as nav
from pages import _shared as ui

ui.require_router("scorecard.py")

TYPES = ["outcome", "performance", "completion", "timeliness", "quality", "context"]
MARK = {words: f"{mark} {words}" for mark, words in cqi_core.VERDICT_WORDS.values()}


@st.cache_data(show_spinner="Computing the scorecard…")
def _scorecard(version: str, unit: str | None, region: str | None) -> pl.DataFrame:
    return cqi_core.build_scorecard(ui.store(), unit=unit, region=region)


@st.cache_data(show_spinner=False)
def _units(version: str) -> pl.DataFrame:
    return cqi_core.unit_list(ui.store())


st.title("Scorecard")
s = ui.agency_strip()
if s is None:
    st.stop()

units = _units(ui.data_version())
left, right = st.columns([2, 3])
view = left.selectbox("Whose figures", ["The whole agency", "One region", "One unit"])
unit = region = None
if view == "One region":
    region = left.selectbox("Region", sorted(units["region"].unique().to_list()))
elif view == "One unit":
    labels = dict(zip(units["unit_name"] + " (" + units["unit_id"] + ")", units["unit_id"]))
    unit = labels[left.selectbox("Unit", list(labels))]
types = right.multiselect("Measure types", TYPES, default=TYPES,
                          help="Outcomes for children, and the practice that leads to them.")

card = _scorecard(ui.data_version(), unit, region)
card = card.filter(pl.col("measure_type").is_in(types)) if card.height else card
st.caption("Each measure is shown for its latest complete 12 months: measures that follow "
           "children for a year after the period (permanency, re-entry, recurrence) end earlier. "
           "Federal measures are observed, not risk-adjusted. The standard is judged on the 95% "
           "interval: a measure **meets the standard** when the whole interval is on the good "
           "side, **does not meet the standard yet** when the whole interval is on the other "
           "side, and we **can't tell yet** when the interval reaches both sides. A unit's or "
           "region's figure from fewer than "
           f"{cqi_core.min_denominator():g} counted is not shown.")
count = {v: card.filter(pl.col("verdict") == v).height if card.height else 0
         for v in cqi_core.VERDICTS}
met, gap, unsure = (count[v] for v in cqi_core.VERDICTS)
st.markdown(f"**{met}** measures meet their standard, **{gap}** do not meet it yet, and for "
            f"**{unsure}** we can't tell yet.")

for mtype in [t for t in TYPES if t in types]:
    part = card.filter(pl.col("measure_type") == mtype)
    if not part.height:
        continue
    st.subheader(mtype.capitalize())
    table = part.select(
        pl.col("name").alias("Measure"),
        (pl.col("period_start").dt.strftime("%b %Y") + " – " + pl.col("period_end").dt.strftime("%b %Y")).alias("Period"),
        pl.col("value_text").alias("Value"), pl.col("unit_text").alias("Unit"),
        pl.col("interval_text").alias("95% interval"),
        pl.col("standard_text").alias("Standard"), pl.col("national_text").alias("National"),
        pl.col("status").replace(MARK).alias("Status"), pl.col("change_text").alias("Change from the 12 months before"),
        ("indicator?id=" + pl.col("indicator_id")).alias("Details"))
    ui.show_table(table, f"One row per {mtype} measure: the measure, the period, its value and "
                         "unit, the 95% interval, the standard, the national figure, its status "
                         "against the standard, the change from the 12 months before and a link "
                         "to its details.", hide_index=True, width="stretch",
                  column_config={"Details": st.column_config.LinkColumn("Details", display_text="open")})

if card.height:
    names = dict(zip(card["name"], card["indicator_id"]))
    pick = st.selectbox("Open a measure", list(names))
    st.page_link(nav.script("indicator.py"), label=f"Open “{pick}”: definition, trend and breakdown",
                 icon=":material/insights:", query_params={"id": names[pick]})

st.caption("**How to read this:** the 95% interval is the range the true figure most likely lies "
           "in; when the standard sits inside it, the difference from the standard may be chance. "
           "Open a measure for its definition, its trend and its breakdown by group.")
