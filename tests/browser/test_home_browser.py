"""A person opens the app in Chromium: `streamlit run` on a free loopback port with a fresh
database, the sample agency loads, and the Home page shows its figures."""

from __future__ import annotations

import pytest

from browser_support import ROOT, SHOTS, open_from_navigation, serve, settle
from sample_facts import expected_home_figures

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    db = tmp_path_factory.mktemp("browser") / "cqi.duckdb"
    with serve(db) as url:
        yield url


def test_home_page_shows_the_sample_agency(app_url, browser):
    want = expected_home_figures()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url)
    # first run: the app builds the database from the sample, then shows the Home page
    metric = page.get_by_test_id("stMetric").filter(has_text="Children in care now")
    metric.wait_for(timeout=180_000)
    assert f"{want['in_care']:,}" in metric.inner_text()
    page.get_by_text(f"The agency as of {want['as_of']:%B} {want['as_of'].day}").wait_for()
    page.get_by_text("Demo mode").first.wait_for()
    page.get_by_text("meet their standard").first.wait_for(timeout=180_000)
    SHOTS.mkdir(exist_ok=True)
    page.get_by_role("combobox", name="Open a measure").wait_for(timeout=180_000)
    page.screenshot(path=str(SHOTS / "scorecard.png"), full_page=True)
    open_from_navigation(page, "Agency overview")
    page.get_by_test_id("stVegaLiteChart").first.wait_for(timeout=180_000)
    page.screenshot(path=str(SHOTS / "home.png"), full_page=True)
    page.close()


def test_a_person_can_open_data_quality_from_the_navigation(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url)
    page.get_by_test_id("stMetric").first.wait_for(timeout=180_000)
    open_from_navigation(page, "Data quality")
    page.get_by_role("heading", name="Data quality").wait_for(timeout=180_000)
    # the checks ran: the records of the first check are listed with a count
    page.get_by_role("heading", name="Flagged records").wait_for(timeout=180_000)
    page.get_by_text("How to read this").first.wait_for()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "data_quality.png"), full_page=True)
    page.close()


def test_an_analyst_uploads_a_file_and_reads_the_validation_report(app_url, browser, tmp_path):
    # Two new caseworkers for unit U001; the second has a month 13 hire date, so the check
    # must reject exactly that row (spreadsheet row 3) and name the value.
    units = (ROOT / "data" / "sample" / "units.csv").read_text(encoding="utf-8")
    unit_id = units.splitlines()[1].split(",")[0]
    f = tmp_path / "workers.csv"
    f.write_text("worker_id,unit_id,role,hire_date,separation_date\n"
                 f"WTEST1,{unit_id},caseworker,2024-03-01,\n"
                 f"WTEST2,{unit_id},caseworker,2024-13-01,\n", encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(app_url)
    page.get_by_test_id("stMetric").first.wait_for(timeout=180_000)
    open_from_navigation(page, "Import data")
    page.get_by_role("heading", name="Import data").wait_for(timeout=180_000)
    page.locator("input[type=file]").set_input_files(str(f))
    page.get_by_text("workers.csv → workers").wait_for(timeout=180_000)
    page.get_by_role("button", name="Check the files (nothing is saved)").click()
    page.get_by_text("Dry run: nothing was written").wait_for(timeout=180_000)
    page.get_by_text("Rejected rows: 1 row, 1 problem").wait_for()
    page.get_by_text("workers.csv row 3, column hire_date").wait_for()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "import_check.png"), full_page=True)
    page.close()


def test_a_supervisor_opens_a_measure_from_the_scorecard(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url)
    page.get_by_role("heading", name="Scorecard").wait_for(timeout=180_000)
    page.get_by_text("meet their standard").first.wait_for(timeout=180_000)
    settle(page)
    # choose a measure and follow its link to the indicator page
    chooser = page.get_by_role("combobox", name="Open a measure")
    chooser.click(timeout=180_000)
    chooser.fill("Monthly caseworker")
    page.get_by_role("option", name="Monthly caseworker visits").first.wait_for(timeout=180_000)
    page.keyboard.press("Enter")  # the first option that matches what was typed
    settle(page)
    page.get_by_role("link", name="Open “Monthly caseworker visits”").click()
    page.get_by_role("heading", name="Monthly caseworker visits").wait_for(timeout=180_000)
    page.get_by_text("How it is calculated").wait_for(timeout=180_000)
    assert "id=V1" in page.url
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "indicator_v1.png"), full_page=True)
    page.close()
