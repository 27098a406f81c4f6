"""Compare units (or regions) on one indicator for one period, and say what the funnel shows.

`units` computes the indicator by unit with the engine, draws the funnel by the rules of
compare.yaml (`auto_funnel`), releases the unit table for the handle's viewer (public
audiences get small counts suppressed) and words the findings: whether the units differ
more than chance allows and what was done about it, the bright spots and the concerns
(favourable and unfavourable outliers, given which way is better), and who was left out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import polars as pl

from cqi_core import privacy
from cqi_core.errors import CQIError
from cqi_core.indicators.catalog import CatalogEntry, load_catalog
from cqi_core.indicators.display import format_value
from cqi_core.indicators.engine import IndicatorConfig, compute, load_config
from cqi_core.periods import latest_complete_period, period_ending, previous_month_end
from cqi_core.storage.store import Store
from cqi_core.storage.facts import as_of_date, unit_list
from cqi_core.methods.funnel.choose import auto_funnel
from cqi_core.methods.funnel.funnel import COLUMNS, FunnelResult, with_curve_over
from cqi_core.methods.funnel.settings import load_settings

GROUPINGS = ("unit", "region")
"""What can be compared on a funnel plot."""
COUNTS = ("numerator", "denominator")
DERIVED = tuple(c for c in COLUMNS if c not in ("unit", *COUNTS))
"""Columns computed from a unit's counts: masked with them for public audiences."""
ENGINE_KINDS = ("proportion", "rate")
"""Engine kinds a funnel can compare (the engine's ratios, such as caseloads, cannot)."""
_LEVEL = {"99.8": "alarm", "95": "alert"}


@dataclass(frozen=True)
class Comparison:
    """One indicator compared across units for one period, with its findings in words."""

    indicator_id: str
    """The indicator."""
    entry: CatalogEntry
    """Its catalog entry (name, direction, unit of display)."""
    by: str
    """unit or region."""
    start: date
    """First day of the period."""
    end: date
    """Last day of the period."""
    result: FunnelResult
    """The funnel as drawn; `result.units` released for the viewer (public audiences: small
    counts and everything computed from them masked, and a `suppressed` column)."""
    test: FunnelResult
    """The funnel whose φ̂ and χ² test chose the over-dispersion model."""
    method_reason: str
    """Why these limits, in one sentence."""
    labels: dict[str, str]
    """Unit id (or region) → how it is named in words."""
    bright_spots: tuple[str, ...]
    """Units doing better than the limits allow (given the indicator's direction)."""
    concerns: tuple[str, ...]
    """Units doing worse than the limits allow."""
    sentences: tuple[str, ...]
    """The findings in plain sentences, in reading order."""


def _config(indicator_id: str) -> IndicatorConfig:
    for cfg in load_config().values():
        if indicator_id in cfg.ids:
            return cfg
    raise CQIError(f"There is no indicator {indicator_id!r}.")


def comparable(by: str = "unit") -> list[str]:
    """Indicator ids that can be compared across units (or regions): proportions and
    rates the engine breaks down that way, in catalog order."""
    return [i for c in load_config().values() if c.kind in ENGINE_KINDS and by in c.groupings
            for i in c.ids]


def periods(store: Store | privacy.Handle, indicator_id: str, count: int = 24,
            months: int = 12) -> list[tuple[date, date]]:
    """The latest `months`-long window with complete follow-up (as the scorecard picks it),
    then the windows ending one, two … months earlier; newest first."""
    as_of = as_of_date(privacy.full(store))
    if as_of is None:
        return []
    if privacy.viewer_of(store).public:  # the publication's periods only, newest first
        return privacy.published_periods(store, _config(indicator_id).followup, as_of)[::-1][:count]
    start, end = latest_complete_period(_config(indicator_id).followup, as_of, months)
    out = [(start, end)]
    for _ in range(count - 1):
        end = previous_month_end(end)
        out.append(period_ending(end, months))
    return out


def _labels(store: Store, by: str, values: list[str]) -> dict[str, str]:
    if by == "region":
        return {v: f"{v} region" for v in values}
    names = dict(unit_list(store).select("unit_id", "unit_name").iter_rows())
    return {v: names.get(v, v) for v in values}


