"""As-of date, agency summary, store status and import history on tiny hand-made stores."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from cqi_core.analysis import overview
from cqi_core.storage import facts as summary
from cqi_core.storage.contract import load_contract
from cqi_core.errors import CQIError
from cqi_core.storage.store import open_store


def insert(store, table: str, rows: list[dict]) -> None:
    """Plain INSERTs of hand-made rows (column names checked against the contract or schema)."""
    contract = load_contract().tables
    cur = store.cursor()
    for row in rows:
        if table in contract:
            assert set(row) <= set(contract[table].column_names), row
        names = list(row)
        cur.execute(f"INSERT INTO {table} ({', '.join(names)}) "
                    f"VALUES ({', '.join('$' + n for n in names)})", row)
    cur.close()


def ep(eid: str, child: str, removal: str, discharge: str | None = None, unit: str = "U1") -> dict:
    return dict(episode_id=eid, child_id=child, removal_date=removal, discharge_date=discharge,
                unit_id=unit)


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "t.duckdb")
    yield s
    s.close()


@pytest.fixture
def agency(store):
    """As of 2024-06-30 (configured).

    Units U1 (North), U2 (North), U3 (South): 3 units, 2 regions.
    Episodes:
      E1 C1 2024-01-01, open                → in care (discharge NULL); entry in window
      E2 C2 2023-01-01 .. 2024-06-30        → NOT in care (discharged ON the as-of date);
                                              exit in window (as_of itself is included)
      E3 C3 2020-01-01 .. 2024-07-01 (U3)   → in care (discharged after as_of)
      E4 C4 2023-06-30 .. 2023-07-01        → entry exactly 12 months before as_of: excluded;
                                              exit 2023-07-01: included
      E5 C5 2023-07-01, open                → entry on the first day of the window: included;
                                              in care
      E6 C6 2024-07-01, open                → removal after as_of: not in care, not an entry
      E7 C1 2022-01-01 .. 2023-06-30        → C1's earlier episode; exit exactly 12 months
                                              before as_of: excluded
    → children in care: C1, C3, C5 = 3 (North: C1, C5; South: C3)
    → entries: E1, E5 = 2; exits: E2, E4 = 2
    Workers: W1 caseworker employed; W2 caseworker hired on as_of (counts); W3 caseworker
    separated on as_of (does not count); W4 supervisor (does not count) → 2 active.
    """
    insert(store, "units", [dict(unit_id="U1", unit_name="One", region="North"),
                            dict(unit_id="U2", unit_name="Two", region="North"),
                            dict(unit_id="U3", unit_name="Three", region="South")])
    insert(store, "episodes", [
        ep("E1", "C1", "2024-01-01"), ep("E2", "C2", "2023-01-01", "2024-06-30"),
        ep("E3", "C3", "2020-01-01", "2024-07-01", unit="U3"),
        ep("E4", "C4", "2023-06-30", "2023-07-01"), ep("E5", "C5", "2023-07-01", unit="U2"),
        ep("E6", "C6", "2024-07-01"), ep("E7", "C1", "2022-01-01", "2023-06-30")])
    insert(store, "workers", [
        dict(worker_id="W1", unit_id="U1", role="caseworker", hire_date="2020-01-01"),
        dict(worker_id="W2", unit_id="U1", role="caseworker", hire_date="2024-06-30"),
        dict(worker_id="W3", unit_id="U2", role="caseworker", hire_date="2020-01-01",
             separation_date="2024-06-30"),
        dict(worker_id="W4", unit_id="U2", role="supervisor", hire_date="2020-01-01")])
    insert(store, "settings", [dict(name="as_of_date", value="2024-06-30")])
    return store


def add_batches(store, n: int) -> None:
    """Batches 1..n started a day apart; batch k has k files; the last is refused."""
    insert(store, "import_batches", [
        dict(batch_id=k, started_at=datetime(2024, 1, k, 9, 0), finished_at=datetime(2024, 1, k, 9, 1),
             mode="snapshot", outcome="refused" if k == n else "landed",
             message="missing column" if k == n else None,
             rows_read=10 * k, rows_accepted=None if k == n else 10 * k - 1,
             rows_rejected=None if k == n else 1) for k in range(1, n + 1)])
    insert(store, "import_files", [dict(batch_id=k, file_name=f"f{i}.csv")
                                   for k in range(1, n + 1) for i in range(k)])


# ---- as-of date -------------------------------------------------------------------

def test_as_of_is_none_on_an_empty_store(store):
    assert summary.as_of_date(store) is None


def test_as_of_is_the_latest_event_date_without_a_setting(store):
    # The latest date is a placement end (2024-05-31), later than any removal (2024-01-01),
    # report (2024-03-01) or visit (2024-04-01); birth dates and hire dates do not count.
    insert(store, "episodes", [ep("E1", "C1", "2024-01-01")])
    insert(store, "placements", [dict(placement_id="P1", episode_id="E1", child_id="C1",
                                      start_date="2024-01-01", end_date="2024-05-31",
                                      setting="group_home")])
    insert(store, "reports", [dict(report_id="R1", child_id="C1", report_date="2024-03-01",
                                   disposition="other")])
    insert(store, "visits", [dict(visit_id="V1", child_id="C1", visit_date="2024-04-01",
                                  location="other")])
    insert(store, "children", [dict(child_id="C9", birth_date="2024-12-01")])
    insert(store, "workers", [dict(worker_id="W1", unit_id="U1", role="other", hire_date="2025-01-01")])
    assert summary.as_of_date(store) == date(2024, 5, 31)


def test_configured_as_of_wins_and_a_bad_one_is_explained(agency):
    assert summary.as_of_date(agency) == date(2024, 6, 30)  # E6's 2024-07-01 is later
    agency.cursor().execute("UPDATE settings SET value = '30/06/2024' WHERE name = 'as_of_date'")
    with pytest.raises(CQIError, match="YYYY-MM-DD"):
        summary.as_of_date(agency)
    agency.cursor().execute("UPDATE settings SET value = '' WHERE name = 'as_of_date'")
    assert summary.as_of_date(agency) == date(2024, 7, 1)  # blank = not set


# ---- agency summary ---------------------------------------------------------------

def test_agency_summary_counts_on_the_as_of_date(agency):
    s = overview.agency_summary(agency)
    assert s.as_of == date(2024, 6, 30)
    assert (s.children_in_care, s.entries_12m, s.exits_12m) == (3, 2, 2)
    assert (s.n_units, s.n_regions, s.n_workers_active) == (3, 2, 2)
    assert_frame_equal(s.children_in_care_by_region,
                       pl.DataFrame({"region": ["North", "South"], "children": [2, 1]}))
    assert s.tables["episodes"] == 7 and s.tables["units"] == 3
    assert s.last_import is None


def test_agency_summary_for_another_date(agency):
    # On 2023-06-30: in care E2 (C2), E3 (C3), E4 (removed that day, C4); not E7
    # (discharged that day) → 3. Entries in (2022-06-30, 2023-06-30]: E2, E4 → 2.
    # Exits: E7 → 1.
    s = overview.agency_summary(agency, as_of=date(2023, 6, 30))
    assert (s.children_in_care, s.entries_12m, s.exits_12m) == (3, 2, 1)


def test_entry_window_in_a_leap_year(store):
    # As of 2024-02-29 the window is (2023-02-28, 2024-02-29]: 2023-02-28 out, 2023-03-01 in.
    insert(store, "episodes", [ep("E1", "C1", "2023-02-28", "2023-03-05"),
                               ep("E2", "C2", "2023-03-01")])
    s = overview.agency_summary(store, as_of=date(2024, 2, 29))
    assert (s.entries_12m, s.exits_12m, s.children_in_care) == (1, 1, 1)


def test_agency_summary_on_an_empty_store(store):
    s = overview.agency_summary(store)
    assert s.as_of is None and s.children_in_care == 0 and s.entries_12m == 0
    assert s.children_in_care_by_region.columns == ["region", "children"]
    assert len(s.children_in_care_by_region) == 0


def test_last_import_is_the_newest_batch(agency):
    add_batches(agency, 3)
    s = overview.agency_summary(agency)
    # Batch 3 was refused and recorded no accepted/rejected counts: shown as 0.
    assert s.last_import == {"batch_id": 3, "when": datetime(2024, 1, 3, 9, 0),
                             "outcome": "refused", "mode": "snapshot",
                             "rows_accepted": 0, "rows_rejected": 0}


# ---- status, history, rejects -----------------------------------------------------

def test_status_reports_rows_ranges_and_imports(agency):
    insert(agency, "visits", [dict(visit_id="V1", child_id="C1", visit_date="2024-02-01",
                                   location="other")])
    add_batches(agency, 12)
    st = summary.status(agency)
    assert st.path == agency.path and st.file_size and st.file_size > 0
    assert st.schema_version == 1
    assert (st.as_of, st.as_of_configured) == (date(2024, 6, 30), True)
    assert st.tables["episodes"] == 7 and st.tables["visits"] == 1
    # episodes: earliest removal 2020-01-01, latest of removal/discharge 2024-07-01
    assert st.date_ranges["episodes"] == (date(2020, 1, 1), date(2024, 7, 1))
    assert st.date_ranges["workers"] == (date(2020, 1, 1), date(2024, 6, 30))
    assert st.date_ranges["visits"] == (date(2024, 2, 1), date(2024, 2, 1))
    assert st.date_ranges["reports"] == (None, None)
    assert st.imports["batch_id"].to_list() == list(range(12, 2, -1))  # 10 newest
    assert st.imports.columns == ["batch_id", "when", "mode", "outcome", "files", "rows_read",
                                  "rows_accepted", "rows_rejected", "message"]
    assert st.imports.row(0, named=True)["files"] == 12


def test_format_status_is_a_plain_text_table(agency):
    add_batches(agency, 2)
    text = summary.format_status(summary.status(agency))
    lines = text.splitlines()
    assert lines[1] == "As-of date:     2024-06-30 (configured extraction date)"
    assert any(ln.split() == ["episodes", "7", "2020-01-01", "2024-07-01"] for ln in lines)
    assert any(ln.split() == ["units", "3"] for ln in lines)
    assert "Last imports:" in lines
    row = next(ln for ln in lines if ln.lstrip().startswith("2 "))
    assert row.split()[:7] == ["2", "2024-01-02", "09:00", "snapshot", "refused", "2", "20"]
    assert "missing column" in row


def test_format_status_on_an_empty_store(store):
    text = summary.format_status(summary.status(store))
    assert "As-of date:     none (no events loaded)" in text and "none yet" in text


def test_import_history_newest_first_with_file_counts(store):
    add_batches(store, 3)
    h = summary.import_history(store)
    assert h.select("batch_id", "outcome", "files", "rows_read").rows() == [
        (3, "refused", 3, 30), (2, "landed", 2, 20), (1, "landed", 1, 10)]
    assert summary.import_history(store, limit=1)["batch_id"].to_list() == [3]


def test_rejected_rows_all_or_one_batch(store):
    insert(store, "rejects", [
        dict(batch_id=1, table_name="episodes", file_name="episodes.csv", row_number=4,
             column_name="removal_date", value="31/02/2024", reason="not a date"),
        dict(batch_id=2, table_name="visits", file_name="visits.csv", row_number=2,
             column_name="location", value="car", reason="unknown code"),
        dict(batch_id=2, table_name="children", file_name="children.csv", row_number=9,
             column_name="birth_date", value=None, reason="required value missing")])
    every = summary.rejected_rows(store)
    assert every.select("batch_id", "table_name", "row_number").rows() == [
        (2, "children", 9), (2, "visits", 2), (1, "episodes", 4)]
    one = summary.rejected_rows(store, batch_id=1)
    assert one["reason"].to_list() == ["not a date"]
