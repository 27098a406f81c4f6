"""W1 (average caseload) and W2 (caseworker turnover) on hand-built rows.

Expected values are worked out in the comments from INDICATORS.md.
"""

from __future__ import annotations

import pytest

from cqi_core.indicators import compute
from practice_fixtures import add, d, episode, new_store, sums, total, worker


# ---- W1 -------------------------------------------------------------------------------

def _caseload(store) -> None:
    add(store, "workers", [
        worker("CW1", "U1", "2020-01-01"),
        worker("CW2", "U1", "2020-01-01", "2025-02-28"),   # leaves on a month-end
        worker("CW3", "U1", "2025-03-31"),                 # hired on a month-end
        worker("SUP", "U1", "2020-01-01", role="supervisor"),
        worker("OTH", "U2", "2020-01-01", role="other"),
        worker("CW4", "U3", "2019-01-01"),                 # U3: workers, no episodes
    ])
    add(store, "episodes", [
        episode("E1", "c1", "2024-01-01", unit="U1"),
        episode("E2", "c2", "2025-02-01", "2025-02-28", unit="U1"),  # out on its discharge day
        episode("E3", "c3", "2025-01-31", "2025-03-31", unit="U1"),  # in from its removal day
        episode("E4", "c4", "2024-05-01", unit="U1"),                # child unknown: any age
        episode("E5", "c5", "2024-05-01", unit="U2"),                # U2: episodes, no workers
    ])


def test_w1_sums_episodes_and_caseworkers_over_month_ends(tmp_path):
    store = new_store(tmp_path)
    _caseload(store)
    # 2025-01-15..2025-03-31: January ends inside the period → days 31 Jan, 28 Feb, 31 Mar.
    # U1 caseworkers: 31 Jan CW1, CW2 = 2; 28 Feb CW1 = 1 (CW2 separates that day);
    #   31 Mar CW1, CW3 = 2 (hired that day). Σ 5. Supervisor and "other" never count.
    # U1 episodes: E1 3 days; E2 none (removed after 31 Jan, out on 28 Feb); E3 31 Jan and
    #   28 Feb = 2 (discharged 31 Mar); E4 3. Σ 8.
    # U2: E5 on 3 days, no caseworker → 3 / 0.  U3: CW4 on 3 days, no episode → 0 / 3.
    # North (U1 + U3) 8 / 8; South 3 / 0; all 11 / 8 = 1.375.
    got = sums(store, "W1", "2025-01-15", "2025-03-31")
    assert got[("W1", "all", "all")] == (11, 8)
    assert got[("W1", "unit", "U1")] == (8, 5)
    assert got[("W1", "unit", "U2")] == (3, 0)
    assert got[("W1", "unit", "U3")] == (0, 3)
    assert got[("W1", "region", "North")] == (8, 8)
    assert got[("W1", "region", "South")] == (3, 0)
    out = compute(store, d("2025-01-15"), d("2025-03-31"), by=[], indicators=["W1"])
    assert out["value"][0] == pytest.approx(1.375)
    assert out["ci_low"][0] is None


def test_w1_uses_only_months_that_end_inside_the_period(tmp_path):
    store = new_store(tmp_path)
    _caseload(store)
    # 2025-01-01..2025-03-30: 31 Mar is outside → 31 Jan and 28 Feb only.
    # Episodes: E1 2, E3 2, E4 2, E5 2 = 8. Caseworkers: U1 2 + 1, U3 2 = 5.
    assert total(store, "W1", "2025-01-01", "2025-03-30") == (8, 5)
    # A period with no month-end in it has nothing to count.
    assert total(store, "W1", "2025-02-01", "2025-02-27") == (0, 0)


# ---- W2 -------------------------------------------------------------------------------

def test_w2_separations_over_the_mean_of_caseworkers_on_start_and_end(tmp_path):
    store = new_store(tmp_path)
    add(store, "workers", [
        worker("A", "U1", "2020-01-01"),                  # start ✓ end ✓           → 0 / 1
        worker("B", "U1", "2020-01-01", "2025-06-30"),    # start ✓, separates       → 1 / 0.5
        worker("C", "U1", "2025-03-01"),                  # end ✓                    → 0 / 0.5
        worker("D", "U1", "2020-01-01", "2025-01-01"),    # separates on start: not employed
                                                          #   on start               → 1 / 0
        worker("E", "U1", "2020-01-01", "2025-12-31"),    # start ✓, separates on end → 1 / 0.5
        worker("F", "U1", "2025-02-01", "2025-05-01"),    # in and out inside         → 1 / 0
        worker("G", "U1", "2020-01-01", "2024-12-31"),    # gone before the period    → no row
        worker("H", "U1", "2026-01-01"),                  # hired after               → no row
        worker("I", "U1", "2025-12-31"),                  # hired on end: end ✓        → 0 / 0.5
        worker("S", "U1", "2020-01-01", "2025-06-01", role="supervisor"),  # not a caseworker
        worker("J", "U2", "2020-01-01"),                  # start ✓ end ✓             → 0 / 1
    ])
    # U1: employed on start A, B, E = 3; on end A, C, I = 3; mean 3; separations B, D, E, F = 4
    #   → 4 / 3. U2: 0 / 1. All: 4 / 4.
    got = sums(store, "W2", "2025-01-01", "2025-12-31")
    assert got[("W2", "all", "all")] == (4, 4)
    assert got[("W2", "unit", "U1")] == (4, 3)
    assert got[("W2", "unit", "U2")] == (0, 1)
    assert got[("W2", "region", "North")] == (4, 3)


def test_w2_denominator_may_be_fractional(tmp_path):
    store = new_store(tmp_path)
    add(store, "workers", [worker("A", "U1", "2020-01-01", "2025-03-15"),
                           worker("B", "U1", "2020-01-01")])
    # Start: A, B = 2; end: B = 1; mean 1.5; one separation → 1 / 1.5.
    assert total(store, "W2", "2025-01-01", "2025-03-31") == (1, 1.5)
