"""The agency at a glance: headline counts on the as-of date, and children coming into and
leaving care month by month (the Agency overview page and the scorecard's headline row).

Both release through the viewer's audience: public audiences get people counts with small
cells masked, and nothing about staff, units or imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl

from cqi_core import privacy
from cqi_core.storage.facts import as_of_date, import_history
from cqi_core.storage.store import Store, table_counts
from cqi_core.storage.statements import statement

_SQL_DIR = Path(__file__).with_name("sql") / "overview"


@lru_cache(maxsize=None)
def _sql(name: str) -> str:
    return statement(_SQL_DIR, name)


@dataclass(frozen=True, eq=False)
class AgencySummary:
    """Headline figures of the agency on one as-of date (the Home page)."""

    as_of: date | None
    """The date the figures describe; None when the store holds no events."""
    children_in_care: int | None
    """Distinct children with an episode in care on as_of (removal_date <= as_of and
    discharge_date NULL or after as_of)."""
    entries_12m: int | None
    """Episodes whose removal_date is in the 12 months ending on as_of:
    as_of - 12 months < removal_date <= as_of."""
    exits_12m: int | None
    """Episodes whose discharge_date is in the same 12 months."""
    children_in_care_by_region: pl.DataFrame
    """Columns region, children: children in care on as_of by their episode unit's region."""
    n_units: int | None
    """Rows in the units table."""
    n_regions: int | None
    """Distinct regions of the units."""
    n_workers_active: int | None
    """Caseworkers employed on as_of (hire_date <= as_of, separation NULL or after as_of)."""
    last_import: dict | None
    """The newest import batch (keys batch_id, when, outcome, mode, rows_accepted,
    rows_rejected; counts are 0 when not recorded), or None when nothing was imported."""
    tables: dict[str, int]
    """Rows per contract table."""
    suppressed: bool = False
    """True for a public audience: counts from 1 to the threshold are None, and the
    workforce, unit and region counts, table sizes and import details are not released."""



def agency_summary(handle: Store | privacy.Handle, as_of: date | None = None) -> AgencySummary:
    """Headline figures on `as_of` (default: `as_of_date(store)`).

    Children in care are counted on the as-of date itself: an episode discharged on as_of
    is no longer in care. Entries and exits count episodes (not children) whose removal or
    discharge date d satisfies as_of - 12 months < d <= as_of (calendar months: the 12
    months ending on as_of, so a date exactly 12 months before as_of is excluded).

    Args:
        handle: the open store, or a handle whose viewer decides what is released.
        as_of: the date to describe; default the store's as-of date.

    Returns:
        An AgencySummary; on an empty store its as_of is None and every count is 0.
    """
    store = privacy.full(handle)
    as_of = as_of or as_of_date(store)
    if as_of is None:
        counts = dict.fromkeys(("children_in_care", "entries_12m", "exits_12m", "n_units",
                                "n_regions", "n_workers_active"), 0)
        by_region = pl.DataFrame(schema={"region": pl.String, "children": pl.Int64})
    else:
        counts = store.query(_sql("agency_counts"), {"as_of": as_of}).row(0, named=True)
        by_region = store.query(_sql("in_care_by_region"), {"as_of": as_of})
    history = import_history(store, limit=1)
    last = None
    if len(history):
        b = history.row(0, named=True)
        last = {"batch_id": b["batch_id"], "when": b["started_at"], "outcome": b["outcome"],
                "mode": b["mode"], "rows_accepted": b["rows_accepted"] or 0,
                "rows_rejected": b["rows_rejected"] or 0}
    summary = AgencySummary(as_of=as_of, children_in_care_by_region=by_region, last_import=last,
                            tables=table_counts(store), **{k: int(v) for k, v in counts.items()})
    return _released(summary, privacy.viewer_of(handle))


def _released(s: AgencySummary, viewer: privacy.Viewer) -> AgencySummary:
    """The summary a public audience may see: people counts with small cells masked,
    regions' children protected against the agency total; nothing about staff or imports."""
    if not viewer.public:
        return s
    heads = privacy.release(pl.DataFrame({
        "children_in_care": [s.children_in_care], "entries_12m": [s.entries_12m],
        "exits_12m": [s.exits_12m]}), viewer, counts=["children_in_care", "entries_12m", "exits_12m"])
    by_region = privacy.release(s.children_in_care_by_region, viewer, counts=["children"],
                                margins=[privacy.Margin()])
    return AgencySummary(as_of=s.as_of, children_in_care_by_region=by_region, n_units=None,
                         n_regions=None, n_workers_active=None, last_import=None, tables={},
                         suppressed=True, **{k: heads[k][0] for k in
                                             ("children_in_care", "entries_12m", "exits_12m")})



def monthly_flow(handle: Store | privacy.Handle, start: date, as_of: date) -> pl.DataFrame:
    """Entries, exits and children in care at each month's end from `start` to `as_of`.

    The last month may be partial: it is counted up to `as_of` and its in-care figure is
    taken on `as_of` itself.

    Returns:
        Columns month (first day), entries, exits, in_care_at_end. For a public audience,
        small counts are masked; the months of one column add up to the 12-month totals
        published beside the chart, so each column is protected as one relation.
    """
    flow = privacy.full(handle).query(_sql("monthly_flow"), {"start": start, "as_of": as_of})
    return privacy.release(flow, privacy.viewer_of(handle), counts=["entries", "exits", "in_care_at_end"],
                           margins=[privacy.Margin()])
