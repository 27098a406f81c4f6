"""Streamlit glue for bright spots and the reviews-and-data comparison: cached calls and the
words and charts that explain them."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import control_chart_figure, load_joint_settings
from pages import _profile_widgets as pw
from pages import _refreshing as refreshing
from pages import _shared as ui


@st.cache_data(show_spinner="Joining each reviewed case to its records…")
def comparison(version: str, start: date, end: date) -> pl.DataFrame:
    """`conjoint.item_comparison` for reviews dated in [start, end] (cached)."""
    return cqi_core.item_comparison(ui.store(), start, end)

def measure_words() -> pl.DataFrame:
    """Each paired item's measure, when it applies and when it is favourable, for a table."""
    s = load_joint_settings()
    rows = []
    for p in s.pairs:
        m = s.measures[p.measure]
        if m.favourable_at_most is not None:
            fav = f"at most {m.favourable_at_most}"
        elif m.favourable_share_at_least is not None:
            fav = f"at least {m.favourable_share_at_least:.0%} of them"
        else:
            fav = f"within {m.months} months"
        rows.append({"items": ", ".join(p.items), "measure": m.name, "applies": m.applies,
                     "favourable": fav, "indicator": p.indicator})
    return pl.DataFrame(rows)

@st.cache_data(show_spinner="Looking for improvements that have lasted, unit by unit…")
def _bright(version: str, coding: str) -> tuple[cqi_core.BrightSpot, ...]:
    refreshing.wait_for_series(cqi_core.bright_spot_settings().grain)
    return cqi_core.bright_spots(ui.store())  # the series and scan the refresh keeps

def bright_spots() -> tuple[cqi_core.BrightSpot, ...]:
    """Every bright spot, as this viewer may see it (cached)."""
    return _bright(*pw.versions())

SPOTS_PER_PAGE = 10
"""Bright spots drawn at once, each with its summary and chart (the table lists them all)."""


def page_of(spots: tuple[cqi_core.BrightSpot, ...]) -> tuple[cqi_core.BrightSpot, ...]:
    """The bright spots of the part the reader chose, `SPOTS_PER_PAGE` at a time, strongest
    first: a state has dozens, and drawing every chart at once made the page slow."""
    if len(spots) <= SPOTS_PER_PAGE:
        return spots
    parts = [(i, min(i + SPOTS_PER_PAGE, len(spots)))
             for i in range(0, len(spots), SPOTS_PER_PAGE)]
    at = st.selectbox("Bright spots shown (strongest first)", range(len(parts)),
                      format_func=lambda k: f"{parts[k][0] + 1} to {parts[k][1]} of {len(spots)}"
                      if parts[k][1] > parts[k][0] + 1 else f"{parts[k][1]} of {len(spots)}",
                      key="bright_part")
    return spots[parts[at][0]:parts[at][1]]


def sustained_words() -> str:
    """What "sustained" means, from bright_spots.yaml."""
    s = cqi_core.bright_spot_settings()
    kinds = {"shift": "a run on the better side of the centre line",
             "trend": "a steady trend the better way",
             "outside_limits": "points beyond the limit on the better side",
             "two_in_three": "two of three points near the better limit",
             "few_crossings": "too few crossings of the centre line"}
    unit = "month" if s.grain == "month" else "quarter"
    reach = ("reaching the latest judged " + unit) if s.max_periods_ago == 0 else (
        f"reaching to within {s.max_periods_ago} judged {unit}"
        f"{'' if s.max_periods_ago == 1 else 's'} of the latest")
    return (f"A **bright spot** is a unit whose strongest recent signal on its own {unit}ly "
            f"chart is a sustained improvement: {', or '.join(kinds[r] for r in s.rules)}, "
            f"covering at least {s.min_points} {unit}s, {reach} (provisional {unit}s, whose "
            f"records are still arriving, are never judged), with the latest {s.hold_points} "
            f"judged points on the better side, and at least {s.min_events} events on the "
            "chart. Rare events are charted as gaps between events, so a run of empty "
            f"{unit}s is never a bright spot. Context measures (such as caseload) do not "
            "count. Set in `cqi_core/bright_spots.yaml`.")

def signal_chart(spot: cqi_core.BrightSpot, index: int = 0) -> None:
    """The run or control chart behind one of the spot's signals."""
    if not spot.charts:
        return
    chart = spot.charts[min(index, len(spot.charts) - 1)]
    entry = ui.catalog().entry(chart.indicator_id)
    ui.show_figure(control_chart_figure(chart, entry, spot.unit_name))
