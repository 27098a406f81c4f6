"""Coding statistics against the shared worked example and hand-computed cases."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from cqi_core.analysis import qualitative
from cqi_core.errors import CQIError

# The published worked example (METHODS.md section 4), copied unchanged.
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "derived_qualitative_coding_example.json"


@pytest.fixture(scope="module")
def example() -> dict:
    """The published example: nine excerpts of five cases in two offices."""
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def coded(example) -> pl.DataFrame:
    """One row per excerpt × code; the case is the source; office and placement type are
    the case's descriptors."""
    rows = [{"excerpt_id": e["excerpt_id"], "source_id": e["case_id"], "code": code,
             "office": example["cases"][e["case_id"]]["office"],
             "placement_type": example["cases"][e["case_id"]]["placement_type"]}
            for e in example["excerpts"] for code in e["codes"]]
    return pl.DataFrame(rows)


def _pair_map(frame: pl.DataFrame, column: str) -> dict[str, float]:
    return {f"{a}|{b}": v for a, b, v in frame.select("code_a", "code_b", column).iter_rows()}


def test_code_frequency_reproduces_the_example(example, coded):
    out = qualitative.code_frequency(coded)
    exp = example["expected"]
    expected = pl.DataFrame({
        "code": sorted(exp["code_frequency_excerpts"]),
        "excerpts": [exp["code_frequency_excerpts"][c] for c in sorted(exp["code_frequency_excerpts"])],
        "sources": [exp["code_presence_cases"][c] for c in sorted(exp["code_presence_cases"])],
    }, schema={"code": pl.String, "excerpts": pl.Int64, "sources": pl.Int64})
    assert_frame_equal(out, expected)


def test_code_frequency_counts_repeated_rows_once(coded):
    doubled = pl.concat([coded, coded])
    assert_frame_equal(qualitative.code_frequency(doubled), qualitative.code_frequency(coded))


def test_excerpt_cooccurrence_and_c_coefficient_reproduce_the_example(example, coded):
    out = qualitative.cooccurrence(coded, level="excerpt")
    assert out.columns == ["code_a", "code_b", "n", "jaccard"]
    # every pair of the five codes, zero pairs included: 5 * 4 / 2 = 10 rows, sorted
    assert out.height == 10
    assert out.select("code_a", "code_b").rows() == sorted(out.select("code_a", "code_b").rows())
    assert (out["code_a"] < out["code_b"]).all()
    assert _pair_map(out, "n") == example["expected"]["cooccurrence_excerpt_level"]
    got = _pair_map(out, "jaccard")
    for pair, value in example["expected"]["c_coefficient_excerpt_level"].items():
        assert got[pair] == pytest.approx(value, abs=1e-15), pair


def test_case_level_cooccurrence_reproduces_the_example(example, coded):
    out = qualitative.cooccurrence(coded, level="source")
    assert _pair_map(out, "n") == example["expected"]["cooccurrence_case_level"]
    # by hand: barrier_transport is on cases C01, C02, C05 (3) and visits_missed on C02, C03,
    # C05 (3); both on C02 and C05 (2), so jaccard = 2 / (3 + 3 - 2) = 0.5
    row = out.filter((pl.col("code_a") == "barrier_transport") & (pl.col("code_b") == "visits_missed"))
    assert row["jaccard"].item() == pytest.approx(0.5)


def test_cooccurrence_refuses_an_unknown_level(coded):
    with pytest.raises(CQIError, match="level"):
        qualitative.cooccurrence(coded, level="paragraph")


def test_code_by_descriptor_reproduces_counts_shares_and_normalisation(example, coded):
    out = qualitative.code_by_descriptor(coded, "office", normalise=True)
    assert out.columns == ["code", "descriptor", "value", "excerpts", "sources",
                           "sources_in_group", "share_of_sources", "excerpts_normalised"]
    exp = example["expected"]
    for code, value, excerpts, sources, share, normalised in out.select(
            "code", "value", "excerpts", "sources", "share_of_sources",
            "excerpts_normalised").iter_rows():
        assert excerpts == exp["code_by_office_excerpt_counts"][value][code], (code, value)
        assert sources == exp["code_by_office_case_counts"][value][code], (code, value)
        assert share == pytest.approx(exp["code_by_office_case_share"][value][code])
        assert normalised == pytest.approx(exp["code_by_office_normalised_dedoose_style"][value][code])
    # zero cells are rows too: 5 codes x 2 offices
    assert out.height == 10
    # North has cases C01-C03, South C04-C05
    assert dict(out.select("value", "sources_in_group").unique().iter_rows()) == {"North": 3, "South": 2}


def test_code_by_descriptor_without_normalise_has_no_normalised_column(coded):
    out = qualitative.code_by_descriptor(coded, "placement_type")
    assert "excerpts_normalised" not in out.columns
    # kin cases C01 and C04 both carry engagement_parent: 2 of 2
    row = out.filter((pl.col("code") == "engagement_parent") & (pl.col("value") == "kin"))
    assert row.select("sources", "sources_in_group", "share_of_sources").row(0) == (2, 2, 1.0)


