"""A measure's latest figure, the one every page shows: its period, value and interval, its
change from the 12 months before, and whether it meets the standard.

The scorecard, the trends page's headline, the presentation, the youth view and the unit
profile all take their latest figure from here, so one measure for one unit reads the same
everywhere. Three rules live here, once:

* **The period**: the latest complete 12 months for the viewer (`privacy.latest_period`:
  for staff the latest 12 months ending on a month end whose follow-up has ended; for a
  public audience the latest such period in the publication). The previous period is the
  12 months before it.
* **Too few to show**: a unit's or a region's figure whose denominator is below the trends
  setting `min_denominator` (trends.yaml, the one setting for small denominators) is not
  shown, judged or compared: a rate from two children is not a finding. The agency's
  figure is always shown.
* **The standard** is judged on the 95% interval: "meets" when the whole interval is on the
  good side of the standard, "does not meet" when the whole interval is on the bad side,
  otherwise "can't tell yet". A change from the year before is said only when the 95%
  interval of the change leaves out no change (Newcombe for proportions, the exact ratio of
  Poisson rates for rates); otherwise it is "about the same".

Figures come from `compute` with the caller's handle, so a public audience gets the
published, suppressed figures and nothing else. For staff, the refresh after each import
(`build_latest`) keeps the latest periods' figures of every measure for the agency, each region
and each unit beside the database for that data version, so the first visitor of a scorecard
or a unit profile reads them instead of computing them; they are the same rows `compute`
gives (built by `compute_series`, which equals it period by period).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import polars as pl

from cqi_core import privacy
from cqi_core.indicators.catalog import PER_HUNDRED, CatalogEntry, load_catalog
from cqi_core.indicators.engine import (OUTPUT_COLUMNS, SQL_DIR, IndicatorConfig, compute,
                                       compute_series, load_config)
from cqi_core.indicators.intervals import newcombe_difference, poisson_ratio
from cqi_core.periods import period_ending
from cqi_core.settings import load
from cqi_core.storage.facts import as_of_date, content_version
from cqi_core.storage.kept import keep, keyed_path
from cqi_core.storage.store import Store

VERDICTS = ("meets", "does not meet", "can't tell yet")
"""What the interval says about the standard."""
CHANGES = ("better", "worse", "higher", "lower", "about the same")
"""What the change from the 12 months before says (higher / lower for measures with no
better direction)."""


@dataclass(frozen=True)
class LatestFigure:
    """One measure's latest figure for one group, as every page shows it."""

    indicator_id: str
    """The measure (P1, V2, Q1.4 …)."""
    group_by: str
    """all, unit or region."""
    group_value: str
    """'all', a unit id or a region name."""
    period_start: date
    """First day of the latest complete 12 months."""
    period_end: date
    """Its last day."""
    value: float | None
    """On the engine's scale (proportions 0-1); None when there is none, it is hidden, or
    there are too few to show."""
    ci_low: float | None
    """Lower end of the 95% interval (None with the value, and for measures without one)."""
    ci_high: float | None
    """Upper end of the 95% interval."""
    numerator: float | None
    """Count of successes or events (None when hidden)."""
    denominator: float | None
    """Who or what was counted (None when hidden)."""
    suppressed: bool
    """True when the figure is hidden to protect privacy (public audiences)."""
    too_small: bool
    """True when the denominator is below the minimum: the figure is not shown."""
    previous_start: date
    """First day of the 12 months before."""
    previous_end: date
    """Last day of the 12 months before."""
    previous_value: float | None
    """The value of the 12 months before, when it can be shown."""
    previous_suppressed: bool
    """True when the figure of the 12 months before is hidden to protect privacy."""
    change: float | None
    """value - previous_value, when both can be shown."""
    change_low: float | None
    """95% interval of the change (proportions: Newcombe); None for rates, whose test is on
    their ratio, and without a change."""
    change_high: float | None
    """Upper end of that interval."""
    change_verdict: str | None
    """better, worse, higher, lower or about the same (`CHANGES`); None without a change."""
    verdict: str | None
    """meets, does not meet or can't tell yet (`VERDICTS`); None without a value, a
    standard or a direction."""

    @property
    def shown(self) -> bool:
        """True when there is a value to show."""
        return self.value is not None


# --------------------------------------------------------------------------- rules

def min_denominator() -> float:
    """The smallest denominator shown for a unit or a region (trends.yaml `min_denominator`)."""
    return float(load("trends")["min_denominator"])


def too_small(group_by: str, denominator: float | None, floor: float | None = None) -> bool:
    """True when a unit's or a region's denominator is below the minimum (the agency's
    figure is never too small; a hidden denominator is left to the privacy rules)."""
    if group_by == "all" or denominator is None:
        return False
    return denominator < (min_denominator() if floor is None else floor)


