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
window whose range is narrower than one is pinned, and the caller hides another cell.
Blocks whose published figures are not sums of quarters at all (a cohort counted on one
day, an average headcount) are left to the per-period relations: no such sum exists there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

PIN = 0.5
"""A hidden count whose possible values span less than this is taken as worked out."""


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
        present = set(groups)
        by_group_q = {(c.group, c.quarter): c.pos for c in cells}
        for members, total in relations:
            members = [m for m in members if m in present]
            if not members or (total is not None and total not in present):
                continue
            if total is not None and not _adds_up(members, total, by_group_q, values):
                # Not in every period, so not quarter by quarter; but in each period where
                # the figures do add up, an attacker may use that period's windows.
                for q in _periods_adding_up(members, total, by_group_q, values):
                    window = range(q - 3, q + 1)
                    self.links.append(([self.var[(m, s)] for m in members for s in window],
                                       [self.var[(total, s)] for s in window]))
                continue
            if total is None:  # the total is a figure of its own: a latent series
                # Relations that each cover a whole grouping (a theme by source type, by
                # unit, by region, by group) all add up to the same total: one latent
                # series, so the attacker may set one grouping against another.
                whole = {g for g in present if g[0] == members[0][0]} == set(members)
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

    def _window(self, c: Cell) -> list[int]:
        return [self.var[(c.group, q)] for q in range(c.quarter - 3, c.quarter + 1)]

    def equalities(self, values: np.ndarray, masked: np.ndarray):
        r, k, v, rhs = [], [], [], []
        row = 0
        for c in self.cells:
            if masked[c.pos] or np.isnan(values[c.pos]):
                continue
            for j in self._window(c):
                r.append(row), k.append(j), v.append(1.0)
            rhs.append(float(values[c.pos]))
            row += 1
        for plus, minus in self.links:
            for j in plus:
                r.append(row), k.append(j), v.append(1.0)
            for j in minus:
                r.append(row), k.append(j), v.append(-1.0)
            rhs.append(0.0)
            row += 1
        return coo_matrix((v, (r, k)), shape=(row, self.n)).tocsr(), np.array(rhs)

    def feasible(self) -> bool:
        """Whether every figure of the block (at its true value) is a sum over quarters at
        all: if not, the block has no such relation to exploit. The answer does not depend
        on what is hidden, so it is asked once."""
        if self._feasible is None:
            rows, rhs = self.equalities(self.values, np.zeros(len(self.values), dtype=bool))
            res = linprog(np.zeros(self.n), A_eq=rows, b_eq=rhs, bounds=(0, None),
                          method="highs")
            self._feasible = res.status == 0
        return self._feasible

    def pinned(self, masked: np.ndarray, rng: np.random.Generator | None = None) -> list[int]:
        """Positions of this block's hidden cells that the published ones pin."""
        hidden = [c for c in self.cells if masked[c.pos]]
        if not hidden:
            return []
        rng = rng or np.random.default_rng(0)
        rows, rhs = self.equalities(self.values, masked)
        truth = {c.pos: float(self.values[c.pos]) for c in hidden}
        open_ = {c.pos: c for c in hidden}
        # Shared passes first: one programme moves many hidden cells at once, and any cell
        # that moves is not pinned; only the cells no pass moved are asked one by one.
        weights = [np.ones(len(hidden)), -np.ones(len(hidden))]
        weights += [rng.choice([-1.0, 1.0], len(hidden)) for _ in range(2)]
        index = {c.pos: k for k, c in enumerate(hidden)}
        for w in weights:
            if not open_:
                break
            x = self.solve(rows, rhs, {pos: w[index[pos]] for pos in open_})
            if x is None:
                return []
            for pos, c in list(open_.items()):
                if abs(self.cell_value(x, c) - truth[pos]) >= PIN:
                    del open_[pos]
        out = []
        for pos, c in open_.items():
            hi = self.solve(rows, rhs, {pos: 1.0})
            lo = self.solve(rows, rhs, {pos: -1.0})
            if hi is None or lo is None:
                continue
            if self.cell_value(hi, c) - self.cell_value(lo, c) < PIN:
                out.append(pos)
        return out

    def solve(self, rows, rhs, weights: dict[int, float]):
        """Maximise the weighted sum of the named hidden cells; None if the solver fails."""
        c = np.zeros(self.n)
        cell_of = {cell.pos: cell for cell in self.cells}
        for pos, w in weights.items():
            for j in self._window(cell_of[pos]):
                c[j] -= w  # linprog minimises
        res = linprog(c, A_eq=rows, b_eq=rhs, bounds=(0, None), method="highs")
        return res.x if res.status == 0 else None

    def cell_value(self, x: np.ndarray, c: Cell) -> float:
        return float(sum(x[j] for j in self._window(c)))


def _adds_up(members, total, by_group_q, values: np.ndarray) -> bool:
    """Whether the members add up to the total in every published period (so the
    relation holds quarter by quarter too)."""
    quarters = {q for (g, q) in by_group_q if g == total}
    return len(_periods_adding_up(members, total, by_group_q, values)) == len(quarters)


def _periods_adding_up(members, total, by_group_q, values: np.ndarray) -> list[int]:
    """The periods (last quarters) in which the members add up to the total exactly."""
    out = []
    for q in sorted({q for (g, q) in by_group_q if g == total}):
        parts = [by_group_q.get((m, q)) for m in members]
        t = values[by_group_q[(total, q)]]
        s = sum(values[p] for p in parts if p is not None)
        if not (np.isnan(t) or np.isnan(s) or abs(s - t) > 1e-9):
            out.append(q)
    return out
