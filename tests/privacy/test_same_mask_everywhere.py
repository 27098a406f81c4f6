"""One figure is hidden alike on every page, and every public function hides small counts.

Two pages that hide different cells of the same table would, side by side, give hidden
cells away (one page's partner is the other page's shown cell). Pages that compute from
full figures therefore hide exactly what the engine's release hides for the audience.

Every public function that returns aggregates is called here with a stakeholder handle on
the sample agency. Each case checks that no published count is from 1 to 10, and guards
against passing by accident: it asserts that something was actually hidden, so a function
that stopped releasing (or a sample with no small cells) fails instead of passing.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

import cqi_core
from cqi_core import compare, privacy
from cqi_core.analysis import bright_spots, disparities, overview, qualitative, trends, unit_profile, youth
from cqi_core.indicators import load_config
from cqi_core.indicators.scorecard import latest_complete_period
from cqi_core.indicators.series import indicator_series
from cqi_core.present import findings

PERIOD = (date(2024, 10, 1), date(2025, 9, 30))
STAKEHOLDER = privacy.Viewer("stakeholder", "t", (), "pinned")
THRESHOLD = privacy.load_policy().threshold
COUNTS = ("numerator", "denominator")
UNIT = "U018"
"""A unit of the sample agency with small cells on its scorecard."""
EARLY = date(2012, 6, 30)
"""An as-of date when the sample agency was small: its headline counts have small cells."""


@pytest.fixture(scope="module")
def store(sample_db):
    s = cqi_core.open_store(sample_db, read_only=True)
    yield s
    s.close()


@pytest.fixture(scope="module")
def public(store):
    return privacy.Handle(store, STAKEHOLDER)


def _hidden(frame: pl.DataFrame, key: str, col: str) -> set[str]:
    return set(frame.filter(pl.col(col).is_null())[key].to_list())


def _published_counts_are_safe(frame: pl.DataFrame, cols) -> int:
    """Assert no count shown is from 1 to the threshold; return how many cells are hidden."""
    cols = [c for c in cols if c in frame.columns]
    assert cols, f"none of {cols} in {frame.columns}"
    for c in cols:
        small = frame.filter(pl.col(c).is_not_null() & (pl.col(c) >= 1) & (pl.col(c) <= THRESHOLD))
        assert small.is_empty(), f"{c}: small counts published\n{small}"
    return sum(frame[c].null_count() for c in cols)


def _engine(public, start: date, end: date, by: str, indicators) -> pl.DataFrame:
    return cqi_core.compute(public, start, end, by=[by], indicators=list(indicators)).filter(
        pl.col("group_by") == by)


# ----------------------------------------------------------------- the handle is the gate


def test_a_plain_store_gets_analyst_figures_and_a_handle_gets_them_released(store, public):
    full = cqi_core.compute(store, *PERIOD, by=["unit"], indicators=["P1"])
    shown = cqi_core.compute(public, *PERIOD, by=["unit"], indicators=["P1"])
    assert privacy.SUPPRESSED not in full.columns
    small = full.filter(pl.col("numerator").is_between(1, THRESHOLD))
    assert small.height, "the sample must have small cells for this test to mean anything"
    assert shown[privacy.SUPPRESSED].any()
    assert _published_counts_are_safe(shown, COUNTS) >= small.height
    # The analyst's own handle is as good as the plain store.
    analyst = privacy.Handle(store, privacy.ANALYST)
    assert cqi_core.compute(analyst, *PERIOD, by=["unit"], indicators=["P1"]).equals(full)


def test_a_store_cannot_carry_a_viewer(store, public):
    with pytest.raises(AttributeError):
        store.viewer = STAKEHOLDER
    assert privacy.full(public) is store and privacy.viewer_of(public) == STAKEHOLDER
    assert privacy.full(store) is store and privacy.viewer_of(store) == privacy.ANALYST
    with pytest.raises(TypeError):
        privacy.viewer_of(object())  # an unknown object never answers as analyst
    with pytest.raises(TypeError):
        privacy.full("data/cqi.duckdb")


# ----------------------------------------------------------- the same cells on every page


@pytest.mark.parametrize("indicator", ["P1", "S1", "Q2.WB1"])
def test_compare_hides_the_units_the_indicators_page_hides(public, indicator):
    engine = _engine(public, *PERIOD, "unit", [indicator])
    units = compare.units(public, indicator, *PERIOD).result.units
    assert _published_counts_are_safe(units, COUNTS) > 0
    for col in COUNTS:
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
    assert _published_counts_are_safe(table, COUNTS) > 0
    for col in COUNTS:
        assert _hidden(engine, "group_value", col) == _hidden(table, "group_value", col)


def test_a_units_scorecard_hides_what_the_indicators_page_hides(public):
    card = cqi_core.build_scorecard(public, unit=UNIT)
    assert _published_counts_are_safe(card, COUNTS) > 0
    for (start, end), rows in card.group_by(["period_start", "period_end"]):
        engine = _engine(public, start, end, "unit", rows["indicator_id"].to_list()).filter(
            pl.col("group_value") == UNIT)
        for col in COUNTS:
            assert _hidden(rows, "indicator_id", col) == _hidden(engine, "indicator_id", col)


def test_an_indicator_series_hides_each_period_as_the_indicators_page_does(public):
    series = indicator_series(public, "P1", grain="quarter", group_by="unit", group_value=UNIT,
                              years=3)
    assert _published_counts_are_safe(series, COUNTS) > 0
    for r in series.iter_rows(named=True):
        engine = _engine(public, r["period_start"], r["period_end"], "unit", ["P1"]).filter(
            pl.col("group_value") == UNIT)
        for col in COUNTS:
            assert (r[col] is None) == (engine[col][0] is None), (r["period_start"], col)


def test_the_trend_series_are_refused_to_a_public_audience(store, public):
    # Series of every month or quarter are not in the publication, and the trend pages
    # serve staff only (pages/_nav.py): the core refuses a public handle outright.
    with pytest.raises(privacy.AccessDenied):
        trends.build_series(public, "quarter", months=24, use_cache=False)
    analyst = privacy.Handle(store, privacy.ANALYST)
    assert not trends.build_series(analyst, "quarter", months=24).is_empty()


def test_a_finding_hides_the_groups_the_indicators_page_hides(public):
    finding = findings.Finding("P1", "breakdown", "race_ethnicity", "all", *PERIOD)
    rows = findings.finding_view(public, finding).rows
    engine = cqi_core.compute(public, *PERIOD, by=["race_ethnicity"], indicators=["P1"])
    assert _published_counts_are_safe(rows, COUNTS) > 0
    for col in COUNTS:
        assert _hidden(rows, "group_value", col) == _hidden(engine, "group_value", col)


def test_a_unit_profile_is_refused_to_a_public_audience(public):
    # Its figures cover the review months up to the as-of date, not a published period, and
    # the unit profile page serves staff only (pages/_nav.py).
    with pytest.raises(privacy.AccessDenied):
        unit_profile.unit_profile(public, UNIT)


def test_the_youth_cards_hide_what_the_indicators_page_hides(store, public):
    as_of, config, text = cqi_core.as_of_date(store), load_config(), youth.load_youth_text()
    hidden = 0
    for region in youth.youth_regions(public):
        for m, fact in zip(text.measures, youth.youth_facts(public, region)):
            start, end = latest_complete_period(config[m.id].followup, as_of)
            row = _engine(public, start, end, "region", [m.id]).filter(
                pl.col("group_value") == region)
            assert fact.hidden == bool(row[privacy.SUPPRESSED][0]), (region, m.id)
            assert fact.hidden == (row["numerator"][0] is None)
            hidden += fact.hidden
    assert hidden > 0


# ---------------------------------------------------- every other aggregate: small cells hidden


def test_the_agency_summary_hides_small_counts(public):
    s = overview.agency_summary(public, as_of=EARLY)
    heads = pl.DataFrame({"n": [s.children_in_care, s.entries_12m, s.exits_12m]})
    hidden = _published_counts_are_safe(heads, ["n"])
    hidden += _published_counts_are_safe(s.children_in_care_by_region, ["children"])
    assert hidden > 0
    assert s.n_units is None and s.n_workers_active is None and s.last_import is None


def test_the_monthly_flow_hides_small_counts(public):
    flow = overview.monthly_flow(public, date(EARLY.year - 1, EARLY.month, 1), EARLY)
    assert _published_counts_are_safe(flow, ["entries", "exits", "in_care_at_end"]) > 0


@pytest.mark.parametrize("by", ["unit", "source_type"])
def test_themes_hide_small_counts(public, by):
    table = qualitative.themes(public, *PERIOD, by=by)
    assert _published_counts_are_safe(table, ["excerpts", "sources"]) > 0


def test_youth_voices_hide_small_counts(store, public):
    words = youth.load_youth_text()["voices"]
    year = date(2025, 9, 30)  # the 12 months to September 2025, a published period
    start, end = date(2024, 10, 1), year
    assert (start, end) in privacy.publication(store).periods()
    published = qualitative.themes(public, start, end, by="source_group").filter(
        pl.col("group_value") == "youth")
    assert _published_counts_are_safe(published, ["excerpts", "sources"]) > 0
    sources = dict(zip(published["code"].to_list(), published["sources"].to_list()))
    heard = youth.youth_voices(public, as_of=year)
    # The total is the publication's count of youth comments, never a count of its own.
    assert sources[privacy.ALL_TEXT] is not None
    assert heard.total == words["total"].replace("{total}", f"{sources[privacy.ALL_TEXT]:,}")
    # Only themes the publication shows get a number; the hidden ones are named only.
    assert heard.themes and all(sources[t.code] is not None for t in heard.themes)
    hidden = [c for c, n in sources.items() if n is None]
    assert hidden and not {t.code for t in heard.themes} & set(hidden)
    # A time with no published period counts nothing at all.
    early = youth.youth_voices(public, as_of=date(2019, 11, 30))
    assert early.total == words["none"] and not early.themes


def test_bright_spots_hide_small_counts(store, public):
    staff = bright_spots.bright_spots(store)
    assert staff  # the sample agency has bright spots for staff
    spots = bright_spots.bright_spots(public)
    for spot in spots:
        _published_counts_are_safe(spot.signals, COUNTS)
        _published_counts_are_safe(spot.items, ["strengths", "n", "agency_strengths", "agency_n"])
        _published_counts_are_safe(spot.themes, ["strength_texts", "texts"])
        assert not spot.charts  # a public viewer is shown no chart built from full figures
    # A spot each of whose signals rests on a latest figure with a count from 1 to the
    # threshold says nothing a public viewer may read: it is left out, not shown half empty.
    small = {s.unit_id for s in staff
             if s.signals.filter(~(pl.col("numerator").is_between(1, THRESHOLD)
                                   | pl.col("denominator").is_between(1, THRESHOLD))).is_empty()}
    assert small, "the sample should have a bright spot resting on small counts"
    assert not small & {s.unit_id for s in spots}
