"""S1 — maltreatment in foster care (victimizations per 100,000 days), on hand-made rows.
Numerator = victimizations, denominator = days in care in the period; expected values are
worked out in the comments. Period: calendar 2024 (366 days); children born in 2015 unless
stated."""

from __future__ import annotations

from federal_fixtures import analysis, base_store, child, episode, report, result, totals

PERIOD = ("2024-01-01", "2024-12-31")


def test_repeat_victim_report_dates_a_day_apart_count_once(tmp_path):
    s = base_store(tmp_path)
    child(s, "A", "2015-01-01")
    # In care all year: days = 366.
    episode(s, "EA", "A", "2023-06-01")
    report(s, "R01", "A", "2023-12-31")                  # outside the period
    report(s, "R02", "A", "2024-01-01")                  # previous date 12-31 is 1 day earlier: no
    report(s, "R03", "A", "2024-03-10")                  # counted (1)
    report(s, "R04", "A", "2024-03-11", "indicated")     # 1 day after 03-10: no
    report(s, "R05", "A", "2024-03-13")                  # 2 days after 03-11: counted (2)
    report(s, "R06", "A", "2024-05-01", "unsubstantiated")   # not a victim report
    report(s, "R07", "A", "2024-05-02")                  # previous VICTIM date is 03-13: counted (3)
    report(s, "R08", "A", "2024-06-01")                  # counted (4) ...
    report(s, "R09", "A", "2024-06-01", "indicated")     # ... same date: one victimization
    assert totals(analysis(s, "S1", *PERIOD)) == (4, 366)


def test_reports_in_the_first_week_of_care_do_not_count(tmp_path):
    s = base_store(tmp_path)
    for c in "BCD":
        child(s, c, "2015-01-01")
    # Each removed 2024-04-01 and still in care: 275 days each (April to December).
    for c in "BCD":
        episode(s, f"E{c}", c, "2024-04-01")
    report(s, "RB1", "B", "2024-04-08")   # 7 days after removal: no
    report(s, "RB2", "B", "2024-04-20")   # counted (1)
    report(s, "RC1", "C", "2024-04-09")   # 8 days after removal: counted (2)
    # D: day 7 and day 8. Day 7 is too early; day 8's previous victim report date is one
    # day earlier, so it is not counted either (the rule looks only at the dates).
    report(s, "RD1", "D", "2024-04-08")
    report(s, "RD2", "D", "2024-04-09")
    assert totals(analysis(s, "S1", *PERIOD)) == (2, 3 * 275)


def test_short_stays_and_reports_outside_the_episode_do_not_count(tmp_path):
    s = base_store(tmp_path)
    for c in "EFG":
        child(s, c, "2015-01-01")
    # E: 7-day stay: no days, no victimizations, no row.
    episode(s, "EE", "E", "2024-05-01", "2024-05-08", "reunification")
    # F: 8-day stay (8 days); a report on the discharge day is outside [removal, discharge).
    episode(s, "EF", "F", "2024-05-01", "2024-05-09", "reunification")
    report(s, "RF1", "F", "2024-05-09")
    # G: two stays, 2024-01-10 -> 2024-02-20 (41 days) and 2024-06-01 -> 2024-07-01 (30);
    # a report between them (not in care) is not counted, one on 2024-02-19 is.
    episode(s, "EG1", "G", "2024-01-10", "2024-02-20", "reunification")
    episode(s, "EG2", "G", "2024-06-01", "2024-07-01", "reunification")
    report(s, "RG1", "G", "2024-02-19")
    report(s, "RG2", "G", "2024-04-01")
    rows = analysis(s, "S1", *PERIOD)
    assert rows.height == 3
    assert totals(rows) == (1, 8 + 41 + 30)


def test_days_end_at_the_18th_birthday_born_on_29_february(tmp_path):
    s = base_store(tmp_path)
    # Born 2004-02-29: 18th birthday 2022-02-28; in care since 2021-06-01.
    child(s, "H", "2004-02-29")
    episode(s, "EH", "H", "2021-06-01")
    report(s, "RH1", "H", "2022-02-26")   # counted
    report(s, "RH2", "H", "2022-02-28")   # on the birthday: outside the part
    rows = analysis(s, "S1", "2022-01-01", "2022-12-31")
    # Part 2022-01-01 -> 2022-02-28 = 31 + 27 = 58 days, age 17 at its start.
    assert totals(rows) == (1, 58)
    assert totals(rows, age_group="16-17") == (1, 58)


def test_a_report_listing_two_children_counts_for_each(tmp_path):
    s = base_store(tmp_path)
    child(s, "I", "2015-01-01")
    child(s, "J", "2020-01-01")
    episode(s, "EI", "I", "2023-01-01", unit="U1")
    episode(s, "EJ", "J", "2023-01-01", unit="U2")
    report(s, "R1", "I", "2024-08-01")
    report(s, "R1", "J", "2024-08-01")
    rows = analysis(s, "S1", *PERIOD)
    assert totals(rows) == (2, 2 * 366)
    assert totals(rows, unit_id="U2", region="South", age_group="1-5") == (1, 366)


def test_value_is_per_100000_days(tmp_path):
    s = base_store(tmp_path)
    child(s, "K", "2015-01-01")
    episode(s, "EK", "K", "2024-07-02", "2024-12-01", "reunification")   # 152 days
    report(s, "RK", "K", "2024-09-01")
    out = result(s, "S1", *PERIOD)["all"]
    assert (out["numerator"], out["denominator"]) == (1, 152)
    assert abs(out["value"] - 100000 / 152) < 1e-9
