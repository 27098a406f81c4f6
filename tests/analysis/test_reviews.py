"""Case review analytics on hand-built reviews imported from CSV files.

Units U1 (North One, region North) and U2 (South One, South). First reviews R1-R4 and two
quality-assurance reviews (QA1 of R1, QA3 of R3). Ratings (S strength, A area needing
improvement, N not applicable; no letter = no rating row):

    review  date        unit  case type   1  4  12A 12B 13  7  18   → item 12 (derived)
    R1      2025-01-15  U1    foster      S  S  S   A   S   N  N      A
    R2      2025-02-10  U1    in-home     A  N  S   N   A             S
    R3      2025-03-20  U2    foster      S  A  S   S   A             S
    R4      2025-11-05  U2    foster      S  S  A       S             A
    QA1     2025-02-20  U1    foster      S  S  S   S   A   N  S      S   (of R1)
    QA3     2025-04-02  U2    foster      S  A  S   S   S             S   (of R3)

FY2025 runs 2024-10-01 to 2025-09-30 (R1-R3); R4 is in FY2026. Expected values are worked
out by hand in each test from this table and INDICATORS.md "Case review roll-up".
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from cqi_core import import_files, open_store
from cqi_core.analysis import reviews as rv
from cqi_core.indicators import compute

FY2025 = (date(2024, 10, 1), date(2025, 9, 30))
REVIEWS = """review_id,child_id,unit_id,review_date,case_type,reviewer,qa_of_review_id
R1,C1,U1,2025-01-15,foster_care,Reviewer A,
R2,C2,U1,2025-02-10,in_home,Reviewer B,
R3,C3,U2,2025-03-20,foster_care,Reviewer A,
R4,C4,U2,2025-11-05,foster_care,Reviewer B,
QA1,C1,U1,2025-02-20,foster_care,QA reviewer,R1
QA3,C3,U2,2025-04-02,foster_care,QA reviewer,R3
"""
TABLE = {  # review → {item: rating}
    "R1": {"1": "S", "4": "S", "12A": "S", "12B": "ANI", "13": "S", "7": "NA", "18": "NA"},
    "R2": {"1": "ANI", "4": "NA", "12A": "S", "12B": "NA", "13": "ANI"},
    "R3": {"1": "S", "4": "ANI", "12A": "S", "12B": "S", "13": "ANI"},
    "R4": {"1": "S", "4": "S", "12A": "ANI", "13": "S"},
    "QA1": {"1": "S", "4": "S", "12A": "S", "12B": "S", "13": "ANI", "7": "NA", "18": "S"},
    "QA3": {"1": "S", "4": "ANI", "12A": "S", "12B": "S", "13": "S"},
}


@pytest.fixture
def store(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "units.csv").write_text("unit_id,unit_name,region\nU1,North One,North\n"
                                      "U2,South One,South\n", encoding="utf-8")
    (folder / "reviews.csv").write_text(REVIEWS, encoding="utf-8")
    rows = [f"{r},{item},{rating},Narrative of {r} on item {item}."
            for r, items in TABLE.items() for item, rating in items.items()]
    (folder / "ratings.csv").write_text("review_id,item,rating,comment\n" + "\n".join(rows) + "\n",
                                        encoding="utf-8")
    s = open_store(tmp_path / "reviews.duckdb")
    result = import_files(s, [folder], user="tests")
    assert result.outcome == "landed", result.message
    yield s
    s.close()


def _rates(frame: pl.DataFrame, group: str = "all") -> dict[str, tuple]:
    part = frame.filter(pl.col("group_value") == group)
    return {r["item"]: (r["strengths"], r["n"]) for r in part.iter_rows(named=True)}


# ---- ratings -------------------------------------------------------------------------

def test_item_rates_count_first_reviews_only_with_item_12_derived(store):
    rated = rv.rated_items(store, *FY2025)
    assert sorted(rated["review_id"].unique()) == ["R1", "R2", "R3"]   # no QA, no R4
    got = _rates(rv.item_rates(rated))
    # 1: S, A, S → 2 of 3. 4: S, (N), A → 1 of 2. 12 derived: A, S, S → 2 of 3.
    # 12B: A, (N), S → 1 of 2. 13: S, A, A → 1 of 3. 7 and 18: only N → 0 of 0.
    assert got["1"] == (2, 3)
    assert got["4"] == (1, 2)
    assert got["12"] == (2, 3)
    assert got["12B"] == (1, 2)
    assert got["13"] == (1, 3)
    assert got["7"] == (0, 0) and got["18"] == (0, 0)


def test_item_rates_equal_the_indicator_q1_for_the_same_period(store):
    rates = rv.item_rates(rv.rated_items(store, *FY2025))
    q1 = compute(store, *FY2025, by=[], indicators=["Q1"])
    want = {r["indicator_id"][3:]: (r["numerator"], r["denominator"]) for r in q1.iter_rows(named=True)}
    for item, (strengths, n) in _rates(rates).items():
        assert want[item] == (strengths, n), item


def test_item_rates_by_unit_case_type_quarter_and_fiscal_year(store):
    rated = rv.rated_items(store, *FY2025)
    # Item 1 by unit: U1 R1 S, R2 A → 1 of 2; U2 R3 S → 1 of 1.
    by_unit = rv.item_rates(rated, "unit")
    assert _rates(by_unit, "U1")["1"] == (1, 2) and _rates(by_unit, "U2")["1"] == (1, 1)
    assert by_unit.filter(pl.col("group_value") == "U1")["group_label"][0] == "North One"
    # Item 1 by case type: foster care R1, R3 → 2 of 2; in-home R2 → 0 of 1.
    by_type = rv.item_rates(rated, "case_type")
    assert _rates(by_type, "foster_care")["1"] == (2, 2) and _rates(by_type, "in_home")["1"] == (0, 1)
    assert set(by_type["group_label"]) == {"Foster care", "In-home services"}
    # All of R1-R3 fall in January-March 2025.
    by_quarter = rv.item_rates(rated, "quarter")
    assert _rates(by_quarter, "2025-01-01")["1"] == (2, 3)
    assert by_quarter["group_label"][0] == "Jan–Mar 2025"
    # Over all time by fiscal year: FY2025 item 1 2 of 3; FY2026 (R4) 1 of 1.
    by_year = rv.item_rates(rv.rated_items(store), "fiscal_year")
    assert _rates(by_year, "2024-10-01")["1"] == (2, 3) and _rates(by_year, "2025-10-01")["1"] == (1, 1)
    assert set(by_year["group_label"]) == {"FY2025 (Oct 2024–Sep 2025)", "FY2026 (Oct 2025–Sep 2026)"}


def test_filters_keep_the_chosen_units_and_case_types(store):
    rated = rv.rated_items(store, *FY2025)
    assert set(rv.filter_reviews(rated, units=["U2"])["review_id"]) == {"R3"}
    assert set(rv.filter_reviews(rated, case_types=["in_home"])["review_id"]) == {"R2"}
    assert rv.filter_reviews(rated, units=[], case_types=None).height == rated.height


def test_outcome_rates_follow_the_roll_up(store):
    got = {r["outcome"]: r for r in rv.outcome_rates(rv.rated_outcomes(store, *FY2025)).iter_rows(named=True)}
    # S1 {1}: R1 S, R3 S substantially achieved; R2 A not achieved (one item: no partial).
    assert (got["S1"]["substantially_achieved"], got["S1"]["not_achieved"], got["S1"]["n"]) == (2, 1, 3)
    # P1 {4, 5, 6}: R1 {4 S} substantially; R2 only N → not applicable; R3 {4 A} not achieved.
    assert (got["P1"]["substantially_achieved"], got["P1"]["not_achieved"], got["P1"]["n"]) == (1, 1, 2)
    # WB1 {12, 13, 14, 15}: R1 {12 A, 13 S}, R2 {12 S, 13 A}, R3 {12 S, 13 A} → partially each.
    assert (got["WB1"]["partially_achieved"], got["WB1"]["n"], got["WB1"]["rate"]) == (3, 3, 0.0)
    assert got["S1"]["rate"] == pytest.approx(2 / 3)


def test_item_unit_table_greys_out_small_n_as_configured(store):
    rated = rv.rated_items(store, *FY2025)
    table = rv.item_unit_table(rated)                         # default small_n 5: all too few
    assert table["too_few"].all()
    two = rv.load_settings().__class__(**{**rv.load_settings().__dict__, "small_n": 2})
    cell = {(r["unit_id"], r["item"]): r for r in rv.item_unit_table(rated, two).iter_rows(named=True)}
    assert (cell[("U1", "1")]["n"], cell[("U1", "1")]["too_few"]) == (2, False)   # R1, R2
    assert (cell[("U2", "1")]["n"], cell[("U2", "1")]["too_few"]) == (1, True)    # R3
    assert cell[("U1", "1")]["unit_name"] == "North One"


# ---- periods and trends ----------------------------------------------------------------

def test_review_periods_run_from_the_first_to_the_last_first_review(store):
    years = rv.review_periods(store, "fiscal_year")
    assert [(p.start, p.end) for p in years] == [(date(2024, 10, 1), date(2025, 9, 30)),
                                                 (date(2025, 10, 1), date(2026, 9, 30))]
    quarters = rv.review_periods(store, "quarter")
    assert [p.label for p in quarters] == ["Jan–Mar 2025", "Apr–Jun 2025", "Jul–Sep 2025",
                                           "Oct–Dec 2025"]


def test_item_series_has_every_period_and_the_trend_is_a_run_chart_until_enough_periods(store):
    quarters = rv.review_periods(store, "quarter")
    series = rv.item_series(rv.rated_items(store), "1", quarters)
    # Item 1: Jan-Mar R1 S, R2 A, R3 S → 2 of 3; Apr-Jun only QA3 (left out) → 0; Jul-Sep
    # none; Oct-Dec R4 S → 1 of 1.
    assert series.select("strengths", "n").rows() == [(2, 3), (0, 0), (0, 0), (1, 1)]
    trend = rv.item_trend(series)
    assert trend.chart == "run" and trend.periods_with_reviews == 2
    assert trend.result.points["y"].to_list() == pytest.approx([2 / 3, 1.0])
    assert trend.labels == ("Jan–Mar 2025", "Oct–Dec 2025")
    two = rv.load_settings().__class__(**{**rv.load_settings().__dict__, "control_chart_min_periods": 2})
    p_chart = rv.item_trend(series, two)
    assert p_chart.chart == "p"
    # P chart centre line: 3 strengths of 4 reviews.
    assert p_chart.result.points["cl"].to_list() == pytest.approx([0.75, 0.75])


# ---- agreement -------------------------------------------------------------------------

def test_qa_pairs_line_up_each_qa_review_with_its_first_review_item_by_item(store):
    pairs = rv.qa_pairs(store, *FY2025)
    assert set(zip(pairs["review_id"], pairs["qa_review_id"])) == {("R1", "QA1"), ("R3", "QA3")}
    one = {r["item"]: (r["first_rating"], r["qa_rating"])
           for r in pairs.filter(pl.col("review_id") == "R1").iter_rows(named=True)}
    assert one["12"] == ("area_needing_improvement", "strength")     # both derived from 12A-C
    assert one["18"] == ("not_applicable", "strength")
    # Pairs are placed by the first review: R3 (March 2025) is in FY2025 although QA3 is
    # dated April; nothing is paired in FY2026.
    assert rv.qa_pairs(store, date(2025, 10, 1), date(2026, 9, 30)).is_empty()


def test_agreement_per_item_with_kappa_by_hand(store):
    judged = rv.load_settings().__class__(**{**rv.load_settings().__dict__, "min_pairs": 2})
    got = {r["item"]: r for r in rv.agreement(rv.qa_pairs(store), judged).iter_rows(named=True)}
    # Item 4: (S, S), (A, A): agreement 1; chance 1/2·1/2 + 1/2·1/2 = 1/2 → kappa 1.
    assert (got["4"]["pairs"], got["4"]["percent_agreement"], got["4"]["kappa"]) == (2, 1.0, 1.0)
    # Item 12: (A, S), (S, S): agreement 1/2; chance = 1/2·1 + 1/2·0 = 1/2 → kappa 0 (low).
    assert got["12"]["percent_agreement"] == 0.5 and got["12"]["kappa"] == pytest.approx(0.0)
    assert got["12"]["low"] and got["12"]["judged"]
    # Item 13: (S, A), (A, S): agreement 0; chance 1/2 → kappa (0 - 1/2) / (1/2) = -1.
    assert got["13"]["kappa"] == pytest.approx(-1.0) and got["13"]["low"]
    # Item 1: every rating strength: chance agreement is 1 and kappa 0/0, taken as full
    # agreement (1.0), so not flagged.
    assert got["1"]["percent_agreement"] == 1.0 and got["1"]["kappa"] == 1.0 and not got["1"]["low"]
    # Item 18: one pair (N, S); item 7 (N, N) says nothing about rating and is left out.
    assert got["18"]["pairs"] == 1 and got["18"]["percent_agreement"] == 0.0
    assert "7" not in got
    assert list(got) == ["1", "4", "12", "12A", "12B", "13", "18"]     # instrument order


def test_agreement_is_not_judged_on_fewer_pairs_than_configured(store):
    got = rv.agreement(rv.qa_pairs(store))                          # min_pairs 10 in reviews.yaml
    assert not got["judged"].any() and not got["low"].any()
    both = rv.load_settings().__class__(**{**rv.load_settings().__dict__,
                                          "count_both_not_applicable": True})
    seven = rv.agreement(rv.qa_pairs(store), both).filter(pl.col("item") == "7").row(0, named=True)
    assert (seven["pairs"], seven["percent_agreement"]) == (1, 1.0)


# ---- the contract column and the store ----------------------------------------------------

def test_an_older_database_gains_qa_of_review_id_and_keeps_its_reviews(tmp_path):
    path = tmp_path / "old.duckdb"
    s = open_store(path)
    s.close()
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE reviews DROP COLUMN qa_of_review_id")
    con.execute("INSERT INTO units VALUES ('U1', 'North One', 'North', 1)")
    con.execute("INSERT INTO reviews (review_id, child_id, unit_id, review_date, case_type, _batch_id) "
                "VALUES ('R1', 'C1', 'U1', DATE '2025-01-15', 'foster_care', 1)")
    con.execute("INSERT INTO ratings VALUES ('R1', '1', 'strength', NULL, 1)")
    con.close()
    s = open_store(path)
    cols = s.query("SELECT column_name FROM information_schema.columns "
                   "WHERE table_name = 'reviews'")["column_name"].to_list()
    assert "qa_of_review_id" in cols
    assert s.query("SELECT review_id, qa_of_review_id FROM reviews").rows() == [("R1", None)]
    # The review still counts: item 1 is 1 of 1.
    assert _rates(rv.item_rates(rv.rated_items(s, *FY2025)))["1"] == (1, 1)
    s.close()


def test_settings_are_checked():
    s = rv.load_settings()
    assert (s.small_n, s.low_kappa, s.min_pairs, s.control_chart_min_periods) == (5, 0.6, 10, 12)


# ---- themes as a share of narratives -------------------------------------------------

# Narratives (excerpt, review, unit, case type, item, rating) and their themes, by hand:
#   e1 R1 U1 foster  item 1 S    visits, services
#   e2 R1 U1 foster  item 4 ANI  services
#   e3 R1 U1 foster  item 7 NA   services          (not applicable: not counted)
#   e4 R2 U1 in-home item 1 ANI  visits
#   e5 R2 U1 in-home item 4 NA   —
#   e6 R3 U2 foster  item 1 S    transport
#   e7 R3 U2 foster  item 4 S    services (coded twice: counts once)
NARRATIVES = pl.DataFrame(
    [("e1", "R1", "U1", "foster_care", "1", "strength"),
     ("e2", "R1", "U1", "foster_care", "4", "area_needing_improvement"),
     ("e3", "R1", "U1", "foster_care", "7", "not_applicable"),
     ("e4", "R2", "U1", "in_home", "1", "area_needing_improvement"),
     ("e5", "R2", "U1", "in_home", "4", "not_applicable"),
     ("e6", "R3", "U2", "foster_care", "1", "strength"),
     ("e7", "R3", "U2", "foster_care", "4", "strength")],
    schema=["excerpt_id", "review_id", "unit_id", "case_type", "item", "rating"], orient="row")
CODED = pl.DataFrame([("e1", "R1", "visits"), ("e1", "R1", "services"), ("e2", "R1", "services"),
                      ("e3", "R1", "services"), ("e4", "R2", "visits"), ("e6", "R3", "transport"),
                      ("e7", "R3", "services"), ("e7", "R3", "services")],
                     schema=["excerpt_id", "source_id", "code"], orient="row")


def _shares(frame: pl.DataFrame) -> dict[str, tuple]:
    return {r["code"]: (r["narratives_with"], r["narratives"], r["reviews_with"], r["reviews"])
            for r in frame.iter_rows(named=True)}


def test_theme_shares_count_narratives_of_items_that_applied():
    out = rv.theme_shares(CODED, NARRATIVES)
    # Narratives that applied: e1, e2, e4, e6, e7 = 5, in 3 reviews. services: e1, e2, e7
    # (e3 is not applicable, e7's double row counts once) = 3 of 5 = 60%, in R1 and R3 = 2
    # of 3 reviews; visits e1, e4 = 2 of 5; transport e6 = 1 of 5. Most common first.
    assert _shares(out) == {"services": (3, 5, 2, 3), "visits": (2, 5, 2, 3), "transport": (1, 5, 1, 3)}
    assert out["code"].to_list() == ["services", "visits", "transport"]
    assert out["share"].to_list() == pytest.approx([0.6, 0.4, 0.2])
    assert not out["everywhere"].any()                          # all under 90%


def test_theme_shares_of_one_item_and_of_a_unit_beside_the_agency():
    # Item 1: e1, e4, e6 = 3. visits e1, e4 = 2 of 3; services e1 = 1; transport e6 = 1.
    item1 = rv.theme_shares(CODED, NARRATIVES, item="1")
    assert _shares(item1) == {"visits": (2, 3, 2, 3), "services": (1, 3, 1, 3), "transport": (1, 3, 1, 3)}
    # Unit U1, all items: e1, e2, e4 = 3 narratives in R1, R2. services e1, e2 = 2 of 3 against
    # the agency's 3 of 5 (60%); visits e1, e4 = 2 of 3 against 2 of 5 (40%). No transport in U1.
    u1 = rv.theme_shares(CODED, NARRATIVES, units=["U1"])
    assert _shares(u1) == {"services": (2, 3, 1, 2), "visits": (2, 3, 2, 2)}
    agency = dict(u1.select("code", "agency_share").iter_rows())
    assert agency == pytest.approx({"services": 0.6, "visits": 0.4})


def test_a_theme_in_nearly_every_narrative_is_marked_as_their_topic():
    from dataclasses import replace
    settings = replace(rv.load_settings(), theme_everywhere_share=0.6)
    out = rv.theme_shares(CODED, NARRATIVES, settings=settings)
    # services 3 of 5 = 0.6 >= 0.6: their topic; visits 0.4 and transport 0.2 are not.
    assert dict(out.select("code", "everywhere").iter_rows()) == {
        "services": True, "visits": False, "transport": False}
    assert rv.load_settings().theme_everywhere_share == 0.9      # reviews.yaml
