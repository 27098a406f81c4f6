"""The generated export follows docs/DATA_CONTRACT.md: tables, columns, codes, keys, dates,
references, and the episode and placement rules. Expected values are copied from the
contract, not from the generator."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

COLUMNS = {
    "units": ["unit_id", "unit_name", "region"],
    "workers": ["worker_id", "unit_id", "role", "hire_date", "separation_date"],
    "children": ["child_id", "birth_date", "sex", "race_ethnicity"],
    "episodes": ["episode_id", "child_id", "removal_date", "discharge_date", "discharge_reason", "unit_id", "worker_id"],
    "placements": ["placement_id", "episode_id", "child_id", "start_date", "end_date", "setting"],
    "reports": ["report_id", "child_id", "report_date", "incident_date", "response_priority", "first_contact_date",
                "disposition", "maltreatment_type", "perpetrator_relationship", "unit_id", "entered_date"],
    "visits": ["visit_id", "child_id", "worker_id", "visit_date", "location", "entered_date"],
    "population": ["region", "year", "child_population"],
    "staff_survey": ["response_id", "unit_id", "survey_date", "question", "score", "comment"],
    "feedback": ["feedback_id", "received_date", "source_group", "channel", "unit_id", "region", "rating", "text"],
    "reviews": ["review_id", "child_id", "unit_id", "review_date", "case_type", "reviewer", "period_start", "period_end",
                "qa_of_review_id"],
    "ratings": ["review_id", "item", "rating", "comment"],
}
REQUIRED = {
    "units": ["unit_id", "unit_name", "region"],
    "workers": ["worker_id", "unit_id", "role", "hire_date"],
    "children": ["child_id", "birth_date", "sex", "race_ethnicity"],
    "episodes": ["episode_id", "child_id", "removal_date", "unit_id"],
    "placements": ["placement_id", "episode_id", "child_id", "start_date", "setting"],
    "reports": ["report_id", "child_id", "report_date", "disposition"],
    "visits": ["visit_id", "child_id", "visit_date", "location"],
    "population": ["region", "year", "child_population"],
    "staff_survey": ["response_id", "unit_id", "survey_date", "question"],
    "feedback": ["feedback_id", "received_date", "source_group", "channel", "text"],
    "reviews": ["review_id", "child_id", "unit_id", "review_date", "case_type"],
    "ratings": ["review_id", "item", "rating"],
}
CODES = {
    ("workers", "role"): {"caseworker", "supervisor", "other"},
    ("children", "sex"): {"female", "male", "unknown"},
    ("children", "race_ethnicity"): {"hispanic", "white", "black", "aian", "asian", "nhpi", "multiracial", "unknown"},
    ("episodes", "discharge_reason"): {"reunification", "relative", "adoption", "emancipation", "guardianship",
                                       "transfer", "runaway", "death"},
    ("placements", "setting"): {"pre_adoptive_home", "relative_foster_home", "nonrelative_foster_home", "group_home",
                                "institution", "supervised_independent_living", "runaway", "trial_home_visit"},
    ("reports", "disposition"): {"substantiated", "indicated", "alternative_response_victim", "alternative_response",
                                 "unsubstantiated", "no_finding", "other", "unknown"},
    ("reports", "maltreatment_type"): {"physical_abuse", "neglect", "medical_neglect", "sexual_abuse", "psychological",
                                       "sex_trafficking", "other", "unknown"},
    ("reports", "perpetrator_relationship"): {"parent", "relative", "foster_parent", "facility_staff", "other", "unknown"},
    ("reports", "response_priority"): {"1", "2", "3"},
    ("visits", "location"): {"residence", "other"},
    ("staff_survey", "score"): {"1", "2", "3", "4", "5"},
    ("feedback", "source_group"): {"youth", "parent", "caregiver", "community_partner", "provider", "staff", "other"},
    ("feedback", "channel"): {"survey", "focus_group", "advisory_board", "listening_session", "complaint", "other"},
    ("feedback", "rating"): {"1", "2", "3", "4", "5"},
    ("reviews", "case_type"): {"foster_care", "in_home"},
    ("ratings", "rating"): {"strength", "area_needing_improvement", "not_applicable"},
    ("ratings", "item"): {str(i) for i in range(1, 19)} | {"12A", "12B", "12C"},
}
KEYS = {"units": ["unit_id"], "workers": ["worker_id"], "children": ["child_id"], "episodes": ["episode_id"],
        "placements": ["placement_id"], "reports": ["report_id", "child_id"], "visits": ["visit_id"],
        "population": ["region", "year"], "staff_survey": ["response_id"], "feedback": ["feedback_id"],
        "reviews": ["review_id"], "ratings": ["review_id", "item"]}
AS_OF = date(2026, 9, 30)


@pytest.fixture(params=["tiny", "demo"])
def export(request) -> dict[str, pl.DataFrame]:
    return request.getfixturevalue(request.param)


def test_every_table_has_exactly_the_contract_columns(export):
    for table, columns in COLUMNS.items():
        assert export[table].columns == columns, table


def test_required_values_are_present(export):
    for table, columns in REQUIRED.items():
        frame = export[table]
        assert frame.height > 0, table
        for c in columns:
            assert frame[c].null_count() == 0, f"{table}.{c}"


def test_codes_are_in_the_contract_sets(export):
    for (table, column), allowed in CODES.items():
        seen = set(export[table][column].drop_nulls().unique().to_list())
        assert seen <= allowed, f"{table}.{column}: {seen - allowed}"


def test_keys_are_unique(export):
    for table, key in KEYS.items():
        assert export[table].select(key).is_duplicated().sum() == 0, table


def test_ids_are_text_with_leading_zeros(export):
    patterns = {("children", "child_id"): r"^C\d{7}$", ("episodes", "episode_id"): r"^E\d{7}$",
                ("placements", "placement_id"): r"^P\d{8}$", ("reports", "report_id"): r"^R\d{7}$",
                ("visits", "visit_id"): r"^V\d{8}$", ("workers", "worker_id"): r"^W\d{5}$",
                ("units", "unit_id"): r"^U\d{3}$"}
    for (table, column), pattern in patterns.items():
        assert export[table][column].str.contains(pattern).all(), f"{table}.{column}"
    assert export["children"]["child_id"].min() == "C0000001"


def test_review_dates_are_real_dates_and_periods_are_in_order(export):
    rv = export["reviews"].with_columns(
        pl.col(c).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=True)
        for c in ("review_date", "period_start", "period_end"))
    assert (rv["period_start"] <= rv["period_end"]).all()
    assert (rv["period_end"] < rv["review_date"]).all()


def test_no_event_is_after_the_as_of_date_and_the_latest_is_close_to_it(export):
    latest = []
    for table, columns in (("episodes", ["removal_date", "discharge_date"]), ("placements", ["start_date", "end_date"]),
                           ("reports", ["report_date", "incident_date", "first_contact_date", "entered_date"]),
                           ("visits", ["visit_date", "entered_date"])):
        for c in columns:
            top = export[table][c].max()
            assert top <= AS_OF, f"{table}.{c}"
            latest.append(top)
    assert max(latest) >= date(2026, 9, 25)


def test_references_point_to_existing_rows(export):
    units = set(export["units"]["unit_id"])
    for table in ("workers", "episodes", "staff_survey", "reviews"):
        assert set(export[table]["unit_id"]) <= units, table
    assert set(export["reports"]["unit_id"].drop_nulls()) <= units
    assert set(export["feedback"]["unit_id"].drop_nulls()) <= units
    assert set(export["placements"]["episode_id"]) <= set(export["episodes"]["episode_id"])
    assert set(export["ratings"]["review_id"]) == set(export["reviews"]["review_id"])
    children = set(export["children"]["child_id"])
    for table in ("episodes", "placements", "visits", "reviews"):
        assert set(export[table]["child_id"]) <= children, table
    workers = set(export["workers"]["worker_id"])
    assert set(export["visits"]["worker_id"].drop_nulls()) <= workers
    assert set(export["episodes"]["worker_id"].drop_nulls()) <= workers
    regions = set(export["units"]["region"])
    assert set(export["population"]["region"]) == regions


def test_every_child_in_an_episode_or_report_is_in_children_except_a_few_late_reports(export):
    children = set(export["children"]["child_id"])
    missing = set(export["reports"]["child_id"]) - children
    assert 1 <= len(missing) <= 10
    late = export["reports"].filter(pl.col("child_id").is_in(list(missing)))
    assert late["report_date"].min() >= date(2026, 6, 1), "only the latest reports lack a child row"


def test_episodes_do_not_overlap_and_each_child_has_at_most_one_open(export):
    ep = export["episodes"].sort("child_id", "removal_date", "episode_id")
    assert (ep.filter(pl.col("discharge_date").is_not_null())
            .select((pl.col("discharge_date") >= pl.col("removal_date")).all()).item())
    nxt = ep.with_columns(pl.col("removal_date").shift(-1).over("child_id").alias("next_removal"))
    overlapping = nxt.filter(pl.col("next_removal").is_not_null()
                             & (pl.col("discharge_date").is_null() | (pl.col("next_removal") < pl.col("discharge_date"))))
    assert overlapping.height == 0
    assert ep.filter(pl.col("discharge_date").is_null()).group_by("child_id").len()["len"].max() == 1


def test_placements_tile_their_episode_from_removal_to_discharge(export):
    ep = export["episodes"].select("episode_id", "child_id", "removal_date", "discharge_date")
    pl_ = export["placements"].sort("episode_id", "start_date", "placement_id")
    first = pl_.group_by("episode_id").agg(pl.col("start_date").first(), pl.col("end_date").last(),
                                           pl.col("end_date").null_count().alias("open"),
                                           pl.col("child_id").first().alias("pchild"))
    j = ep.join(first, on="episode_id", how="left")
    assert j["start_date"].null_count() == 0, "every episode has placements"
    assert (j["start_date"] == j["removal_date"]).all()
    assert (j["pchild"] == j["child_id"]).all()
    closed = j.filter(pl.col("discharge_date").is_not_null())
    assert (closed["end_date"] == closed["discharge_date"]).all() and (closed["open"] == 0).all()
    still = j.filter(pl.col("discharge_date").is_null())
    assert (still["open"] == 1).all()
    gaps = pl_.with_columns(pl.col("start_date").shift(-1).over("episode_id").alias("next_start")).filter(
        pl.col("next_start").is_not_null())
    assert (gaps["end_date"] == gaps["next_start"]).all(), "placements are contiguous"


def test_visits_happen_while_the_child_is_in_care_and_are_entered_after_them(export):
    v = export["visits"]
    ep = export["episodes"].select("child_id", "removal_date", "discharge_date")
    inside = v.join(ep, on="child_id").filter(
        (pl.col("removal_date") <= pl.col("visit_date"))
        & (pl.col("discharge_date").is_null() | (pl.col("discharge_date") > pl.col("visit_date"))))
    assert inside["visit_id"].n_unique() == v.height
    entered = v.filter(pl.col("entered_date").is_not_null())
    assert (entered["entered_date"] >= entered["visit_date"]).all()


def test_visiting_workers_are_employed_in_the_unit_of_the_episode(export):
    v = export["visits"]
    ep = export["episodes"].select("child_id", "removal_date", "discharge_date", "unit_id")
    w = export["workers"].rename({"unit_id": "worker_unit"})
    j = (v.join(ep, on="child_id").filter(
        (pl.col("removal_date") <= pl.col("visit_date"))
        & (pl.col("discharge_date").is_null() | (pl.col("discharge_date") > pl.col("visit_date"))))
        .join(w, on="worker_id"))
    ok = j.filter((pl.col("worker_unit") == pl.col("unit_id")) & (pl.col("hire_date") <= pl.col("visit_date"))
                  & (pl.col("separation_date").is_null() | (pl.col("separation_date") > pl.col("visit_date"))))
    assert ok.height / j.height > 0.999
    assert (ok["role"] == "caseworker").mean() > 0.99


def test_reports_are_contacted_after_they_arrive_and_incidents_come_before(export):
    r = export["reports"]
    contacted = r.filter(pl.col("first_contact_date").is_not_null())
    assert (contacted["first_contact_date"] >= contacted["report_date"]).all()
    known = r.filter(pl.col("incident_date").is_not_null())
    assert (known["incident_date"] <= known["report_date"]).all()
    one_report = r.group_by("report_id").agg(pl.col("report_date").n_unique(), pl.col("response_priority").n_unique(),
                                             pl.col("unit_id").n_unique())
    assert (one_report.select(pl.exclude("report_id")) == 1).to_numpy().all(), "rows of a report share date, priority, unit"


def test_permanency_items_do_not_apply_to_in_home_cases(export):
    home = export["reviews"].filter(pl.col("case_type") == "in_home")["review_id"]
    r = export["ratings"].filter(pl.col("review_id").is_in(home.to_list())
                                 & pl.col("item").is_in(["4", "5", "6", "7", "8", "9", "10", "11"]))
    assert r.height > 0 and (r["rating"] == "not_applicable").all()


def test_item_12_is_a_strength_only_when_every_applicable_sub_item_is(export):
    wide = export["ratings"].filter(pl.col("item").is_in(["12", "12A", "12B", "12C"])).pivot(
        on="item", index="review_id", values="rating")
    subs = wide.select("12A", "12B", "12C").to_numpy()
    for row, overall in zip(subs, wide["12"].to_list()):
        applicable = [x for x in row if x != "not_applicable"]
        expected = ("not_applicable" if not applicable else
                    "strength" if all(x == "strength" for x in applicable) else "area_needing_improvement")
        assert overall == expected
