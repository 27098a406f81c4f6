"""The indicator catalog: complete against config.yaml and the SQL, validated, versioned."""

from __future__ import annotations

import hashlib
import re
import shutil
import threading
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from cqi_core.errors import CQIError, StoreError
from cqi_core.indicators.catalog import (CATALOG_PATH, FEDERAL_LABEL, check_catalog_complete,
                                         due_for_review, history, load_catalog, save_edit,
                                         youth_text)
from cqi_core.indicators.engine import SQL_DIR, indicator_ids, load_config
from cqi_core.storage.store import open_store

CONFIG_PATH = CATALOG_PATH.with_name("config.yaml")


def raw_catalog() -> dict:
    return yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))


def raw_entry(raw: dict, id: str) -> dict:
    return next(e for e in raw["entries"] if e["id"] == id)


def write(tmp_path: Path, raw: dict, name: str = "catalog.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "catalog.duckdb")
    yield s
    s.close()


# ---- completeness -------------------------------------------------------------------------

def test_every_indicator_has_a_catalog_entry_and_sql_and_every_entry_an_indicator():
    assert check_catalog_complete(SQL_DIR, load_config()) == []
    assert load_catalog().ids == indicator_ids()  # same ids, same order as the engine


def test_a_missing_catalog_entry_is_reported(tmp_path):
    raw = raw_catalog()
    raw["entries"] = [e for e in raw["entries"] if e["id"] != "Q1.12B"]
    problems = check_catalog_complete(SQL_DIR, load_config(), write(tmp_path, raw))
    assert problems == ["Indicator Q1.12B is in config.yaml but has no catalog entry."]


def test_a_missing_sql_file_is_reported(tmp_path):
    sql_dir = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql_dir)
    (sql_dir / "P5.sql").unlink()
    assert check_catalog_complete(sql_dir, load_config()) == [
        "Indicator P5 is in config.yaml but has no SQL file P5.sql."]


def test_an_entry_and_a_sql_file_without_indicator_in_config_are_reported(tmp_path):
    raw = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    del raw["indicators"]["F1"]
    raw["indicators"]["Q2"]["members"].append("Q2.X")
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    assert check_catalog_complete(SQL_DIR, config) == [
        "SQL file F1.sql has no indicator in config.yaml.",
        "Indicator Q2.X is in config.yaml but has no catalog entry.",
        "Catalog entry F1 is not an indicator in config.yaml.",
    ]


def test_empty_documentation_and_disagreements_with_config_are_reported(tmp_path):
    raw = raw_catalog()
    raw_entry(raw, "V2")["definition"] = ""
    raw_entry(raw, "T1")["methodology"] = {"rule": "", "choices": [], "choices_confirmed": False}
    raw_entry(raw, "P3")["national"] = 0.4
    raw_entry(raw, "W1")["direction"] = "higher"
    raw_entry(raw, "S1")["unit"] = "per_1000_days"
    problems = check_catalog_complete(SQL_DIR, load_config(), write(tmp_path, raw))
    assert problems == [
        "Catalog entry S1: unit per_1000_days does not fit a rate (× 100000); "
        "use per_100000_days.",
        "Catalog entry P3: national 0.4, but config.yaml says 0.373.",
        "Catalog entry V2: definition is empty.",
        "Catalog entry T1: methodology is empty.",
        "Catalog entry T1: choices is empty (say 'none' if there are none).",
        "Catalog entry W1: direction higher, but config.yaml says better: lower.",
    ]


def test_a_catalog_that_does_not_load_is_one_problem(tmp_path):
    raw = raw_catalog()
    del raw_entry(raw, "P1")["owner"]
    problems = check_catalog_complete(SQL_DIR, load_config(), write(tmp_path, raw))
    assert len(problems) == 1 and "entry P1, field owner" in problems[0]


# ---- validation on load -------------------------------------------------------------------

def _break(entry: dict, how: str) -> None:
    if how == "unknown key":
        entry["colour"] = "red"
    elif how == "missing field":
        del entry["owner"]
    elif how == "bad type":
        entry["standard"] = "high"
    elif how == "bad choice":
        entry["measure_type"] = "vibes"
    elif how == "share above 1":
        entry["standard"] = 95
    elif how == "no placeholder":
        entry["youth_sentence"] = "Most young people went home."
    elif how == "placeholder for another unit":
        entry["youth_sentence"] = "About {per_year_10} went home."
    elif how == "unknown value":
        entry["value_ids"] = ["kindness"]
    elif how == "history gap":
        entry["history"] = [{"version": 2, "date": "2026-11-21", "what": "x", "why": "y",
                             "by": "z"}]
    elif how == "bad date":
        entry["review_date"] = "next spring"


