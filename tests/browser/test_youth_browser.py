"""A youth advisory board's visit in Chromium: a deployment pinned to the youth audience
(`CQI_AUDIENCE=youth` in the server's environment), the three youth pages clicked through
from the navigation, an area with small numbers chosen, and the screenshots for the docs.

`streamlit run` on a free loopback port, on a copy of the sample database in which an
analyst approved two young people's comments for sharing.
"""

from __future__ import annotations

import shutil
from datetime import date

import polars as pl
import pytest
from playwright.sync_api import expect

from browser_support import doc_shot, serve, settle
from cqi_core import open_store, privacy
from cqi_core.analysis import qualitative
from cqi_core.analysis import youth
from pages._nav import PAGES
from public_scan import small_counts

TEXT = youth.load_youth_text()
NAV = {file: title for pages in PAGES.values() for file, title, *_ in pages}
"""Page file -> its link in the navigation."""

pytestmark = pytest.mark.browser
APPROVED: list[str] = []
"""The comments the fixture approved for sharing, as young people may read them."""


@pytest.fixture(scope="module")
def app_url(sample_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("youth_browser") / "cqi.duckdb"
    shutil.copy(sample_db, db)
    store = open_store(db)
    # The year before the latest published one: its biggest youth themes are shown as shares
    # (the latest year's are all ten comments or fewer, so named without numbers).
    start, end = date(2024, 10, 1), date(2025, 9, 30)
    coded = qualitative.coded_excerpts(store, start, end, ["feedback"])
    # The two themes raised most whose youth counts the publication shows (a theme whose
    # count is hidden is named without a share, and so without a quote).
    shown = qualitative.themes(youth._as_youth(store), start, end, "source_group").filter(
        (pl.col("group_value") == "youth") & pl.col("sources").is_not_null()
        & (pl.col("code") != privacy.ALL_TEXT) & pl.col("code").is_in(list(TEXT.themes)))
    codes = shown.sort("sources", "code", descending=[True, False])["code"].to_list()[:2]
    assert len(codes) == 2, shown
    picked: list[str] = []
    for code in codes:
        pick = (coded.filter((pl.col("source_group") == "youth") & (pl.col("code") == code)
                             & ~pl.col("text").str.contains(r"\d")
                             & ~pl.col("excerpt_id").is_in(picked))
                .sort("date", "excerpt_id", descending=True).row(0, named=True))
        qualitative.approve_for_sharing(store, pick["excerpt_id"], pick["text_hash"],
                                        "browser test")
        picked.append(pick["excerpt_id"])
        APPROVED.append(qualitative.redact(pick["text"], qualitative.sharing.agency_words(store)))
    store.close()
    with serve(db, env={"CQI_AUDIENCE": "youth"}) as url:
        yield url


def _settled(page) -> None:
    """Wait until the app has finished running, and move the pointer out of the way."""
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=180_000)
    page.mouse.move(5, 5)


def _words(page) -> str:
    """The page's text, a chart's lines of words read as separate words (as a screen reader
    reads its SVG lines), not run together ("for" + "every" as "forevery")."""
    page.evaluate("document.querySelectorAll('[data-testid=stMain] svg text tspan')"
                  ".forEach(t => { if (!t.textContent.endsWith(' ')) t.textContent += ' '; })")
    return page.get_by_test_id("stMain").inner_text()


def test_a_young_person_reads_the_youth_pages(app_url, browser):
    # 1280 wide, as a shared screen; tall, so the whole page fits in one screenshot
    page = browser.new_page(viewport={"width": 1280, "height": 3600})
    page.goto(app_url)
    page.get_by_role("link", name=NAV["youth_home.py"]).click(timeout=180_000)
    page.get_by_role("heading", name=TEXT["home"]["title"]).wait_for(timeout=180_000)
    charts = page.get_by_test_id("stVegaLiteChart")
    for m in TEXT.measures:
        page.get_by_role("heading", name=m.name).wait_for(timeout=180_000)
    charts.nth(len(TEXT.measures) - 1).wait_for(timeout=180_000)
    _settled(page)
    main = _words(page)
    assert "Demo mode" not in page.content()
    assert small_counts(main) == [], small_counts(main)
    page.screenshot(path=str(doc_shot("youth_home.png")), full_page=True)

    # an area whose small numbers are hidden: the card says so in words
    page.get_by_role("combobox", name=TEXT["home"]["area_label"]).click()
    page.get_by_role("option", name="High Plains").click()
    page.get_by_text(youth.fill(TEXT["home"]["area_note"], area="High Plains")).wait_for(
        timeout=180_000)
    page.get_by_text(TEXT.hidden).first.wait_for(timeout=180_000)
    _settled(page)
    assert small_counts(_words(page)) == []

    page.get_by_role("link", name=NAV["youth_voices.py"]).click()
    page.get_by_role("heading", name=TEXT["voices"]["title"]).wait_for(timeout=180_000)
    page.get_by_role("heading", name=TEXT["voices"]["quotes_title"]).wait_for(timeout=180_000)
    _settled(page)
    # The year shown is named on the page: waiting for that line to change waits for the
    # rerun of the new choice itself, not for the old page that is still on screen.
    period = page.get_by_text(TEXT["voices"]["period"].split("{")[0].strip()).first
    before = period.inner_text()
    page.get_by_role("combobox", name=TEXT["voices"]["span_label"]).click()
    page.get_by_role("option", name=TEXT.spans[1]).click()
    expect(period).not_to_have_text(before, timeout=180_000)
    # the new run under way: wait until none of the old page is left, then for its quotes
    settle(page)
    charts.first.wait_for(timeout=180_000)
    page.get_by_text("This came up in").first.wait_for(timeout=180_000)
    page.locator("blockquote").first.wait_for(timeout=180_000)
    _settled(page)
    quotes = [q.inner_text() for q in page.locator("blockquote").all()]
    # only approved comments, each once, and at least one of them beside its theme
    assert 1 <= len(quotes) <= 2 and len(set(quotes)) == len(quotes)
    assert all(" ".join(q.split()) in {" ".join(a.split()) for a in APPROVED} for q in quotes)
    _settled(page)
    assert small_counts(_words(page)) == []
    page.screenshot(path=str(doc_shot("youth_voices.png")), full_page=True)

    page.get_by_role("link", name=NAV["youth_words.py"]).click()
    page.get_by_role("heading", name=TEXT["words"]["title"]).wait_for(timeout=180_000)
    for word, _ in youth.glossary():
        page.get_by_text(f"{word}:", exact=False).first.wait_for(timeout=60_000)
    page.close()
