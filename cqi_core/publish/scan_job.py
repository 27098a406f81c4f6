"""The refresh's look for recent changes, run in a process of its own beside the publication.

Looking for signals in every chart (`analysis.trends.scan`: a control chart for each measure
× agency, region and unit, about 18,000 at state size) is Python from end to end and keeps
one core busy for 8 s, while the public figures (`build_publication`), which the refresh
builds next, leave part of the second core idle. The scan needs only the trend series and
the catalog, not the database, which the refresh holds open for writing and another process
could not open. So once the series are built the refresh writes them and the catalog to a
private temporary folder, starts a Python process running `main(<folder>)`, and builds
the publication beside it; the process keeps each grain's scan where `recent_changes` reads
it (`trends.scan_file`) and marks it done. Whatever it did not finish (it failed, or took
longer than `WAIT_S`), the refresh scans itself: the kept files are the same either way.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from cqi_core.analysis.trends import build_scan, scan_and_keep, scan_file
from cqi_core.indicators.catalog import load_catalog
from cqi_core.storage.store import Store

WAIT_S = 600
"""The longest the refresh waits for the process once its own steps are done."""
ROOT = Path(__file__).resolve().parents[2]
"""The folder holding the cqi_core package (put on the process's import path)."""
_ENTRY = "import sys; from cqi_core.publish import scan_job; scan_job.main(sys.argv[1])"
"""What the process runs (`main`, with the folder as its argument)."""


@dataclass
class ScanJob:
    """A scan started in its own process."""

    folder: Path
    """The private temporary folder holding its inputs, its log and its done-marks."""
    grains: tuple[str, ...]
    process: subprocess.Popen | None
    """None when the process could not be started (the refresh then scans itself)."""


def start(store: Store, series: dict[str, pl.DataFrame]) -> ScanJob:
    """Start scanning the series of each grain (`build_series`'s frames, for `store`'s
    current data version) in a new process, and return at once. When its inputs cannot be
    written or the process cannot be started, the job has no process and `finish` scans."""
    folder = Path(tempfile.mkdtemp(prefix="cqi-scan-"))
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    try:
        with (folder / "catalog.pickle").open("wb") as fh:
            pickle.dump(load_catalog(store), fh)
        jobs = []
        for grain, frame in series.items():
            frame.write_parquet(folder / f"series-{grain}.parquet")
            jobs.append({"grain": grain, "out": str(scan_file(store, grain))})
        (folder / "job.json").write_text(json.dumps(jobs), encoding="utf-8")
        with (folder / "log.txt").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-c", _ENTRY, str(folder)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONPATH": path})
    except OSError:  # a full disk, no temporary folder: the refresh scans itself
        process = None
    return ScanJob(folder, tuple(series), process)


def finish(job: ScanJob, store: Store) -> list[str]:
    """Wait for the process, scan in this process whatever it did not finish, and remove the
    temporary folder. Returns the grains scanned here (none when the process did them all)."""
    try:
        if job.process is not None:
            try:
                job.process.wait(timeout=WAIT_S)
            except subprocess.TimeoutExpired:
                job.process.kill()
                job.process.wait()
        left = [g for g in job.grains if not (job.folder / f"done-{g}").exists()]
        for grain in left:
            build_scan(store, grain)
        return left
    finally:
        shutil.rmtree(job.folder, ignore_errors=True)


def stop(job: ScanJob) -> None:
    """End the process and remove its folder, scanning nothing (a refresh that fails)."""
    if job.process is not None and job.process.poll() is None:
        job.process.kill()
        job.process.wait()
    shutil.rmtree(job.folder, ignore_errors=True)


def main(folder: str | Path) -> None:
    """The process's work: each grain's scan, kept, then marked done."""
    folder = Path(folder)
    with (folder / "catalog.pickle").open("rb") as fh:
        catalog = pickle.load(fh)  # written by `start` in a folder only this user can read
    for job in json.loads((folder / "job.json").read_text(encoding="utf-8")):
        grain = job["grain"]
        series = pl.read_parquet(folder / f"series-{grain}.parquet")
        scan_and_keep(series, catalog, grain, Path(job["out"]))
        (folder / f"done-{grain}").touch()

