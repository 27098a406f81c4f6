"""The time audit: can a hidden 12-month figure be worked out from overlapping ones?

Published periods overlap (the 12 months ending each quarter end), so for a measure that
adds up over time (entries, exits, visits, days, reviews, comments) every window is the sum
of four quarters nobody publishes. Differencing two windows gives the difference of two
quarters, and with counts that cannot be negative (a window of zero forces its quarters to
zero) a hidden window can sometimes be pinned. This module asks the question as a linear
programme, the way an attacker would (METHODS.md: suppression and the publication):

    unknowns   x[g, q] >= 0, the count of group g in quarter q (never published);
    published  the sum of a group's four quarters equals each window shown;
    hierarchy  units add up to their region, regions and every grouping to the agency,
               quarter by quarter, wherever the published figures add up exactly;

and for each hidden window finds the smallest and largest value it can take. A hidden
window whose range is narrower than PIN is pinned, and the caller hides another cell.

Most hidden windows are shown free without programmes of their own: any two points of the
polytope at which a window differs by PIN or more prove it free. `Model.pinned` gathers such
points cheapest first (a point inside the polytope, a few programmes shared by every open
window, a step each way from the inside point along each window's own direction) and
solves the two exact programmes only for the windows still open; those are the pinned ones
and a few near them, so the answer is the one the exact programmes give.
Blocks whose published figures are not sums of quarters at all (a cohort counted on one
day, an average headcount) are left to the per-period relations: no such sum exists there.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from dataclasses import dataclass

import numpy as np

PIN = 0.5
"""A hidden count whose possible values span less than this is taken as worked out."""

SHARED_MIN = 8
"""Shared programmes run only when more open cells than this are left for exact ones."""
INSIDE = 1e-6
"""A quarterly count above this at the interior point can move."""
RIDGE = 1e-8
"""The ridge added to the Gram matrix before it is factorised, relative to its diagonal."""
REFINE = 3
"""Refinement passes after the ridged solve."""
RATE_FLOOR = 1e-6
"""A direction that moves its cell slower than this is not used."""
STEP = 0.9
"""Share of the way to the nearest zero count that a step goes."""
BOUND_TOL = 1e-9
EQUAL_TOL = 1e-6
"""How far below zero and off an equality a stepped point may be (rounding only)."""
CHUNK = 256
"""Cells stepped together (memory: one dense column per cell and count)."""

# scipy passes `run_crossover` to HiGHS as it is and warns that it does not know it. The
# warning is silenced here, once, by its own words: `warnings.catch_warnings` around the call
# would change the process's filters while other threads audit other blocks at the same time.
# (scipy's OptimizeWarning is a UserWarning; naming it here would load scipy's solvers with
# this module, and every command loads it.)
warnings.filterwarnings("ignore", message=r"Unrecognized options detected: \{'run_crossover'",
                        category=UserWarning)


@dataclass(frozen=True)
class Cell:
    """One count cell of a block: a group's figure for the 12 months ending on a quarter."""

    pos: int
    """Row position in the publication frame."""
    group: tuple[str, str]
    """(group_by, group_value)."""
    quarter: int
    """The window's last quarter, as year * 4 + quarter index."""


def pinned(cells: list[Cell], values: np.ndarray, masked: np.ndarray,
           relations: list[tuple[list[tuple[str, str]], tuple[str, str] | None]],
           rng: np.random.Generator | None = None) -> list[int]:
    """Positions of hidden cells an attacker can work out exactly.

    Args:
        cells: the block's cells (one measure, one count column).
        values: the true counts by position (the whole frame's column).
        masked: hidden cells by position.
        relations: group structures that add up in every period: (member groups, total
            group or None when the total is a figure published elsewhere).
        rng: randomness for the shared first passes (seeded for reproducible builds).

    Returns:
        Positions of pinned hidden cells ([] when the block is not a sum over quarters).
    """
    model = Model(cells, relations, values)
    return model.pinned(masked, rng) if model.feasible() else []


