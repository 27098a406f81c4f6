"""Calendar arithmetic on whole arrays of days.

Every date in the generator is an int32 day number (days since 1970-01-01), so that a
million placements move through numpy at once. Month and year arithmetic follow the
indicator rules (DuckDB `d + INTERVAL n MONTH`): the day is clamped to the end of the
target month, so 2008-02-29 + 18 years = 2026-02-28.
"""

from __future__ import annotations

from datetime import date

import numpy as np

_EPOCH = date(1970, 1, 1)


def to_day(value: date | str) -> int:
    """A date (or ISO text) as a day number."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return (value - _EPOCH).days


def to_date(day: int) -> date:
    """A day number as a date."""
    return date.fromordinal(_EPOCH.toordinal() + int(day))


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12) and day of month of each day number."""
    d64 = np.asarray(days, dtype="int64").astype("datetime64[D]")
    months = d64.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d64 - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def month_index(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each day number (2019-10-15 → 597)."""
    return np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_start(index: np.ndarray) -> np.ndarray:
    """First day (day number) of each month index."""
    return np.asarray(index, dtype="int64").astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def from_ymd(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Day numbers from year, month, day; the day is clamped to the month's length."""
    mi = (np.asarray(year, dtype=np.int64) - 1970) * 12 + np.asarray(month, dtype=np.int64) - 1
    first = month_start(mi)
    length = month_start(mi + 1) - first
    return first + np.minimum(np.asarray(day, dtype=np.int64), length) - 1


def add_months(days: np.ndarray, n: int | np.ndarray) -> np.ndarray:
    """`d + n months` with the day clamped to the end of the month."""
    y, m, d = ymd(days)
    mi = (y - 1970) * 12 + (m - 1) + np.asarray(n, dtype=np.int64)
    return from_ymd(mi // 12 + 1970, mi % 12 + 1, d)


def add_years(days: np.ndarray, n: int | np.ndarray) -> np.ndarray:
    """`d + n years` (29 February → 28 February in common years)."""
    return add_months(days, np.asarray(n, dtype=np.int64) * 12)


def seasonal_days(rng: np.random.Generator, n: int, start: int, end: int,
                  month_weight: list[float], annual_trend: float = 0.0) -> np.ndarray:
    """`n` day numbers in [start, end] with the given relative volume per calendar month.

    Sampling is by inverse CDF over the daily weights, so any `n` costs one search.
    """
    days = np.arange(start, end + 1, dtype=np.int64)
    _, month, _ = ymd(days)
    weight = np.asarray(month_weight, dtype=float)[month - 1]
    weight = weight * (1.0 + annual_trend) ** ((days - start) / 365.25)
    cdf = np.cumsum(weight)
    pick = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
    return days[np.minimum(pick, len(days) - 1)]
