"""A supervisor's scorecard and What changed open on their own unit, with the whole agency
one choice away; analysts keep the agency; a link's own choice wins.

The sample agency's unit U012 is "Alder Creek Family Services 2" in the River Valley region
(data/sample/units.csv); the supervisor below is signed in for U012 only, and a second one
for U012 and U001, who lands on the first of their units.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_support import as_viewer

ROOT = Path(__file__).resolve().parents[2]
UNIT_LABEL = "Alder Creek Family Services 2 (U012)"  # the scorecard's "Unit" choice


@pytest.fixture(scope="module")
def db(series_db) -> Path:
    return series_db


def _open(monkeypatch, db: Path, page: str, role: str, units=None, **params) -> AppTest:
    as_viewer(monkeypatch, role, units)
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    assert not at.exception, [e.value for e in at.exception]
    at.query_params.clear()
    at.query_params.update(params)
    return at.switch_page(f"pages/views/{page}").run()


def _box(at: AppTest, label: str):
    found = [s for s in at.selectbox if s.label == label]
    return found[0] if found else None


@pytest.mark.parametrize("units", [("U012",), ("U012", "U001")])
def test_a_supervisors_scorecard_opens_on_their_unit(monkeypatch, db, units):
    at = _open(monkeypatch, db, "scorecard.py", "supervisor", units)
    assert not at.exception, [e.value for e in at.exception]
    assert _box(at, "Whose figures").value == "One unit"
    assert _box(at, "Unit").value == UNIT_LABEL  # the first of their units
    # the whole agency is one choice away, and stays chosen
    _box(at, "Whose figures").set_value("The whole agency").run()
    assert not at.exception
    assert _box(at, "Whose figures").value == "The whole agency" and _box(at, "Unit") is None
    at.run()
    assert _box(at, "Whose figures").value == "The whole agency"


@pytest.mark.parametrize("role", ["analyst", "stakeholder"])
def test_everyone_else_opens_the_scorecard_on_the_agency(monkeypatch, db, role):
    at = _open(monkeypatch, db, "scorecard.py", role)
    assert not at.exception
    assert _box(at, "Whose figures").value == "The whole agency"
    assert _box(at, "Unit") is None


def test_a_supervisor_with_no_unit_named_opens_on_the_agency(monkeypatch, db):
    # an identity that carries no unit sees every unit: there is no "own" unit to open on
    at = _open(monkeypatch, db, "scorecard.py", "supervisor", None)
    assert _box(at, "Whose figures").value == "The whole agency"


def test_what_changed_opens_on_the_supervisors_unit_and_everyone_stays_chosen(monkeypatch, db):
    at = _open(monkeypatch, db, "what_changed.py", "supervisor", ("U012",))
    assert not at.exception, [e.value for e in at.exception]
    scope = _box(at, "Whose signals")
    assert scope.value == "unit:U012"
    assert at.query_params["unit"] == "U012"  # written to the link, as any choice is
    scope.set_value("all").run()
    assert not at.exception
    assert _box(at, "Whose signals").value == "all" and "unit" not in at.query_params
    at.run()  # the next run keeps Everyone: the landing does not send them back
    assert _box(at, "Whose signals").value == "all" and "unit" not in at.query_params


def test_what_changed_keeps_a_links_own_choice_for_a_supervisor(monkeypatch, db):
    at = _open(monkeypatch, db, "what_changed.py", "supervisor", ("U012",), region="North")
    assert not at.exception
    # "North" is not a region of the sample: the note says so and Everyone is shown, not U012
    assert any("could not be used" in w.value for w in at.warning)
    assert _box(at, "Whose signals").value == "all"
    at = _open(monkeypatch, db, "what_changed.py", "supervisor", ("U012",), region="River Valley")
    assert _box(at, "Whose signals").value == "region:River Valley"


def test_what_changed_opens_on_everyone_for_an_analyst(monkeypatch, db):
    at = _open(monkeypatch, db, "what_changed.py", "analyst")
    assert _box(at, "Whose signals").value == "all" and "unit" not in at.query_params


def test_the_home_unit_is_a_supervisors_first_unit_the_agency_has():
    from cqi_core import Viewer, home_unit

    agency = ["U001", "U012", "U020"]
    assert home_unit(Viewer("supervisor", "s", ("U012", "U001"), "oidc"), agency) == "U012"
    assert home_unit(Viewer("supervisor", "s", ("U999", "U020"), "oidc"), agency) == "U020"
    assert home_unit(Viewer("supervisor", "s", ("U999",), "oidc"), agency) is None
    assert home_unit(Viewer("supervisor", "s", None, "oidc"), agency) is None  # every unit
    assert home_unit(Viewer("analyst", "a", None, "oidc"), agency) is None
    assert home_unit(Viewer("stakeholder", "p", (), "pinned"), agency) is None
