"""Suggestions, analysts' decisions that survive re-imports, and themes by group.

Expected values come from reading the tiny agency's texts (see conftest.py) against the tiny
codebook (fixtures/tiny_codebook.yaml): visits 'visits?', moves 'moves?', workload
'new cases|caseloads?', engagement 'engag\\w*|planning', zebra (never matches), by_hand (no
patterns).
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date

import polars as pl
import pytest
from openpyxl import load_workbook

from cqi_core import import_files, open_store
from cqi_core.analysis import qualitative
from cqi_core.errors import CQIError, StoreError

from tiny_agency import NA_TEXT


def _pairs(frame: pl.DataFrame, *cols: str) -> set[tuple]:
    return set(frame.select(*cols).iter_rows())


def test_suggestions_match_the_patterns_on_every_text(tiny_db, tiny_codebook):
    s = qualitative.suggest_themes(tiny_db, codebook=tiny_codebook)
    assert s.columns == ["excerpt_id", "source_type", "source_id", "text_hash", "code",
                         "matched_text"]
    assert _pairs(s, "excerpt_id", "code", "matched_text") == {
        ("case_review:CR2:4", "moves", "moves"),          # "Two moves in six months"
        ("case_review:CR2:18", "engagement", "engaged"),  # "Father engaged in planning"
        ("feedback:F2:", "visits", "Visits"),             # "Visits were cancelled ..."
        ("staff_survey:S1:", "workload", "new cases"),    # "Too many new cases ..."
    }
    # the not-applicable narrative mentions visits but gets no suggestion by default
    assert "case_review:CR3:2" not in s["excerpt_id"].to_list()


def test_not_applicable_narratives_are_suggested_on_when_the_codebook_says_so(tiny_db, tiny_codebook):
    cb = replace(tiny_codebook, settings={"suggest_on_not_applicable": True})
    s = qualitative.suggest_themes(tiny_db, codebook=cb)
    assert ("case_review:CR3:2", "visits", "visits") in _pairs(s, "excerpt_id", "code", "matched_text")


def test_a_phrase_to_ignore_stops_a_pattern_inside_it(tiny_db, tiny_codebook):
    # "Visits were cancelled twice without notice.": ignoring "visits were cancelled" leaves
    # no other "visit" in the text, so F2 loses the suggestion; the NA text is not
    # suggested on anyway.
    visits = replace(tiny_codebook.get("visits"), ignore=("visits were cancelled",))
    cb = replace(tiny_codebook, themes=[visits])
    assert qualitative.suggest_themes(tiny_db, codebook=cb).height == 0
    # an ignore phrase that is not in the text changes nothing
    other = replace(visits, ignore=("home visits",))
    s = qualitative.suggest_themes(tiny_db, codebook=replace(cb, themes=[other]))
    assert s["excerpt_id"].to_list() == ["feedback:F2:"]


def test_suggestions_respect_period_and_source_types(tiny_db, tiny_codebook):
    s = qualitative.suggest_themes(tiny_db, date(2023, 5, 1), date(2023, 5, 31), ["case_review"],
                                   codebook=tiny_codebook)
    assert s["excerpt_id"].to_list() == ["case_review:CR2:18", "case_review:CR2:4"]


def test_a_codebook_without_patterns_suggests_nothing(tiny_db, tiny_codebook):
    cb = replace(tiny_codebook, themes=[tiny_codebook.get("by_hand")])
    assert qualitative.suggest_themes(tiny_db, codebook=cb).height == 0


def test_agency_unit_and_region_names_do_not_suggest_themes(tiny_db, tiny_codebook, tmp_path):
    # The tiny agency's unit names are "North Office", "South Office", "Central Office" and
    # its regions "North County" ...; a theme whose pattern is "office" or "county" must
    # not fire on them, but does on the word used on its own.
    office = replace(tiny_codebook.get("by_hand"), code="office", name="Office",
                     patterns=("office", "county"))
    cb = replace(tiny_codebook, themes=[office])
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "feedback.csv").write_text(
        "feedback_id,received_date,source_group,channel,unit_id,region,rating,text\n"
        "F1,2023-03-10,youth,survey,U1,North County,4,The North Office in North County helped.\n"
        "F2,2023-04-22,parent,survey,,South County,2,The office was closed.\n", encoding="utf-8")
    import_files(tiny_db, [folder], user="tests")
    s = qualitative.suggest_themes(tiny_db, codebook=cb)
    assert s.select("excerpt_id", "matched_text").rows() == [("feedback:F2:", "office")]


def test_starter_codebook_suggests_on_the_tiny_agency(tiny_db):
    s = qualitative.suggest_themes(tiny_db)
    pairs = _pairs(s, "excerpt_id", "code")
    assert ("case_review:CR2:4", "placement_stability") in pairs
    assert ("case_review:CR2:18", "engagement") in pairs
    assert ("staff_survey:S1:", "workforce") in pairs


def _decide(store, excerpt_id, code, decision, **kw):
    row = qualitative.excerpts(store).filter(pl.col("excerpt_id") == excerpt_id).row(0, named=True)
    qualitative.record_decision(store, excerpt_id, row["text_hash"], code, decision,
                                kw.get("user", "Ana"), kw.get("note", ""))


def _codes(store, **kw) -> set[tuple[str, str, str]]:
    return _pairs(qualitative.coded_excerpts(store, **kw), "excerpt_id", "code", "status")


def test_decisions_confirm_reject_and_add(tiny_db):
    suggested = _codes(tiny_db)
    assert ("case_review:CR2:4", "placement_stability", "suggested") in suggested
    _decide(tiny_db, "case_review:CR2:4", "placement_stability", "reject")
    _decide(tiny_db, "case_review:CR2:18", "engagement", "confirm", note="clear")
    _decide(tiny_db, "feedback:F2:", "caseworker_visits", "add")
    coded = _codes(tiny_db)
    assert ("case_review:CR2:4", "placement_stability", "suggested") not in coded
    assert not any(e == "case_review:CR2:4" and c == "placement_stability" for e, c, _ in coded)
    assert ("case_review:CR2:18", "engagement", "confirmed") in coded
    assert ("feedback:F2:", "caseworker_visits", "added") in coded
    # human decisions only
    assert _codes(tiny_db, include_suggested=False) == {
        ("case_review:CR2:18", "engagement", "confirmed"),
        ("feedback:F2:", "caseworker_visits", "added")}
    # the latest decision stands
    _decide(tiny_db, "case_review:CR2:4", "placement_stability", "confirm")
    assert ("case_review:CR2:4", "placement_stability", "confirmed") in _codes(tiny_db)
    log = qualitative.decisions(tiny_db)
    assert log.height == 3 and set(log["decided_by"]) == {"Ana"}


def test_the_coded_frame_feeds_the_statistics(tiny_db):
    _decide(tiny_db, "feedback:F2:", "caseworker_visits", "add")
    coded = qualitative.coded_excerpts(tiny_db)
    freq = qualitative.code_frequency(coded)
    assert freq.filter(pl.col("code") == "caseworker_visits").row(0) == ("caseworker_visits", 1, 1)
    pairs = qualitative.cooccurrence(coded, level="source")
    # CR2 carries both engagement (item 18) and placement_stability (item 4)
    row = pairs.filter((pl.col("code_a") == "engagement") & (pl.col("code_b") == "placement_stability"))
    assert row["n"].item() == 1
    by_unit = qualitative.code_by_descriptor(coded, "unit_id")
    assert set(by_unit["value"]) <= {"U1", "U2", "U3", "unknown"}


def test_bad_decisions_are_refused(tiny_db):
    row = qualitative.excerpts(tiny_db).filter(pl.col("excerpt_id") == "feedback:F1:").row(0, named=True)
    with pytest.raises(CQIError, match="Unknown decision 'maybe'"):
        qualitative.record_decision(tiny_db, "feedback:F1:", row["text_hash"], "safety", "maybe", "Ana")
    with pytest.raises(CQIError, match="no theme 'unicorns' in use"):
        qualitative.record_decision(tiny_db, "feedback:F1:", row["text_hash"], "unicorns", "add", "Ana")
    with pytest.raises(CQIError, match="no excerpt feedback:F9:"):
        qualitative.record_decision(tiny_db, "feedback:F9:", row["text_hash"], "safety", "add", "Ana")
    with pytest.raises(CQIError, match="text of excerpt feedback:F1: changed"):
        qualitative.record_decision(tiny_db, "feedback:F1:", "0" * 64, "safety", "add", "Ana")
    with pytest.raises(CQIError, match="Say who"):
        qualitative.record_decision(tiny_db, "feedback:F1:", row["text_hash"], "safety", "add", " ")
    assert qualitative.decisions(tiny_db).height == 0


def _rewrite_feedback(src, dest, change=None):
    """Write feedback.csv with the rows in reverse order (and one text changed)."""
    rows = list(csv.reader(io.StringIO((src / "feedback.csv").read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:][::-1]
    for r in body:
        if change and r[0] == change[0]:
            r[header.index("text")] = change[1]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *body])
    (dest / "feedback.csv").write_text(buf.getvalue(), encoding="utf-8")


def test_decisions_survive_reimports_of_the_same_text_and_lapse_when_it_changes(tiny_db, tiny_export,
                                                                               tmp_path):
    _decide(tiny_db, "feedback:F1:", "workforce", "add")
    _decide(tiny_db, "feedback:F2:", "caseworker_visits", "add")
    _decide(tiny_db, "case_review:CR2:18", "engagement", "confirm")
    _decide(tiny_db, "case_review:CR2:4", "placement_stability", "reject")
    expected = _codes(tiny_db, include_suggested=False)
    rejected = ("case_review:CR2:4", "placement_stability")

    # the same export files again, as a snapshot and as a delta
    for mode in ("snapshot", "delta"):
        import_files(tiny_db, [tiny_export], mode=mode, user="tests")
        assert _codes(tiny_db, include_suggested=False) == expected
        assert rejected not in {(e, c) for e, c, _ in _codes(tiny_db)}

    # new files with the same texts in another order: the tables are replaced, row
    # positions change, the decisions still apply
    again = tmp_path / "again"
    again.mkdir()
    _rewrite_feedback(tiny_export, again)
    book = load_workbook(tiny_export / "case_reviews.xlsx")
    ratings = book["Ratings"]
    rows = [list(r) for r in ratings.iter_rows(min_row=2, values_only=True)]
    ratings.delete_rows(2, ratings.max_row)
    for r in rows[::-1]:
        ratings.append(r)
    book.save(again / "case_reviews.xlsx")
    result = import_files(tiny_db, [again], mode="snapshot", user="tests")
    assert result.outcome == "landed"
    assert {"feedback", "ratings"} <= {f.table for f in result.files if not f.unchanged}
    assert _codes(tiny_db, include_suggested=False) == expected
    assert rejected not in {(e, c) for e, c, _ in _codes(tiny_db)}

    # F2's text changes: its decision no longer applies; F1's still does
    changed = tmp_path / "changed"
    changed.mkdir()
    _rewrite_feedback(tiny_export, changed, change=("F2", "Visits were cancelled three times."))
    import_files(tiny_db, [changed], mode="snapshot", user="tests")
    assert _codes(tiny_db, include_suggested=False) == expected - {
        ("feedback:F2:", "caseworker_visits", "added")}
    # the decision is still stored, for the text it was made on
    assert "feedback:F2:" in qualitative.decisions(tiny_db)["excerpt_id"].to_list()


def test_themes_by_group_count_excerpts_and_sources(tiny_db, tiny_codebook):
    out = qualitative.themes(tiny_db, date(2023, 1, 1), date(2023, 12, 31), by="source_type",
                             codebook=tiny_codebook)
    assert out.columns == ["code", "group_by", "group_value", "excerpts", "sources"]
    assert out.rows() == [
        ("engagement", "source_type", "case_review", 1, 1),
        ("moves", "source_type", "case_review", 1, 1),
        ("visits", "source_type", "feedback", 1, 1),
        ("workload", "source_type", "staff_survey", 1, 1),
    ]
    by_region = qualitative.themes(tiny_db, date(2023, 1, 1), date(2023, 12, 31), by="region",
                                   codebook=tiny_codebook)
    # F2 has no unit but its own region, South County; CR2 is in U2 (South County)
    assert ("visits", "region", "South County", 1, 1) in by_region.rows()
    by_unit = qualitative.themes(tiny_db, date(2023, 1, 1), date(2023, 12, 31), by="unit",
                                 codebook=tiny_codebook)
    assert ("visits", "unit", "unknown", 1, 1) in by_unit.rows()
    assert ("workload", "unit", "U1", 1, 1) in by_unit.rows()


def test_themes_count_excerpts_and_sources_apart(tiny_db, tiny_codebook):
    # engagement added by hand on CR2's other narrative: 2 excerpts, 1 review
    row = qualitative.excerpts(tiny_db).filter(pl.col("excerpt_id") == "case_review:CR2:4").row(0, named=True)
    qualitative.record_decision(tiny_db, "case_review:CR2:4", row["text_hash"], "engagement", "add", "Ana")
    out = qualitative.themes(tiny_db, date(2023, 1, 1), date(2023, 12, 31), by="source_group")
    assert ("engagement", "source_group", "case_reviewer", 2, 1) in out.rows()


def test_themes_refuse_an_unknown_grouping(tiny_db):
    with pytest.raises(CQIError, match="Unknown grouping 'colour'"):
        qualitative.themes(tiny_db, date(2023, 1, 1), date(2023, 12, 31), by="colour")


def test_a_read_only_store_codes_but_refuses_decisions(tiny_db, tiny_codebook):
    path = tiny_db.path
    tiny_db.close()
    ro = open_store(path, read_only=True)
    try:
        assert qualitative.coded_excerpts(ro, codebook=tiny_codebook).height == 4
        row = qualitative.excerpts(ro).row(0, named=True)
        with pytest.raises(StoreError, match="read-only"):
            qualitative.record_decision(ro, row["excerpt_id"], row["text_hash"], "safety", "add", "Ana")
    finally:
        ro.close()


def test_coded_excerpts_export_as_csv(tiny_db):
    coded = qualitative.coded_excerpts(tiny_db)
    data = qualitative.export_coded_csv(coded)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert len(rows) == coded.height
    assert list(rows[0])[:7] == ["excerpt_id", "source_type", "source_id", "item", "code",
                                 "status", "text"]
    assert {r["date"] for r in rows} <= {"2023-04-15", "2023-05-20", "2023-06-01", "2023-06-02",
                                         "2023-03-10", "2023-04-22", "2023-06-10"}


def test_na_fixture_text_is_what_conftest_planted(tiny_db):
    ex = qualitative.excerpts(tiny_db).filter(pl.col("excerpt_id") == "case_review:CR3:2")
    assert ex.select("text", "rating").row(0) == (NA_TEXT, "not_applicable")


def test_coding_version_changes_with_decisions(tiny_db):
    before = qualitative.coding_version(tiny_db)
    _decide(tiny_db, "feedback:F1:", "workforce", "add")
    assert qualitative.coding_version(tiny_db) != before
