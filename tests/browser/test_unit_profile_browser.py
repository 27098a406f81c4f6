"""The Unit profile in Chromium, as a person uses it: opened from a link to one unit, its
joint display read, then another unit chosen.

`streamlit run` on a free loopback port, on a copy of the sample database whose monthly
series were built beforehand (as the first visit after an import would build them). The
page is reached at its own address, /unit?unit=U012, as a link from an e-mail or
the What changed page would reach it.
"""

from __future__ import annotations

import re

import pytest

from db_support import copy_with_series
from browser_support import SHOTS, doc_shot, serve


LABELS = re.compile(r"(Confirming|Expanding|Discordant|Not enough data)")
PAIRS = ("stability", "visits", "permanency", "investigations", "reentry", "safety")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(series_db, tmp_path_factory):
    db = copy_with_series(series_db, tmp_path_factory.mktemp("profile_browser"))
    with serve(db) as url:
        yield url


def _settled(page) -> None:
    """Wait until the app has finished running (a click during a rerun can be lost)."""
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=180_000)
    page.mouse.move(5, 5)


def _findings(page) -> dict[str, str]:
    """Each pair's finding box (key pair-<id>) and the text it shows."""
    out = {}
    for pair in PAIRS:
        box = page.locator(f".st-key-pair-{pair}")
        box.wait_for(timeout=180_000)
        assert box.is_visible()
        out[pair] = box.inner_text()
    return out


def test_a_person_reads_the_joint_display_and_switches_units(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(app_url)   # the server's first run registers the pages of the router
    page.get_by_role("link", name="Scorecard").wait_for(timeout=180_000)
    page.goto(f"{app_url}/unit?unit=U012")
    page.get_by_role("heading", name="Unit profile").wait_for(timeout=180_000)
    page.get_by_role("heading", name="Alder Creek Family Services 2 · River Valley").wait_for(
        timeout=180_000)

    # The joint display: the chart, and under it every pair's fit in words.
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=180_000)
    first = _findings(page)
    assert all(LABELS.search(text) for text in first.values()), first
    assert "Placement stability" in first["stability"]
    _settled(page)
    page.screenshot(path=str(doc_shot("unit_profile.png")))
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "unit_profile_full.png"), full_page=True)

    # Another unit, chosen as a person would: the profile and the address follow.
    chooser = page.get_by_role("combobox", name="Unit")
    chooser.click()
    chooser.fill("North Metro Permanency 2")
    page.get_by_role("option", name="North Metro Permanency 2 (U003)").click()
    page.get_by_role("heading", name="North Metro Permanency 2 · North Metro").wait_for(
        timeout=180_000)
    page.wait_for_url("**unit=U003**", timeout=180_000)
    _settled(page)
    second = _findings(page)
    assert all(LABELS.search(text) for text in second.values()), second
    assert second != first
    page.screenshot(path=str(SHOTS / "unit_profile_switched.png"))
    page.close()