def standard_verdict(entry: CatalogEntry, value: float | None, low: float | None,
                     high: float | None) -> str | None:
    """meets, does not meet or can't tell yet, from the 95% interval against the standard.

    Meets: the whole interval is on the good side (a strict standard, "above 50%", must be
    passed by the interval's near end). Does not meet: the whole interval is on the bad side.
    A measure with no interval (a ratio of full counts, W1) is judged on its value. None
    without a value, a standard or a better direction.
    """
    if entry.meets(value) is None:
        return None
    if low is None or high is None:
        return "meets" if entry.meets(value) else "does not meet"
    good_end, bad_end = (low, high) if entry.direction == "higher" else (high, low)
    if entry.meets(good_end):
        return "meets"
    if not entry.meets(bad_end):
        return "does not meet"
    return "can't tell yet"


def _negligible(entry: CatalogEntry, change: float) -> bool:
    """True when a change disappears at the precision shown (0.1 point, or 0.01)."""
    return abs(change) < (0.0005 if entry.unit in PER_HUNDRED else 0.005)


def change_verdict(entry: CatalogEntry, now: dict | None, before: dict | None,
                   config: IndicatorConfig | None = None
                   ) -> tuple[str | None, float | None, float | None]:
    """What the change from `before` to `now` says, and its 95% interval (proportions).

    Args:
        entry: the measure.
        now, before: rows with value, numerator, denominator, ci_low, ci_high.
        config: the measure's engine configuration (default: looked up).

    Returns:
        (verdict, low, high): verdict better, worse, higher, lower or about the same (None
        when either value is missing); low and high the interval of the difference for
        proportions, else None. The change counts only when its 95% interval leaves out
        zero (proportions: Newcombe's hybrid score interval; rates: the exact interval of
        the rate ratio leaves out 1). Measures with no interval (W1) and figures whose
        counts are hidden are compared as values: a hidden-count figure changes only when
        the earlier value lies outside the latest one's interval.
    """
    if not now or not before or now.get("value") is None or before.get("value") is None:
        return None, None, None
    config = config or _configs().get(entry.id)
    change = now["value"] - before["value"]
    counts = [now.get("numerator"), now.get("denominator"),
              before.get("numerator"), before.get("denominator")]
    low = high = None
    if _negligible(entry, change):
        clear = False
    elif config is not None and config.interval != "none" and None not in counts \
            and counts[1] > 0 and counts[3] > 0:
        if config.kind == "proportion":
            low, high = newcombe_difference(*counts)
            clear = low > 0 or high < 0
        else:
            r_low, r_high = poisson_ratio(*counts)
            clear = r_low > 1 or r_high < 1
    elif now.get("ci_low") is not None and now.get("ci_high") is not None:
        clear = not now["ci_low"] <= before["value"] <= now["ci_high"]
    else:
        clear = True  # full counts with no sampling interval (W1): the change is the change
    if not clear:
        return "about the same", low, high
    if entry.direction == "none":
        return ("higher" if change > 0 else "lower"), low, high
    better = (change > 0) == (entry.direction == "higher")
    return ("better" if better else "worse"), low, high


# --------------------------------------------------------------------------- figures

def _configs() -> dict[str, IndicatorConfig]:
    """Engine configuration by output id (Q1.4 → the Q1 family's)."""
    return {i: c for c in load_config().values() for i in c.ids}


def latest_periods(store: Store | privacy.Handle, config: IndicatorConfig, as_of: date,
                   months: int = 12) -> tuple[tuple[date, date], tuple[date, date]]:
    """The latest complete period for the viewer and the period of the same length before."""
    cur = privacy.latest_period(store, config.followup, as_of, months)
    return cur, period_ending(cur[0] - timedelta(days=1), months)


def figure(entry: CatalogEntry, group_by: str, group_value: str,
           period: tuple[date, date], previous: tuple[date, date],
           now: dict | None, before: dict | None,
           config: IndicatorConfig | None = None) -> LatestFigure:
    """A LatestFigure from a group's released rows of the two periods (None: no row)."""
    now, before = dict(now or {}), dict(before or {})
    small = too_small(group_by, now.get("denominator"))
    small_before = too_small(group_by, before.get("denominator"))
    if small:
        now.update(value=None, ci_low=None, ci_high=None)
    if small_before:
        before.update(value=None)
    verdict, low, high = change_verdict(entry, now, before, config)
    value = now.get("value")
    change = None if verdict is None else value - before["value"]
    return LatestFigure(
        indicator_id=entry.id, group_by=group_by, group_value=group_value,
        period_start=period[0], period_end=period[1], value=value,
        ci_low=now.get("ci_low"), ci_high=now.get("ci_high"),
        numerator=now.get("numerator"), denominator=now.get("denominator"),
        suppressed=bool(now.get(privacy.SUPPRESSED)) and value is None and not small,
        too_small=small, previous_start=previous[0], previous_end=previous[1],
        previous_value=before.get("value"),
        previous_suppressed=bool(before.get(privacy.SUPPRESSED)) and before.get("value") is None
        and not small_before, change=change, change_low=low, change_high=high,
        change_verdict=verdict,
        verdict=standard_verdict(entry, value, now.get("ci_low"), now.get("ci_high")))


