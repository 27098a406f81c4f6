"""Presentation mode under every audience: who may open it, moving between slides, the URL,
speaker notes, choosing a saved deck, and nothing small on a public screen."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import cqi_core
from app_support import as_viewer
from cqi_core.present import findings
from cqi_core.present.findings import Finding

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "views" / "present.py"
REFUSED = "This page is for other people, so it is not part of your view of the dashboard."
# the default deck: six headline measures, each as a trend and by region (tests/test_findings.py)
SLIDES = 12


@pytest.fixture(scope="module")
def db(sample_db, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("present") / "cqi.duckdb"
    shutil.copy(sample_db, path)
    return path


def _run(monkeypatch, db: Path, role: str, **params) -> AppTest:
    as_viewer(monkeypatch, role)
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(PAGE), default_timeout=300)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _texts(at: AppTest) -> list[str]:
    return [e.value for e in at.markdown]


def _where(at: AppTest) -> str:
    return next(t for t in _texts(at) if re.fullmatch(r"\d+ of \d+", t))


@pytest.mark.parametrize("role", ["analyst", "supervisor", "stakeholder"])
def test_every_role_it_serves_sees_the_first_slide_chart_first(monkeypatch, db, role):
    at = _run(monkeypatch, db, role)
    assert not at.exception, [e.value for e in at.exception]
    assert _where(at) == f"1 of {SLIDES}"
    assert len(at.get("vega_lite_chart")) == 1
    takeaway = [t for t in _texts(at) if t.startswith("In the 12 months to")]
    assert len(takeaway) == 1  # S1's trend, said in one sentence
    assert at.query_params["slide"] == "1" and at.query_params["deck"] == "default"
    editing = "Edit decks" in [e.label for e in at.expander]
    assert editing == (role in ("analyst", "supervisor"))


def test_the_youth_audience_is_refused(monkeypatch, db):
    at = _run(monkeypatch, db, "youth")
    assert not at.exception
    assert [e.value for e in at.error] == [REFUSED]
    assert not at.get("vega_lite_chart")


def test_next_and_previous_move_the_slide_and_the_url(monkeypatch, db):
    at = _run(monkeypatch, db, "stakeholder")
    assert at.button(key="slide_prev").disabled
    at.button(key="slide_next").click().run()
    assert _where(at) == f"2 of {SLIDES}" and at.query_params["slide"] == "2"
    assert "by region" in at.get("vega_lite_chart")[0].proto.spec  # S1 by region
    at.button(key="slide_next").click().run()
    assert _where(at) == f"3 of {SLIDES}"
    at.button(key="slide_prev").click().run()
    assert _where(at) == f"2 of {SLIDES}" and at.query_params["slide"] == "2"


def test_the_slide_comes_from_the_url_and_stays_inside_the_deck(monkeypatch, db):
    at = _run(monkeypatch, db, "stakeholder", slide=str(SLIDES))
    assert _where(at) == f"{SLIDES} of {SLIDES}" and at.button(key="slide_next").disabled
    at = _run(monkeypatch, db, "stakeholder", slide="99")
    assert _where(at) == f"{SLIDES} of {SLIDES}"
    at = _run(monkeypatch, db, "stakeholder", slide="two", deck="404")
    assert _where(at) == f"1 of {SLIDES}"
    assert any("was not found" in w.value for w in at.warning)


def test_speaker_notes_stay_hidden_until_the_presenter_opens_them(monkeypatch, db):
    at = _run(monkeypatch, db, "stakeholder")
    notes = "What it measures: All children in foster care at any time in the period"
    assert not any(notes in t for t in _texts(at))
    at.toggle(key="show_notes").set_value(True).run()
    assert any(t.startswith(notes) for t in _texts(at))
    at.button(key="slide_next").click().run()  # the toggle stays open from slide to slide
    assert any(t.startswith(notes) for t in _texts(at))


def test_a_saved_deck_is_chosen_in_the_sidebar(monkeypatch, sample_db_copy):
    store = cqi_core.open_store(sample_db_copy)
    deck = findings.create_deck(store, "Partners, March", [
        Finding("P1", takeaway="Permanency is holding steady."),
        Finding("P4", "breakdown", "age_group")])
    store.close()
    at = _run(monkeypatch, sample_db_copy, "supervisor")
    at.sidebar.selectbox(key="present_deck").select(str(deck.deck_id)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Partners, March"
    assert _where(at) == "1 of 2" and at.query_params["deck"] == str(deck.deck_id)
    assert "Permanency is holding steady." in _texts(at)


def test_a_public_screen_shows_no_small_count_on_any_slide(monkeypatch, db):
    at = _run(monkeypatch, db, "stakeholder")
    for slide in range(1, SLIDES + 1):
        assert _where(at) == f"{slide} of {SLIDES}"
        for df in at.dataframe:
            for col in ("Numerator", "Denominator"):
                for cell in df.value[col]:
                    if re.fullmatch(r"[\d,]+", cell):
                        assert not 1 <= int(cell.replace(",", "")) <= 10, (slide, col, cell)
        for t in _texts(at):  # takeaways say "about four out of every ten", never "4 children"
            assert not re.search(r"(?<![\d.,])(10|[1-9]) (children|young people|people)\b", t), t
        if slide < SLIDES:
            at.button(key="slide_next").click().run()
