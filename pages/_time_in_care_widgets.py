"""The Time in care page's parts: cached readers of the curves, and the sections below the
entry-year chart (by group, how children left, where they lived, how it is worked out)."""

from datetime import date

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import CQIError
from pages import _shared as ui

GROUPS = {"region": "Region", "unit": "Unit", "age_group": "Age at entry", "sex": "Sex",
          "race_ethnicity": "Race and ethnicity"}
MAX_LINES = 8


@st.cache_data(show_spinner=False)
def _cohorts(version: str) -> list[tuple[date, date]]:
    return cqi_core.time_in_care_cohorts(ui.store())


@st.cache_data(show_spinner="Following each cohort month by month…")
def _curves(version: str, start: date, end: date, by: str, entries: str) -> pl.DataFrame:
    return cqi_core.survival(ui.store(), start, end, by, entries)


@st.cache_data(show_spinner=False)
def _medians(version: str, start: date, end: date, by: str, entries: str) -> pl.DataFrame:
    return cqi_core.median_time(ui.store(), start, end, by, entries)


@st.cache_data(show_spinner="Finding where the children lived…")
def _trajectory(version: str, start: date, end: date, entries: str) -> pl.DataFrame:
    return cqi_core.placement_trajectory(ui.store(), start, end, entries)


@st.cache_data(show_spinner=False)
def _p1(version: str, start: date, end: date) -> float | None:
    rows = cqi_core.compute(ui.store(), start, end, by=[], indicators=["P1"])
    rows = rows.filter(pl.col("group_by") == "all")
    return rows["value"][0] if rows.height and rows["value"][0] is not None else None


def _drawn(frame: pl.DataFrame) -> pl.DataFrame:
    """Staff curves drawn only while enough children are still followed (a handful would move
    a line by many points); public curves are released already cut."""
    if ui.viewer().public:
        return frame
    return frame.filter(pl.col("at_risk") >= cqi_core.time_in_care_settings().min_cohort)


def _label(span: tuple[date, date]) -> str:
    start, end = span
    return f"FY{start.year + 1}" if start.month > 1 else f"{start.year}"


def by_group(version: str, start: date, end: date, by: str, entries: str, curve: str,
             words: str, public: bool) -> None:
    """Curves of the chosen group for one entry year, and the median months per group."""
    settings = cqi_core.time_in_care_settings()
    st.subheader(f"By {GROUPS[by].lower()}, {_label((start, end))} entries")
    try:
        grouped = _drawn(_curves(version, start, end, by, entries)).filter(pl.col("exit_type") == curve)
        medians = _medians(version, start, end, by, entries)
    except CQIError as exc:
        grouped, medians = pl.DataFrame(), pl.DataFrame()
        st.info(str(exc))
    if not grouped.is_empty():
        sizes = (grouped.filter(pl.col("at_risk").is_not_null()).group_by("group_value")
                 .agg(pl.col("at_risk").max().alias("n")).sort("n", descending=True))
        if not public:
            sizes = sizes.filter(pl.col("n") >= settings.min_cohort)
        keep = sizes["group_value"].head(MAX_LINES).to_list()
        shown = grouped.filter(pl.col("group_value").is_in(keep)).with_columns(
            pl.col("group_value").alias("group"))
        if shown.filter(pl.col("cumulative").is_not_null()).is_empty():
            st.info("No group's curve can be shown"
                    + (": their counts are too small to publish." if public else
                       f": each has fewer than {settings.min_cohort} children."))
        else:
            ui.show_figure(cqi_core.cohort_curves_figure(
                shown, "group", GROUPS[by], words,
                title=f"{words}: how soon children left care, by {GROUPS[by].lower()}"),
                what=f"Time in care: {words} by {by}, {_label((start, end))}")
            if sizes.height > len(keep) or (not public and grouped["group_value"].n_unique() > len(keep)):
                st.caption(f"The {len(keep)} largest groups are drawn"
                           + ("" if public else f" (groups of fewer than {settings.min_cohort} "
                              "children are left out: one child moves their line by several points)")
                           + "; the table has every group.")
    if not medians.is_empty():
        table = medians.select(
            pl.col("group_value").alias(GROUPS[by]),
            *([] if public else [pl.col("children").alias("Children")]),
            pl.col("median_permanency").alias("Months until half reached permanency"),
            pl.col("median_exit").alias("Months until half left care"))
        ui.show_table(table, f"One row per {GROUPS[by].lower()}: the months after coming into care by "
                      "which half the children had reached permanency, and had left care for any "
                      "reason (empty: not reached in the months shown).", hide_index=True,
                      width="stretch")


def how_they_left(version: str, start: date, end: date, entries: str, public: bool) -> None:
    """Staff only: each kind of exit, and the placement trajectory of the same children."""
    settings = cqi_core.time_in_care_settings()
    # ------------------------------------------------------------------ how they left
    if not public:
        st.subheader(f"How the {_label((start, end))} entries left care")
        agency = _drawn(_curves(version, start, end, "all", entries))
        types = agency.filter(pl.col("exit_type").is_in(list(settings.exit_types)))
        ui.show_figure(cqi_core.exit_types_figure(
            types, settings.exit_words, f"How children who entered care in {_label((start, end))} "
            "left, by month since coming into care"),
            what=f"Time in care: exit types, {_label((start, end))}")

    # ------------------------------------------------------------------ where they lived
    if not public:  # staff only: month-to-month changes of the running counts are small numbers
        st.subheader(f"Where the {_label((start, end))} entries lived, month by month")
        traj = _trajectory(version, start, end, entries)
        if traj.is_empty():
            st.info("No placement trajectory can be shown for this entry year.")
        else:
            ui.show_figure(cqi_core.trajectory_figure(
                traj, settings.setting_words, f"Where children who entered care in "
                f"{_label((start, end))} lived, by month since coming into care"),
                what=f"Time in care: placement trajectory, {_label((start, end))}")


def explainer(public: bool) -> None:
    """How the curves are worked out, in words."""
    with st.expander("How these curves are worked out"):
        st.markdown(
            "- **Who is counted**: children who came into care in the year, leaving out stays of "
            "under 8 days and children 18 or over, as P1 does. A child who came into care twice is "
            "followed from each entry unless you count first entries only.\n"
            "- **Leaving care**: the month a child left, counted from the day they came in "
            "(a reunification after a trial home visit of more than 30 days counts from its 30th "
            "day, as in P1). Reaching 18 in care ends the stay as an *other* exit.\n"
            "- **Children still in care** on the data's as-of date are followed up to it and then "
            "no further (censored): they count while they are followed, never as having stayed "
            "forever.\n"
            "- **Competing exits**: a child who is adopted cannot also be reunified, so each way of "
            "leaving is an Aalen–Johansen cumulative incidence, and any permanency puts the four "
            "permanency exits together; leaving care for any reason is one minus the Kaplan–Meier "
            "survival. Shaded bands are 95% intervals.\n"
            "- **Median**: the first month by whose end half the children had left that way.")
        if public:
            st.markdown(cqi_core.public_rule_words())
