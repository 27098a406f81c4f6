"""A supervisor's path through the Case reviews page in Chromium: `streamlit run` on a free
loopback port with a fresh database (the sample agency loads), open Case reviews from the
navigation, narrow it to foster care cases, read the item × unit heatmap and search the
narratives."""

from __future__ import annotations

import re

import pytest

from browser_support import SHOTS, serve, open_from_navigation
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    db = tmp_path_factory.mktemp("browser_reviews") / "cqi.duckdb"
    with serve(db) as url:
        yield url


def _settled(page) -> None:
    """Wait until the app has finished its run (a click during a rerun can be lost)."""
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=180_000)


def _open_tab(page, name: str, shows) -> None:
    """Click a tab until what it shows is visible (a rerun may replace the tab bar)."""
    for _ in range(3):
        _settled(page)
        page.get_by_role("tab", name=name).click()
        try:  # only a visible match counts: a rerun may leave a hidden copy in the page
            shows.filter(visible=True).first.wait_for(timeout=60_000)
            return
        except PlaywrightTimeout:
            continue
    shows.filter(visible=True).first.wait_for(timeout=60_000)


def _reviewed(page) -> int:
    metric = page.get_by_test_id("stMetric").filter(has_text="Cases reviewed")
    return int(re.sub(r"\D", "", metric.get_by_test_id("stMetricValue").inner_text()))


def test_a_person_narrows_case_reviews_to_foster_care_and_reads_heatmap_and_narratives(app_url, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(app_url)
    page.get_by_test_id("stMetric").first.wait_for(timeout=180_000)   # first run loads the sample
    open_from_navigation(page, "Case reviews")
    page.get_by_role("heading", name="Case reviews").wait_for(timeout=120_000)
    page.get_by_test_id("stMetric").filter(has_text="Cases reviewed").wait_for(timeout=120_000)
    before = _reviewed(page)

    # Change a filter: only foster care cases.
    page.get_by_test_id("stMultiSelect").filter(has_text="Case type").click()
    page.get_by_role("option", name="Foster care").click()
    page.keyboard.press("Escape")
    page.wait_for_function(
        """(before) => {
            const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
                .find(e => e.innerText.includes('Cases reviewed'));
            return m && parseInt(m.querySelector('[data-testid="stMetricValue"]').innerText.replace(/\\D/g, '')) < before;
        }""", arg=before, timeout=120_000)
    after = _reviewed(page)
    assert 0 < after < before

    # The item × unit heatmap, with its title and how-to-read line.
    _settled(page)
    _open_tab(page, "Items by unit", page.get_by_text("Each cell is one unit's reviews of one item"))
    heatmap = page.locator("[data-testid='stVegaLiteChart']:visible").first
    heatmap.wait_for(timeout=180_000)
    assert heatmap.bounding_box()["height"] > 600               # a row per unit, not squeezed
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "case_reviews_page.png"))
    heatmap.screenshot(path=str(SHOTS / "case_reviews_heatmap.png"))

    # The narratives: one page of them, then a search narrows the list.
    _open_tab(page, "Narratives", page.get_by_role("heading", name="Narratives"))
    panel = page.locator("[data-testid='stTabPanel']:visible").first
    caption = panel.get_by_text(re.compile(r"texts; 20 a page"))
    caption.wait_for(timeout=180_000)
    total = int(re.sub(r"\D", "", caption.inner_text().split("texts")[0]))
    page.get_by_label("Search the narratives").fill("caseworker")
    page.get_by_label("Search the narratives").press("Enter")
    page.wait_for_function(
        """(total) => {
            const c = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
                .find(e => e.offsetParent !== null && e.innerText.includes('texts; 20 a page'));
            return c && parseInt(c.innerText.split('texts')[0].replace(/\\D/g, '')) < total;
        }""", arg=total, timeout=180_000)
    panel.locator("[data-testid='stDataFrame']").first.wait_for(timeout=180_000)
    panel.screenshot(path=str(SHOTS / "case_reviews_narratives.png"))
    page.close()
