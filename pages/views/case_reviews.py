"""Case reviews: how the reviewed cases were rated, item by item and outcome by outcome, by
unit, period and case type; what the reviewers wrote; how often two reviewers agree; and the
themes in the narratives. Analysts and supervisors (supervisors read narratives redacted)."""

import polars as pl
import streamlit as st

import cqi_core
from pages import _coding_widgets as cdw
from pages import _review_widgets as rw
from pages import _tables as tables
from pages import _shared as ui

ui.require_router("case_reviews.py")

st.title("Case reviews")
st.write("Reviewers read a sample of case files and rate each practice item a strength or an "
         "area needing improvement; the items roll up into safety, permanency and well-being "
         "outcomes. Only first reviews count here; a second, quality-assurance review of a case "
         "is used to check how often reviewers agree.")
version, coding = rw.versions()
period = rw.period_picker("cr_grain", lambda grain: rw.review_periods(version, grain))
if period is None:
    st.info("No case reviews are loaded yet. An analyst can load `case_reviews.xlsx` on the "
            "**Import data** page.")
    st.stop()
rated_all = rw.rated_items(version, period.start, period.end)
unit_names = dict(rated_all.select("unit_id", pl.coalesce("unit_name", "unit_id")).unique().iter_rows())
c1, c2 = st.columns(2)
units = c1.multiselect("Units", sorted(unit_names, key=unit_names.get), format_func=unit_names.get,
                       placeholder="All units")
case_types = c2.multiselect("Case type", list(cqi_core.CASE_TYPE_WORDS), format_func=cqi_core.CASE_TYPE_WORDS.get,
                            placeholder="Foster care and in-home")
rated = cqi_core.filter_reviews(rated_all, units, case_types)
if rated.is_empty():
    st.info(f"No case was reviewed in {period.label} for this selection.")
    st.stop()
item_names, outcome_names = rw.names(version)
pairs = cqi_core.filter_reviews(rw.qa_pairs(version, period.start, period.end), units, case_types)
m = st.columns(3)
m[0].metric("Cases reviewed", f"{rated['review_id'].n_unique():,}")
m[1].metric("Units", f"{rated['unit_id'].n_unique():,}")
m[2].metric("With a second (quality-assurance) review", f"{pairs['qa_review_id'].n_unique():,}")

tabs = st.tabs(["Outcomes", "Items by unit", "Item trend", "Narratives", "Reviewer agreement", "Themes"])
with tabs[0]:
    outcomes = cqi_core.filter_reviews(rw.rated_outcomes(version, period.start, period.end), units, case_types)
    ui.show_figure(cqi_core.outcome_bars(cqi_core.outcome_rates(outcomes), outcome_names))
    by = st.radio("Compare the share substantially achieved by", ["unit", "case_type", "quarter"],
                  horizontal=True, format_func={"unit": "Unit", "case_type": "Case type",
                                                "quarter": "Quarter"}.get)
    table = cqi_core.outcome_rates(outcomes, by).with_columns(
        cell=(pl.col("rate") * 100).round(0).cast(pl.Int64).cast(pl.String) + "% of " + pl.col("n").cast(pl.String))
    tables.show(table.pivot(on="outcome", index="group_label", values="cell"),
                  f"One row per {by.replace('_', ' ')}; one column per outcome: the share of its cases "
                  "rated substantially achieved, of the number of cases rated.", hide_index=True,
                  width="stretch", column_config={"group_label": "Group"})

with tabs[1]:
    ui.show_figure(cqi_core.item_unit_heatmap(cqi_core.item_unit_table(rated), item_names))
    with st.expander("Item ratings as a table"):
        tables.show(cqi_core.item_rates(rated).select("item", "strengths", "areas_needing_improvement",
                                                        "not_applicable", "n", "rate"),
                      "One row per review item: how many ratings were strengths, areas needing "
                      "improvement and not applicable, the ratings in all and the share rated a "
                      "strength.", hide_index=True, width="stretch",
                      column_config={"rate": st.column_config.NumberColumn("Share rated a strength",
                                                                           format="percent")})

