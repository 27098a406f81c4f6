"""Streamlit glue shared by the Trends and What changed pages.

The series of every measure by period is slow to build the first time (half a minute for
months on the sample agency), so it is cached by data version and grain, and the scan on
top of it by preset and recent periods too. The view (measure, grouping, group, grain,
rule preset) lives in the URL, so a link from What changed opens the same chart. What sits around
one chart is in `_trend_chart`, its phases and notes in `_trend_notes`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import Catalog, group_label

from pages import _params as params
from pages import _refreshing as refreshing
from pages import _shared as ui

GRAINS = {"month": "Monthly", "quarter": "Quarterly"}
GROUPINGS = {"all": "The whole agency", "unit": "A unit", "region": "A region"}
PRESETS = {"anhoej": "Anhøj (qicharts2)", "mdc": "Making Data Count"}
PRESET_WORDS = {
    "anhoej": "Anhøj rules, as in the qicharts2 package: a point outside the 3-sigma limits, an "
              "unusually long run on one side of the centre line, or too few crossings of it "
              "is a signal; these keep false alarms near 5% however long the chart.",
    "mdc": "Making Data Count, the NHS England method: an XmR chart where a point outside the "
           "limits, 7 points in a row on one side, 7 rising or falling in a row, or 2 of 3 "
           "close to a limit is a signal; it also says whether the standard will be met.",
}


def rare_words() -> str:
    """How rare events are charted and how the runs rules read, from trends.yaml."""
    s = cqi_core.trend_settings()
    return (f"**Rare events**: when a measure has fewer than {s.rare_events_per_period:g} "
            "event per period in a typical (median) period, a chart of its rate would be "
            "mostly zeros, and runs of zeros look like shifts that are not there. Such a "
            "measure is drawn as a g chart instead: the number of periods without an event "
            "between one event and the next, where only a gap above the upper limit (or a "
            "long run of gaps on one side of the median gap) is a signal. With fewer than "
            f"{s.rare_min_gaps} gaps there is no signal at all. On every chart, points at 0 "
            "(or at 100% when higher is better) never make a run count as an improvement. "
            "The runs rules count the line drawn: the median on run and g charts, the "
            "average on the others. Set in trends.yaml.")


@dataclass(frozen=True)
class View:
    """What the Trends page shows (the URL's query parameters)."""

    indicator_id: str
    """The measure."""
    group_by: str
    """all, unit or region."""
    group_value: str
    """'all', a unit id or a region name."""
    grain: str
    """month or quarter."""
    preset: str
    """anhoej or mdc."""

    def params(self) -> dict[str, str]:
        """The view as query parameters."""
        return {"id": self.indicator_id, "by": self.group_by, "group": self.group_value,
                "grain": self.grain, "rules": self.preset}


@st.cache_data(show_spinner="Computing every measure for every period, unit and region. "
                            "The first time takes about half a minute; after that it is kept "
                            "until the next import.")
def _series(version: str, grain: str) -> pl.DataFrame:
    return cqi_core.build_series(ui.store(), grain)


def series(grain: str) -> pl.DataFrame:
    """Every measure by period for every group (cached; shows a running refresh's progress)."""
    refreshing.wait_for_series(grain)
    return _series(ui.data_version(), grain)


@st.cache_data(show_spinner="Looking for signals in every measure, unit and region…")
def _scan(version: str, grain: str, preset: str, recent: int) -> pl.DataFrame:
    # with the usual rules, the scan the refresh kept for this data version
    return cqi_core.recent_changes(ui.store(), grain, preset=preset, recent=recent)


def scan(grain: str, preset: str, recent: int) -> pl.DataFrame:
    """The strongest recent signal of every chart (measure and group), ranked (cached)."""
    refreshing.wait_for_series(grain)
    return _scan(ui.data_version(), grain, preset, recent)


@st.cache_data(show_spinner=False)
def _units(version: str) -> pl.DataFrame:
    return cqi_core.unit_list(ui.store()).sort("unit_name")


def units() -> pl.DataFrame:
    """unit_id, unit_name, region, by unit name."""
    return _units(ui.data_version())


def unit_names() -> dict[str, str]:
    """Unit id → unit name."""
    u = units()
    return dict(zip(u["unit_id"].to_list(), u["unit_name"].to_list()))


def label(group_by: str, group_value: str) -> str:
    """Whose figures, in words."""
    return group_label(group_by, group_value, unit_names())


def pick_index(options: list[str], wanted: str | None) -> int:
    return options.index(wanted) if wanted in options else 0


def choose_view(catalog: Catalog, all_series: pl.DataFrame) -> View:
    """The measure, group, grain and rules, read from and written back to the URL (a value
    the link gives that cannot be used is said above the controls, and the default shown)."""
    ids = [i for i in catalog.ids if i in set(all_series["indicator_id"].unique().to_list())]
    grains, presets = list(GRAINS), list(PRESETS)
    default = cqi_core.trend_settings().preset
    id_at = params.choice_index("id", ids, what="measure", instead="the first measure is shown")
    grain_at = params.choice_index("grain", grains, what="periods",
                                   instead=f"{GRAINS[grains[0]].lower()} periods are shown")
    top = st.columns([3, 1])
    iid = top[0].selectbox("Measure", ids, index=id_at, format_func=lambda i: catalog.entry(i).name)
    grain = top[1].radio("Periods", grains, index=grain_at, format_func=GRAINS.get, horizontal=True)
    mine = all_series.filter(pl.col("indicator_id") == iid)
    present = set(mine["group_by"].unique().to_list())
    groupings = [g for g in GROUPINGS if g in present]
    by_at = params.choice_index("by", groupings, what="grouping",
                                instead=f"{GROUPINGS[groupings[0]].lower()} is shown")
    preset_at = params.choice_index("rules", presets, presets.index(default),
                                    what="signal rules", instead="the default rules are used")
    row = st.columns([2, 2, 2])
    by = row[0].radio("Whose figures", groupings, index=by_at, format_func=GROUPINGS.get,
                      horizontal=True)
    group = "all"
    values = set(mine.filter(pl.col("group_by") == by)["group_value"].unique().to_list())
    if by in ("unit", "region"):
        names = unit_names() if by == "unit" else {}
        options = [u for u in names if u in values] if by == "unit" else sorted(values)
        at = params.choice_index("group", options, what=by, instead=f"the first {by} is shown")
        group = row[1].selectbox(by.capitalize(), options, index=at,
                                 format_func=lambda u: names.get(u, u))
    preset = row[2].radio("Signal rules", presets, index=preset_at,
                          format_func=lambda p: PRESETS[p] + (" (default)" if p == default else ""),
                          horizontal=True, help=PRESET_WORDS["anhoej"] + " " + PRESET_WORDS["mdc"])
    view = View(iid, by, group, grain, preset)
    st.query_params.update(view.params())
    return view