class Model:
    """The attacker's linear programme for one block (built once; asked again as the
    hidden cells grow)."""

    def __init__(self, cells: list[Cell], relations, values: np.ndarray) -> None:
        self.cells = cells
        self.values = values
        self._feasible: bool | None = None
        first = min(c.quarter for c in cells) - 3
        last = max(c.quarter for c in cells)
        self.quarters = list(range(first, last + 1))
        groups = sorted({c.group for c in cells})
        self.var: dict[tuple[tuple[str, str], int], int] = {}
        for g in groups:
            for q in self.quarters:
                self.var[(g, q)] = len(self.var)
        self.links: list[tuple[list[int], list[int]]] = []
        row = {g: i for i, g in enumerate(groups)}
        group_of = np.fromiter((row[c.group] for c in cells), dtype=np.int64, count=len(cells))
        quarter_of = np.fromiter((c.quarter for c in cells), dtype=np.int64, count=len(cells))
        self._pos = np.fromiter((c.pos for c in cells), dtype=np.int64, count=len(cells))
        table = _Table(groups, self.quarters, group_of, quarter_of - first, self._pos, values)
        for members, total in relations:
            members = [m for m in members if m in row]
            if not members or (total is not None and total not in row):
                continue
            adding = table.periods_adding_up(members, total) if total is not None else None
            if total is not None and len(adding) < table.periods(total):
                # Not in every period, so not quarter by quarter; but in each period where
                # the figures do add up, an attacker may use that period's windows.
                for q in adding:
                    window = range(q - 3, q + 1)
                    self.links.append(([self.var[(m, s)] for m in members for s in window],
                                       [self.var[(total, s)] for s in window]))
                continue
            if total is None:  # the total is a figure of its own: a latent series
                # Relations that each cover a whole grouping (a theme by source type, by
                # unit, by region, by group) all add up to the same total: one latent
                # series, so the attacker may set one grouping against another.
                whole = {g for g in row if g[0] == members[0][0]} == set(members)
                key = ("\x00latent", "whole" if whole else str(len(self.links)))
                if (key, self.quarters[0]) in self.var:
                    total = key
                    for q in self.quarters:
                        self.links.append(([self.var[(m, q)] for m in members],
                                           [self.var[(total, q)]]))
                    continue
                for q in self.quarters:
                    self.var[(key, q)] = len(self.var)
                total = key
            for q in self.quarters:
                self.links.append(([self.var[(m, q)] for m in members], [self.var[(total, q)]]))
        self.n = len(self.var)
        # A group's quarters are numbered in a row of their own, oldest first: a window is
        # its last quarter and the three before.
        start = group_of * len(self.quarters) + (quarter_of - 3 - first)
        self._windows = start[:, None] + np.arange(4)
        self._index = {c.pos: k for k, c in enumerate(cells)}
        self._link_rows = _link_matrix(self.links)
        self._free: set[int] = set()
        """Hidden cells shown free at the last audit (a range of PIN or more)."""
        self._free_under: frozenset[int] = frozenset()
        """The hidden cells of that audit: hiding more only widens every range."""

    def equalities(self, values: np.ndarray, masked: np.ndarray):
        """The attacker's equalities: each shown window is the sum of its four quarters, and
        each relation holds quarter by quarter (rows of the matrix, right-hand sides)."""
        shown = ~masked[self._pos] & ~np.isnan(values[self._pos])
        windows = self._windows[shown]
        k = len(windows)
        r = np.repeat(np.arange(k), 4)
        lr, lk, lv = self._link_rows
        rows = np.concatenate([r, lr + k])
        cols = np.concatenate([windows.ravel(), lk])
        vals = np.concatenate([np.ones(len(r)), lv])
        rhs = np.concatenate([values[self._pos[shown]].astype(float),
                              np.zeros(len(self.links))])
        from scipy.sparse import coo_matrix  # loaded when a build audits (0.4 s of every command otherwise)

        return coo_matrix((vals, (rows, cols)), shape=(len(rhs), self.n)).tocsr(), rhs

    def feasible(self) -> bool:
        """Whether every figure of the block (at its true value) is a sum over quarters at
        all: if not, the block has no such relation to exploit. The answer does not depend
        on what is hidden, so it is asked once.

        An interior-point solve stopped before crossover answers "is there any point at all"
        at about a third of the simplex's cost (the corner crossover would move to is not
        wanted). Its "yes" is taken as it is (a block wrongly thought a sum over quarters is
        only audited for nothing); its "no" or a failure is asked again of the simplex,
        since a block found infeasible is left out of the time audit."""
        from scipy.optimize import linprog  # loaded when a build audits (0.4 s of every command otherwise)

        if self._feasible is None:
            rows, rhs = self.equalities(self.values, np.zeros(len(self.values), dtype=bool))
            res = linprog(np.zeros(self.n), A_eq=rows, b_eq=rhs, bounds=(0, None),
                          method="highs-ipm", options={"run_crossover": "off"})
            if res.status != 0:
                res = linprog(np.zeros(self.n), A_eq=rows, b_eq=rhs, bounds=(0, None),
                              method="highs")
            self._feasible = res.status == 0
        return self._feasible

    def pinned(self, masked: np.ndarray, rng: np.random.Generator | None = None) -> list[int]:
        """Positions of this block's hidden cells that the published ones pin.

        A cell is free (not pinned) once two points of the attacker's polytope give it
        values PIN or more apart (the true figures are one point). Such points come,
        cheapest first, from: the last audit of this block (hiding more cells only removes
        equalities, so a free cell stays free); a point inside the polytope
        (`_interior_point`); programmes shared by all open cells (`_shared_passes`); one
        step each way from the inside point along each open cell's own direction
        (`_stepped`); and every programme solved on the way. A cell none of them frees
        gets its own smallest and largest value, and is pinned when they differ by less
        than PIN."""
        hidden = [k for k, c in enumerate(self.cells) if masked[c.pos]]
        if not hidden:
            return []
        rng = rng or np.random.default_rng(0)
        rows, rhs = self.equalities(self.values, masked)
        seen = _Seen(self.values[self._pos[hidden]].astype(float))
        under = frozenset(int(self._pos[k]) for k in hidden)
        known = self._free if self._free_under <= under else set()
        at = {k: i for i, k in enumerate(hidden)}  # cell index -> position in `hidden`
        open_ = [k for k in hidden if int(self._pos[k]) not in known]
        for k in hidden:
            if int(self._pos[k]) in known:
                seen.free(at[k])
        if open_:
            inside = _interior_point(rows, rhs, self.n)
            if inside is not None:
                seen.record(self._values_at(inside, hidden))
                open_ = [k for k in open_ if not seen.is_free(at[k])]
            programme = _Programme(rows, rhs)
            open_ = self._shared_passes(programme, open_, hidden, seen, at, rng)
            if open_ and inside is not None:
                moved = _stepped(rows, rhs, inside, self._windows[open_])
                for k in np.asarray(open_)[moved]:
                    seen.free(at[int(k)])
                open_ = [k for k in open_ if not seen.is_free(at[k])]
        out = []
        for k in open_:
            if seen.is_free(at[k]):
                continue
            hi = self._solve_cells(programme, [k], np.ones(1))
            if hi is not None:
                seen.record(self._values_at(hi, hidden))
            if seen.is_free(at[k]):
                continue
            lo = self._solve_cells(programme, [k], -np.ones(1))
            if lo is not None:
                seen.record(self._values_at(lo, hidden))
            if hi is None or lo is None:
                continue
            if self._value(hi, k) - self._value(lo, k) < PIN:
                out.append(int(self._pos[k]))
        self._free = {int(self._pos[k]) for k in hidden if seen.is_free(at[k])}
        self._free_under = under
        return out

    def _shared_passes(self, programme: "_Programme", open_: list[int], hidden: list[int],
                       seen: "_Seen", at: dict[int, int], rng: np.random.Generator) -> list[int]:
        """Programmes that push every open cell at once (all up, all down, two random
        mixes), each over the cells still open, until few are left: one solve frees many
        cells. Returns the cells still open."""
        for sign in (1.0, -1.0, None, None):
            if len(open_) <= SHARED_MIN:
                break
            w = np.full(len(open_), sign) if sign else rng.choice([-1.0, 1.0], len(open_))
            x = self._solve_cells(programme, open_, w)
            if x is not None:
                seen.record(self._values_at(x, hidden))
                open_ = [k for k in open_ if not seen.is_free(at[k])]
        return open_

    def _solve_cells(self, programme: "_Programme", cells: list[int], weights: np.ndarray):
        """Maximise the weighted sum of the given cells (indices into `cells`)."""
        c = np.zeros(self.n)
        np.add.at(c, self._windows[cells].ravel(), -np.repeat(weights, 4))  # HiGHS minimises
        return programme.minimise(c)

    def _values_at(self, x: np.ndarray, cells: list[int]) -> np.ndarray:
        return x[self._windows[cells]].sum(axis=1)

    def _value(self, x: np.ndarray, k: int) -> float:
        return float(x[self._windows[k]].sum())

    def solve(self, rows, rhs, weights: dict[int, float]):
        """Maximise the weighted sum of the named hidden cells; None if the solver fails."""
        cells = [self._index[pos] for pos in weights]
        return self._solve_cells(_Programme(rows, rhs), cells,
                                 np.array(list(weights.values()), dtype=float))

    def cell_value(self, x: np.ndarray, c: Cell) -> float:
        return self._value(x, self._index[c.pos])


