"""Suppression for the shapes the core releases most: indicator rows.

Indicator output (INDICATORS.md) holds, for each indicator and period, the agency row
(`group_by = 'all'`) and one block of rows per grouping; each block adds up to the agency
row, and the units of a region add up to that region's row. Those are the relations
complementary suppression protects.
"""

from __future__ import annotations

import polars as pl

from cqi_core.privacy.suppression import Relation, release
from cqi_core.privacy.viewer import Viewer
from cqi_core.storage.store import Store

INDICATOR_COUNTS = ("numerator", "denominator")
INDICATOR_DERIVED = ("value", "ci_low", "ci_high")
_BLOCK = ("indicator_id", "period_start", "period_end")


def release_indicator_rows(frame: pl.DataFrame, viewer: Viewer, store: Store,
                           derived: tuple[str, ...] = ()) -> pl.DataFrame:
    """Indicator rows (the engine's output shape) as `viewer` may see them.

    Args:
        frame: rows with indicator_id, period_start, period_end, group_by, group_value,
            numerator, denominator, value, ci_low, ci_high (extra columns are kept).
        viewer: whom the rows are for (only a public viewer changes anything).
        store: the database the rows came from (its units' regions are relations too).
        derived: further columns computed from the row's counts (e.g. a change).
    """
    if not viewer.public or frame.is_empty():
        return frame
    block = [c for c in _BLOCK if c in frame.columns]
    return release(frame, viewer, INDICATOR_COUNTS, [*INDICATOR_DERIVED, *derived],
                   relations=indicator_relations(frame, unit_regions(store), block))


def indicator_relations(frame: pl.DataFrame, unit_region: dict[str, str],
                        block: list[str] | None = None) -> list[Relation]:
    """The additive relations of indicator rows: each grouping within its agency row, and
    each region's units within the region's row."""
    block = list(_BLOCK) if block is None else block
    pos = frame.select(*block, "group_by", "group_value").with_row_index("_pos")
    rels: list[Relation] = []
    groups = pos.group_by(block, maintain_order=True) if block else [((), pos)]
    for _, g in groups:
        everyone = g.filter(pl.col("group_by") == "all")["_pos"].to_list()
        total = everyone[0] if everyone else None
        for (by,), cells in g.filter(pl.col("group_by") != "all").group_by(
                ["group_by"], maintain_order=True):
            rels.append((cells["_pos"].to_list(), total))
        # A region's units add up to the region's figure, published here or on another
        # page, so each region's units are a relation of their own.
        regions = dict(zip(*g.filter(pl.col("group_by") == "region")
                           .select("group_value", "_pos").get_columns()))
        by_region: dict[str, list[int]] = {}
        for unit, p in g.filter(pl.col("group_by") == "unit").select("group_value", "_pos").iter_rows():
            if unit in unit_region:
                by_region.setdefault(unit_region[unit], []).append(p)
        rels.extend((cells, regions.get(r)) for r, cells in by_region.items())
    return rels


def masked_as_released(frame: pl.DataFrame, viewer: Viewer, released: pl.DataFrame, key: str,
                       released_key: str = "group_value",
                       counts: tuple[str, ...] = INDICATOR_COUNTS) -> pl.DataFrame:
    """Hide in `frame` exactly the counts the engine's release hid for the same groups.

    A page that computes from full figures (a funnel needs every unit, a ratio its
    reference) must mask the same cells as every other page showing those figures: two
    different masking patterns of one table, put side by side, would give hidden cells
    away. Pass the result through `release` afterwards for the derived columns and any
    relation of its own.

    Args:
        frame: the page's table, one row per group, with the count columns.
        viewer: whom the table is for (only a public viewer changes anything).
        released: the engine's output for the same indicator, period and grouping, released
            for the same viewer.
        key: the column of `frame` naming the group; `released_key` the same in `released`.
    """
    if not viewer.public:
        return frame
    hidden = {c: released.filter(pl.col(c).is_null())[released_key].to_list()
              for c in counts if c in released.columns}
    return frame.with_columns(
        pl.when(pl.col(key).is_in(hidden[c])).then(None).otherwise(pl.col(c)).alias(c)
        for c in counts if c in frame.columns and c in hidden)


def unit_regions(store: Store) -> dict[str, str]:
    """Each unit's region (empty for a database without units yet)."""
    try:
        return dict(store.query("SELECT unit_id, region FROM units").iter_rows())
    except Exception:  # a database without units yet: no region relations to add
        return {}
