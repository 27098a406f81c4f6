"""Which period the scorecard shows for each kind of follow-up (hand-worked dates)."""

from datetime import date

from cqi_core.indicators.scorecard import latest_complete_period, month_end_on_or_before, period_ending


def test_month_end_on_or_before():
    assert month_end_on_or_before(date(2026, 9, 30)) == date(2026, 9, 30)
    assert month_end_on_or_before(date(2026, 9, 29)) == date(2026, 8, 31)
    assert month_end_on_or_before(date(2024, 3, 1)) == date(2024, 2, 29)


def test_period_ending_is_twelve_whole_months():
    assert period_ending(date(2025, 9, 30)) == (date(2024, 10, 1), date(2025, 9, 30))
    assert period_ending(date(2024, 2, 29)) == (date(2023, 3, 1), date(2024, 2, 29))


def test_latest_complete_period_waits_for_follow_up():
    as_of = date(2026, 9, 30)
    # no follow-up: the 12 months ending on the as-of date
    assert latest_complete_period("end", as_of) == (date(2025, 10, 1), date(2026, 9, 30))
    # end + 12 months must be <= as-of: the period ending 2025-09-30 (follow-up to 2026-09-30)
    assert latest_complete_period("end_plus_12", as_of) == (date(2024, 10, 1), date(2025, 9, 30))
    # start + 12 months <= as-of: starting 2025-09-01 gives 2026-09-01; starting 2025-10-01
    # would give 2026-10-01, one day too late
    assert latest_complete_period("start_plus_12", as_of) == (date(2025, 9, 1), date(2026, 8, 31))
    # an as-of date inside a month uses the month before
    assert latest_complete_period("end", date(2026, 9, 29)) == (date(2025, 9, 1), date(2026, 8, 31))
