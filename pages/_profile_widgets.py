"""Streamlit glue of the Unit profile, Reviews and data, and Bright spots pages: cached
readers, the unit picker, and the pieces each page draws (a unit's findings are in
`_profile_findings`, bright spots and the reviews-and-data comparison in `_bright_widgets`).

Cached readers take the data version (which names the viewer's audience and units) and the
coding version (codebook, coding decisions, sharing approvals) first, so a result is never
handed to another audience and a saved decision shows at once. Every text shown here came
out of the core already passed through `qualitative.text_for_audience`.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import LABEL_SYMBOLS, LABEL_WORDS, load_joint_settings
from pages import _params as params
from pages import _tables as tables
from pages import _shared as ui
from pages import _trend_widgets as tw

SOURCE_WORDS = {"case_review": "In case review narratives", "feedback": "In stakeholder feedback"}


def versions() -> tuple[str, str]:
    """(data version, coding version): the first arguments of every cached reader here."""
    return ui.data_version(), ui.coding_version()


@st.cache_data(show_spinner=False)
def _units(version: str) -> pl.DataFrame:
    return cqi_core.profile_units(ui.store())


@st.cache_data(show_spinner="Putting the unit's measures and case reviews side by side…")
def _profile(version: str, coding: str, unit_id: str) -> cqi_core.UnitProfile:
    return cqi_core.unit_profile(ui.store(), unit_id, series=tw.series("month"))


def profile(unit_id: str) -> cqi_core.UnitProfile:
    """The unit's profile, as this viewer may see it (cached)."""
    return _profile(*versions(), unit_id)


def choose_unit() -> str | None:
    """The unit to show, from the URL (?unit=U012) when the viewer may open it; a supervisor
    listed for some units chooses among those only and starts on the first."""
    units = _units(ui.data_version())
    if units.is_empty():
        return None
    ids = units["unit_id"].to_list()
    names = dict(zip(ids, units["unit_name"].to_list()))
    at = params.choice_index("unit", ids, what="unit", why=": it is not one you can open here",
                             instead=f"{ui.plain(names[ids[0]])} is shown")
    unit = st.selectbox("Unit", ids, index=at, format_func=lambda u: f"{names[u]} ({u})",
                        key="profile_unit")
    st.query_params["unit"] = unit
    return unit


def label_counts(p: cqi_core.UnitProfile) -> None:
    """How many pairs confirm, expand or contradict, as metrics."""
    counts = p.joint.group_by("label").len()
    got = dict(zip(counts["label"].to_list(), counts["len"].to_list()))
    cols = st.columns(4)
    for col, label in zip(cols, LABEL_WORDS):
        col.metric(f"{LABEL_SYMBOLS[label]} {LABEL_WORDS[label]}", got.get(label, 0))


def rule_words() -> str:
    """The labelling rule of joint_pairs.yaml in plain words."""
    s = load_joint_settings()
    r = s.labels
    signal = (" When the interval alone is not clear, a signal at the latest month of the "
              "unit's own run or control chart counts too (unless the figure leans the other "
              "way against the agency)." if r.spc_signal_counts else "")
    return (
        "**How the fit is decided.** Each side is compared with the whole agency. *The measure*: "
        "the unit's latest complete 12-month figure and its 95% interval against the agency's. "
        f"*The case reviews*: the share of the pair's item ratings that are strengths, with a "
        f"{r.confidence:.0%} interval, against the agency's share. A side is **clearly** "
        f"different when its interval leaves out the agency's figure.{signal} Otherwise it "
        f"leans a way when it differs by at least {r.lean_points * 100:.0f} percentage points "
        f"(rates: {r.lean_relative:.0%} of the agency's figure).\n\n"
        "- **✓ Confirming**: one side clearly different and the other the same way; or neither "
        "clearly different.\n"
        "- **+ Expanding**: one side clearly different and the other close to the agency; or "
        "neither clearly different but a theme stands out in the unit's narratives of these "
        f"items (in at least {r.theme_min_reviews} of its reviews and {r.theme_share_above:.0%} "
        "more often than across the agency).\n"
        "- **≠ Discordant**: one side clearly different and the other the opposite way.\n"
        f"- **? Not enough data**: no figure for the measure, or fewer than {r.min_ratings} "
        "ratings of the items.\n\n"
        "The pairs and every threshold are settings in `cqi_core/joint_pairs.yaml`.")


def indicator_table(p: cqi_core.UnitProfile) -> None:
    """The unit's measures beside the agency, with their chart status."""
    versus = {"better": "better (clear)", "worse": "worse (clear)", "close": "close"}
    table = p.indicators.select(
        "measure", "value_text", "interval_text", "agency_text",
        pl.col("versus_agency").replace_strict(versus, default=None).alias("versus"),
        "variation_words", "assurance_words", "signal", "status",
        pl.col("change_verdict").replace_strict(cqi_core.CHANGE_WORDS,
                                                default=cqi_core.change_verdict_words(None))
        .alias("change"),
        pl.format("{} to {}", pl.col("period_start").dt.strftime("%b %Y"),
                  pl.col("period_end").dt.strftime("%b %Y")).alias("period"))
    tables.show(table, f"One row per measure for {p.unit_name}: the unit's figure, its 95% "
                  "interval, the agency's figure, how the unit compares with the agency, its "
                  "monthly chart, the standard, the latest signal, whether it meets the "
                  "standard, the change from the 12 months before and the period.",
                  hide_index=True, width="stretch", height=36 * (table.height + 1) + 4,
                  column_config={
        "measure": "Measure", "value_text": "This unit", "interval_text": "95% interval",
        "agency_text": "Agency", "versus": "Against the agency",
        "variation_words": "Monthly chart", "assurance_words": "Standard",
        "signal": st.column_config.TextColumn("Latest signal", width="large"),
        "status": "Against the standard", "change": "Change from the 12 months before",
        "period": "Period"})
    st.caption("Rates are per 1,000 days in care (placement moves) or per 100,000 days "
               "(maltreatment in care); federal measures are observed, not risk-adjusted. The "
               "monthly chart column is the unit's run or control chart on the Trends page. "
               "Against the standard is judged on the 95% interval: it meets the standard only "
               "when the whole interval is on the good side, and we can't tell yet when it "
               "reaches both sides.")


# --------------------------------------------------------------------------- reviews and data

# --------------------------------------------------------------------------- bright spots
