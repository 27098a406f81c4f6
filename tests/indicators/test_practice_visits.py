"""V1 (monthly caseworker visits) and V2 (visits in the child's residence) on hand-built rows.

Every expected numerator and denominator is worked out in the comments from INDICATORS.md.
"""

from __future__ import annotations

from practice_fixtures import add, child, episode, new_store, sums, total, visit

Q1_2025 = ("2025-01-01", "2025-03-31")


# ---- V1 -------------------------------------------------------------------------------

def test_v1_counts_only_calendar_months_wholly_inside_the_period(tmp_path):
    store = new_store(tmp_path)
    add(store, "children", [child("A", "2015-06-01")])
    add(store, "episodes", [episode("E1", "A", "2024-06-01")])
    add(store, "visits", [visit("v1", "A", "2025-01-20"), visit("v2", "A", "2025-02-28"),
                          visit("v3", "A", "2025-04-30")])
    # 2025-01-15..2025-04-30: January starts before the period → months Feb, Mar, Apr.
    # Visits in Feb (on its last day) and Apr (the period's last day); the January visit is in
    # the period but its month is not. Numerator 2, denominator 3.
    assert total(store, "V1", "2025-01-15", "2025-04-30") == (2, 3)
    # 2025-02-01..2025-04-29: April is not whole → Feb, Mar; visited in Feb only → 1 / 2.
    assert total(store, "V1", "2025-02-01", "2025-04-29") == (1, 2)
    # A period inside one month holds no whole month: nothing to count.
    assert total(store, "V1", "2025-02-02", "2025-02-28") == (0, 0)


def test_v1_needs_the_child_in_care_on_every_day_of_the_month(tmp_path):
    store = new_store(tmp_path)
    add(store, "children", [child("B", "2015-01-01"), child("C", "2015-01-01"),
                            child("D", "2015-01-01")])
    add(store, "episodes", [
        episode("EB", "B", "2025-02-02"),                 # enters on the 2nd of February
        episode("EC", "C", "2024-10-01", "2025-02-28"),   # leaves on February's last day
        episode("ED", "D", "2024-10-01", "2025-03-01"),   # leaves on 1 March
    ])
    add(store, "visits", [visit("b1", "B", "2025-02-10"), visit("b2", "B", "2025-03-05"),
                          visit("c1", "C", "2025-02-03"), visit("d1", "D", "2025-02-27")])
    # B: Feb not whole (not in care on 1 Feb), Mar counted and visited → 1 / 1.
    # C: Jan counted (no visit); Feb not (half-open: not in care on its discharge day 28 Feb)
    #    → 0 / 1.
    # D: Jan counted (no visit), Feb counted (in care through 28 Feb; visit on 27 Feb) → 1 / 2.
    # Total 2 / 4.
    assert total(store, "V1", *Q1_2025) == (2, 4)


def test_v1_month_counts_only_while_the_child_is_under_18_on_its_last_day(tmp_path):
    store = new_store(tmp_path)
    add(store, "children", [child("A", "2007-02-15"),    # 18 on 2025-02-15
                            child("B", "2007-04-01")])   # 18 on 2025-04-01
    add(store, "episodes", [episode("EA", "A", "2024-01-01"), episode("EB", "B", "2024-01-01")])
    add(store, "visits", [visit("a1", "A", "2025-01-10"), visit("a2", "A", "2025-02-10"),
                          visit("b1", "B", "2025-03-31")])
    # A: Jan (31 Jan < 15 Feb) counted and visited; Feb (28 Feb >= 15 Feb) and Mar not → 1 / 1.
    # B: Jan, Feb, Mar all counted (31 Mar < 1 Apr); visited in Mar only → 1 / 3. Total 2 / 4.
    assert total(store, "V1", *Q1_2025) == (2, 4)
    # Age group on the first day of each month: A is 17 → '16-17' (1 / 1); B is 17 → 1 / 3.
    by_age = sums(store, "V1", *Q1_2025, by=("age_group",))
    assert by_age[("V1", "age_group", "16-17")] == (2, 4)


def test_v1_age_group_is_taken_on_the_first_day_of_the_month(tmp_path):
    store = new_store(tmp_path)
    add(store, "children", [child("A", "2024-03-01")])   # turns 1 on 2025-03-01
    add(store, "episodes", [episode("EA", "A", "2024-03-05")])
    add(store, "visits", [visit("a1", "A", "2025-03-01")])
    # 1 Jan and 1 Feb: aged 0 → '<1' with Jan, Feb unvisited (0 / 2); 1 Mar: aged 1 → '1-5',
    # visited (1 / 1).
    by_age = sums(store, "V1", *Q1_2025, by=("age_group",))
    assert by_age[("V1", "age_group", "<1")] == (0, 2)
    assert by_age[("V1", "age_group", "1-5")] == (1, 1)