with tabs[2]:
    item = st.selectbox("Item", cqi_core.REVIEW_ITEMS, format_func=item_names.get, key="cr_trend_item")
    series = cqi_core.item_series(cqi_core.filter_reviews(rw.rated_items(version, None, None), units, case_types),
                                  item, rw.review_periods(version, "quarter"))
    trend = cqi_core.item_trend(series)
    ui.show_figure(cqi_core.item_trend_chart(trend, item_names[item]))
    if trend.chart == "run":
        st.caption(f"{trend.periods_with_reviews} quarters have reviews of this item; a control chart "
                   f"needs {cqi_core.review_settings().control_chart_min_periods}, so this is a run chart.")

with tabs[3]:
    words = rw.visible_narratives(version, coding, ui.role(), period.start, period.end,
                                  tuple(units), tuple(case_types))
    f1, f2, f3 = st.columns([2, 2, 3])
    items = f1.multiselect("Items", cqi_core.REVIEW_ITEMS, format_func=item_names.get, placeholder="All items")
    ratings = f2.multiselect("Rating", list(cqi_core.RATING_WORDS), format_func=cqi_core.RATING_WORDS.get,
                             placeholder="Any rating")
    query = f3.text_input("Search the narratives", placeholder="for example: transportation")
    found = cqi_core.search_text(cqi_core.keep_rows(words, item=items, rating=ratings), query)
    st.subheader("Exemplar quotes")
    rated_words = cqi_core.keep_rows(found, rating=ratings or ["strength", "area_needing_improvement"])
    for row in cqi_core.exemplars(rated_words, ["rating"]).iter_rows(named=True):
        rw.quote(row["text"], f"Item {row['item']} · {cqi_core.RATING_WORDS[row['rating']]} · "
                              f"{unit_names.get(row.get('unit_id'), '')} · {row['review_date']:%B %Y}")
    st.subheader("Narratives")
    shown = rw.show_texts(found.with_columns(pl.col("rating").replace_strict(cqi_core.RATING_WORDS)),
                          "cr_words", {"review_date": "Reviewed", "unit_name": "Unit", "item": "Item",
                                       "rating": "Rating", "text": "Narrative"},
                          "No narrative matches these filters.")
    if ui.role() == "analyst" and shown.height:
        with st.expander("Code one of these narratives (themes)"):
            pick = st.selectbox("Narrative", shown["excerpt_id"].to_list(), key="cr_code_pick")
            row = shown.filter(pl.col("excerpt_id") == pick).row(0, named=True)
            st.markdown(ui.plain(row["text"]))
            cdw.coding_controls(row, rw.coded(version, coding, period.start, period.end, ("case_review",)),
                                rw.theme_names(version, coding), "cr_code")

with tabs[4]:
    agree = cqi_core.review_agreement(pairs)
    st.write("Some cases get a second, independent review by quality assurance. **Percent "
             "agreement** is how often the two reviewers gave an item the same rating. **Cohen's "
             "kappa** corrects that for the agreement two reviewers would reach by chance: 1 is "
             "perfect, 0 is no better than chance. Below "
             f"{cqi_core.review_settings().low_kappa} the item is flagged: reviewers read its guidance "
             "differently, which is a topic for reviewer training.")
    if agree.is_empty():
        st.info("No case in this selection has a second review.")
    else:
        tables.show(agree.with_columns(
            pl.col("item").replace_strict(item_names).alias("item"),
            pl.when(~pl.col("judged")).then(pl.lit(f"too few pairs (under {cqi_core.review_settings().min_pairs})"))
            .when(pl.col("low")).then(pl.lit("low agreement")).otherwise(pl.lit("")).alias("flag"))
            .select("item", "flag", "pairs", "agreements", "percent_agreement", "kappa"),
            "One row per review item: any flag, the number of paired reviews, how many gave the "
            "same rating, the percent agreement and Cohen's kappa.",
            hide_index=True, width="stretch",
            column_config={"item": "Item", "pairs": "Paired reviews", "agreements": "Same rating",
                           "percent_agreement": st.column_config.NumberColumn("Percent agreement", format="percent"),
                           "kappa": st.column_config.NumberColumn("Cohen's kappa", format="%.2f"),
                           "flag": "Flag"})

with tabs[5]:
    rw.themes_tab(version, coding, period, units, case_types, item_names, unit_names)
