"""Small-cell suppression: what a public audience may see of a table of counts.

DOMAIN.md section 5 sets the practice. Primary suppression masks every count from 1 to the
threshold (10 by default; zero is shown). Every value computed from a masked count in the
same row (rate, percentage, interval, z-score, flag) is masked with it. Complementary
suppression then makes sure no masked cell can be worked out by subtraction: in every
additive relation (cells that add up to a total, the total included) either nothing is
masked or at least two members are. When only one is, the smallest non-zero unmasked cell is
masked too (the total only when no cell is left), and the check repeats until every
relation holds, so hierarchies (units within regions within the agency) are covered.

A relation is given as a `Margin`: rows sharing the `by` values add up to the row the
`total` expression marks; with no total row, the relation's total is taken to be published
elsewhere (a pooled target, an agency figure on another page), so its cells alone must never
hold exactly one masked cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import polars as pl

from cqi_core.errors import CQIError
from cqi_core.privacy.viewer import Viewer, load_policy

SUPPRESSED = "suppressed"
"""The column that says a row had something masked."""


@dataclass(frozen=True)
class Margin:
    """One family of additive relations in a table."""

    by: tuple[str, ...] = ()
    """Columns whose values pick out one relation (empty: the whole table is one)."""
    total: pl.Expr | None = field(default=None, compare=False)
    """Marks each relation's total row; None when the total is published elsewhere."""


Relation = tuple[list[int], int | None]
"""Row positions of the cells, and of their total (None: total published elsewhere)."""


def suppress(frame: pl.DataFrame, counts: Sequence[str], derived: Sequence[str] = (),
             margins: Sequence[Margin] = (), threshold: int | None = None,
             relations: Sequence[Relation] = ()) -> pl.DataFrame:
    """Mask small counts and everything that would reveal them.

    Args:
        frame: the table.
        counts: count columns (primary suppression applies to each).
        derived: columns computed from the row's counts; masked when any count is.
        margins: additive relations for complementary suppression (see `Margin`).
        threshold: counts from 1 to this are masked (default: `audiences.yaml`).
        relations: further relations as row positions, for shapes a Margin cannot say.

    Returns:
        The frame with masked cells empty (null) and a boolean `suppressed` column.
    """
    threshold = load_policy().threshold if threshold is None else threshold
    missing = [c for c in [*counts, *derived] if c not in frame.columns]
    if missing:
        raise CQIError(f"Cannot suppress: the table has no column {missing[0]!r}.")
    rels = [*_relations(frame, margins), *relations]
    masks = {}
    for col in counts:
        values = frame[col].cast(pl.Float64).to_numpy()
        # A count already empty is hidden too: it counts as masked in its relations, and
        # what is computed from it goes with it.
        small = (values >= 1) & (values <= threshold)
        masks[col] = complement(values, small | np.isnan(values), rels)
    row = np.zeros(frame.height, dtype=bool)
    for m in masks.values():
        row |= m
    out = frame.with_columns(
        *[pl.when(pl.Series(masks[c])).then(None).otherwise(pl.col(c)).alias(c) for c in counts],
        *[pl.when(pl.Series(row)).then(None).otherwise(pl.col(c)).alias(c) for c in derived])
    if SUPPRESSED in out.columns:  # a second pass keeps what the first one masked
        row |= out[SUPPRESSED].fill_null(False).to_numpy()
    return out.with_columns(pl.Series(SUPPRESSED, row, dtype=pl.Boolean))


def release(frame: pl.DataFrame, viewer: Viewer, counts: Sequence[str], derived: Sequence[str] = (),
            margins: Sequence[Margin] = (), approved_text: bool = False,
            relations: Sequence[Relation] = ()) -> pl.DataFrame:
    """What `viewer` may see of an aggregate table.

    Analysts and supervisors get the frame unchanged. Public audiences get it without
    identifier columns, without free text (unless `approved_text`, for frames that passed
    `qualitative.text_for_audience`), and suppressed (`suppress`).
    """
    if not viewer.public:
        return frame
    policy = load_policy()
    drop = [c for c in frame.columns if c in policy.identifier_columns
            or (not approved_text and c in policy.text_columns)]
    kept = frame.drop(drop)
    counts = [c for c in counts if c in kept.columns]
    derived = [c for c in derived if c in kept.columns]
    return suppress(kept, counts, derived, margins, policy.threshold, relations)


