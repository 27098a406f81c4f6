"""A period checked against the data's as-of date, with hand-worked dates: refused when it
starts after the as-of date, clipped (with a note) when it only ends after it, unchanged
otherwise; and the checked entry points of the indicator engine."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date

import pytest

import cqi_core
from cqi_core.errors import CQIError, PeriodRefused
from cqi_core.periods import PeriodCheck, check_period

AS_OF = date(2026, 6, 30)


# --------------------------------------------------------------------------- the rule


def test_a_period_wholly_after_the_as_of_date_is_refused_with_a_message_saying_what_to_do():
    with pytest.raises(PeriodRefused) as err:
        check_period(date(2030, 1, 1), date(2030, 12, 31), AS_OF)
    assert str(err.value) == ("The period 2030-01-01 to 2030-12-31 starts after the data's "
                              "as-of date 2026-06-30; choose a period that ends on or before it.")
    assert isinstance(err.value, CQIError)   # pages and the command line show it as any other


def test_a_period_starting_the_day_after_the_as_of_date_is_refused():
    with pytest.raises(PeriodRefused):
        check_period(date(2026, 7, 1), date(2026, 7, 31), AS_OF)


def test_a_period_straddling_the_as_of_date_is_clipped_to_end_on_it_with_a_note():
    check = check_period(date(2026, 1, 1), date(2026, 12, 31), AS_OF)
    assert check == PeriodCheck(date(2026, 1, 1), date(2026, 6, 30), True,
                                "The period was clipped to end on the as-of date 2026-06-30.")


def test_a_period_starting_on_the_as_of_date_keeps_that_one_day():
    check = check_period(date(2026, 6, 30), date(2026, 9, 30), AS_OF)
    assert (check.start, check.end, check.clipped) == (date(2026, 6, 30), date(2026, 6, 30), True)


def test_a_period_ending_exactly_on_the_as_of_date_is_unchanged_and_has_no_note():
    check = check_period(date(2025, 7, 1), date(2026, 6, 30), AS_OF)
    assert check == PeriodCheck(date(2025, 7, 1), date(2026, 6, 30), False, None)


def test_a_period_before_the_data_is_unchanged():
    # Long before any record: nothing to clip, and the figures are honestly empty.
    check = check_period(date(1990, 1, 1), date(1990, 12, 31), AS_OF)
    assert check == PeriodCheck(date(1990, 1, 1), date(1990, 12, 31), False, None)


def test_without_an_as_of_date_nothing_is_changed():
    check = check_period(date(2030, 1, 1), date(2030, 12, 31), None)
    assert check == PeriodCheck(date(2030, 1, 1), date(2030, 12, 31), False, None)


def test_a_period_that_ends_before_it_starts_is_refused_as_the_engine_refuses_it():
    with pytest.raises(CQIError, match=r"The period ends \(2025-12-31\) before it starts "
                                       r"\(2026-01-01\)\.") as err:
        check_period(date(2026, 1, 1), date(2025, 12, 31), AS_OF)
    assert not isinstance(err.value, PeriodRefused)


def test_the_check_is_frozen():
    check = check_period(date(2026, 1, 1), date(2026, 12, 31), AS_OF)
    with pytest.raises(FrozenInstanceError):
        check.end = date(2026, 12, 31)


def test_the_checked_entry_points_are_public():
    for name in ("checked_period", "compute_checked", "PeriodCheck", "PeriodRefused"):
        assert name in cqi_core.__all__


# --------------------------------------------------------------------------- against a store


@pytest.fixture
def store(sample_db_copy):
    s = cqi_core.open_store(sample_db_copy)
    s.cursor().execute("INSERT OR REPLACE INTO settings VALUES ('as_of_date', '2026-06-30')")
    yield s
    s.close()


def test_checked_period_reads_the_stores_as_of_date_through_a_handle(store):
    viewer = cqi_core.Viewer("stakeholder", "test", (), "test")
    check = cqi_core.checked_period(cqi_core.Handle(store, viewer), date(2026, 1, 1),
                                    date(2026, 12, 31))
    assert (check.end, check.clipped) == (AS_OF, True)
    with pytest.raises(PeriodRefused, match="2026-06-30"):
        cqi_core.checked_period(store, date(2030, 1, 1), date(2030, 12, 31))


def test_compute_checked_gives_computes_figures_for_a_valid_period(store):
    start, end = date(2025, 7, 1), date(2026, 6, 30)
    frame, check = cqi_core.compute_checked(store, start, end, by=["region"],
                                            indicators=["V1", "P1"])
    assert check == PeriodCheck(start, end, False, None)
    assert frame.equals(cqi_core.compute(store, start, end, by=["region"],
                                         indicators=["V1", "P1"]))


def test_compute_checked_computes_the_clipped_period(store):
    frame, check = cqi_core.compute_checked(store, date(2026, 1, 1), date(2026, 12, 31),
                                            indicators=["V1"])
    assert check.clipped and check.note
    assert set(frame["period_end"].to_list()) == {AS_OF}
    assert frame.equals(cqi_core.compute(store, date(2026, 1, 1), AS_OF, indicators=["V1"]))


def test_compute_checked_refuses_a_period_after_the_as_of_date(store):
    with pytest.raises(PeriodRefused):
        cqi_core.compute_checked(store, date(2030, 1, 1), date(2030, 12, 31), indicators=["V1"])


def test_an_empty_store_leaves_the_period_as_asked(tmp_path):
    s = cqi_core.open_store(tmp_path / "empty.duckdb")
    try:
        check = cqi_core.checked_period(s, date(2030, 1, 1), date(2030, 12, 31))
    finally:
        s.close()
    assert check == PeriodCheck(date(2030, 1, 1), date(2030, 12, 31), False, None)
