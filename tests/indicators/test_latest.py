"""The shared latest figure: the standard judged on the interval, changes tested, small
denominators not shown, and the intervals of a change from published cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cqi_core.indicators import latest
from cqi_core.indicators.catalog import load_catalog
from cqi_core.indicators.intervals import newcombe_difference, poisson_ratio

PERIOD = (date(2025, 10, 1), date(2026, 9, 30))
BEFORE = (date(2024, 10, 1), date(2025, 9, 30))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_newcombe_difference_matches_the_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873, table II, example (a): 56/70 - 48/80,
    # method 10 (hybrid score): 0.0524 to 0.3339.
    low, high = newcombe_difference(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_the_poisson_rate_ratio_is_the_exact_binomial_interval_turned_into_a_ratio():
    # 10 events against 5 over equal exposure: given 15, Clopper-Pearson for 10/15 is
    # (0.3838, 0.8818); R = p / (1 - p): 0.623 to 7.457.
    low, high = poisson_ratio(10, 1000, 5, 1000)
    assert low == pytest.approx(0.3838 / 0.6162, abs=1e-3)
    assert high == pytest.approx(0.8818 / 0.1182, abs=2e-2)
    assert poisson_ratio(0, 10, 0, 10) == (0.0, float("inf"))


@pytest.mark.parametrize("low, high, verdict", [
    (0.36, 0.50, "meets"),             # all of it at or above 35.2%
    (0.352, 0.50, "meets"),            # the standard itself meets it (not strict)
    (0.20, 0.34, "does not meet"),     # all of it below
    (0.30, 0.40, "can't tell yet"),    # reaches both sides
])
def test_the_standard_is_judged_on_the_whole_interval(catalog, low, high, verdict):
    p1 = catalog.entry("P1")           # higher is better, standard 0.352
    assert latest.standard_verdict(p1, (low + high) / 2, low, high) == verdict


def test_lower_is_better_and_strict_standards_turn_the_interval_round(catalog):
    s1 = catalog.entry("S1")           # lower is better, 9.07 per 100,000 days
    assert latest.standard_verdict(s1, 8.33, 0.21, 46.41) == "can't tell yet"
    assert latest.standard_verdict(s1, 5.0, 3.0, 9.07) == "meets"
    assert latest.standard_verdict(s1, 12.0, 9.5, 15.0) == "does not meet"
    v2 = catalog.entry("V2")           # strictly above 50%
    assert latest.standard_verdict(v2, 0.55, 0.50, 0.60) == "can't tell yet"
    assert latest.standard_verdict(v2, 0.45, 0.40, 0.50) == "does not meet"
    assert latest.standard_verdict(catalog.entry("W2"), 0.3, 0.1, 0.9) is None  # none set


def test_a_change_is_said_only_when_its_interval_leaves_out_no_change(catalog):
    p1 = catalog.entry("P1")
    # 56/70 against 48/80: Newcombe 0.052 to 0.334, all above 0: better (higher is better)
    now = {"value": 0.8, "numerator": 56, "denominator": 70}
    before = {"value": 0.6, "numerator": 48, "denominator": 80}
    verdict, low, high = latest.change_verdict(p1, now, before)
    assert verdict == "better" and round(low, 4) == 0.0524
    # the same counts, lower is better: worse
    assert latest.change_verdict(replace(p1, direction="lower"), now, before)[0] == "worse"
    # 6/10 against 5/10: the interval holds 0
    assert latest.change_verdict(p1, {"value": 0.6, "numerator": 6, "denominator": 10},
                                 {"value": 0.5, "numerator": 5, "denominator": 10})[0] \
        == "about the same"
    # a rate: U012's turnover 2 leavers over 5.5 against 1 over 5.5, ratio interval (0.10, 118)
    w2 = catalog.entry("W2")
    assert latest.change_verdict(w2, {"value": 2 / 5.5, "numerator": 2, "denominator": 5.5},
                                 {"value": 1 / 5.5, "numerator": 1, "denominator": 5.5})[0] \
        == "about the same"
    assert latest.change_verdict(p1, now, None) == (None, None, None)


def test_a_small_denominator_is_not_shown_judged_or_compared(catalog):
    p1 = catalog.entry("P1")
    assert latest.min_denominator() == 5   # trends.yaml min_denominator
    now = {"value": 0.5, "ci_low": 0.15, "ci_high": 0.85, "numerator": 2, "denominator": 4}
    before = {"value": 0.2, "numerator": 1, "denominator": 5}
    unit = latest.figure(p1, "unit", "U1", PERIOD, BEFORE, now, before)
    assert unit.too_small and unit.value is None and unit.verdict is None
    assert unit.change is None and unit.change_verdict is None
    assert unit.previous_value == 0.2        # 5 counted the year before: shown
    # the agency's figure is never too small
    agency = latest.figure(p1, "all", "all", PERIOD, BEFORE, now, before)
    assert not agency.too_small and agency.value == 0.5 and agency.verdict == "can't tell yet"
