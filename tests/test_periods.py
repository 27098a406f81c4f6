"""Period arithmetic, with hand-computed dates: month ends, leap days, quarters, fiscal
years, 12-month windows and the follow-up rule."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from cqi_core import periods as p
from cqi_core.errors import CQIError


def test_adding_months_keeps_the_day_or_clamps_it_to_the_month_end():
    assert p.plus_months(date(2025, 1, 15), 1) == date(2025, 2, 15)
    assert p.plus_months(date(2025, 1, 31), 1) == date(2025, 2, 28)    # 2025 is not a leap year
    assert p.plus_months(date(2024, 1, 31), 1) == date(2024, 2, 29)    # 2024 is
    assert p.plus_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert p.plus_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert p.plus_months(date(2024, 2, 29), 48) == date(2028, 2, 29)
    assert p.plus_months(date(2025, 11, 30), 2) == date(2026, 1, 30)   # across a year end
    assert p.plus_months(date(2025, 1, 1), -13) == date(2023, 12, 1)
    assert p.plus_months(date(2025, 5, 31), 0) == date(2025, 5, 31)


def test_month_ends():
    assert p.month_start(date(2025, 7, 19)) == date(2025, 7, 1)
    assert p.month_end(date(2024, 2, 10)) == date(2024, 2, 29)
    assert p.month_end(date(2100, 2, 10)) == date(2100, 2, 28)         # not a leap year (÷100)
    assert p.month_end(date(2000, 2, 10)) == date(2000, 2, 29)         # a leap year (÷400)
    assert p.previous_month_end(date(2025, 3, 31)) == date(2025, 2, 28)
    assert p.previous_month_end(date(2025, 1, 1)) == date(2024, 12, 31)


def test_the_month_end_on_or_before_a_day_is_that_day_only_when_it_ends_its_month():
    assert p.month_end_on_or_before(date(2025, 9, 30)) == date(2025, 9, 30)
    assert p.month_end_on_or_before(date(2025, 9, 29)) == date(2025, 8, 31)
    assert p.month_end_on_or_before(date(2024, 2, 29)) == date(2024, 2, 29)
    assert p.month_end_on_or_before(date(2024, 3, 1)) == date(2024, 2, 29)


def test_month_ends_before_lists_newest_first():
    assert p.month_ends_before(date(2025, 3, 31), 4) == [
        date(2025, 3, 31), date(2025, 2, 28), date(2025, 1, 31), date(2024, 12, 31)]


def test_a_twelve_month_period_ending_on_a_month_end():
    assert p.period_ending(date(2025, 9, 30)) == (date(2024, 10, 1), date(2025, 9, 30))
    assert p.period_ending(date(2024, 2, 29), 3) == (date(2023, 12, 1), date(2024, 2, 29))
    assert p.period_ending(date(2025, 2, 28), 1) == (date(2025, 2, 1), date(2025, 2, 28))
    assert p.is_months_long(date(2024, 10, 1), date(2025, 9, 30))
    assert not p.is_months_long(date(2024, 10, 1), date(2025, 9, 29))
    assert p.is_months_long(date(2024, 3, 1), date(2024, 5, 31), 3)


def test_follow_up_ends_at_the_end_or_twelve_months_after_the_end_or_the_start():
    start, end = date(2024, 3, 1), date(2025, 2, 28)
    assert p.followup_end("end", start, end) == end
    assert p.followup_end("end_plus_12", start, end) == date(2026, 2, 28)
    assert p.followup_end("start_plus_12", start, end) == date(2025, 3, 1)
    with pytest.raises(ValueError):
        p.followup_end("never", start, end)


def test_the_latest_complete_period_waits_for_its_follow_up():
    as_of = date(2025, 9, 15)
    # end: the 12 months to the last month end on or before the as-of date.
    assert p.latest_complete_period("end", as_of) == (date(2024, 9, 1), date(2025, 8, 31))
    # end_plus_12: the period must have ended at least 12 months before: to 31 August 2024.
    assert p.latest_complete_period("end_plus_12", as_of) == (date(2023, 9, 1), date(2024, 8, 31))
    # start_plus_12: start + 12 months on or before 15 Sep 2025: start 1 Sep 2024.
    assert p.latest_complete_period("start_plus_12", as_of) == (date(2024, 9, 1), date(2025, 8, 31))
    assert p.latest_complete_period("end", date(2025, 9, 30), 3) == (date(2025, 7, 1), date(2025, 9, 30))


def test_quarters():
    assert p.quarter_start(date(2025, 1, 1)) == date(2025, 1, 1)
    assert p.quarter_start(date(2025, 3, 31)) == date(2025, 1, 1)
    assert p.quarter_start(date(2025, 4, 1)) == date(2025, 4, 1)
    assert p.quarter_start(date(2025, 12, 31)) == date(2025, 10, 1)
    assert [p.quarter_number(date(2025, m, 1)) for m in range(1, 13)] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    assert p.period_label(date(2026, 3, 1), "month") == "March 2026"
    assert p.period_label(date(2026, 3, 1), "quarter") == "Q1 2026"
    assert p.period_label(date(2026, 10, 1), "quarter") == "Q4 2026"


def test_fiscal_years_are_named_by_the_year_they_end_in():
    assert p.fiscal_year_start(date(2024, 10, 1)) == date(2024, 10, 1)
    assert p.fiscal_year_start(date(2025, 9, 30)) == date(2024, 10, 1)
    assert p.fiscal_year(date(2024, 10, 1)) == 2025
    assert p.fiscal_year(date(2025, 9, 30)) == 2025
    assert p.fiscal_year(date(2025, 10, 1)) == 2026
    assert p.fiscal_year_start(date(2025, 6, 30), start_month=7) == date(2024, 7, 1)
    assert p.fiscal_year(date(2025, 7, 1), start_month=7) == 2026
    assert p.fiscal_year(date(2025, 12, 31), start_month=1) == 2025   # a calendar fiscal year


def test_consecutive_quarters_and_fiscal_years_inside_a_range():
    assert p.consecutive_periods(date(2024, 2, 15), date(2024, 12, 30)) == [
        (date(2024, 4, 1), date(2024, 6, 30)), (date(2024, 7, 1), date(2024, 9, 30))]
    assert p.consecutive_periods(date(2023, 10, 1), date(2025, 9, 30), "year") == [
        (date(2023, 10, 1), date(2024, 9, 30)), (date(2024, 10, 1), date(2025, 9, 30))]
    # A fiscal year starting in July, from a first day after this year's start.
    assert p.consecutive_periods(date(2024, 8, 1), date(2026, 6, 30), "year", 7) == [
        (date(2025, 7, 1), date(2026, 6, 30))]


def test_whole_months_or_quarters_up_to_the_as_of_date():
    assert p.whole_periods_to(date(2024, 3, 31), "month", 2) == [
        (date(2024, 1, 1), date(2024, 1, 31)), (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2024, 3, 31))]
    assert p.whole_periods_to(date(2024, 3, 30), "month", 2)[-1] == (date(2024, 2, 1), date(2024, 2, 29))
    assert p.whole_periods_to(date(2025, 9, 30), "quarter", 6) == [
        (date(2025, 4, 1), date(2025, 6, 30)), (date(2025, 7, 1), date(2025, 9, 30))]
    with pytest.raises(CQIError, match="Unknown grain 'week'"):
        p.whole_periods_to(date(2025, 9, 30), "week", 3)


def test_labelled_quarters_and_fiscal_years():
    q = p.period_of(date(2025, 2, 14), "quarter")
    assert (q.start, q.end, q.label) == (date(2025, 1, 1), date(2025, 3, 31), "Jan–Mar 2025")
    fy = p.period_of(date(2024, 11, 5), "fiscal_year")
    assert (fy.start, fy.end, fy.label) == (date(2024, 10, 1), date(2025, 9, 30),
                                            "FY2025 (Oct 2024–Sep 2025)")
    assert [x.label for x in p.periods_between(date(2025, 2, 1), date(2025, 8, 1), "quarter")] == [
        "Jan–Mar 2025", "Apr–Jun 2025", "Jul–Sep 2025"]
    assert [x.label for x in p.periods_between(date(2024, 9, 30), date(2024, 10, 1))] == [
        "FY2024 (Oct 2023–Sep 2024)", "FY2025 (Oct 2024–Sep 2025)"]
    with pytest.raises(ValueError):
        p.period_of(date(2025, 1, 1), "week")


def test_the_column_rules_match_the_day_rules():
    days = [date(2024, 2, 29), date(2024, 9, 30), date(2024, 10, 1), date(2025, 1, 1),
            date(2025, 12, 31)]
    out = pl.DataFrame({"d": days}).select(
        p.quarter_start_expr("d").alias("q"), p.fiscal_year_start_expr("d").alias("fy"),
        p.fiscal_year_start_expr("d", 7).alias("fy7"))
    assert out["q"].to_list() == [p.quarter_start(d) for d in days]
    assert out["fy"].to_list() == [p.fiscal_year_start(d) for d in days]
    assert out["fy7"].to_list() == [p.fiscal_year_start(d, 7) for d in days]
    assert out["fy"].to_list() == [date(2023, 10, 1), date(2023, 10, 1), date(2024, 10, 1),
                                   date(2024, 10, 1), date(2025, 10, 1)]


def test_old_homes_still_export_the_period_helpers():
    from cqi_core import indicators
    from cqi_core.analysis import trends
    from cqi_core.indicators import scorecard, series
    assert indicators.plus_months is p.plus_months
    assert scorecard.latest_complete_period is p.latest_complete_period
    assert scorecard.month_end_on_or_before is p.month_end_on_or_before
    assert scorecard.period_ending is p.period_ending
    assert series.consecutive_periods is p.consecutive_periods
    assert trends.period_label is p.period_label
