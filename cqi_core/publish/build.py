"""Building the public publication: every public figure of one data version, suppressed
together, stored once (METHODS.md: suppression and the publication).

The grid is the 12 months ending on each of the last `QUARTERS` quarter ends up to the
as-of date: what the public pages show (the scorecard's and the youth view's latest
complete 12 months and the year before, the presentation's quarterly trend, the funnel and
disparities of one period). Fiscal years are the windows ending 30 September, so they are in
the grid. For each period: every indicator by every grouping, and every theme by source
type, unit, region and group.

Suppression runs over all of it at once:

1. primary: counts from 1 to the threshold are hidden, and for a proportion the numerator
   is hidden too when denominator − numerator is from 1 to the threshold (those who did not
   reach the outcome are a count like any other);
2. complementary, in every period: each grouping adds up to the agency, units to their
   region, and theme groupings to one total, so no relation is left with a single hidden
   member (`privacy.complement`);
3. time: overlapping periods are sums of quarters, so a linear-programming attacker tries
   every hidden 12-month figure against the other periods and the hierarchy
   (`publish.audit`); a pinned one gets a partner hidden beside it, and steps 2 and 3
   repeat until nothing is pinned.

Every rate, percentage and interval of a row with a hidden count is hidden with it.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

import numpy as np
import polars as pl

from cqi_core.analysis.qualitative.coding import THEME_GROUPINGS, coded_excerpts
from cqi_core.analysis.qualitative.sources import excerpts
from cqi_core.indicators.engine import compute_series, load_config
from cqi_core.ingest.load import import_files
from cqi_core.periods import month_end, plus_months
from cqi_core.privacy import Handle
from cqi_core.privacy import (ALL_TEXT, INDICATOR_COUNTS, INDICATOR_DERIVED, PublicationInfo,
                              complement, full, grouping_relations, indicator_relations,
                              load_policy, publication, unit_regions, window_start)
from cqi_core.publish.audit import Cell, Model
from cqi_core.storage.facts import as_of_date, content_version
from cqi_core.storage.store import Store
from cqi_core.storage.statements import transaction

QUARTERS = 16
"""Quarter ends in the grid: four years of quarterly 12-month figures, enough for the
presentation's three-year trend of a measure whose latest complete year ends a year ago."""
THEME_COUNTS = ("excerpts", "sources")

ROUNDS = 8
"""At most this many rounds of complementary and time suppression (each round only adds)."""
AUDITORS = max(1, min(4, os.cpu_count() or 1))
"""Blocks audited at once (threads; the linear programmes run outside the interpreter lock)."""
SEED = 20240601
"""Seed of the audit's shared random passes (a build is reproducible)."""

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class _Block:
    """One measure's cells of one count column across every period and group."""

    key: tuple[str, str]
    """(indicator or theme code, count column)."""
    cells: list[Cell]
    """Its cells."""