def test_code_by_descriptor_counts_empty_values_as_unknown():
    coded = pl.DataFrame({"excerpt_id": ["e1", "e2"], "source_id": ["s1", "s2"],
                          "code": ["a", "a"], "region": ["North", None]})
    out = qualitative.code_by_descriptor(coded, "region")
    assert sorted(out["value"].to_list()) == ["North", "unknown"]


def test_code_by_descriptor_refuses_a_missing_column(coded):
    with pytest.raises(CQIError, match="no descriptor 'region'"):
        qualitative.code_by_descriptor(coded, "region")


def test_excerpts_for_drills_down_to_the_cell(coded):
    # barrier_transport in North: E02 (C01), E03 and E04 (C02)
    out = qualitative.excerpts_for(coded, "barrier_transport", "office", "North")
    assert out["excerpt_id"].to_list() == ["E02", "E03", "E04"]
    assert qualitative.excerpts_for(coded, "barrier_language")["excerpt_id"].to_list() == ["E09"]


def test_kappa_reproduces_the_example(example):
    k = example["expected"]["kappa_example"]
    a = qualitative.agreement(k["rater1"], k["rater2"])
    assert a.observed == pytest.approx(k["p_observed"], abs=1e-15)
    assert a.expected == pytest.approx(k["p_expected"], abs=1e-15)
    assert qualitative.cohen_kappa(k["rater1"], k["rater2"]) == pytest.approx(k["cohen_kappa"], abs=1e-15)
    assert qualitative.percent_agreement(k["rater1"], k["rater2"]) == pytest.approx(k["p_observed"])


def test_kappa_on_a_hand_computed_case_with_three_categories():
    # Ten items rated Strength (S), Area needing improvement (A) or Not applicable (N).
    r1 = ["S", "S", "S", "S", "A", "A", "A", "N", "N", "S"]
    r2 = ["S", "S", "S", "A", "A", "A", "S", "N", "S", "S"]
    # agreements: items 1, 2, 3, 5, 6, 8, 10 -> po = 7/10 = 0.7
    # rater 1: S 5, A 3, N 2; rater 2: S 6, A 3, N 1
    # pe = 0.5*0.6 + 0.3*0.3 + 0.2*0.1 = 0.30 + 0.09 + 0.02 = 0.41
    # kappa = (0.7 - 0.41) / (1 - 0.41) = 0.29 / 0.59 = 0.49152542...
    a = qualitative.agreement(r1, r2)
    assert a.n == 10
    assert a.observed == pytest.approx(0.7)
    assert a.expected == pytest.approx(0.41)
    assert a.kappa == pytest.approx(0.29 / 0.59)
    assert qualitative.cohen_kappa(r1, r2) == pytest.approx(0.491525423728813)


def test_kappa_drops_pairs_with_a_missing_label():
    # The pairs with None are dropped, leaving the 2 x 2 case S/S, S/A, A/A, A/A:
    # po = 3/4; rater 1: S 2, A 2; rater 2: S 1, A 3; pe = 0.5*0.25 + 0.5*0.75 = 0.5
    # kappa = (0.75 - 0.5) / 0.5 = 0.5
    r1 = ["S", None, "S", "A", "A", "S"]
    r2 = ["S", "A", "A", "A", "A", None]
    a = qualitative.agreement(r1, r2)
    assert a.n == 4
    assert a.kappa == pytest.approx(0.5)


def test_kappa_is_one_when_both_raters_use_one_identical_category():
    # pe = 1 * 1 = 1, so (po - pe) / (1 - pe) is 0/0; the raters agree on every case.
    assert qualitative.cohen_kappa(["S", "S", "S"], ["S", "S", "S"]) == 1.0


def test_kappa_can_be_negative_and_zero():
    # Perfect disagreement on two balanced categories: po = 0, pe = 0.5, kappa = -1.
    assert qualitative.cohen_kappa(["S", "A"], ["A", "S"]) == pytest.approx(-1.0)
    # Independent pattern: po = 0.5, pe = 0.5, kappa = 0.
    assert qualitative.cohen_kappa(["S", "S", "A", "A"], ["S", "A", "S", "A"]) == pytest.approx(0.0)


def test_kappa_accepts_any_hashable_labels():
    assert qualitative.cohen_kappa([1, 2, 2], [1, 2, 2]) == 1.0


def test_kappa_refuses_sequences_of_different_length():
    with pytest.raises(ValueError, match="different numbers of labels"):
        qualitative.cohen_kappa(["S", "A"], ["S"])
    with pytest.raises(ValueError, match="no case"):
        qualitative.cohen_kappa([None], ["S"])


def test_frequency_keeps_sources_of_different_types_apart():
    # The same id under two source types is two sources.
    coded = pl.DataFrame({"excerpt_id": ["feedback:7:", "staff_survey:7:"],
                          "source_id": ["7", "7"], "source_type": ["feedback", "staff_survey"],
                          "code": ["a", "a"]})
    assert qualitative.code_frequency(coded).row(0) == ("a", 2, 2)
