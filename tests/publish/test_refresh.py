"""The refresh after each import: the publication and every trend series built once, so no
visitor pays for them, with progress a page can show while it runs."""

import importlib
import json
import socket
from datetime import datetime, timedelta
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import cqi_core
from cqi_core.analysis import trends
from cqi_core.publish.refresh import STEPS, RefreshStatus, refresh_status, status_file
from cqi_core.storage.facts import content_version

ROOT = Path(__file__).resolve().parents[2]
# The module (the package's name `refresh` is the function it defines).
refresh_module = importlib.import_module("cqi_core.publish.refresh")
GOOD = ROOT / "tests" / "fixtures" / "good"  # six children, the smallest agency there is


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The good fixture imported by the command line, which refreshes after a landed import:
    (database path, the import's completed process)."""
    db = tmp_path_factory.mktemp("refresh") / "cqi.duckdb"
    env = {k: v for k, v in os.environ.items() if k not in ("CQI_DB", "CQI_DB_MODE")}
    done = subprocess.run([sys.executable, "-m", "cqi_core", "import", str(GOOD), "--db", str(db)],
                          cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return db, done


def test_an_import_on_the_command_line_refreshes_the_publication_and_the_series(imported, monkeypatch):
    db, done = imported
    assert "Refreshed: the public figures" in done.stderr
    store = cqi_core.open_store(db, read_only=True)
    from cqi_core.privacy import publication
    assert publication(store).data_version == content_version(store)
    # Every trend series is there for this data version: reading them computes nothing.
    monkeypatch.setattr(trends, "compute_series", _no_compute)
    for grain in trends.GRAINS:
        series = trends.build_series(store, grain)
        assert series.height > 0
        assert set(series["group_by"].unique()) >= {"all", "unit", "region"}


def test_a_finished_refresh_leaves_a_status_for_this_data_version(imported):
    db, _ = imported
    store = cqi_core.open_store(db, read_only=True)
    found = refresh_status(store)
    assert found is not None
    assert found.version == content_version(store)
    assert found.finished is not None and found.fraction == 1.0
    assert not found.running
    assert found.message == "Everything is up to date."


def test_progress_is_reported_in_order_and_ends_at_one(imported, tmp_path, monkeypatch):
    # The builders are stood in for (the import above ran the real ones): each reports half
    # way and done, so the refresh's own arithmetic is what is checked.
    copy = tmp_path / "cqi.duckdb"
    copy.write_bytes(db_bytes(imported))
    calls: list[str] = []

    def publish(store, progress):
        calls.append("publication")
        progress("half", 0.5), progress("done", 1.0)
        return cqi_core.publication(store)

    def series(store, grain, progress):
        calls.append(grain)
        progress("half", 0.5), progress("done", 1.0)
        return pl.DataFrame({"n": range({"month": 4, "quarter": 2}[grain])})

    def latest(store, progress):
        calls.append("latest")
        progress("half", 0.5), progress("done", 1.0)
        return 7

    monkeypatch.setattr(refresh_module, "build_publication", publish)
    monkeypatch.setattr(refresh_module, "build_series", series)
    monkeypatch.setattr(refresh_module, "build_latest", latest)
    monkeypatch.setattr(refresh_module, "build_suggestions",
                        lambda store: calls.append("suggestions") or 9)
    monkeypatch.setattr(refresh_module.scan_job, "start",
                        lambda store, series: calls.append(f"scan {', '.join(series)}") or "job")
    monkeypatch.setattr(refresh_module.scan_job, "finish",
                        lambda job, store: calls.append(f"wait for the {job}") or [])
    seen: list[tuple[str, float]] = []
    info = cqi_core.refresh(cqi_core.open_store(copy), progress=lambda m, f: seen.append((m, f)))
    # The theme suggestions the publication counts, then the monthly and the quarterly
    # series, whose scan starts (in a process of its own) before the publication is built
    # beside it; the refresh waits for the scan, then keeps the latest figures, which take
    # the publication's periods.
    assert calls == ["suggestions", "month", "quarter", "scan month, quarter", "publication",
                     "wait for the job", "latest"]
    fractions = [round(f, 3) for _, f in seen]
    # shares 0.08, 0.13, 0.07, 0.65, 0.02, 0.05: the suggestions say when they start (0), then
    # half of each step and all of it, the wait for the recent changes when it starts, then
    # the closing message: 0 | 0.08 + 0.065 = 0.145, 0.21 | 0.21 + 0.035 = 0.245, 0.28 |
    # 0.28 + 0.325 = 0.605, 0.93 | 0.93 | 0.95 + 0.025 = 0.975, 1.0 | 1.0
    assert fractions == [0.0, 0.145, 0.21, 0.245, 0.28, 0.605, 0.93, 0.93, 0.975, 1.0, 1.0]
    assert seen[1][0] == "Building the monthly trend series: half"
    assert seen[5][0] == "Building the public figures: half"
    assert seen[7][0].startswith("Building the recent changes: looking for signals")
    assert seen[-1] == ("Everything is up to date.", 1.0)
    assert info.series_rows == {"month": 4, "quarter": 2}
    assert set(info.seconds) == set(STEPS)


def test_an_empty_database_has_nothing_to_refresh_and_the_command_says_so(tmp_path):
    db = tmp_path / "empty.duckdb"
    cqi_core.open_store(db).close()
    env = {k: v for k, v in os.environ.items() if k not in ("CQI_DB", "CQI_DB_MODE")}
    done = subprocess.run([sys.executable, "-m", "cqi_core", "refresh", "--db", str(db)],
                          cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert "Nothing to refresh" in done.stderr


def _write_status(db: Path, **fields) -> None:
    path = db.with_name(db.name + ".cache") / "refresh.json"
    path.parent.mkdir(exist_ok=True)
    body = {"version": "?", "message": "Building the monthly trend series: Computed 3 of 48 months",
            "fraction": 0.5, "started": "2026-12-06T10:00:00", "finished": None, "pid": os.getpid(),
            "host": socket.gethostname()}
    path.write_text(json.dumps({**body, **fields}), encoding="utf-8")


def test_a_refresh_still_at_work_is_running_and_one_whose_process_died_is_not(imported, tmp_path):
    db, _ = imported
    copy = tmp_path / "cqi.duckdb"
    copy.write_bytes(db.read_bytes())
    store = cqi_core.open_store(copy, read_only=True)
    version = content_version(store)
    _write_status(copy, version=version)  # this very process writes it: alive
    assert refresh_status(store).running
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    _write_status(copy, version=version, pid=int(dead))  # a process that has ended
    assert refresh_status(store) is not None and not refresh_status(store).running


def test_a_refresh_on_another_machine_runs_while_it_keeps_writing(imported, tmp_path):
    # The nightly import may run in its own container: its process id means nothing here,
    # so an unfinished refresh counts as running until it has written nothing for
    # STALE_AFTER (10 minutes).
    db, _ = imported
    copy = tmp_path / "cqi.duckdb"
    copy.write_bytes(db.read_bytes())
    store = cqi_core.open_store(copy, read_only=True)
    version = content_version(store)
    recent = (datetime.now() - timedelta(minutes=2)).isoformat(timespec="seconds")
    _write_status(copy, version=version, host="importer", pid=1, written=recent)
    assert refresh_status(store).running
    old = (datetime.now() - timedelta(minutes=11)).isoformat(timespec="seconds")
    _write_status(copy, version=version, host="importer", pid=1, written=old)
    assert not refresh_status(store).running


def test_a_status_of_older_data_or_an_unreadable_one_is_no_status(imported, tmp_path):
    db, _ = imported
    copy = tmp_path / "cqi.duckdb"
    copy.write_bytes(db.read_bytes())
    store = cqi_core.open_store(copy, read_only=True)
    _write_status(copy, version="0|0|0")  # a refresh of the data before the last import
    assert refresh_status(store) is None
    status_file(store).write_text("{not json", encoding="utf-8")
    assert refresh_status(store) is None


def test_the_status_dataclass_reads_back_what_the_refresh_writes():
    s = RefreshStatus(version="1|0|0", message="m", fraction=0.25, started="t", finished="u",
                      pid=os.getpid())
    assert not s.running  # finished: not running, whoever wrote it


def db_bytes(imported) -> bytes:
    return imported[0].read_bytes()


def _no_compute(*args, **kwargs) -> pl.DataFrame:
    raise AssertionError("a series was computed again although the refresh had built it")
