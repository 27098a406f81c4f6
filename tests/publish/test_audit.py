"""The time audit's shortcuts on tables small enough to work out by hand.

`publish.audit.Model.pinned` frees most hidden cells without programmes of their own: with
the last audit's answer, a point inside the attacker's polytope and a step each way from
it along the cell's own direction. Each shortcut only ever frees a cell, so every test here
states by hand which hidden cells an attacker can pin and which not, including cells that
a careless shortcut would free.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from cqi_core.publish import audit
from cqi_core.publish.audit import INSIDE, PIN, Cell, Model

ROOT = Path(__file__).resolve().parents[2]
Q = 100  # the first window's last quarter; the quarters before it are Q - 3 .. Q
U1, U2, R = ("unit", "U1"), ("unit", "U2"), ("region", "R")
REGION = [([U1, U2], R)]


def _hierarchy(u1: float, u2: float) -> tuple[list[Cell], np.ndarray]:
    """One 12-month window: two units and their region (positions 0, 1, 2)."""
    cells = [Cell(0, U1, Q), Cell(1, U2, Q), Cell(2, R, Q)]
    return cells, np.array([u1, u2, u1 + u2])


def _mask(n: int, *hidden: int) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    m[list(hidden)] = True
    return m


def test_a_unit_hidden_alone_beside_its_region_is_pinned():
    # U1 = 3 hidden, U2 = 11 and R = 14 shown: U1 = 14 - 11 = 3 exactly.
    cells, values = _hierarchy(3, 11)
    model = Model(cells, REGION, values)
    assert model.feasible()
    assert model.pinned(_mask(3, 0)) == [0]


def test_two_units_hidden_under_a_shown_region_are_free():
    # U1 + U2 = 14 with both hidden: each can be anything from 0 to 14.
    cells, values = _hierarchy(3, 11)
    model = Model(cells, REGION, values)
    assert model.pinned(_mask(3, 0, 1)) == []


def test_the_last_audit_is_reused_only_when_no_cell_was_shown_again():
    # Free under {U1, U2} hidden; U1 alone hidden is pinned again (14 - 11). A model that
    # kept its earlier answer for the smaller hidden set would call U1 free.
    cells, values = _hierarchy(3, 11)
    model = Model(cells, REGION, values)
    assert model.pinned(_mask(3, 0, 1)) == []
    assert model.pinned(_mask(3, 0)) == [0]
    # and hiding more after that: U1, U2 and R hidden, nothing is pinned
    assert model.pinned(_mask(3, 0, 1, 2)) == []


def _one_group(windows: list[float]) -> tuple[list[Cell], np.ndarray]:
    """One group's windows ending on quarters Q, Q + 1, ... (positions 0, 1, ...)."""
    cells = [Cell(k, ("all", "all"), Q + k) for k in range(len(windows))]
    return cells, np.array(windows, dtype=float)


def test_a_window_of_zero_between_two_shown_zeros_is_pinned():
    # Windows to Q, Q+1, Q+2 are 0, 0, 0; the one to Q+1 hidden. The one to Q makes
    # quarters Q-3..Q zero, the one to Q+2 makes Q-1..Q+2 zero, so Q-2..Q+1 is 0 exactly.
    # Every count is held at zero: no point inside moves anything, only the exact
    # programmes can answer.
    cells, values = _one_group([0, 0, 0])
    model = Model(cells, [], values)
    assert model.pinned(_mask(3, 1)) == [1]


def test_a_window_after_the_shown_ones_is_free():
    # Windows 80 then 60 (hidden): quarters Q-2..Q+1 = 80 - x[Q-3] + x[Q+1], anything from
    # 0 up (x[Q+1] has no bound), so nothing pins it.
    cells, values = _one_group([80, 60])
    model = Model(cells, [], values)
    assert model.pinned(_mask(2, 1)) == []


def test_a_hidden_window_the_hierarchy_and_a_zero_unit_give_back():
    # Two units in one region over two windows. U2 shows 0 and 0, the region shows 80 and
    # 60, U1 shows 80 and its second window (60) is hidden: U1 = R - U2 = 60 quarter by
    # quarter, pinned. Hiding the region's second window too frees it: U1's second window
    # is then 80 - x[U1, Q-3] + x[U1, Q+1], from 0 up.
    cells = [Cell(0, U1, Q), Cell(1, U1, Q + 1), Cell(2, U2, Q), Cell(3, U2, Q + 1),
             Cell(4, R, Q), Cell(5, R, Q + 1)]
    values = np.array([80, 60, 0, 0, 80, 60], dtype=float)
    assert Model(cells, REGION, values).pinned(_mask(6, 1)) == [1]
    assert Model(cells, REGION, values).pinned(_mask(6, 1, 5)) == []


