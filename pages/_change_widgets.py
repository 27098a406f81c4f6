"""Streamlit glue of the What changed page: whose signals, the summary line and how the
cards are ranked. The cards themselves are drawn by `_change_cards`."""

from __future__ import annotations

import polars as pl
import streamlit as st

import cqi_core
from pages import _params as params
from pages import _shared as ui
from pages import _trend_widgets as tw

RULE_NAMES = {"outside_limits": "a point outside the limits", "shift": "a run on one side",
              "trend": "a steady trend", "two_in_three": "two of three near a limit",
              "few_crossings": "too few crossings"}


def scope_from_link() -> str:
    """Whose signals the link asks for (?unit=U012, else ?region=North), as an option of
    `choose_scope`; everyone when it names neither (with a note for a name not known)."""
    u = tw.units()
    region = params.choice_param("region", sorted(set(u["region"].to_list())), None,
                                 what="region", instead="everyone's signals are listed")
    unit = params.choice_param("unit", u["unit_id"].to_list(), None, what="unit",
                               instead=f"the signals of the {ui.plain(region)} region are listed"
                               if region else "everyone's signals are listed")
    return f"unit:{unit}" if unit else f"region:{region}" if region else "all"


def unit_ids() -> list[str]:
    """Every unit's id, in the units table's order."""
    return tw.units()["unit_id"].to_list()


def choose_scope(wanted: str = "all") -> tuple[str | None, str | None]:
    """Whose signals: everyone, one region (and its units) or one unit, starting on `wanted`
    (from `scope_from_link`, or a supervisor's own unit); written back to the URL. The
    picker is keyed, so a choice stands for the rest of the visit even when `wanted` would
    start elsewhere (a supervisor who picks Everyone is not sent back to their unit)."""
    u = tw.units()
    names = dict(zip(u["unit_id"].to_list(), u["unit_name"].to_list()))
    options = ["all"] + [f"region:{r}" for r in sorted(set(u["region"].to_list()))] + \
        [f"unit:{i}" for i in names]
    pick = st.selectbox("Whose signals", options, index=tw.pick_index(options, wanted),
                        key="what_changed_scope",
                        help="Everyone: the agency, every region and every unit. A region "
                             "includes its units.",
                        format_func=lambda o: "Everyone"
                        if o == "all" else f"Region: {o[7:]} and its units"
                        if o.startswith("region:") else f"Unit: {names.get(o[5:], o[5:])}")
    for key in ("unit", "region"):
        if key in st.query_params:
            del st.query_params[key]
    if pick == "all":
        return None, None
    kind, value = pick.split(":", 1)
    st.query_params[kind] = value
    return (value, None) if kind == "unit" else (None, value)


def in_scope(found: pl.DataFrame, unit: str | None, region: str | None) -> pl.DataFrame:
    """The signals of one unit, or of one region and its units (all of them when neither)."""
    if unit:
        return found.filter((pl.col("group_by") == "unit") & (pl.col("group_value") == unit))
    if region:
        mine = tw.units().filter(pl.col("region") == region)["unit_id"].to_list()
        return found.filter(((pl.col("group_by") == "region") & (pl.col("group_value") == region))
                            | ((pl.col("group_by") == "unit") & pl.col("group_value").is_in(mine)))
    return found


def summary_line(found: pl.DataFrame, recent: int, grain: str) -> str:
    """"12 charts with signals in the last 6 months: 5 need attention, 7 improvements."
    One per card (measure and group), not per raw signal."""
    unit = "month" if grain == "month" else "quarter"
    n = found.height
    counts = {d: found.filter(pl.col("direction") == d).height
              for d in ("concern", "improvement", "neutral")}
    text = (f"**{n} chart{'' if n == 1 else 's'} with signals** in the last {recent} {unit}"
            f"{'' if recent == 1 else 's'}: **{counts['concern']}** need"
            f"{'s' if counts['concern'] == 1 else ''} attention, **{counts['improvement']}** "
            f"improvement{'' if counts['improvement'] == 1 else 's'}")
    if counts["neutral"]:
        text += f", **{counts['neutral']}** change{'' if counts['neutral'] == 1 else 's'} in " \
                "a measure where neither way is better"
    return text + "."


def ranking_words() -> str:
    """How the lists are ranked, in one sentence (from trends.yaml)."""
    s = cqi_core.trend_settings()
    weights = ", ".join(f"{RULE_NAMES[r]} {w:g}" for r, w in
                        sorted(s.strength.items(), key=lambda kv: -kv[1]))
    top = s.what_changed_top
    return (f"One card per measure and group: its strongest recent signal (the card says how "
            f"many more the chart has). Ranked by the strength of the rule ({weights}) plus "
            f"recency (a signal that reaches the latest period adds 1, older ones less); "
            f"context measures such as caseload count {s.context_weight:g} times as much. The "
            f"top {top['concern']} concerns and {top['improvement']} improvements are shown "
            "first, the rest under Show all. Set in trends.yaml.")
