"""An indicator over consecutive periods (quarters or fiscal years), for trend charts.

Each period is computed exactly as a single period would be; periods whose follow-up is
not complete by the as-of date are kept but flagged, so a chart can leave them out and
say so.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from cqi_core.storage.store import Store
from cqi_core.storage.facts import as_of_date
from cqi_core.indicators.engine import compute, plus_months

GRAINS = {"quarter": 3, "year": 12}


def consecutive_periods(first: date, last: date, grain: str = "quarter",
                        fiscal_start_month: int = 10) -> list[tuple[date, date]]:
    """Whole quarters (calendar) or fiscal years (starting October) inside [first, last]."""
    months = GRAINS[grain]
    if grain == "year":
        start = date(first.year, fiscal_start_month, 1)
    else:
        start = date(first.year, (first.month - 1) // 3 * 3 + 1, 1)
    while start < first:
        start = plus_months(start, months)
    out = []
    while True:
        end = plus_months(start, months) - timedelta(days=1)
        if end > last:
            return out
        out.append((start, end))
        start = plus_months(start, months)


def indicator_series(store: Store, indicator_id: str, grain: str = "quarter",
                     group_by: str = "all", group_value: str = "all",
                     years: int = 6, as_of: date | None = None) -> pl.DataFrame:
    """One row per consecutive period for one indicator and group.

    Returns:
        The engine's output columns for the chosen group, one row per period (periods
        with no rows for the group have numerator and denominator 0).
    """
    as_of = as_of or as_of_date(store)
    if as_of is None:
        return pl.DataFrame()
    first = date(as_of.year - years, as_of.month, 1)
    rows = []
    for start, end in consecutive_periods(first, as_of, grain):
        r = compute(store, start, end, by=[] if group_by == "all" else [group_by],
                    indicators=[indicator_id], as_of=as_of)
        r = r.filter((pl.col("group_by") == group_by) & (pl.col("group_value") == group_value))
        if r.height:
            rows.append(r)
        else:
            rows.append(pl.DataFrame({"indicator_id": [indicator_id], "period_start": [start],
                                      "period_end": [end], "group_by": [group_by],
                                      "group_value": [group_value], "numerator": [0.0],
                                      "denominator": [0.0], "value": [None], "ci_low": [None],
                                      "ci_high": [None], "followup_complete": [False]},
                                     schema_overrides={"value": pl.Float64, "ci_low": pl.Float64,
                                                       "ci_high": pl.Float64}))
    return pl.concat(rows, how="vertical_relaxed") if rows else pl.DataFrame()
