"""Q1 (case review item strength rates) and Q2 (outcome achievement) on hand-built reviews.

Expected values are worked out in the comments from INDICATORS.md "Case review roll-up".
"""

from __future__ import annotations

from cqi_core import import_files
from cqi_core.indicators import engine
from practice_fixtures import add, new_store, ratings, review, sums

Q1_2025 = ("2025-01-01", "2025-03-31")
ALL_ITEMS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
             "16", "17", "18"]


def _all(got: dict, family: str) -> dict[str, tuple]:
    return {k[0]: v for k, v in got.items() if k[1] == "all" and k[0].startswith(family)}


# ---- Q1 -------------------------------------------------------------------------------

def test_q1_item_rates_leave_out_not_applicable_and_missing_ratings(tmp_path):
    store = new_store(tmp_path)
    add(store, "reviews", [review("R1", "2025-01-15", "U1"), review("R2", "2025-03-31", "U2"),
                           review("R3", "2025-04-01", "U1")])
    add(store, "ratings", ratings("R1", i1="S", i2="ANI", i3="NA", i4="S")
        + ratings("R2", i1="ANI", i2="S", i4="S")
        + ratings("R3", i1="S", i5="S"))                     # R3 is after the period
    got = sums(store, "Q1", *Q1_2025)
    q1 = _all(got, "Q1.")
    # Item 1: R1 S, R2 ANI → 1 / 2. Item 2: R1 ANI, R2 S → 1 / 2. Item 3: NA → 0 / 0.
    # Item 4: 2 / 2. Item 5: only R3 (outside) → 0 / 0. Every member id is reported.
    assert q1["Q1.1"] == (1, 2)
    assert q1["Q1.2"] == (1, 2)
    assert q1["Q1.3"] == (0, 0)
    assert q1["Q1.4"] == (2, 2)
    assert q1["Q1.5"] == (0, 0)
    assert len(q1) == 21
    # By the review's unit: item 1 U1 (R1) 1 / 1, U2 (R2, on the last day) 0 / 1.
    assert got[("Q1.1", "unit", "U1")] == (1, 1)
    assert got[("Q1.1", "unit", "U2")] == (0, 1)
    assert got[("Q1.1", "region", "South")] == (0, 1)


def test_q1_item_12_is_derived_from_sub_items_and_capped_by_them(tmp_path):
    store = new_store(tmp_path)
    add(store, "reviews", [review(r, "2025-02-01") for r in "ABCDEFGH"])
    add(store, "ratings",
        ratings("A", i12A="S", i12B="S", i12C="NA")        # no 12: derived strength
        + ratings("B", i12A="S", i12B="ANI")               # no 12: derived ANI
        + ratings("C", i12A="NA", i12B="NA", i12C="NA")    # no 12: derived not applicable
        + ratings("D", i12="S", i12A="S", i12B="ANI")      # recorded S, an ANI sub-item → ANI
        + ratings("E", i12="ANI", i12A="S", i12B="S", i12C="S")  # recorded ANI stays
        + ratings("F", i12="S")                            # recorded S, no sub-items → S
        + ratings("G", i13="S")                            # nothing on 12: not applicable
        + ratings("H", i12="NA", i12A="ANI"))              # recorded NA stays NA
    q1 = _all(sums(store, "Q1", *Q1_2025, by=()), "Q1.")
    # Item 12 counted for A, B, D, E, F (C, G, H not applicable); strength A, F → 2 / 5.
    assert q1["Q1.12"] == (2, 5)
    # Sub-items as recorded: 12A S in A, B, D, E; ANI in H; NA in C → 4 / 5.
    # 12B: A S, B ANI, D ANI, E S (C NA) → 2 / 4. 12C: E S (A, C NA) → 1 / 1.
    assert q1["Q1.12A"] == (4, 5)
    assert q1["Q1.12B"] == (2, 4)
    assert q1["Q1.12C"] == (1, 1)


def test_q1_reads_item_labels_imported_as_item_4(tmp_path):
    store = new_store(tmp_path)
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "reviews.csv").write_text(
        "review_id,child_id,unit_id,review_date,case_type\n"
        "R1,C1,U1,2025-01-15,foster care\n"
        "R2,C2,U2,2025-02-15,in home\n", encoding="utf-8")
    (folder / "ratings.csv").write_text(
        "review_id,item,rating\n"
        "R1,Item 4,Strength\n"
        "R1,Item 12a,S\n"
        "R2,4,ANI\n"
        "R2,item 12B,Area Needing Improvement\n", encoding="utf-8")
    result = import_files(store, [folder], mode="delta", user="tests")
    assert result.outcome == "landed", result.message
    # "Item 4" and "4" are one item: R1 S, R2 ANI → 1 / 2.
    # Item 12 derived from the sub-items: R1 (12A S) strength, R2 (12B ANI) ANI → 1 / 2.
    q1 = _all(sums(store, "Q1", *Q1_2025, by=()), "Q1.")
    assert q1["Q1.4"] == (1, 2)
    assert q1["Q1.12"] == (1, 2)
    assert q1["Q1.12A"] == (1, 1)
    assert q1["Q1.12B"] == (0, 1)


