"""Period arithmetic: months, month ends, quarters, fiscal years and reporting windows.

Every date rule the core uses to cut time lives here once, so a quarter or a 12-month
window means the same thing on the scorecard, a trend chart, a review table and a slide.
Pure functions of dates (and two Polars expressions for the same rules on a column); no
store, no settings: callers pass what a setting decides (a fiscal year's first month).

Conventions: a period is a pair of dates, both days included; months are added as DuckDB
adds them (clamped to the month's last day), so 31 January plus one month is 28 or 29
February; a fiscal year is named by the calendar year it ends in (FY2025 is October 2024 to
September 2025 when it starts in October).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from cqi_core.errors import CQIError, PeriodRefused

GRAIN_MONTHS = {"month": 1, "quarter": 3, "year": 12}
"""Months in one period of each grain ("year" is a fiscal year)."""
FOLLOWUPS = ("end", "end_plus_12", "start_plus_12")
"""When an indicator's events stop counting: the period's end, or 12 months after its end
or its start."""


# --------------------------------------------------------------------------- months

def plus_months(d: date, n: int) -> date:
    """d + n calendar months, clamped to the month's last day (as DuckDB does)."""
    m = d.month - 1 + n
    year, month = d.year + m // 12, m % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def month_start(d: date) -> date:
    """The first day of d's month."""
    return date(d.year, d.month, 1)


def month_end(d: date) -> date:
    """The last day of d's month."""
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


def previous_month_end(d: date) -> date:
    """The last day of the month before d's month."""
    return month_start(d) - timedelta(days=1)


def month_end_on_or_before(d: date) -> date:
    """The last day of d's month when d is that day, else the last day of the month before."""
    return d if d == month_end(d) else previous_month_end(d)


def month_ends_before(end: date, count: int) -> list[date]:
    """`end` and the month ends before it, newest first, `count` dates in all."""
    out = [end]
    for _ in range(count - 1):
        out.append(previous_month_end(out[-1]))
    return out


# --------------------------------------------------------------------------- windows

def period_ending(end: date, months: int = 12) -> tuple[date, date]:
    """The `months`-long period ending on `end` (a month end), both days included."""
    return plus_months(end + timedelta(days=1), -months), end


def is_months_long(start: date, end: date, months: int = 12) -> bool:
    """Whether [start, end] is exactly `months` calendar months (1 Oct to 30 Sep is 12)."""
    return plus_months(start, months) - timedelta(days=1) == end


def followup_end(followup: str, start: date, end: date) -> date:
    """The day an indicator's follow-up for [start, end] ends (see FOLLOWUPS)."""
    if followup == "end_plus_12":
        return plus_months(end, 12)
    if followup == "start_plus_12":
        return plus_months(start, 12)
    if followup == "end":
        return end
    raise ValueError(f"followup must be one of {', '.join(FOLLOWUPS)}; got {followup!r}")


def latest_complete_period(followup: str, as_of: date, months: int = 12) -> tuple[date, date]:
    """The latest `months`-long period ending on a month end whose follow-up has ended."""
    end = month_end_on_or_before(as_of)
    for _ in range(48):
        start, end_ = period_ending(end, months)
        if followup_end(followup, start, end_) <= as_of:
            return start, end_
        end = previous_month_end(end)
    raise CQIError("No period with complete follow-up fits before the as-of date.")


# --------------------------------------------------------------------------- the as-of date

@dataclass(frozen=True)
class PeriodCheck:
    """A period as the data can answer it (`check_period`)."""

    start: date
    """First day (as asked)."""
    end: date
    """Last day: as asked, or the as-of date when the period ran past it."""
    clipped: bool
    """True when `end` was moved back to the as-of date."""
    note: str | None
    """What the reader must be told when the period was clipped; None otherwise."""


def check_period(start: date, end: date, as_of: date | None) -> PeriodCheck:
    """The period [start, end] limited to what data extracted on `as_of` can describe.

    Days after the as-of date have no events yet, so counting them gives figures that look
    real but are not (a whole year after it reads 0 of 8,945). A period that starts after
    the as-of date is refused; one that ends after it is clipped to end on it, with a note
    to show beside the figures. With no as-of date (an empty store) nothing is changed.

    Raises:
        CQIError: the period ends before it starts.
        PeriodRefused: the period starts after the as-of date.
    """
    if end < start:
        raise CQIError(f"The period ends ({end}) before it starts ({start}).")
    if as_of is None or end <= as_of:
        return PeriodCheck(start, end, False, None)
    if start > as_of:
        raise PeriodRefused(f"The period {start} to {end} starts after the data's as-of date "
                            f"{as_of}; choose a period that ends on or before it.")
    return PeriodCheck(start, as_of, True,
                       f"The period was clipped to end on the as-of date {as_of}.")


