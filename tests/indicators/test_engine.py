"""The engine's shared arithmetic: intervals, calendar helpers, groupings, follow-up."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from cqi_core.errors import CQIError
from cqi_core.indicators import engine
from cqi_core.indicators.intervals import garwood, wilson
from cqi_core.storage.store import open_store


def test_wilson_matches_hand_computed_values():
    # 8 of 10: p = 0.8, z² = 3.841459; centre = (0.8 + 0.192073) / 1.384146 = 0.716737;
    # half = 1.959964 * sqrt(0.016 + 0.009604) / 1.384146 = 0.226578 → (0.4902, 0.9433)
    low, high = wilson(np.array([8.0]), np.array([10.0]))
    assert low[0] == pytest.approx(0.4902, abs=1e-4)
    assert high[0] == pytest.approx(0.9433, abs=1e-4)
    # 0 of 20: lower bound 0, upper = z²/(n + z²) = 3.841459 / 23.841459 = 0.16113
    low, high = wilson(np.array([0.0]), np.array([20.0]))
    assert low[0] == 0 and high[0] == pytest.approx(0.16113, abs=1e-5)
    # no denominator: no interval
    low, high = wilson(np.array([0.0]), np.array([0.0]))
    assert np.isnan(low[0]) and np.isnan(high[0])


def test_garwood_matches_published_exact_poisson_limits():
    # Exact 95% limits for a Poisson count (Garwood 1936; standard tables):
    # k = 0 → (0, 3.6889); k = 5 → (1.6235, 11.6683); k = 10 → (4.7954, 18.3904)
    low, high = garwood(np.array([0.0, 5.0, 10.0]), np.array([1.0, 1.0, 1.0]))
    assert low == pytest.approx([0.0, 1.6235, 4.7954], abs=1e-4)
    assert high == pytest.approx([3.6889, 11.6683, 18.3904], abs=1e-4)
    # per 1,000 days: 5 moves over 2,000 days → 2.5 per 1,000, limits 0.81175 and 5.83415
    low, high = garwood(np.array([5.0]), np.array([2000.0]), 1000)
    assert (low[0], high[0]) == pytest.approx((0.81175, 5.83415), abs=1e-4)


def test_plus_months_clamps_to_the_end_of_the_month_like_duckdb():
    assert engine.plus_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert engine.plus_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert engine.plus_months(date(2024, 9, 30), 12) == date(2025, 9, 30)


@pytest.fixture
def cur(tmp_path):
    store = open_store(tmp_path / "m.duckdb")
    c = store.cursor()
    engine.prepare_cursor(c)
    yield c
    c.close()
    store.close()


def test_macros_count_a_29_february_birthday_on_28_february(cur):
    rows = cur.execute("""
        SELECT birthday18(DATE '2008-02-29'),
               age_years(DATE '2008-02-29', DATE '2026-02-27'),
               age_years(DATE '2008-02-29', DATE '2026-02-28'),
               age_group(DATE '2008-02-29', DATE '2026-02-27'),
               age_group(DATE '2008-02-29', DATE '2026-02-28'),
               age_group(DATE '2024-05-10', DATE '2025-05-09'),
               age_group(DATE '2024-05-10', DATE '2025-05-10'),
               plus_months(DATE '2024-02-29', 12)""").fetchall()[0]
    assert rows == (date(2026, 2, 28), 17, 18, "16-17", None, "<1", "1-5", date(2025, 2, 28))


def _fake(monkeypatch, sql: str, groupings=("unit", "region", "sex"), followup="end", **kw):
    cfg = engine.IndicatorConfig(id="FAKE", kind="proportion", interval="wilson",
                                 followup=followup, groupings=tuple(groupings), **kw)
    monkeypatch.setattr(engine, "load_config", lambda: {"FAKE": cfg})
    real = engine._sql
    monkeypatch.setattr(engine, "_sql", lambda name: sql if name == "FAKE" else real(name))


ROWS = """
SELECT * FROM (VALUES
  ('FAKE', 'U1', 'North', NULL, 'female', NULL, NULL, 1.0, 1.0),
  ('FAKE', 'U1', 'North', NULL, 'male',   NULL, NULL, 0.0, 1.0),
  ('FAKE', 'U2', 'North', NULL, 'female', NULL, NULL, 1.0, 1.0),
  ('FAKE', NULL, NULL,    NULL, 'female', NULL, NULL, 1.0, 1.0)
) AS t(indicator_id, unit_id, region, age_group, sex, race_ethnicity, source_group,
       numerator, denominator)
