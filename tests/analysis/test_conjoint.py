"""The case-level join of reviews and records (cqi_core.analysis.conjoint) on a hand-built agency.

tests/fixtures/conjoint/ holds one unit and five children, each built to exercise the
measures (README.md there lists them). Every first review but RK5 covers the period
2025-01-01 to 2025-12-31; RK5 gives no period, so it covers the 12 months up to its review
date (2025-01-21 to 2026-01-20). RK6 is a quality-assurance re-review of RK1 and must never
count. Expected values are counted by hand from the CSV rows, as the comments show.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from cqi_core import import_files, open_store
from cqi_core import privacy
from cqi_core.analysis import conjoint
from cqi_core.privacy import AccessDenied, Viewer

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "conjoint"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_store(tmp_path_factory.mktemp("conjoint") / "cqi.duckdb")
    result = import_files(s, [FIXTURE], user="tests")
    assert result.outcome == "landed", result.message
    yield s
    s.close()


@pytest.fixture(scope="module")
def cases(store) -> dict[str, dict]:
    return {r["review_id"]: r for r in conjoint.case_measures(store).iter_rows(named=True)}


def test_only_first_reviews_are_joined(cases):
    # RK6 has qa_of_review_id = RK1: a second look at the same case, not a case of its own.
    assert sorted(cases) == ["RK1", "RK2", "RK3", "RK4", "RK5"]


def test_a_review_without_a_period_covers_the_twelve_months_up_to_its_date(cases):
    from datetime import date
    assert (cases["RK5"]["period_start"], cases["RK5"]["period_end"]) == (date(2025, 1, 21), date(2026, 1, 20))
    assert (cases["RK1"]["period_start"], cases["RK1"]["period_end"]) == (date(2025, 1, 1), date(2025, 12, 31))


def _measure(cases, m):
    return {rid: (r[f"{m}_value"], r[f"{m}_base"], r[f"{m}_favourable"]) for rid, r in cases.items()}


def test_placement_moves_in_the_period(cases):
    # K1: counted placements PK1a (initial), PK1b 2025-03-10, PK1d 2025-11-05 (PK1c is a trial
    #     home visit, not counted) -> 2 moves in the period.
    # K2: EK2a ended before the period; EK2b has PK2a and a trial home visit -> 0 moves.
    # K3: PK3a initial, PK3b 2025-09-20 -> 1 move.
    # K4: no episode (in-home case) -> not applicable.
    # K5: PK5b 2025-01-10 is before its period (from 2025-01-21); PK5c 2025-02-01 -> 1 move.
    assert _measure(cases, "moves") == {"RK1": (2.0, None, False), "RK2": (0.0, None, True),
                                        "RK3": (1.0, None, False), "RK4": (None, None, None),
                                        "RK5": (1.0, None, False)}


def test_months_with_a_caseworker_visit(cases):
    # K1 in care all of 2025: 12 whole months, visits on the 12th of every month but April
    #    and September -> 10 of 12 (83%, under the 95% needed).
    # K2 in care 2025-02-01 to 2025-08-15: February to July are whole months -> 6, each
    #    visited (the August visit falls in a month not wholly in care) -> 6 of 6.
    # K3 from 2025-09-15: October to December -> 3 of 3.
    # K5 period 2025-01-21 to 2026-01-20: February to December -> 11, all visited.
    assert _measure(cases, "visits") == {"RK1": (10.0, 12.0, False), "RK2": (6.0, 6.0, True),
                                         "RK3": (3.0, 3.0, True), "RK4": (None, None, None),
                                         "RK5": (11.0, 11.0, True)}


def test_time_to_permanency(cases):
    # K1 removed 2024-06-01, still in care: 12 months passed on 2025-06-01 -> unfavourable;
    #    days to the day after the period: 2026-01-01 - 2024-06-01 = 579.
    # K2 EK2b removed 2025-02-01, reunified 2025-08-15 after a trial home visit from
    #    2025-06-01 (adjusted exit 2025-07-01 < 2026-02-01) -> favourable; 195 days.
    # K3 removed 2025-09-15, in care 108 days at the end of the period: too soon to judge.
    # K5 removed 2023-01-01: 2026-01-21 - 2023-01-01 = 1096 + 20 = 1116 days -> unfavourable.
    assert _measure(cases, "permanency") == {"RK1": (579.0, None, False), "RK2": (195.0, None, True),
                                             "RK3": (108.0, None, None), "RK4": (None, None, None),
                                             "RK5": (1116.0, None, False)}
    assert [cases[r]["permanency_detail"] for r in ("RK1", "RK2", "RK3")] == ["in_care", "reunification", "in_care"]


def test_investigations_started_in_time(cases):
    # K1: RP1 priority 1, contact the next day (1 <= 1: in time); RP2 priority 1, contact after
    #     3 days (late) -> 1 of 2.
    # K3: RP3 priority 3, contact after 8 days (<= 10) -> 1 of 1.
    # K4: RP4 priority 2, no first contact at all -> 0 of 1.
    assert _measure(cases, "investigation") == {"RK1": (1.0, 2.0, False), "RK2": (None, None, None),
                                                "RK3": (1.0, 1.0, True), "RK4": (0.0, 1.0, False),
                                                "RK5": (None, None, None)}


def test_re_entry_into_care(cases):
    # K2 came back into care 2025-02-01, 153 days after EK2a ended in reunification
    #    (2024-09-01 + 12 months = 2025-09-01 is later) -> a re-entry, unfavourable.
    # K3 came into care 2025-09-15 for the first time -> favourable.
    # K1, K5 came into care before the period; K4 never -> not applicable.
    assert _measure(cases, "reentry") == {"RK1": (None, None, None), "RK2": (153.0, None, False),
                                          "RK3": (None, None, True), "RK4": (None, None, None),
                                          "RK5": (None, None, None)}


def test_maltreatment_in_care(cases):
    # K1: victim reports 2025-05-10 and 2025-05-11; the second is one day after the first, so
    #     it is not counted again -> 1 victimization in 365 days.
    # K3: the indicated report of 2025-09-10 is before the removal of 2025-09-15 -> 0 in 108
    #     days. K2 (195 days) and K5 (365 days) have none.
    assert _measure(cases, "maltreatment") == {"RK1": (1.0, 365.0, False), "RK2": (0.0, 195.0, True),
                                               "RK3": (0.0, 108.0, True), "RK4": (None, None, None),
                                               "RK5": (0.0, 365.0, True)}


def test_agreement_tables_and_kappa_by_hand(store):
    table = {r["item"]: r for r in conjoint.agreement_table(conjoint.item_comparison(store)).iter_rows(named=True)}
    one = table["1"]
    # Item 1: RK1 strength vs 1 of 2 in time (disagree), RK3 strength vs 1 of 1 (agree), RK4
    # area needing improvement vs 0 of 1 (agree); RK2 rated not applicable.
    assert (one["strength_favourable"], one["strength_unfavourable"], one["ani_favourable"],
            one["ani_unfavourable"], one["not_compared"]) == (1, 1, 0, 1, 1)
    # po = 2/3; review says favourable 2/3, records 1/3: pe = 2/3*1/3 + 1/3*2/3 = 4/9;
    # kappa = (2/3 - 4/9) / (1 - 4/9) = 0.4.
    assert one["percent_agreement"] == pytest.approx(2 / 3)
    assert one["kappa"] == pytest.approx(0.4)
    assert (one["strength_when_favourable"], one["strength_when_unfavourable"]) == (1.0, 0.5)
    four = table["4"]
    # Item 4: RK1 strength / 2 moves, RK2 strength / 0, RK3 ANI / 1, RK5 strength / 1.
    assert (four["strength_favourable"], four["strength_unfavourable"], four["ani_favourable"],
            four["ani_unfavourable"]) == (1, 2, 0, 1)
    # po = 2/4; review favourable 3/4, records 1/4: pe = 3/4*1/4 + 1/4*3/4 = 0.375;
    # kappa = (0.5 - 0.375) / 0.625 = 0.2. Wilson 2 of 4 (z = 1.959964): centre 0.5,
    # half-width 1.959964 * sqrt(0.0625 + 0.060023) / 1.960365 = 0.349961.
    assert four["kappa"] == pytest.approx(0.2)
    assert (four["agreement_low"], four["agreement_high"]) == pytest.approx((0.150039, 0.849961), abs=1e-6)
    # Permanency items: RK3 is too soon to judge, so it is not compared.
    assert (table["5"]["compared"], table["5"]["not_compared"]) == (3, 1)


def test_the_cases_where_review_and_records_disagree(store):
    off = conjoint.disagreements(conjoint.item_comparison(store))
    assert off.select("review_id", "item", "rating", "data").rows() == [
        ("RK1", "1", "Strength", "Unfavourable"),
        ("RK3", "3", "Area needing improvement", "Favourable"),
        ("RK1", "4", "Strength", "Unfavourable"),
        ("RK5", "4", "Strength", "Unfavourable")]
    assert off.filter(pl.col("review_id") == "RK1")["data_text"].to_list() == [
        "1 of 2 reports started within the response window", "2 placement moves in the period"]


def test_agreement_cells_are_the_table_in_long_form(store):
    cells = conjoint.agreement_cells(conjoint.agreement_table(conjoint.item_comparison(store)))
    four = cells.filter(pl.col("item") == "4")
    assert four.select("rating", "data", "reviews", "agree").rows() == [
        ("strength", "favourable", 1, True), ("strength", "unfavourable", 2, False),
        ("area_needing_improvement", "favourable", 0, False),
        ("area_needing_improvement", "unfavourable", 1, True)]


def test_public_audiences_never_get_case_rows(store):
    public = privacy.Handle(store, Viewer("stakeholder", "public", (), "pinned"))
    with pytest.raises(AccessDenied):
        conjoint.case_measures(public)
    with pytest.raises(AccessDenied):
        conjoint.item_comparison(public)


def test_a_supervisor_lists_only_their_own_units(store):
    theirs = privacy.Handle(store, Viewer("supervisor", "s", ("U1",), "oidc"))
    other = privacy.Handle(store, Viewer("supervisor", "s", ("U9",), "oidc"))
    assert conjoint.case_measures(theirs).height == 5
    assert conjoint.case_measures(other).is_empty()
    assert conjoint.item_comparison(other).is_empty()