def units(store: Store | privacy.Handle, indicator_id: str, start: date, end: date, by: str = "unit",
          method: str = "auto", overdispersion: str = "auto",
          min_denominator: float | None = None) -> Comparison:
    """Compare every unit (or region) on one indicator over one period.

    Args:
        store: the database, or a handle whose viewer decides what the unit table shows.
        indicator_id: a proportion or rate indicator the engine breaks down by `by`.
        start, end: the period, both days included (e.g. from `periods`).
        by: unit or region.
        method: auto, normal, exact (or arcsine).
        overdispersion: auto, none, multiplicative or additive.
        min_denominator: smaller units are greyed (default compare.yaml).

    Raises:
        CQIError: an unknown indicator, one that is not a proportion or a rate, a grouping
            it does not allow, or a period with no unit to compare.
    """
    db, viewer = privacy.full(store), privacy.viewer_of(store)
    cfg = _config(indicator_id)
    entry = load_catalog(db).entry(indicator_id)
    if cfg.kind not in ENGINE_KINDS:
        raise CQIError(f"{entry.name} is a {cfg.kind}, not a proportion or a rate, so units "
                       "cannot be compared on a funnel plot.")
    if by not in GROUPINGS:
        raise CQIError(f"Units can be compared by unit or by region, not by {by!r}.")
    if by not in cfg.groupings:
        raise CQIError(f"{entry.name} is not broken down by {by}.")
    # Staff: computed in full (the pooled target and φ̂ need every unit). Public: from the
    # publication only, and the statistics (target, φ̂, widened limits) from the units whose
    # figures are shown: a statistic computed over hidden units would be one more equation
    # from which they could be worked out.
    public = viewer.public
    full = compute(store if public else db, start, end, by=[by], indicators=[indicator_id])
    rows = full.filter(pl.col("group_by") == by)
    target = None
    if public:
        agency = full.filter(pl.col("group_by") == "all").row(0, named=True)
        target = agency["numerator"] / agency["denominator"] if agency["denominator"] else None
    left_out = rows.filter(pl.col("group_value") == "unknown")["denominator"].sum()
    rows = rows.filter(pl.col("group_value") != "unknown")
    hidden = rows.filter(pl.col("numerator").is_null() | pl.col("denominator").is_null())
    rows = rows.filter(pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null()
                       & (pl.col("denominator") > 0))
    if rows.is_empty():
        raise CQIError(f"No {by} has any {entry.name.lower()} figures "
                       f"{'shown ' if public and hidden.height else ''}between "
                       f"{start:%B %-d, %Y} and {end:%B %-d, %Y}.")
    rows = rows.sort("group_value")
    auto = auto_funnel(rows["numerator"], rows["denominator"], rows["group_value"], target,
                       method=method, overdispersion=overdispersion, kind=cfg.kind,
                       min_denominator=min_denominator, multiplier=cfg.multiplier)
    shown = auto.result.units
    if public:
        shown = pl.concat([shown.with_columns(pl.lit(False).alias(privacy.SUPPRESSED)),
                           pl.DataFrame({"unit": hidden["group_value"],
                                         privacy.SUPPRESSED: [True] * hidden.height})],
                          how="diagonal_relaxed").sort("unit")
    result = replace(auto.result, units=shown)
    if public:
        result = with_curve_over(result, shown.filter(pl.col("value").is_not_null())["denominator"])
    labels = _labels(db, by, [*rows["group_value"].to_list(), *hidden["group_value"].to_list()])
    good, bad, other = _outliers(shown, entry)
    sentences = [_dispersion_sentence(auto.test, result, by), auto.method_reason,
                 *_outlier_sentences(good, bad, other, entry, labels, shown, by, hidden.height)]
    small = shown.filter(pl.col("denominator") < result.min_denominator).height
    if small:
        sentences.append(f"{small} {_plural(by, small)} counted fewer than "
                         f"{result.min_denominator:,.0f} in the denominator: "
                         f"{'it is' if small == 1 else 'they are'} drawn greyed and not judged.")
    if hidden.height:
        sentences.append(f"{_count_words(hidden.height, by)} hidden to protect privacy: "
                         f"{'it rests' if hidden.height == 1 else 'they rest'} on very small "
                         "numbers, or could be worked out from those that do. Nothing here "
                         f"is said about {'it' if hidden.height == 1 else 'them'}, and the "
                         f"limits and spread are worked out from the {by}s shown.")
    if left_out:
        sentences.append(f"Records with no {by} recorded are left out of the comparison.")
    return Comparison(indicator_id, entry, by, start, end, result, auto.test, auto.method_reason,
                      labels, tuple(good), tuple(bad), tuple(sentences))