def test_windows_no_quarters_can_add_up_to_are_not_a_sum_over_quarters():
    # Windows 0, 10, 0 to Q, Q+1, Q+2: the first makes Q-3..Q zero and the last Q-1..Q+2,
    # so the middle one (Q-2..Q+1) would be 0, not 10: no counts give these figures (a
    # headcount on one day behaves so), and the block is left out of the time audit.
    # Windows 0, 10, 10 are quarters 0, 0, 0, 0, 10, 0: a sum over quarters.
    cells, values = _one_group([0, 10, 0])
    assert not Model(cells, [], values).feasible()
    assert audit.pinned(cells, values, _mask(3, 1), []) == []
    cells, values = _one_group([0, 10, 10])
    assert Model(cells, [], values).feasible()


def test_a_block_the_first_solve_calls_infeasible_is_asked_again(monkeypatch):
    # The quick interior-point solve's "no" is not believed alone: were it wrong, a block
    # of sums over quarters would escape the time audit. Here it answers "no" for windows
    # that are sums over quarters (80, then 60 ending a quarter later); the simplex says yes.
    import scipy.optimize

    real = scipy.optimize.linprog
    asked = []

    def wrong_first(*args, method, **kwargs):
        asked.append(method)
        if method == "highs-ipm":
            return type("Result", (), {"status": 2, "x": None})()
        return real(*args, method=method, **kwargs)

    monkeypatch.setattr(scipy.optimize, "linprog", wrong_first)  # the audit imports it per call
    cells, values = _one_group([80, 60])
    assert Model(cells, [], values).feasible()
    assert asked == ["highs-ipm", "highs"]


def test_a_kept_programme_answers_each_new_objective_as_a_fresh_one_would():
    # x0 + x1 = 10 and x2 + x3 = 5, every x >= 0. Asked one objective after another on the
    # same model (each starting from the last one's basis): x0 at most 10, then at least
    # 0, x2 + x3 fixed at 5 whatever is pushed, and -x0 - x1 at least -10.
    rows = csr_matrix(np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]]))
    programme = audit._Programme(rows, np.array([10.0, 5.0]))
    top = programme.minimise(np.array([-1.0, 0.0, 0.0, 0.0]))
    assert top[0] == pytest.approx(10.0) and top[1] == pytest.approx(0.0)
    low = programme.minimise(np.array([1.0, 0.0, 0.0, 0.0]))
    assert low[0] == pytest.approx(0.0) and low[1] == pytest.approx(10.0)
    pushed = programme.minimise(np.array([0.0, 0.0, -1.0, 1.0]))
    assert pushed[2] == pytest.approx(5.0) and pushed[3] == pytest.approx(0.0)
    both = programme.minimise(np.array([-1.0, -1.0, 0.0, 0.0]))
    assert both[0] + both[1] == pytest.approx(10.0)


def test_a_kept_programme_says_none_when_a_count_has_no_bound_and_goes_on_answering():
    # x0 - x1 = 0 with nothing else: x0 can grow without end (no optimum), yet its
    # smallest value is still 0 when asked next on the same model.
    rows = csr_matrix(np.array([[1.0, -1.0]]))
    programme = audit._Programme(rows, np.array([0.0]))
    assert programme.minimise(np.array([-1.0, 0.0])) is None
    low = programme.minimise(np.array([1.0, 0.0]))
    assert low is not None and low[0] == pytest.approx(0.0) and low[1] == pytest.approx(0.0)


