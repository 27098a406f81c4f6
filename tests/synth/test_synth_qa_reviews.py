"""Quality-assurance reviews in the generated export: a second, independent review of about
one case in eight, pointing at the first review, agreeing on most items, less on the
judgement-heavy ones, and drawn without disturbing anything else the generator writes."""

from __future__ import annotations

import polars as pl
import pytest

from conftest import read_export

JUDGEMENT = ["12", "13"]
SETTLED_BY_RECORD = ["1"]


@pytest.fixture(params=["tiny", "demo"])
def export(request):
    return request.getfixturevalue(request.param)


def _pairs(t) -> pl.DataFrame:
    """One row per QA review × item with the QA rating and the first review's rating."""
    qa = t["reviews"].filter(pl.col("qa_of_review_id").is_not_null())
    return (t["ratings"].join(qa.select("review_id", "qa_of_review_id"), on="review_id")
            .join(t["ratings"], left_on=["qa_of_review_id", "item"], right_on=["review_id", "item"],
                  suffix="_first"))


def test_qa_reviews_are_a_tenth_to_a_seventh_of_the_reviews_and_point_at_first_reviews(export):
    rv = export["reviews"]
    qa = rv.filter(pl.col("qa_of_review_id").is_not_null())
    first = rv.filter(pl.col("qa_of_review_id").is_null())
    assert 0.08 <= qa.height / first.height <= 0.17
    assert qa["review_id"].str.starts_with("QA").all() and first["review_id"].str.starts_with("RV").all()
    assert qa["qa_of_review_id"].n_unique() == qa.height          # at most one QA review per case
    same = qa.join(first, left_on="qa_of_review_id", right_on="review_id", suffix="_first")
    assert same.height == qa.height                               # every one points at a first review
    for col in ("child_id", "unit_id", "case_type", "period_start", "period_end"):
        assert (same[col] == same[f"{col}_first"]).all(), col
    assert (same["review_date"] > same["review_date_first"]).all()
    assert (same["reviewer"] != same["reviewer_first"]).all()


def test_qa_reviews_rate_every_item_and_mostly_agree(export):
    pairs = _pairs(export)
    qa_ids = export["reviews"].filter(pl.col("qa_of_review_id").is_not_null())["review_id"]
    assert pairs.height == 21 * qa_ids.len()
    agree = (pairs["rating"] == pairs["rating_first"]).mean()
    assert 0.88 <= agree < 1.0


def test_judgement_heavy_items_disagree_more_than_items_the_record_settles(demo):
    pairs = _pairs(demo).with_columns(differ=pl.col("rating") != pl.col("rating_first"))
    share = lambda items: pairs.filter(pl.col("item").is_in(items))["differ"].mean()  # noqa: E731
    assert share(JUDGEMENT) > share(SETTLED_BY_RECORD) + 0.08


def test_adding_qa_reviews_leaves_every_other_row_as_it_was(tiny_run, tmp_path, monkeypatch):
    """The same seed without QA reviews gives the same files, and the same first reviews."""
    from cqi_core.synth import generate, generator

    real = generator.load_plan

    def no_qa(size):
        plan = real(size)
        plan.raw["reviews"]["qa"]["share"] = 0.0
        return plan
    monkeypatch.setattr(generator, "load_plan", no_qa)
    generate("tiny", tmp_path)
    folder = tiny_run[0]
    for f in sorted(folder.glob("*.csv")):
        assert f.read_bytes() == (tmp_path / f.name).read_bytes(), f.name
    with_qa, without = read_export(folder), read_export(tmp_path)
    assert without["reviews"]["qa_of_review_id"].null_count() == without["reviews"].height
    for sheet in ("reviews", "ratings"):
        assert with_qa[sheet].head(without[sheet].height).equals(without[sheet]), sheet
