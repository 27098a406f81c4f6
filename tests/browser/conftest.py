"""The Chromium every browser test drives (Debian's, with the project's flags)."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import CHROMIUM, FLAGS


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test.sh, which installs it")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()
