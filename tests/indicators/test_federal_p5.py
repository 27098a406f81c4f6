"""P5 — placement stability (moves per 1,000 days), on hand-made rows. Numerator = moves,
denominator = days; expected values are worked out in the comments. Period: calendar 2024
(so the window ends at 2025-01-01 at the latest); children born in 2015 unless stated."""

from __future__ import annotations

from federal_fixtures import analysis, base_store, child, episode, placement, result, totals

PERIOD = ("2024-01-01", "2024-12-31")


def test_trial_home_visits_and_runaways_are_not_moves_and_the_first_placement_is_not_one(tmp_path):
    s = base_store(tmp_path)
    child(s, "A", "2015-01-01")
    episode(s, "EA", "A", "2024-03-01")
    placement(s, "PA1", "EA", "A", "2024-03-01", "nonrelative_foster_home")  # initial
    placement(s, "PA2", "EA", "A", "2024-05-01", "group_home")               # move 1
    placement(s, "PA3", "EA", "A", "2024-07-01", "trial_home_visit")         # not counted
    placement(s, "PA4", "EA", "A", "2024-08-01", "runaway")                  # not counted
    placement(s, "PA5", "EA", "A", "2024-09-01", "nonrelative_foster_home")  # move 2
    # Days 2024-03-01 -> 2025-01-01 = 31+30+31+30+31+31+30+31+30+31 = 306.
    assert totals(analysis(s, "P5", *PERIOD)) == (2, 306)


def test_a_trial_home_visit_first_does_not_make_the_next_placement_the_initial_one_twice(tmp_path):
    s = base_store(tmp_path)
    child(s, "B", "2015-01-01")
    # Counted placements are PB2 and PB3 (the THV is skipped); PB2 is the initial one,
    # PB3 a move: 1 move. Days 2024-06-01 -> 2024-07-01 = 30.
    episode(s, "EB", "B", "2024-06-01", "2024-07-01", "reunification")
    placement(s, "PB1", "EB", "B", "2024-06-01", "trial_home_visit")
    placement(s, "PB2", "EB", "B", "2024-06-03", "relative_foster_home")
    placement(s, "PB3", "EB", "B", "2024-06-20", "relative_foster_home")
    assert totals(analysis(s, "P5", *PERIOD)) == (1, 30)


def test_seven_day_stays_are_dropped_eight_day_stays_kept(tmp_path):
    s = base_store(tmp_path)
    child(s, "C", "2015-01-01")
    child(s, "D", "2015-01-01")
    episode(s, "EC", "C", "2024-06-01", "2024-06-08", "reunification")   # 7 days: dropped
    placement(s, "PC1", "EC", "C", "2024-06-01", "group_home")
    placement(s, "PC2", "EC", "C", "2024-06-03", "group_home")
    episode(s, "ED", "D", "2024-06-01", "2024-06-09", "reunification")   # 8 days: kept
    placement(s, "PD1", "ED", "D", "2024-06-01", "group_home")
    placement(s, "PD2", "ED", "D", "2024-06-05", "group_home")           # move
    placement(s, "PD3", "ED", "D", "2024-06-09", "group_home")           # on discharge: not
    assert totals(analysis(s, "P5", *PERIOD)) == (1, 8)


def test_window_ends_at_the_period_end_and_at_the_18th_birthday(tmp_path):
    s = base_store(tmp_path)
    child(s, "E", "2015-01-01")
    child(s, "F", "2006-10-15")   # 18 on 2024-10-15
    # E: removed 2024-12-01, still in care: days to 2025-01-01 = 31; the move on
    # 2024-12-31 counts, the one on 2025-01-01 does not: 1 move.
    episode(s, "EE", "E", "2024-12-01")
    placement(s, "PE1", "EE", "E", "2024-12-01", "group_home")
    placement(s, "PE2", "EE", "E", "2024-12-31", "group_home")
    placement(s, "PE3", "EE", "E", "2025-01-01", "group_home")
    # F: removed 2024-04-01 at 17, still in care: the window ends on the 18th birthday,
    # days 2024-04-01 -> 2024-10-15 = 30+31+30+31+31+30 + 14 = 197; the move on 10-14
    # counts, the one on the birthday does not: 1 move.
    episode(s, "EF", "F", "2024-04-01")
    placement(s, "PF1", "EF", "F", "2024-04-01", "group_home")
    placement(s, "PF2", "EF", "F", "2024-10-14", "group_home")
    placement(s, "PF3", "EF", "F", "2024-10-15", "group_home")
    rows = analysis(s, "P5", *PERIOD)
    assert totals(rows) == (2, 31 + 197)
    assert totals(rows, age_group="16-17") == (1, 197)


def test_every_entry_of_a_child_counts_and_removal_at_18_does_not(tmp_path):
    s = base_store(tmp_path)
    child(s, "G", "2015-01-01")
    child(s, "H", "2006-03-01")   # 18 on 2024-03-01
    # G: two entries in 2024, both counted: 2024-02-01 -> 2024-03-01 = 29 days, 1 move;
    # 2024-05-01 -> 2024-06-01 = 31 days, 0 moves. An entry in 2023 does not count.
    episode(s, "EG0", "G", "2023-05-01", "2023-08-01", "reunification")
    placement(s, "PG01", "EG0", "G", "2023-05-01", "group_home")
    placement(s, "PG02", "EG0", "G", "2023-06-01", "group_home")
    episode(s, "EG1", "G", "2024-02-01", "2024-03-01", "reunification")
    placement(s, "PG11", "EG1", "G", "2024-02-01", "group_home")
    placement(s, "PG12", "EG1", "G", "2024-02-15", "institution")
    episode(s, "EG2", "G", "2024-05-01", "2024-06-01", "reunification")
    placement(s, "PG21", "EG2", "G", "2024-05-01", "group_home")
    # H: removed on the 18th birthday: dropped.
    episode(s, "EH", "H", "2024-03-01", "2024-06-01", "emancipation")
    placement(s, "PH1", "EH", "H", "2024-03-01", "group_home")
    placement(s, "PH2", "EH", "H", "2024-04-01", "group_home")
    assert totals(analysis(s, "P5", *PERIOD)) == (1, 29 + 31)


def test_two_placements_starting_the_same_day_are_one_initial_and_one_move(tmp_path):
    s = base_store(tmp_path)
    child(s, "I", "2015-01-01")
    child(s, "J", "2015-01-01")
    episode(s, "EI", "I", "2024-03-01", "2024-04-01", "reunification")   # 31 days
    placement(s, "PI2", "EI", "I", "2024-03-01", "group_home")
    placement(s, "PI1", "EI", "I", "2024-03-01", "relative_foster_home")
    # J has no placement rows at all: 0 moves, its days still count (2024-03-01 -> 04-01).
    episode(s, "EJ", "J", "2024-03-01", "2024-04-01", "reunification")
    out = result(s, "P5", *PERIOD)["all"]
    # 1 move over 62 days -> 1,000 * 1 / 62
    assert (out["numerator"], out["denominator"]) == (1, 62)
    assert abs(out["value"] - 1000 / 62) < 1e-9