def _plural(by: str, n: int) -> str:
    return by if n == 1 else f"{by}s"


def _outliers(shown: pl.DataFrame, entry: CatalogEntry) -> tuple[list[str], list[str], list[str]]:
    """Bright spots, concerns and (for measures with no better direction) other outliers."""
    flagged = shown.filter(pl.col("flag").is_not_null() & (pl.col("flag") != "none"))
    high = flagged.filter(pl.col("flag").str.starts_with("high"))["unit"].to_list()
    low = flagged.filter(pl.col("flag").str.starts_with("low"))["unit"].to_list()
    if entry.direction == "higher":
        return high, low, []
    if entry.direction == "lower":
        return low, high, []
    return [], [], high + low


def _dispersion_sentence(test: FunnelResult, result: FunnelResult, by: str) -> str:
    settings = load_settings()
    if test.p_value is None:
        return (f"With {test.units_in_estimate} {_plural(by, test.units_in_estimate)} large "
                f"enough to compare, over-dispersion is not tested (that needs at least "
                f"{settings.overdispersion_min_units}); the limits are "
                f"{'widened as chosen' if result.adjusted else 'not widened'}.")
    p = "p < 0.001" if test.p_value < 0.001 else f"p = {test.p_value:.3f}"
    stats = (f"φ̂ = {test.phi:.2f}; χ² = {test.chi2:.1f} on {test.df} degrees of freedom, {p}")
    if test.overdispersed:
        text = (f"The {by}s differ more than chance alone would make them ({stats}): part of "
                f"the spread comes from differences no single {by} controls (local "
                "population, services, recording). ")
    else:
        text = f"The {by}s differ about as much as chance alone would make them ({stats}). "
    if result.adjusted and result.overdispersion == "additive":
        scale = {"arcsine": "arcsine", "normal": "raw", "exact": "raw (normal)"}[result.method]
        return text + (f"The limits are widened for it with an additive random-effects model "
                       f"(τ̂² = {result.tau2:.3g} on the {scale} scale).")
    if result.adjusted:
        return text + (f"The limits are widened for it by √φ̂ = {result.phi ** 0.5:.2f} "
                       "(multiplicative model).")
    if test.overdispersed:
        return text + (f"The limits are not widened, so more {by}s fall outside them than "
                       "chance alone would put there.")
    return text + "The limits are not widened."


def _count_words(n: int, by: str) -> str:
    words = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")
    count = words[n] if n < len(words) else f"{n:,}"
    return f"One {by}'s figure is" if n == 1 else f"{count} {by}s' figures are"


def _outlier_sentences(good: list[str], bad: list[str], other: list[str], entry: CatalogEntry,
                       labels: dict[str, str], shown: pl.DataFrame, by: str,
                       hidden: int = 0) -> list[str]:
    settings = load_settings()
    rows = {r["unit"]: r for r in shown.iter_rows(named=True)}

    def name(u: str) -> str:
        flag = rows[u]["flag"]
        side, level = flag.split("_")
        where = f"{'above' if side == 'high' else 'below'} the " \
                f"{settings.level_words(_LEVEL[level])} limit"
        return f"{labels.get(u, u)} ({format_value(entry, rows[u]['value'])}, {where})"

    # With figures hidden, "no unit does worse" would be a claim about the hidden ones too.
    none = f"No {by} whose figure is shown" if hidden else f"No {by}"
    if entry.direction == "none":
        if not other:
            return [f"{none} is outside the limits."]
        return [f"Outside the limits (for this measure neither higher nor lower is better): "
                f"{'; '.join(name(u) for u in other)}."]
    out = []
    out.append(f"Bright spots, doing better than chance alone explains: "
               f"{'; '.join(name(u) for u in good)}." if good else
               f"{none} does better than chance alone explains.")
    out.append(f"Concerns, doing worse than chance alone explains: "
               f"{'; '.join(name(u) for u in bad)}." if bad else
               f"{none} does worse than chance alone explains.")
    return out
