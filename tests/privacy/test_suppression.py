"""Small-cell suppression: primary masks, complementary masks, and that nothing masked can
be worked out from what is shown.

The property tests play the attacker: given every published cell and every additive
relation of the table (groups add up to their total, units to their region, regions to the
agency), a linear program finds the smallest and largest value each masked cell could take.
A cell whose smallest and largest values meet has been revealed.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from cqi_core import privacy
from cqi_core.privacy import Margin, Viewer, indicator_relations, suppress


def test_counts_from_one_to_ten_are_masked_and_zero_and_eleven_are_not():
    frame = pl.DataFrame({"group": ["a", "b", "c", "d"], "n": [0, 1, 10, 11]})
    out = suppress(frame, ["n"], threshold=10)
    assert out["n"].to_list() == [0, None, None, 11]
    assert out["suppressed"].to_list() == [False, True, True, False]


def test_rates_and_intervals_go_with_a_masked_count():
    # 3 of 40: the numerator is masked, so 0.075 and its interval would give it back.
    frame = pl.DataFrame({"numerator": [3, 20], "denominator": [40, 50],
                          "value": [0.075, 0.4], "ci_low": [0.02, 0.27], "ci_high": [0.2, 0.54]})
    out = suppress(frame, ["numerator", "denominator"], ["value", "ci_low", "ci_high"])
    assert out.row(0) == (None, 40, None, None, None, True)
    assert out.row(1) == (20, 50, 0.4, 0.27, 0.54, False)


def test_a_lone_masked_cell_takes_the_next_smallest_cell_with_it():
    # a=4 is masked; with the total 4+25+30+50 = 109 shown, a = 109 - 105. Masking the next
    # smallest non-zero cell (25) leaves a + b = 29 with two unknowns.
    frame = pl.DataFrame({"g": ["a", "b", "c", "d", "all"], "n": [4, 25, 30, 50, 109]})
    out = suppress(frame, ["n"], margins=[Margin(total=pl.col("g") == "all")])
    assert out["n"].to_list() == [None, None, 30, 50, 109]


def test_zero_cells_are_not_chosen_while_a_non_zero_cell_or_the_total_is_left():
    frame = pl.DataFrame({"g": ["a", "b", "c", "all"], "n": [7, 0, 0, 7]})
    out = suppress(frame, ["n"], margins=[Margin(total=pl.col("g") == "all")])
    # a=7 masked; b and c are zero; the total goes with it (a + nothing else = total).
    assert out["n"].to_list() == [None, 0, 0, None]


def test_a_table_whose_total_is_published_elsewhere_still_gets_a_second_mask():
    frame = pl.DataFrame({"unit": ["U1", "U2", "U3"], "n": [5, 40, 60]})
    out = suppress(frame, ["n"], margins=[Margin()])
    assert out["n"].to_list() == [None, None, 60]


def test_two_masked_cells_need_no_more():
    frame = pl.DataFrame({"g": ["a", "b", "c", "all"], "n": [2, 3, 80, 85]})
    out = suppress(frame, ["n"], margins=[Margin(total=pl.col("g") == "all")])
    assert out["n"].to_list() == [None, None, 80, 85]


def test_complementary_masks_chain_through_relations_in_order_until_none_is_left_alone():
    from cqi_core.privacy.suppression import complement

    # Cells 0..5 hold 3, 20, 30, 40, 50, 70; only cell 0 (3) is primary. By hand, visiting
    # the relations in order: r1 [0, 1] has one hidden, so 1 (the smallest non-zero) goes;
    # then r2 [1, 4] has one, so 4; r3 [4, 2] has one, so 2; r4 [0, 1, 5] has two and
    # keeps 5. A second pass finds r0 [2, 3] with one hidden (2, masked after r0 was
    # visited), so 3 goes. Nothing is then alone: cells 0-4 hidden, 5 shown.
    values = np.array([3.0, 20, 30, 40, 50, 70])
    rels = [([2, 3], None), ([0, 1], None), ([1, 4], None), ([4, 2], None), ([0, 1, 5], None)]
    masked = complement(values, np.array([True, False, False, False, False, False]), rels)
    assert masked.tolist() == [True, True, True, True, True, False]
    # A total joins the relation; with no non-zero member left open the total is taken.
    out = complement(np.array([4.0, 0.0, 4.0]), np.array([True, False, False]),
                     [([0, 1], 2)])
    assert out.tolist() == [True, False, True]


def test_relations_of_blocks_by_hand():
    from cqi_core.privacy import grouping_relations

    # Rows 0-6 of one code in one period, rows 7-8 of another period (its own block).
    # Block 1: the groupings source (rows 0, 1), unit (2, 3, 4) and region (5, 6), each
    # adding up to a total published elsewhere (None); then the units U1 and U2 of region N
    # add up to row 5 (N), and U3 of region S to row 6 (S). Block 2: unit U1 alone (row 7)
    # under region N (row 8).
    frame = pl.DataFrame({
        "code": ["t"] * 9,
        "period_end": ["p1"] * 7 + ["p2"] * 2,
        "group_by": ["source", "source", "unit", "unit", "unit", "region", "region", "unit", "region"],
        "group_value": ["a", "b", "U1", "U3", "U2", "N", "S", "U1", "N"]})
    regions = {"U1": "N", "U2": "N", "U3": "S"}
    assert grouping_relations(frame, ["code", "period_end"], regions, total=None) == [
        ([0, 1], None), ([2, 3, 4], None), ([5, 6], None), ([2, 4], 5), ([3], 6),
        ([7], None), ([8], None), ([7], 8)]


def test_release_leaves_analysts_and_supervisors_untouched(tmp_path):
    import cqi_core

    store = cqi_core.open_store(tmp_path / "x.duckdb")
    frame = pl.DataFrame({"child_id": ["C1"], "n": [3], "text": ["Maria said"]})
    for role, units in (("analyst", None), ("supervisor", ("U1",))):
        bound = privacy.Handle(store, Viewer(role, "t", units, "oidc"))
        assert privacy.release(frame, bound.viewer, ["n"]).equals(frame)
    public = privacy.Handle(store, Viewer("youth", "t", (), "pinned"))
    out = privacy.release(frame, public.viewer, ["n"])
    assert out.columns == ["n", "suppressed"]  # no identifier, no unapproved text
    assert out["n"].to_list() == [None]
    store.close()


# --- the attacker -----------------------------------------------------------------------

def _revealed(values: np.ndarray, masked: np.ndarray, rels) -> list[int]:
    """Masked positions whose value the published cells and relations pin down."""
    unknown = [int(p) for p in np.flatnonzero(masked)]
    if not unknown:
        return []
    col = {p: i for i, p in enumerate(unknown)}
    a_eq, b_eq = [], []
    for cells, total in rels:
        row = np.zeros(len(unknown))
        rhs = 0.0
        for p in cells:
            if masked[p]:
                row[col[p]] += 1
            else:
                rhs -= values[p]
        if total is not None:
            if masked[total]:
                row[col[total]] -= 1
            else:
                rhs += values[total]
        else:  # a total published elsewhere is not modelled here; every test gives it
            continue
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    out = []
    for p, i in col.items():
        c = np.zeros(len(unknown))
        c[i] = 1
        lo = linprog(c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=(0, None), method="highs")
        if lo.status == 0 and hi.status == 0 and abs(-hi.fun - lo.fun) < 0.5:
            out.append(p)
    return out


@st.composite
def hierarchies(draw):
    """Agency, regions and units as indicator rows, with small counts common."""
    small_or_big = st.one_of(st.integers(0, 12), st.integers(0, 60))
    units, unit_region = [], {}
    for r in range(draw(st.integers(1, 4))):
        for u in range(draw(st.integers(1, 4))):
            unit = f"U{r}{u}"
            units.append((unit, draw(small_or_big)))
            unit_region[unit] = f"R{r}"
    region_totals: dict[str, int] = {}
    for unit, n in units:
        region_totals[unit_region[unit]] = region_totals.get(unit_region[unit], 0) + n
    rows = [("all", "all", sum(n for _, n in units))]
    rows += [("unit", u, n) for u, n in units]
    rows += [("region", r, n) for r, n in region_totals.items()]
    return pl.DataFrame(rows, schema=["group_by", "group_value", "numerator"], orient="row"), unit_region


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hierarchies())
def test_no_masked_cell_can_be_worked_out_in_units_regions_and_agency(case):
    # The engine releases units and regions together for public audiences (a page asking
    # for units alone gets the unit rows of this same pattern), so the attacker's view is
    # the whole hierarchy.
    frame, unit_region = case
    rels = indicator_relations(frame, unit_region, block=[])
    out = suppress(frame, ["numerator"], relations=rels, threshold=10)
    values = frame["numerator"].to_numpy().astype(float)
    masked = out["numerator"].is_null().to_numpy()
    assert all(masked[i] for i, v in enumerate(values) if 1 <= v <= 10)
    assert _revealed(values, masked, rels) == []


@settings(max_examples=120, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 12), st.integers(0, 200)), min_size=1, max_size=9))
def test_no_masked_cell_can_be_worked_out_in_a_table_with_its_total(cells):
    frame = pl.DataFrame({"g": [*map(str, range(len(cells))), "all"], "n": [*cells, sum(cells)]})
    out = suppress(frame, ["n"], margins=[Margin(total=pl.col("g") == "all")])
    masked = out["n"].is_null().to_numpy()
    values = frame["n"].to_numpy().astype(float)
    assert all(masked[i] for i, v in enumerate(values) if 1 <= v <= 10)
    rels = [(list(range(len(cells))), len(cells))]
    assert _revealed(values, masked, rels) == []


def test_indicator_rows_of_a_public_store_are_protected_per_indicator_and_period(tmp_path):
    import cqi_core

    store = cqi_core.open_store(tmp_path / "x.duckdb")
    public = privacy.Handle(store, Viewer("stakeholder", "t", (), "pinned"))
    # Two indicators: in P1 one unit is small (3) so another goes with it; in P5 nothing is.
    frame = pl.DataFrame({
        "indicator_id": ["P1"] * 4 + ["P5"] * 4, "period_start": ["2024-01-01"] * 8,
        "period_end": ["2024-12-31"] * 8,
        "group_by": ["all", "unit", "unit", "unit"] * 2,
        "group_value": ["all", "U1", "U2", "U3"] * 2,
        "numerator": [63, 3, 20, 40, 90, 30, 30, 30], "denominator": [150, 50, 50, 50] * 2,
        "value": [0.42, 0.06, 0.4, 0.8, 0.6, 0.6, 0.6, 0.6],
        "ci_low": [0.0] * 8, "ci_high": [1.0] * 8})
    out = privacy.release_indicator_rows(frame, public.viewer, store)
    assert out["numerator"].to_list() == [63, None, None, 40, 90, 30, 30, 30]
    assert out["value"].to_list() == [0.42, None, None, 0.8, 0.6, 0.6, 0.6, 0.6]
    assert out["suppressed"].to_list() == [False, True, True, False] + [False] * 4
    assert privacy.release_indicator_rows(frame, privacy.ANALYST, store).equals(frame)  # as is
    store.close()


def test_the_rule_in_words_has_no_digits():
    words = privacy.suppression_words()
    assert "ten" in words and not any(ch.isdigit() for ch in words)


@pytest.mark.parametrize("bad", [-1, "ten"])
def test_a_bad_threshold_is_refused(tmp_path, bad):
    from cqi_core.errors import CQIError

    f = tmp_path / "a.yaml"
    f.write_text(f"threshold: {bad!r}\n".replace("'", ""))
    with pytest.raises(CQIError, match="threshold"):
        privacy.load_policy(f)


def test_the_attacker_finds_a_cell_that_primary_masking_alone_leaves_open():
    # 4 + 25 + 30 = 59 with only the 4 masked: 59 - 25 - 30 gives it back.
    values = np.array([4.0, 25.0, 30.0, 59.0])
    masked = np.array([True, False, False, False])
    assert _revealed(values, masked, [([0, 1, 2], 3)]) == [0]
