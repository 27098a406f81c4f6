"""The federal indicators on the sample agency: the SQL files agree, group by group, with
the plain Python implementation in `federal_reference.py`, and the 12-month values sit
near the national figures the generator aims at (P1 is higher on purpose: a planted
change speeds up permanency in High Plains from July 2024)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from cqi_core.indicators import analysis_rows, compute
from cqi_core.storage.store import open_store

from federal_reference import REFERENCE, load

FEDERAL = ["P1", "P2", "P3", "P4", "P5", "S1", "S2", "E1"]
PERIODS = [(date(2024, 10, 1), date(2025, 9, 30)),   # a federal-style 12-month period
           (date(2021, 2, 28), date(2021, 5, 31)),   # a short, odd period
           (date(2024, 2, 29), date(2025, 2, 28))]   # starts on a leap day
GROUP = ("unit_id", "region", "age_group", "sex", "race_ethnicity", "source_group")


@pytest.fixture(scope="module")
def sample(sample_db):
    store = open_store(sample_db)
    yield store, load(store)
    store.close()


def _by_group(rows) -> dict:
    out = defaultdict(lambda: [0, 0.0, 0.0])
    for r in rows:
        g = out[tuple(r[c] for c in GROUP)]
        g[0] += 1
        g[1] += r["numerator"]
        g[2] += r["denominator"]
    return dict(out)


@pytest.mark.parametrize("indicator", FEDERAL)
@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p[0]}..{p[1]}")
def test_sql_agrees_with_the_plain_python_rules(sample, indicator, period):
    store, tables = sample
    sql_rows = analysis_rows(store, indicator, *period).to_dicts()
    ref_rows = REFERENCE[indicator](tables, *period)
    assert sql_rows, "the sample should give every federal indicator some rows"
    assert _by_group(sql_rows) == _by_group(ref_rows)


# Broad bounds around the national figures (P1 allows for the planted High Plains change).
PLAUSIBLE = {"P1": (0.25, 0.55), "P2": (0.30, 0.55), "P3": (0.25, 0.50), "P4": (0.02, 0.12),
             "P5": (3.0, 6.5), "S1": (4.0, 15.0), "S2": (0.05, 0.15), "E1": (1.0, 6.0)}


def test_twelve_month_values_are_near_the_national_figures(sample):
    store, _ = sample
    out = compute(store, date(2024, 10, 1), date(2025, 9, 30), by=[], indicators=FEDERAL)
    values = {r["indicator_id"]: r["value"] for r in out.iter_rows(named=True)}
    for ind, (lo, hi) in PLAUSIBLE.items():
        assert lo <= values[ind] <= hi, (ind, values[ind])
