"""Text for each audience: supervisors read redacted text, public audiences only approved,
redacted excerpts without identifiers. Planted personal details never reach them."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest

from cqi_core import import_files
from cqi_core.analysis import qualitative
from cqi_core.errors import CQIError
from cqi_core.analysis.qualitative.sharing import PUBLIC_COLUMNS

PLANTED = {
    "F1": "Ms. Rivera and my caseworker Jordan never call me back at (555) 123-4567.",
    "F2": "Email me at maria.lopez@example.org; we live at 123 Main St, Apt 4B.",
    "F3": "Maria was born on March 4, 2011 and we told Kwame Mensah about the safety plan.",
}
SECRETS = ["Rivera", "Jordan", "123-4567", "maria.lopez", "example.org", "123 Main", "Apt 4B",
           "Maria", "March 4, 2011", "Kwame", "Mensah"]
IDENTIFIERS = ["excerpt_id", "source_id", "child_id", "reviewer", "text_hash", "date"]


def _feedback_csv(folder, texts: dict[str, str]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["feedback_id", "received_date", "source_group", "channel", "unit_id", "region",
                "rating", "text"])
    for k, (fid, text) in enumerate(texts.items(), start=1):
        w.writerow([fid, f"2023-03-{10 + k}", "youth", "survey", "U1", "North County", 3, text])
    (folder / "feedback.csv").write_text(buf.getvalue(), encoding="utf-8")


@pytest.fixture
def planted_db(tiny_db, tmp_path):
    """The tiny agency with feedback full of personal details."""
    folder = tmp_path / "planted"
    folder.mkdir()
    _feedback_csv(folder, PLANTED)
    assert import_files(tiny_db, [folder], user="tests").outcome == "landed"
    return tiny_db


def _all_text(frame: pl.DataFrame) -> str:
    return "\n".join(str(v) for row in frame.iter_rows() for v in row)


def _approve(store, excerpt_id, approved=True):
    row = qualitative.excerpts(store).filter(pl.col("excerpt_id") == excerpt_id).row(0, named=True)
    qualitative.approve_for_sharing(store, excerpt_id, row["text_hash"], "Ana", approved=approved)


def test_analysts_read_the_text_as_written(planted_db):
    ex = qualitative.excerpts(planted_db)
    assert qualitative.text_for_audience(ex, "analyst", planted_db) is ex


def test_supervisors_never_see_planted_details(planted_db):
    ex = qualitative.excerpts(planted_db)
    assert all(s in _all_text(ex) for s in SECRETS)   # they are there to begin with
    out = qualitative.text_for_audience(ex, "supervisor", planted_db)
    assert out.height == ex.height
    text = _all_text(out.select("text"))
    for s in SECRETS:
        assert s not in text, s
    assert "[name]" in text and "[phone]" in text and "[email]" in text
    assert "[address]" in text and "[date of birth]" in text
    # supervisors may see which case a narrative belongs to
    assert "source_id" in out.columns


def test_public_audiences_see_nothing_that_was_not_approved(planted_db):
    ex = qualitative.excerpts(planted_db)
    for role in ("stakeholder", "youth"):
        out = qualitative.text_for_audience(ex, role, planted_db)
        assert out.height == 0
        assert set(out.columns) <= set(PUBLIC_COLUMNS)


def test_public_audiences_see_approved_excerpts_redacted_without_identifiers(planted_db):
    _approve(planted_db, "feedback:F1:")
    _approve(planted_db, "feedback:F3:")
    _approve(planted_db, "feedback:F3:", approved=False)   # withdrawn
    ex = qualitative.excerpts(planted_db)
    for role in ("stakeholder", "youth"):
        out = qualitative.text_for_audience(ex, role, planted_db)
        assert out.height == 1
        assert out.columns[0] == "row_key" and out["row_key"].to_list() == [1]
        for col in IDENTIFIERS:
            assert col not in out.columns
        text = _all_text(out)
        assert out["text"].item() == "[name] and my caseworker [name] never call me back at [phone]."
        for s in SECRETS:
            assert s not in text
        # texts that were not approved never appear, not even redacted
        for other in ("[email]", "[address]", "Too many new cases", "Father engaged"):
            assert other not in text


def test_an_approval_lapses_when_the_text_changes(planted_db, tmp_path):
    _approve(planted_db, "feedback:F1:")
    changed = tmp_path / "changed"
    changed.mkdir()
    _feedback_csv(changed, {**PLANTED, "F1": "Ms. Rivera now calls back within a day."})
    assert import_files(planted_db, [changed], user="tests").outcome == "landed"
    out = qualitative.text_for_audience(qualitative.excerpts(planted_db), "youth", planted_db)
    assert out.height == 0


def test_coded_frames_pass_too_and_matched_text_is_redacted(planted_db):
    coded = qualitative.coded_excerpts(planted_db)
    out = qualitative.text_for_audience(coded, "supervisor", planted_db)
    for s in SECRETS:
        assert s not in _all_text(out.select("text", "matched_text"))
    _approve(planted_db, "feedback:F3:")
    public = qualitative.text_for_audience(coded, "stakeholder", planted_db)
    # F3 mentions the safety plan, so the starter codebook suggests safety on it
    assert set(public["code"]) == {"safety"} and set(public.columns) <= set(PUBLIC_COLUMNS)
    for s in SECRETS:
        assert s not in _all_text(public)


def test_unknown_roles_and_frames_without_names_are_refused(planted_db):
    ex = qualitative.excerpts(planted_db)
    with pytest.raises(CQIError, match="Unknown audience 'public'"):
        qualitative.text_for_audience(ex, "public", planted_db)
    with pytest.raises(CQIError, match="excerpt_id and text_hash"):
        qualitative.text_for_audience(ex.drop("text_hash"), "youth", planted_db)


def test_approval_needs_the_current_text(planted_db):
    with pytest.raises(CQIError, match="changed since it was shown"):
        qualitative.approve_for_sharing(planted_db, "feedback:F1:", "f" * 64, "Ana")
    with pytest.raises(CQIError, match="Say who"):
        qualitative.approve_for_sharing(planted_db, "feedback:F1:", "f" * 64, "")
