"""Every federal indicator statement returns exactly the engine's analysis-row columns and
types, also on an empty store."""

from __future__ import annotations

import polars as pl
import pytest

from federal_fixtures import COLUMNS, analysis, base_store

FEDERAL = ["P1", "P2", "P3", "P4", "P5", "S1", "S2", "E1"]


@pytest.mark.parametrize("indicator", FEDERAL)
def test_empty_store_gives_no_rows_in_the_row_shape(tmp_path, indicator):
    rows = analysis(base_store(tmp_path), indicator, "2024-01-01", "2024-12-31")
    assert rows.height == 0
    assert rows.columns == COLUMNS
    assert rows.dtypes == [pl.String] * 7 + [pl.Float64] * 2
