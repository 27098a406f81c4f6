"""Every page renders under real Streamlit (AppTest) without an exception.

Expected figures are computed here from the sample CSV files with the plain rule of
INDICATORS.md ("in care on d": removal_date <= d and (discharge NULL or discharge > d)),
independently of the core's SQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_support import as_viewer

from sample_facts import expected_home_figures

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["pages/views/scorecard.py", "pages/views/indicator.py", "pages/views/home.py", "pages/views/mission.py",
         "pages/views/catalog.py", "pages/views/data.py", "pages/views/data_quality.py"]


def _app(monkeypatch, db: Path) -> AppTest:
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_for_the_analyst(monkeypatch, sample_db_copy, page):
    at = _app(monkeypatch, sample_db_copy).run()
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} has no title"


def test_home_shows_children_in_care_and_the_as_of_date(monkeypatch, sample_db_copy):
    want = expected_home_figures()
    at = _app(monkeypatch, sample_db_copy).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Children in care now"] == f"{want['in_care']:,}"
    at.switch_page("pages/views/home.py").run()
    assert any(f"{want['as_of']:%B} {want['as_of'].day}, {want['as_of'].year}" in s.value
               for s in at.subheader)


def test_home_shows_demo_mode_banner(monkeypatch, sample_db_copy):
    at = _app(monkeypatch, sample_db_copy).run()
    assert any("Demo mode" in w.value for w in at.sidebar.warning)


def test_first_run_builds_the_database_from_the_sample(monkeypatch, tmp_path):
    db = tmp_path / "fresh.duckdb"
    at = _app(monkeypatch, db).run()
    assert not at.exception
    assert db.exists()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Children in care now"] == f"{expected_home_figures()['in_care']:,}"
    # The set-up refreshed everything derived from the sample, so no later visitor waits:
    # the monthly and quarterly series are beside the database and the status says done.
    cache = db.with_name(db.name + ".cache")
    assert {p.name.split("-")[1] for p in cache.glob("series-*.parquet")} == {"month", "quarter"}
    assert json.loads((cache / "refresh.json").read_text())["fraction"] == 1.0


def test_import_history_lists_the_sample_batch_with_every_row_accepted(monkeypatch, sample_db_copy):
    from sample_facts import sample_row_counts
    want = sum(sample_row_counts().values())
    at = _app(monkeypatch, sample_db_copy).run()
    at.switch_page("pages/views/data.py").run()
    assert not at.exception
    history = at.dataframe[0].value
    assert list(history["outcome"]) == ["landed"]
    assert int(history["rows_accepted"].iloc[0]) == want
    assert int(history["rows_rejected"].iloc[0]) == 0


def test_data_quality_counts_same_day_discharges(monkeypatch, sample_db_copy):
    from sample_facts import same_day_discharges
    at = _app(monkeypatch, sample_db_copy).run()
    at.switch_page("pages/views/data_quality.py").run()
    assert not at.exception
    checks = at.dataframe[0].value
    row = checks[checks["name"] == "Discharged the day of removal"]
    assert int(row["failing"].iloc[0]) == same_day_discharges()


def test_data_quality_shows_entry_timeliness_only_when_asked(monkeypatch, sample_db_copy):
    import cqi_core

    calls = []
    real = cqi_core.entry_timeliness
    monkeypatch.setattr(cqi_core, "entry_timeliness",
                        lambda store, by="unit", **kw: calls.append(by) or real(store, by=by, **kw))
    at = _app(monkeypatch, sample_db_copy).run()
    at.switch_page("pages/views/data_quality.py").run()
    assert not at.exception
    assert calls == []  # the checks are shown first; the timeliness scan waits to be asked for
    view = next(r for r in at.radio if r.label == "Show")
    view.set_value("Data-entry timeliness").run()
    assert not at.exception
    assert calls == ["unit", "month"]
    months = at.dataframe[0].value
    assert set(months["source"]) <= {"visits", "reports"} and len(months) > 0


def test_a_page_opened_directly_still_refuses_a_role_it_does_not_serve(monkeypatch, sample_db_copy):
    # Streamlit can start a file in pages/ without the router (its older multipage
    # style); the page itself must still refuse roles it does not serve.
    as_viewer(monkeypatch, "supervisor")
    monkeypatch.setenv("CQI_DB", str(sample_db_copy))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "pages" / "views" / "data_quality.py"), default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["This page is for other people, so it is not part of your view of the dashboard."]
    assert not at.dataframe
    assert any("Signed in as" in c.value for c in at.sidebar.caption)
