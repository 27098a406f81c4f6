"""The codebook: the starter themes as data, and changes kept as versions in the database."""

from __future__ import annotations

import re
from dataclasses import replace

import polars as pl
import pytest

from cqi_core import open_store
from cqi_core.analysis import qualitative
from cqi_core.errors import StoreError
from cqi_core.indicators.catalog import load_catalog
from cqi_core.analysis.qualitative import CodebookError, Theme

STARTER_THEMES = {
    "engagement", "caseworker_visits", "placement_stability", "services", "education",
    "physical_health", "mental_health", "safety", "transportation", "communication",
    "workforce", "relatives_connections", "court_legal", "cultural_responsiveness",
    "housing_economic"}
"""The themes a CQI team expects in a starter codebook (the issue's list)."""


def test_the_starter_codebook_has_the_expected_themes_fully_described():
    codebook = qualitative.load_codebook()
    assert STARTER_THEMES <= set(codebook.codes)
    assert len(codebook.codes) == len(set(codebook.codes))
    assert len({t.name.casefold() for t in codebook}) == len(codebook)
    for t in codebook:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", t.code), t.code
        for field in ("name", "definition", "include", "exclude"):
            assert getattr(t, field), f"{t.code}: {field} is empty"
        assert 1 <= len(t.examples) <= 2, t.code
        assert t.patterns, t.code


def test_every_theme_suggests_itself_on_one_of_its_own_examples():
    # Examples and patterns describe the same theme: at least one example carries a pattern.
    for t in qualitative.load_codebook():
        regex = re.compile(t.regex())
        assert any(regex.search(e) for e in t.examples), t.code


def test_related_indicators_exist_in_the_catalog():
    ids = set(load_catalog().ids)
    for t in qualitative.load_codebook():
        assert set(t.related) <= ids, t.code


def test_patterns_are_case_insensitive_whole_words():
    t = Theme(code="t", name="T", patterns=("visit(?:s|ed)?",))
    regex = re.compile(t.regex())
    assert regex.search("VISITS were late")
    assert regex.search("the worker visited")
    assert not regex.search("revisiting the plan")  # not a whole word


def test_a_saved_theme_is_a_new_version_with_who_when_and_why(sample_db_copy):
    store = open_store(sample_db_copy)
    try:
        before = qualitative.load_codebook(store)
        theme = Theme(code="respite_care", name="Respite for caregivers",
                      definition="Breaks for caregivers.", examples=["We finally got a weekend off."],
                      patterns=["respite", "weekend off"], related=["Q1.12C"])
        qualitative.save_theme(store, theme, "Ana (analyst)", "Caregivers keep raising it.")
        after = qualitative.load_codebook(store)
        assert after.version == before.version + 1
        assert after.codes[-1] == "respite_care"
        assert after.get("respite_care") == replace(theme, examples=("We finally got a weekend off.",),
                                                    patterns=("respite", "weekend off"),
                                                    related=("Q1.12C",))
        # an edit of a starter theme
        visits = after.get("caseworker_visits")
        qualitative.save_theme(store, replace(visits, name="Caseworker contacts"), "Ana", "Wording.")
        edited = qualitative.load_codebook(store)
        assert edited.version == before.version + 2
        assert edited.get("caseworker_visits").name == "Caseworker contacts"
        assert edited.codes.index("caseworker_visits") == before.codes.index("caseworker_visits")
        history = qualitative.codebook_history(store)
        assert history["version"].to_list()[:2] == [before.version + 2, before.version + 1]
        top = history.row(0, named=True)
        assert (top["code"], top["action"], top["by"], top["why"]) == (
            "caseworker_visits", "edit", "Ana", "Wording.")
        assert '"name": "Caseworker contacts"' in top["changes"]
        assert history.filter(pl.col("action") == "file").height >= 1
    finally:
        store.close()


