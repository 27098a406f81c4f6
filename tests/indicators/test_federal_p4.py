"""P4 — re-entry to foster care in 12 months (exit cohort), on hand-made rows. Expected
values are worked out in the comments. Period: calendar 2024; children born in 2015 unless
stated."""

from __future__ import annotations

from federal_fixtures import analysis, base_store, child, episode, totals

PERIOD = ("2024-01-01", "2024-12-31")


def test_same_day_re_entry_is_not_a_re_entry_but_the_next_day_is(tmp_path):
    s = base_store(tmp_path)
    child(s, "A", "2015-01-01")
    child(s, "B", "2015-01-01")
    # A: discharged 2024-03-01, removed again 2024-03-01: the rule needs
    # discharge_date < removal_date, so this is not counted: 0.
    episode(s, "EA1", "A", "2023-06-01", "2024-03-01", "reunification")
    episode(s, "EA2", "A", "2024-03-01")
    # B: removed again 2024-03-02: 1.
    episode(s, "EB1", "B", "2023-06-01", "2024-03-01", "reunification")
    episode(s, "EB2", "B", "2024-03-02")
    assert totals(analysis(s, "P4", *PERIOD)) == (1, 2)


def test_re_entry_must_come_before_discharge_plus_12_months(tmp_path):
    s = base_store(tmp_path)
    for c in "CDEF":
        child(s, c, "2015-01-01")
    episode(s, "EC1", "C", "2023-06-01", "2024-03-01", "reunification")
    episode(s, "EC2", "C", "2025-02-28")                                  # < 2025-03-01: 1
    episode(s, "ED1", "D", "2023-06-01", "2024-03-01", "relative")
    episode(s, "ED2", "D", "2025-03-01")                                  # = + 12 m: 0
    # 2024-02-29 + 12 months = 2025-02-28.
    episode(s, "EE1", "E", "2023-06-01", "2024-02-29", "guardianship")
    episode(s, "EE2", "E", "2025-02-27")                                  # 1
    episode(s, "EF1", "F", "2023-06-01", "2024-02-29", "reunification")
    episode(s, "EF2", "F", "2025-02-28")                                  # 0
    assert totals(analysis(s, "P4", *PERIOD)) == (2, 4)


def test_adoption_and_other_exits_are_not_in_the_cohort(tmp_path):
    s = base_store(tmp_path)
    for c in "GHI":
        child(s, c, "2015-01-01")
    # G: adopted in the period, re-entered later: not in the cohort at all.
    episode(s, "EG1", "G", "2023-06-01", "2024-02-01", "adoption")
    episode(s, "EG2", "G", "2024-04-01")
    # H: emancipation / transfer exits: not in the cohort.
    episode(s, "EH1", "H", "2023-06-01", "2024-02-01", "transfer")
    # I: adopted first (2024-02-01), then reunified 2024-06-01, then back 2024-09-01. The
    # reason filter comes before "earliest", so the reunification is I's exit: 1.
    episode(s, "EI1", "I", "2023-06-01", "2024-02-01", "adoption")
    episode(s, "EI2", "I", "2024-03-01", "2024-06-01", "reunification")
    episode(s, "EI3", "I", "2024-09-01")
    assert totals(analysis(s, "P4", *PERIOD)) == (1, 1)


def test_each_child_counts_once_on_its_earliest_exit(tmp_path):
    s = base_store(tmp_path)
    child(s, "J", "2015-01-01")
    # Two qualifying exits in 2024: the first (unit U1, 2024-02-01) is J's; the second
    # episode is J's re-entry (2024-05-01 < 2025-02-01): 1 / 1, in U1, not U2.
    episode(s, "EJ1", "J", "2023-10-01", "2024-02-01", "reunification", unit="U1")
    episode(s, "EJ2", "J", "2024-05-01", "2024-08-01", "relative", unit="U2")
    rows = analysis(s, "P4", *PERIOD)
    assert totals(rows) == (1, 1)
    assert totals(rows, unit_id="U1", region="North") == (1, 1)


def test_short_stays_are_dropped_as_exits_but_count_as_re_entries(tmp_path):
    s = base_store(tmp_path)
    for c in "KLMN":
        child(s, c, "2015-01-01")
    # K: only exit is a 7-day stay: not in the cohort.
    episode(s, "EK1", "K", "2024-01-01", "2024-01-08", "reunification")
    # L: an 8-day stay is an exit; no re-entry: 0.
    episode(s, "EL1", "L", "2024-01-01", "2024-01-09", "reunification")
    # M: re-entry of 4 days (a short stay): it still counts, the short-stay rule is for the
    # exit cohort only (INDICATORS.md P4): 1.
    episode(s, "EM1", "M", "2023-05-01", "2024-04-01", "reunification")
    episode(s, "EM2", "M", "2024-05-01", "2024-05-05", "reunification")
    # N: re-entry still open: 1.
    episode(s, "EN1", "N", "2023-05-01", "2024-04-01", "reunification")
    episode(s, "EN2", "N", "2024-12-30")
    # Cohort L, M, N (K's 7-day stay is out) = 3; re-entries M, N = 2.
    assert totals(analysis(s, "P4", *PERIOD)) == (2, 3)


def test_a_three_day_re_entry_counts_but_a_three_day_exit_is_not_in_the_cohort(tmp_path):
    """The tiny agency of the short-stay rule: one short episode as a re-entry, one as an exit."""
    s = base_store(tmp_path)
    child(s, "R", "2015-01-01")
    child(s, "T", "2015-01-01")
    # R: in care 2023-09-01 to 2024-03-01 (182 days, not short), reunified; back in care
    # 2024-06-10 to 2024-06-13: 2024-06-13 - 2024-06-10 = 3 days < 8, a short stay. It
    # started after the exit (2024-03-01 < 2024-06-10) and before 2024-03-01 + 12 months =
    # 2025-03-01, so R is a re-entry: numerator 1.
    episode(s, "ER1", "R", "2023-09-01", "2024-03-01", "reunification")
    episode(s, "ER2", "R", "2024-06-10", "2024-06-13", "reunification")
    # T: its only exit is 2024-04-01 to 2024-04-04, 3 days (< 8): a short stay, so T is not in
    # the exit cohort at all, though it left care to reunification in the period.
    episode(s, "ET1", "T", "2024-04-01", "2024-04-04", "reunification")
    # Denominator: R only (T's exit is short) = 1; numerator: R's short re-entry = 1 -> 1 / 1.
    # R's second exit (2024-06-13, short) is not its cohort exit either way: the first
    # exit, 2024-03-01, is.
    rows = analysis(s, "P4", *PERIOD)
    assert totals(rows) == (1, 1)
    assert len(rows) == 1


def test_18_and_over_on_discharge_is_dropped(tmp_path):
    s = base_store(tmp_path)
    # Born 2004-02-29: 18 on 2022-02-28.
    child(s, "O", "2004-02-29")
    child(s, "Q", "2004-02-29")
    episode(s, "EO1", "O", "2021-05-01", "2022-02-28", "reunification")   # 18: dropped
    episode(s, "EO2", "O", "2022-03-01")
    episode(s, "EQ1", "Q", "2021-05-01", "2022-02-27", "reunification")   # 17: kept
    episode(s, "EQ2", "Q", "2022-03-01")                                  # re-entry: 1
    rows = analysis(s, "P4", "2022-01-01", "2022-12-31")
    assert totals(rows) == (1, 1)
    assert totals(rows, age_group="16-17") == (1, 1)
