"""Files kept beside the database for one data version (`storage.kept.keep`)."""

from __future__ import annotations

import threading

import polars as pl

from cqi_core.storage.kept import keep, keyed_path


def test_a_kept_file_replaces_older_versions_and_leaves_no_part_behind(tmp_path):
    db = tmp_path / "cqi.duckdb"
    old = keyed_path(db, "scan-month", "version 1")
    new = keyed_path(db, "scan-month", "version 2")
    keep(pl.DataFrame({"x": [1]}), old, "scan-month-*.parquet")
    assert old.exists()
    keep(pl.DataFrame({"x": [2, 3]}), new, "scan-month-*.parquet")
    assert not old.exists()  # the older data version's file is gone
    assert pl.read_parquet(new)["x"].to_list() == [2, 3]
    assert sorted(p.name for p in new.parent.iterdir()) == [new.name]  # nothing half written


def test_two_writers_of_the_same_file_each_write_a_whole_one(tmp_path):
    # The refresh's scan process and a visitor's page may keep the same file at once: each
    # writes under a name of its own and renames, so the file read afterwards is one of
    # the two frames whole, never a mixture.
    path = keyed_path(tmp_path / "cqi.duckdb", "scan-month", "v")
    frames = [pl.DataFrame({"x": list(range(k, k + 50_000))}) for k in (0, 1_000_000)]
    writers = [threading.Thread(target=keep, args=(f, path, "scan-month-nothing*"))
               for f in frames for _ in range(3)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    got = pl.read_parquet(path)
    assert any(got.equals(f) for f in frames)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
