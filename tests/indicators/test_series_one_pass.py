"""Series in one pass: `compute_series` runs every indicator for a whole calendar of periods
at once and must give exactly what `compute` gives period by period (the definition of a
period's figures), for every indicator and every grouping, over the months (every fourth
one and the last) and the quarters the trend series cover, on the sample agency. A
hand-made case checks the rule most at risk in a set-based form: a cohort's "first entry
in the period" is ranked within each period, not across the calendar."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import polars as pl
import pytest

from cqi_core.analysis import trends
from cqi_core.indicators import engine
from cqi_core.indicators.engine import GROUPINGS, OUTPUT_COLUMNS, compute, compute_series
from cqi_core.periods import month_end, period_ending
from cqi_core.publish.build import grid
from cqi_core.storage.facts import as_of_date
from cqi_core.storage.store import open_store

from federal_fixtures import base_store, child, episode

KEYS = ["indicator_id", "period_start", "period_end", "group_by", "group_value"]
FLOATS = ["numerator", "denominator", "value", "ci_low", "ci_high"]


@pytest.fixture(scope="module")
def sample(sample_db):
    store = open_store(sample_db)
    yield store
    store.close()


def _per_period(store, spans, as_of) -> pl.DataFrame:
    # The reference: one `compute` per period (two at a time, each on its own cursor).
    with ThreadPoolExecutor(max_workers=2) as pool:
        frames = list(pool.map(lambda p: compute(store, p[0], p[1], as_of=as_of), spans))
    return pl.concat(frames)


def _assert_same(one: pl.DataFrame, per: pl.DataFrame) -> None:
    assert one.columns == list(OUTPUT_COLUMNS)
    assert one.schema == per.schema
    assert one.height == per.height
    joined = per.join(one, on=KEYS, how="full", suffix="_one", coalesce=True,
                      nulls_equal=True)
    # Every row of one is a row of the other (a key on one side only has nulls on the other).
    assert joined.height == per.height
    assert joined["followup_complete"].null_count() == 0
    assert joined["followup_complete_one"].null_count() == 0
    assert (joined["followup_complete"] == joined["followup_complete_one"]).all()
    for c in FLOATS:
        a, b = joined[c], joined[f"{c}_one"]
        assert (a.is_null() == b.is_null()).all(), c
        both = joined.filter(a.is_not_null() & b.is_not_null())
        assert ((both[c] - both[f"{c}_one"]).abs() <= 1e-12 * both[c].abs().clip(1, None)).all(), c


@pytest.mark.parametrize("grain", ["month", "quarter"])
def test_one_pass_equals_compute_period_by_period_on_the_sample(sample, grain):
    as_of = as_of_date(sample)
    spans = trends.periods(as_of, grain, trends.load_settings().history_months)
    assert len(spans) >= 16
    one = compute_series(sample, spans, as_of=as_of)
    # The reference costs one compute a period: months are checked every fourth one and the
    # last (13 of 49, the oldest and the newest included), quarters every one.
    checked = spans if grain == "quarter" else sorted(set(spans[::4]) | {spans[-1]})
    per = _per_period(sample, checked, as_of)
    whole = one
    one = one.filter(pl.col("period_start").is_in([s for s, _ in checked]))
    _assert_same(one, per)
    # The comparison is not vacuous: every indicator of the catalog counted something, and
    # every grouping an indicator allows is present in it.
    counted = one.filter((pl.col("group_by") == "all") & (pl.col("denominator") > 0))
    assert set(counted["indicator_id"]) == set(engine.indicator_ids())
    for fid, cfg in engine.load_config().items():
        ids = set(cfg.ids)
        got = set(one.filter(pl.col("indicator_id").is_in(ids))["group_by"])
        assert got == {"all", *cfg.groupings}, fid
    assert set(one["group_by"]) == set(GROUPINGS)
    # Every period of the calendar has its block, in the order given.
    assert whole.select("period_start").unique(maintain_order=True)["period_start"].to_list() \
        == [s for s, _ in spans]
    # Both orders agree too: periods in the order given, then as `compute` sorts a period.
    assert one.select(KEYS).equals(per.select(KEYS))


def test_a_cohort_first_entry_is_ranked_within_each_period(tmp_path):
    s = base_store(tmp_path)
    child(s, "A", "2015-01-01")
    # A enters on 5 January 2024 and is reunified on 20 January (15 days: not a short stay),
    # then enters again on 10 February 2024 and is still in care.
    episode(s, "EA1", "A", "2024-01-05", "2024-01-20", "reunification")
    episode(s, "EA2", "A", "2024-02-10")
    months = [(date(2024, 1, 1), date(2024, 1, 31)), (date(2024, 2, 1), date(2024, 2, 29))]
    quarter = [(date(2024, 1, 1), date(2024, 3, 31))]
    as_of = date(2024, 3, 31)
    out = compute_series(s, months + quarter, by=[], indicators=["P1"], as_of=as_of)
    got = {(r["period_start"], r["period_end"]): (r["numerator"], r["denominator"])
           for r in out.iter_rows(named=True)}
    # January: A's first entry in January is EA1, reunified within 12 months: 1 / 1.
    # February: A's first entry in February is EA2, still in care: 0 / 1.
    # The quarter: A's first entry in the quarter is EA1 only (each child once): 1 / 1.
    assert got == {months[0]: (1.0, 1.0), months[1]: (0.0, 1.0), quarter[0]: (1.0, 1.0)}
    # Follow-up (end + 12 months) is not over by 31 March 2024 for any of them.
    assert not out["followup_complete"].any()
    _assert_same(out, pl.concat([compute(s, a, b, by=[], indicators=["P1"], as_of=as_of)
                                 for a, b in months + quarter]))
    s.close()


def test_empty_periods_still_have_the_agency_row_with_zero_denominators(tmp_path):
    s = base_store(tmp_path)
    spans = [(date(2024, 1, 1), date(2024, 1, 31)), (date(2024, 2, 1), date(2024, 2, 29))]
    out = compute_series(s, spans, by=["unit"], indicators=["P1", "Q1.4"], as_of=date(2024, 3, 31))
    # Nothing is recorded: each period has exactly the agency row of P1 and of Q1.4, 0 over 0,
    # no value (2 periods × 2 indicators = 4 rows).
    assert out.height == 4
    assert set(out["group_by"]) == {"all"}
    assert (out["denominator"] == 0).all() and out["value"].null_count() == 4
    _assert_same(out, pl.concat([compute(s, a, b, by=["unit"], indicators=["P1", "Q1.4"],
                                         as_of=date(2024, 3, 31)) for a, b in spans]))
    s.close()


def test_measures_counted_by_month_add_up_their_months_exactly(sample):
    # V1 (child-months) and V2 (visits by date) are declared `by_month` in config.yaml: the
    # publication's overlapping 12-month periods (ending each quarter) are computed month by
    # month once and added up. That must equal counting each period whole, for every
    # grouping, including the agency row of a period with no month counted.
    by_month = [fid for fid, cfg in engine.load_config().items() if cfg.by_month]
    assert set(by_month) == {"V1", "V2"}
    as_of = as_of_date(sample)
    spans = [period_ending(end, 12) for end in grid(as_of, None, quarters=5)]
    spans.append((date(1990, 1, 1), date(1990, 12, 31)))  # before any data: zeros only
    one = compute_series(sample, spans, indicators=by_month, as_of=as_of)
    per = _per_period(sample, spans, as_of)
    per = per.filter(pl.col("indicator_id").is_in(by_month))
    _assert_same(one, per)
    # Not vacuous: the periods overlap, every grouping counted something in each real period.
    assert len(spans) == 6 and spans[1][0] < spans[0][1]  # five 12-month periods span 24 months
    for fid in by_month:
        for s, _ in spans[:-1]:
            rows = one.filter((pl.col("indicator_id") == fid) & (pl.col("period_start") == s))
            assert set(rows["group_by"]) == {"all", *engine.load_config()[fid].groupings}
            assert rows.filter(pl.col("group_by") == "all")["denominator"][0] > 0


def test_months_shared_across_calls_give_the_same_figures(sample):
    # The refresh opens `shared_months`: the publication counts V1's and V2's months with
    # every grouping, then the monthly and quarterly series (unit and region) and the latest
    # 12-month figures add up the months already counted, counting only the months missing.
    # Each must equal the same call made on its own, with nothing shared.
    as_of = as_of_date(sample)
    months = trends.periods(as_of, "month", 24)
    # the grid ends at least two months before the series: those months are counted later
    grid_spans = [period_ending(end, 12) for end in grid(months[-3][1], None, quarters=6)]
    quarters = trends.periods(as_of, "quarter", 24)
    latest = [period_ending(months[-1][1], 12)]
    calls = [(grid_spans, None), (months, list(trends.GROUPINGS)),
             (quarters, list(trends.GROUPINGS)), (latest, ["unit"])]
    with engine.shared_months():
        shared = [compute_series(sample, spans, by=by, indicators=["V1", "V2"], as_of=as_of)
                  for spans, by in calls]
        kept = dict(engine._SHARED)
    assert engine._SHARED is None  # nothing outlives the block
    # the monthly series reaches past the grid's last quarter end: those months were added
    assert {m for m, _ in months} - {m for s, e in grid_spans for m, _ in
                                     trends.periods(e, "month", 12)}
    assert {fid for _, fid in kept} == {"V1", "V2"}
    for (spans, by), got in zip(calls, shared):
        alone = compute_series(sample, spans, by=by, indicators=["V1", "V2"], as_of=as_of)
        _assert_same(got, alone)


def test_periods_counted_once_are_taken_again_for_fewer_groupings(sample, monkeypatch):
    # The refresh counts the publication's 12-month periods with every grouping, then the
    # latest figures ask some of the same periods again for the agency, regions and units:
    # inside `shared_months` those are taken from the first count, and only a period not
    # counted yet is counted. Each answer must equal the same call made alone.
    as_of = as_of_date(sample)
    ends = [e for _, e in trends.periods(as_of, "quarter", 12)]
    grid_spans = [period_ending(end, 12) for end in ends]  # four 12-month periods
    later = period_ending(month_end(ends[-2] + timedelta(days=1)), 12)  # ends on no quarter end
    asked = [grid_spans[-1], grid_spans[0], later]
    indicators = ["P1", "S1", "V1", "E1"]
    counted: list[list[tuple]] = []
    real = engine._grouped_periods

    def spy(cur, cfg, periods, by):
        counted.append(list(periods))
        return real(cur, cfg, periods, by)

    monkeypatch.setattr(engine, "_grouped_periods", spy)
    with engine.shared_months():
        first = compute_series(sample, grid_spans, indicators=indicators, as_of=as_of)
        counted.clear()
        again = compute_series(sample, asked, by=["unit", "region"], indicators=indicators,
                               as_of=as_of)
    assert engine._SHARED_PERIODS is None  # nothing outlives the block
    # P1, S1 and E1 are counted by period: only the period not counted before is counted
    # (V1 adds up its months, all counted by the first call, and counts none here).
    assert later not in grid_spans
    assert counted == [[later]] * 3
    monkeypatch.setattr(engine, "_grouped_periods", real)
    _assert_same(first, compute_series(sample, grid_spans, indicators=indicators, as_of=as_of))
    alone = compute_series(sample, asked, by=["unit", "region"], indicators=indicators,
                           as_of=as_of)
    _assert_same(again, alone)
    assert set(again["group_by"]) == {"all", "unit", "region"}
    # in the order asked: the last grid period first
    assert again["period_start"].unique(maintain_order=True).to_list() == [s for s, _ in asked]