def grid(as_of: date, first_day: date | None, quarters: int = QUARTERS) -> list[date]:
    """Quarter ends of the published periods, oldest first: the last `quarters` quarter ends
    on or before `as_of` whose 12 months start on or after the first day with data."""
    q_end = month_end(date(as_of.year, ((as_of.month - 1) // 3) * 3 + 3, 1))
    if q_end > as_of:
        q_end = month_end(plus_months(date(q_end.year, q_end.month, 1), -3))
    ends = []
    while len(ends) < quarters:
        if first_day is not None and window_start(q_end) < first_day:
            break
        ends.append(q_end)
        q_end = month_end(plus_months(date(q_end.year, q_end.month, 1), -3))
    return sorted(ends)


def build_publication(store: Store | Handle, progress: Progress | None = None,
                      quarters: int = QUARTERS) -> PublicationInfo | None:
    """Build and store the publication of the store's current data (replacing any other).

    Args:
        store: the database, open for writing.
        progress: called with a message and a fraction from 0 to 1.
        quarters: quarter ends in the grid.

    Returns:
        What was published, or None when the store holds no data.
    """
    began = time.perf_counter()
    say = progress or (lambda message, fraction: None)
    store = full(store)  # the publication is built from full figures, whoever asks
    as_of = as_of_date(store)
    if as_of is None:
        return None
    first = store.scalar("SELECT min(removal_date) FROM episodes")
    ends = grid(as_of, first, quarters)
    if not ends:
        return None
    # Every period of the grid in one set-based pass per indicator (`compute_series`: exactly
    # the figures `compute` gives each period).
    indicators = [compute_series(
        store, [(window_start(end), end) for end in ends],
        progress=lambda message, fraction: say(
            f"{message}, for the {len(ends)} periods to {ends[-1]:%d %b %Y}", 0.6 * fraction))]
    say("counting themes in every period", 0.65)
    theme_frames = theme_counts(store, ends)
    say("hiding small numbers across every period and group", 0.75)
    regions = unit_regions(store)
    ind = suppress_indicators(with_zeros(pl.concat(indicators), "indicator_id",
                                         INDICATOR_COUNTS), regions)
    thm = suppress_themes(with_zeros(pl.concat(theme_frames, how="vertical_relaxed"), "code",
                                     THEME_COUNTS), regions) \
        if theme_frames else pl.DataFrame()
    say("saving the publication", 0.95)
    version = content_version(store)
    _save(store, version, ends, ind, thm, time.perf_counter() - began)
    say("published", 1.0)
    return publication(store)


def with_zeros(frame: pl.DataFrame, id_col: str, counts) -> pl.DataFrame:
    """Every group of a grouping in every period, a group with nothing counted as zeros.

    A group missing from one period is known to be zero to anyone who has seen it in
    another, so it is published as a zero row: the suppression then sees the same relations
    as a reader does (a missing row would be a zero the audit cannot see)."""
    groups = frame.select(id_col, "group_by", "group_value").unique()
    periods = frame.select("period_start", "period_end").unique()
    spine = groups.join(periods, how="cross")
    keys = [id_col, "group_by", "group_value", "period_start", "period_end"]
    missing = spine.join(frame.select(keys), on=keys, how="anti")
    if missing.is_empty():
        return frame
    filled = missing.with_columns(*[pl.lit(0, dtype=frame.schema[c]).alias(c) for c in counts])
    if "followup_complete" in frame.columns:  # as every row of its period says
        done = frame.group_by(id_col, "period_end").agg(pl.col("followup_complete").first())
        filled = filled.join(done, on=[id_col, "period_end"], how="left")
    return pl.concat([frame, filled], how="diagonal_relaxed")


def theme_counts(store: Store, ends: list[date]) -> list[pl.DataFrame]:
    """Every theme's excerpts and sources, and every group's count of all excerpts and
    sources (code `ALL_TEXT`), by each theme grouping, for each period of the grid. The text
    and its codes are read once for the whole grid and counted per period, as `themes`
    counts one period."""
    first, last = window_start(ends[0]), ends[-1]
    coded = coded_excerpts(store, first, last)
    text = excerpts(store, first, last)
    out = []
    for end in ends:
        start = window_start(end)
        c = coded.filter(pl.col("date").is_between(start, end))
        t = text.filter(pl.col("date").is_between(start, end))
        for by, column in THEME_GROUPINGS.items():
            themed = _count(c, column, ["code"])
            every = _count(t, column, []).with_columns(pl.lit(ALL_TEXT).alias("code"))
            out.append(pl.concat([themed, every], how="diagonal_relaxed").with_columns(
                pl.lit(by).alias("group_by"), pl.lit(start).alias("period_start"),
                pl.lit(end).alias("period_end")))
    return out


def _count(frame: pl.DataFrame, column: str, keys: list[str]) -> pl.DataFrame:
    """Distinct excerpts and sources per group (and `keys`), groups with no value 'unknown'."""
    return (frame.with_columns(pl.col(column).cast(pl.String).fill_null("unknown")
                               .alias("group_value"))
            .group_by(*keys, "group_value")
            .agg(pl.col("excerpt_id").n_unique().cast(pl.Int64).alias("excerpts"),
                 pl.struct("source_type", "source_id").n_unique().cast(pl.Int64).alias("sources"))
            .sort(*keys, "group_value"))


def suppress_indicators(frame: pl.DataFrame, unit_region: dict[str, str],
                        threshold: int | None = None) -> pl.DataFrame:
    """The indicator rows of every period with small cells and their partners hidden."""
    threshold = load_policy().threshold if threshold is None else threshold
    frame = frame.with_row_index("_pos")
    rels = indicator_relations(frame.drop("_pos"), unit_region)
    values = {c: frame[c].cast(pl.Float64).to_numpy().copy() for c in INDICATOR_COUNTS}
    masks = {c: _primary(values[c], threshold) for c in INDICATOR_COUNTS}
    kinds = {i: load_config()[i.split(".")[0]].kind for i in frame["indicator_id"].unique()}
    proportion = frame["indicator_id"].replace_strict(kinds, default=None).to_numpy() == "proportion"
    rest = values["denominator"] - values["numerator"]
    masks["numerator"] |= proportion & (rest >= 1) & (rest <= threshold)
    blocks = _blocks(frame, "indicator_id", INDICATOR_COUNTS)
    structure = _structures(frame, rels)
    _protect(values, masks, rels, blocks, structure)
    return _apply(frame, masks, INDICATOR_COUNTS, INDICATOR_DERIVED)


def suppress_themes(frame: pl.DataFrame, unit_region: dict[str, str],
                    threshold: int | None = None) -> pl.DataFrame:
    """The theme counts of every period with small cells and their partners hidden."""
    threshold = load_policy().threshold if threshold is None else threshold
    frame = frame.with_row_index("_pos")
    rels = _theme_relations(frame, unit_region)
    values = {c: frame[c].cast(pl.Float64).to_numpy().copy() for c in THEME_COUNTS}
    masks = {c: _primary(values[c], threshold) for c in THEME_COUNTS}
    blocks = _blocks(frame, "code", THEME_COUNTS)
    structure = _structures(frame, rels)
    _protect(values, masks, rels, blocks, structure)
    return _apply(frame, masks, THEME_COUNTS, ())


def _primary(values: np.ndarray, threshold: int) -> np.ndarray:
    return ((values >= 1) & (values <= threshold)) | np.isnan(values)


def _theme_relations(frame: pl.DataFrame, unit_region: dict[str, str]):
    """Per code and period: each grouping adds up to one total (every excerpt has one source
    type, one group, one region or 'unknown'), and a region's units to the region."""
    return grouping_relations(frame, ["code", "period_end"], unit_region, total=None)


def _blocks(frame: pl.DataFrame, id_col: str, counts) -> list[_Block]:
    quarter = (pl.col("period_end").dt.year() * 4 + (pl.col("period_end").dt.month() - 1) // 3)
    rows = frame.select(id_col, "group_by", "group_value", "_pos", quarter.alias("_q"))
    out = []
    for (ident,), g in rows.group_by([id_col], maintain_order=True):
        cells = [Cell(p, (b, v), q) for b, v, p, q in
                 g.select("group_by", "group_value", "_pos", "_q").iter_rows()]
        out.extend(_Block((ident, c), cells) for c in counts)
    return out


def _structures(frame: pl.DataFrame, rels) -> list:
    """The relations as group structures (member groups, total group), once each: the same
    structure repeats in every period, and the time audit states it quarter by quarter."""
    group = dict(zip(frame["_pos"].to_list(),
                     zip(frame["group_by"].to_list(), frame["group_value"].to_list())))
    seen, out = set(), []
    for cells, total in rels:
        s = (tuple(sorted(group[c] for c in cells)), group[total] if total is not None else None)
        if s not in seen:
            seen.add(s)
            out.append((list(s[0]), s[1]))
    return out


def _protect(values: dict, masks: dict, rels, blocks: list[_Block], structure) -> None:
    """Complementary and time suppression until neither adds a cell (masks change in place).

    Each block's attacker model is built once, and a block is audited again only when its
    hidden cells changed since the last audit. The blocks of one round are audited side by
    side (`AUDITORS` threads: the solver releases the interpreter while it works); a block's
    cells and the partners chosen for them are its own, so the order the audits finish in
    changes nothing, and partners are added in block order once all have finished."""
    models: dict[tuple[str, str], Model] = {}
    audited: dict[tuple[str, str], bytes] = {}
    with ThreadPoolExecutor(max_workers=AUDITORS) as pool:
        for _ in range(ROUNDS):
            for col in masks:
                masks[col] = complement(values[col], masks[col], rels)
            due = []
            for number, block in enumerate(blocks):
                col = block.key[1]
                positions = np.fromiter((c.pos for c in block.cells), dtype=np.int64)
                state = masks[col][positions].tobytes()
                if audited.get(block.key) == state or not masks[col][positions].any():
                    continue
                audited[block.key] = state
                if block.key not in models:
                    models[block.key] = Model(block.cells, structure, values[col])
                due.append((number, block))
            found = pool.map(lambda job: _audit(models[job[1].key], masks[job[1].key[1]], job[0]),
                             due)
            added = False
            for (_, block), pins in zip(due, list(found)):
                col = block.key[1]
                for pos in pins:
                    partner = _time_partner(block, pos, values[col], masks[col])
                    if partner is not None:
                        masks[col][partner] = True
                        added = True
            if not added:
                return


def _audit(model: Model, masked: np.ndarray, number: int) -> list[int]:
    """The hidden cells of one block that the published figures pin (none when its
    figures are not sums over quarters). Its randomness is its own, seeded by its place."""
    if not model.feasible():
        return []
    return model.pinned(masked, np.random.default_rng([SEED, number]))


def _time_partner(block: _Block, pos: int, values: np.ndarray, masked: np.ndarray) -> int | None:
    """Beside a pinned hidden cell: the same group's smallest non-zero figure in a period
    that overlaps it, else any open figure of the group that overlaps it, else (the group's
    neighbours in time all hidden: the hierarchy pins it) the smallest non-zero figure of
    the same grouping in the same period, else (that grouping all hidden too) an open
    figure of another grouping in the same period, such as the region's total."""
    cell = next(c for c in block.cells if c.pos == pos)
    near = [c for c in block.cells if c.group == cell.group and c.pos != pos
            and abs(c.quarter - cell.quarter) <= 3 and not masked[c.pos]
            and not np.isnan(values[c.pos])]
    if not near:
        near = [c for c in block.cells if c.group[0] == cell.group[0] and c.pos != pos
                and c.quarter == cell.quarter and not masked[c.pos]
                and not np.isnan(values[c.pos]) and values[c.pos] > 0]
    if not near:
        # Its whole grouping is hidden in that period, so the totals above it pin it (a
        # region showing 0 pins every hidden unit in it at 0): hide a total of that period.
        near = [c for c in block.cells if c.group[0] != cell.group[0]
                and c.quarter == cell.quarter and not masked[c.pos]
                and not np.isnan(values[c.pos])]
    if not near:
        return None
    nonzero = sorted((values[c.pos], c.pos) for c in near if values[c.pos] > 0)
    return nonzero[0][1] if nonzero else near[0].pos


def _apply(frame: pl.DataFrame, masks: dict, counts, derived) -> pl.DataFrame:
    row = np.zeros(frame.height, dtype=bool)
    for m in masks.values():
        row |= m
    return frame.drop("_pos").with_columns(
        *[pl.when(pl.Series(masks[c])).then(None).otherwise(pl.col(c)).alias(c) for c in counts],
        *[pl.when(pl.Series(row)).then(None).otherwise(pl.col(c)).alias(c) for c in derived],
        pl.Series("suppressed", row, dtype=pl.Boolean))


def _save(store: Store, version: str, ends: list[date], ind: pl.DataFrame, thm: pl.DataFrame,
          seconds: float) -> None:
    counts = [*[ind[c] for c in INDICATOR_COUNTS], *([thm[c] for c in THEME_COUNTS] if thm.height else [])]
    cells = sum(len(c) for c in counts)
    masked = sum(c.null_count() for c in counts)
    ind = ind.with_columns(pl.lit(version).alias("data_version"))
    with store.writing() as cur:  # a shared database: on a copy swapped in at the end
        with transaction(cur):
            for table in ("publication_runs", "publication_indicators", "publication_themes"):
                cur.execute(f"DELETE FROM {table}")
            cur.register("_ind", ind.to_arrow())
            cur.execute("INSERT INTO publication_indicators BY NAME SELECT * FROM _ind")
            if thm.height:
                cur.register("_thm", thm.with_columns(pl.lit(version).alias("data_version")).to_arrow())
                cur.execute("INSERT INTO publication_themes BY NAME SELECT * FROM _thm")
            cur.execute("INSERT INTO publication_runs VALUES ($v, $t, $e, $c, $m, $s)",
                        {"v": version, "t": datetime.now(), "e": ",".join(e.isoformat() for e in ends),
                         "c": cells, "m": masked, "s": seconds})


def import_and_publish(store: Store | Handle, paths, progress: Progress | None = None, **options):
    """Import files (`ingest.import_files`, same options) and, when the batch lands, build
    the publication of the new data, so no public figure of the old data outlives it.

    Returns:
        The import's result.
    """
    return import_then(store, paths, lambda s, say: build_publication(
        s, progress=lambda m, f: say(f"Publishing the public figures: {m}", f)), 0.6,
        progress, **options)


def import_then(store: Store | Handle, paths, build: Callable[[Store, Progress], object],
                share: float, progress: Progress | None = None, **options):
    """Import files and, when the batch lands (not a dry run), run `build(store, progress)`
    on the new data; the import takes the first `share` of the progress bar."""
    say = progress or (lambda message, fraction: None)
    store = full(store)
    result = import_files(store, paths, progress=lambda m, f: say(m, share * f), **options)
    if result.outcome == "landed" and not options.get("dry_run"):
        build(store, lambda m, f: say(m, share + (1 - share) * f))
    return result
