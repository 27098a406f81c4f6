"""Reviews and data: every reviewed case beside the child's own records in the period under
review, item by item: how often the rating and the records agree, and the cases where they
do not. Analysts only (case lists)."""

import polars as pl
import streamlit as st

import cqi_core
from pages import _bright_widgets as bw
from pages import _profile_widgets as pw
from pages import _review_widgets as rw
from pages import _tables as tables
from pages import _shared as ui

ui.require_router("conjoint.py")

st.title("Reviews and data")
st.write("Each case review rates practice on one child's case; the records hold the same child's "
         "moves, visits, time to permanency, re-entry, maltreatment in care and investigations. "
         "Here each first review is set beside the child's records in its period under review: "
         "a strength should go with favourable records, an area needing improvement with "
         "unfavourable ones. Where they part, look at the case: a recording gap, a rating guide "
         "read differently, or something the measure cannot see.")
version, _ = pw.versions()
period = rw.period_picker("cj_grain", lambda grain: rw.review_periods(version, grain))
if period is None:
    st.info("No case reviews are loaded yet.")
    st.stop()
rows = bw.comparison(version, period.start, period.end)
names = dict(rows.select("unit_id", pl.coalesce("unit_name", "unit_id")).unique().iter_rows())
units = st.multiselect("Units", sorted(names, key=names.get), format_func=names.get,
                       placeholder="All units")
rows = rows.filter(pl.col("unit_id").is_in(units)) if units else rows
if rows.is_empty():
    st.info(f"No reviewed case in {period.label} for this selection.")
    st.stop()
table = cqi_core.agreement_table(rows)
item_names, _ = rw.names(version)
m = st.columns(3)
m[0].metric("Reviews", f"{rows['review_id'].n_unique():,}")
m[1].metric("Item ratings compared", f"{int(rows['compared'].sum()):,}")
m[2].metric("Where they disagree", f"{int((rows['agree'] == False).sum()):,}")  # noqa: E712

tabs = st.tabs(["Agreement", "Agreement tables", "Where they disagree", "How each item is checked"])
with tabs[0]:
    ui.show_figure(cqi_core.agreement_chart(table, item_names), "Agreement of case reviews and records")
    ui.show_figure(cqi_core.strength_by_data_chart(table, item_names), "Ratings by what the records say")
with tabs[1]:
    cells = cqi_core.agreement_cells(table).with_columns(
        pl.col("rating").replace_strict({"strength": "Strength",
                                         "area_needing_improvement": "Area needing improvement"}),
        pl.col("data").replace_strict({"favourable": "Records favourable",
                                       "unfavourable": "Records unfavourable"}))
    for r in table.iter_rows(named=True):
        st.markdown(f"**{item_names.get(r['item'], r['item'])}**")
        tables.show(cells.filter(pl.col("item") == r["item"])
                      .pivot(on="data", index="rating", values="reviews"),
                      f"{item_names.get(r['item'], r['item'])}: one row per review rating "
                      "(strength, area needing improvement), one column per what the records "
                      "say (favourable, unfavourable); each cell is a number of reviews.",
                      hide_index=True, column_config={"rating": "Review rating"})
        agree = "no agreement figure" if r["percent_agreement"] is None else (
            f"{r['percent_agreement']:.0%} agree (95% interval {r['agreement_low']:.0%} to "
            f"{r['agreement_high']:.0%})")
        kappa = "—" if r["kappa"] is None else f"{r['kappa']:.2f}"
        st.caption(f"{agree}; Cohen's kappa {kappa}; {r['not_compared']} ratings not compared "
                   "(not applicable, or the records cannot say yet).")
with tabs[2]:
    item = st.selectbox("Item", table["item"].to_list(), format_func=item_names.get, key="cj_item")
    off = cqi_core.disagreements(rows.filter(pl.col("item") == item))
    st.caption(f"{off.height} reviews where the rating and the records point different ways.")
    tables.show(off.drop("unit_id", "item"),
                  f"One row per review where the rating of {item_names.get(item, item)} and the "
                  "records point different ways: the review, the child, the unit, the review "
                  "date, the rating, what the records show and what they say in words.",
                  hide_index=True, width="stretch", column_config={
        "review_id": "Review", "child_id": "Child", "unit_name": "Unit",
        "review_date": st.column_config.DateColumn("Reviewed", format="MMM D, YYYY"),
        "rating": st.column_config.TextColumn("Rating", width="medium"), "data": "Records",
        "data_text": st.column_config.TextColumn(
            "What the records say", width="large")})
with tabs[3]:
    tables.show(bw.measure_words(),
                  "One row per check: the review items, the measure they are checked against, "
                  "when it applies, when the records count as favourable and the indicator "
                  "whose rule it uses.", hide_index=True, width="stretch", column_config={
        "items": "Items", "measure": "Checked against", "applies": "When it applies",
        "favourable": "Favourable when", "indicator": "Same rule as"})
    st.caption("Each measure reads the indicator's own rule case by case, over the review's "
               "period under review. The pairs and thresholds are settings in "
               "`cqi_core/joint_pairs.yaml`.")
