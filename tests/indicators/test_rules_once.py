"""Each shared rule of INDICATORS.md is written once, as a macro in `sql/_macros.sql`, and
every indicator and case-level statement uses the macro instead of a copy.

The scan reads the SQL without its comments (a comment may quote a rule; only code counts)
and looks for the shapes the copies had before they were folded into macros, so a copy
that comes back fails here. The macros themselves are tested on hand-made rows below.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from cqi_core.indicators.engine import SQL_DIR, prepare_cursor
from cqi_core.quality.checks import SQL_DIR as QUALITY_SQL_DIR
from federal_fixtures import base_store, child, episode, placement, report

MACROS = SQL_DIR / "_macros.sql"
STATEMENTS = sorted([*SQL_DIR.glob("*.sql"), *(SQL_DIR / "cases").glob("*.sql"),
                     *QUALITY_SQL_DIR.glob("*.sql")])

# The shapes of the copies, on code with comments removed and whitespace collapsed.
COPIES = {
    # discharge_date - removal_date >= 8 (or < 8, <= 7, > 7), report_date - removal_date >= 8
    "short stay": re.compile(r"-\s*[\w.]*removal_date\s*(<|>=|<=|>)\s*[78]\b"),
    # ORDER BY start_date DESC, placement_id DESC, or the greatest (start_date, placement_id):
    # the last placement of an episode
    "last placement": re.compile(r"start_date\s+DESC\s*,\s*[\w.]*placement_id\s+DESC"
                                 r"|\(\s*[\w.]*start_date\s*,\s*[\w.]*placement_id\s*\)", re.I),
    # disposition IN ('substantiated', 'indicated')
    "victim report": re.compile(r"'substantiated'|'indicated'"),
    # a victim report date one day after the previous one is not counted again
    "victimization dates": re.compile(r"lag\s*\(\s*[\w.]*report_date|previous_date", re.I),
    # discharge_reason IN ('reunification', 'relative', ...): permanency exit or exit home
    "exit reasons": re.compile(r"'relative'|'guardianship'|'adoption'"),
}


def _code(path: Path) -> str:
    text = "\n".join(line.split("--", 1)[0] for line in path.read_text(encoding="utf-8").splitlines())
    return " ".join(text.split())


def _copies(code: str) -> list[str]:
    return sorted(name for name, pattern in COPIES.items() if pattern.search(code))


@pytest.mark.parametrize("path", [p for p in STATEMENTS if p != MACROS],
                         ids=lambda p: str(p.relative_to(SQL_DIR.parents[1])))
def test_no_statement_repeats_a_rule_the_macros_hold(path):
    assert _copies(_code(path)) == [], (
        f"{path.name} repeats a shared rule; use the macro in indicators/sql/_macros.sql")


def test_the_macros_hold_each_rule_once():
    code = _code(MACROS)
    # The macros' own parameters are named `removal`, so the short-stay shape is absent.
    assert _copies(code) == sorted(set(COPIES) - {"short stay"})
    for name in ("within_short_stay", "short_stay", "permanency_exit", "exit_home",
                 "last_placement", "victim_report", "victimization_dates"):
        assert len(re.findall(rf"MACRO {name}\(", code)) == 1, name
    # The short-stay number itself is written once.
    assert len(re.findall(r"<\s*8\b", code)) == 1


@pytest.mark.parametrize("copy", [
    "WHERE e.discharge_date IS NULL OR e.discharge_date - e.removal_date >= 8",
    "AND v.report_date - k.removal_date >= 8",
    "QUALIFY row_number() OVER (PARTITION BY p.episode_id "
    "ORDER BY p.start_date DESC, p.placement_id DESC) = 1",
    "SELECT arg_max(p.setting, (p.start_date, p.placement_id)) FROM placements p",
    "WHERE disposition IN ('substantiated', 'indicated')",
    "lag(report_date) OVER (PARTITION BY child_id ORDER BY report_date) AS previous_date",
    "WHERE discharge_reason IN ('reunification', 'relative', 'guardianship')",
])
def test_the_scan_finds_the_copies_the_statements_used_to_hold(copy):
    assert _copies(copy)


def test_every_statement_that_drops_short_stays_uses_the_macro():
    using = {str(p.relative_to(SQL_DIR)) for p in STATEMENTS
             if p != MACROS and "short_stay(" in _code(p)}
    assert using == {"S1.sql", "P1.sql", "P4.sql", "P5.sql", "cases/maltreatment.sql",
                     "cases/moves.sql", "cases/permanency.sql", "cases/reentry.sql"}


# ---- the macros on hand-made rows --------------------------------------------------------

def _run(store, sql: str) -> list[tuple]:
    cur = store.cursor()
    try:
        prepare_cursor(cur)
        return cur.execute(sql).fetchall()
    finally:
        cur.close()


def test_short_stay_is_a_discharge_within_7_days_and_never_an_open_episode(tmp_path):
    store = base_store(tmp_path)
    got = _run(store, """
        SELECT short_stay(DATE '2024-01-01', DATE '2024-01-01'),
               short_stay(DATE '2024-01-01', DATE '2024-01-08'),
               short_stay(DATE '2024-01-01', DATE '2024-01-09'),
               short_stay(DATE '2024-01-01', NULL),
               within_short_stay(DATE '2024-01-01', DATE '2024-01-08'),
               within_short_stay(DATE '2024-01-01', DATE '2024-01-09')""")
    # 0 and 7 days: short; 8 days: not; open: not. S1 counts a report 8 days after removal.
    assert got == [(True, True, False, False, True, False)]


def test_exit_home_is_a_permanency_exit_other_than_adoption(tmp_path):
    store = base_store(tmp_path)
    reasons = ["reunification", "relative", "adoption", "guardianship", "emancipation"]
    values = ", ".join(f"({k}, '{r}')" for k, r in enumerate(reasons))
    got = _run(store, f"SELECT r, permanency_exit(r), exit_home(r) FROM (VALUES {values}) t(k, r) "
                      "ORDER BY k")
    assert got == [("reunification", True, True), ("relative", True, True),
                   ("adoption", True, False), ("guardianship", True, True),
                   ("emancipation", False, False)]


def test_last_placement_is_the_latest_start_ties_by_the_largest_placement_id(tmp_path):
    store = base_store(tmp_path)
    child(store, "C1", "2015-01-01")
    episode(store, "E1", "C1", "2024-01-01")
    episode(store, "E2", "C1", "2023-01-01", "2023-06-01", "reunification")
    placement(store, "P1", "E1", "C1", "2024-01-01", "nonrelative_foster_home")
    placement(store, "P3", "E1", "C1", "2024-03-01", "relative_foster_home")
    placement(store, "P2", "E1", "C1", "2024-03-01", "trial_home_visit")   # same day, smaller id
    placement(store, "P4", "E2", "C1", "2023-01-01", "group_home")
    got = _run(store, """
        WITH wanted AS (SELECT 'E1' AS episode_id)
        SELECT * FROM last_placement('wanted')""")
    # Only the named episodes are read: E2's placement is not ranked.
    assert got == [("E1", "relative_foster_home", date(2024, 3, 1))]


def test_victimization_dates_drop_repeats_and_a_day_after_the_previous_date(tmp_path):
    store = base_store(tmp_path)
    report(store, "R1", "C1", "2024-01-10")
    report(store, "R2", "C1", "2024-01-10", disposition="indicated")   # same date: once
    report(store, "R3", "C1", "2024-01-11")                             # a day later: not again
    report(store, "R4", "C1", "2024-01-12")                             # a day after R3: not again
    report(store, "R5", "C1", "2024-01-20", disposition="unsubstantiated")   # not a victim
    report(store, "R6", "C1", "2024-01-21")                             # previous victim date 12th
    got = _run(store, "SELECT child_id, report_date FROM victimization_dates() ORDER BY 2")
    assert got == [("C1", date(2024, 1, 10)), ("C1", date(2024, 1, 21))]
