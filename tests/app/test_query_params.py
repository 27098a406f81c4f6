"""Every page under every audience it serves, opened from a link with values it cannot use.

Links are typed, pasted, shortened and shared, so a page gets `?end=x`, `?id=<script>` or a
period long after the data. Each page is opened as a person opens it (the router, then the
page) with the link's query parameters set, for every audience the page table
(`pages/_nav.py`) gives it. Whatever the values, the page shows no traceback; a value it cannot use gets
one plain note ("The period in the link (“x”) could not be used, so …", from
`pages/_params.py`) that quotes the value harmlessly, the page falls back to its default,
and the link is rewritten to what is shown. A parameter the page does not know changes
nothing. A public audience asking for a period the publication does not hold is given a
published period, never a figure computed for the one asked.

The hostile values are a fixed list (no random draw), so a failure names its value.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from app_support import as_viewer
from db_support import copy_with_series

from pages import _nav

ROOT = Path(__file__).resolve().parents[2]
NOTE = "in the link (“"
"""Words every note about an unusable value carries (pages/_params.py `unusable`)."""

# Kind of value -> the value. Not one of them names anything in the sample agency.
HOSTILE = {
    "text": "x",
    "digit-led": "2x",
    "empty": "",
    "spaces": "   ",
    "number": "999999",
    "far-future date": "2030-09-30",
    "date before any data": "1900-01-31",
    "unknown id": "ZZ99",
    "very long": "A" * 5000,
    "script tag": "<script>alert(1)</script>",
    "path": "../../etc/passwd",
    "unicode": "Ünïcødé ✓ 日本語 \u202eevil\u200b",
    "markdown": "[open](https://example.invalid) **bold** $x$",
}
# Values that name nothing: a link giving them asks for nothing, and gets no note.
NOTHING = {"empty", "spaces"}
UNKNOWN = {"utm_source": "<b>newsletter</b>", "ZZ": "../"}
"""Parameters no page knows, in every run."""

# Page -> {parameter: the word its note uses}. Every parameter a page reads is here, except
# those it reads only beside another (below).
PARAMS = {
    "indicator.py": {"id": "measure", "end": "period", "by": "grouping"},
    "compare.py": {"id": "measure", "by": "grouping", "end": "period", "method": "limits",
                   "od": "over-dispersion model"},
    "disparities.py": {"id": "measure", "end": "period", "by": "grouping",
                       "ref": "comparison group"},
    "what_changed.py": {"unit": "unit", "grain": "periods", "rules": "signal rules"},
    "trends.py": {"id": "measure", "grain": "periods", "by": "grouping",
                  "rules": "signal rules"},
    "improvement.py": {"cycle": "cycle"},
    "present.py": {"deck": "deck", "slide": "slide"},
    "unit_profile.py": {"unit": "unit"},
    "time_in_care.py": {"end": "entry year", "by": "grouping"},
}
EVERY_PAGE = {"view_as": "view"}
"""Parameters every page reads (the "View as" preview, `pages/_identity.py`), with the word
of their note: given hostile on every page, for every audience, beside the page's own."""
# Parameters read only with another: (page, valid companions, parameter, its note's word).
COMPANIONS = [
    ("trends.py", {"by": "unit"}, "group", "unit"),
    ("trends.py", {"by": "region"}, "group", "region"),
    ("what_changed.py", {}, "region", "region"),
]
PAGES = sorted(p.name for p in (ROOT / "pages" / "views").glob("*.py"))
SERVED = [(page, role) for page in PAGES for role in _nav.roles_of(page)]
# A few kinds for the audiences after a page's first (the rules are the same helpers; the
# options differ by audience, most for the public ones).
FEW = ["text", "empty", "far-future date", "script tag", "unicode"]


@pytest.fixture(scope="module")
def db(series_db, tmp_path_factory) -> Path:
    """A copy of the sample with its series and publication (the pages only read)."""
    return copy_with_series(series_db, tmp_path_factory.mktemp("links"))


def _run(monkeypatch, db: Path, page: str, role: str, params: dict[str, str]) -> AppTest:
    """Open `page` with `params` as a person does: the router (their landing page), then the
    page, with the link's query parameters."""
    as_viewer(monkeypatch, role)
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    assert not at.exception, [e.value for e in at.exception]
    at.query_params.clear()
    at.query_params.update(params)
    return at.switch_page(_nav.script(page)).run()


def _notes(at: AppTest) -> list[str]:
    return [e.value for kind in (at.warning, at.info, at.caption) for e in kind if NOTE in e.value]


def _check(at: AppTest, page: str, role: str, hostile: dict[str, tuple[str, str]]) -> None:
    """No traceback, the page drawn, one harmless note per unusable value, and the link
    rewritten without it. `hostile`: parameter -> (its note's word, the value given)."""
    where = f"{page} as {role} with {({k: v[:40] for k, (_, v) in hostile.items()})}"
    assert not at.exception, (where, [e.value for e in at.exception])
    assert not at.error, (where, [e.value for e in at.error])
    assert at.title, where
    notes = _notes(at)
    for name, (word, value) in hostile.items():
        if value.strip():
            assert any(n.startswith(f"The {word} {NOTE}") and "could not be used" in n
                       for n in notes), (where, name, notes)
        else:
            assert not any(n.startswith(f"The {word} {NOTE}") for n in notes), (where, name)
        assert at.query_params.get(name) != value or not value.strip(), (where, name)
    for n in notes:  # the value is quoted as words: no tag, link, emphasis or hidden character
        assert "<script" not in n and "](" not in n and "**bold" not in n, n
        assert "\u202e" not in n and "\u200b" not in n and len(n) < 400, n
    for name, value in UNKNOWN.items():  # left alone, and never quoted
        assert at.query_params.get(name) == value, (where, name)
    assert not any("newsletter" in n for n in notes), where


