"""Data quality: the checks that flag what looks wrong in the loaded data, and how late
records are entered. Analysts only (the records listed here are case-level)."""

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import bar_by_group_chart, line_over_time_chart
from pages import _downloads as dl
from pages import _tables as tables
from pages import _shared as ui

ui.require_router("data_quality.py")


@st.cache_data(show_spinner="Running the data quality checks…")
def _results(version: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    return cqi_core.check_results(ui.store())  # the checks, and by unit, in one pass


def _checks(version: str) -> pl.DataFrame:
    return _results(version)[0]


def _by_unit(version: str) -> pl.DataFrame:
    return _results(version)[1]


@st.cache_data(show_spinner=False)
def _over_time(version: str, check_id: str) -> pl.DataFrame:
    return cqi_core.checks_over_time(ui.store(), check_id)


@st.cache_data(show_spinner=False)
def _failing(version: str, check_id: str) -> pl.DataFrame:
    return cqi_core.failing_records(ui.store(), check_id)


@st.cache_data(show_spinner=False)
def _timeliness(version: str, by: str) -> pl.DataFrame:
    return cqi_core.entry_timeliness(ui.store(), by=by)


st.title("Data quality")
st.write("These checks do not stop data from loading: they show what looks wrong so that it "
         "can be corrected in the case management system. Indicators built on flawed records "
         "can mislead, so read these before reading the figures.")
version = ui.data_version()
checks = _checks(version).sort(["failing", "check_id"], descending=[True, False])
found = checks.filter(pl.col("failing") > 0)
st.markdown(f"**{found.height} of {checks.height} checks** flag something, "
            f"{int(found['failing'].sum()):,} records in all. Checks that flag most come first.")

# One view at a time (tabs would run both on every visit: the timeliness of every visit and
# report is a second scan of the data that a reader of the checks does not need)
view = st.radio("Show", ["Checks", "Data-entry timeliness"], horizontal=True,
                help="The checks of the loaded data, or how many days records take to be entered.")
if view == "Checks":
    tables.show(
        checks.select("name", "severity", "table", "failing", "checked", "share"),
        "One row per data check, those that flag most first: the check, its severity, the "
        "table it reads, the records flagged, the records checked and the share flagged.",
        hide_index=True, width="stretch",
        column_config={"name": "Check", "severity": "Severity", "table": "Table",
                       "failing": st.column_config.NumberColumn("Records flagged", format="localized"),
                       "checked": st.column_config.NumberColumn("Records checked", format="localized"),
                       "share": st.column_config.NumberColumn("Share flagged", format="percent")})
    names = dict(zip(checks["name"], checks["check_id"]))
    chosen = st.selectbox("Look at one check", list(names), index=0)
    check_id = names[chosen]
    row = checks.filter(pl.col("check_id") == check_id).row(0, named=True)
    st.info(row["explanation"])

    by_unit = _by_unit(version).filter(pl.col("check_id") == check_id)
    left, right = st.columns(2)
    with left:
        if by_unit.height and by_unit["failing"].sum() > 0:
            ui.show_figure(bar_by_group_chart(
                by_unit.filter(pl.col("failing") > 0).with_columns(
                    pl.col("unit_name").fill_null("unit not known")),
                "unit_name", "failing", "Unit", "Records flagged",
                f"{chosen}: records flagged by unit",
                "Each bar is one unit; longer bars mean more flagged records. Units with none "
                "are left out."))
        else:
            st.success("No unit has records flagged by this check.")
    with right:
        trend = _over_time(version, check_id)
        if trend.height and trend["failing"].sum() > 0:
            ui.show_figure(line_over_time_chart(
                trend, "period", "failing", "Records flagged", f"{chosen}: flagged per month",
                "Each point is the number of records flagged in that month; a rise shows when "
                "the problem started."))
    failing = _failing(version, check_id)
    st.subheader(f"Flagged records ({failing.height:,})")
    # the check is the one chosen above: not repeated on every row, so the table fits 1280 px
    tables.show(failing.head(1000).drop("check_id", strict=False),
                  f"One row per record flagged by “{chosen}” (the first 1,000), oldest first: "
                  "the table, the record, the child, the unit and region, the date of "
                  "the event and what is wrong.", hide_index=True, width="stretch",
                  column_config={"detail": st.column_config.Column("Detail", width=140)})
    if failing.height > 1000:
        st.caption("The first 1,000 are shown; the download has them all.")
    dl.table_downloads(failing, f"Records flagged by data check {check_id}",
                       noun="the flagged records", file_stem=f"data_quality_{check_id}")

else:
    st.write("How many days pass between a visit or a report and its entry in the system. "
             "Late entry delays every indicator that depends on it.")
    units = _timeliness(version, "unit")
    for source, label in [("visits", "Visits"), ("reports", "Reports")]:
        part = units.filter(pl.col("source") == source)
        if part.height:
            ui.show_figure(bar_by_group_chart(
                part, "group", "share_late", "Unit", "Share entered late",
                f"{label} entered late, by unit", "Each bar is one unit; the number is the "
                "share of its records entered after the allowed number of days.",
                value_format=".0%"))
    months = _timeliness(version, "month")
    tables.show(months,
                  "One row per source (visits, reports) and month: the records entered, how "
                  "many were late, the share late, and the median and 90th-percentile days "
                  "from the event to its entry.", hide_index=True, width="stretch")
