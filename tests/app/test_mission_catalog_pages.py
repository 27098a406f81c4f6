"""The Mission alignment and Indicator catalog pages under real Streamlit (AppTest) on a
real DuckDB file with the sample agency: they render for every role, the unmeasured value
is called out by name, and an analyst's edit becomes the next version (or, without a
reason, nothing at all)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app_support import as_viewer

from cqi_core import load_catalog, load_values, open_store

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["pages/views/mission.py", "pages/views/catalog.py"]


@pytest.fixture(autouse=True)
def _fresh_caches():
    # Cached results are keyed by data version and edit count, not by database file, and
    # every test here has its own copy of the sample database.
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _page(monkeypatch, db: Path, page: str) -> AppTest:
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _one(widgets, label_start: str):
    found = [w for w in widgets if w.label.startswith(label_start)]
    assert len(found) == 1, [w.label for w in widgets]
    return found[0]


def _save(at: AppTest) -> AppTest:
    return _one(at.button, "Save as a new version").click().run()


def _stored(db: Path):
    """The catalog and values as the database now holds them (read after the app wrote)."""
    store = open_store(db)
    return load_catalog(store), load_values(store)


@pytest.mark.parametrize("role", ["analyst", "supervisor"])
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_for_each_role_and_only_analysts_get_the_edit_form(
        monkeypatch, sample_db_copy, page, role):
    as_viewer(monkeypatch, role)
    at = _page(monkeypatch, sample_db_copy, page)
    assert at.title[0].value == {"pages/views/mission.py": "Mission alignment",
                                 "pages/views/catalog.py": "Indicator catalog"}[page]
    has_form = any(b.label == "Save as a new version" for b in at.button)
    assert has_form == (role == "analyst")
    history = at.dataframe[-1].value
    assert list(history["version"]) == [1]


def test_mission_page_calls_out_the_value_nothing_measures(monkeypatch, sample_db_copy):
    at = _page(monkeypatch, sample_db_copy, "pages/views/mission.py")
    equity = load_values().entry("equity").name
    callouts = [w.value for w in at.warning if "Not measured yet" in w.value]
    assert len(callouts) == 1 and equity in callouts[0]
    # Every other value is measured, so none of them is named in the callout.
    assert not [v.name for v in load_values() if v.id != "equity" and v.name in callouts[0]]
    assert [e.label for e in at.expander if e.label.startswith(equity)] == \
        [f"{equity} (value) · not measured yet"]


def test_mission_chart_names_each_status_in_words_and_outline_not_colour_alone(
        monkeypatch, sample_db_copy):
    at = _page(monkeypatch, sample_db_copy, "pages/views/mission.py")
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    bars = spec["layer"][0]["encoding"]
    assert bars["strokeDash"]["field"] == bars["color"]["field"] == "status"
    assert bars["color"]["scale"]["domain"] == ["meet the standard",
                                                "show an opportunity to improve",
                                                "have no standard yet", "have no data yet"]
    assert spec["layer"][1]["encoding"]["text"]["field"] == "label"
    assert "Fairness for every child and family: no measure yet" in spec["description"]
    assert spec["title"] and spec["layer"][0]["encoding"]["y"]["title"]


def test_mission_expanders_list_each_measure_with_its_value_and_supportive_status(
        monkeypatch, sample_db_copy):
    at = _page(monkeypatch, sample_db_copy, "pages/views/mission.py")
    safety = next(e for e in at.expander if e.label.startswith("Children are safe"))
    table = safety.dataframe[0].value
    assert {"Maltreatment in foster care", "Recurrence of maltreatment"} <= set(table["Measure"])
    statuses = set(table["Status"])
    assert statuses <= {"✓ meets the standard", "△ opportunity to improve",
                        "no standard set yet", "context (no standard)",
                        "no data for this period"}
    assert not any("fail" in s.lower() or "below" in s.lower() for s in statuses)
    items = set(table.loc[table["From"] == "case review item", "Measure"])
    assert {i.split(":")[0] for i in items} == {"Item 1", "Item 2", "Item 3"}


def test_analyst_edit_of_a_standard_makes_the_next_version_in_history_and_catalog(
        monkeypatch, sample_db_copy):
    before = load_catalog().entry("V1")
    assert before.standard == 0.95 and before.unit == "percent"
    at = _page(monkeypatch, sample_db_copy, "pages/views/catalog.py")
    at.selectbox(key="catalog_entry").set_value("V1").run()
    _one(at.number_input, "Standard (percent").set_value(90.0)
    _one(at.text_area, "Why is this changing?").input("Agreed at the CQI meeting in November.")
    _one(at.text_input, "Your name").input("Dana Reyes")
    at = _save(at)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert f"Saved V1 as version {before.version + 1}." in [s.value for s in at.success]

    history = at.dataframe[-1].value
    assert list(history["version"]) == [before.version + 1, before.version]
    newest = history.iloc[0]
    assert (newest["why"], newest["by"], newest["source"]) == (
        "Agreed at the CQI meeting in November.", "Dana Reyes", "saved edit")
    overview = at.dataframe[0].value
    row = overview[overview["Id"] == "V1"].iloc[0]
    assert (row["Standard"], row["Version"]) == ("at least 90.0%", before.version + 1)
    assert _stored(sample_db_copy)[0].entry("V1").standard == pytest.approx(0.90)


def test_a_turnover_standard_is_entered_per_100_caseworkers_as_it_is_shown(
        monkeypatch, sample_db_copy):
    # W2 is shown per 100 caseworkers (0.2 on the engine's scale reads "20"): a standard
    # typed as 20 is stored as 0.2, not as 20 leavers per caseworker.
    assert load_catalog().entry("W2").unit == "per_100_caseworkers"
    at = _page(monkeypatch, sample_db_copy, "pages/views/catalog.py")
    at.selectbox(key="catalog_entry").set_value("W2").run()
    _one(at.number_input, "Standard (").set_value(20.0)
    _one(at.text_area, "Why is this changing?").input("Agreed with the workforce team.")
    _one(at.text_input, "Your name").input("Dana Reyes")
    at = _save(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _stored(sample_db_copy)[0].entry("W2").standard == pytest.approx(0.20)


def test_edit_without_a_why_shows_an_error_and_saves_nothing(monkeypatch, sample_db_copy):
    at = _page(monkeypatch, sample_db_copy, "pages/views/catalog.py")
    at.selectbox(key="catalog_entry").set_value("V1").run()
    _one(at.number_input, "Standard (percent").set_value(80.0)
    _one(at.text_input, "Your name").input("Dana Reyes")
    at = _save(at)
    assert not at.exception
    assert any("Say why" in e.value for e in at.error), [e.value for e in at.error]
    assert not at.success
    assert list(at.dataframe[-1].value["version"]) == [1]
    entry = _stored(sample_db_copy)[0].entry("V1")
    assert (entry.standard, entry.version) == (0.95, 1)


def test_analyst_lists_a_review_item_for_equity_and_it_is_no_longer_unmeasured(
        monkeypatch, sample_db_copy):
    at = _page(monkeypatch, sample_db_copy, "pages/views/mission.py")
    at.selectbox(key="mission_value").set_value("equity").run()
    _one(at.multiselect, "Case review items").select("12A")
    _one(at.text_area, "Why is this changing?").input("Needs assessments are where equal "
                                                      "help starts.")
    _one(at.text_input, "Your name").input("Dana Reyes")
    at = _save(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert not [w for w in at.warning if "Not measured yet" in w.value]
    assert list(at.dataframe[-1].value["version"]) == [2, 1]
    assert _stored(sample_db_copy)[1].entry("equity").review_items == ("12A",)


def test_an_entry_whose_review_date_has_come_is_flagged_due(monkeypatch, sample_db_copy):
    at = _page(monkeypatch, sample_db_copy, "pages/views/catalog.py")
    assert not [w for w in at.warning if "Due for review" in w.value]
    at.selectbox(key="catalog_entry").set_value("T1").run()
    _one(at.date_input, "Next review").set_value(date.today() - timedelta(days=1))
    _one(at.text_area, "Why is this changing?").input("Overdue: the review slipped.")
    _one(at.text_input, "Your name").input("Dana Reyes")
    at = _save(at)
    assert not at.error, [e.value for e in at.error]
    callouts = [w.value for w in at.warning if w.value.startswith("**Due for review:**")]
    assert [c.split(".")[0] for c in callouts] == ["**Due for review:** T1"]
    assert [e.label for e in at.expander if e.label.startswith("T1 ")] == \
        ["T1 · Timely start of investigations · ⚑ due for review"]
    overview = at.dataframe[0].value
    assert list(overview.loc[overview["Due"] != "", "Id"]) == ["T1"]


def test_search_and_type_filters_narrow_the_catalog(monkeypatch, sample_db_copy):
    at = _page(monkeypatch, sample_db_copy, "pages/views/catalog.py")
    at.text_input(key="catalog_search").input("caseworker visits").run()
    ids = set(at.dataframe[0].value["Id"])
    assert {"V1", "Q1.14", "Q1.15"} <= ids and "P1" not in ids
    at.multiselect(key="catalog_types").set_value(["completion"]).run()
    assert list(at.dataframe[0].value["Id"]) == ["V1"]
    assert [s.value for s in at.subheader][0] == "Completion (1)"
