"""P1 — permanency in 12 months for children entering care, on hand-made rows.

Every expected numerator and denominator is worked out in the comments from INDICATORS.md.
Unless a test says otherwise the period is calendar 2024 and children are born in 2015
(aged 8 or 9 on removal)."""

from __future__ import annotations

from federal_fixtures import analysis, base_store, child, episode, placement, result, totals

PERIOD = ("2024-01-01", "2024-12-31")


def test_a_seven_day_stay_is_dropped_and_an_eight_day_stay_is_kept(tmp_path):
    s = base_store(tmp_path)
    child(s, "A", "2015-01-01")
    child(s, "B", "2015-01-01")
    # A: 2024-01-10 -> 2024-01-17 is 7 days, a short stay (dropped), so A is assessed on its
    # next episode in the period, still open: in the cohort, not a permanency exit.
    episode(s, "EA1", "A", "2024-01-10", "2024-01-17", "reunification")
    episode(s, "EA2", "A", "2024-03-01")
    # B: 2024-02-01 -> 2024-02-09 is 8 days: kept, reunified well within 12 months.
    episode(s, "EB1", "B", "2024-02-01", "2024-02-09", "reunification")
    # Cohort A (0) + B (1): 1 / 2.
    assert totals(analysis(s, "P1", *PERIOD)) == (1, 2)


def test_only_the_earliest_entry_in_the_period_counts_and_ties_go_to_the_smaller_episode_id(tmp_path):
    s = base_store(tmp_path)
    child(s, "C", "2015-01-01")
    child(s, "D", "2015-01-01")
    # C has two episodes removed the same day (the importer would reject the overlap; the
    # tie rule still has to hold): EC1 < EC2, so EC1 (open, unit U2) is the one assessed,
    # not EC2 (reunified, unit U1).
    episode(s, "EC2", "C", "2024-04-01", "2024-05-01", "reunification", unit="U1")
    episode(s, "EC1", "C", "2024-04-01", unit="U2")
    # D: entered 2023-11-01 (before the period, not an entry) and again 2024-06-01; the
    # 2024 entry is assessed: reunified 2024-08-01 -> permanency.
    episode(s, "ED1", "D", "2023-11-01", "2024-02-01", "reunification")
    episode(s, "ED2", "D", "2024-06-01", "2024-08-01", "reunification", unit="U1")
    rows = analysis(s, "P1", *PERIOD)
    # C (0, U2) + D (1, U1): 1 / 2; U2 holds C's 0 / 1, U1 holds D's 1 / 1.
    assert totals(rows) == (1, 2)
    assert totals(rows, unit_id="U2") == (0, 1)
    assert totals(rows, unit_id="U1", region="North") == (1, 1)


def test_exit_must_be_a_permanency_exit_strictly_before_removal_plus_12_months(tmp_path):
    s = base_store(tmp_path)
    for c in "EFGHIJ":
        child(s, c, "2015-01-01")
    episode(s, "EE", "E", "2024-06-10", "2025-06-09", "guardianship")   # day before: 1
    episode(s, "EF", "F", "2024-06-10", "2025-06-10", "reunification")  # = removal + 12 m: 0
    episode(s, "EG", "G", "2024-06-10", "2024-09-01", "transfer")       # not permanency: 0
    episode(s, "EH", "H", "2024-06-10", "2024-09-01", None)             # no reason: 0
    episode(s, "EI", "I", "2024-06-10", "2024-09-01", "adoption")       # permanency: 1
    episode(s, "EJ", "J", "2024-06-10", "2024-09-01", "relative")       # permanency: 1
    # 3 / 6
    assert totals(analysis(s, "P1", *PERIOD)) == (3, 6)


def test_removal_on_29_february_has_its_12_months_end_on_28_february(tmp_path):
    s = base_store(tmp_path)
    child(s, "K", "2015-01-01")
    child(s, "L", "2015-01-01")
    # 2024-02-29 + 12 months = 2025-02-28.
    episode(s, "EK", "K", "2024-02-29", "2025-02-27", "reunification")  # 1
    episode(s, "EL", "L", "2024-02-29", "2025-02-28", "reunification")  # 0
    assert totals(analysis(s, "P1", *PERIOD)) == (1, 2)