def latest_figures(store: Store | privacy.Handle,
                   groups: Sequence[tuple[str, str]] = (("all", "all"),),
                   indicators: Iterable[str] | None = None, as_of: date | None = None,
                   months: int = 12) -> dict[tuple[str, str, str], LatestFigure]:
    """Every measure's latest figure for each group, computed once per distinct period.

    Args:
        store: the database, or a handle: figures are released for its viewer.
        groups: (group_by, group_value) pairs: ("all", "all"), ("unit", "U012"), ("region", …).
        indicators: output ids to keep (default: every measure the groups have).
        as_of: the data's as-of date (default: the store's).
        months: period length.

    Returns:
        {(indicator_id, group_by, group_value): LatestFigure}, for each measure whose
        configuration has the grouping; empty when no data is loaded.
    """
    as_of = as_of or as_of_date(privacy.full(store))
    if as_of is None:
        return {}
    catalog = load_catalog(privacy.full(store))
    wanted = None if indicators is None else set(indicators)
    by = sorted({g for g, _ in groups if g != "all"})
    plan: dict[str, tuple] = {}
    per_period: dict[tuple[date, date], list[str]] = {}
    for fid, cfg in load_config().items():
        ids = [i for i in cfg.ids if wanted is None or i in wanted]
        if not ids or any(g not in cfg.groupings for g in by):
            continue
        pair = latest_periods(store, cfg, as_of, months)
        plan[fid] = (cfg, ids, pair)
        for p in pair:
            per_period.setdefault(p, []).append(fid)
    rows: dict[tuple, dict] = {}
    kept = None
    if not privacy.viewer_of(store).public and set(by) <= set(KEPT_GROUPINGS) \
            and as_of == as_of_date(privacy.full(store)):
        kept = _read_kept(privacy.full(store), months)
    for (start, end), fids in per_period.items():
        if kept is not None:  # the refresh's copy: the rows compute gives, read not computed
            ids = [i for f in fids for i in load_config()[f].ids]
            frame = kept.filter((pl.col("period_start") == start) & (pl.col("period_end") == end)
                                & pl.col("indicator_id").is_in(ids)
                                & pl.col("group_by").is_in(["all", *by]))
        else:
            frame = compute(store, start, end, by=by, indicators=fids, as_of=as_of)
        for r in frame.iter_rows(named=True):
            rows[(r["indicator_id"], start, r["group_by"], r["group_value"])] = r
    out = {}
    for cfg, ids, (cur, prev) in plan.values():
        for iid in ids:
            for g in groups:
                out[(iid, *g)] = figure(catalog.entry(iid), *g, cur, prev,
                                        rows.get((iid, cur[0], *g)),
                                        rows.get((iid, prev[0], *g)), cfg)
    return out


# --------------------------------------------------------------------------- kept copy

KEPT_GROUPINGS = ("unit", "region")
"""The groupings the refresh keeps latest figures for (besides the agency): what scorecards,
unit profiles and presentations ask for. Other groupings are computed when asked."""


def _kept_file(store: Store, months: int) -> Path:
    rules = hashlib.sha1("".join(p.read_text(encoding="utf-8")
                                 for p in sorted(SQL_DIR.glob("*.sql"))).encode()).hexdigest()
    return keyed_path(store.path, f"latest-{months}", content_version(store), months,
                      OUTPUT_COLUMNS, KEPT_GROUPINGS, sorted(load_config().items()), rules)


def _read_kept(store: Store, months: int) -> pl.DataFrame | None:
    path = _kept_file(store, months)
    return pl.read_parquet(path) if path.exists() else None


def build_latest(store: Store | privacy.Handle, months: int = 12,
                 progress: Callable[[str, float], None] | None = None) -> int:
    """Keep the staff figures of every measure's latest period and the period before, for
    the agency, each region and each unit, beside the database for its current data version
    (the refresh runs this after each import). Returns the rows kept (0 without data)."""
    store = privacy.full(store)
    as_of = as_of_date(store)
    if as_of is None:
        return 0
    spans = sorted({p for cfg in load_config().values()
                    for p in latest_periods(store, cfg, as_of, months)})
    frame = compute_series(store, spans, by=list(KEPT_GROUPINGS), as_of=as_of, progress=progress)
    path = _kept_file(store, months)
    keep(frame, path, f"latest-{months}-*.parquet")  # read-only folder: computed when asked
    return frame.height


def latest_figure(store: Store | privacy.Handle, indicator_id: str, group_by: str = "all",
                  group_value: str = "all", as_of: date | None = None) -> LatestFigure | None:
    """One measure's latest figure for one group (None when no data is loaded or the
    measure is not computed for that grouping)."""
    figures = latest_figures(store, [(group_by, group_value)], [indicator_id], as_of)
    return figures.get((indicator_id, group_by, group_value))


def figures_frame(figures: Iterable[LatestFigure]) -> pl.DataFrame:
    """Latest figures as a table, one row each (the LatestFigure fields as columns)."""
    names = list(LatestFigure.__dataclass_fields__)
    return pl.DataFrame([{n: getattr(f, n) for n in names} for f in figures],
                        schema_overrides={n: pl.Float64 for n in (
                            "value", "ci_low", "ci_high", "numerator", "denominator",
                            "previous_value", "change", "change_low", "change_high")},
                        infer_schema_length=None)
