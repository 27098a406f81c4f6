"""P2 and P3 — permanency in 12 months for children already in care 12-23 and 24+ months,
on hand-made rows. Expected values are worked out in the comments. Period start 2024-07-01
(the end plays no part in these two cohorts); children born in 2015 unless stated."""

from __future__ import annotations

from federal_fixtures import analysis, base_store, child, episode, placement, totals

START, END = "2024-07-01", "2025-06-30"


def test_time_in_care_on_the_start_decides_p2_or_p3(tmp_path):
    s = base_store(tmp_path)
    for c in "ABCDE":
        child(s, c, "2015-01-01")
    episode(s, "EA", "A", "2023-07-01")  # + 12 months = 2024-07-01 <= start: P2
    episode(s, "EB", "B", "2023-07-02")  # + 12 months = 2024-07-02 > start: neither
    episode(s, "EC", "C", "2022-07-02")  # + 24 months = 2024-07-02 > start: P2
    episode(s, "ED", "D", "2022-07-01")  # + 24 months = 2024-07-01 <= start: P3
    episode(s, "EE", "E", "2015-03-01")  # P3
    assert totals(analysis(s, "P2", START, END)) == (0, 2)   # A, C
    assert totals(analysis(s, "P3", START, END)) == (0, 2)   # D, E


def test_only_episodes_in_care_on_the_start_day_count(tmp_path):
    s = base_store(tmp_path)
    for c in "FG":
        child(s, c, "2015-01-01")
    # F left on the start day itself: [removal, discharge) does not cover 2024-07-01.
    episode(s, "EF", "F", "2023-01-01", "2024-07-01", "reunification")
    # G left the day after: in care on the start, and reunified: 1.
    episode(s, "EG", "G", "2023-01-01", "2024-07-02", "reunification")
    assert totals(analysis(s, "P2", START, END)) == (1, 1)


def test_permanency_must_come_before_start_plus_12_months(tmp_path):
    s = base_store(tmp_path)
    for c in "HIJK":
        child(s, c, "2015-01-01")
    episode(s, "EH", "H", "2023-01-01", "2025-06-30", "reunification")  # < 2025-07-01: 1
    episode(s, "EI", "I", "2023-01-01", "2025-07-01", "reunification")  # = start + 12 m: 0
    episode(s, "EJ", "J", "2023-01-01", "2025-01-01", "emancipation")   # not permanency: 0
    episode(s, "EK", "K", "2021-01-01", "2025-01-01", "adoption")       # P3, permanency: 1
    assert totals(analysis(s, "P2", START, END)) == (1, 3)
    assert totals(analysis(s, "P3", START, END)) == (1, 1)


def test_trial_home_visit_adjustment_applies_to_the_12_month_test(tmp_path):
    s = base_store(tmp_path)
    for c in "LM":
        child(s, c, "2015-01-01")
    # L: THV from 2025-05-01, reunified 2025-08-01 (92 days): adjusted exit 2025-05-31,
    # before 2025-07-01: 1 (the discharge date alone would give 0).
    episode(s, "EL", "L", "2023-01-01", "2025-08-01", "reunification")
    placement(s, "PL1", "EL", "L", "2023-01-01", "group_home")
    placement(s, "PL2", "EL", "L", "2025-05-01", "trial_home_visit")
    # M: THV from 2025-06-02, reunified 2025-07-02 (30 days): no adjustment: 0.
    episode(s, "EM", "M", "2023-01-01", "2025-07-02", "reunification")
    placement(s, "PM1", "EM", "M", "2025-06-02", "trial_home_visit")
    assert totals(analysis(s, "P2", START, END)) == (1, 2)


def test_18_on_the_start_is_dropped_and_exit_on_the_18th_birthday_is_not_permanency(tmp_path):
    s = base_store(tmp_path)
    child(s, "N", "2006-07-01")   # 18 on 2024-07-01: dropped
    child(s, "O", "2006-07-02")   # 17 on the start (16-17), stays in care: 0
    child(s, "Q", "2007-03-01")   # 18th birthday 2025-03-01, reunified that day: 0
    child(s, "R", "2007-03-02")   # reunified 2025-03-01, the day before turning 18: 1
    for c in "NOQR":
        episode(s, f"E{c}", c, "2022-10-01",
                "2025-03-01" if c in "QR" else None, "reunification" if c in "QR" else None)
    rows = analysis(s, "P2", START, END)
    assert totals(rows) == (1, 3)
    # O, Q and R are all 17 on the start.
    assert totals(rows, age_group="16-17") == (1, 3)


def test_born_on_29_february_turns_18_on_28_february(tmp_path):
    s = base_store(tmp_path)
    # Born 2008-02-29: 18th birthday 2026-02-28. Start 2025-07-01, in care since 2024-01-01.
    child(s, "S", "2008-02-29")
    child(s, "U", "2008-02-29")
    episode(s, "ES", "S", "2024-01-01", "2026-02-28", "reunification")  # on the birthday: 0
    episode(s, "EU", "U", "2024-01-01", "2026-02-27", "reunification")  # the day before: 1
    assert totals(analysis(s, "P2", "2025-07-01", "2026-06-30")) == (1, 2)


def test_removal_on_29_february_reaches_12_months_on_28_february(tmp_path):
    s = base_store(tmp_path)
    child(s, "V", "2015-01-01")
    episode(s, "EV", "V", "2024-02-29")   # + 12 months = 2025-02-28
    assert totals(analysis(s, "P2", "2025-02-28", "2026-02-27")) == (0, 1)
    assert totals(analysis(s, "P2", "2025-02-27", "2026-02-26")) == (0, 0)
