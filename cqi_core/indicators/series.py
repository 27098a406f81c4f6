"""An indicator over consecutive periods (quarters or fiscal years), for trend charts.

Each period is computed exactly as a single period would be; periods whose follow-up is
not complete by the as-of date are kept but flagged, so a chart can leave them out and
say so.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from cqi_core.privacy import Handle, full, published_periods, viewer_of
from cqi_core.storage.store import Store
from cqi_core.storage.facts import as_of_date
from cqi_core.indicators.engine import compute_series
# The period rule lives in cqi_core.periods; the name stays importable from here.
from cqi_core.periods import consecutive_periods  # noqa: F401

GRAINS = {"quarter": 3, "year": 12}


def indicator_series(store: Store | Handle, indicator_id: str, grain: str = "quarter",
                     group_by: str = "all", group_value: str = "all",
                     years: int = 6, as_of: date | None = None) -> pl.DataFrame:
    """One row per consecutive period for one indicator and group.

    Returns:
        The engine's output columns for the chosen group, one row per period (periods
        with no rows for the group have numerator and denominator 0).
    """
    as_of = as_of or as_of_date(full(store))
    if as_of is None:
        return pl.DataFrame()
    first = date(as_of.year - years, as_of.month, 1)
    periods = consecutive_periods(first, as_of, grain)
    if viewer_of(store).public:
        # Public figures exist only for the publication's 12-month periods: by quarter, each
        # 12 months to a quarter end; by year, those ending with the fiscal year.
        periods = [p for p in published_periods(store, "end", as_of)
                   if grain != "year" or p[1].month == 9]
    if not periods:
        return pl.DataFrame()
    # Every period in one pass (`compute_series`: exactly what `compute` gives each period,
    # released there for the handle's viewer), then the chosen group of each period.
    figures = compute_series(store, periods, by=[] if group_by == "all" else [group_by],
                             indicators=[indicator_id], as_of=as_of)
    rows = []
    for start, end in periods:
        r = figures.filter((pl.col("period_start") == start) & (pl.col("period_end") == end)
                           & (pl.col("group_by") == group_by)
                           & (pl.col("group_value") == group_value))
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