_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen", "twenty")


_FEW_PEOPLE = re.compile(
    r"(?<![\w.,])(?:10|[1-9]|" + "|".join(_WORDS[1:11]) + r")\s+(?=(?:children|child|young "
    r"people|young person|youth|kids|babies|girls|boys|families|family|parents|cases|case|"
    r"reviews|people|persons|workers|caseworkers|reports|responses)\b)", re.IGNORECASE)


def few_people(text: str, threshold: int) -> str:
    """Staff text with a small number of people ("4 children", "two families") said as
    "fewer than threshold + 1": the safety net under every staff-written text a public
    audience reads once approved (a deck's takeaway, a cycle's aim), in case it gives one
    away by mistake."""
    return _FEW_PEOPLE.sub(f"fewer than {threshold + 1} ", text)


def suppression_words() -> str:
    """The suppression rule in one plain sentence (numbers in words, so a page that states
    the rule never shows a small count in digits)."""
    t = load_policy().threshold
    n = _WORDS[t] if t < len(_WORDS) else f"{t:,}"
    return (f"To protect the privacy of children and families, counts from one to {n} are "
            "hidden, along with any rate or figure that would let someone work them out.")


def _relations(frame: pl.DataFrame, margins: Sequence[Margin]) -> list[Relation]:
    rels: list[Relation] = []
    if frame.is_empty():
        return rels
    for m in margins:
        marked = frame.select(
            pl.int_range(pl.len()).alias("_pos"),
            *[pl.col(c).cast(pl.String).fill_null("\x00").alias(f"_by{i}") for i, c in enumerate(m.by)],
            (m.total if m.total is not None else pl.lit(False)).fill_null(False).alias("_total"))
        keys = [f"_by{i}" for i in range(len(m.by))]
        groups = marked.group_by(keys, maintain_order=True) if keys else [((), marked)]
        for _, g in groups:
            totals = g.filter(pl.col("_total"))["_pos"].to_list()
            if len(totals) > 1:
                raise CQIError(f"Cannot suppress: a relation has {len(totals)} total rows.")
            cells = g.filter(~pl.col("_total"))["_pos"].to_list()
            rels.append((cells, totals[0] if totals else None))
    return rels


def complement(values: np.ndarray, masked: np.ndarray, rels: Sequence[Relation]) -> np.ndarray:
    """Extend `masked` until no relation has exactly one masked member (complementary
    suppression on one count column; the publication runs it over all its periods).

    Relations are visited in order, pass after pass, until a pass adds nothing; each
    relation's count of masked members is kept up to date as cells are masked, so a pass
    jumps from one relation with a single masked member to the next."""
    masked = masked.copy()
    if not rels:
        return masked
    sizes = np.fromiter((len(cells) + (total is not None) for cells, total in rels),
                        dtype=np.int64, count=len(rels))
    members = np.fromiter((p for cells, total in rels
                           for p in (cells if total is None else (*cells, total))),
                          dtype=np.int64, count=int(sizes.sum()))
    owner = np.repeat(np.arange(len(rels)), sizes)
    hidden = np.bincount(owner, weights=masked[members], minlength=len(rels)).astype(np.int64)
    order = np.argsort(members, kind="stable")
    by_cell, owners = members[order], owner[order]  # each cell's relations, cell by cell
    changed = True
    while changed:
        changed = False
        at = 0
        while True:
            lone = np.flatnonzero(hidden[at:] == 1)
            if not len(lone):
                break
            at += int(lone[0])
            cells, total = rels[at]
            pick = _partner(values, masked, cells, total)
            if pick is not None:
                masked[pick] = True
                first, last = np.searchsorted(by_cell, [pick, pick + 1])
                np.add.at(hidden, owners[first:last], 1)
                changed = True
            at += 1
    return masked


def _partner(values: np.ndarray, masked: np.ndarray, cells: list[int], total: int | None):
    """The cell to mask beside a lone masked one: the smallest non-zero, then the total,
    then a zero."""
    open_cells = [p for p in cells if not masked[p] and not np.isnan(values[p])]
    nonzero = sorted((values[p], p) for p in open_cells if values[p] > 0)
    if nonzero:
        return nonzero[0][1]
    if total is not None and not masked[total] and not np.isnan(values[total]):
        return total
    return open_cells[0] if open_cells else None
