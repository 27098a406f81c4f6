"""The refresh's scan for recent changes in a process of its own (`publish.scan_job`): the
files it keeps are the ones a scan in the refresh's own process keeps, and whatever the
process does not finish the refresh scans itself."""

from __future__ import annotations

import polars as pl

import cqi_core
from cqi_core.analysis import trends
from cqi_core.publish import scan_job


def _series(store) -> dict[str, pl.DataFrame]:
    return {grain: trends.build_series(store, grain) for grain in trends.GRAINS}


def _scanned_here(store, series) -> dict[str, pl.DataFrame]:
    catalog = cqi_core.load_catalog(store)
    return {grain: trends.scan(frame, catalog, grain, strongest_only=True)
            for grain, frame in series.items()}


def test_the_process_keeps_each_grains_scan_as_the_refresh_would(sample_db_copy):
    store = cqi_core.open_store(sample_db_copy)  # held open for writing, as the refresh does
    series = _series(store)
    job = scan_job.start(store, series)
    assert job.process is not None
    assert scan_job.finish(job, store) == []  # the process did both grains
    assert job.process.returncode == 0
    assert not job.folder.exists()
    expected = _scanned_here(store, series)
    for grain in trends.GRAINS:
        kept = pl.read_parquet(trends.scan_file(store, grain))
        assert kept.height > 0
        assert kept.equals(expected[grain])
    # What changed reads the kept scan (no file is left half written beside it)
    assert trends.recent_changes(store, "month").equals(expected["month"])
    assert not list(sample_db_copy.parent.glob("*.cache/*.part"))
    store.close()


def test_a_process_that_fails_leaves_the_scan_to_the_refresh(sample_db_copy, monkeypatch):
    monkeypatch.setattr(scan_job, "_ENTRY", "import sys; sys.exit(3)")
    store = cqi_core.open_store(sample_db_copy)
    series = _series(store)
    job = scan_job.start(store, series)
    assert scan_job.finish(job, store) == ["month", "quarter"]
    assert job.process.returncode == 3
    expected = _scanned_here(store, series)
    for grain in trends.GRAINS:
        assert pl.read_parquet(trends.scan_file(store, grain)).equals(expected[grain])
    store.close()


def test_a_refresh_that_fails_ends_the_process_and_removes_its_folder(sample_db_copy,
                                                                       monkeypatch):
    monkeypatch.setattr(scan_job, "_ENTRY", "import time; time.sleep(60)")
    store = cqi_core.open_store(sample_db_copy)
    job = scan_job.start(store, _series(store))
    assert job.process.poll() is None  # still at work
    scan_job.stop(job)
    assert job.process.returncode is not None and job.process.returncode != 0
    assert not job.folder.exists()
    store.close()


def test_a_process_that_cannot_start_leaves_the_scan_to_the_refresh(sample_db_copy, monkeypatch):
    def cannot(*args, **kwargs):
        raise OSError("no process for you")

    monkeypatch.setattr(scan_job.subprocess, "Popen", cannot)
    store = cqi_core.open_store(sample_db_copy)
    job = scan_job.start(store, {"quarter": trends.build_series(store, "quarter")})
    assert job.process is None
    assert scan_job.finish(job, store) == ["quarter"]
    assert trends.scan_file(store, "quarter").exists()
    assert not job.folder.exists()
    store.close()