def test_v1_same_day_reentry_keeps_the_child_in_care_and_the_month_goes_to_the_later_unit(tmp_path):
    store = new_store(tmp_path)
    add(store, "children", [child("A", "2015-01-01"), child("B", "2015-01-01")])
    add(store, "episodes", [
        # A: discharged 10 Feb and back the same day in U2 → in care on every day
        episode("A1", "A", "2024-10-01", "2025-02-10", unit="U1"),
        episode("A2", "A", "2025-02-10", unit="U2"),
        # B: discharged 10 Feb, back on 11 Feb → out of care on 10 Feb
        episode("B1", "B", "2024-10-01", "2025-02-10", unit="U1"),
        episode("B2", "B", "2025-02-11", unit="U2"),
    ])
    add(store, "visits", [visit("a1", "A", "2025-02-05"), visit("b1", "B", "2025-02-05")])
    # A: Jan (U1, no visit), Feb (the episode in care on 28 Feb is A2 → U2, visited 5 Feb),
    #    Mar (U2, no visit). B: Jan (U1), Mar (U2); Feb not counted.
    # U1: 0 / 2 (A Jan, B Jan); U2: 1 / 3 (A Feb, A Mar, B Mar). All 1 / 5.
    got = sums(store, "V1", *Q1_2025)
    assert got[("V1", "all", "all")] == (1, 5)
    assert got[("V1", "unit", "U1")] == (0, 2)
    assert got[("V1", "unit", "U2")] == (1, 3)
    assert got[("V1", "region", "North")] == (0, 2)
    assert got[("V1", "region", "South")] == (1, 3)


def test_v1_episodes_outside_the_period_neither_add_nor_take_away_months(tmp_path):
    store = new_store(tmp_path)
    add(store, "children", [child("A", "2015-01-01"), child("B", "2015-01-01")])
    add(store, "episodes", [
        # A: a chain of touching episodes from 2020, the last one running through Q1 2025
        episode("A1", "A", "2020-05-01", "2022-07-01", unit="U1"),
        episode("A2", "A", "2022-07-01", "2025-02-15", unit="U1"),
        episode("A3", "A", "2025-02-15", unit="U2"),
        # B: out of care from 2023 until 1 March 2025, then an episode starting after Q1
        episode("B1", "B", "2021-01-01", "2023-06-01", unit="U1"),
        episode("B2", "B", "2025-03-01", "2025-03-20", unit="U1"),
        episode("B3", "B", "2025-05-01", unit="U1"),
    ])
    add(store, "visits", [visit("a1", "A", "2025-02-20"), visit("b1", "B", "2025-03-02")])
    # A: in care on every day of Jan, Feb and Mar (A2 and A3 touch on 15 Feb); Jan in U1 (no
    #    visit), Feb and Mar in U2 (the episode in care on the month's last day), visited in
    #    Feb → 1 / 3. B: March is not whole (B2 ends on the 20th); the episodes of 2021-2023
    #    and from May cover no day of Q1 → 0 / 0. Total 1 / 3; U1 0 / 1, U2 1 / 2.
    got = sums(store, "V1", *Q1_2025)
    assert got[("V1", "all", "all")] == (1, 3)
    assert got[("V1", "unit", "U1")] == (0, 1)
    assert got[("V1", "unit", "U2")] == (1, 2)
    # The same months counted one month at a time add up to the quarter.
    months = [("2025-01-01", "2025-01-31"), ("2025-02-01", "2025-02-28"),
              ("2025-03-01", "2025-03-31")]
    assert [total(store, "V1", *m) for m in months] == [(0, 1), (1, 1), (0, 1)]


def test_v1_any_visit_counts_whatever_its_location_or_worker(tmp_path):
    store = new_store(tmp_path)
    add(store, "children", [child("A", "2015-01-01", sex="male", race_ethnicity="black")])
    add(store, "episodes", [episode("EA", "A", "2024-01-01")])
    add(store, "visits", [visit("a1", "A", "2025-01-31", location="other", worker=None),
                          visit("a2", "A", "2025-02-01", location="other", worker="NOBODY")])
    # Jan and Feb visited (last and first day), Mar not → 2 / 3, all under male and black.
    got = sums(store, "V1", *Q1_2025, by=("sex", "race_ethnicity"))
    assert got[("V1", "all", "all")] == (2, 3)
    assert got[("V1", "sex", "male")] == (2, 3)
    assert got[("V1", "race_ethnicity", "black")] == (2, 3)


