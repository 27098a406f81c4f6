"""The case-level re-entry measure (indicators/sql/cases/reentry.sql) counts a short return
into care, as P4 does: the short-stay rule keeps short stays out of the exits only.

Built on the hand-made agency of tests/fixtures/conjoint (RK4 reviews child K4 for
2025-01-01 to 2025-12-31; K4 has no episode there) with two episodes added for K4.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from cqi_core import import_files, open_store
from cqi_core.analysis import conjoint

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "conjoint"


def _cases_with(tmp_path, rows: list[str]) -> dict[str, dict]:
    folder = tmp_path / "export"
    shutil.copytree(FIXTURE, folder)
    with open(folder / "episodes.csv", "a", encoding="utf-8") as f:
        f.write("".join(r + "\n" for r in rows))
    store = open_store(tmp_path / "cqi.duckdb")
    try:
        result = import_files(store, [folder], user="tests")
        assert result.outcome == "landed", result.message
        return {r["review_id"]: r for r in conjoint.case_measures(store).iter_rows(named=True)}
    finally:
        store.close()


def _reentry(case: dict) -> tuple:
    return case["reentry_value"], case["reentry_base"], case["reentry_favourable"]


def test_a_three_day_return_in_the_period_is_a_re_entry(tmp_path):
    # K4 reunified 2025-03-01 after a year in care (not a short stay), back in care
    # 2025-05-10 to 2025-05-13: 3 days, a short stay, but it is an entry into care in the
    # period and 2025-03-01 < 2025-05-10 < 2026-03-01: a re-entry, unfavourable.
    # Days home before it: 2025-05-10 - 2025-03-01 = 30 (March) + 30 (April) + 10 = 70.
    cases = _cases_with(tmp_path, ["EK4a,K4,2024-03-01,2025-03-01,reunification,U1",
                                   "EK4b,K4,2025-05-10,2025-05-13,reunification,U1"])
    assert _reentry(cases["RK4"]) == (70.0, None, False)


def test_a_short_exit_home_is_not_the_exit_a_re_entry_follows(tmp_path):
    # K4 in care 2025-03-01 to 2025-03-04 (3 days: a short stay, so not an exit home that a
    # re-entry could follow), back in care 2025-06-01, still open. Both are entries into care
    # in the period; neither follows an exit home that is not a short stay: favourable.
    cases = _cases_with(tmp_path, ["EK4a,K4,2025-03-01,2025-03-04,reunification,U1",
                                   "EK4b,K4,2025-06-01,,,U1"])
    assert _reentry(cases["RK4"]) == (None, None, True)
