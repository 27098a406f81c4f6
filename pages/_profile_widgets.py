"""Streamlit glue of the Unit profile, Reviews and data, and Bright spots pages: cached
readers, the unit picker, and the pieces each page draws.

Cached readers take the data version (which names the viewer's audience and units) and the
coding version (codebook, coding decisions, sharing approvals) first, so a result is never
handed to another audience and a saved decision shows at once. Every text shown here came
out of the core already passed through `qualitative.text_for_audience`.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from cqi_core.analysis import bright_spots as bs
from cqi_core.analysis import conjoint
from cqi_core.analysis import qualitative
from cqi_core.analysis import unit_profile as up
from cqi_core.indicators.catalog import load_catalog
from cqi_core.analysis.joint_pairs import LABEL_WORDS, load_joint_settings
from cqi_core.charts.profile import LABEL_SYMBOLS
from cqi_core.analysis.reviews import RATING_WORDS
from cqi_core.charts.trends import control_chart_figure
from pages import _shared as ui
from pages import _trend_widgets as tw

SOURCE_WORDS = {"case_review": "In case review narratives", "feedback": "In stakeholder feedback"}


def versions() -> tuple[str, str]:
    """(data version, coding version): the first arguments of every cached reader here."""
    return ui.data_version(), qualitative.coding_version(ui.store())


@st.cache_data(show_spinner=False)
def _units(version: str) -> pl.DataFrame:
    return up.profile_units(ui.store())


@st.cache_data(show_spinner="Putting the unit's measures and case reviews side by side…")
def _profile(version: str, coding: str, unit_id: str) -> up.UnitProfile:
    return up.unit_profile(ui.store(), unit_id, series=tw.series("month"))


def profile(unit_id: str) -> up.UnitProfile:
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
    wanted = st.query_params.get("unit")
    if wanted and wanted not in ids:
        st.warning(f"Unit {wanted} is not one you can open here; showing {names[ids[0]]}.")
    unit = st.selectbox("Unit", ids, index=ids.index(wanted) if wanted in ids else 0,
                        format_func=lambda u: f"{names[u]} ({u})", key="profile_unit")
    st.query_params["unit"] = unit
    return unit


def label_counts(p: up.UnitProfile) -> None:
    """How many pairs confirm, expand or contradict, as metrics."""
    counts = p.joint.group_by("label").len()
    got = dict(zip(counts["label"].to_list(), counts["len"].to_list()))
    cols = st.columns(4)
    for col, label in zip(cols, LABEL_WORDS):
        col.metric(f"{LABEL_SYMBOLS[label]} {LABEL_WORDS[label]}", got.get(label, 0))


def joint_findings(p: up.UnitProfile) -> None:
    """Each pair's finding in words, with its quotes, under the joint display."""
    for r in p.joint.iter_rows(named=True):
        with st.container(border=True, key=f"pair-{r['pair_id']}"):
            st.markdown(f"**{r['title']}** · {LABEL_SYMBOLS[r['label']]} **{r['label_words']}**")
            st.write(r["sentence"])
            st.caption(f"Which way they agree: {r['agrees']}")
            mine = p.quotes.filter(pl.col("pair_id") == r["pair_id"])
            for q in mine.iter_rows(named=True):
                when = f" · {q['period_month']:%B %Y}" if q["period_month"] else ""
                st.markdown("> " + q["text"].replace("\n", "\n> "))
                st.caption(f"Item {q['item']} · {RATING_WORDS.get(q['rating'], q['rating'])}{when}")


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


