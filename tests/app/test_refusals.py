"""Refusals say in plain words whom a page is for; an empty Improvement cycles page speaks
to the person reading it.

Every page a stakeholder or a young person is not served is opened for them, on its own (as
a typed or shared link would start it): it says that the page is not part of their view,
and whom it is for, in words (young people in words a youth advisory board reads at grade 8
or below). Through the router the same sentence is shown at the page's address
(`ui.for_others`; tests/browser/test_proxy_signin_browser.py opens those in Chromium), and
every page a person is not served has an address there, or is the root (their landing page).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_support import as_viewer, open_page
from cqi_core.methods.readability import check_text

from pages import _nav

ROOT = Path(__file__).resolve().parents[2]
REFUSED = "This page is for other people, so it is not part of your view of the dashboard."
# Whom a page is for, by the audiences it serves, in the words each reader is given (written
# out by hand; pages/_nav.py PAGES says which audiences each page serves).
STAFF = ("analyst", "supervisor")
WORDS = {
    "stakeholder": {("analyst",): "analysts", STAFF: "staff (analysts and supervisors)"},
    "youth": {("analyst",): "people who work at the agency",
              STAFF: "people who work at the agency",
              (*STAFF, "stakeholder"): "people who work at the agency and for meetings with "
                                       "partners"},
}
FOR_WHOM = {role: {p[0]: words[p[4]] for section in _nav.PAGES.values() for p in section
                   if role not in p[4]} for role, words in WORDS.items()}
CASES = [(role, page) for role, pages in FOR_WHOM.items() for page in sorted(pages)]


@pytest.fixture(scope="module")
def db(sample_db, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("refusals") / "cqi.duckdb"
    shutil.copy(sample_db, path)
    return path


def test_every_page_a_public_audience_is_not_served_has_words_and_an_address():
    # the staff pages of the issue are among them, for both public audiences
    assert {"what_changed.py", "trends.py", "data.py", "case_reviews.py"} <= set(FOR_WHOM["stakeholder"])
    assert {"scorecard.py", "compare.py", "improvement.py"} <= set(FOR_WHOM["youth"])
    for role, pages in FOR_WHOM.items():
        served = {p[0] for section in _nav.served(role).values() for p in section}
        every = {p[0] for section in _nav.PAGES.values() for p in section}
        assert set(pages) == every - served, role
        # each has an address of its own where the router says whom it is for, but the
        # root, which is this audience's own landing page
        addressed = {p[0] for p in _nav.not_served(role)}
        assert set(pages) - addressed <= {"scorecard.py"}


@pytest.mark.parametrize("role, page", CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_a_page_not_for_a_public_audience_says_whom_it_is_for(monkeypatch, db, role, page):
    at = open_page(monkeypatch, db, page, role, served=False)
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [REFUSED]
    title = _nav.title_of(page)
    [info] = [i.value for i in at.info if " for " in i.value and "menu" in i.value]
    said = "This page is" if role == "youth" else f"**{title}** is a page"  # title: above
    assert info.startswith(f"{said} for {FOR_WHOM[role][page]}")
    assert "does not seem to exist" not in info and "role" not in info
    assert at.title[0].value == title
    assert not at.dataframe and not at.get("vega_lite_chart")
    if role == "youth":
        words = re.sub(r"\*\*", "", info)
        assert check_text(words).ok, (words, check_text(words).problems())
        assert "dashboard" not in words and "stakeholder" not in words


def _improvement(monkeypatch, db: Path, role: str) -> AppTest:
    return open_page(monkeypatch, db, "improvement.py", role)


def test_an_empty_improvement_page_tells_a_stakeholder_what_it_will_show(monkeypatch, db):
    # the sample agency has recorded no improvement cycle
    at = _improvement(monkeypatch, db, "stakeholder")
    assert not at.exception, [e.value for e in at.exception]
    infos = [i.value for i in at.info]
    assert ("The agency has not shared an improvement cycle yet. When staff try a change to "
            "make one of the measures better, this page will show what they aimed for, when "
            "they tried it, and what they decided.") in infos
    page = " ".join(infos + [c.value for c in at.caption] + [m.value for m in at.markdown])
    for staff_words in ("record", "Record", "start a cycle", "trend charts", "Analysts"):
        assert staff_words not in page, staff_words
    assert not at.get("expander")  # no "Record a new cycle" form
    # the Status filter narrows nothing down: the words say so
    at.multiselect[0].set_value(["done"]).run()
    assert ("No improvement cycle has the status you chose. Clear the Status choice to see "
            "every cycle.") in [i.value for i in at.info]


def test_an_empty_improvement_page_tells_staff_how_to_start(monkeypatch, db):
    at = _improvement(monkeypatch, db, "analyst")
    assert not at.exception
    assert ("No improvement cycle is recorded yet. Analysts and supervisors record one under "
            "**Record a new cycle** below.") in [i.value for i in at.info]
    assert any(e.label == "Record a new cycle" for e in at.get("expander"))