def test_v1_leaves_out_children_missing_from_the_children_table(tmp_path):
    store = new_store(tmp_path)
    add(store, "children", [child("A", "2015-01-01")])
    add(store, "episodes", [episode("EA", "A", "2024-01-01"), episode("EX", "X", "2024-01-01")])
    add(store, "visits", [visit("x1", "X", "2025-01-05")])
    # X has no birth date, so the under-18 test cannot be made: only A's 3 months (no visit).
    assert total(store, "V1", *Q1_2025) == (0, 3)


# ---- V2 -------------------------------------------------------------------------------

def test_v2_counts_visits_in_the_period_while_in_care_and_under_18(tmp_path):
    store = new_store(tmp_path)
    add(store, "children", [child("A", "2015-01-01"), child("B", "2015-01-01"),
                            child("C", "2007-02-15")])          # C is 18 on 2025-02-15
    add(store, "episodes", [
        episode("EA", "A", "2024-06-01"),
        episode("EB", "B", "2025-02-01", "2025-02-15", unit="U2"),
        episode("EC", "C", "2024-06-01"),
    ])
    add(store, "visits", [
        visit("a1", "A", "2024-12-31"),                       # before the period: out
        visit("a2", "A", "2025-01-10"),                       # residence: 1 / 1
        visit("a3", "A", "2025-01-20", location="other"),     # 0 / 1
        visit("a4", "A", "2025-03-31"),                       # last day of the period: 1 / 1
        visit("a5", "A", "2025-04-01"),                       # after: out
        visit("b1", "B", "2025-01-31"),                       # before removal: out
        visit("b2", "B", "2025-02-01", location="other"),     # removal day, in care: 0 / 1
        visit("b3", "B", "2025-02-15"),                       # discharge day, not in care: out
        visit("c1", "C", "2025-02-14"),                       # 17 on the visit date: 1 / 1
        visit("c2", "C", "2025-02-15"),                       # 18th birthday: out
        visit("x1", "X", "2025-01-10"),                       # child not in children: out
    ])
    # Counted: a2, a3, a4 (U1), b2 (U2), c1 (U1). Residence: a2, a4, c1.
    # All 3 / 5; U1 3 / 4; U2 0 / 1.
    got = sums(store, "V2", *Q1_2025, by=("unit", "region", "age_group"))
    assert got[("V2", "all", "all")] == (3, 5)
    assert got[("V2", "unit", "U1")] == (3, 4)
    assert got[("V2", "unit", "U2")] == (0, 1)
    assert got[("V2", "region", "South")] == (0, 1)
    # Age on the visit date: A and B are 10 → '6-10' (a2, a3, a4, b2: 2 / 4); C '16-17' (1 / 1)
    assert got[("V2", "age_group", "6-10")] == (2, 4)
    assert got[("V2", "age_group", "16-17")] == (1, 1)


def test_v2_visit_on_a_same_day_reentry_belongs_to_the_new_episode(tmp_path):
    store = new_store(tmp_path)
    add(store, "children", [child("A", "2015-01-01")])
    add(store, "episodes", [episode("A1", "A", "2024-10-01", "2025-02-10", unit="U1"),
                            episode("A2", "A", "2025-02-10", unit="U2")])
    add(store, "visits", [visit("a1", "A", "2025-02-09"), visit("a2", "A", "2025-02-10")])
    # 9 Feb: in care under A1 (U1). 10 Feb: A1 is over (half-open), A2 in care (U2).
    # Each visit counted once: U1 1 / 1, U2 1 / 1, all 2 / 2.
    got = sums(store, "V2", *Q1_2025)
    assert got[("V2", "all", "all")] == (2, 2)
    assert got[("V2", "unit", "U1")] == (1, 1)
    assert got[("V2", "unit", "U2")] == (1, 1)


def test_v2_counts_two_visits_on_one_day_separately(tmp_path):
    store = new_store(tmp_path)
    add(store, "children", [child("A", "2015-01-01")])
    add(store, "episodes", [episode("EA", "A", "2024-06-01")])
    add(store, "visits", [visit("a1", "A", "2025-01-10"),
                          visit("a2", "A", "2025-01-10", location="other")])
    # Two visit rows → 1 / 2.
    assert total(store, "V2", *Q1_2025) == (1, 2)
