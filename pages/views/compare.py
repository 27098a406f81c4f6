"""Compare units: every unit (or region) against the agency on one measure, as a funnel plot.

The measure, grouping, period and methods live in the URL (?id=V1&by=unit&end=2026-09-30
&method=auto&od=auto), so a copied link reproduces the view. When the person picks another
measure, the period moves to that measure's latest complete 12 months (its follow-up
over), never the period the previous measure was shown for. The core draws the limits,
decides over-dispersion and releases the unit table for the viewer's audience; this page
shows them. The table is sorted by unit, never ranked.
"""

from datetime import date
from urllib.parse import quote

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import CQIError, display_scale, funnel_figure
from pages import _casemix_widgets as cm
from pages import _compare_rules as rules
from pages import _downloads as dl
from pages import _params as params
from pages import _tables as tables
from pages import _shared as ui

ui.require_router("compare.py")

GROUPS = {"unit": "Units", "region": "Regions"}
METHODS = {"auto": "Automatic", "normal": "Normal approximation", "exact": "Exact"}
MODELS = {"auto": "Automatic", "none": "None", "multiplicative": "Multiplicative",
          "additive": "Additive (random effects)"}


@st.cache_data(show_spinner="Comparing every unit…")
def _compare(version: str, iid: str, start: date, end: date, by: str, method: str, od: str):
    return cqi_core.compare_units(ui.store(), iid, start, end, by, method, od)


@st.cache_data(show_spinner=False)
def _periods(version: str, iid: str) -> list[tuple[date, date]]:
    return cqi_core.compare_periods(ui.store(), iid)


st.title("Compare units")
st.caption("Is a unit's figure different from the agency's by more than chance? Each unit is a "
           "dot; the funnel shows how far chance alone would scatter units of that size.")
if ui.as_of() is None:
    st.info("No data is loaded yet.")
    st.stop()

version = ui.data_version()
catalog = ui.catalog()
top = st.columns([1, 3, 2])
groups = list(GROUPS)
by = top[0].radio("Compare", groups, format_func=GROUPS.get, index=params.choice_index(
    "by", groups, what="grouping", instead="units are compared"))
ids = cqi_core.comparable(by)
# Keyed (one key a grouping, whose measures never change): the person's pick stands even
# after the link is rewritten to it; the link's measure only starts the picker.
iid = top[1].selectbox("Measure", ids, format_func=lambda i: f"{catalog.entry(i).name} ({i})",
                       index=params.choice_index("id", ids, what="measure",
                                                 instead="the first measure is shown"),
                       key=f"compare_measure_{by}")
try:  # staff: the latest complete 12 months and those before; the public: published ones
    spans = _periods(version, iid)
except CQIError as exc:
    st.info(str(exc))
    st.stop()
ends = [e for _, e in spans]
# The link still names the measure of the previous run when the person has just picked
# another one: the period then starts again on the new measure's latest complete 12 months.
linked = params.choice_param("id", ids, None, what="measure", quiet=True)
if linked is not None and linked != iid:
    wanted = ends[0]
else:
    wanted = params.date_param("end", ends[0], ends)
end = top[2].selectbox("12 months ending", ends, index=ends.index(wanted),
                       format_func=lambda d: f"{d:%B %-d, %Y}",
                       help="The first choice is the latest 12 months whose follow-up is complete.")
start = spans[ends.index(end)][0]
row = st.columns(2)
methods, models = list(METHODS), list(MODELS)
method = row[0].radio("Limits", methods, format_func=METHODS.get, horizontal=True,
                      index=params.choice_index("method", methods, what="limits",
                                                instead="automatic limits are shown"))
od = row[1].radio("Over-dispersion", models, format_func=MODELS.get, horizontal=True,
                  index=params.choice_index("od", models, what="over-dispersion model",
                                            instead="it is decided automatically"))
st.query_params.update({"id": iid, "by": by, "end": end.isoformat(), "method": method, "od": od})
views = list(cm.VIEWS)  # observed, or adjusted for case mix (the seven federal measures)
view = st.radio("Figures", views, format_func=cm.VIEWS.get, horizontal=True,
                index=params.choice_index("view", views, what="figures",
                                          instead="the observed figures are shown"))
st.query_params["view"] = view
if view == "adjusted":
    cm.compare_view(iid, start, end, by, method, od)
    st.stop()

try:
    c = _compare(version, iid, start, end, by, method, od)
except CQIError as exc:
    st.info(str(exc))
    st.stop()
period = f"{start:%B %Y} to {end:%B %Y}"
ui.show_figure(funnel_figure(c, period), what=f"Funnel plot: {c.entry.name} by {by}, {period}")

links = ui.role() in ("analyst", "supervisor")  # Trends serves these roles only


def _trend(u: str) -> str:
    return f"trends?id={quote(iid)}&by={by}&group={quote(u)}"


def _link(u: str) -> str:
    name = c.labels.get(u, u)
    return f"[{name}]({_trend(u)})" if links else name


st.subheader("What the funnel shows")
st.markdown("\n".join(f"- {s}" for s in c.sentences))
if links and (c.bright_spots or c.concerns):
    st.markdown("**Open the trend of** " + "; ".join(_link(u) for u in c.bright_spots + c.concerns)
                + ". A comparison is fair only when the unit's own process is stable.")

k = display_scale(c.entry)
words = {f: spec["label"] for f, spec in cqi_core.compare_settings().display["flags"].items()}
table = c.result.units.sort("unit").select(
    pl.col("unit").replace_strict(c.labels, default=pl.col("unit")).alias(by.capitalize()),
    pl.col("unit").alias("Id"), pl.col("numerator").alias("Numerator"),
    pl.col("denominator").alias("Denominator"), (pl.col("value") * k).round(2).alias("Value"),
    pl.col("z").round(2).alias("z"), pl.col("z_winsorised").round(2).alias("z for φ̂ (unadjusted, winsorised)"),
    (pl.col("lcl95") * k).round(2).alias("95% lower"), (pl.col("ucl95") * k).round(2).alias("95% upper"),
    (pl.col("lcl998") * k).round(2).alias("99.8% lower"),
    (pl.col("ucl998") * k).round(2).alias("99.8% upper"),
    pl.when(pl.col("flag").is_null()).then(pl.lit("hidden (small numbers)"))
    .when(pl.col("denominator") < c.result.min_denominator).then(pl.lit("too few to judge"))
    .otherwise(pl.col("flag").replace_strict(words, default="")).alias("Where it lies"))
config = {}
if links:
    table = table.with_columns(pl.Series("Trend", [_trend(u) for u in table["Id"]]))
    config["Trend"] = st.column_config.LinkColumn("Trend", display_text="open")
st.subheader(f"Every {by}, by {by} id")
tables.show(table, f"One row per {by} for {c.entry.name}, {period}: the {by}, its id, the "
              "numerator, denominator and value, its z-scores, the 95% and 99.8% funnel limits, "
              "where it lies" + (" and a link to its trend." if links else "."),
              hide_index=True, width="stretch", column_config=config)
dl.table_downloads(table.drop("Trend", strict=False), f"{c.entry.name} by {by}, {period}",
                   noun="the table", file_stem=f"compare_{iid}_{by}_{end}")

rules.explain()
