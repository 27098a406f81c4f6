"""Trends and What changed under real Streamlit (AppTest).

The series of every measure is built once for the module on a private copy of the sample
database (the copy kept beside it makes the pages fast); notes written by one test are on
a chart no other test reads.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from app_support import as_viewer
from db_support import copy_with_series

import cqi_core
from cqi_core.analysis import trends

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["pages/views/trends.py", "pages/views/what_changed.py"]


@pytest.fixture(scope="module")
def trends_db(series_db, tmp_path_factory) -> Path:
    # A copy: these tests save baselines and notes.
    return copy_with_series(series_db, tmp_path_factory.mktemp("trends"))


def _app(monkeypatch, db: Path, role: str = "analyst", **params: str) -> AppTest:
    as_viewer(monkeypatch, role)
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    for key, value in params.items():
        at.query_params[key] = value
    return at


def _chart_title(at: AppTest) -> str:
    return json.loads(at.get("vega_lite_chart")[0].proto.spec)["title"]["text"]


def _notes(db: Path, indicator: str, by: str, group: str) -> pl.DataFrame:
    return trends.chart_notes(cqi_core.open_store(db), indicator, by, group)


@pytest.mark.parametrize("role", ["analyst", "supervisor"])
@pytest.mark.parametrize("page", PAGES)
def test_both_pages_render_for_every_role_they_serve(monkeypatch, trends_db, page, role):
    at = _app(monkeypatch, trends_db, role)
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value in ("Trends", "What changed")
    assert not at.error


def test_a_role_the_pages_do_not_serve_is_refused(monkeypatch, trends_db):
    monkeypatch.setenv("CQI_DB", str(trends_db))
    monkeypatch.chdir(ROOT)
    as_viewer(monkeypatch, "youth")
    at = AppTest.from_file(str(ROOT / "pages" / "views" / "trends.py"), default_timeout=60).run()
    assert [e.value for e in at.error] == ["This page is for other people, so it is not part of your view of the dashboard."]
    assert not at.get("vega_lite_chart")


def test_query_params_choose_the_measure_group_and_periods(monkeypatch, trends_db):
    at = _app(monkeypatch, trends_db, id="P5", by="region", group="River Valley", grain="quarter")
    at.switch_page("pages/views/trends.py").run()
    assert not at.exception
    assert [s.value for s in at.selectbox if s.label in ("Measure", "Region")] == \
        ["P5", "River Valley"]
    radios = {r.label: r.value for r in at.radio}
    assert radios["Whose figures"] == "region" and radios["Periods"] == "quarter"
    assert _chart_title(at).startswith("Placement stability, River Valley region: ")
    assert at.query_params["rules"] == "anhoej"
    # every signal is said in one sentence, marked by a symbol rather than colour
    lists = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert all(line[2] in "▲▼◆" for block in lists for line in block.split("\n"))


def test_changing_the_grouping_updates_the_url(monkeypatch, trends_db):
    at = _app(monkeypatch, trends_db, id="V1", grain="quarter")
    at.switch_page("pages/views/trends.py").run()
    next(r for r in at.radio if r.label == "Whose figures").set_value("unit").run()
    unit = next(s for s in at.selectbox if s.label == "Unit")
    assert at.query_params["by"] == "unit" and at.query_params["group"] == unit.value
    assert f", {unit.format_func(unit.value)}: " in _chart_title(at)


def test_a_freeze_without_a_reason_is_refused_and_nothing_is_stored(monkeypatch, trends_db):
    at = _app(monkeypatch, trends_db, id="V1", by="unit", group="U003", grain="quarter")
    at.switch_page("pages/views/trends.py").run()
    at.selectbox(key="phase_period").set_value(date(2025, 1, 1))
    at.text_area(key="phase_why").input("   ")
    next(b for b in at.form_submit_button if b.label == "Save").click().run()
    assert not at.exception
    assert any("needs a reason" in e.value for e in at.error)
    assert _notes(trends_db, "V1", "unit", "U003").is_empty()


def test_a_freeze_with_a_reason_is_stored_and_the_chart_uses_it(monkeypatch, trends_db):
    at = _app(monkeypatch, trends_db, id="V1", by="unit", group="U004", grain="quarter")
    at.switch_page("pages/views/trends.py").run()
    at.selectbox(key="phase_period").set_value(date(2025, 1, 1))
    at.text_area(key="phase_why").input("Weekly visit huddles started in January.")
    next(b for b in at.form_submit_button if b.label == "Save").click().run()
    assert not at.exception
    notes = _notes(trends_db, "V1", "unit", "U004")
    assert notes.select("note_date", "kind", "text", "saved_by").rows() == [
        (date(2025, 1, 1), "freeze", "Weekly visit huddles started in January.", "analyst")]
    assert any(s.value.startswith("Saved.") for s in at.success)
    label = next(c.value for c in at.caption if "chart" in c.value and c.value.startswith("**"))
    assert "Baseline: the 9 quarters before Q1 2025;" in label  # Q4 2022 … Q4 2024
    assert "Weekly visit huddles started in January." in "\n".join(m.value for m in at.markdown)
    # removing it redraws the chart without the baseline
    next(b for b in at.button if b.label == "Remove").click().run()
    assert _notes(trends_db, "V1", "unit", "U004").is_empty()
    assert not any("Baseline:" in c.value for c in at.caption)


def test_a_dated_note_is_listed_with_who_recorded_it(monkeypatch, trends_db):
    at = _app(monkeypatch, trends_db, id="V2", by="unit", group="U005", grain="quarter")
    at.switch_page("pages/views/trends.py").run()
    at.selectbox(key="note_period").set_value(date(2024, 4, 1))
    at.text_area(key="note_text").input("Two caseworkers left the unit.")
    at.text_input(key="trend_note_who").input("R. Lopez")
    next(b for b in at.form_submit_button if b.label == "Add the note").click().run()
    assert not at.exception
    notes = _notes(trends_db, "V2", "unit", "U005")
    assert notes.select("kind", "text", "saved_by").rows() == [
        ("note", "Two caseworkers left the unit.", "R. Lopez")]
    listed = "\n".join(m.value for m in at.markdown)
    assert "**Note: Q2 2024**: Two caseworkers left the unit." in listed
    assert "Recorded by R. Lopez" in listed


def test_what_changed_counts_one_card_per_chart_and_shows_the_strongest_first(
        monkeypatch, trends_db):
    at = _app(monkeypatch, trends_db)
    at.switch_page("pages/views/what_changed.py").run()
    assert not at.exception
    store = cqi_core.open_store(trends_db)
    found = trends.scan(trends.build_series(store, "month"), cqi_core.load_catalog(store), "month",
                        strongest_only=True)
    # one card per measure and group: no chart twice
    assert found.select("indicator_id", "group_by", "group_value").is_duplicated().sum() == 0
    count = {d: found.filter(pl.col("direction") == d).height for d in ("concern", "improvement")}
    summary = next(m.value for m in at.markdown if " in the last 6 months: " in m.value)
    assert summary.startswith(f"**{found.height} charts with signals** in the last 6 months: "
                              f"**{count['concern']}** need attention, "
                              f"**{count['improvement']}** improvements")
    assert any(s.value.startswith("▼ Needs attention") for s in at.subheader)
    assert any(s.value.startswith("▲ Improvements") for s in at.subheader)
    # first shown: the top 10 concerns and top 5 improvements (trends.yaml), the rest behind
    # "Show all"; together every card once.
    top = trends.load_settings().what_changed_top
    count["neutral"] = found.filter(pl.col("direction") == "neutral").height
    first = sum(min(count[d], top[d]) for d in count)
    heads = [m.value for m in at.markdown if m.value.startswith("**") and " · " in m.value]
    rest = [e for e in at.expander if e.label.startswith("Show all: ")]
    later = [m.value for e in rest for m in e.markdown
             if m.value.startswith("**") and " · " in m.value]
    assert len(heads) == found.height
    assert len(heads) - len(later) == first
    assert len(rest) == (1 if found.height > first else 0)


def test_what_changed_for_one_unit_lists_only_that_unit_and_links_to_its_charts(
        monkeypatch, trends_db):
    store = cqi_core.open_store(trends_db)
    name = cqi_core.unit_list(store).filter(pl.col("unit_id") == "U012")["unit_name"][0]
    at = _app(monkeypatch, trends_db, unit="U012")
    at.switch_page("pages/views/what_changed.py").run()
    assert not at.exception
    heads = [m.value for m in at.markdown if m.value.startswith("**") and " · " in m.value]
    assert heads and all(h.endswith(f"· {name}") for h in heads)
    links = [parse_qs(p.proto.query_string) for p in at.page_link]
    assert links and all(q["by"] == ["unit"] and q["group"] == ["U012"] for q in links)
    # a link opens that chart on the Trends page
    first = {k: v[0] for k, v in links[0].items()}
    at2 = _app(monkeypatch, trends_db, **first)
    at2.switch_page("pages/views/trends.py").run()
    assert next(s.value for s in at2.selectbox if s.label == "Measure") == first["id"]
    assert f", {name}: " in _chart_title(at2)
