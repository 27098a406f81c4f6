"""The scorecard: each indicator's latest complete period against its standard.

"Complete" is per indicator: a measure whose events can still happen for up to 12 months
after the period (P1, P4, S2, and P2/P3 after the period's start) takes the latest
12-month period whose follow-up has ended by the as-of date; the others take the latest
12 months that end on a month end on or before it. The previous period is the 12 months
before. Statuses are worded to support improvement, not to shame.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from cqi_core.indicators import compute, load_config
from cqi_core.indicators.catalog import load_catalog
from cqi_core.indicators.display import change_words, format_change, format_value, how_to_read, status_words
# The period rules live in cqi_core.periods; these names stay importable from here.
from cqi_core.periods import latest_complete_period, month_end_on_or_before, period_ending  # noqa: F401
from cqi_core.privacy import Handle, full, latest_period
from cqi_core.storage.store import Store

UNIT_LABELS = {"percent": "%", "per_1000_days": "per 1,000 days",
               "per_100000_days": "per 100,000 days", "per_1000_children": "per 1,000 children",
               "ratio": "ratio"}
from cqi_core.storage.facts import as_of_date


HIDDEN = "hidden to protect privacy"
"""What a figure hidden for a public audience reads as (never 'no data': there is data)."""


def build_scorecard(store: Store | Handle, unit: str | None = None, region: str | None = None,
              measure_types: list[str] | None = None, months: int = 12,
              as_of: date | None = None) -> pl.DataFrame:
    """One row per indicator: latest complete period, value, interval, standard, change.

    Args:
        unit, region: show one unit's or one region's figures instead of the agency's.
        measure_types: keep only these measure types (completion, timeliness, …).
        months: period length.
        as_of: the data's as-of date (default: the store's).
    """
    # Figures come from `compute`, which releases them for the handle's viewer; the
    # catalog and the as-of date are the same for everyone.
    as_of = as_of or as_of_date(full(store))
    if as_of is None:
        return pl.DataFrame()
    catalog = load_catalog(full(store))
    config = load_config()
    group_by, group_value = ("unit", unit) if unit else ("region", region) if region else ("all", "all")
    rows = []
    periods: dict[tuple[date, date], list[str]] = {}
    for fid, cfg in config.items():
        if group_by != "all" and group_by not in cfg.groupings:
            continue
        cur = latest_period(store, cfg.followup, as_of, months)
        prev = period_ending(cur[0] - timedelta(days=1), months)
        for p in (cur, prev):
            periods.setdefault(p, []).append(fid)
    results = {}
    for (start, end), fids in periods.items():
        r = compute(store, start, end, by=[] if group_by == "all" else [group_by],
                    indicators=fids, as_of=as_of)
        r = r.filter((pl.col("group_by") == group_by) & (pl.col("group_value") == group_value))
        for row in r.iter_rows(named=True):
            results[(row["indicator_id"], start)] = row
    for fid, cfg in config.items():
        if group_by != "all" and group_by not in cfg.groupings:
            continue
        cur = latest_period(store, cfg.followup, as_of, months)
        prev = period_ending(cur[0] - timedelta(days=1), months)
        for iid in cfg.ids:
            entry = catalog.entry(iid)
            if measure_types and entry.measure_type not in measure_types:
                continue
            now = results.get((iid, cur[0]), {})
            before = results.get((iid, prev[0]), {})
            value, old = now.get("value"), before.get("value")
            change = None if value is None or old is None else value - old
            meets = entry.meets(value)
            rows.append({
                "indicator_id": iid, "name": entry.name, "measure_type": entry.measure_type,
                "direction": entry.direction, "period_start": cur[0], "period_end": cur[1],
                "numerator": now.get("numerator"), "denominator": now.get("denominator"),
                "value": value, "ci_low": now.get("ci_low"), "ci_high": now.get("ci_high"),
                "standard": entry.standard, "national": entry.national, "meets_standard": meets,
                "status": (HIDDEN if now.get("suppressed") and value is None
                           else status_words(meets, entry)),
                "previous_value": old, "change": change,
                "value_text": (HIDDEN if now.get("suppressed") and value is None
                               else format_value(entry, value, short=True)),
                "unit_text": UNIT_LABELS.get(entry.unit, ""),
                "interval_text": (f"{format_value(entry, now.get('ci_low'), True)} to "
                                  f"{format_value(entry, now.get('ci_high'), True)}"
                                  if now.get("ci_low") is not None else "—"),
                "standard_text": format_value(entry, entry.standard, True) if entry.standard is not None else "none set",
                "national_text": format_value(entry, entry.national, True) if entry.national is not None else "—",
                "change_text": f"{format_change(entry, change)} ({change_words(entry, change)})",
                "how_to_read": how_to_read(entry),
            })
    return pl.DataFrame(rows, infer_schema_length=None)
