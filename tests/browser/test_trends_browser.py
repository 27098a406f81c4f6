"""A supervisor's Monday in Chromium: What changed, then a chart on the Trends page.

`streamlit run` on a free loopback port, on a copy of the sample database whose monthly
series were built beforehand (as the first visit after an import would build them).
"""

from __future__ import annotations

import shutil

import pytest

from db_support import copy_with_series
from browser_support import SHOTS, doc_shot, serve



pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(series_db, tmp_path_factory):
    db = copy_with_series(series_db, tmp_path_factory.mktemp("trends_browser"))
    with serve(db) as url:
        yield url


def _settled(page) -> None:
    """Wait until the app has finished running, and move the pointer off the chart."""
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=180_000)
    page.mouse.move(5, 5)


def test_a_supervisor_goes_from_what_changed_to_a_chart_and_downloads_it(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(app_url)
    page.get_by_role("heading", name="Scorecard").wait_for(timeout=180_000)

    # What changed, for one unit: the summary line, then the visits card
    page.get_by_role("link", name="What changed").click()
    page.get_by_role("heading", name="What changed").wait_for(timeout=180_000)
    page.get_by_text("signals in the last 6 months").wait_for(timeout=180_000)
    chooser = page.get_by_role("combobox", name="Whose signals")
    chooser.click()
    chooser.fill("Alder Creek Family Services 2")
    page.get_by_role("option", name="Unit: Alder Creek Family Services 2").click()
    page.wait_for_url("**unit=U012**", timeout=180_000)
    # the card of this run: the one whose link is to the chosen unit's chart (until the run
    # for the new unit ends, the previous unit's cards are still on the page)
    card = page.locator("[class*='st-key-concern-']").filter(
        has_text="Monthly caseworker visits").filter(
        has=page.locator("a[href*='group=U012']")).first
    card.wait_for(timeout=180_000)
    _settled(page)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "what_changed.png"), full_page=True)
    sentence = card.get_by_test_id("stMarkdownContainer").nth(1).inner_text().split("\n")[0]
    sentence = sentence.lstrip("▼▲◆ ").strip()
    card.get_by_role("link", name="Open the chart").click()

    # Trends: the same signal, said in one sentence, under its chart
    page.get_by_role("heading", name="Trends").wait_for(timeout=180_000)
    page.get_by_test_id("stVegaLiteChart").first.wait_for(timeout=180_000)
    assert "id=V1" in page.url and "group=U012" in page.url
    page.get_by_role("listitem").filter(has_text=sentence).first.wait_for(timeout=180_000)
    page.get_by_text("How to read this").first.wait_for()
    _settled(page)
    page.screenshot(path=str(SHOTS / "trends.png"), full_page=True)
    shutil.copy(SHOTS / "trends.png", doc_shot("trends.png"))

    # switch to the unit's region: the URL follows, a new chart is drawn
    page.get_by_test_id("stRadio").filter(has_text="Whose figures").get_by_text(
        "A region", exact=True).click()
    page.wait_for_url("**by=region**", timeout=180_000)
    page.get_by_test_id("stSelectbox").filter(has_text="Region").wait_for(timeout=180_000)
    page.get_by_test_id("stVegaLiteChart").first.wait_for(timeout=180_000)
    page.get_by_role("heading", name="Signals").wait_for()
    _settled(page)
    page.screenshot(path=str(SHOTS / "trends_region.png"), full_page=True)

    # the chart as a PNG, rendered by the server
    with page.expect_download(timeout=180_000) as download:
        page.get_by_role("button", name="Download the chart (PNG)").click()
    target = SHOTS / "trends_download.png"
    download.value.save_as(target)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.close()
