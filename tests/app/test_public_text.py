"""Staff-written text on public pages (issue 13), under real Streamlit (AppTest): a cycle title
and a deck takeaway that carry a tracking image and a person's name and phone number reach a
stakeholder only once an analyst approved that exact text, then as plain text (never an
image or a link, names and numbers masked), and are hidden again after an edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import cqi_core
from app_support import as_viewer
from cqi_core.present.findings import Finding

ROOT = Path(__file__).resolve().parents[2]
VIEWS = ROOT / "pages" / "views"
TRACKER = "![t](http://host/track.png) Madison Smith called 555-123-4567"
# what a stakeholder reads once approved: redacted, then escaped for Markdown
SHOWN = r"\!\[t\]\(http\://host/track.png\) \[name\] called \[phone\]"
KINDS = ("markdown", "caption", "info", "success", "warning", "error", "title", "header",
         "subheader", "text", "expander", "checkbox", "toggle", "button")


@pytest.fixture
def db(sample_db, tmp_path) -> Path:
    path = tmp_path / "cqi.duckdb"
    shutil.copy(sample_db, path)
    return path


def _run(monkeypatch, db: Path, page: str, role: str, **params) -> AppTest:
    from pages import _shared
    _shared._store.clear()
    monkeypatch.undo()  # forget the viewer of an earlier run in this test
    as_viewer(monkeypatch, role)
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(VIEWS / page), default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _everything(at: AppTest) -> list[str]:
    """Every value and label the page rendered, tables and choices included."""
    out = []
    for kind in KINDS:
        for e in at.get(kind):
            out += [str(getattr(e, "value", "")), str(getattr(e, "label", ""))]
    out += [d.value.to_csv() for d in at.dataframe]
    out += [str(o) for s in at.selectbox for o in s.options]
    return out


def _nothing_live(at: AppTest) -> list[str]:
    """No image element, and no Markdown image or link anywhere."""
    shown = _everything(at)
    assert not at.get("imgs")
    assert not [t for t in shown if "![" in t or "](" in t], shown
    return shown


def _record_cycle(monkeypatch, db: Path) -> int:
    at = _run(monkeypatch, db, "improvement.py", "analyst")
    at.text_input(key="imp_form_new_title").input(TRACKER)
    at.text_area(key="imp_form_new_aim").input("Monthly visits at 95% by June")
    at.multiselect(key="imp_form_new_measures").select("V1")
    next(b for b in at.button if b.label == "Record the cycle").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return int(at.query_params["cycle"])


def _approve(at: AppTest, label: str, save: str) -> AppTest:
    next(c for c in at.checkbox if c.label == label).check()
    at.button(key=save).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def test_a_cycle_title_reaches_the_public_only_approved_and_as_plain_text(monkeypatch, db):
    cycle_id = _record_cycle(monkeypatch, db)
    for params in ({}, {"cycle": str(cycle_id)}):
        at = _run(monkeypatch, db, "improvement.py", "stakeholder", **params)
        shown = _nothing_live(at)
        assert not [t for t in shown if "track.png" in t or "Madison" in t or "555" in t]
        assert any("An improvement cycle on Monthly caseworker visits" in t for t in shown)
    assert "Not yet approved for sharing." in "\n".join(shown)  # the aim's placeholder

    # the analyst sees the text as typed, escaped, and approves it where it is edited
    at = _run(monkeypatch, db, "improvement.py", "analyst", cycle=str(cycle_id))
    title = rf"Cycle {cycle_id}: \!\[t\]\(http\://host/track.png\) Madison Smith called " \
            "555-123-4567"
    assert at.subheader[0].value == title
    _approve(at, "Title", f"approve_cycle_{cycle_id}_save")
    assert any(c.label == "Title (approved)" and c.value for c in at.checkbox)

    at = _run(monkeypatch, db, "improvement.py", "stakeholder", cycle=str(cycle_id))
    shown = _nothing_live(at)
    assert at.subheader[0].value == f"Cycle {cycle_id}: {SHOWN}"
    assert not [t for t in shown if "Madison" in t or "555" in t]
    at = _run(monkeypatch, db, "improvement.py", "stakeholder")
    assert at.dataframe[0].value["Title"].to_list() == [
        "![t](http://host/track.png) [name] called [phone]"]  # a table cell is never Markdown

    # an edit lapses the approval
    store = cqi_core.open_store(db)
    cqi_core.update_cycle(store, cycle_id, {"title": TRACKER + " again"}, "analyst one")
    store.close()
    at = _run(monkeypatch, db, "improvement.py", "stakeholder", cycle=str(cycle_id))
    shown = _nothing_live(at)
    assert at.subheader[0].value == \
        f"Cycle {cycle_id}: An improvement cycle on Monthly caseworker visits"
    assert not [t for t in shown if "track.png" in t]


def test_a_deck_takeaway_reaches_the_public_only_approved_and_as_plain_text(monkeypatch, db):
    store = cqi_core.open_store(db)
    deck = cqi_core.create_deck(store, "Partners", [Finding("P1", takeaway=TRACKER,
                                                            notes=TRACKER)])
    store.close()
    key = str(deck.deck_id)
    at = _run(monkeypatch, db, "present.py", "stakeholder", deck=key)
    shown = _nothing_live(at)
    assert not [t for t in shown if "track.png" in t or "Madison" in t]
    takeaway = [t for t in shown if t.startswith("In the 12 months to")]
    assert takeaway  # written by the core from the released figures instead
    at.toggle(key="show_notes").set_value(True).run()
    assert "Not yet approved for sharing." in [m.value for m in at.markdown]

    at = _run(monkeypatch, db, "present.py", "analyst", deck=key)
    assert TRACKER.replace("!", r"\!").replace("[", r"\[").replace("]", r"\]") \
        .replace("(", r"\(").replace(")", r"\)").replace("://", r"\://") \
        in [m.value for m in at.markdown]  # staff read their own words, escaped
    _approve(at, "Slide 1: takeaway", f"approve_deck_{key}_save")

    at = _run(monkeypatch, db, "present.py", "stakeholder", deck=key)
    _nothing_live(at)
    assert SHOWN in [m.value for m in at.markdown]
    at.toggle(key="show_notes").set_value(True).run()
    assert "Not yet approved for sharing." in [m.value for m in at.markdown]  # notes were not
    _nothing_live(at)

    store = cqi_core.open_store(db)
    cqi_core.update_deck(store, deck.deck_id, findings=[Finding("P1", takeaway=TRACKER + "!")])
    store.close()
    at = _run(monkeypatch, db, "present.py", "stakeholder", deck=key)
    shown = _nothing_live(at)
    assert not [t for t in shown if "track.png" in t]
