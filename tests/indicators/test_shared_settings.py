"""F1's favourable rating and D1's entry limit are each one setting (indicators/config.yaml),
read by everything that uses them: the indicators, the data quality checks, the voices
analysis, the rating chart and the words pages show.

The changing tests point the settings registry at a temporary copy of config.yaml with other
values (f1_favourable 3, d1_days 5) and check that every consumer follows it.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import polars as pl
import pytest
import yaml

import cqi_core
from cqi_core import settings
from cqi_core.analysis import voices
from cqi_core.charts.reviews import rating_distribution_chart
from cqi_core.indicators import engine
from cqi_core.quality import checks as quality
from practice_fixtures import add, new_store, total, visit, worker


def _clear_caches() -> None:
    engine.load_config.cache_clear()
    quality._config.cache_clear()


@pytest.fixture
def changed(tmp_path, monkeypatch):
    """indicators/config.yaml with f1_favourable 3 and d1_days 5, for this test only."""
    entry = settings.entry("indicator_config")
    raw = yaml.safe_load(entry.file.read_text(encoding="utf-8"))
    raw["indicators"]["F1"]["params"]["f1_favourable"] = 3
    raw["indicators"]["D1"]["params"]["d1_days"] = 5
    copy = tmp_path / "config.yaml"
    copy.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    monkeypatch.setitem(settings.BY_NAME, "indicator_config",
                        dataclasses.replace(entry, path=str(copy)))
    _clear_caches()
    yield
    monkeypatch.undo()
    _clear_caches()


# ---- the shipped values ----------------------------------------------------------------

def test_the_shipped_settings_are_4_or_5_and_3_days():
    assert engine.f1_favourable() == 4
    assert engine.f1_favourable_words() == "4 or 5"
    assert cqi_core.f1_favourable_words() == "4 or 5"
    assert engine.d1_days() == 3
    assert quality.late_entry_days() == 3 == quality.load_config().late_entry_days


def test_the_checks_file_sets_no_late_entry_limit_of_its_own():
    raw = yaml.safe_load(quality.CHECKS_PATH.read_text(encoding="utf-8"))
    assert "settings" not in raw
    assert "late_entry_days" not in settings.keys_in_file("checks")


@pytest.mark.parametrize("threshold, words", [(5, "5"), (4, "4 or 5"), (3, "3, 4 or 5"),
                                              (1, "1, 2, 3, 4 or 5")])
def test_favourable_ratings_in_words(monkeypatch, threshold, words):
    monkeypatch.setattr(engine, "f1_favourable", lambda: threshold)
    assert engine.f1_favourable_words() == words


# ---- one change, every consumer --------------------------------------------------------

def _feedback_frame() -> pl.DataFrame:
    # What voices.voices returns, reduced to the columns the F1 functions read.
    return pl.DataFrame({
        "source_type": ["feedback"] * 4 + ["staff_survey"],
        "score": [5, 4, 3, 2, 1],
        "quarter_start": [date(2025, 1, 1)] * 5,
    })


def test_changing_f1_favourable_changes_the_indicator_and_every_view_of_it(tmp_path, changed):
    assert engine.f1_favourable() == 3
    assert engine.f1_favourable_words() == cqi_core.f1_favourable_words() == "3, 4 or 5"
    # The indicator: a rating of 3 now counts.
    store = new_store(tmp_path)
    add(store, "feedback", [
        {"feedback_id": f"F{r}", "received_date": "2025-02-01", "source_group": "youth",
         "channel": "survey", "unit_id": "U1", "region": None, "rating": r, "text": "ok"}
        for r in (5, 4, 3, 2)])
    assert total(store, "F1", "2025-01-01", "2025-03-31") == (3, 4)
    # The voices analysis (the page's F1 figure and its trend line).
    frame = _feedback_frame()
    fav = voices.favourable(frame).row(0, named=True)
    assert (fav["favourable"], fav["rated"]) == (3, 4)
    trend = voices.favourable_trend(frame, date(2025, 1, 1), date(2025, 3, 31))
    assert trend["series"].unique().to_list() == ["Rated 3, 4 or 5"]
    # The rating chart's description.
    figure = rating_distribution_chart(voices.rating_distribution(frame))
    assert "Everyone: 75% rated 3, 4 or 5" in figure.description
    assert "share rated 3, 4 or 5" in figure.how_to_read


def test_changing_d1_days_changes_the_indicator_and_the_data_quality_checks(tmp_path, changed):
    assert engine.d1_days() == 5
    store = new_store(tmp_path)
    add(store, "workers", [worker("W1", "U1", "2020-01-01")])
    add(store, "visits", [
        visit("v1", "a", "2025-01-10", worker="W1", entered="2025-01-14"),   # 4 days
        visit("v2", "a", "2025-01-10", worker="W1", entered="2025-01-15"),   # 5 days
        visit("v3", "a", "2025-01-10", worker="W1", entered="2025-01-16"),   # 6 days
    ])
    # D1: within 5 days is timely (with 3 days only none would be).
    assert total(store, "D1", "2025-01-01", "2025-03-31") == (2, 3)
    # The data quality checks call only the entry after 5 days late.
    assert quality.late_entry_days() == 5 == quality.load_config().late_entry_days
    late = quality.failing_records(store, "late_entry_visits", as_of=date(2025, 3, 31))
    assert late["record_key"].to_list() == ["v3"]
    timeliness = quality.entry_timeliness(store, by="all").row(0, named=True)
    assert (timeliness["records"], timeliness["late"]) == (3, 1)
    check = next(c for c in quality.list_checks() if c.id == "late_entry_visits")
    assert "(default 5)" in check.meaning


def test_the_catalog_words_state_the_shipped_settings():
    """The catalog's definitions are text staff edit in the app, not read from the setting;
    this fails when the setting moves and the catalog still states the old number."""
    entries = {e["id"]: e for e in settings.load("catalog")["entries"]}
    assert f"within {engine.d1_days()} days" in entries["D1"]["definition"]
    assert f"<= {engine.d1_days()} days" in " ".join(entries["D1"]["methodology"]["rule"].split())
    assert f"a rating of {engine.f1_favourable_words()}" in entries["F1"]["definition"]
    assert f"share rated {engine.f1_favourable_words()}" in entries["F1"]["methodology"]["rule"]