class _Programme:
    """The attacker's equalities as one HiGHS model, asked for one objective after another.

    The programmes of one audit share their equalities and bounds and differ only in what
    they push up or down, so the model is kept and each new objective starts from the last
    one's optimal basis (HiGHS's warm start): a few pivots instead of a solve from scratch,
    about a third of the time on the state-size agency's audits, with the same optima.
    HiGHS lets go of the interpreter while it solves, so the audit's threads run side by
    side."""

    def __init__(self, rows, rhs: np.ndarray) -> None:
        import highspy  # loaded when a build audits (0.4 s of every command otherwise)

        columns = rows.tocsc()
        self.n = columns.shape[1]
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.n, columns.shape[0]
        lp.col_cost_ = np.zeros(self.n)
        lp.col_lower_ = np.zeros(self.n)
        lp.col_upper_ = np.full(self.n, highspy.kHighsInf)
        lp.row_lower_ = lp.row_upper_ = np.asarray(rhs, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = columns.indptr
        lp.a_matrix_.index_ = columns.indices
        lp.a_matrix_.value_ = columns.data
        self._highs = _new_highs()
        self._highs.setOptionValue("output_flag", False)
        self._highs.passModel(lp)
        self._all = np.arange(self.n, dtype=np.int32)
        self._optimal = highspy.HighsModelStatus.kOptimal

    def minimise(self, cost: np.ndarray) -> np.ndarray | None:
        """The counts at which `cost` @ x is smallest; None when the solver finds no optimum
        (the caller then treats the cell as one no programme has answered)."""
        self._highs.changeColsCost(self.n, self._all, np.asarray(cost, dtype=float))
        self._highs.run()
        if self._highs.getModelStatus() != self._optimal:
            return None
        return np.asarray(self._highs.getSolution().col_value, dtype=float)


_FIRST = threading.Lock()
_STARTED = False


def _new_highs() -> "highspy.Highs":
    """A HiGHS instance. The first one a process makes writes HiGHS's name, version and
    licence line to the process's standard output, beneath Python's `sys.stdout` and before
    any option can silence it; a command's output may be a CSV or JSON file another program
    reads, so that first one is made with file descriptor 1 pointed at nothing for the
    moment it takes."""
    import highspy  # loaded when a build audits (0.4 s of every command otherwise)

    global _STARTED
    with _FIRST:
        if _STARTED:
            return highspy.Highs()
        sys.stdout.flush()
        kept = os.dup(1)
        nothing = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(nothing, 1)
            highs = highspy.Highs()
        finally:
            os.dup2(kept, 1)
            os.close(kept)
            os.close(nothing)
        _STARTED = True
        return highs


class _Seen:
    """The smallest and largest value each hidden cell took at the points of the polytope
    seen so far (the true figures are one such point)."""

    def __init__(self, truth: np.ndarray) -> None:
        known = ~np.isnan(truth)  # a figure that does not exist is no point of its own
        self.lo = np.where(known, truth, np.inf)
        self.hi = np.where(known, truth, -np.inf)

    def record(self, values: np.ndarray) -> None:
        np.minimum(self.lo, values, out=self.lo)
        np.maximum(self.hi, values, out=self.hi)

    def free(self, i: int) -> None:
        """Mark a cell shown free by other means (an earlier audit, a step)."""
        self.lo[i], self.hi[i] = -np.inf, np.inf

    def is_free(self, i: int) -> bool:
        return bool(self.hi[i] - self.lo[i] >= PIN)


def _link_matrix(links) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The relations as sparse rows (row, column, coefficient), one row per link."""
    r, k, v = [], [], []
    for row, (plus, minus) in enumerate(links):
        r.extend([row] * (len(plus) + len(minus)))
        k.extend(plus)
        k.extend(minus)
        v.extend([1.0] * len(plus))
        v.extend([-1.0] * len(minus))
    return (np.array(r, dtype=np.int64), np.array(k, dtype=np.int64), np.array(v, dtype=float))


def _interior_point(rows, rhs: np.ndarray, n: int) -> np.ndarray | None:
    """A point inside the attacker's polytope: every quarterly count that can be above zero
    is above zero there. An interior-point solve with no objective, stopped before crossover
    (which would move it to a corner), ends in the relative interior; None if it fails."""
    from scipy.optimize import linprog  # loaded when a build audits (0.4 s of every command otherwise)

    res = linprog(np.zeros(n), A_eq=rows, b_eq=rhs, bounds=(0, None), method="highs-ipm",
                  options={"presolve": False, "run_crossover": "off"})
    return res.x if res.status == 0 and res.x is not None else None


def _stepped(rows, rhs: np.ndarray, inside: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """Which cells (rows of `windows`) a step each way from `inside` moves by PIN or more.

    Each cell's direction is its window projected onto the moves that keep every equality
    and every count held at zero where it is: only the counts above zero at `inside` move,
    and the projection removes the window's part in the equalities' row space (through
    their sparse Gram matrix, `_row_solver`). The step stops short of any count reaching
    zero. Both points are checked against the equalities and the bounds before they free a
    cell, so a poor direction only leaves the cell to the exact programmes."""
    from scipy.sparse import coo_matrix  # loaded when a build audits (0.4 s of every command otherwise)

    out = np.zeros(len(windows), dtype=bool)
    movable = np.flatnonzero(inside > INSIDE)
    sub = rows.tocsc()[:, movable].tocsr()
    sub = sub[np.flatnonzero(np.diff(sub.indptr))]
    if not len(movable) or not sub.shape[0]:
        return out
    solve = _row_solver(sub)
    if solve is None:
        return out
    off = np.abs(rows @ inside - rhs).max(initial=0.0)  # the point's own rounding
    column = np.full(len(inside), -1)
    column[movable] = np.arange(len(movable))
    for first in range(0, len(windows), CHUNK):
        part = windows[first:first + CHUNK]
        cols = column[part]
        which = np.repeat(np.arange(len(part)), part.shape[1]).reshape(part.shape)
        ok = cols >= 0
        e = coo_matrix((np.ones(int(ok.sum())), (cols[ok], which[ok])),
                       shape=(len(movable), len(part))).tocsc()
        d = e.toarray() - np.asarray(sub.T @ solve((sub @ e).toarray()))
        rate = np.asarray(e.multiply(d).sum(axis=0)).ravel()
        out[first:first + len(part)] = _steps_reach(sub, inside[movable], d, rate, off)
    return out


def _row_solver(sub):
    """A solver for the Gram system of a sparse matrix's rows, G y = b with G = A A^T, so
    that A^T y is the part of A^T-space a direction must lose to keep A d = 0.

    G is sparse but singular when equalities repeat one another, so it is factorised with a
    tiny ridge and the answer refined a few times (each pass shrinks the ridge's error by
    the ridge over the eigenvalue). None when the factorisation fails."""
    from scipy.sparse import identity  # loaded when a build audits (0.4 s of every command otherwise)
    from scipy.sparse.linalg import splu

    gram = (sub @ sub.T).tocsc()
    ridge = RIDGE * max(float(gram.diagonal().max(initial=0.0)), 1.0)
    try:
        lu = splu((gram + ridge * identity(gram.shape[0], format="csc")).tocsc(),
                  permc_spec="MMD_AT_PLUS_A")  # G is symmetric: least fill-in
    except RuntimeError:
        return None

    def solve(b: np.ndarray) -> np.ndarray:
        y = lu.solve(b)
        for _ in range(REFINE):
            y += lu.solve(b - gram @ y)
        return y

    return solve


def _steps_reach(sub, x: np.ndarray, d: np.ndarray, rate: np.ndarray, off: float) -> np.ndarray:
    """For cells with directions `d` (columns over the movable counts `x`), whether
    stepping up and down gives two valid points PIN or more apart in the cell: no count
    below zero, every equality kept (the direction's own residual times the step, on top of
    the starting point's)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where(d < 0, x[:, None] / -d, np.inf).min(axis=0, initial=np.inf)
        down = np.where(d > 0, x[:, None] / d, np.inf).min(axis=0, initial=np.inf)
        cap = np.where(rate > RATE_FLOOR, PIN / rate, 0.0)
    s_up = np.minimum(STEP * up, cap)
    s_down = np.minimum(STEP * down, cap)
    lowest = np.minimum((x[:, None] + d * s_up).min(axis=0, initial=np.inf),
                        (x[:, None] - d * s_down).min(axis=0, initial=np.inf))
    drift = np.abs(sub @ d).max(axis=0, initial=0.0) * np.maximum(s_up, s_down)
    spread = rate * (s_up + s_down)
    return ((rate > RATE_FLOOR) & (lowest >= -BOUND_TOL) & (off + drift <= EQUAL_TOL)
            & (spread >= PIN + EQUAL_TOL))


class _Table:
    """A block's published figures as a table of groups by quarters (the last quarter of
    each window; -1 where a group has no figure), to ask where relations add up."""

    def __init__(self, groups, quarters: list[int], group_of: np.ndarray, quarter_of: np.ndarray,
                 pos: np.ndarray, values: np.ndarray) -> None:
        self.row = {g: i for i, g in enumerate(groups)}
        self.quarters = quarters
        self.pos = np.full((len(groups), len(quarters)), -1, dtype=np.int64)
        self.pos[group_of, quarter_of] = pos
        self.value = np.where(self.pos >= 0, values[np.maximum(self.pos, 0)], 0.0)

    def periods(self, group) -> int:
        """How many periods the group has a figure in."""
        return int((self.pos[self.row[group]] >= 0).sum())

    def periods_adding_up(self, members, total) -> list[int]:
        """The periods (last quarters, oldest first) in which the members add up to the
        total exactly (a member without a figure counts nothing; an unknown one spoils it)."""
        t = self.row[total]
        sums = self.value[[self.row[m] for m in members]].sum(axis=0)
        ok = ((self.pos[t] >= 0) & ~np.isnan(self.value[t]) & ~np.isnan(sums)
              & (np.abs(sums - self.value[t]) <= 1e-9))
        return [self.quarters[i] for i in np.flatnonzero(ok)]