def test_a_retired_theme_leaves_the_codebook_and_can_come_back(sample_db_copy):
    store = open_store(sample_db_copy)
    try:
        start = qualitative.load_codebook(store)
        qualitative.retire_theme(store, "transportation", "Ana", "Merged into services.")
        retired = qualitative.load_codebook(store)
        assert "transportation" not in retired.codes
        assert [t.code for t in retired.retired] == ["transportation"]
        assert retired.version == start.version + 1
        qualitative.save_theme(store, start.get("transportation"), "Ana", "Back by request.")
        back = qualitative.load_codebook(store)
        assert back.get("transportation") == start.get("transportation")
        assert back.retired == []
        assert qualitative.codebook_history(store)["action"].to_list()[:2] == ["add", "retire"]
        with pytest.raises(CodebookError, match="no theme 'nonsense' in use"):
            qualitative.retire_theme(store, "nonsense", "Ana", "Typo.")
    finally:
        store.close()


@pytest.mark.parametrize("theme, message", [
    (Theme(code="Bad Code", name="X"), "code 'Bad Code' must be snake_case"),
    (Theme(code="9lives", name="X"), "must be snake_case"),
    (Theme(code="ok_code", name="  "), "name cannot be empty"),
    (Theme(code="ok_code", name="Caseworker visits"), "already the name of theme 'caseworker_visits'"),
    (Theme(code="ok_code", name="X", patterns=("visit(",)), "pattern 1 'visit\\(' does not compile"),
    (Theme(code="ok_code", name="X", patterns=("ok", "(?<!trial )visit")),
     "pattern 2 .* database's regular expressions do not support"),
    (Theme(code="ok_code", name="X", patterns=("x*",)), "matches an empty text"),
    (Theme(code="ok_code", name="X", related=("Z9",)), "'Z9' is not an indicator id"),
    (Theme(code="ok_code", name="X", patterns=("a",), ignore=("(",)),
     "ignore phrase 1 '\\(' does not compile"),
])
def test_a_theme_that_does_not_fit_is_refused_and_nothing_is_saved(sample_db_copy, theme, message):
    store = open_store(sample_db_copy)
    try:
        before = qualitative.load_codebook(store).version
        with pytest.raises(CodebookError, match=message):
            qualitative.save_theme(store, theme, "Ana", "Trying.")
        assert qualitative.load_codebook(store).version == before
    finally:
        store.close()


def test_a_change_needs_a_person_a_reason_and_a_difference(sample_db_copy):
    store = open_store(sample_db_copy)
    try:
        visits = qualitative.load_codebook(store).get("caseworker_visits")
        with pytest.raises(CodebookError, match="Say who"):
            qualitative.save_theme(store, visits, "", "Why not.")
        with pytest.raises(CodebookError, match="Say why"):
            qualitative.save_theme(store, visits, "Ana", " ")
        with pytest.raises(CodebookError, match="Nothing to save"):
            qualitative.save_theme(store, visits, "Ana", "No change.")
    finally:
        store.close()


def test_a_read_only_store_reads_the_codebook_but_refuses_changes(sample_db):
    store = open_store(sample_db, read_only=True)
    try:
        codebook = qualitative.load_codebook(store)
        assert STARTER_THEMES <= set(codebook.codes)
        with pytest.raises(StoreError, match="read-only"):
            qualitative.save_theme(store, codebook.get("safety"), "Ana", "Edit.")
    finally:
        store.close()   # other tests open the same file for writing


def test_a_codebook_file_with_a_bad_theme_names_the_theme_and_field(tmp_path):
    bad = tmp_path / "codebook.yaml"
    bad.write_text("version: 1\nthemes:\n  - code: ok\n    name: OK\n"
                   "  - code: broken\n    name: Broken\n    patterns: ['(unclosed']\n",
                   encoding="utf-8")
    with pytest.raises(ValueError, match="codebook.yaml: theme broken, field patterns: pattern 1"):
        qualitative.load_codebook(path=bad)