def indicator_table(p: up.UnitProfile) -> None:
    """The unit's measures beside the agency, with their chart status."""
    versus = {"better": "better (clear)", "worse": "worse (clear)", "close": "close"}
    table = p.indicators.select(
        "measure", "value_text", "interval_text", "agency_text",
        pl.col("versus_agency").replace_strict(versus, default=None).alias("versus"),
        "variation_words", "assurance_words", "signal", "status",
        pl.format("{} to {}", pl.col("period_start").dt.strftime("%b %Y"),
                  pl.col("period_end").dt.strftime("%b %Y")).alias("period"))
    ui.show_table(table, f"One row per measure for {p.unit_name}: the unit's figure, its 95% "
                  "interval, the agency's figure, how the unit compares with the agency, its "
                  "monthly chart, the standard, the latest signal, whether it meets the "
                  "standard and the period.",
                  hide_index=True, width="stretch", height=36 * (table.height + 1) + 4,
                  column_config={
        "measure": "Measure", "value_text": "This unit", "interval_text": "95% interval",
        "agency_text": "Agency", "versus": "Against the agency",
        "variation_words": "Monthly chart", "assurance_words": "Standard",
        "signal": st.column_config.TextColumn("Latest signal", width="large"),
        "status": "Against the standard", "period": "Period"})
    st.caption("Rates are per 1,000 days in care (placement moves) or per 100,000 days "
               "(maltreatment in care); federal measures are observed, not risk-adjusted. The "
               "monthly chart column is the unit's run or control chart on the Trends page.")


def themes(p: up.UnitProfile) -> None:
    """Top themes in the unit's review narratives and feedback, beside the agency's share."""
    if p.themes.is_empty():
        st.info("No themes were found in this unit's narratives or feedback in the period.")
        return
    for source in ("case_review", "feedback"):
        part = p.themes.filter(pl.col("source_type") == source)
        st.markdown(f"**{SOURCE_WORDS[source]}**")
        if part.is_empty():
            st.caption("None in the period.")
            continue
        ui.show_table(part.select("theme", "texts", "texts_total", "share", "agency_share"),
                      f"One row per theme {SOURCE_WORDS[source].lower()} of {p.unit_name}: "
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


# --------------------------------------------------------------------------- reviews and data

@st.cache_data(show_spinner="Joining each reviewed case to its records…")
def comparison(version: str, start: date, end: date) -> pl.DataFrame:
    """`conjoint.item_comparison` for reviews dated in [start, end] (cached)."""
    return conjoint.item_comparison(ui.store(), start, end)


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


# --------------------------------------------------------------------------- bright spots

@st.cache_data(show_spinner="Looking for improvements that have lasted, unit by unit…")
def _bright(version: str, coding: str) -> tuple[bs.BrightSpot, ...]:
    return bs.bright_spots(ui.store(), series=tw.series(bs.load_settings().grain))


def bright_spots() -> tuple[bs.BrightSpot, ...]:
    """Every bright spot, as this viewer may see it (cached)."""
    return _bright(*versions())


def sustained_words() -> str:
    """What "sustained" means, from bright_spots.yaml."""
    s = bs.load_settings()
    kinds = {"shift": "a run on the better side of the centre line",
             "trend": "a steady trend the better way",
             "outside_limits": "points beyond the limit on the better side",
             "two_in_three": "two of three points near the better limit",
             "few_crossings": "too few crossings of the centre line"}
    unit = "month" if s.grain == "month" else "quarter"
    return (f"A **bright spot** is a unit with a sustained improvement on its own {unit}ly "
            f"chart: {', or '.join(kinds[r] for r in s.rules)}, covering at least "
            f"{s.min_points} {unit}s, reaching to within {s.max_periods_ago} {unit}"
            f"{'' if s.max_periods_ago == 1 else 's'} of the latest, with the latest "
            f"{s.hold_points} {unit}s all on the better side. Context measures (such as "
            "caseload) do not count. Set in `cqi_core/bright_spots.yaml`.")


def signal_chart(spot: bs.BrightSpot, index: int = 0) -> None:
    """The run or control chart behind one of the spot's signals."""
    if not spot.charts:
        return
    chart = spot.charts[min(index, len(spot.charts) - 1)]
    entry = load_catalog(ui.store()).entry(chart.indicator_id)
    ui.show_figure(control_chart_figure(chart, entry, spot.unit_name))
