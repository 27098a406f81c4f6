"""S2 — recurrence of maltreatment, on hand-made rows. One row per child with an index
victimization in the period; expected values are worked out in the comments. Period:
calendar 2024; children born in 2015 unless stated."""

from __future__ import annotations

from federal_fixtures import analysis, base_store, child, report, result, totals

PERIOD = ("2024-01-01", "2024-12-31")


def test_recurrence_window_is_strictly_after_14_days_and_before_12_months(tmp_path):
    s = base_store(tmp_path)
    for c in "ABCDEF":
        child(s, c, "2015-01-01")
    for c in "ABCD":
        report(s, f"R{c}0", c, "2024-03-01")
    report(s, "RA1", "A", "2024-03-15")   # index + 14 days exactly: 0
    report(s, "RB1", "B", "2024-03-16")   # index + 15 days: 1
    report(s, "RC1", "C", "2025-02-28")   # before 2025-03-01: 1
    report(s, "RD1", "D", "2025-03-01")   # = index + 12 months: 0
    # Index 2024-02-29: + 12 months = 2025-02-28.
    report(s, "RE0", "E", "2024-02-29")
    report(s, "RE1", "E", "2025-02-27")   # 1
    report(s, "RF0", "F", "2024-02-29")
    report(s, "RF1", "F", "2025-02-28")   # 0
    assert totals(analysis(s, "S2", *PERIOD)) == (3, 6)


def test_index_is_the_earliest_victim_report_in_the_period(tmp_path):
    s = base_store(tmp_path)
    child(s, "G", "2015-01-01")
    child(s, "H", "2015-01-01")
    # G: a victim report before the period and an unsubstantiated one in it do not set the
    # index; the index is 2024-02-01, and 2024-02-10 is within 14 days of it: 0.
    report(s, "RG0", "G", "2023-12-20")
    report(s, "RG1", "G", "2024-01-10", "unsubstantiated")
    report(s, "RG2", "G", "2024-02-01")
    report(s, "RG3", "G", "2024-02-10")
    # H: index 2024-02-01; the only later report is not a victim report: 0. A second
    # victim report the same day as the index is not a recurrence either.
    report(s, "RH1", "H", "2024-02-01")
    report(s, "RH2", "H", "2024-02-01", "indicated")
    report(s, "RH3", "H", "2024-06-01", "no_finding")
    assert totals(analysis(s, "S2", *PERIOD)) == (0, 2)


def test_a_report_of_the_same_incident_as_the_index_is_not_a_recurrence(tmp_path):
    s = base_store(tmp_path)
    for c in "IJKL":
        child(s, c, "2015-01-01")
    # I: later report shares the index report's incident date: left out: 0.
    report(s, "RI0", "I", "2024-03-01", incident="2024-02-20")
    report(s, "RI1", "I", "2024-05-01", incident="2024-02-20")
    # J: later report has no incident date: counted: 1.
    report(s, "RJ0", "J", "2024-03-01", incident="2024-02-20")
    report(s, "RJ1", "J", "2024-05-01")
    # K: index report has no incident date, so nothing is left out: 1.
    report(s, "RK0", "K", "2024-03-01")
    report(s, "RK1", "K", "2024-05-01", incident="2024-02-20")
    # L: two victim reports on the index date (incidents 02-10 and 02-20); a later report
    # of the 02-20 incident is left out, but a later report of a new incident counts: 1.
    report(s, "RL0", "L", "2024-03-01", incident="2024-02-10")
    report(s, "RL1", "L", "2024-03-01", incident="2024-02-20")
    report(s, "RL2", "L", "2024-05-01", incident="2024-02-20")
    report(s, "RL3", "L", "2024-07-01", incident="2024-06-25")
    assert totals(analysis(s, "S2", *PERIOD)) == (3, 4)


def test_unit_is_that_of_the_index_victim_report_with_the_smallest_report_id(tmp_path):
    s = base_store(tmp_path)
    child(s, "M", "2015-01-01")
    child(s, "N", "2015-01-01")
    # M: on the index date, R-0 (not a victim report, U2), R-A (U1), R-B (U2): R-A -> U1.
    report(s, "R-0", "M", "2024-04-01", "unsubstantiated", unit="U2")
    report(s, "R-B", "M", "2024-04-01", unit="U2")
    report(s, "R-A", "M", "2024-04-01", unit="U1")
    # N: the index report has no unit: the child counts under unknown unit and region.
    report(s, "R-N", "N", "2024-04-01", unit=None)
    rows = analysis(s, "S2", *PERIOD)
    assert totals(rows, unit_id="U1", region="North") == (0, 1)
    assert totals(rows, unit_id="U2") == (0, 0)
    assert totals(rows, unit_id=None, region=None) == (0, 1)
    by_unit = result(s, "S2", *PERIOD, by="unit")
    assert {k: v["denominator"] for k, v in by_unit.items()} == {"U1": 1, "unknown": 1}


def test_unborn_and_18_year_olds_have_no_index_on_that_date(tmp_path):
    s = base_store(tmp_path)
    child(s, "O", "2024-05-01")   # a prenatal report on 2024-04-01
    child(s, "P", "2006-06-01")   # 18 on 2024-06-01
    child(s, "Q", "2006-06-02")   # 17 on 2024-06-01
    # O: the prenatal report is not an index; the index is 2024-06-01 (age <1) and the
    # prenatal report is before it: 0.
    report(s, "RO1", "O", "2024-04-01")
    report(s, "RO2", "O", "2024-06-01")
    # P: only report is on the 18th birthday: not in the cohort.
    report(s, "RP1", "P", "2024-06-01")
    # Q: index 2024-06-01 at 17; a recurrence after turning 18 still counts: 1.
    report(s, "RQ1", "Q", "2024-06-01")
    report(s, "RQ2", "Q", "2024-09-01")
    rows = analysis(s, "S2", *PERIOD)
    assert totals(rows) == (1, 2)
    assert totals(rows, age_group="<1") == (0, 1)
    assert totals(rows, age_group="16-17") == (1, 1)


def test_a_report_listing_two_children_counts_for_each(tmp_path):
    s = base_store(tmp_path)
    child(s, "S", "2015-01-01")
    child(s, "T", "2019-01-01")
    for c in "ST":
        report(s, "RX", c, "2024-03-01")
        report(s, "RY", c, "2024-08-01")
    # Both children: index 2024-03-01, recurrence 2024-08-01: 2 / 2.
    assert totals(analysis(s, "S2", *PERIOD)) == (2, 2)


def test_children_not_in_the_children_table_are_left_out(tmp_path):
    s = base_store(tmp_path)
    report(s, "RZ1", "ghost", "2024-03-01")
    report(s, "RZ2", "ghost", "2024-08-01")
    assert analysis(s, "S2", *PERIOD).height == 0
