"""Reviewer narratives, feedback and survey comments: unique, filled in, tied to the facts."""

from __future__ import annotations

import polars as pl
import pytest

ANI = "area_needing_improvement"


@pytest.fixture(params=["tiny", "demo"])
def export(request):
    return request.getfixturevalue(request.param)


def test_every_rating_has_a_narrative_and_no_two_are_the_same(export):
    comments = export["ratings"]["comment"]
    assert comments.null_count() == 0
    assert comments.n_unique() == comments.len()


def test_no_two_feedback_comments_are_the_same(export):
    text = export["feedback"]["text"]
    assert text.null_count() == 0
    assert text.n_unique() == text.len()


def test_no_two_staff_survey_comments_are_the_same(export):
    comments = export["staff_survey"]["comment"].drop_nulls()
    assert comments.len() > 0.05 * export["staff_survey"].height
    assert comments.n_unique() == comments.len()


def test_feedback_and_survey_comments_are_built_from_varied_fragments_and_facts(export):
    """Not one template with numbers changed: many different first sentences, and the
    comments name the agency's own units, offices and months."""
    fb = export["feedback"]["text"]
    comments = export["staff_survey"]["comment"].drop_nulls()
    for column in (fb, comments):
        first = column.str.extract(r"^([^.?!]*[.?!])")
        assert first.n_unique() > 0.03 * column.len() and first.n_unique() >= 25
        assert column.str.split(" ").list.len().mean() > 12
    offices = export["units"]["unit_name"].str.extract(r"^(.*?) (?:Child Protection|Permanency|Family Services|"
                                                       r"Kinship Services|Adolescent Services)").unique().to_list()
    units = export["units"]["unit_name"].to_list()
    months = "January|February|March|April|May|June|July|August|September|October|November|December"
    assert fb.str.contains("|".join(offices)).mean() > 0.05
    assert fb.str.contains(months).mean() > 0.15
    assert comments.str.contains("|".join(units)).mean() > 0.03
    assert comments.str.contains(months).mean() > 0.1


def test_narratives_have_no_unfilled_placeholders_or_doubled_punctuation(export):
    for column in (export["ratings"]["comment"], export["feedback"]["text"], export["staff_survey"]["comment"].drop_nulls()):
        assert not column.str.contains(r"[{}]").any()
        assert not column.str.contains(r",,|\.\.| ,|  ").any()


def test_reviews_cover_both_case_types_every_unit_and_several_a_year(demo):
    rv = demo["reviews"]
    assert set(rv["case_type"]) == {"foster_care", "in_home"}
    assert set(rv["unit_id"]) == set(demo["units"]["unit_id"])
    per_unit_year = rv.group_by("unit_id", pl.col("review_date").str.slice(0, 4)).len()["len"]
    assert 6 <= per_unit_year.median() <= 14


def _missed_months(t) -> pl.DataFrame:
    """Foster care reviews with the number of full months in care in the period without a visit."""
    rv = t["reviews"].filter(pl.col("case_type") == "foster_care").with_columns(
        pl.col(c).str.slice(0, 10).str.to_date() for c in ("period_start", "period_end"))
    ep = t["episodes"].select("child_id", "removal_date", "discharge_date")
    months = (rv.join(ep, on="child_id")
              .filter((pl.col("removal_date") <= pl.col("period_end"))
                      & (pl.col("discharge_date").is_null() | (pl.col("discharge_date") > pl.col("period_start"))))
              .with_columns(pl.date_ranges(pl.col("period_start").dt.month_start(), pl.col("period_end"), "1mo").alias("m"))
              .explode("m")
              .filter((pl.col("m") >= pl.col("period_start")) & (pl.col("m") >= pl.col("removal_date"))
                      & (pl.col("m").dt.month_end() <= pl.col("period_end"))
                      & (pl.col("discharge_date").is_null() | (pl.col("discharge_date") > pl.col("m").dt.month_end()))))
    seen = t["visits"].select("child_id", pl.col("visit_date").dt.month_start().alias("m")).unique()
    months = months.join(seen.with_columns(visited=pl.lit(True)), on=["child_id", "m"], how="left")
    return months.group_by("review_id").agg(missed=pl.col("visited").is_null().sum())


def test_item_14_is_rated_down_far_more_often_when_visit_months_were_missed(demo):
    missed = _missed_months(demo)
    r14 = demo["ratings"].filter(pl.col("item") == "14").join(missed, on="review_id")
    ani_rate = lambda frame: (frame["rating"] == ANI).mean()  # noqa: E731
    none_missed = r14.filter(pl.col("missed") == 0)
    many_missed = r14.filter(pl.col("missed") >= 2)
    assert none_missed.height > 50 and many_missed.height > 10
    assert ani_rate(many_missed) > ani_rate(none_missed) + 0.4


def test_item_4_is_rated_down_more_often_after_several_moves(demo):
    rv = demo["reviews"].filter(pl.col("case_type") == "foster_care").with_columns(
        pl.col(c).str.slice(0, 10).str.to_date() for c in ("period_start", "period_end"))
    counted = demo["placements"].filter(~pl.col("setting").is_in(["trial_home_visit", "runaway"])).sort("start_date", "placement_id")
    counted = counted.with_columns(rank=pl.int_range(pl.len()).over("episode_id"))
    moves = (rv.join(counted.filter(pl.col("rank") > 0), on="child_id")
             .filter(pl.col("start_date").is_between(pl.col("period_start"), pl.col("period_end")))
             .group_by("review_id").len().rename({"len": "moves"}))
    r4 = (demo["ratings"].filter((pl.col("item") == "4") & pl.col("review_id").is_in(rv["review_id"].to_list()))
          .join(moves, on="review_id", how="left").with_columns(pl.col("moves").fill_null(0)))
    stable, moved = r4.filter(pl.col("moves") == 0), r4.filter(pl.col("moves") >= 2)
    assert (moved["rating"] == ANI).mean() > (stable["rating"] == ANI).mean() + 0.3


def test_feedback_covers_every_group_and_channel_and_speaks_to_the_themes(demo):
    fb = demo["feedback"]
    assert set(fb["source_group"]) == {"youth", "parent", "caregiver", "community_partner", "provider", "staff", "other"}
    assert set(fb["channel"]) == {"survey", "focus_group", "advisory_board", "listening_session", "complaint", "other"}
    text = fb["text"].str.to_lowercase()
    themes = {"visits": "visit", "placement stability": "placement|moved", "education": "school",
              "transportation": "transportation|bus|rides", "safety planning": "safety plan",
              "workforce": "turnover|caseworkers|workers", "communication": "call|told", "services": "services"}
    for theme, words in themes.items():
        assert text.str.contains(words).sum() >= 10, theme
    assert fb["text"].n_unique() > 0.6 * fb.height


def test_staff_in_the_overstretched_unit_score_workload_lower(demo):
    over = demo["units"].filter(pl.col("unit_name") == "South Metro Permanency 1")["unit_id"].item()
    work = demo["staff_survey"].filter(pl.col("question") == "My workload is manageable.").with_columns(
        pl.col("score").cast(pl.Int64))
    inside = work.filter(pl.col("unit_id") == over)["score"].mean()
    others = work.filter(pl.col("unit_id") != over)["score"].mean()
    assert inside < others - 0.4