def test_the_solver_writes_nothing_to_a_commands_standard_output():
    # HiGHS announces itself on the process's standard output the first time a model is
    # made; a command whose output is a CSV or JSON file read by another program would get
    # that line in it. In a fresh process, two programmes solved print only what the
    # script itself prints.
    script = textwrap.dedent("""
        import numpy as np
        from scipy.sparse import csr_matrix
        from cqi_core.publish import audit
        rows = csr_matrix(np.array([[1.0, 1.0]]))
        for sign in (-1.0, 1.0):
            x = audit._Programme(rows, np.array([2.0])).minimise(np.array([sign, 0.0]))
            print(int(round(x[0])))
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=True)
    assert done.stdout == "2\n0\n"


def test_the_interior_point_is_above_zero_wherever_a_count_can_be():
    # x0 + x1 = 2 and x2 + x3 = 0: x2 and x3 are zero everywhere, x0 and x1 are not.
    rows = csr_matrix(np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]]))
    x = audit._interior_point(rows, np.array([2.0, 0.0]), 4)
    assert x is not None
    assert x[0] > INSIDE and x[1] > INSIDE
    assert abs(x[2]) < INSIDE and abs(x[3]) < INSIDE
    assert x[0] + x[1] == pytest.approx(2.0)


def test_a_step_frees_only_cells_whose_range_reaches_pin():
    # x0 + x1 = 10, x2 = 5, from the inside point (5, 5, 5):
    # - the cell x0 ranges over 0..10: free;
    # - the cell x2 is 5 exactly: no direction moves it;
    # - the cell x0 + x1 is 10 exactly: its direction is wholly in the equalities.
    rows = csr_matrix(np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    rhs = np.array([10.0, 5.0])
    windows = np.array([[0, 0], [2, 2], [0, 1]])  # a cell is the sum of its window's counts
    # (a repeated column counts twice: [0, 0] is 2 * x0, ranging over 0..20)
    moved = audit._stepped(rows, rhs, np.array([5.0, 5.0, 5.0]), windows)
    assert moved.tolist() == [True, False, False]


def test_a_step_never_frees_a_cell_whose_whole_range_is_below_pin():
    # x0 + x1 = 0.4: the cell x0 ranges over 0..0.4, narrower than PIN, so it is pinned
    # however far a step goes; the cell x0 + x1 is 0.4 exactly.
    rows = csr_matrix(np.array([[1.0, 1.0]]))
    windows = np.array([[0], [1]])
    moved = audit._stepped(rows, np.array([0.4]), np.array([0.2, 0.2]), windows)
    assert moved.tolist() == [False, False]
    assert 0.4 < PIN


def _exact(model: Model, masked: np.ndarray) -> list[int]:
    """The attacker's answer the slow way: every hidden cell's own smallest and largest
    value, nothing shared (the audit as it was before its shortcuts)."""
    rows, rhs = model.equalities(model.values, masked)
    out = []
    for c in model.cells:
        if not masked[c.pos]:
            continue
        ends = []
        for sign in (1.0, -1.0):
            cost = np.zeros(model.n)
            for q in range(c.quarter - 3, c.quarter + 1):
                cost[model.var[(c.group, q)]] = -sign
            res = linprog(cost, A_eq=rows, b_eq=rhs, bounds=(0, None), method="highs")
            ends.append(None if res.status != 0 else -sign * res.fun)
        if None not in ends and ends[0] - ends[1] < PIN:
            out.append(c.pos)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_random_small_regions_get_the_exact_programmes_answer(seed):
    # Three units in one region over six windows, small quarterly counts (many zeros), a
    # third of the unit windows hidden: the shortcuts must pin exactly what the two exact
    # programmes per cell pin.
    rng = np.random.default_rng(seed)
    quarters = rng.choice([0, 0, 0, 1, 2, 5], size=(3, 9))
    units = [("unit", f"U{k}") for k in range(3)]
    cells, values = [], []
    for k, g in enumerate([*units, R]):
        for w in range(6):
            counts = quarters[:, w:w + 4].sum(axis=1)
            values.append(counts[k] if k < 3 else counts.sum())
            cells.append(Cell(len(cells), g, Q + w))
    values = np.array(values, dtype=float)
    masked = np.zeros(len(cells), dtype=bool)
    masked[:18] = rng.random(18) < 1 / 3
    model = Model(cells, [(units, R)], values)
    assert model.feasible()
    assert sorted(model.pinned(masked, rng)) == sorted(_exact(Model(cells, [(units, R)], values),
                                                               masked))


def test_units_pinned_by_a_region_of_zero_get_the_region_hidden_beside_them():
    # Two units of one region, P1 over six quarters, no child reaching permanency (every
    # numerator 0). Quarterly entries: U00 has 10 in the fifth quarter, U01 has 1 in the
    # sixth, so the window to the sixth quarter (2025 Q2) has denominators 10 and 1, and
    # both unit numerators are hidden (those without the outcome number 10 and 1). If the
    # region (and the agency, the same here) showed its numerator 0 for that window, both
    # hidden unit numerators would be 0 exactly: so those totals must be hidden too.
    import calendar
    from datetime import date

    import polars as pl

    from cqi_core.privacy import window_start
    from cqi_core.publish import suppress_indicators

    units = {"U00": "R0", "U01": "R0"}
    den = {"U00": [0, 0, 0, 0, 10, 0], "U01": [0, 0, 0, 0, 0, 1]}
    rows = []
    for q in range(3, 6):
        year, idx = divmod(2024 * 4 + q, 4)
        end = date(year, idx * 3 + 3, calendar.monthrange(year, idx * 3 + 3)[1])
        d = {u: float(sum(den[u][q - 3:q + 1])) for u in units}
        for by, value, n in (("unit", "U00", d["U00"]), ("unit", "U01", d["U01"]),
                             ("region", "R0", d["U00"] + d["U01"]),
                             ("all", "all", d["U00"] + d["U01"])):
            rows.append({"indicator_id": "P1", "period_start": window_start(end),
                         "period_end": end, "group_by": by, "group_value": value,
                         "numerator": 0.0, "denominator": n, "value": 0.0 if n else None,
                         "ci_low": None, "ci_high": None})
    frame = pl.DataFrame(rows, schema_overrides={"value": pl.Float64, "ci_low": pl.Float64,
                                                 "ci_high": pl.Float64})
    out = suppress_indicators(frame, units)
    last = out.filter(pl.col("period_end") == date(2025, 6, 30))
    hidden = dict(zip(last["group_value"], last["numerator"].is_null()))
    assert hidden == {"U00": True, "U01": True, "R0": True, "all": True}
