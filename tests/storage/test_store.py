"""The database file: schema version, migrations, read-only mode, cursors per thread."""

from __future__ import annotations

import threading

import duckdb
import pytest

from cqi_core.storage.contract import load_contract
from cqi_core.errors import StoreError
from cqi_core.storage.store import SCHEMA_VERSION, current_version, open_store, table_counts


def test_a_new_file_gets_every_contract_table_and_the_schema_version(tmp_path):
    store = open_store(tmp_path / "new.duckdb")
    assert current_version(store) == SCHEMA_VERSION
    assert set(table_counts(store)) == set(load_contract().tables)
    cols = store.query("SELECT column_name FROM information_schema.columns "
                       "WHERE table_name = 'episodes' ORDER BY ordinal_position")["column_name"]
    assert cols.to_list() == ["episode_id", "child_id", "removal_date", "discharge_date",
                              "discharge_reason", "unit_id", "worker_id", "_batch_id"]
    store.close()


def test_opening_twice_in_one_process_gives_the_same_store(tmp_path):
    a = open_store(tmp_path / "x.duckdb")
    b = open_store(tmp_path / "x.duckdb")
    assert a is b
    a.close()


def test_a_column_missing_from_an_older_file_is_added_on_open(tmp_path):
    path = tmp_path / "old.duckdb"
    store = open_store(path)
    store.close()
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE feedback DROP COLUMN rating")
    con.close()
    store = open_store(path)
    cols = store.query("SELECT column_name FROM information_schema.columns "
                       "WHERE table_name = 'feedback'")["column_name"].to_list()
    assert "rating" in cols
    store.close()


def test_a_file_from_a_newer_version_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "future.duckdb"
    open_store(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_version VALUES (99, now(), 'from the future')")
    con.close()
    with pytest.raises(StoreError, match="newer version"):
        open_store(path)


def test_read_only_mode_refuses_writes_and_a_missing_file(tmp_path):
    with pytest.raises(StoreError, match="no database"):
        open_store(tmp_path / "missing.duckdb", read_only=True)
    open_store(tmp_path / "ro.duckdb").close()
    ro = open_store(tmp_path / "ro.duckdb", read_only=True)
    with pytest.raises(duckdb.Error):
        ro.query("INSERT INTO units VALUES ('U1', 'Unit', 'R', NULL)")
    ro.close()


def test_a_read_only_open_of_a_file_that_is_not_ours_is_refused(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a CQI database"):
        open_store(path, read_only=True)


def test_cursors_in_many_threads_read_without_errors(tmp_path):
    store = open_store(tmp_path / "threads.duckdb")
    store.query("INSERT INTO units VALUES ('U1', 'North', 'R1', NULL), ('U2', 'South', 'R2', NULL)")
    errors, results = [], []

    def read():
        try:
            for _ in range(50):
                results.append(store.scalar("SELECT count(*) FROM units"))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == [2] * 400
    store.close()