def test_trial_home_visit_over_30_days_shortens_the_stay_to_30_days_of_it(tmp_path):
    s = base_store(tmp_path)
    for c in ("T1", "T2", "T3", "T4", "T5", "T6"):
        child(s, c, "2015-01-01")
    # T1: THV from 2024-11-01, reunified 2025-02-01 (92 days): adjusted exit 2024-12-01,
    # before 2025-01-15 (removal + 12 months): 1 (the raw discharge date would give 0).
    episode(s, "E1", "T1", "2024-01-15", "2025-02-01", "reunification")
    placement(s, "P1a", "E1", "T1", "2024-01-15", "nonrelative_foster_home")
    placement(s, "P1b", "E1", "T1", "2024-11-01", "trial_home_visit")
    # T2: THV began exactly 30 days before discharge (2025-01-16 -> 2025-02-15): no
    # adjustment; exit 2025-02-15 = removal + 12 months: 0.
    episode(s, "E2", "T2", "2024-02-15", "2025-02-15", "reunification")
    placement(s, "P2a", "E2", "T2", "2024-02-15", "relative_foster_home")
    placement(s, "P2b", "E2", "T2", "2025-01-16", "trial_home_visit")
    # T3: THV began 31 days before discharge (2025-01-16 -> 2025-02-16): adjusted exit
    # 2025-02-15, before 2025-02-16 (removal + 12 months): 1.
    episode(s, "E3", "T3", "2024-02-16", "2025-02-16", "reunification")
    placement(s, "P3a", "E3", "T3", "2024-02-16", "relative_foster_home")
    placement(s, "P3b", "E3", "T3", "2025-01-16", "trial_home_visit")
    # T4: the THV is not the last placement (a foster home follows): no adjustment; exit
    # 2025-03-10 is after 2025-03-01: 0.
    episode(s, "E4", "T4", "2024-03-01", "2025-03-10", "reunification")
    placement(s, "P4a", "E4", "T4", "2024-10-01", "trial_home_visit")
    placement(s, "P4b", "E4", "T4", "2024-12-01", "nonrelative_foster_home")
    # T5: last placement a long THV but the exit is to a relative, not reunification: 0.
    episode(s, "E5", "T5", "2024-03-01", "2025-03-10", "relative")
    placement(s, "P5a", "E5", "T5", "2024-10-01", "trial_home_visit")
    # T6: two placements start the same day; the later placement_id (P6b, the THV) is the
    # last one: adjusted exit 2024-12-01 < 2025-04-01: 1.
    episode(s, "E6", "T6", "2024-04-01", "2025-04-10", "reunification")
    placement(s, "P6a", "E6", "T6", "2024-11-01", "nonrelative_foster_home")
    placement(s, "P6b", "E6", "T6", "2024-11-01", "trial_home_visit")
    # 3 / 6
    assert totals(analysis(s, "P1", *PERIOD)) == (3, 6)


def test_18_and_over_at_removal_is_dropped_and_exit_must_precede_the_18th_birthday(tmp_path):
    s = base_store(tmp_path)
    # Born 29 February 2004: the 18th birthday is 2022-02-28 (2022 is a common year).
    child(s, "M", "2004-02-29")   # removed on the 18th birthday: dropped
    child(s, "N", "2004-02-29")   # removed the day before: in the cohort (16-17)
    child(s, "O", "2004-02-29")   # removed 2021-06-01, reunified on the 18th birthday: 0
    child(s, "Q", "2004-02-29")   # removed 2021-06-01, reunified the day before it: 1
    episode(s, "EM", "M", "2022-02-28", "2022-05-01", "reunification")
    episode(s, "EN", "N", "2022-02-27", "2022-05-01", "reunification")
    episode(s, "EO", "O", "2021-06-01", "2022-02-28", "reunification")
    episode(s, "EQ", "Q", "2021-06-01", "2022-02-27", "reunification")
    # Period 2022: N only, reunified 2022-05-01, but N turned 18 on 2022-02-28: 0 / 1.
    rows = analysis(s, "P1", "2022-01-01", "2022-12-31")
    assert totals(rows) == (0, 1)
    assert totals(rows, age_group="16-17") == (0, 1)
    # Period 2021: O (0) and Q (1): 1 / 2.
    assert totals(analysis(s, "P1", "2021-01-01", "2021-12-31")) == (1, 2)


def test_children_without_a_children_row_are_left_out(tmp_path):
    s = base_store(tmp_path)
    child(s, "R", "2015-01-01")
    episode(s, "ER", "R", "2024-05-01", "2024-07-01", "reunification")
    episode(s, "EX", "nobody", "2024-05-01", "2024-07-01", "reunification")
    assert totals(analysis(s, "P1", *PERIOD)) == (1, 1)


def test_groups_and_value_through_the_engine(tmp_path):
    s = base_store(tmp_path)
    child(s, "S", "2024-01-01", sex="male", race="black")    # under 1 on removal
    child(s, "U", "2012-06-01", sex="female", race="white")  # 11 on removal
    episode(s, "ES", "S", "2024-03-01", "2024-05-01", "reunification", unit="U1")
    episode(s, "EU", "U", "2024-03-01", unit="U2")
    out = result(s, "P1", *PERIOD)
    assert (out["all"]["numerator"], out["all"]["denominator"], out["all"]["value"]) == (1, 2, 0.5)
    by_age = result(s, "P1", *PERIOD, by="age_group")
    assert {k: v["numerator"] for k, v in by_age.items()} == {"<1": 1, "11-15": 0}
    by_region = result(s, "P1", *PERIOD, by="region")
    assert {k: v["denominator"] for k, v in by_region.items()} == {"North": 1, "South": 1}
