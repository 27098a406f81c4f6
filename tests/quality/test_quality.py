"""Data quality checks and data-entry timeliness on tiny hand-made stores.

Every store starts from CLEAN (below), in which no check fails; each check's test adds a
record that fails it and a near miss that must pass, and names the expected result.
The as-of date is configured as 2024-06-30 unless a test says otherwise.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from cqi_core.indicators.engine import d1_days
from cqi_core.quality import checks as quality
from cqi_core.storage.contract import load_contract
from cqi_core.storage.store import open_store

AS_OF = date(2024, 6, 30)

# units U1 (North), U2 (South); caseworkers W1 (U1), W2 (U2, left 2024-03-31).
# C1 (born 2015-05-01) in care since 2024-01-01 in E1 (U1), placed in P1 since then.
# C2 (born 2010-01-01) in care 2023-01-01 .. 2023-12-31 in E2 (U2), reunified.
# Report R1 about C1 received 2023-12-20, entered a day later; visit V1 to C1 by W1 on
# 2024-02-10, entered 2 days later.
CLEAN = {
    "units": [dict(unit_id="U1", unit_name="Unit One", region="North"),
              dict(unit_id="U2", unit_name="Unit Two", region="South")],
    "workers": [dict(worker_id="W1", unit_id="U1", role="caseworker", hire_date="2020-01-01"),
                dict(worker_id="W2", unit_id="U2", role="caseworker", hire_date="2021-01-01",
                     separation_date="2024-03-31")],
    "children": [dict(child_id="C1", birth_date="2015-05-01", sex="female", race_ethnicity="white"),
                 dict(child_id="C2", birth_date="2010-01-01", sex="male", race_ethnicity="black")],
    "episodes": [dict(episode_id="E1", child_id="C1", removal_date="2024-01-01", unit_id="U1",
                      worker_id="W1"),
                 dict(episode_id="E2", child_id="C2", removal_date="2023-01-01",
                      discharge_date="2023-12-31", discharge_reason="reunification",
                      unit_id="U2", worker_id="W2")],
    "placements": [dict(placement_id="P1", episode_id="E1", child_id="C1",
                        start_date="2024-01-01", setting="relative_foster_home"),
                   dict(placement_id="P2", episode_id="E2", child_id="C2",
                        start_date="2023-01-01", end_date="2023-12-31",
                        setting="nonrelative_foster_home")],
    "reports": [dict(report_id="R1", child_id="C1", report_date="2023-12-20",
                     disposition="substantiated", unit_id="U1", entered_date="2023-12-21")],
    "visits": [dict(visit_id="V1", child_id="C1", worker_id="W1", visit_date="2024-02-10",
                    location="residence", entered_date="2024-02-12")],
}


def insert(store, table: str, rows: list[dict]) -> None:
    """Plain INSERTs of hand-made rows (column names checked against the contract)."""
    cols = load_contract().table(table).column_names
    cur = store.cursor()
    for row in rows:
        assert set(row) <= set(cols), set(row) - set(cols)
        names = list(row)
        cur.execute(f"INSERT INTO {table} ({', '.join(names)}) "
                    f"VALUES ({', '.join('$' + n for n in names)})", row)
    cur.close()


def set_as_of(store, value: str) -> None:
    store.cursor().execute("INSERT OR REPLACE INTO settings VALUES ('as_of_date', $v)", {"v": value})


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "t.duckdb")
    for table, rows in CLEAN.items():
        insert(s, table, rows)
    set_as_of(s, AS_OF.isoformat())
    yield s
    s.close()


def failing(store, check_id: str) -> set[tuple[str, str]]:
    return {(r["source_table"], r["record_key"])
            for r in quality.failing_records(store, check_id).iter_rows(named=True)}


TODAY = date.today()

# check id → (rows added to CLEAN, records expected to fail). Near misses that must pass
# are added in the same rows and explained in the comments.
CASES = {
    "missing_dates": (
        {"episodes": [dict(episode_id="E9", child_id="C9", unit_id="U1")],
         "workers": [dict(worker_id="W9", unit_id="U1", role="other")]},
        {("episodes", "E9"), ("workers", "W9")}),
    "birth_date_future": (
        # C8 is born today: not in the future.
        {"children": [dict(child_id="C9", birth_date="2999-01-01"),
                      dict(child_id="C8", birth_date=TODAY.isoformat())]},
        {("children", "C9")}),
    "birth_after_removal": (
        # C9 born a month after removal; C8 born on the removal day (passes).
        {"children": [dict(child_id="C9", birth_date="2024-03-01"),
                      dict(child_id="C8", birth_date="2024-03-01")],
         "episodes": [dict(episode_id="E9", child_id="C9", removal_date="2024-02-01", unit_id="U1"),
                      dict(episode_id="E8", child_id="C8", removal_date="2024-03-01", unit_id="U1")]},
        {("episodes", "E9")}),
    "dates_after_as_of": (
        # V9 the day after the as-of date fails, V8 on it passes; W9 separates after it.
        {"visits": [dict(visit_id="V9", child_id="C1", visit_date="2024-07-01", location="other"),
                    dict(visit_id="V8", child_id="C1", visit_date="2024-06-30", location="other")],
         "workers": [dict(worker_id="W9", unit_id="U1", role="caseworker",
                          hire_date="2022-01-01", separation_date="2024-07-15")]},
        {("visits", "V9"), ("workers", "W9")}),
    "dates_before_1900": (
        # C9 born 1899-12-31 fails, C8 born 1900-01-01 passes; feedback F9 is from 1850.
        {"children": [dict(child_id="C9", birth_date="1899-12-31"),
                      dict(child_id="C8", birth_date="1900-01-01")],
         "feedback": [dict(feedback_id="F9", received_date="1850-01-01", source_group="youth",
                           channel="survey", text="ok")]},
        {("children", "C9"), ("feedback", "F9")}),
    "discharge_before_removal": (
        # E9 ends the day before it starts; E8 ends the day it starts (passes).
        {"episodes": [dict(episode_id="E9", child_id="C9", removal_date="2024-02-01",
                           discharge_date="2024-01-31", unit_id="U1"),
                      dict(episode_id="E8", child_id="C8", removal_date="2024-02-01",
                           discharge_date="2024-02-01", unit_id="U1")]},
        {("episodes", "E9")}),
    "placement_end_before_start": (
        {"placements": [dict(placement_id="P9", episode_id="E1", child_id="C1",
                             start_date="2024-03-01", end_date="2024-02-28", setting="group_home"),
                        dict(placement_id="P8", episode_id="E1", child_id="C1",
                             start_date="2024-03-01", end_date="2024-03-01", setting="group_home")]},
        {("placements", "P9")}),
    "same_day_discharge": (
        # E2 (in CLEAN) lasted a year: passes.
        {"episodes": [dict(episode_id="E9", child_id="C9", removal_date="2024-03-03",
                           discharge_date="2024-03-03", discharge_reason="reunification",
                           unit_id="U1")]},
        {("episodes", "E9")}),
    "age_over_21": (
        # C9 and C8 born 2000-01-01 (21st birthday 2021-01-01): E9 discharged the day after
        # it (fails), E8 on it (passes). C7 was 30 when removed (fails).
        {"children": [dict(child_id="C9", birth_date="2000-01-01"),
                      dict(child_id="C8", birth_date="2000-01-01"),
                      dict(child_id="C7", birth_date="1990-01-01")],
         "episodes": [dict(episode_id="E9", child_id="C9", removal_date="2020-06-01",
                           discharge_date="2021-01-02", unit_id="U1"),
                      dict(episode_id="E8", child_id="C8", removal_date="2020-06-01",
                           discharge_date="2021-01-01", unit_id="U1"),
                      dict(episode_id="E7", child_id="C7", removal_date="2020-01-01",
                           discharge_date="2020-02-01", unit_id="U1")]},
        {("episodes", "E9"), ("episodes", "E7")}),
    "stay_over_21_years": (
        # Open episodes counted to 2024-06-30: E9 7,666 days (fails), E8 exactly 7,665 (passes).
        {"episodes": [dict(episode_id="E9", child_id="C9", unit_id="U1",
                           removal_date=(AS_OF - timedelta(days=7666)).isoformat()),
                      dict(episode_id="E8", child_id="C8", unit_id="U1",
                           removal_date=(AS_OF - timedelta(days=7665)).isoformat())]},
        {("episodes", "E9")}),
    "overlapping_episodes": (
        # E9 (C1, 2023-06-01 .. 2024-01-02) overlaps E1 (C1, from 2024-01-01): both fail.
        # E8 (C1, 2023-01-01 .. 2023-06-01) ends the day E9 starts: half-open, passes.
        {"episodes": [dict(episode_id="E9", child_id="C1", removal_date="2023-06-01",
                           discharge_date="2024-01-02", unit_id="U1"),
                      dict(episode_id="E8", child_id="C1", removal_date="2023-01-01",
                           discharge_date="2023-06-01", unit_id="U1")]},
        {("episodes", "E9"), ("episodes", "E1")}),
    "placement_outside_episode": (
        # E2 runs 2023-01-01 .. 2023-12-31. P9 starts a day before it, P7 stays open, P6 ends
        # after the discharge: fail. P8 starts and ends on the discharge date: passes.
        {"placements": [
            dict(placement_id="P9", episode_id="E2", child_id="C2", start_date="2022-12-31",
                 end_date="2023-02-01", setting="group_home"),
            dict(placement_id="P8", episode_id="E2", child_id="C2", start_date="2023-12-31",
                 end_date="2023-12-31", setting="group_home"),
            dict(placement_id="P7", episode_id="E2", child_id="C2", start_date="2023-06-01",
                 setting="group_home"),
            dict(placement_id="P6", episode_id="E2", child_id="C2", start_date="2023-06-01",
                 end_date="2024-01-05", setting="group_home")]},
        {("placements", "P9"), ("placements", "P7"), ("placements", "P6")}),
    "placement_child_mismatch": (
        {"placements": [dict(placement_id="P9", episode_id="E1", child_id="C2",
                             start_date="2024-02-01", setting="group_home")]},
        {("placements", "P9")}),
    "placement_without_episode": (
        {"placements": [dict(placement_id="P9", episode_id="E404", child_id="C1",
                             start_date="2024-02-01", setting="group_home")]},
        {("placements", "P9")}),
    "visit_outside_care": (
        # C1 entered care 2024-01-01: V9 the day before fails. C2 left 2023-12-31: V8 on
        # that day fails (half-open), V7 the day before passes. C9 has no episode at all.
        {"visits": [dict(visit_id="V9", child_id="C1", visit_date="2023-12-31", location="other"),
                    dict(visit_id="V8", child_id="C2", visit_date="2023-12-31", location="other"),
                    dict(visit_id="V7", child_id="C2", visit_date="2023-12-30", location="other"),
                    dict(visit_id="V6", child_id="C9", visit_date="2024-01-10", location="other")]},
        {("visits", "V9"), ("visits", "V8"), ("visits", "V6")}),
    "report_child_unknown": (
        {"reports": [dict(report_id="R9", child_id="C404", report_date="2024-02-01",
                          disposition="unsubstantiated")]},
        {("reports", "R9")}),
    "record_child_unknown": (
        {"episodes": [dict(episode_id="E9", child_id="C404", removal_date="2024-02-01", unit_id="U1")],
         "visits": [dict(visit_id="V9", child_id="C404", visit_date="2024-02-01", location="other")]},
        {("episodes", "E9"), ("visits", "V9")}),
    "worker_unknown": (
        # V8 has no worker at all: not checked, passes.
        {"visits": [dict(visit_id="V9", child_id="C1", worker_id="W404", visit_date="2024-02-01",
                         location="other"),
                    dict(visit_id="V8", child_id="C1", visit_date="2024-02-01", location="other")],
         "episodes": [dict(episode_id="E9", child_id="C9", removal_date="2024-02-01",
                           unit_id="U1", worker_id="W404")]},
        {("visits", "V9"), ("episodes", "E9")}),
    "qa_review_unknown": (
        # QA1 pairs with RV1 (same child): passes. QA2 names no review, QA3 a review of
        # another child, QA4 another QA review: all three fail.
        {"reviews": [dict(review_id=r, child_id=c, unit_id="U1", review_date="2024-02-01",
                          case_type="foster_care", qa_of_review_id=q)
                     for r, c, q in (("RV1", "C1", None), ("QA1", "C1", "RV1"), ("QA2", "C1", "RV404"),
                                     ("QA3", "C2", "RV1"), ("QA4", "C1", "QA1"))]},
        {("reviews", "QA2"), ("reviews", "QA3"), ("reviews", "QA4")}),
    "report_before_birth": (
        # C1 born 2015-05-01: R9 the day before fails, R8 on the birthday passes.
        {"reports": [dict(report_id="R9", child_id="C1", report_date="2015-04-30", disposition="other"),
                     dict(report_id="R8", child_id="C1", report_date="2015-05-01", disposition="other")]},
        {("reports", "R9")}),
    "missing_discharge_reason": (
        # E8 is open (no reason expected): passes.
        {"episodes": [dict(episode_id="E9", child_id="C9", removal_date="2024-01-01",
                           discharge_date="2024-02-01", unit_id="U1"),
                      dict(episode_id="E8", child_id="C8", removal_date="2024-01-01", unit_id="U1")]},
        {("episodes", "E9")}),
    "in_care_without_placement": (
        # On 2024-06-30: E9 has no placement (fails); E8's only placement ended on the as-of
        # date (fails); E7's next placement starts that day (passes); E6 left that day
        # (not in care, passes).
        {"episodes": [dict(episode_id=e, child_id="C" + e[1], removal_date="2024-01-01",
                           unit_id="U1") for e in ("E9", "E8", "E7")]
                     + [dict(episode_id="E6", child_id="C6", removal_date="2024-01-01",
                             discharge_date="2024-06-30", discharge_reason="adoption", unit_id="U1")],
         "placements": [dict(placement_id="P8", episode_id="E8", child_id="C8", start_date="2024-01-01",
                             end_date="2024-06-30", setting="group_home"),
                        dict(placement_id="P7", episode_id="E7", child_id="C7", start_date="2024-01-01",
                             end_date="2024-06-30", setting="group_home"),
                        dict(placement_id="P6", episode_id="E7", child_id="C7", start_date="2024-06-30",
                             setting="group_home")]},
        {("episodes", "E9"), ("episodes", "E8")}),
    "separation_before_hire": (
        {"workers": [dict(worker_id="W9", unit_id="U1", role="caseworker", hire_date="2022-01-01",
                          separation_date="2021-12-31"),
                     dict(worker_id="W8", unit_id="U1", role="caseworker", hire_date="2022-01-01",
                          separation_date="2022-01-01")]},
        {("workers", "W9")}),
    "late_entry_visits": (
        # 4 days late fails, exactly 3 days passes (threshold 3).
        {"visits": [dict(visit_id="V9", child_id="C1", worker_id="W1", visit_date="2024-03-01",
                         entered_date="2024-03-05", location="residence"),
                    dict(visit_id="V8", child_id="C1", worker_id="W1", visit_date="2024-03-01",
                         entered_date="2024-03-04", location="residence")]},
        {("visits", "V9")}),
    "late_entry_reports": (
        {"reports": [dict(report_id="R9", child_id="C1", report_date="2024-03-01",
                          entered_date="2024-03-05", disposition="other"),
                     dict(report_id="R8", child_id="C1", report_date="2024-03-01",
                          entered_date="2024-03-04", disposition="other")]},
        {("reports", "R9")}),
    "entered_before_event": (
        # Entered the day before fails; entered the same day passes.
        {"visits": [dict(visit_id="V9", child_id="C1", visit_date="2024-03-01",
                         entered_date="2024-02-29", location="other"),
                    dict(visit_id="V8", child_id="C1", visit_date="2024-03-01",
                         entered_date="2024-03-01", location="other")],
         "reports": [dict(report_id="R9", child_id="C1", report_date="2024-03-01",
                          entered_date="2024-02-29", disposition="other")]},
        {("visits", "V9"), ("reports", "R9")}),
    "missing_entry_date": (
        {"visits": [dict(visit_id="V9", child_id="C1", visit_date="2024-03-01", location="other")]},
        {("visits", "V9")}),
}


def test_every_check_has_a_case():
    assert set(CASES) == {c.id for c in quality.list_checks()}


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_check_flags_the_failing_record_and_not_the_near_miss(store, check_id):
    assert failing(store, check_id) == set(), "CLEAN must pass every check"
    added, expected = CASES[check_id]
    for table, rows in added.items():
        insert(store, table, rows)
    assert failing(store, check_id) == expected
    row = quality.run_checks(store).filter(pl.col("check_id") == check_id).row(0, named=True)
    assert row["failing"] == len(expected)
    assert row["failing"] <= row["checked"]


def test_clean_store_fails_nothing_and_counts_what_it_checked(store):
    result = quality.run_checks(store)
    assert result["check_id"].to_list() == [c.id for c in quality.list_checks()]
    assert result["failing"].sum() == 0
    checked = dict(zip(result["check_id"], result["checked"]))
    assert checked["missing_discharge_reason"] == 1  # only E2 is discharged
    assert checked["in_care_without_placement"] == 1  # only E1 is in care on 2024-06-30
    assert checked["late_entry_visits"] == 1  # V1 has an entry date
    # children 2, workers 2, episodes 2, placements 2, reports 1, visits 1 (units: no dates)
    assert checked["dates_before_1900"] == 10
    assert result.filter(pl.col("checked") > 0)["share"].to_list() == [0.0] * int((result["checked"] > 0).sum())


def test_share_is_failing_over_checked(store):
    insert(store, "episodes", [dict(episode_id="E9", child_id="C9", removal_date="2024-01-01",
                                    discharge_date="2024-02-01", unit_id="U1")])
    row = quality.run_checks(store).filter(pl.col("check_id") == "missing_discharge_reason").row(0, named=True)
    assert (row["failing"], row["checked"], row["share"]) == (1, 2, 0.5)  # E9 of E2, E9
    assert row["severity"] == "warning" and row["table"] == "episodes"
    assert "discharge reason" in row["explanation"]


def test_as_of_argument_overrides_the_configured_date(store):
    # Against 2024-02-01 instead of 2024-06-30: visit V1 (2024-02-10) and worker W2's
    # separation (2024-03-31) are later; everything else in CLEAN is earlier.
    assert failing(store, "dates_after_as_of") == set()
    r = quality.run_checks(store, as_of=date(2024, 2, 1))
    assert r.filter(pl.col("check_id") == "dates_after_as_of")["failing"].item() == 2
    keys = quality.failing_records(store, "dates_after_as_of", as_of=date(2024, 2, 1))["record_key"]
    assert keys.to_list() == ["W2", "V1"]  # ordered by the record's date: hire 2021, visit 2024


def test_failing_records_carry_unit_region_and_detail(store):
    # Placement P9 gets its unit from episode E2 (U2, South); visit V9 from worker W1 (U1).
    insert(store, "placements", [dict(placement_id="P9", episode_id="E2", child_id="C2",
                                      start_date="2022-12-31", end_date="2023-02-01",
                                      setting="group_home")])
    insert(store, "visits", [dict(visit_id="V9", child_id="C1", worker_id="W1",
                                  visit_date="2024-03-01", entered_date="2024-03-11",
                                  location="residence")])
    p = quality.failing_records(store, "placement_outside_episode")
    assert p.columns == ["check_id", "source_table", "record_key", "child_id", "unit_id",
                         "unit_name", "region", "event_date", "detail"]
    assert p.row(0, named=True) == {
        "check_id": "placement_outside_episode", "source_table": "placements", "record_key": "P9",
        "child_id": "C2", "unit_id": "U2", "unit_name": "Unit Two", "region": "South",
        "event_date": date(2022, 12, 31),
        "detail": "starts 2022-12-31, before the removal date 2023-01-01"}
    v = quality.failing_records(store, "late_entry_visits").row(0, named=True)
    assert (v["unit_id"], v["region"]) == ("U1", "North")
    assert v["detail"] == "entered 2024-03-11, 10 days after the visit"
    assert len(quality.failing_records(store, "late_entry_visits", unit_id="U2")) == 0
    assert len(quality.failing_records(store, "late_entry_visits", unit_id="U1")) == 1


def test_unknown_check_is_refused(store):
    with pytest.raises(ValueError, match="no_such_check"):
        quality.failing_records(store, "no_such_check")


def test_checks_by_unit_counts_failures_per_unit(store):
    # Two late visits by W1 (U1), one by W2 (U2); one missing discharge reason in U2.
    insert(store, "visits", [
        dict(visit_id=v, child_id="C1", worker_id=w, visit_date="2024-03-01",
             entered_date="2024-03-10", location="residence")
        for v, w in (("V7", "W1"), ("V8", "W1"), ("V9", "W2"))])
    insert(store, "episodes", [dict(episode_id="E9", child_id="C9", removal_date="2024-01-01",
                                    discharge_date="2024-02-01", unit_id="U2")])
    got = quality.checks_by_unit(store).filter(
        pl.col("check_id").is_in(["late_entry_visits", "missing_discharge_reason"]))
    expected = pl.DataFrame({
        "check_id": ["late_entry_visits", "late_entry_visits", "missing_discharge_reason"],
        "unit_id": ["U1", "U2", "U2"], "unit_name": ["Unit One", "Unit Two", "Unit Two"],
        "region": ["North", "South", "South"], "failing": [2, 1, 1]})
    assert_frame_equal(got, expected)
    # The page reads both from one pass: each check's total is the sum over its units (the
    # two late visits of U1 and the one of U2 are three late visits), the rest as before.
    summary, by_unit = quality.check_results(store)
    assert_frame_equal(by_unit, quality.checks_by_unit(store))
    assert_frame_equal(summary, quality.run_checks(store))
    totals = dict(summary.select("check_id", "failing").iter_rows())
    assert totals["late_entry_visits"] == 3 and totals["missing_discharge_reason"] == 1
    assert all(totals[c] == n for c, n in by_unit.group_by("check_id").agg(
        pl.col("failing").sum()).iter_rows())


def test_checks_over_time_uses_the_checks_period_date(store):
    # Missing discharge reasons are placed by discharge month: E9 left 2024-02-10 with no
    # reason, E8 left 2024-02-20 with one; E2 (CLEAN) left 2023-12-31 with one.
    insert(store, "episodes", [
        dict(episode_id="E9", child_id="C9", removal_date="2023-05-01", discharge_date="2024-02-10",
             unit_id="U1"),
        dict(episode_id="E8", child_id="C8", removal_date="2023-05-01", discharge_date="2024-02-20",
             discharge_reason="adoption", unit_id="U1")])
    got = quality.checks_over_time(store, "missing_discharge_reason")
    expected = pl.DataFrame({"period": [date(2023, 12, 1), date(2024, 2, 1)],
                             "check_id": ["missing_discharge_reason"] * 2,
                             "failing": [0, 1], "checked": [1, 2]})
    assert_frame_equal(got, expected)
    by_year = quality.checks_over_time(store, "missing_discharge_reason", grain="year")
    assert by_year.select("period", "failing", "checked").rows() == [
        (date(2023, 1, 1), 0, 1), (date(2024, 1, 1), 1, 2)]
    with pytest.raises(ValueError, match="grain"):
        quality.checks_over_time(store, grain="fortnight")


def test_checks_over_time_covers_every_check_by_default(store):
    got = quality.checks_over_time(store)
    assert set(got["check_id"]) <= {c.id for c in quality.list_checks()}
    # V1 (2024-02) is the only visit: late_entry_visits checked one visit in February.
    row = got.filter(pl.col("check_id") == "late_entry_visits")
    assert row.rows() == [(date(2024, 2, 1), "late_entry_visits", 0, 1)]


def _timeliness_store(store):
    # Visits by W1 (U1) in March 2024 entered 0, 2, 5 and 10 days later; V1 (CLEAN, Feb,
    # 2 days); one by W2 (U2) in March 1 day late; one with no entry date (not counted).
    delays = {"V2": 0, "V3": 2, "V4": 5, "V5": 10}
    insert(store, "visits", [
        dict(visit_id=v, child_id="C1", worker_id="W1", visit_date="2024-03-01",
             entered_date=(date(2024, 3, 1) + timedelta(days=d)).isoformat(), location="residence")
        for v, d in delays.items()]
        + [dict(visit_id="V6", child_id="C1", worker_id="W2", visit_date="2024-03-02",
                entered_date="2024-03-03", location="residence"),
           dict(visit_id="V7", child_id="C1", worker_id="W1", visit_date="2024-03-02",
                location="residence")])


def test_entry_timeliness_by_unit(store):
    _timeliness_store(store)
    got = quality.entry_timeliness(store, by="unit")
    # visits U1: delays 2 (V1), 0, 2, 5, 10 → 5 records, late (>3) 2, median 2,
    # p90 = 5 + 0.6 * (10 - 5) = 8. visits U2: one record, 1 day. reports U1: R1, 1 day.
    expected = pl.DataFrame({
        "source": ["visits", "visits", "reports"], "group": ["U1", "U2", "U1"],
        "records": [5, 1, 1], "late": [2, 0, 0], "share_late": [0.4, 0.0, 0.0],
        "median_days": [2.0, 1.0, 1.0], "p90_days": [8.0, 1.0, 1.0]})
    assert_frame_equal(got, expected)


def test_entry_timeliness_by_month_and_threshold(store):
    _timeliness_store(store)
    got = quality.entry_timeliness(store, by="month", late_days=4).filter(pl.col("source") == "visits")
    # February: V1 (2 days). March: 0, 2, 5, 10, 1 → late over 4 days: 5 and 10.
    assert got.select("group", "records", "late").rows() == [("2024-02-01", 1, 0), ("2024-03-01", 5, 2)]
    assert got["median_days"].to_list() == [2.0, 2.0]
    by_region = quality.entry_timeliness(store, by="region").filter(pl.col("source") == "visits")
    assert by_region.select("group", "records").rows() == [("North", 5), ("South", 1)]
    with pytest.raises(ValueError, match="by must be"):
        quality.entry_timeliness(store, by="worker")


def test_late_threshold_is_configuration():
    assert quality.load_config().late_entry_days == 3


def test_late_threshold_is_indicator_d1s_setting_and_no_checks_file_sets_another(tmp_path):
    assert quality.late_entry_days() == d1_days()
    body = "settings:\n  late_entry_days: 5\n" + GOOD
    with pytest.raises(ValueError, match="late_entry_days is not set here.*d1_days"):
        quality.load_config(_write(tmp_path, body))


# ---- the registry -------------------------------------------------------------------

def test_every_check_has_its_sql_file_and_every_file_its_check():
    files = {p.name for p in quality.SQL_DIR.glob("*.sql") if not p.name.startswith("_")}
    named = {c.sql_file for c in quality.list_checks()}
    assert files == named


def test_every_check_is_explained():
    for c in quality.list_checks():
        assert len(c.name) > 5 and len(c.meaning) > 20 and len(c.why) > 20, c.id
        assert c.severity in quality.SEVERITIES


def test_every_check_sql_returns_the_common_shape(store):
    for c in quality.list_checks():
        frame = quality._run(store, f"SELECT * FROM ({c.sql}\n) LIMIT 0", AS_OF)
        assert frame.columns == ["source_table", "record_key", "child_id", "unit_id",
                                 "event_date", "detail"], c.id


def test_check_sql_binds_only_known_parameters():
    for c in quality.list_checks():
        used = set(re.findall(r"\$(\w+)", c.sql + " " + (c.checked_where or "")))
        assert used <= {"as_of", "today", "late_days"}, c.id


def _write(tmp_path, body: str):
    p = tmp_path / "checks.yaml"
    p.write_text(body, encoding="utf-8")
    return p


GOOD = """
checks:
  - id: my_check
    name: My check
    meaning: what it means
    why: why it matters
    severity: info
    table: visits
    sql: missing_entry_date.sql
"""


def test_registry_loads_a_valid_file(tmp_path):
    cfg = quality.load_config(_write(tmp_path, GOOD))
    assert [c.id for c in cfg.checks] == ["my_check"] and cfg.late_entry_days == 3


@pytest.mark.parametrize("change, message", [
    (GOOD + "    colour: red\n", "my_check: unknown keys \\['colour'\\]"),
    (GOOD.replace("    why: why it matters\n", ""), "my_check: missing \\['why'\\]"),
    (GOOD.replace("severity: info", "severity: fatal"), "my_check: severity"),
    (GOOD.replace("table: visits", "table: visitz"), "my_check: table 'visitz'"),
    (GOOD.replace("missing_entry_date.sql", "nope.sql"), "my_check: SQL file nope.sql"),
    (GOOD + GOOD.replace("checks:\n", ""), "my_check: id appears twice"),
    (GOOD + "    period_date: nope\n", "my_check: period_date"),
])
def test_registry_refuses_bad_checks_naming_them(tmp_path, change, message):
    with pytest.raises(ValueError, match=message):
        quality.load_config(_write(tmp_path, change))
