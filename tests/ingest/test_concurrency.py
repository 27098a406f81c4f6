"""Readers on their own cursors keep working while an import runs, and never see half a batch."""

from __future__ import annotations

import threading

from cqi_core.ingest import import_files
from ingest_helpers import write


def test_readers_see_the_old_or_the_new_data_never_an_error(store, tmp_path):
    n = 60_000
    write(tmp_path / "units.csv", "unit_id,unit_name,region\nU1,North,N\n")
    write(tmp_path / "visits.csv", "visit_id,child_id,visit_date,location\n" +
          "".join(f"V{i},C{i % 500},2023-01-{1 + i % 28:02d},residence\n" for i in range(n)))
    errors: list[BaseException] = []
    seen: set[tuple[int, int]] = set()
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            cur = store.cursor()
            try:
                # one statement, so both counts come from the same snapshot
                seen.add(cur.execute("SELECT (SELECT count(*) FROM units), "
                                     "(SELECT count(*) FROM visits)").fetchall()[0])
            except BaseException as exc:  # the test is that nothing is raised at all
                errors.append(exc)
            finally:
                cur.close()

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        result = import_files(store, [tmp_path])
    finally:
        done.set()
        for t in threads:
            t.join()
    assert result.outcome == "landed", result.message
    assert errors == []
    # before the commit: empty store; after it: 1 unit and all visits, nothing in between
    assert seen <= {(0, 0), (1, n)}
    assert store.scalar("SELECT count(*) FROM visits") == n
