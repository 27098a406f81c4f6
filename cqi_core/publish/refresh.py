"""Everything derived from one data version, built once after each import, so no visitor
pays for it (`python -m cqi_core refresh`, run by every import, the app's first set-up and
the nightly job).

A refresh builds, in order: the theme suggestions of every excerpt under the codebook in
force (`analysis.qualitative.coding.build_suggestions`), which the publication's theme
counts, Voices, Case reviews, the Codebook and Bright spots read instead of matching every
text again; the monthly and the quarterly trend series of every measure for the agency, each
region and each unit (`analysis.trends.build_series`, kept beside the database for this data
version), which What changed, Trends, Bright spots and the unit profile read; the public
publication (`build_publication`), while a process of its own looks for the strongest recent
signal of every monthly and quarterly chart (`publish.scan_job`, which What changed and
Bright spots read: it needs the series, not the database, and would otherwise keep one core
busy on its own for several seconds); and every measure's latest figures for the agency,
each region and each unit (`indicators.latest.build_latest`), which the scorecard, the unit
profile and the presentation read. Measures counted by calendar month (`by_month` in
indicators/config.yaml) count each month once for all of these
(`indicators.engine.shared_months`) and add the months up for each period; the latest figures
are taken from the publication's 12-month periods where they are the same. While it runs it
writes how far it has got to a small status file beside the database
(`<database>.cache/refresh.json`), so a page that needs a series not built yet can say
"being refreshed" with the progress instead of building it a second time for its visitor.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from cqi_core.analysis.qualitative.coding import build_suggestions
from cqi_core.analysis.trends import GRAINS, build_series
from cqi_core.indicators.engine import shared_months
from cqi_core.indicators.latest import build_latest
from cqi_core.privacy import Handle, PublicationInfo, full
from cqi_core.publish import scan_job
from cqi_core.publish.build import build_publication, import_then
from cqi_core.storage.facts import as_of_date, content_version
from cqi_core.storage.kept import kept_path
from cqi_core.storage.store import Store

Progress = Callable[[str, float], None]

STALE_AFTER = timedelta(minutes=10)
"""A refresh on another machine that has written no progress for this long has stopped."""

STEPS = ("the theme suggestions", *(f"the {grain}ly trend series" for grain in GRAINS),
         "the public figures", "the recent changes", "the latest figures")
"""What a refresh builds, in order (the names its progress messages use); the recent changes
are looked for beside the public figures."""
_SHARE = {"the theme suggestions": 0.08, "the monthly trend series": 0.13,
          "the quarterly trend series": 0.07, "the public figures": 0.65,
          "the recent changes": 0.02, "the latest figures": 0.05}
"""Each step's share of the progress bar (roughly its share of the time at state size; the
recent changes' share is what is left to wait for once the public figures are built)."""


@dataclass(frozen=True)
class RefreshInfo:
    """What one refresh built."""

    version: str
    """The data version it was built for (`storage.facts.content_version`)."""
    publication: PublicationInfo | None
    """The publication, or None when the database holds no data yet."""
    series_rows: dict[str, int]
    """Rows of each grain's trend series."""
    seconds: dict[str, float]
    """Seconds each step took, by step name (the recent changes: from their start, beside the
    public figures, until they were kept)."""


@dataclass(frozen=True)
class RefreshStatus:
    """How far a refresh of the current data version has got."""

    version: str
    message: str
    fraction: float
    started: str
    finished: str | None
    """When it ended (ISO time), or None while it runs."""
    pid: int
    written: str = ""
    """When it last wrote its progress (ISO time)."""
    host: str = ""
    """The machine (container) the refresh runs on: its process id means something only there."""

    @property
    def running(self) -> bool:
        """True while the process that writes this status is still at work on it. From another
        machine (the nightly import in its own container) the process cannot be asked, so a
        refresh that has not finished counts as running for at most `STALE_AFTER` since it
        last wrote its progress."""
        if self.finished is not None:
            return False
        if self.host == socket.gethostname():
            return _alive(self.pid)
        try:
            written = datetime.fromisoformat(self.written or self.started)
        except ValueError:
            return False
        return datetime.now() - written < STALE_AFTER


def status_file(store: Store | Handle) -> Path:
    """Where a refresh of this database writes how far it has got."""
    path = full(store).path
    return kept_path(path, "refresh.json")


