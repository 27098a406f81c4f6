"""Scorecard (the landing page): each measure's latest complete period against its standard."""

import polars as pl
import streamlit as st

import cqi_core
from pages import _casemix_widgets as cm
from pages import _nav as nav
from pages import _tables as tables
from pages import _shared as ui

ui.require_router("scorecard.py")

TYPES = ["outcome", "performance", "completion", "timeliness", "quality", "context"]
MARK = {words: f"{mark} {words}" for mark, words in cqi_core.VERDICT_WORDS.values()}
# Short enough to fit a 1280 px screen; the column's help says the rest.
SHORT = {words: f"{mark} {key}" for key, (mark, words) in cqi_core.VERDICT_WORDS.items()}
SAID_IN_HEADER = r" (than|as) the 12 months before( \(any difference may be chance\))?"
FIT = {"Measure": 150, "Period": 88, "Value": 90, "95% interval": 88, "Standard": 66,
       "National": 66, "Status": 104, "Change from the 12 months before": 104, "Details": 56}
# Column widths (px) that fit the table in the page at 1280 px; long cells wrap. (A comment:
# a bare string here would be drawn on the page.)


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
# A supervisor lands on their own unit (the first, with several); "The whole agency" is one
# choice away. Everyone else lands on the agency.
mine = cqi_core.home_unit(ui.viewer(), units["unit_id"].to_list())
left, right = st.columns([2, 3])
views = ["The whole agency", "One region", "One unit"]
view = left.selectbox("Whose figures", views, index=2 if mine else 0,
                      help="A supervisor's scorecard opens on their own unit." if mine else None)
unit = region = None
if view == "One region":
    region = left.selectbox("Region", sorted(units["region"].unique().to_list()))
elif view == "One unit":
    labels = dict(zip(units["unit_name"] + " (" + units["unit_id"] + ")", units["unit_id"]))
    ids = list(labels.values())
    unit = labels[left.selectbox("Unit", list(labels), index=ids.index(mine) if mine else 0)]
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
st.markdown(f"Measures that meet their standard: **{met}**; that do not meet it yet: **{gap}**; "
            f"where we can't tell yet: **{unsure}**.")

for mtype in [t for t in TYPES if t in types]:
    part = card.filter(pl.col("measure_type") == mtype)
    if not part.height:
        continue
    st.subheader(mtype.capitalize())
    table = part.select(
        pl.col("name").alias("Measure"),
        (pl.col("period_start").dt.strftime("%b %Y") + " – " + pl.col("period_end").dt.strftime("%b %Y")).alias("Period"),
        pl.concat_str("value_text", pl.col("unit_text").replace("%", ""), separator=" ")
        .str.strip_chars().alias("Value"),
        pl.col("interval_text").alias("95% interval"),
        pl.col("standard_text").alias("Standard"), pl.col("national_text").alias("National"),
        pl.col("status").replace(SHORT).alias("Status"),
        pl.col("change_text").str.replace(SAID_IN_HEADER, "").alias("Change from the 12 months before"),
        ("indicator?id=" + pl.col("indicator_id")).alias("Details"))
    tables.show(table, f"One row per {mtype} measure: the measure, the period, its value and "
                         "unit, the 95% interval, the standard, the national figure, its status "
                         "against the standard, the change from the 12 months before and a link "
                         "to its details.", hide_index=True, width="stretch", row_height=72,
                  column_config={**{c: st.column_config.Column(c, width=w) for c, w in FIT.items()},
                                 "Change from the 12 months before": st.column_config.Column(
                                     "Change", width=FIT["Change from the 12 months before"],
                                     help="Change from the 12 months before; a small change "
                                     "may be chance."),
                                 "Status": st.column_config.Column(
                                     "Status", width=FIT["Status"], help="Meets: the whole 95% "
                                     "interval is on the good side of the standard. Can't tell "
                                     "yet: the interval reaches both sides."),
                                 "Details": st.column_config.LinkColumn(
                                     "Details", display_text="open", width=FIT["Details"])})

if unit or region:  # the federal measures observed and adjusted for case mix
    cm.group_table(unit or region, "unit" if unit else "region")

if card.height:
    names = dict(zip(card["name"], card["indicator_id"]))
    pick = st.selectbox("Open a measure", list(names))
    st.page_link(nav.script("indicator.py"), label=f"Open “{pick}”: definition, trend and breakdown",
                 icon=":material/insights:", query_params={"id": names[pick]})

st.caption("**How to read this:** the 95% interval is the range the true figure most likely lies "
           "in; when the standard sits inside it, the difference from the standard may be chance. "
           "Open a measure for its definition, its trend and its breakdown by group.")
