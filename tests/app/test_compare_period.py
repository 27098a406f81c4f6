"""Compare units: picking another measure moves the period to that measure's latest complete
12 months, while a link's own period, and a period the person picks, are kept.

The sample agency's data end on 30 September 2026 (its as-of date). V1 (caseworker visits)
has no follow-up (`followup: end` in indicators/config.yaml), so its latest complete 12
months end on 30 September 2026. P1 (permanency within 12 months of entry) follows the
children who entered for 12 months after the period ends (`end_plus_12`), so its latest
complete 12 months end a year earlier, on 30 September 2025 (October 2024 to September
2025, as the youth view says too).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_support import as_viewer

ROOT = Path(__file__).resolve().parents[2]
V1_LATEST, P1_LATEST = date(2026, 9, 30), date(2025, 9, 30)


@pytest.fixture(scope="module")
def db(sample_db, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("compare_period") / "cqi.duckdb"
    shutil.copy(sample_db, path)
    return path


def _page(monkeypatch, db: Path, **params: str) -> AppTest:
    as_viewer(monkeypatch, "analyst")
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "pages" / "views" / "compare.py"), default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _box(at: AppTest, label: str):
    return next(s for s in at.selectbox if s.label == label)


def _notes(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "in the link (“" in w.value]


def test_another_measure_opens_on_its_latest_complete_period(monkeypatch, db):
    at = _page(monkeypatch, db, id="P1", by="unit")
    assert not at.exception, [e.value for e in at.exception]
    assert _box(at, "12 months ending").value == P1_LATEST
    # V1 is picked: P1's period (a year old for V1) is left, V1's latest is shown
    _box(at, "Measure").set_value("V1").run()
    assert not at.exception, [e.value for e in at.exception]
    assert _box(at, "Measure").value == "V1"
    assert _box(at, "12 months ending").value == V1_LATEST
    assert at.query_params["end"] == "2026-09-30" and at.query_params["id"] == "V1"
    assert not _notes(at)
    # and back: P1's latest complete period again, not V1's (P1's follow-up is not over)
    _box(at, "Measure").set_value("P1").run()
    assert _box(at, "12 months ending").value == P1_LATEST
    assert not _notes(at)


def test_a_period_picked_for_a_measure_is_kept_while_the_measure_is(monkeypatch, db):
    at = _page(monkeypatch, db, id="V1", by="unit")
    assert _box(at, "12 months ending").value == V1_LATEST
    _box(at, "12 months ending").set_value(date(2026, 6, 30)).run()
    assert _box(at, "12 months ending").value == date(2026, 6, 30)
    at.run()
    assert _box(at, "12 months ending").value == date(2026, 6, 30)
    assert at.query_params["end"] == "2026-06-30"
    _box(at, "Measure").set_value("P1").run()  # a new measure: its own latest period
    assert _box(at, "12 months ending").value == P1_LATEST


def test_a_links_own_period_is_kept(monkeypatch, db):
    # a shared link names V1 with the 12 months to September 2025: that is what it shows
    at = _page(monkeypatch, db, id="V1", by="unit", end="2025-09-30")
    assert not at.exception
    assert _box(at, "Measure").value == "V1"
    assert _box(at, "12 months ending").value == date(2025, 9, 30)
    assert not _notes(at)
