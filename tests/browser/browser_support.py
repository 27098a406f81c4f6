"""What the browser tests share: the Chromium flags and a `streamlit run` server on a free
loopback port for a given database file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = ROOT / "test-results"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(db: Path, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """Run the app on `db` (created from the sample when missing); yields its URL.
    `env` adds to the server's environment (e.g. CQI_AUDIENCE=youth)."""
    port = _free_port()
    env = {**os.environ, **(env or {}), "CQI_DB": str(db)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1",
         "--browser.gatherUsageStats=false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in proc.stdout:  # wait until the server says it is listening
            if f":{port}" in line:
                break
        else:
            pytest.fail("streamlit exited before it was ready")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a run still busy (a chart, a download): stop it
            proc.kill()
            proc.wait(timeout=30)


def dismiss_page_not_found(page) -> None:
    """Close Streamlit's "Page not found" notice, which a link opened as a session's very
    first request can show over the (correctly drawn) page."""
    notice = page.get_by_role("dialog").filter(has_text="Page not found")
    if notice.count():
        page.keyboard.press("Escape")
        notice.wait_for(state="hidden", timeout=30_000)


def open_from_navigation(page, name: str) -> None:
    """Click a page's link in the sidebar as a person would, first opening the "View more"
    part of the menu when the page is among the ones it folds away."""
    import re

    link = page.get_by_role("link", name=name, exact=True)
    more = page.get_by_text(re.compile(r"^View \d+ more$"))
    if not link.is_visible() and more.count():
        more.first.click()
    link.click(timeout=60_000)