def refresh(store: Store | Handle, progress: Progress | None = None) -> RefreshInfo:
    """Build everything derived from the database's current data version (see the module
    docstring), reporting progress as (message, fraction done).

    Returns:
        What was built, with each step's time.
    """
    store = full(store)
    say = progress or (lambda message, fraction: None)
    version = content_version(store)
    started = datetime.now().isoformat(timespec="seconds")
    record = _Recorder(status_file(store), version, started)
    seconds: dict[str, float] = {}
    done = 0.0

    def step(name: str) -> Progress:
        share = _SHARE[name]

        def report(message: str, fraction: float) -> None:
            text = f"Building {name}: {message}"
            at = done + share * min(max(fraction, 0.0), 1.0)
            say(text, at)
            record.write(text, at)
        return report

    def timed(name: str, build: Callable[[], object]) -> object:
        nonlocal done
        t = time.perf_counter()
        out = build()
        seconds[name] = round(time.perf_counter() - t, 2)
        done += _SHARE[name]
        return out

    publication, rows = None, {}
    if as_of_date(store) is not None:
        with shared_months():  # measures counted by month count each month once
            def suggestions() -> None:
                step("the theme suggestions")("reading every narrative and comment and matching "
                                              "every theme of the codebook in it", 0.0)
                build_suggestions(store)
            timed("the theme suggestions", suggestions)
            series = {grain: timed(f"the {grain}ly trend series", lambda g=grain: build_series(
                store, g, progress=step(f"the {g}ly trend series"))) for grain in GRAINS}
            rows = {grain: frame.height for grain, frame in series.items()}
            began = time.perf_counter()
            job = scan_job.start(store, series)
            try:
                publication = timed("the public figures", lambda: build_publication(
                    store, progress=step("the public figures")))
                step("the recent changes")("looking for signals in every monthly and "
                                           "quarterly chart", 0.0)
                scan_job.finish(job, store)
            except BaseException:
                scan_job.stop(job)
                raise
            seconds["the recent changes"] = round(time.perf_counter() - began, 2)
            done += _SHARE["the recent changes"]
            timed("the latest figures", lambda: build_latest(
                store, progress=step("the latest figures")))
    record.write("Everything is up to date.", 1.0, finished=True)
    say("Everything is up to date.", 1.0)
    return RefreshInfo(version, publication, rows, seconds)


def refresh_status(store: Store | Handle) -> RefreshStatus | None:
    """The refresh of the database's current data version, if one has started (running or
    finished); None when none has, or the status file is unreadable."""
    try:
        raw = json.loads(status_file(store).read_text(encoding="utf-8"))
        found = RefreshStatus(**raw)
    except (OSError, ValueError, TypeError):
        return None
    return found if found.version == content_version(full(store)) else None


def import_and_refresh(store: Store | Handle, paths, progress: Progress | None = None,
                       **options):
    """Import files (`ingest.import_files`, same options) and, when the batch lands, refresh
    everything derived from the new data (until its publication is built, public audiences
    are refused rather than shown figures of the old data).

    Returns:
        The import's result.
    """
    return import_then(store, paths, lambda s, say: refresh(s, progress=say), 0.4, progress,
                       **options)


class _Recorder:
    """Writes the status file, at most a few times a second (a series reports every period),
    and never fails the refresh: a read-only folder only means pages cannot show progress."""

    def __init__(self, path: Path, version: str, started: str) -> None:
        self.path, self.version, self.started, self.last = path, version, started, 0.0

    def write(self, message: str, fraction: float, finished: bool = False) -> None:
        now = time.monotonic()
        if not finished and now - self.last < 0.25:
            return
        self.last = now
        body = {"version": self.version, "message": message, "fraction": round(fraction, 3),
                "started": self.started, "pid": os.getpid(), "host": socket.gethostname(),
                "written": datetime.now().isoformat(timespec="seconds"),
                "finished": datetime.now().isoformat(timespec="seconds") if finished else None}
        try:
            self.path.parent.mkdir(exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(body), encoding="utf-8")
            tmp.replace(self.path)  # a reader sees the old status or the new, never half
        except OSError:
            pass


def _alive(pid: int) -> bool:
    """True when a process with this id exists (a refresh killed midway leaves a status that
    never finishes: it must not say "being refreshed" for ever)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, run by another user
        return True
    return True
