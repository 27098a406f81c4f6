"""Excerpts: the agency's free text with its descriptors, named by source and text hash."""

from __future__ import annotations

import hashlib
from datetime import date

import duckdb
import polars as pl
import pytest

from cqi_core import open_store
from cqi_core.analysis import qualitative
from cqi_core.errors import CQIError
from cqi_core.analysis.qualitative.sources import split_excerpt_id, text_hash


def test_every_text_of_the_tiny_agency_is_one_excerpt(tiny_db):
    ex = qualitative.excerpts(tiny_db)
    # 5 review narratives (CR1 items 1 and 12A, CR2 items 4 and 18, CR3 item 2), 2 feedback
    # texts, 2 staff comments (S2 has none); sorted by date
    assert ex["excerpt_id"].to_list() == [
        "feedback:F1:", "case_review:CR1:1", "case_review:CR1:12A", "feedback:F2:",
        "case_review:CR2:4", "case_review:CR2:18", "staff_survey:S1:", "staff_survey:S3:",
        "case_review:CR3:2"]
    assert list(ex.columns) == list(qualitative.sources.EXCERPT_SCHEMA)


def test_descriptors_follow_their_source(tiny_db):
    ex = {r["excerpt_id"]: r for r in qualitative.excerpts(tiny_db).iter_rows(named=True)}
    cr = ex["case_review:CR2:4"]
    assert (cr["source_type"], cr["source_id"], cr["item"]) == ("case_review", "CR2", "4")
    assert (cr["unit_id"], cr["region"], cr["case_type"]) == ("U2", "South County", "foster_care")
    # C003 was born 2018-01-05; on the review date 2023-05-20 she was 5
    assert cr["age_group"] == "1-5"
    assert ex["case_review:CR1:1"]["age_group"] == "11-15"   # C001, 2012-04-10 → 11
    assert (cr["source_group"], cr["rating"], cr["score"]) == ("case_reviewer", "area_needing_improvement", None)
    assert cr["reviewer"] == "B. Díaz" and cr["child_id"] == "C003"
    assert cr["date"] == date(2023, 5, 20) and cr["period_month"] == date(2023, 5, 1)
    # feedback without a unit keeps its own region
    f2 = ex["feedback:F2:"]
    assert (f2["unit_id"], f2["region"], f2["source_group"], f2["channel"]) == (
        None, "South County", "parent", "survey")
    assert (f2["rating"], f2["score"]) == ("2", 2)
    s1 = ex["staff_survey:S1:"]
    assert (s1["source_group"], s1["region"], s1["question"], s1["score"]) == (
        "staff", "North County", "My caseload is manageable", 2)


def test_text_hash_is_sha256_of_the_normalised_text(tiny_db):
    ex = qualitative.excerpts(tiny_db)
    text = ex.filter(pl.col("excerpt_id") == "feedback:F2:")["text"].item()
    expected = hashlib.sha256(b"Visits were cancelled twice without notice.").hexdigest()
    assert ex.filter(pl.col("excerpt_id") == "feedback:F2:")["text_hash"].item() == expected
    assert text_hash(text) == expected
    # whitespace runs and the ends do not change the hash; a word does
    assert text_hash("  Visits were\tcancelled \n twice without notice. ") == expected
    assert text_hash("Visits were cancelled once without notice.") != expected
    # every hash computed in SQL equals the Python one
    assert all(text_hash(t) == h for t, h in ex.select("text", "text_hash").iter_rows())


def test_period_and_source_type_filters(tiny_db):
    may = qualitative.excerpts(tiny_db, date(2023, 5, 1), date(2023, 5, 20))
    assert may["excerpt_id"].to_list() == ["case_review:CR2:4", "case_review:CR2:18"]
    staff = qualitative.excerpts(tiny_db, source_types=["staff_survey"])
    assert staff["excerpt_id"].to_list() == ["staff_survey:S1:", "staff_survey:S3:"]
    assert qualitative.excerpts(tiny_db, date(2030, 1, 1)).height == 0


def test_bad_filters_are_refused_with_a_clear_message(tiny_db):
    with pytest.raises(CQIError, match="Unknown source type 'emails'"):
        qualitative.excerpts(tiny_db, source_types=["emails"])
    with pytest.raises(CQIError, match="starts on 2023-06-01 after it ends on 2023-05-01"):
        qualitative.excerpts(tiny_db, date(2023, 6, 1), date(2023, 5, 1))


def test_excerpt_ids_split_back_into_their_parts():
    assert split_excerpt_id("case_review:RV000001:12A") == ("case_review", "RV000001", "12A")
    assert split_excerpt_id("feedback:F:7:") == ("feedback", "F:7", "")
    with pytest.raises(CQIError, match="not an excerpt id"):
        split_excerpt_id("RV000001")


def test_sample_excerpts_are_first_reviews_feedback_and_comments(sample_db):
    store = open_store(sample_db, read_only=True)
    try:
        ex = qualitative.excerpts(store)
    finally:
        store.close()   # other tests open the same file for writing
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        has_qa = con.execute("SELECT count(*) FROM information_schema.columns WHERE "
                             "table_name = 'reviews' AND column_name = 'qa_of_review_id'").fetchone()[0]
        first = "AND r.qa_of_review_id IS NULL" if has_qa else ""
        n_reviews = con.execute("SELECT count(*) FROM ratings rt JOIN reviews r USING (review_id) "
                                f"WHERE trim(coalesce(rt.comment, '')) <> '' {first}").fetchone()[0]
        n_feedback = con.execute("SELECT count(*) FROM feedback WHERE trim(text) <> ''").fetchone()[0]
        n_staff = con.execute("SELECT count(*) FROM staff_survey "
                              "WHERE trim(coalesce(comment, '')) <> ''").fetchone()[0]
    finally:
        con.close()
    counts = dict(ex.group_by("source_type").len().iter_rows())
    assert counts == {"case_review": n_reviews, "feedback": n_feedback, "staff_survey": n_staff}
    assert ex["excerpt_id"].n_unique() == ex.height
    assert set(ex["source_group"].unique()) >= {"case_reviewer", "staff", "youth", "parent"}
