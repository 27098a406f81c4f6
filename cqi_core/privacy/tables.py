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
    return grouping_relations(frame, list(_BLOCK) if block is None else block, unit_region,
                              total="all")


def grouping_relations(frame: pl.DataFrame, block: list[str], unit_region: dict[str, str],
                       total: str | None) -> list[Relation]:
    """Relations of rows in blocks (one block per value of the `block` columns, in the
    order blocks first appear): in each block, each grouping's rows (`group_by`, in the
    order they first appear) add up to the block's `total` row (group_by = total; None: a
    total published elsewhere), then each region's unit rows (in the order the regions
    first appear among them) add up to the block's row for that region, if any. A region's
    units add up to the region's figure, published here or on another page, so each
    region's units are a relation of their own."""
    pos = frame.select(*block, "group_by", "group_value").with_row_index("_pos")
    if block:  # each block numbered in the order it first appears
        keys = pos.select(block).unique(maintain_order=True).with_row_index("_b")
        pos = pos.join(keys, on=block, how="left", nulls_equal=True, maintain_order="left")
    else:
        pos = pos.with_columns(pl.lit(0, pl.UInt32).alias("_b"))
    members = pos if total is None else pos.filter(pl.col("group_by") != total)
    groupings = (members.group_by("_b", "group_by", maintain_order=True)
                 .agg(pl.col("_pos").alias("cells")).drop("group_by"))
    if total is None:
        groupings = groupings.with_columns(pl.lit(None, pl.UInt32).alias("total"))
    else:
        totals = (pos.filter(pl.col("group_by") == total).group_by("_b")
                  .agg(pl.col("_pos").first().alias("total")))
        groupings = groupings.join(totals, on="_b", how="left", maintain_order="left")
    regions = (pos.filter(pl.col("group_by") == "region")
               .group_by("_b", "group_value").agg(pl.col("_pos").last().alias("total"))
               .rename({"group_value": "_region"}))
    units = (pos.filter((pl.col("group_by") == "unit")
                        & pl.col("group_value").is_in(list(unit_region)))
             .with_columns(pl.col("group_value").replace_strict(unit_region, return_dtype=pl.String)
                           .alias("_region"))
             .group_by("_b", "_region", maintain_order=True).agg(pl.col("_pos").alias("cells"))
             .join(regions, on=["_b", "_region"], how="left", nulls_equal=True,
                   maintain_order="left").drop("_region"))
    both = pl.concat([groupings.with_columns(pl.lit(0).alias("_kind")),
                      units.with_columns(pl.lit(1).alias("_kind"))], how="diagonal_relaxed")
    both = both.sort("_b", "_kind", maintain_order=True)
    return [(cells, None if t is None else int(t))
            for cells, t in zip(both["cells"].to_list(), both["total"].to_list())]


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
