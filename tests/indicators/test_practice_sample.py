"""The practice indicators on the sample agency: the SQL files agree, group by group, with
the plain Python implementation in `practice_reference.py`; the analysis rows have the
engine's columns with NULL where a grouping is not allowed; and the 12-month values sit
where the generator aims (visits about 94%, residence about 70%, caseload about 8) and show
its planted changes (U012's visits drop from March 2025; U007 carries far larger caseloads).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import polars as pl
import pytest

from cqi_core.indicators import analysis_rows, compute, load_config
from cqi_core.storage.store import open_store

from practice_reference import REFERENCE, load

PRACTICE = ["V1", "V2", "T1", "D1", "W1", "W2", "Q1", "Q2", "F1"]
PERIODS = [(date(2024, 10, 1), date(2025, 9, 30)),   # a federal-style 12-month period
           (date(2021, 2, 28), date(2021, 5, 31)),   # a short, odd period
           (date(2024, 2, 29), date(2025, 2, 28))]   # starts on a leap day
YEAR = PERIODS[0]
GROUP = ("indicator_id", "unit_id", "region", "age_group", "sex", "race_ethnicity",
         "source_group")
ROW_COLUMNS = [*GROUP, "numerator", "denominator"]
_COLUMN_OF = {"unit": "unit_id", "region": "region", "age_group": "age_group", "sex": "sex",
              "race_ethnicity": "race_ethnicity", "source_group": "source_group"}


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
    return {k: tuple(v) for k, v in out.items()}


@pytest.mark.parametrize("period", PERIODS, ids=["fy2025", "odd", "leap"])
@pytest.mark.parametrize("indicator", PRACTICE)
def test_sql_agrees_with_the_plain_reference_group_by_group(sample, indicator, period):
    store, tables = sample
    sql_rows = analysis_rows(store, indicator, *period).to_dicts()
    ref_rows = REFERENCE[indicator](tables, *period)
    assert sql_rows, "the sample should give rows for every practice indicator"
    assert _by_group(sql_rows) == _by_group(ref_rows)


@pytest.mark.parametrize("indicator", PRACTICE)
def test_analysis_rows_have_the_engine_columns_and_null_where_no_grouping(sample, indicator):
    store, _ = sample
    rows = analysis_rows(store, indicator, *YEAR)
    assert rows.columns == ROW_COLUMNS
    assert rows.schema["numerator"] == pl.Float64 and rows.schema["denominator"] == pl.Float64
    allowed = {_COLUMN_OF[g] for g in load_config()[indicator].groupings}
    for col in set(_COLUMN_OF.values()) - allowed:
        assert rows[col].null_count() == rows.height, f"{indicator}.{col} should be NULL"
    assert rows["unit_id"].null_count() < rows.height


def test_twelve_month_values_are_plausible(sample):
    store, _ = sample
    out = compute(store, *YEAR, by=[], indicators=["V1", "V2", "T1", "D1", "W1"])
    value = dict(zip(out["indicator_id"], out["value"]))
    assert 0.92 <= value["V1"] <= 0.96
    assert 0.65 <= value["V2"] <= 0.78
    assert 0.82 <= value["T1"] <= 0.92
    assert 0.84 <= value["D1"] <= 0.92
    assert 7 <= value["W1"] <= 10


def test_planted_changes_show_in_visits_and_caseload(sample):
    store, _ = sample

    def unit_value(indicator, start, end, unit):
        out = compute(store, start, end, by=["unit"], indicators=[indicator])
        return out.filter(pl.col("group_value") == unit)["value"][0]

    # U012: about 96% of children visited each month, about 80% from March 2025 on.
    assert unit_value("V1", date(2024, 10, 1), date(2025, 2, 28), "U012") > 0.92
    assert unit_value("V1", date(2025, 4, 1), date(2025, 9, 30), "U012") < 0.86
    # U007: 2.6 times the families with 1.3 times the caseworkers → the largest caseload.
    w1 = compute(store, *YEAR, by=["unit"], indicators=["W1"]).filter(pl.col("group_by") == "unit")
    assert w1.sort("value", descending=True)["group_value"][0] == "U007"