def _cases():
    for page, role in SERVED:
        if page not in PARAMS:
            yield pytest.param(page, role, "every", id=f"{page}-{role}")
            continue
        first = role == _nav.roles_of(page)[0]
        for kind in HOSTILE if first else FEW:
            yield pytest.param(page, role, kind, id=f"{page}-{role}-{kind}")


@pytest.mark.parametrize("page,role,kind", list(_cases()))
def test_a_page_opened_from_a_link_with_values_it_cannot_use(monkeypatch, db, page, role, kind):
    if page not in PARAMS:
        # The page reads no parameter: the other pages' names, hostile, change nothing.
        params = {"id": "<script>", "end": "2x", "by": "../", "unit": "ZZ99", "cycle": "-1",
                  "deck": "A" * 5000, "slide": "999999", "grain": "x", "rules": "日本語"}
        at = _run(monkeypatch, db, page, role, params | {"view_as": "x"} | UNKNOWN)
        _check(at, page, role, {"view_as": ("view", "x")})
        # the one note is the view's: the other pages' names change nothing here
        assert [n[:30] for n in _notes(at)] == ["The view in the link (“x”) cou"], _notes(at)
        return
    value = HOSTILE[kind]
    names = PARAMS[page] | EVERY_PAGE
    at = _run(monkeypatch, db, page, role, {p: value for p in names} | UNKNOWN)
    _check(at, page, role, {p: (word, value) for p, word in names.items()})


@pytest.mark.parametrize("page,companions,name,word", COMPANIONS,
                         ids=[f"{p}-{n}-with-{c}" for p, c, n, _ in COMPANIONS])
@pytest.mark.parametrize("kind", ["text", "unknown id", "script tag", "empty"])
def test_a_parameter_read_beside_another(monkeypatch, db, page, companions, name, word, kind):
    role = _nav.roles_of(page)[0]
    value = HOSTILE[kind]
    at = _run(monkeypatch, db, page, role, companions | {name: value} | UNKNOWN)
    _check(at, page, role, {name: (word, value)})


# The links reported broken, each on its page, for staff and for a public audience (the
# sample's data end on 2026-09-30, so 2030-09-30 is four years past them).
KNOWN_BAD = [("indicator.py", {"end": "x"}), ("compare.py", {"end": "2x"}),
             ("disparities.py", {"end": "9"}), ("indicator.py", {"end": "2030-09-30"}),
             ("compare.py", {"end": "2030-09-30"}), ("disparities.py", {"end": "2030-09-30"})]


@pytest.mark.parametrize("page,params", KNOWN_BAD, ids=[f"{p}-{v['end']}" for p, v in KNOWN_BAD])
@pytest.mark.parametrize("role", ["analyst", "stakeholder"])
def test_the_links_reported_broken_fall_back(monkeypatch, db, page, params, role):
    _check(_run(monkeypatch, db, page, role, params | UNKNOWN), page, role,
           {"end": ("period", params["end"])})


def _published_ends(db: Path) -> list[date]:
    from cqi_core import open_store
    from cqi_core.privacy.publication import publication

    # The process-wide store the pages use too: left open for them.
    return list(publication(open_store(db)).period_ends)


@pytest.mark.parametrize("page", ["indicator.py", "compare.py", "disparities.py"])
def test_a_public_audience_never_gets_an_unpublished_period(monkeypatch, db, page):
    """A month end staff may open, but not a published quarter end: a public audience is
    told, and shown (and linked to) a published period instead."""
    published = _published_ends(db)
    month_end = date(2026, 8, 31)
    assert month_end not in published
    staff = _run(monkeypatch, db, page, "analyst", {"end": month_end.isoformat()})
    assert not staff.exception and not _notes(staff)  # valid-looking: staff get it
    assert staff.query_params["end"] == month_end.isoformat()
    monkeypatch.undo()  # the analyst stand-in goes: the next run is the public audience alone

    at = _run(monkeypatch, db, page, "stakeholder", {"end": month_end.isoformat()} | UNKNOWN)
    _check(at, page, "stakeholder", {"end": ("period", month_end.isoformat())})
    assert any("not one of the periods that can be shown here" in n for n in _notes(at))
    assert date.fromisoformat(at.query_params["end"]) in published
    picked = [s.value for s in at.selectbox if s.label == "12 months ending"]
    assert picked and picked[0] in published and picked[0] != month_end


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_a_quoted_value_is_short_visible_text_that_markdown_leaves_alone(text):
    """The quoting every note uses (fixed examples: `derandomize`), any text at all."""
    from pages._params import SHOWN_CHARS, shown
    from pages._text import plain

    visible = "".join(c for c in text if c == " " or unicodedata.category(c)[0] not in "CZ")
    out = shown(text)
    assert out == plain(visible if len(visible) <= SHOWN_CHARS
                        else visible[:SHOWN_CHARS - 1] + "…")
    assert not any(c != " " and unicodedata.category(c)[0] in "CZ" for c in out)
    assert "<" not in out and ">" not in out