@pytest.mark.parametrize("how, field", [
    ("unknown key", "colour"), ("missing field", "owner"), ("bad type", "standard"),
    ("bad choice", "measure_type"), ("share above 1", "standard"),
    ("no placeholder", "youth_sentence"), ("placeholder for another unit", "youth_sentence"),
    ("unknown value", "value_ids"), ("history gap", "history"), ("bad date", "review_date"),
])
def test_a_bad_entry_is_refused_with_its_id_and_field(tmp_path, how, field):
    raw = raw_catalog()
    _break(raw_entry(raw, "P2"), how)
    with pytest.raises(ValueError, match=rf"entry P2, field {field}:"):
        load_catalog(path=write(tmp_path, raw))


def test_a_federal_entry_must_carry_the_observed_label_and_ids_are_unique(tmp_path):
    raw = raw_catalog()
    raw_entry(raw, "S2")["label"] = None
    with pytest.raises(ValueError, match="entry S2, field label"):
        load_catalog(path=write(tmp_path, raw))
    raw = raw_catalog()
    raw["entries"].append(dict(raw_entry(raw, "F1")))
    with pytest.raises(ValueError, match="entry F1, field id: appears twice"):
        load_catalog(path=write(tmp_path, raw, "dup.yaml"))


def test_the_shipped_entries_follow_the_documented_rules():
    cat = load_catalog()
    config = load_config()
    for e in cat:
        assert e.version == 1 and e.history[0].version == 1
        assert (e.label == FEDERAL_LABEL) == e.federal
        assert e.choices_confirmed is True  # checked against the SQL headers
        assert not any(c.startswith("Open:") for c in e.choices), e.id
    federal = {e.id for e in cat if e.federal}
    assert federal == {"S1", "S2", "P1", "P2", "P3", "P4", "P5", "E1"}
    for i in ("S1", "S2", "P1", "P2", "P3", "P4"):
        assert cat.entry(i).measure_type == "outcome"
        assert cat.entry(i).standard == config[i].national  # national performance as standard
    assert cat.entry("P5").measure_type == "performance"
    assert cat.entry("E1").measure_type == cat.entry("W1").measure_type == "context"
    assert cat.entry("E1").standard is None and cat.entry("E1").direction == "none"
    assert cat.entry("V2").standard == 0.5 and cat.entry("V2").standard_strict
    assert [cat.entry(i).standard for i in ("V1", "T1", "D1", "Q1.7", "Q2.WB3")] == \
        [0.95, 0.9, 0.9, 0.95, 0.95]


_JARGON = re.compile(r"\b(cohort|episode|denominator|numerator|substantiat\w*|CFSR|OSRI|AFCARS|"
                     r"NCANDS|permanency|reunification|placement|disposition|maltreatment|"
                     r"victimi[sz]ation|indicator|proportion)\b", re.IGNORECASE)


def test_youth_sentences_are_short_and_free_of_jargon():
    for e in load_catalog():
        for text in (youth_text(e, 0.5 if e.unit == "percent" else 5.0), e.youth_fallback):
            assert not _JARGON.search(text), (e.id, text)
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                assert len(sentence.split()) <= 30, (e.id, sentence)


def test_youth_text_fills_the_number_or_falls_back():
    cat = load_catalog()
    p1 = cat.entry("P1")
    assert youth_text(p1, 0.352) == ("Out of every 10 young people who came into care, about 4 "
                                      "went home or to a new permanent family within a year.")
    assert youth_text(p1, None) == p1.youth_fallback
    assert youth_text(p1, float("nan")) == p1.youth_fallback
    # 9.07 per 100,000 days × 365 days × 100 young people = 3.31 → "about 3"
    assert "about 3 times" in youth_text(cat.entry("S1"), 9.07)
    # 4.48 per 1,000 days × 365 × 10 = 16.35 → 16
    assert "about 16 moves" in youth_text(cat.entry("P5"), 4.48)
    # a small share keeps one decimal instead of reading "about 0": 0.004 × 100 = 0.4
    assert "about 0.4 had to come back" in youth_text(cat.entry("P4"), 0.004)


def test_meets_respects_direction_and_strictness():
    cat = load_catalog()
    assert cat.entry("P1").meets(0.352) is True and cat.entry("P1").meets(0.35) is False
    assert cat.entry("P4").meets(0.056) is True and cat.entry("P4").meets(0.06) is False
    assert cat.entry("V2").meets(0.5) is False and cat.entry("V2").meets(0.51) is True
    assert cat.entry("W1").meets(12.0) is None  # no standard set
    assert cat.entry("E1").meets(3.0) is None  # no direction
    assert cat.entry("V1").meets(None) is None


def test_due_for_review_lists_entries_past_their_review_date():
    cat = load_catalog()
    assert due_for_review(cat, date(2026, 12, 1)) == []
    assert {e.id for e in due_for_review(cat, date(2027, 4, 1))} == \
        {"S1", "S2", "P1", "P2", "P3", "P4", "P5", "E1"}


# ---- versioned edits ----------------------------------------------------------------------