# --------------------------------------------------------------------------- quarters and fiscal years

def quarter_start(d: date) -> date:
    """The first day of d's calendar quarter (1 January, 1 April, 1 July or 1 October)."""
    return date(d.year, (d.month - 1) // 3 * 3 + 1, 1)


def quarter_number(d: date) -> int:
    """d's calendar quarter, 1 to 4."""
    return (d.month - 1) // 3 + 1


def fiscal_year_start(d: date, start_month: int = 10) -> date:
    """The first day of the fiscal year holding d, for a year starting in `start_month`."""
    return date(d.year if d.month >= start_month else d.year - 1, start_month, 1)


def fiscal_year(d: date, start_month: int = 10) -> int:
    """The fiscal year holding d, named by the calendar year it ends in."""
    return plus_months(fiscal_year_start(d, start_month), 11).year


def period_label(d: date, grain: str) -> str:
    """A period in words: "March 2026" or "Q1 2026"."""
    return f"{d:%B %Y}" if grain == "month" else f"Q{quarter_number(d)} {d.year}"


def consecutive_periods(first: date, last: date, grain: str = "quarter",
                        fiscal_start_month: int = 10) -> list[tuple[date, date]]:
    """Whole quarters (calendar) or fiscal years (starting October) inside [first, last]."""
    months = {"quarter": 3, "year": 12}[grain]
    if grain == "year":
        start = date(first.year, fiscal_start_month, 1)
    else:
        start = quarter_start(first)
    while start < first:
        start = plus_months(start, months)
    out = []
    while True:
        end = plus_months(start, months) - timedelta(days=1)
        if end > last:
            return out
        out.append((start, end))
        start = plus_months(start, months)


def whole_periods_to(as_of: date, grain: str, months: int) -> list[tuple[date, date]]:
    """Whole months or calendar quarters ending on or before `as_of` and starting in the
    last `months` months, oldest first."""
    if grain not in ("month", "quarter"):
        raise CQIError(f"Unknown grain {grain!r}; choose month or quarter.")
    step = GRAIN_MONTHS[grain]
    start = month_start(as_of)
    start = date(start.year, (start.month - 1) // step * step + 1, 1)
    out = []
    first = plus_months(month_start(as_of), -months)
    while start >= first:
        end = plus_months(start, step) - timedelta(days=1)
        if end <= as_of:
            out.append((start, end))
        start = plus_months(start, -step)
    return out[::-1]


# --------------------------------------------------------------------------- review periods

@dataclass(frozen=True)
class Period:
    """A labelled period: a calendar quarter or a fiscal year."""

    start: date
    """First day."""
    end: date
    """Last day (included)."""
    grain: str
    """quarter or fiscal_year."""
    label: str
    """Plain label: "Jan–Mar 2025" or "FY2025 (Oct 2024–Sep 2025)"."""


def span_label(start: date, end: date, grain: str) -> str:
    """A quarter as "Jan–Mar 2025"; a fiscal year as "FY2025 (Oct 2024–Sep 2025)"."""
    if grain == "quarter":
        return f"{start:%b}–{end:%b %Y}"
    return f"FY{end.year} ({start:%b %Y}–{end:%b %Y})"


def period_of(day: date, grain: str, fiscal_start_month: int = 10) -> Period:
    """The quarter or fiscal year that contains `day`."""
    if grain == "quarter":
        start, months = quarter_start(day), 3
    elif grain == "fiscal_year":
        start, months = fiscal_year_start(day, fiscal_start_month), 12
    else:
        raise ValueError(f"grain must be quarter or fiscal_year; got {grain!r}")
    end = plus_months(start, months) - timedelta(days=1)
    return Period(start, end, grain, span_label(start, end, grain))


def periods_between(first: date, last: date, grain: str = "fiscal_year",
                    fiscal_start_month: int = 10) -> list[Period]:
    """Every quarter or fiscal year from the one holding `first` to the one holding `last`."""
    lo = period_of(first, grain, fiscal_start_month)
    hi = period_of(last, grain, fiscal_start_month)
    spans = consecutive_periods(lo.start, hi.end, "quarter" if grain == "quarter" else "year",
                                fiscal_start_month)
    return [Period(a, b, grain, span_label(a, b, grain)) for a, b in spans]


def quarter_start_expr(column: str) -> pl.Expr:
    """The first day of each date's calendar quarter, for a date column."""
    return pl.col(column).dt.truncate("3mo")


def fiscal_year_start_expr(column: str, start_month: int = 10) -> pl.Expr:
    """The first day of each date's fiscal year, for a date column."""
    back = start_month - 1
    return (pl.col(column).dt.offset_by(f"-{back}mo").dt.truncate("1y")
            .dt.offset_by(f"{back}mo"))
