"""The scorecard: each indicator's latest complete period against its standard.

"Complete" is per indicator: a measure whose events can still happen for up to 12 months
after the period (P1, P4, S2, and P2/P3 after the period's start) takes the latest
12-month period whose follow-up has ended by the as-of date; the others take the latest
12 months that end on a month end on or before it. The previous period is the 12 months
before. The period, the value, the change and the verdict against the standard come from
`latest.latest_figures`, as on every page that shows a latest figure; the standard is
judged on the 95% interval (meets, does not meet yet, can't tell yet).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from cqi_core.indicators.catalog import load_catalog
from cqi_core.indicators.display import (TOO_FEW, change_verdict_words, format_change,
                                         format_value, how_to_read, verdict_words)
from cqi_core.indicators.latest import latest_figures
# The period rules live in cqi_core.periods; these names stay importable from here.
from cqi_core.periods import latest_complete_period, month_end_on_or_before, period_ending  # noqa: F401
from cqi_core.privacy import Handle, full
from cqi_core.storage.facts import as_of_date
from cqi_core.storage.store import Store

UNIT_LABELS = {"percent": "%", "per_1000_days": "per 1,000 days",
               "per_100000_days": "per 100,000 days", "per_1000_children": "per 1,000 children",
               "ratio": "ratio", "per_100_caseworkers": "per 100 caseworkers"}


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

    Returns:
        One row per measure, in catalog order. `verdict` is meets, does not meet or can't
        tell yet (None without a standard or a figure); `meets_standard` is True or False
        only when the whole 95% interval is on one side of the standard.
    """
    # Figures come from `latest_figures` (through `compute`, which releases them for the
    # handle's viewer); the catalog and the as-of date are the same for everyone.
    as_of = as_of or as_of_date(full(store))
    if as_of is None:
        return pl.DataFrame()
    catalog = load_catalog(full(store))
    group = ("unit", unit) if unit else ("region", region) if region else ("all", "all")
    figures = latest_figures(store, [group], as_of=as_of, months=months)
    rows = []
    for iid in catalog.ids:
        f = figures.get((iid, *group))
        entry = catalog.entry(iid)
        if f is None or (measure_types and entry.measure_type not in measure_types):
            continue
        hidden = HIDDEN if f.suppressed else TOO_FEW if f.too_small else None
        rows.append({
            "indicator_id": iid, "name": entry.name, "measure_type": entry.measure_type,
            "direction": entry.direction, "period_start": f.period_start,
            "period_end": f.period_end, "numerator": f.numerator, "denominator": f.denominator,
            "value": f.value, "ci_low": f.ci_low, "ci_high": f.ci_high,
            "standard": entry.standard, "national": entry.national, "verdict": f.verdict,
            "meets_standard": {"meets": True, "does not meet": False}.get(f.verdict),
            "status": verdict_words(f.verdict, entry, f.suppressed, f.too_small),
            "previous_value": f.previous_value, "change": f.change,
            "change_verdict": f.change_verdict,
            "value_text": hidden or format_value(entry, f.value, short=True),
            "unit_text": UNIT_LABELS.get(entry.unit, ""),
            "interval_text": (f"{format_value(entry, f.ci_low, True)} to "
                              f"{format_value(entry, f.ci_high, True)}"
                              if f.ci_low is not None else "—"),
            "standard_text": (format_value(entry, entry.standard, True)
                              if entry.standard is not None else "none set"),
            "national_text": (format_value(entry, entry.national, True)
                              if entry.national is not None else "—"),
            "change_text": (f"{format_change(entry, f.change)} "
                            f"({change_verdict_words(f.change_verdict)})"),
            "how_to_read": how_to_read(entry),
        })
    return pl.DataFrame(rows, infer_schema_length=None)
