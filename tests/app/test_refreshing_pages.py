"""A page that needs the trend series while the refresh after an import is still building
them shows the refresh's progress and waits, instead of building them a second time."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_support import as_viewer

import cqi_core
from cqi_core.analysis import trends
from cqi_core.storage.facts import content_version

ROOT = Path(__file__).resolve().parents[2]


def _status(db: Path, **fields) -> None:
    """Write the status file a refresh of `db` writes, as it would mid-way."""
    store = cqi_core.open_store(db, read_only=True)
    body = {"version": content_version(store), "started": "2026-12-06T10:00:00",
            "message": "Building the monthly trend series: Computed 12 of 48 months",
            "fraction": 0.55, "finished": None, "pid": os.getpid(),
            "host": socket.gethostname(), **fields}
    store.close()
    cache = db.with_name(db.name + ".cache")
    cache.mkdir(exist_ok=True)
    (cache / "refresh.json").write_text(json.dumps(body), encoding="utf-8")


def _what_changed(monkeypatch, db: Path) -> AppTest:
    as_viewer(monkeypatch, "analyst")
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    return at.switch_page("pages/views/what_changed.py").run()


def test_what_changed_shows_a_running_refresh_and_builds_nothing(monkeypatch, sample_db_copy):
    # The sample copy has no series beside it; a refresh of this very data version is at
    # work (its process, this one, is alive): the page must wait for it, not build them.
    _status(sample_db_copy)
    monkeypatch.setattr(cqi_core, "build_series", _no_build)
    monkeypatch.setattr(trends, "build_series", _no_build)  # what the scan would read
    at = _what_changed(monkeypatch, sample_db_copy)
    assert not at.exception
    assert any("being refreshed after the latest import" in i.value for i in at.info)
    bars = at.get("progress")
    assert bars and bars[0].proto.value == 55  # 0.55 as Streamlit's percent
    assert "Computed 12 of 48 months" in bars[0].proto.text


def test_a_refresh_whose_process_died_does_not_hold_the_page(monkeypatch, sample_db_copy):
    # A process id that has ended: the status is stale, the page builds its series itself.
    import subprocess
    import sys
    gone = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True).stdout)
    _status(sample_db_copy, pid=gone)
    calls = []
    real = trends.build_series
    monkeypatch.setattr(trends, "build_series", lambda *a, **k: calls.append(a[1:]) or real(*a, **k))
    at = _what_changed(monkeypatch, sample_db_copy)
    assert not at.exception
    assert not any("being refreshed" in i.value for i in at.info)
    assert calls  # built here, as before the refresh existed


def _no_build(*args, **kwargs):
    raise AssertionError("the page built the series although a refresh was building them")
