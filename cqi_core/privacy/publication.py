"""Reading the public publication: the only figures a public audience ever receives.

Suppressing each request on its own cannot protect counts: a hidden count is the
difference of two published overlapping periods. So the public figures are built once per
data version (`cqi_core.publish.build_publication`, after every import and by
`python -m cqi_core publish`) on a fixed grid of periods, suppressed across all of it
together, and stored in the database. Every public request is answered from that table;
a period or grouping outside the grid is refused, never computed afresh.

This module only reads (it sits below the indicator engine and the theme counts, which
call it for public viewers); the building is `cqi_core.publish`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Sequence

import duckdb
import polars as pl

from cqi_core.errors import CQIError
from cqi_core.periods import followup_end, latest_complete_period
from cqi_core.privacy.handle import Handle, full, viewer_of
from cqi_core.storage.facts import content_version
from cqi_core.storage.store import Store

INDICATOR_COLUMNS = ("indicator_id", "period_start", "period_end", "group_by", "group_value",
                     "numerator", "denominator", "value", "ci_low", "ci_high",
                     "followup_complete", "suppressed")
THEME_COLUMNS = ("code", "group_by", "group_value", "excerpts", "sources", "suppressed")
ALL_TEXT = "*"
"""The theme code of the rows that count every excerpt and source of a group, themed or
not (the denominator of a theme's share)."""
WINDOW_MONTHS = 12
"""Every published period is the 12 months ending on a quarter end."""


UNPUBLISHED = ("The public figures for the data loaded now have not been published yet. An "
               "analyst publishes them after each import (python -m cqi_core publish).")
"""What a public audience reads when the store's data has no publication."""


class NotPublished(CQIError):
    """A public request for figures the publication does not hold."""


@dataclass(frozen=True)
class PublicationInfo:
    """What the publication of the store's current data holds."""

    data_version: str
    """The content version it was built from (imports and edits)."""
    period_ends: tuple[date, ...]
    """The grid: each published period is the 12 months ending on one of these days."""
    cells: int
    """Count cells in the publication, hidden or not."""
    masked: int
    """Count cells hidden."""

    def periods(self) -> list[tuple[date, date]]:
        """The published periods, oldest first."""
        return [(window_start(e), e) for e in self.period_ends]


def window_start(end: date) -> date:
    """First day of the 12 months ending on `end` (a month end)."""
    return date(end.year, 1, 1) if end.month == 12 else date(end.year - 1, end.month + 1, 1)


def publication(store: Store) -> PublicationInfo | None:
    """The publication of the store's current data, or None when it has not been built
    (or was built from data that has changed since)."""
    try:
        rows = store.query(
            "SELECT data_version, period_ends, cells, masked FROM publication_runs "
            "WHERE data_version = $v ORDER BY built_at DESC LIMIT 1",
            {"v": content_version(store)})
    except duckdb.CatalogException:  # a file from before the publication existed
        return None
    if rows.is_empty():
        return None
    r = rows.row(0, named=True)
    ends = tuple(date.fromisoformat(d) for d in r["period_ends"].split(",") if d)
    return PublicationInfo(r["data_version"], ends, int(r["cells"]), int(r["masked"]))


def latest_period(handle: Store | Handle, followup: str, as_of: date,
                  months: int = 12) -> tuple[date, date]:
    """The latest period whose follow-up is complete, for the handle's viewer: for staff the
    latest complete 12 months ending on a month end (`periods.latest_complete_period`); for
    a public audience the latest such period in the publication.

    Raises:
        NotPublished: a public viewer and no published period is complete yet.
    """
    if not viewer_of(handle).public:
        return latest_complete_period(followup, as_of, months)
    return published_periods(handle, followup, as_of)[-1]


def period_ends(handle: Store | Handle, followup: str, as_of: date, count: int = 24) -> list[date]:
    """The ends of the 12-month periods a person may pick, newest first: for staff the
    latest complete one and the month ends before it; for a public audience the published
    periods with complete follow-up."""
    if viewer_of(handle).public:
        return [e for _, e in published_periods(handle, followup, as_of)][::-1][:count]
    ends = [latest_complete_period(followup, as_of)[1]]
    while len(ends) < count:
        ends.append(ends[-1].replace(day=1) - timedelta(days=1))
    return ends


def published_periods(handle: Store | Handle, followup: str, as_of: date) -> list[tuple[date, date]]:
    """The published periods whose follow-up is complete on `as_of`, oldest first.

    Raises:
        NotPublished: no publication, or none of its periods is complete yet.
    """
    info = publication(full(handle))
    if info is None:
        raise NotPublished(UNPUBLISHED)
    done = [p for p in info.periods() if followup_end(followup, *p) <= as_of]
    if not done:
        raise NotPublished("No published period has complete follow-up yet.")
    return done


def _require(store: Store, start: date, end: date) -> PublicationInfo:
    info = publication(store)
    if info is None:
        raise NotPublished(UNPUBLISHED)
    if (start, end) not in info.periods():
        shown = ", ".join(f"{s:%b %Y}–{e:%b %Y}" for s, e in info.periods()[-4:])
        raise NotPublished(
            f"Public figures are published only for the 12 months ending on each quarter "
            f"end (latest: {shown}); {start:%d %b %Y} to {end:%d %b %Y} is not one of them.")
    return info


def indicator_rows(store: Store, start: date, end: date, by: Sequence[str] | None = None,
                   indicators: Sequence[str] | None = None) -> pl.DataFrame:
    """The published indicator rows of one period, as `compute` returns them.

    Args:
        store: the database.
        start, end: a published period (the 12 months ending on a grid quarter end).
        by: groupings besides 'all' (default every grouping).
        indicators: output ids, or family ids (Q1 gives every Q1.x); default all.

    Raises:
        NotPublished: no publication for this data, or a period outside the grid.
    """
    info = _require(store, start, end)
    frame = store.query(
        f"SELECT {', '.join(INDICATOR_COLUMNS)} FROM publication_indicators "
        "WHERE data_version = $v AND period_start = $s AND period_end = $e "
        "ORDER BY rowid", {"v": info.data_version, "s": start, "e": end})
    if by is not None:
        frame = frame.filter(pl.col("group_by").is_in(["all", *by]))
    if indicators is not None:
        wanted = list(indicators)
        family = pl.col("indicator_id").str.split(".").list.first()
        frame = frame.filter(pl.col("indicator_id").is_in(wanted) | family.is_in(wanted))
    return frame


def theme_rows(store: Store, start: date, end: date, by: str) -> pl.DataFrame:
    """The published theme counts of one period by one grouping, as `themes` returns them.

    Raises:
        NotPublished: no publication for this data, or a period outside the grid.
    """
    info = _require(store, start, end)
    return store.query(
        f"SELECT {', '.join(THEME_COLUMNS)} FROM publication_themes "
        "WHERE data_version = $v AND period_start = $s AND period_end = $e AND group_by = $b "
        "ORDER BY code, group_value", {"v": info.data_version, "s": start, "e": end, "b": by})