WHERE $start <= DATE '2030-01-01'
"""


def test_groupings_sum_rows_and_unknown_groups_still_count_in_all(monkeypatch, tmp_path):
    _fake(monkeypatch, ROWS)
    store = open_store(tmp_path / "g.duckdb")
    out = engine.compute(store, date(2024, 1, 1), date(2024, 12, 31), as_of=date(2025, 1, 1))
    got = {(r["group_by"], r["group_value"]): (r["numerator"], r["denominator"])
           for r in out.iter_rows(named=True)}
    # 4 rows: 3 successes. U1 has 1 of 2, U2 1 of 1, the row with no unit is 'unknown'.
    assert got == {("all", "all"): (3, 4), ("unit", "U1"): (1, 2), ("unit", "U2"): (1, 1),
                   ("unit", "unknown"): (1, 1), ("region", "North"): (2, 3),
                   ("region", "unknown"): (1, 1), ("sex", "female"): (3, 3),
                   ("sex", "male"): (0, 1)}
    assert out.columns == list(engine.OUTPUT_COLUMNS)
    assert out["group_by"].to_list()[0] == "all"


def test_a_grouping_the_indicator_does_not_allow_is_skipped(monkeypatch, tmp_path):
    _fake(monkeypatch, ROWS, groupings=("unit",))
    store = open_store(tmp_path / "g.duckdb")
    out = engine.compute(store, date(2024, 1, 1), date(2024, 12, 31), by=["sex", "unit"])
    assert set(out["group_by"]) == {"all", "unit"}


def test_an_empty_period_still_has_its_all_row_without_a_value(monkeypatch, tmp_path):
    _fake(monkeypatch, ROWS.replace("$start <= DATE '2030-01-01'", "$start > DATE '2030-01-01'"))
    store = open_store(tmp_path / "g.duckdb")
    out = engine.compute(store, date(2024, 1, 1), date(2024, 12, 31))
    assert out.height == 1
    row = out.row(0, named=True)
    assert (row["group_by"], row["numerator"], row["denominator"], row["value"]) == ("all", 0, 0, None)


def test_followup_is_complete_only_when_its_end_is_on_or_before_the_as_of_date(monkeypatch, tmp_path):
    _fake(monkeypatch, ROWS, followup="end_plus_12")
    store = open_store(tmp_path / "g.duckdb")
    # period 2024-01-01..2024-12-31: follow-up ends 2025-12-31
    done = engine.compute(store, date(2024, 1, 1), date(2024, 12, 31), as_of=date(2025, 12, 31))
    open_ = engine.compute(store, date(2024, 1, 1), date(2024, 12, 31), as_of=date(2025, 12, 30))
    assert done["followup_complete"].all() and not open_["followup_complete"].any()


def test_bad_requests_raise_the_projects_error(tmp_path):
    store = open_store(tmp_path / "g.duckdb")
    with pytest.raises(CQIError, match="Unknown indicator"):
        engine.compute(store, date(2024, 1, 1), date(2024, 12, 31), indicators=["P9"])
    with pytest.raises(CQIError, match="grouping"):
        engine.compute(store, date(2024, 1, 1), date(2024, 12, 31), by=["shoe_size"])
    with pytest.raises(CQIError, match="before it starts"):
        engine.compute(store, date(2024, 12, 31), date(2024, 1, 1))
