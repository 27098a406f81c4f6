"""T1 (timely start of investigations) and D1 (timely data entry) on hand-built rows.

Expected values are worked out in the comments; windows are the config.yaml defaults
(priority 1 → 1 day, 2 → 3 days, 3 → 10 days; data entry within 3 days) unless a test
changes the configuration.
"""

from __future__ import annotations

import dataclasses

from cqi_core.indicators import engine
from practice_fixtures import add, d, new_store, report, sums, total, visit, worker

Q1_2025 = ("2025-01-01", "2025-03-31")


def _with_params(monkeypatch, indicator: str, **params) -> None:
    config = dict(engine.load_config())
    config[indicator] = dataclasses.replace(config[indicator], params=params)
    monkeypatch.setattr(engine, "load_config", lambda: config)


# ---- T1 -------------------------------------------------------------------------------

def _reports(store) -> None:
    add(store, "reports", [
        report("R1", "a", "2025-01-10", 1, "2025-01-11"),             # 1 day, window 1: timely
        report("R2", "a", "2025-01-10", 1, "2025-01-12"),             # 2 days: late
        report("R3", "a", "2025-01-10", 2, "2025-01-13"),             # 3 days, window 3: timely
        report("R4", "a", "2025-01-10", 2, "2025-01-14"),             # 4 days: late
        report("R5", "a", "2025-01-10", 3, "2025-01-20"),             # 10 days, window 10: timely
        report("R6", "a", "2025-01-10", 3, "2025-01-21"),             # 11 days: late
        report("R7", "a", "2025-02-01", 2, None, unit="U2"),          # never contacted: late
        report("R8", "a", "2025-02-01", None, "2025-02-01"),          # no priority: out
        # one report, two children: earliest first contact is 2 days → timely, counted once
        report("R9", "a", "2025-02-10", 2, "2025-02-15", unit="U2"),
        report("R9", "b", "2025-02-10", 2, "2025-02-12", unit="U2"),
        report("R10", "a", "2024-12-31", 1, "2024-12-31"),            # before the period: out
        report("R11", "a", "2025-03-31", 1, "2025-03-31", unit="U2"),  # last day, 0 days: timely
        report("R12", "a", "2025-03-01", 3, "2025-03-01", unit=None),  # no unit: timely, unknown
    ])


def test_t1_windows_are_met_at_exactly_1_3_and_10_days_and_missed_one_day_later(tmp_path):
    store = new_store(tmp_path)
    _reports(store)
    # Counted: R1-R7, R9, R11, R12 = 10 reports. Timely: R1, R3, R5, R9, R11, R12 = 6.
    # U1: R1-R6 → 3 / 6. U2: R7, R9, R11 → 2 / 3. Unknown unit (and region): R12 → 1 / 1.
    got = sums(store, "T1", *Q1_2025)
    assert got[("T1", "all", "all")] == (6, 10)
    assert got[("T1", "unit", "U1")] == (3, 6)
    assert got[("T1", "unit", "U2")] == (2, 3)
    assert got[("T1", "unit", "unknown")] == (1, 1)
    assert got[("T1", "region", "North")] == (3, 6)
    assert got[("T1", "region", "South")] == (2, 3)
    assert got[("T1", "region", "unknown")] == (1, 1)


def test_t1_report_naming_two_children_takes_the_earliest_first_contact(tmp_path):
    store = new_store(tmp_path)
    add(store, "reports", [report("R9", "a", "2025-02-10", 2, "2025-02-15"),
                           report("R9", "b", "2025-02-10", 2, "2025-02-12"),
                           report("R9", "c", "2025-02-10", 2, None)])
    # One report (not three rows); min first contact 12 Feb = 2 days ≤ 3 → 1 / 1.
    assert total(store, "T1", *Q1_2025) == (1, 1)


def test_t1_rows_of_one_report_that_disagree_use_the_earliest_date_and_most_urgent_priority(
        tmp_path):
    store = new_store(tmp_path)
    add(store, "reports", [report("R1", "a", "2025-01-10", 2, "2025-01-12", unit="U2"),
                           report("R1", "b", "2025-01-11", 1, None, unit=None),
                           report("R2", "a", "2024-12-31", 3, "2025-01-02"),
                           report("R2", "b", "2025-01-01", None, None)])
    # R1: report date 10 Jan, priority 1 (window 1 day), first contact 12 Jan = 2 days → late;
    #     unit U2 (the only non-empty one). R2: earliest date 31 Dec is before the period → out.
    got = sums(store, "T1", *Q1_2025)
    assert got[("T1", "all", "all")] == (0, 1)
    assert got[("T1", "unit", "U2")] == (0, 1)


def test_t1_windows_come_from_the_configuration(tmp_path, monkeypatch):
    store = new_store(tmp_path)
    _reports(store)
    _with_params(monkeypatch, "T1", t1_window_1=2, t1_window_2=3, t1_window_3=10)
    # Priority 1 now allows 2 days: R2 (2 days) becomes timely as well → 7 / 10.
    assert total(store, "T1", *Q1_2025) == (7, 10)


def test_t1_analysis_rows_carry_no_child_groupings(tmp_path):
    store = new_store(tmp_path)
    _reports(store)
    rows = engine.analysis_rows(store, "T1", d("2025-01-01"), d("2025-03-31"))
    assert rows.height == 10
    for col in ("age_group", "sex", "race_ethnicity", "source_group"):
        assert rows[col].null_count() == rows.height


# ---- D1 -------------------------------------------------------------------------------

def _visits(store) -> None:
    add(store, "workers", [worker("W1", "U1", "2020-01-01"), worker("W2", "U2", "2020-01-01")])
    add(store, "visits", [
        visit("v1", "a", "2025-01-10", worker="W1", entered="2025-01-13"),   # 3 days: timely
        visit("v2", "a", "2025-01-10", worker="W1", entered="2025-01-14"),   # 4 days: late
        visit("v3", "a", "2025-02-10", worker="W2", entered="2025-02-10"),   # same day: timely
        visit("v4", "a", "2025-02-10", worker="W2", entered=None),           # not entered: out
        visit("v5", "a", "2025-03-31", worker="W2", entered="2025-04-03"),   # 3 days: timely
        visit("v6", "a", "2024-12-31", worker="W1", entered="2025-01-01"),   # before: out
        visit("v7", "a", "2025-03-01", worker=None, entered="2025-03-11"),   # 10 days: late
    ])


def test_d1_entry_within_3_days_is_timely_and_4_days_is_late(tmp_path):
    store = new_store(tmp_path)
    _visits(store)
    # Counted: v1, v2, v3, v5, v7 = 5 (the child "a" needs no episode). Timely: v1, v3, v5.
    # Unit of the visiting worker: U1 (W1) v1, v2 → 1 / 2; U2 (W2) v3, v5 → 2 / 2;
    # v7 has no worker → unknown 0 / 1.
    got = sums(store, "D1", *Q1_2025)
    assert got[("D1", "all", "all")] == (3, 5)
    assert got[("D1", "unit", "U1")] == (1, 2)
    assert got[("D1", "unit", "U2")] == (2, 2)
    assert got[("D1", "unit", "unknown")] == (0, 1)
    assert got[("D1", "region", "South")] == (2, 2)


def test_d1_limit_comes_from_the_configuration(tmp_path, monkeypatch):
    store = new_store(tmp_path)
    _visits(store)
    _with_params(monkeypatch, "D1", d1_days=4)
    # 4 days allowed: v2 becomes timely → 4 / 5.
    assert total(store, "D1", *Q1_2025) == (4, 5)
