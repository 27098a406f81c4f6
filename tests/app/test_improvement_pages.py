"""The Improvement cycles page under real Streamlit (AppTest): every audience, recording a
cycle through the form, editing it, the study view, the act decision, and cycles that
outlive a restart and a re-import."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import cqi_core
from app_support import as_viewer
from cqi_core.analysis import improvement as imp

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "views" / "improvement.py")
SAMPLE = ROOT / "data" / "sample"
NAME = "Robin Planted"  # a participant's name: never on a public page


def _cycle(**changes) -> imp.Cycle:
    base = dict(title="Visit huddles", aim="Monthly visits at 95% by June",
                start_date=date(2025, 3, 10), end_date=date(2025, 6, 30), indicators=("V1",),
                units=("U001",), prediction="Visits rise within two months",
                change_idea="A weekly huddle on the visits due", status="studying",
                participants=(imp.Participant(NAME, "supervisor"), imp.Participant("", "youth")))
    return imp.Cycle(**(base | changes))


@pytest.fixture
def db(sample_db, tmp_path) -> Path:
    """A private copy with one cycle (number 1) in unit U001, its title, aim and change idea
    approved for public audiences (its prediction is not)."""
    path = tmp_path / "cqi.duckdb"
    shutil.copy(sample_db, path)
    store = cqi_core.open_store(path)
    c = imp.create_cycle(store, _cycle(), "analyst one")
    for field in ("title", "aim", "change_idea"):
        cqi_core.approve_text(store, "cycle", c.cycle_id, field, getattr(c, field), "analyst one")
    store.close()
    return path


def _app(monkeypatch, db: Path, role: str = "analyst", units=None, **params) -> AppTest:
    from pages import _shared
    _shared._store.clear()  # a fresh process: nothing cached from another test's database
    as_viewer(monkeypatch, role, units)
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(PAGE, default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _shown(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "success", "warning", "subheader", "header"):
        parts += [str(getattr(e, "value", "")) for e in at.get(kind)]
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [c.proto.spec for c in at.get("vega_lite_chart")]
    return "\n".join(parts)


@pytest.mark.parametrize("role, units", [("analyst", None), ("supervisor", None),
                                         ("supervisor", ("U002",)), ("stakeholder", None)])
def test_the_list_and_the_study_render_for_every_audience_served(monkeypatch, db, role, units):
    at = _app(monkeypatch, db, role, units)
    _ok(at)
    assert at.title[0].value == "Improvement cycles"
    assert "Visit huddles" in at.dataframe[0].value["Title"].to_list()
    at = _app(monkeypatch, db, role, units, cycle="1")
    _ok(at)
    assert [h.value for h in at.header][:2] == ["Study", "You said, we did"]
    shown = _shown(at)
    assert "Did a signal of improvement appear?" in shown
    editable = role == "analyst" or (role == "supervisor" and units is None)
    assert any(b.label == "Record the decision" for b in at.button) == editable
    if role == "stakeholder":
        assert NAME not in shown and "Visits rise within two months" not in shown  # no names,
        assert "Who took part:** supervisor, youth." in shown                   # no working notes
        assert not at.text_input and not at.text_area


def test_youth_are_not_served(monkeypatch, db):
    at = _app(monkeypatch, db, "youth")
    assert [e.value for e in at.error] == ["This page is for other people, so it is not part of your view of the dashboard."]
    assert not at.dataframe


def test_a_cycle_recorded_through_the_form_is_stored_and_opened(monkeypatch, db):
    at = _app(monkeypatch, db)
    at.text_input(key="imp_form_new_title").input("Texting reminders")
    at.text_area(key="imp_form_new_aim").input("Fewer missed visits in South Metro")
    at.multiselect(key="imp_form_new_measures").select("V1").select("T1")
    at.multiselect(key="imp_form_new_units").select("U006")
    at.date_input(key="imp_form_new_start").set_value(date(2025, 1, 6))
    next(b for b in at.button if b.label == "Record the cycle").click().run()
    _ok(at)
    store = cqi_core.open_store(db)
    saved = imp.cycle(store, 2)
    assert (saved.title, saved.units, saved.indicators) == ("Texting reminders", ("U006",),
                                                            ("V1", "T1"))
    # a signed-in person is recorded by their identity, not by a typed name
    assert saved.start_date == date(2025, 1, 6) and saved.created_by == "test analyst"
    assert at.query_params["cycle"] == "2"  # the page opens the new cycle
    assert "Cycle 2 recorded." in at.success[0].value


def test_the_form_shows_what_is_wrong_and_saves_nothing(monkeypatch, db):
    at = _app(monkeypatch, db)
    at.text_input(key="imp_form_new_title").input("No aim yet")
    at.multiselect(key="imp_form_new_measures").select("V1")
    next(b for b in at.button if b.label == "Record the cycle").click().run()
    assert [e.value for e in at.error] == [
        "Say what the cycle aims to improve: the aim cannot be empty."]
    assert imp.cycles(cqi_core.open_store(db)).height == 1


def test_editing_a_cycle_saves_a_new_version(monkeypatch, db):
    at = _app(monkeypatch, db, cycle="1")
    at.text_input(key="imp_form_1_title").input("Visit huddles, weekly")
    at.text_area(key="imp_form_1_notes").input("Visits held up in April.")
    next(b for b in at.button if b.label == "Save the cycle").click().run()
    _ok(at)
    saved = imp.cycle(cqi_core.open_store(db), 1)
    assert saved.version == 2 and saved.title == "Visit huddles, weekly"
    assert saved.study_notes == "Visits held up in April."
    history = imp.cycle_history(cqi_core.open_store(db), 1)
    assert history["changed"][1].to_list() == ["title", "study_notes"]


def test_the_act_decision_closes_the_cycle(monkeypatch, db):
    at = _app(monkeypatch, db, cycle="1")
    at.radio(key="imp_act_decision").set_value("adapt")
    next(b for b in at.button if b.label == "Record the decision").click().run()
    _ok(at)
    saved = imp.cycle(cqi_core.open_store(db), 1)
    assert (saved.act_decision, saved.status) == ("adapt", "done")


def test_the_study_view_draws_the_frozen_baseline_and_the_regression(monkeypatch, db):
    at = _app(monkeypatch, db, cycle="1")
    _ok(at)
    titles = [json.loads(c.proto.spec)["title"] for c in at.get("vega_lite_chart")]
    texts = [t["text"] if isinstance(t, dict) else t for t in titles]
    assert any(t.startswith("Monthly caseworker visits, North Metro Child Protection: P chart")
               for t in texts), texts
    assert "Monthly caseworker visits, North Metro Child Protection: before and after the change" \
        in texts
    shown = _shown(at)
    assert "The baseline is the periods before March 2025" in shown
    assert "**You predicted:** Visits rise within two months" in shown
    assert "#### You said" in shown and "Caseworker visits" in shown


def test_cycles_outlive_a_restart_and_a_re_import(monkeypatch, db, tmp_path):
    at = _app(monkeypatch, db)
    assert at.dataframe[0].value["Title"].to_list() == ["Visit huddles"]
    # restart: the process's store is closed and forgotten, the database reopened
    cqi_core.open_store(db).close()
    from pages import _shared
    _shared._store.clear()
    # re-import: a snapshot that lands (one feedback row fewer) replaces the data tables
    folder = tmp_path / "export"
    shutil.copytree(SAMPLE, folder)
    lines = (folder / "feedback.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "feedback.csv").write_text("".join(lines[:-1]), encoding="utf-8")
    store = cqi_core.open_store(db)
    assert cqi_core.import_files(store, [folder], user="tests").outcome == "landed"
    store.close()
    at = _app(monkeypatch, db)
    _ok(at)
    assert at.dataframe[0].value["Title"].to_list() == ["Visit huddles"]
