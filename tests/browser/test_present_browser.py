"""A stakeholder meeting in Chromium: presentation mode shared at 1280×720.

`streamlit run` pinned to the stakeholder audience (CQI_AUDIENCE), as a deployment for a
public meeting is, on a copy of the sample database. The presenter collapses the sidebar,
moves forward and back through the headline deck, and downloads the meeting pack. The two
screens are kept as docs/screenshots/presentation_1.png and presentation_2.png (rewritten
only with CQI_REFRESH_SCREENSHOTS=1; otherwise under test-results/docs/).
"""

from __future__ import annotations

import shutil

import pytest

from browser_support import SHOTS, doc_shot, serve

SCREEN = {"width": 1280, "height": 720}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(sample_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("present_browser") / "cqi.duckdb"
    shutil.copy(sample_db, db)
    with serve(db, env={"CQI_AUDIENCE": "stakeholder"}) as url:
        yield url


def _settled(page) -> None:
    """Wait until the run has drawn the whole page and no element of the previous slide is
    left, then move the pointer off the chart. (The status widget appears only once a run
    has lasted a moment, and a click on a stale element is lost, so neither alone will do.)"""
    # While a run replaces the slide, the old and the new copy of the expander both exist.
    page.get_by_test_id("stExpander").filter(has_text="Meeting pack").first.wait_for(timeout=180_000)
    page.wait_for_function("document.querySelectorAll('[data-stale=\"true\"]').length === 0",
                           timeout=180_000)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=180_000)
    page.get_by_test_id("stVegaLiteChart").first.wait_for(timeout=180_000)
    page.mouse.move(640, 715)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / name))
    shutil.copy(SHOTS / name, doc_shot(name))


def test_a_presenter_moves_through_the_headline_deck_and_takes_the_pack(app_url, browser):
    page = browser.new_page(viewport=SCREEN, accept_downloads=True)
    page.goto(f"{app_url}/present")
    page.get_by_text("1 of 12", exact=True).wait_for(timeout=180_000)
    _settled(page)
    sidebar = page.get_by_test_id("stSidebar")
    if sidebar.get_attribute("data-collapsed") == "false":  # a presenter shares the slide only
        sidebar.hover()
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        page.wait_for_function("document.querySelector('[data-testid=stSidebar]')"
                               ".getAttribute('data-collapsed') === 'true'")
        page.reload()  # the chart is drawn again across the whole width; the sidebar stays shut
        page.get_by_text("1 of 12", exact=True).wait_for(timeout=180_000)
    assert "slide=1" in page.url and "deck=default" in page.url
    page.get_by_text("In the 12 months to").first.wait_for()
    _settled(page)
    _shot(page, "presentation_1.png")

    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**slide=2**", timeout=180_000)
    page.get_by_text("2 of 12", exact=True).wait_for(timeout=180_000)
    page.get_by_text("by region").first.wait_for(timeout=180_000)
    _settled(page)
    _shot(page, "presentation_2.png")

    page.get_by_role("button", name="Previous").click()
    page.wait_for_url("**slide=1**", timeout=180_000)
    page.get_by_text("1 of 12", exact=True).wait_for(timeout=180_000)
    assert page.get_by_role("button", name="Previous").is_disabled()

    # the whole deck as one file that opens offline
    _settled(page)
    page.get_by_test_id("stExpander").filter(has_text="Meeting pack").locator("summary").click()
    with page.expect_download(timeout=300_000) as download:
        page.get_by_role("button", name="Download the meeting pack (HTML)").click()
    target = SHOTS / "meeting_pack.html"
    download.value.save_as(target)
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Definitions" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html
    page.close()
