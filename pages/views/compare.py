"""Compare units: every unit (or region) against the agency on one measure, as a funnel plot.

The measure, grouping, period and methods live in the URL (?id=V1&by=unit&end=2026-09-30
&method=auto&od=auto), so a copied link reproduces the view. The core draws the limits,
decides over-dispersion and releases the unit table for the viewer's audience; this page
shows them. The table is sorted by unit, never ranked.
"""

from datetime import date
from urllib.parse import quote

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import CQIError, display_scale, funnel_figure
from pages import _downloads as dl
from pages import _params as params
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
if cqi_core.as_of_date(ui.store()) is None:
    st.info("No data is loaded yet.")
    st.stop()

version = ui.data_version()
catalog = cqi_core.load_catalog(ui.store())
top = st.columns([1, 3, 2])
groups = list(GROUPS)
by = top[0].radio("Compare", groups, format_func=GROUPS.get, index=params.choice_index(
    "by", groups, what="grouping", instead="units are compared"))
ids = cqi_core.comparable(by)
iid = top[1].selectbox("Measure", ids, format_func=lambda i: f"{catalog.entry(i).name} ({i})",
                       index=params.choice_index("id", ids, what="measure",
                                                 instead="the first measure is shown"))
try:  # staff: the latest complete 12 months and those before; the public: published ones
    spans = _periods(version, iid)
except CQIError as exc:
    st.info(str(exc))
    st.stop()
ends = [e for _, e in spans]
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
ui.show_table(table, f"One row per {by} for {c.entry.name}, {period}: the {by}, its id, the "
              "numerator, denominator and value, its z-scores, the 95% and 99.8% funnel limits, "
              "where it lies" + (" and a link to its trend." if links else "."),
              hide_index=True, width="stretch", column_config=config)
dl.table_downloads(table.drop("Trend", strict=False), f"{c.entry.name} by {by}, {period}",
                   noun="the table", file_stem=f"compare_{iid}_{by}_{end}")

s = cqi_core.compare_settings()
with st.expander("How units are compared (the rules in compare.yaml)"):
    st.markdown(f"""
- **Limits.** The {s.level_words('alert')} limits (dashed) and the {s.level_words('alarm')} limits
  (dotted) are where chance alone would keep a unit of that size. A unit strictly outside a limit
  is flagged; a unit exactly on it is not.
- **Which limits.** *Automatic* uses exact limits (binomial, or Poisson for rates) when any unit
  expects fewer than {s.exact_below_expected:g} events (or, for a percentage, fewer than
  {s.exact_below_expected:g} non-events), and the normal approximation otherwise.
- **Too few to judge.** A unit counting fewer than {s.min_denominator['proportion']:,.0f} (children,
  visits or reviews) for a percentage, or fewer than {s.min_denominator['rate']:,.0f} days for a
  rate, is greyed and never flagged. It still counts in the agency figure.
- **Over-dispersion.** Units often differ more than chance alone allows, for reasons no single unit
  controls. The z-scores are winsorised at the {s.winsorise:.0%} and {1 - s.winsorise:.0%} points,
  φ̂ is their average square, and the spread counts as too wide when a χ² test gives p below
  {s.overdispersion_alpha:g} (tested only with at least {s.overdispersion_min_units} units).
  *Automatic* then widens the limits with the {s.overdispersion_auto} model
  ({'random effects on the arcsine scale' if s.overdispersion_auto == 'additive' else 'limits times √φ̂'});
  *Multiplicative* widens them by √φ̂ when φ̂ is above 1; *Additive* adds the between-unit spread τ̂².
  With exact limits, the additive model uses the normal-scale limits (there is no exact form).
- **Never a league table.** The table is sorted by {s.display['sort_table_by']} id, not by value.
""")
