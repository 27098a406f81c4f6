"""One figure is hidden alike on every page.

Two pages that hide different cells of the same table would, side by side, give hidden
cells away (one page's partner is the other page's shown cell). Pages that compute from
full figures therefore hide exactly what the engine's release hides for the audience.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

import cqi_core
from cqi_core import privacy as audience
from cqi_core import compare
from cqi_core.analysis import disparities

PERIOD = (date(2024, 10, 1), date(2025, 9, 30))


@pytest.fixture
def public(sample_db):
    store = cqi_core.open_store(sample_db, read_only=True)
    yield audience.bind(store, audience.Viewer("stakeholder", "t", (), "pinned"))
    store.close()


def _hidden(frame: pl.DataFrame, key: str, col: str) -> set[str]:
    return set(frame.filter(pl.col(col).is_null())[key].to_list())


@pytest.mark.parametrize("indicator", ["P1", "V1"])
def test_compare_hides_the_units_the_indicators_page_hides(public, indicator):
    engine = cqi_core.compute(public, *PERIOD, by=["unit"], indicators=[indicator]).filter(
        pl.col("group_by") == "unit")
    units = compare.units(public, indicator, *PERIOD).result.units
    for col in ("numerator", "denominator"):
        # Every cell the engine hides is hidden here too (the funnel may hide more, never less).
        assert _hidden(engine, "group_value", col) - {"unknown"} <= _hidden(units, "unit", col)
    # Whatever the funnel shows, the engine shows too, with the same figure.
    shown = units.filter(pl.col("numerator").is_not_null())
    same = engine.filter(pl.col("group_value").is_in(shown["unit"].to_list()))
    assert sorted(same["numerator"].to_list()) == sorted(shown["numerator"].to_list())


def test_a_public_funnel_is_drawn_around_the_published_agency_figure(public):
    engine = cqi_core.compute(public, *PERIOD, indicators=["P1"], by=[]).row(0, named=True)
    c = compare.units(public, "P1", *PERIOD)
    assert c.result.target == pytest.approx(engine["numerator"] / engine["denominator"])


def test_disparities_hide_the_groups_the_indicators_page_hides(public):
    engine = cqi_core.compute(public, *PERIOD, by=["race_ethnicity"], indicators=["P1"])
    table = disparities.disparities(public, "P1", *PERIOD, by="race_ethnicity")
    for col in ("numerator", "denominator"):
        assert _hidden(engine, "group_value", col) <= _hidden(table, "group_value", col)
        assert _hidden(table, "group_value", col) <= _hidden(engine, "group_value", col)
