"""Signed in through a trusted proxy, in Chromium: a supervisor of one unit and an analyst
open every page their audience is served, and people open pages of other audiences.

`streamlit run` with the proxy's header names set (CQI_PROXY_*_HEADER), as a deployment
behind a sign-in proxy runs, on a copy of the sample database whose monthly series were
built beforehand. Each person is a browser context of their own (Streamlit keeps who is
looking per session), whose every request carries the headers the proxy would add. The
server's log is read at the end of each test: a page that asked for the session or the
request from a worker thread leaves a "missing ScriptRunContext" warning there.
"""

from __future__ import annotations

import pytest

from db_support import copy_with_series
from browser_support import ROOT, SHOTS, open_from_navigation, running, settle

from pages import _nav

pytestmark = pytest.mark.browser

LONG = 180_000
PROXY = {"CQI_PROXY_USER_HEADER": "X-Forwarded-User",
         "CQI_PROXY_ROLE_HEADER": "X-Forwarded-Role",
         "CQI_PROXY_UNITS_HEADER": "X-Forwarded-Units"}
UNIT = "U012"  # Alder Creek Family Services 2 in the sample agency
PEOPLE = {
    "supervisor": {"X-Forwarded-User": "sam.rivera@agency.example",
                   "X-Forwarded-Role": "supervisor", "X-Forwarded-Units": UNIT},
    "analyst": {"X-Forwarded-User": "ana.lopez@agency.example", "X-Forwarded-Role": "analyst"},
    "stakeholder": {"X-Forwarded-User": "pat.lee@partner.example",
                    "X-Forwarded-Role": "stakeholder"},
}
SIGNED_IN = {
    "supervisor": f"Signed in as sam.rivera@agency.example (supervisor, units {UNIT})",
    "analyst": "Signed in as ana.lopez@agency.example (analyst)",
    "stakeholder": "Signed in as pat.lee@partner.example (stakeholder)",
}
# Pages whose heading is not their menu title: it names what the page shows first.
HEADINGS = {"indicator.py": "Maltreatment in foster care", "present.py": "Headline measures",
            "youth_home.py": "How young people in care are doing"}


@pytest.fixture(scope="module")
def server(series_db, tmp_path_factory):
    db = copy_with_series(series_db, tmp_path_factory.mktemp("proxy_signin_browser"))
    with running(db, env=PROXY) as s:
        yield s


def _person(browser, role: str):
    """A browser context whose every request carries `role`'s proxy headers."""
    return browser.new_context(extra_http_headers=PEOPLE[role], accept_downloads=True,
                               viewport={"width": 1400, "height": 1000})


def _finished(page) -> None:
    """Wait until the app's run is over: Streamlit says so on its root element, and nothing
    of a previous run is left (see `settle`)."""
    page.wait_for_function("document.querySelector('[data-testid=stApp]')"
                           "?.dataset.testScriptState === 'notRunning'", timeout=LONG)
    settle(page, timeout=LONG)


def _heading(page, text: str):
    return page.get_by_test_id("stMain").get_by_role("heading", name=text, exact=True,
                                                     level=1)


def _problems(page, role: str, title: str, heading: str) -> list[str]:
    """What is wrong with the page on screen, in words (nothing when all is well)."""
    where = f"{role} on {title!r}"
    out = []
    if page.get_by_test_id("stException").count():
        out.append(f"{where}: an exception box: "
                   + page.get_by_test_id("stException").first.inner_text()[:400])
    if "Traceback" in page.locator("body").inner_text():
        out.append(f"{where}: 'Traceback' on the page")
    if not _heading(page, heading).count():
        out.append(f"{where}: no heading {heading!r}")
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
    if not link.count() or link.first.get_attribute("aria-current") != "page":
        out.append(f"{where}: the menu does not mark {title!r} as the page shown")
    if SIGNED_IN[role] not in page.get_by_test_id("stSidebar").inner_text():
        out.append(f"{where}: the sidebar does not say {SIGNED_IN[role]!r}")
    if page.get_by_role("dialog").filter(has_text="Page not found").count():
        out.append(f"{where}: a 'Page not found' dialog")
    return out


def _log_is_clean(server) -> None:
    log = server.log_text()
    assert "missing ScriptRunContext" not in log, log[-4000:]
    assert "Traceback" not in log, log[-4000:]


def test_a_deep_link_as_the_servers_first_request_opens_the_page(server, browser):
    # Runs first in this module: nothing has opened a session on the server before it.
    context = _person(browser, "supervisor")
    page = context.new_page()
    page.goto(f"{server.url}/what-changed?unit={UNIT}")
    _heading(page, "What changed").wait_for(timeout=LONG)
    _finished(page)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "proxy_first_request.png"))
    problems = _problems(page, "supervisor", "What changed", "What changed")
    context.close()
    _log_is_clean(server)
    not_found = [p for p in problems if p.endswith("a 'Page not found' dialog")]
    assert [p for p in problems if p not in not_found] == []
    assert not_found == []


@pytest.mark.parametrize("role", ["supervisor", "analyst"])
def test_a_signed_in_person_opens_every_page_of_their_audience(server, browser, role):
    context = _person(browser, role)
    page = context.new_page()
    page.goto(server.url)
    problems = []
    for pages in _nav.served(role).values():
        for file, title, *_ in pages:
            if file != "scorecard.py":  # the landing page is open already
                open_from_navigation(page, title)
            heading = HEADINGS.get(file, title)
            _heading(page, heading).wait_for(timeout=LONG)
            _finished(page)
            problems += _problems(page, role, title, heading)
            if file == "bright_spots.py":  # a file built on click, off the script's thread
                with page.expect_download(timeout=LONG) as download:
                    page.get_by_role("button", name="Download every bright spot (Markdown)").click()
                assert download.value.suggested_filename == "bright_spots.md"
    context.close()
    assert problems == []
    _log_is_clean(server)


@pytest.mark.parametrize("role, path, title, for_whom", [
    ("supervisor", "export-log", "Export log", "analysts"),
    ("supervisor", "data", "Import data", "analysts"),
    ("stakeholder", "what-changed", "What changed", "staff (analysts and supervisors)"),
])
def test_a_page_of_another_audience_says_whom_it_is_for(server, browser, role, path, title,
                                                        for_whom):
    context = _person(browser, role)
    page = context.new_page()
    page.goto(f"{server.url}/{path}")
    _heading(page, title).wait_for(timeout=LONG)
    _finished(page)
    main = page.get_by_test_id("stMain")
    main.get_by_text(f"{title} is a page for {for_whom}, so it is not part of your view").wait_for()
    assert "does not seem to exist" not in page.locator("body").inner_text()
    assert not page.get_by_role("dialog").count()
    assert SIGNED_IN[role] in page.get_by_test_id("stSidebar").inner_text()
    assert not page.get_by_test_id("stSidebarNav").get_by_role("link", name=title,
                                                               exact=True).count()
    # the way on: the person's landing page
    main.get_by_role("link", name="Go to Scorecard").click()
    _heading(page, "Scorecard").wait_for(timeout=LONG)
    _finished(page)
    assert page.url.rstrip("/") == server.url
    context.close()
    _log_is_clean(server)
