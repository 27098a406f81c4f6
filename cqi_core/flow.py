"""Children coming into and leaving care, month by month (the Home page's context chart)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from . import audience
from .store import Store

_SQL = (Path(__file__).with_name("sql") / "flow" / "monthly_flow.sql").read_text(encoding="utf-8")


def monthly_flow(store: Store, start: date, as_of: date) -> pl.DataFrame:
    """Entries, exits and children in care at each month's end from `start` to `as_of`.

    The last month may be partial: it is counted up to `as_of` and its in-care figure is
    taken on `as_of` itself.

    Returns:
        Columns month (first day), entries, exits, in_care_at_end. For a public audience,
        small counts are masked; the months of one column add up to the 12-month totals
        published beside the chart, so each column is protected as one relation.
    """
    flow = store.query(_SQL, {"start": start, "as_of": as_of})
    return audience.release(flow, store, counts=["entries", "exits", "in_care_at_end"],
                            margins=[audience.Margin()])
