""""View as" kept in the link: a preview survives a reload and a shared link, and a link can
only make the view less detailed than the person's own.

The app is run through the router (app.py) as a person opens it. Who is signed in comes
from the real identity path (`pages._identity`): the local demo (an analyst), a trusted
proxy's headers (a supervisor, a stakeholder), or a deployment pinned to a public audience.
A reload is a new AppTest run with the same query parameters: a new session, nothing kept
but the link.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cqi_core import resolve_viewer

ROOT = Path(__file__).resolve().parents[2]
PROXY = {"CQI_PROXY_USER_HEADER": "X-Forwarded-User",
         "CQI_PROXY_ROLE_HEADER": "X-Forwarded-Role",
         "CQI_PROXY_UNITS_HEADER": "X-Forwarded-Units"}
PEOPLE = {
    "supervisor": {"X-Forwarded-User": "sam.rivera@agency.example",
                   "X-Forwarded-Role": "supervisor", "X-Forwarded-Units": "U012"},
    "stakeholder": {"X-Forwarded-User": "pat.lee@partner.example",
                    "X-Forwarded-Role": "stakeholder"},
}
YOUTH_TITLE = "How young people in care are doing"  # youth.yaml home.title: youth's landing
MORE = ("could not be used: a link can only show your own view or one with less detail, so "
        "your own view is shown.")


@pytest.fixture(scope="module")
def db(sample_db, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("view_as") / "cqi.duckdb"
    shutil.copy(sample_db, path)
    return path


def _signed_in(monkeypatch, db: Path, who: str | None = None, pinned: str | None = None):
    """The environment of the next runs: the local demo (who and pinned None), a person a
    proxy signed in (`who`), or a deployment pinned to a public audience."""
    from pages import _identity

    for name in ("CQI_AUDIENCE", *PROXY):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    if pinned:
        monkeypatch.setenv("CQI_AUDIENCE", pinned)
    if who:
        for name, value in PROXY.items():
            monkeypatch.setenv(name, value)
        # AppTest sends no request headers: the proxy's are handed to the real resolver
        monkeypatch.setattr(_identity, "resolve_viewer",
                            lambda **kw: resolve_viewer(**{**kw, "headers": PEOPLE[who]}))


def _open(params: dict[str, str]) -> AppTest:
    """A new session (a reload, or a shared link opened) on the app with `params`."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _picker(at: AppTest):
    found = [s for s in at.sidebar.selectbox if s.label == "View as"]
    return found[0] if found else None


def _notes(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "in the link (“" in w.value]


def test_a_preview_survives_a_reload_and_a_shared_link(monkeypatch, db):
    _signed_in(monkeypatch, db)  # the local demo: an analyst
    at = _open({"view_as": "youth"})
    assert not at.exception, [e.value for e in at.exception]
    assert _picker(at).value == "youth"
    assert at.title[0].value == YOUTH_TITLE  # the router lands a youth preview on its page
    assert at.query_params["view_as"] == "youth"
    assert not _notes(at)
    again = _open(dict(at.query_params))  # reload: a new session, only the link is kept
    assert not again.exception
    assert _picker(again).value == "youth" and again.title[0].value == YOUTH_TITLE


def test_choosing_a_view_writes_it_to_the_link_and_ones_own_view_takes_it_out(monkeypatch, db):
    _signed_in(monkeypatch, db)
    at = _open({})
    assert _picker(at).value == "analyst" and "view_as" not in at.query_params
    _picker(at).set_value("stakeholder").run()
    assert not at.exception
    assert at.query_params["view_as"] == "stakeholder"
    # the stakeholder view: no database path in the sidebar (a public view hides it)
    assert not any("Database:" in c.value for c in at.sidebar.caption)
    reloaded = _open(dict(at.query_params))
    assert _picker(reloaded).value == "stakeholder"
    assert not any("Database:" in c.value for c in reloaded.sidebar.caption)
    _picker(reloaded).set_value("analyst").run()
    assert "view_as" not in reloaded.query_params  # one's own view: nothing in the link
    assert any("Database:" in c.value for c in reloaded.sidebar.caption)


def test_a_supervisor_link_asking_for_the_analyst_view_is_ignored_with_a_note(monkeypatch, db):
    _signed_in(monkeypatch, db, who="supervisor")
    at = _open({"view_as": "analyst"})
    assert not at.exception, [e.value for e in at.exception]
    assert _notes(at) == [f"The view in the link (“analyst”) {MORE}"]
    assert "view_as" not in at.query_params
    assert _picker(at).value == "supervisor"
    assert _picker(at).options == ["A supervisor", "A stakeholder meeting", "A youth advisory board"]
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "Signed in as sam.rivera@agency.example (supervisor, units U012)" in sidebar
    # less detail is honoured, and kept
    less = _open({"view_as": "stakeholder"})
    assert not _notes(less) and _picker(less).value == "stakeholder"
    assert less.query_params["view_as"] == "stakeholder"


@pytest.mark.parametrize("asked", ["analyst", "supervisor", "Analyst"])
def test_a_signed_in_stakeholder_cannot_raise_the_view_by_a_link(monkeypatch, db, asked):
    _signed_in(monkeypatch, db, who="stakeholder")
    at = _open({"view_as": asked})
    assert not at.exception, [e.value for e in at.exception]
    assert _notes(at) == [f"The view in the link (“{asked}”) {MORE}"]
    assert _picker(at) is None  # a public audience has no "View as"
    assert "view_as" not in at.query_params
    assert not any("Database:" in c.value for c in at.sidebar.caption)
    assert "Signed in as pat.lee@partner.example (stakeholder)" in \
        " ".join(c.value for c in at.sidebar.caption)


@pytest.mark.parametrize("pinned, asked", [("stakeholder", "analyst"), ("youth", "stakeholder"),
                                           ("youth", "supervisor")])
def test_a_pinned_public_deployment_ignores_any_other_view_in_a_link(monkeypatch, db, pinned,
                                                                     asked):
    _signed_in(monkeypatch, db, pinned=pinned)
    at = _open({"view_as": asked})
    assert not at.exception, [e.value for e in at.exception]
    assert _notes(at) == [f"The view in the link (“{asked}”) {MORE}"]
    assert "view_as" not in at.query_params
    if pinned == "youth":
        assert at.title[0].value == YOUTH_TITLE
    own = _open({"view_as": pinned})  # its own view: nothing to say
    assert not _notes(own) and "view_as" not in own.query_params


def test_a_view_that_does_not_exist_is_named_as_such(monkeypatch, db):
    _signed_in(monkeypatch, db)
    at = _open({"view_as": "<b>boss</b>"})
    assert not at.exception
    assert _notes(at) == ["The view in the link (“&lt;b&gt;boss&lt;/b&gt;”) could not be used: "
                          "it is not one of the views, so your own view is shown."]
    assert _picker(at).value == "analyst" and "view_as" not in at.query_params