def test_q1_and_q2_count_first_reviews_only_not_quality_assurance_reviews(tmp_path):
    store = new_store(tmp_path)
    qa = {**review("QA1", "2025-02-20", "U1"), "child_id": "CR1", "qa_of_review_id": "R1"}
    add(store, "reviews", [review("R1", "2025-01-15", "U1"), qa])
    add(store, "ratings", ratings("R1", i1="S", i4="S") + ratings("QA1", i1="ANI", i4="S"))
    # QA1 is a second review of R1's case: only R1 counts. Item 1: R1 S → 1 / 1 (QA1's ANI
    # is left out); item 4: 1 / 1, not 2 / 2. Q2: S1 {1 S} and P1 {4 S} substantially
    # achieved for R1 alone → 1 / 1 each.
    q1 = _all(sums(store, "Q1", *Q1_2025, by=()), "Q1.")
    assert q1["Q1.1"] == (1, 1)
    assert q1["Q1.4"] == (1, 1)
    q2 = _all(sums(store, "Q2", *Q1_2025, by=()), "Q2.")
    assert q2["Q2.S1"] == (1, 1)
    assert q2["Q2.P1"] == (1, 1)


# ---- Q2 -------------------------------------------------------------------------------

def _outcome_reviews(store) -> None:
    add(store, "reviews", [review("R1", "2025-01-10", "U1"), review("R2", "2025-02-10", "U2"),
                           review("R3", "2025-02-10", "U1"), review("R4", "2025-03-31", "U1"),
                           review("R5", "2025-04-01", "U1")])
    every_strength = [{"review_id": "R1", "item": i, "rating": "strength"} for i in ALL_ITEMS]
    add(store, "ratings", every_strength
        + ratings("R2", i1="ANI", i2="S", i3="ANI", i4="S", i5="S", i6="NA",
                  i7="NA", i8="NA", i9="NA", i10="NA", i11="NA",
                  i12A="S", i12B="ANI", i13="S", i14="S", i15="S", i16="NA",
                  i17="ANI", i18="ANI")
        # R3 has no rating rows at all.
        + ratings("R4", i12A="S", i12B="NA", i13="NA", i14="NA", i15="NA")
        + [{"review_id": "R5", "item": i, "rating": "strength"} for i in ALL_ITEMS])


def test_q2_outcomes_all_strength_one_ani_and_none_applicable(tmp_path):
    store = new_store(tmp_path)
    _outcome_reviews(store)
    # R1: every item strength → every outcome substantially achieved.
    # R2: S1 {1 ANI} not achieved; S2 {2 S, 3 ANI} partially; P1 {4 S, 5 S; 6 NA} substantially;
    #     P2 all NA → not applicable; WB1 {12 derived ANI (12B ANI), 13-15 S} partially;
    #     WB2 {16 NA} not applicable; WB3 {17, 18 ANI} not achieved.
    # R3: no ratings → every outcome not applicable.
    # R4: WB1 {12 derived S (12A S, 12B NA); 13-15 NA} substantially; the rest have no rows.
    # R5: after the period.
    q2 = _all(sums(store, "Q2", *Q1_2025, by=()), "Q2.")
    assert q2 == {"Q2.S1": (1, 2), "Q2.S2": (1, 2), "Q2.P1": (2, 2), "Q2.P2": (1, 1),
                  "Q2.WB1": (2, 3), "Q2.WB2": (1, 1), "Q2.WB3": (1, 2)}


def test_q2_counts_by_the_reviews_unit(tmp_path):
    store = new_store(tmp_path)
    _outcome_reviews(store)
    got = sums(store, "Q2", *Q1_2025)
    # WB1: R1 (U1) 1, R2 (U2) 0, R4 (U1, last day of the period) 1 → U1 2 / 2, U2 0 / 1.
    assert got[("Q2.WB1", "unit", "U1")] == (2, 2)
    assert got[("Q2.WB1", "unit", "U2")] == (0, 1)
    assert got[("Q2.WB1", "region", "South")] == (0, 1)


def test_q2_follows_the_roll_up_configuration(tmp_path, monkeypatch):
    store = new_store(tmp_path)
    _outcome_reviews(store)
    items, outcomes = engine._rollup()
    # Take item 1 out of S1 and put it into WB2 with item 16. S1 then has no item, so no
    # review has it applicable → 0 / 0. WB2: R1 {1 S, 16 S} substantially achieved; R2
    # {1 ANI, 16 NA} now applicable and not achieved → 1 / 2 (was 1 / 1).
    changed = [(i, o) for i, o in items if o != "S1"] + [("1", "WB2")]
    monkeypatch.setattr(engine, "_rollup", lambda: (changed, outcomes))
    q2 = _all(sums(store, "Q2", *Q1_2025, by=()), "Q2.")
    assert q2["Q2.S1"] == (0, 0)
    assert q2["Q2.WB2"] == (1, 2)
    assert q2["Q2.WB3"] == (1, 2)