def test_an_edit_is_a_new_version_the_store_shows_and_the_yaml_keeps_unchanged(store):
    before = hashlib.sha256(CATALOG_PATH.read_bytes()).hexdigest()
    edited = save_edit(store, "P1", {"standard": 0.40}, why="Board set a higher target",
                       by="Dana (CQI manager)")
    assert edited.version == 2 and edited.standard == 0.40
    assert load_catalog(store).entry("P1").standard == 0.40
    assert load_catalog().entry("P1").standard == 0.352
    assert hashlib.sha256(CATALOG_PATH.read_bytes()).hexdigest() == before
    again = save_edit(store, "P1", {"owner": "Permanency program manager",
                                    "review_date": "2027-01-31"}, why="New owner", by="Dana")
    assert again.version == 3 and again.standard == 0.40
    assert again.review_date == date(2027, 1, 31)
    assert load_catalog(store).entry("P2").version == 1  # other entries untouched


def test_history_lists_the_yaml_version_and_every_saved_edit_newest_first(store):
    save_edit(store, "V1", {"standard": "90%"}, why="Phase in the federal level", by="Lee")
    save_edit(store, "V1", {"definition": "Each full month a child spent in care.",
                            "value_ids": ["quality_visits"]}, why="Shorter", by="Kim")
    h = history(store, "V1")
    assert h["version"].to_list() == [3, 2, 1]
    assert h["source"].to_list() == ["saved edit", "saved edit", "catalog file"]
    assert h["by"].to_list() == ["Kim", "Lee", "CQI team"]
    assert h["what"].to_list()[:2] == ["Changed definition, value_ids.", "Changed standard."]
    assert h["changes"][1] == '{"standard": 0.9}'
    assert h["saved_at"].null_count() == 1
    assert history(None, "V1")["version"].to_list() == [1]
    entry = load_catalog(store).entry("V1")
    assert [n.version for n in entry.history] == [1, 2, 3]
    assert entry.value_ids == ("quality_visits",)


@pytest.mark.parametrize("id, changes, message", [
    ("V1", {"standard": 95}, "between 0 and 1"),
    ("V1", {"standard": -0.1}, "cannot be negative"),
    ("E1", {"standard": 3.0}, "no direction cannot have a standard"),
    ("V1", {"direction": "lower"}, "'direction' cannot be changed here"),
    ("V1", {"value_ids": ["kindness"]}, "unknown value 'kindness'"),
    ("V1", {"value_ids": []}, "at least one agency value"),
    ("V1", {"youth_sentence": "Workers visit a lot."}, "needs a placeholder"),
    ("V1", {"review_date": "soon"}, "YYYY-MM-DD"),
    ("V1", {"name": "  "}, "cannot be empty"),
    ("V1", {"standard": 0.95}, "Nothing to save"),
    ("ZZ", {"standard": 0.5}, "no indicator 'ZZ'"),
    ("V1", {}, "nothing to change"),
])
def test_an_edit_that_does_not_fit_is_refused_in_plain_words(store, id, changes, message):
    with pytest.raises(CQIError, match=re.escape(message)):
        save_edit(store, id, changes, why="test", by="tester")
    assert store.scalar("SELECT count(*) FROM catalog_edits") == 0


def test_an_edit_needs_a_reason_and_a_name(store):
    with pytest.raises(CQIError, match="Say why"):
        save_edit(store, "V1", {"standard": 0.9}, why=" ", by="Lee")
    with pytest.raises(CQIError, match="Say who"):
        save_edit(store, "V1", {"standard": 0.9}, why="because", by="")


def test_a_rate_standard_may_exceed_one_and_w2_may_pass_100_percent(store):
    assert save_edit(store, "W1", {"standard": 15}, why="Caseload cap", by="HR").standard == 15
    assert save_edit(store, "W2", {"standard": 1.2}, why="Long period", by="HR").standard == 1.2


def test_edits_survive_reopening_and_a_read_only_store_refuses_new_ones(tmp_path):
    path = tmp_path / "ro.duckdb"
    s = open_store(path)
    save_edit(s, "T1", {"standard": 0.85}, why="Staffing", by="Intake manager")
    s.close()
    ro = open_store(path, read_only=True)
    assert load_catalog(ro).entry("T1").standard == 0.85
    with pytest.raises(StoreError, match="read-only"):
        save_edit(ro, "T1", {"standard": 0.9}, why="x", by="y")
    ro.close()


def test_a_file_from_before_the_edit_tables_reads_as_the_yaml(tmp_path):
    path = tmp_path / "old.duckdb"
    open_store(path).close()
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE catalog_edits")
    con.close()
    ro = open_store(path, read_only=True)
    assert load_catalog(ro) == load_catalog()
    ro.close()
    rw = open_store(path)  # opening for writing creates the table again
    assert rw.scalar("SELECT count(*) FROM catalog_edits") == 0
    rw.close()


def test_edits_from_several_threads_get_distinct_versions(store):
    errors = []

    def edit(k: int) -> None:
        try:
            save_edit(store, "D1", {"owner": f"Owner {k}"}, why="rotation", by=f"user{k}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=edit, args=(k,)) for k in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert history(store, "D1")["version"].to_list() == [6, 5, 4, 3, 2, 1]
