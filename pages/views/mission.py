"""Mission alignment: the agency's values and practice standards, the measures and case
review items tied to each, which values nothing measures yet, and how each value's measures
are doing against their standards. Analysts can reword a value; every change is a version."""

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import CQIError, value_measures, value_status_chart
from pages import _catalog_forms as cf
from pages import _catalog_widgets as w
from pages import _tables as tables
from pages import _shared as ui

ui.require_router("mission.py")

MARK = {"meets the standard": "✓ meets the standard",
        "opportunity to improve": "△ opportunity to improve"}
COLUMNS = {"meeting": "✓ Meet the standard", "not_meeting": "△ Opportunity to improve",
           "no_standard": "No standard yet", "no_data": "No data yet"}

st.title("Mission alignment")
st.write(
    "What the agency measures should come from what it stands for. When each indicator and "
    "each case review item points back to a value or a practice standard, the same "
    "expectation runs through policy, training, coaching, case reviews and reports, and "
    "staff, families and partners hear one consistent message. Looking at the values one by "
    "one also shows where the agency has no way yet to tell whether it lives up to them, and "
    "the values themselves should be revisited from time to time.")

values, catalog, card = w.values(), w.catalog(), w.results()
aligned = cqi_core.alignment(catalog, values)
status = cqi_core.value_status(aligned, card, catalog)
measures = value_measures(aligned, card, catalog)

unmeasured = status.filter(pl.col("measures") == 0)["value_name"].to_list()
if unmeasured:
    st.warning("**Not measured yet:** " + "; ".join(unmeasured) + ". No indicator and no case "
               "review item speaks to " + ("this value" if len(unmeasured) == 1 else "these values")
               + " yet, so the dashboard cannot show how the agency is doing on it. An analyst "
               "can tie a measure to it in the Indicator catalog (\"values it serves\") or list "
               "the case review items that speak to it below.", icon=":material/visibility_off:")
unset = status.filter((pl.col("measures") > 0) & (pl.col("meeting") + pl.col("not_meeting") == 0)
                      & (pl.col("no_standard") > 0))["value_name"].to_list()
if unset:
    st.info("**Measured, but no standard set yet:** " + "; ".join(unset) + ". Its figures can be "
            "followed over time, but there is nothing yet to compare them with.",
            icon=":material/flag:")

st.subheader("Values and their measures now")
ui.show_figure(value_status_chart(status))
kinds = {v.id: w.KIND_WORDS[v.kind] for v in values}
tables.show(
    status.select(pl.col("value_name").alias("Value or practice standard"),
                  pl.col("value_id").replace_strict(kinds).alias("Kind"),
                  pl.col("measures").alias("Measures"),
                  *[pl.col(k).alias(v) for k, v in COLUMNS.items()]),
    "One row per value or practice standard: its kind, how many measures it has, and how "
    "many of them meet the standard, show an opportunity to improve, have no standard yet "
    "and have no data yet.",
    hide_index=True, width="stretch",  # the names wrap, so the counts fit 1280 px beside them
    column_config={"Value or practice standard": st.column_config.Column(
        "Value or practice standard", width="medium")})
st.caption("Each measure is read for its latest complete 12 months, as on the scorecard. A "
           "case review item counts through its rate of strength ratings. An **opportunity to "
           "improve** means the figure has not reached the agency's standard yet: a place to "
           "look together, not a verdict.")

rows = {r["value_id"]: r for r in status.iter_rows(named=True)}
for v in values:
    row, mine = rows[v.id], measures.filter(pl.col("value_id") == v.id)
    with st.expander(f"{v.name} ({w.KIND_WORDS[v.kind]}) · {w.status_summary(row)}"):
        st.markdown(ui.plain(v.description))
        items = ", ".join(v.review_items) or "none"
        st.caption(f"Case review items: {items} · version {v.version}")
        if mine.height:
            tables.show(mine.select(
                pl.col("measure_name").alias("Measure"),
                pl.col("status").replace(MARK).alias("Status"),
                pl.col("value_text").alias("Now"), pl.col("standard_text").alias("Standard"),
                pl.col("measure_kind").replace({"review_item": "case review item"}).alias("From")),
                f"One row per measure of {v.name}: the measure, its status, its figure now, the "
                "standard and where it comes from.",
                hide_index=True, width="stretch")
        else:
            st.markdown("**Nothing measures this value yet.**")

st.subheader("Versions of a value")
names = {v.id: v.name for v in values}
chosen = values.entry(st.selectbox("Value", list(names), format_func=names.get,
                                   key="mission_value"))
w.show_saved()
w.history_table(w.value_versions(chosen.id))
if ui.role() == "analyst":
    with st.expander(f"Change “{chosen.name}” (saved as version {chosen.version + 1})"):
        request = cf.value_form(chosen)
    if request is not None:
        try:
            new = cqi_core.save_value_edit(ui.store(), chosen.id, **request)
        except CQIError as exc:
            st.error(str(exc))
        else:
            w.saved(f"Saved “{new.name}” as version {new.version}.")
