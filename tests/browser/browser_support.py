"""What the browser tests share: the Chromium flags and a `streamlit run` server on a free
loopback port for a given database file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = ROOT / "test-results"
REFRESH_SCREENSHOTS = "CQI_REFRESH_SCREENSHOTS"
"""Set to 1 to rewrite the screenshots the documentation shows (docs/screenshots/)."""


def doc_shot(name: str) -> Path:
    """Where a screenshot the documentation shows is written: docs/screenshots/ only when
    CQI_REFRESH_SCREENSHOTS=1 asks to refresh the committed ones, else test-results/docs/
    (not tracked), so an ordinary test run leaves the working tree as it found it."""
    refresh = os.environ.get(REFRESH_SCREENSHOTS, "").strip() == "1"
    folder = ROOT / "docs" / "screenshots" if refresh else SHOTS / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


_PORTS = 2000
"""Ports each test worker may use, below the system's ephemeral range (32768 and up)."""
_next_port = [0]


def _free_port() -> int:
    """A free loopback port from this worker's own range (`PYTEST_XDIST_WORKER`, gw0, gw1,
    …), so two workers running the suite side by side never pick the same one; the next
    port of the range each time (one that a stopped server left in TIME_WAIT is skipped)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    base = 20000 + _PORTS * (int(worker) if worker.isdigit() else 0)
    for _ in range(_PORTS):
        port = base + _next_port[0] % _PORTS
        _next_port[0] += 1
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port from {base} to {base + _PORTS - 1}")


@dataclass(frozen=True)
class Server:
    """A running app: its URL, and the file its output goes to (removed when it stops)."""

    url: str
    log: Path

    def log_text(self) -> str:
        """Everything the server has written so far (warnings, tracebacks)."""
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def serve(db: Path, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """Run the app on `db` (created from the sample when missing); yields its URL.
    `env` adds to the server's environment (e.g. CQI_AUDIENCE=youth). A test that reads
    the server's output takes `running` instead."""
    with running(db, env) as server:
        yield server.url


@contextmanager
def running(db: Path, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """`serve`, yielding the `Server`, so a test can read the server's log before it stops.

    The server writes to a log file, never to a pipe: a pipe that nobody reads fills up
    after 64 KB of warnings and then blocks the server mid-run, which is how a browser test
    used to hang. Readiness is asked of the server's own health endpoint."""
    port = _free_port()
    env = {**os.environ, **(env or {}), "CQI_DB": str(db)}
    log_path = Path(tempfile.mkstemp(prefix="streamlit-", suffix=".log")[1])
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [sys.executable, "scripts/serve.py", "--server.headless=true",
             f"--server.port={port}", "--server.address=127.0.0.1",
             "--browser.gatherUsageStats=false"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(proc, url, log_path)
        yield Server(url, log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a run still busy (a chart, a download): stop it
            proc.kill()
            proc.wait(timeout=30)
        log_path.unlink(missing_ok=True)


def _wait_until_healthy(proc: subprocess.Popen, url: str, log_path: Path,
                        attempts: int = 600) -> None:
    """Block until the server answers its health check (each attempt waits on the socket for
    up to a second, so this is bounded), or fail with the server's own output."""
    for _ in range(attempts):
        if proc.poll() is not None:
            pytest.fail("streamlit exited before it was ready:\n"
                        + log_path.read_text(encoding="utf-8", errors="replace")[-4000:])
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            proc_wait(proc)
    pytest.fail("streamlit did not become ready:\n"
                + log_path.read_text(encoding="utf-8", errors="replace")[-4000:])


def proc_wait(proc: subprocess.Popen) -> None:
    """Give a starting server a moment without sleeping blindly: wait on the process itself,
    which returns at once if it exits."""
    try:
        proc.wait(timeout=0.2)
    except subprocess.TimeoutExpired:
        pass


def settle(page, timeout: int = 180_000) -> None:
    """Wait until the current run is over: no element of the previous run is left and the
    running indicator is gone. A click during a rerun can land on an element that is about
    to be replaced (a select's open list closes under the pointer)."""
    page.wait_for_function("document.querySelectorAll('[data-stale=\"true\"]').length === 0",
                           timeout=timeout)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=timeout)


def open_from_navigation(page, name: str) -> None:
    """Click a page's link in the sidebar as a person would: first opening the menu when it
    is folded (Presentation mode folds it), then its "View more" part when the page is among
    the ones it folds away."""
    import re

    unfold = page.get_by_test_id("stExpandSidebarButton")
    if unfold.count() and unfold.first.is_visible():
        unfold.first.click()
    link = page.get_by_role("link", name=name, exact=True)
    more = page.get_by_text(re.compile(r"^View \d+ more$"))
    if not link.is_visible() and more.count():
        more.first.click()
    link.click(timeout=60_000)
