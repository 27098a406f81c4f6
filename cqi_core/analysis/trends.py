"""Trends: every indicator as a run or control chart, with its signals in plain words.

`build_series` computes each indicator for consecutive months (or quarters) for the agency,
each unit and each region, exactly as a single period is computed, and keeps the result
beside the database so it is paid once per import. `control_chart` picks the chart the
data call for (trends.yaml: a run chart for short series, a P or U chart for proportions
and rates, Laney's P' or U' when the periods vary more than chance allows), runs the rule
preset (Anhøj or Making Data Count) through `cqi_core.methods.spc`, and explains each signal in
one sentence. `scan` does that for every series and ranks what changed recently.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

from cqi_core import privacy
from cqi_core.settings import load
from cqi_core.methods import spc
from cqi_core.errors import CQIError
from cqi_core.indicators.catalog import Catalog, CatalogEntry, load_catalog
from cqi_core.indicators.display import AXIS_TITLES, display_scale, format_display
from cqi_core.indicators.engine import compute_series, load_config
from cqi_core.periods import period_label, whole_periods_to
from cqi_core.storage.kept import keep, keyed_path
from cqi_core.storage.store import Store
from cqi_core.storage.facts import as_of_date, content_version
from cqi_core.storage.statements import statement

HERE = Path(__file__).resolve().parent
SERIES_COLUMNS = ("indicator_id", "period_start", "period_end", "group_by", "group_value",
                  "numerator", "denominator", "value", "followup_complete", "provisional")
GRAINS = {"month": 1, "quarter": 3}
GROUPINGS = ("unit", "region")
"""Groups every series is built for, besides the whole agency."""


@dataclass(frozen=True)
class TrendSettings:
    """How charts are chosen and signals ranked (trends.yaml)."""

    preset: str
    """anhoej or mdc: the signal rules."""
    min_points_control: int
    """Below this many points the chart is a run chart."""
    trial_below: dict[str, int]
    """Per preset: a phase with fewer points has trial limits."""
    min_points_runs: int
    """Runs rules need this many useful points."""
    overdispersion_sigma_z: float
    """Laney sigma-z above which P/U become P'/U'."""
    history_months: int
    """Months of history kept in the series."""
    recent_periods: dict[str, int]
    """Per grain: how many of the latest periods count as recent in the scan."""
    min_denominator: int
    """Smallest denominator plotted for a unit or region."""
    strength: dict[str, float]
    """Weight of each kind of signal in the scan's ranking."""
    provisional_days: int
    """A period ending this close to the as-of date is provisional (records still arriving)."""
    context_weight: float
    """Scan weight of context measures (caseload, entry rate) against performance ones."""
    rare_events_per_period: float
    """A series whose median events per period is below this is charted as gaps between
    events (a g chart)."""
    rare_min_gaps: int
    """Judged gaps a g chart needs; with fewer, the series is drawn without signals."""
    what_changed_top: dict[str, int]
    """Per direction: cards What changed shows before "Show all"."""


@lru_cache(maxsize=1)
def load_settings() -> TrendSettings:
    """The settings in trends.yaml, validated.

    Raises:
        CQIError: an unknown preset or a missing setting.
    """
    raw = load("trends")
    try:
        settings = TrendSettings(**raw)
    except TypeError as exc:
        raise CQIError(f"trends.yaml does not match the expected settings: {exc}") from exc
    if settings.preset not in ("anhoej", "mdc"):
        raise CQIError(f"trends.yaml: preset must be anhoej or mdc, not {settings.preset!r}.")
    return settings


# --------------------------------------------------------------------------- series


def periods(as_of: date, grain: str, months: int) -> list[tuple[date, date]]:
    """Whole months or calendar quarters ending on or before `as_of`, oldest first."""
    return whole_periods_to(as_of, grain, months)


def _cache_file(store: Store, grain: str, months: int) -> Path:
    return keyed_path(store.path, f"series-{grain}", content_version(store), grain, months,
                      SERIES_COLUMNS, load_settings())


def series_ready(store: Store | privacy.Handle, grain: str = "month",
                 months: int | None = None) -> bool:
    """True when the series of this grain are kept beside the database for its current data
    version (the refresh after an import builds them), so reading them computes nothing."""
    months = months or load_settings().history_months
    return _cache_file(privacy.full(store), grain, months).exists()


def build_series(store: Store | privacy.Handle, grain: str = "month", months: int | None = None,
                 progress: Callable[[str, float], None] | None = None,
                 use_cache: bool = True) -> pl.DataFrame:
    """Every indicator for consecutive periods, for the agency, each unit and each region.

    Args:
        store: the database, or a handle bound to the viewer the series are for.
        grain: month or quarter.
        months: history to cover (default trends.yaml `history_months`).
        progress: called with a message and a fraction done.
        use_cache: read and write the copy kept beside the database for this data version.

    Returns:
        Columns indicator_id, period_start, period_end, group_by, group_value, numerator,
        denominator, value, followup_complete, provisional (the period ended less than
        `provisional_days` before the as-of date: late entries are still arriving).

    Raises:
        AccessDenied: a public audience (the series are not part of the publication).
    """
    # Series of every month or quarter are not in the publication (pages/_nav.py serves the
    # trend pages to staff only): a public audience is refused, never given them.
    if privacy.viewer_of(store).public:
        raise privacy.AccessDenied("Trend series are for agency staff; public audiences see "
                                   "the published figures only.")
    figures = _full_series(privacy.full(store), grain, months, progress, use_cache)
    return privacy.release_indicator_rows(figures, privacy.viewer_of(store), privacy.full(store))


def _full_series(store: Store, grain: str, months: int | None,
                 progress: Callable[[str, float], None] | None, use_cache: bool) -> pl.DataFrame:
    months = months or load_settings().history_months
    as_of = as_of_date(store)
    if as_of is None:
        return pl.DataFrame(schema={c: pl.String for c in SERIES_COLUMNS})
    cache = _cache_file(store, grain, months)
    if use_cache and cache.exists():
        return pl.read_parquet(cache)
    spans = periods(as_of, grain, months)

    fresh = as_of - timedelta(days=load_settings().provisional_days)

    # Every period of an indicator in one set-based pass (`compute_series`), exactly the
    # figures `compute` gives each period; progress is reported once per indicator.
    figures = compute_series(store, spans, by=list(GROUPINGS), as_of=as_of, progress=(
        (lambda message, fraction: progress(f"{message}, {len(spans)} {grain}s each", fraction))
        if progress else None))
    out = figures.with_columns((pl.col("period_end") > fresh).alias("provisional")) \
        .select(SERIES_COLUMNS) if spans else \
        pl.DataFrame(schema={c: pl.String for c in SERIES_COLUMNS})
    if use_cache:
        keep(out, cache, f"series-{grain}-*.parquet")  # read-only folder: recomputed next time
    return out


def series_for(series: pl.DataFrame, indicator_id: str, group_by: str = "all",
               group_value: str = "all") -> pl.DataFrame:
    """One indicator's series for one group, oldest period first."""
    return series.filter((pl.col("indicator_id") == indicator_id)
                         & (pl.col("group_by") == group_by)
                         & (pl.col("group_value") == group_value)).sort("period_start")


# --------------------------------------------------------------------------- charts


@dataclass(frozen=True)
class Signal:
    """One finding on a chart, in words."""

    rule: str
    """outside_limits, shift, few_crossings, trend or two_in_three."""
    direction: str
    """improvement, concern or neutral (the indicator has no better direction)."""
    side: str
    """high or low: where the points are, relative to the centre line."""
    start: date
    """First period of the signal."""
    end: date
    """Last period of the signal."""
    points: int
    """Number of periods involved."""
    sentence: str
    """One plain sentence a supervisor can read aloud."""
    strength: float
    """Weight for ranking (trends.yaml `strength`)."""


@dataclass(frozen=True)
class TrendChart:
    """A run or control chart of one indicator for one group, ready to draw and explain."""

    indicator_id: str
    """The indicator."""
    group_by: str
    """all, unit or region."""
    group_value: str
    """The group (unit id, region name, or 'all')."""
    grain: str
    """month or quarter."""
    chart: str
    """Chart type used (run, p, pp, u, up, i or xmr for Making Data Count)."""
    chart_label: str
    """The chart type in words, e.g. "Laney P′ chart (periods vary more than chance)"."""
    preset: str
    """anhoej or mdc."""
    points: pl.DataFrame
    """period_start, value, numerator, denominator, cl, lcl, ucl, lcl_95, ucl_95 (the
    2-sigma lines; Making Data Count's "near the limit" lines), part, baseline, signal
    (bool), rule (str or null), provisional, on the chart's scale (proportions 0-1,
    rates per 1,000 or 100,000 days)."""
    signals: tuple[Signal, ...]
    """Signals, oldest first."""
    trial: bool
    """True when the current phase is too short for settled limits."""
    left_out: tuple[date, ...]
    """Periods left out because their follow-up is not complete yet."""
    too_small: tuple[date, ...]
    """Periods left out because the denominator is below `min_denominator`."""
    variation: str
    """common_cause, special_cause_improvement, special_cause_concern,
    special_cause_neutral_high or special_cause_neutral_low (the latest point)."""
    assurance: str | None
    """consistent_pass, consistent_fail or inconsistent against the standard; None without
    a standard, a direction or limits."""
    sigma_z: float | None
    """Laney's sigma-z for proportions and rates (1 = as much spread as chance predicts)."""
    notes: tuple[str, ...] = field(default=())
    """Plain sentences on how the chart was made (chart choice, trial limits, gaps)."""

    @property
    def centre_word(self) -> str:
        """The centre line in words: the median on run and g charts, else the average."""
        return centre_word(self.chart)

    def scale(self, entry: CatalogEntry) -> float:
        """Factor from the chart's values to the numbers people read (100 for percent; 1 on
        a g chart, whose values are whole periods)."""
        return 1.0 if self.chart == "g" else display_scale(entry)

    def axis_title(self, entry: CatalogEntry) -> str:
        """The value axis's title in words."""
        if self.chart == "g":
            return f"{_UNIT_WORDS[self.grain][1].capitalize()} without an event, between events"
        return AXIS_TITLES.get(entry.unit, "Value")

    def value_text(self, entry: CatalogEntry, value: float | None, short: bool = False) -> str:
        """One plotted value (or centre line or limit) in words, on the display scale."""
        if self.chart != "g":
            return format_display(entry, value, short=short)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "not available"
        one, many = _UNIT_WORDS[self.grain]
        rounded = round(float(value), 1)
        shown = f"{rounded:g}"
        return f"{shown} {one if rounded == 1 else many}"


def centre_word(chart: str) -> str:
    """What the centre line of a chart type is: the runs rules count crossings of it."""
    return "median" if chart in ("run", "g") else "average"


_UNIT_WORDS = {"month": ("month", "months"), "quarter": ("quarter", "quarters")}


def _chart_type(entry: CatalogEntry, cfg_kind: str, interval: str) -> str:
    if cfg_kind == "proportion":
        return "p"
    if cfg_kind == "rate" or interval == "poisson":
        return "u"
    return "i"


def _direction(entry: CatalogEntry, side: str) -> str:
    if entry.direction == "higher":
        return "improvement" if side == "high" else "concern"
    if entry.direction == "lower":
        return "improvement" if side == "low" else "concern"
    return "neutral"


def _variation(direction: str, side: str) -> str:
    if direction == "neutral":
        return f"special_cause_neutral_{side}"
    return f"special_cause_{direction}"


def _consequence(direction: str) -> str:
    return {"improvement": " This is an improvement.",
            "concern": " This needs attention."}.get(direction, "")


def _crossed(n: int, centre: str) -> str:
    if n == 0:
        return f"never crossed the {centre}"
    return f"crossed the {centre} only " + {1: "once", 2: "twice"}.get(n, f"{n} times")


def _span_words(start: date, end: date, grain: str) -> str:
    if start == end:
        return period_label(start, grain)
    return f"{period_label(start, grain)} to {period_label(end, grain)}"


def _runs(side_values: np.ndarray) -> list[tuple[int, int, int]]:
    """(start index, end index, side) of each run of same-side values (0 skipped)."""
    out: list[tuple[int, int, int]] = []
    current: list[int] = []
    for i, s in enumerate(side_values):
        if s == 0 or np.isnan(s):
            continue
        if current and side_values[current[-1]] != s:
            out.append((current[0], current[-1], int(side_values[current[-1]])))
            current = []
        current.append(i)
    if current:
        out.append((current[0], current[-1], int(side_values[current[-1]])))
    return out


def _group_flags(flags: Sequence[bool], sides: Sequence[int]) -> list[tuple[int, int, int]]:
    """Consecutive flagged points on the same side, as (start, end, side)."""
    out: list[tuple[int, int, int]] = []
    for i, (flag, side) in enumerate(zip(flags, sides)):
        if not flag:
            continue
        if out and out[-1][1] == i - 1 and out[-1][2] == side:
            out[-1] = (out[-1][0], i, side)
        else:
            out.append((i, i, side))
    return out


def control_chart(series: pl.DataFrame, entry: CatalogEntry, grain: str = "month",
                  preset: str | None = None, freeze_at: date | None = None,
                  split_at: Iterable[date] = (), settings: TrendSettings | None = None,
                  minimum_denominator: bool = True, points: bool = True) -> TrendChart:
    """The right chart for one series, with its signals explained.

    Args:
        series: one indicator for one group (`series_for`).
        entry: the indicator's catalog entry (direction, display unit, standard).
        grain: month or quarter (for the words).
        preset: anhoej or mdc (default trends.yaml).
        freeze_at: the baseline is the periods before this date; its centre line and
            limits extend to later periods ("did the change shift the process?").
        split_at: dates from which a new process starts, with its own centre and limits.
        settings: trends.yaml settings (loaded when None).
        minimum_denominator: leave out periods with a denominator below the minimum.
        points: False when only the signals and the chart's name are wanted (the scan of
            thousands of charts): the chart's `points` then hold only each point's
            period_start, and `assurance` is None. The signals are the same.
    """
    settings = settings or load_settings()
    preset = preset or settings.preset
    if series.is_empty():
        raise CQIError("There is no data for this indicator and group yet.")
    cfg = load_config()[_family(entry.id)]
    kind = _chart_type(entry, cfg.kind, cfg.interval)
    iid, group_by, group_value = (series["indicator_id"][0], series["group_by"][0],
                                  series["group_value"][0])

    # Plain arrays rather than frame filters: the scan calls this for thousands of series.
    cols = series.to_dict(as_series=False)
    if any(x >= y for x, y in zip(cols["period_start"], cols["period_start"][1:])):
        cols = series.sort("period_start").to_dict(as_series=False)
    all_starts = cols["period_start"]
    complete = np.array(cols["followup_complete"], dtype=bool)
    all_den = np.array(cols["denominator"], dtype=float)
    floor = settings.min_denominator if (minimum_denominator and group_by != "all") else 1
    left_out = [d for d, c in zip(all_starts, complete) if not c]
    too_small = [d for d, c, n in zip(all_starts, complete, all_den) if c and n < floor]
    keep = complete & (all_den >= floor)
    bounds = _bounds(entry, cfg)
    few_events = False
    if kind in ("p", "u"):
        rare = _rare_chart(entry, (iid, group_by, group_value), cols, complete, grain, preset,
                           settings, bool(freeze_at) or bool(tuple(split_at)), points)
        if isinstance(rare, TrendChart):
            return rare
        few_events = rare == "few"
    if keep.sum() < 2:
        raise CQIError("Fewer than two periods have enough data to draw a trend for this "
                       "group.")
    starts = [d for d, k in zip(all_starts, keep) if k]
    num = np.array(cols["numerator"], dtype=float)[keep]
    den = all_den[keep]
    multiplier = cfg.multiplier
    value = num / den * multiplier
    provisional = [bool(p) for p, k in zip(cols["provisional"], keep) if k] \
        if "provisional" in cols else [False] * len(starts)

    freeze = sum(1 for d in starts if d < freeze_at) if freeze_at else None
    parts = sorted({sum(1 for d in starts if d < s) for s in split_at} - {0, len(starts)})
    notes: list[str] = []
    words = _UNIT_WORDS[grain][1]
    if freeze is not None and freeze < 2:
        notes.append(f"The baseline would end before the chart has two {words}, so it is "
                     "not used.")
        freeze = None
    usable = _usable_parts(parts, provisional)
    if usable != parts:
        notes.append(f"A split that would leave fewer than two judged {words} on one side "
                     "is not used.")
        parts = usable
    if freeze and not parts:
        notes.append(f"Baseline: the {freeze} {words} before {period_label(freeze_at, grain)}; "
                     f"its centre line and limits are extended to later {words} to show "
                     "whether the process has changed since.")
    elif freeze:  # qicharts2 ignores a freeze on a split chart; Making Data Count must too
        notes.append("The chart is split into phases, so the frozen baseline is not used.")
        freeze = None
    for p in parts:
        notes.append(f"New process from {period_label(starts[p], grain)}: that phase has its "
                     "own centre line and limits.")
    sigma_z = None

    if any(provisional):
        late = [period_label(d, grain) for d, p in zip(starts, provisional) if p]
        notes.append(f"{', '.join(late)} {'is' if len(late) == 1 else 'are'} provisional: "
                     "records are still being entered, so the point is shown but not judged.")
    if preset == "mdc":
        result = _mdc_chart(entry, value, starts, parts, freeze, settings, grain, provisional,
                            bounds)
        chart, label, frame, signals, variation = result
    else:
        if len(starts) < settings.min_points_control:
            chart = "run"
            notes.append(f"A run chart: {len(starts)} {_UNIT_WORDS[grain][1]} are too few for "
                         f"control limits (at least {settings.min_points_control} needed).")
        elif kind in ("p", "u"):
            base = slice(0, freeze) if freeze else slice(0, (parts or [len(starts)])[0])
            sigma_z = _sigma_z(num[base], den[base], kind)
            chart = kind
            if sigma_z is not None and sigma_z > settings.overdispersion_sigma_z:
                chart = kind * 2 if kind == "p" else "up"
                notes.append(f"The periods vary {sigma_z:.1f} times more than chance alone "
                             "would make them, so the limits are Laney's, which allow for it.")
        else:
            chart = "i"
        if few_events:
            chart = "run"
        frame, signals, variation = _qic_chart(entry, chart, num, den, value, starts, parts,
                                               freeze, multiplier, settings, grain, provisional,
                                               bounds, points)
        label = _LABELS[chart]
    if few_events:
        signals, variation, label = [], "common_cause", label + " (too few events to judge)"
        frame = frame.with_columns(pl.lit(False).alias("signal"),
                                   pl.lit(None, dtype=pl.String).alias("rule"))
        notes.append(f"Events are rare here and too few to judge a change (fewer than "
                     f"{settings.rare_min_gaps} gaps between {_UNIT_WORDS[grain][1]} with an "
                     "event), so the figures are shown without signals.")
    frame = _clip_limits(frame, bounds)

    phase_points = _current_phase_points(len(starts), parts, freeze)
    trial = chart != "run" and not few_events and phase_points < settings.trial_below[preset]
    if trial:
        label += " (trial limits)"
        notes.append(f"Trial limits: the current phase has {phase_points} "
                     f"{_UNIT_WORDS[grain][1]}; limits settle at "
                     f"{settings.trial_below[preset]}.")
    if left_out:
        notes.append(f"{len(left_out)} recent {_UNIT_WORDS[grain][1]} are left out: their "
                     "follow-up is not complete yet.")
    if too_small:
        notes.append(f"{len(too_small)} {_UNIT_WORDS[grain][1]} with fewer than {floor} in the "
                     "denominator are left out.")
    assurance = _assurance(entry, frame, chart) if points else None
    return TrendChart(indicator_id=iid, group_by=group_by, group_value=group_value,
                      grain=grain, chart=chart, chart_label=label, preset=preset, points=frame,
                      signals=tuple(signals), trial=trial, left_out=tuple(left_out),
                      too_small=tuple(too_small), variation=variation, assurance=assurance,
                      sigma_z=sigma_z, notes=tuple(notes))


_LABELS = {"run": "Run chart (median)", "p": "P chart", "pp": "Laney P′ chart",
           "u": "U chart", "up": "Laney U′ chart", "i": "I chart (individuals)",
           "xmr": "XmR chart (Making Data Count)", "g": "g chart"}
_OTHER_SIDE = {"high": "low", "low": "high"}
_MDC_RUN_LENGTH = {"shift": 7, "two_in_three": 2}
"""Making Data Count rules that a run of points at the floor could make: the points they
need (7 on one side, 2 of 3 near a limit), which must lie off the floor to count."""


def _bounds(entry: CatalogEntry, cfg) -> tuple[float, float | None]:
    """The natural floor and ceiling of a measure on the chart's scale: 0, and 100% for
    proportions and percentages (none for rates and ratios)."""
    ceiling = cfg.multiplier if cfg.kind == "proportion" or entry.unit == "percent" else None
    return 0.0, ceiling


def _favourable_bound(entry: CatalogEntry, bounds: tuple) -> float | None:
    """The bound on the better side: the floor when lower is better, the ceiling when
    higher is better (None without a direction or a ceiling)."""
    floor, ceiling = bounds
    return {"lower": floor, "higher": ceiling}.get(entry.direction)


def _few_crossings_off_bound(y: np.ndarray, cl: np.ndarray, at_bound: np.ndarray,
                             settings: TrendSettings) -> bool:
    """Whether too few crossings remain when points at the favourable bound are treated
    like points on the centre line (they neither extend nor break a run)."""
    off = np.where(at_bound, np.nan, y)
    again = spc.runs_analysis(off, cl)
    return bool(again["n_useful"] >= settings.min_points_runs
                and again["n_crossings"] < again["n_crossings_min"])


def _last_side_off_bound(y: np.ndarray, cl: np.ndarray, at_bound: np.ndarray) -> str | None:
    """high or low: the side of the centre line of the latest point off the bound."""
    with np.errstate(invalid="ignore"):
        sides = np.sign(y - cl)
    useful = sides[~at_bound & ~np.isnan(sides) & (sides != 0)]
    return None if not useful.size else ("high" if useful[-1] > 0 else "low")


def _clip_limits(frame: pl.DataFrame, bounds: tuple[float, float | None]) -> pl.DataFrame:
    """Limits clipped at the measure's natural floor and ceiling: a limit below 0% or above
    100% is not a value the measure can take (qicharts2 clips P charts the same way)."""
    floor, ceiling = bounds
    limits = [c for c in ("lcl", "ucl", "lcl_95", "ucl_95") if c in frame.columns]
    if not limits:  # the points of a scan: nothing to clip
        return frame
    return frame.with_columns(
        pl.col(c).clip(lower_bound=floor, upper_bound=ceiling) for c in limits)


def _rare_chart(entry: CatalogEntry, group: tuple[str, str, str], cols: dict,
                complete: np.ndarray, grain: str, preset: str, settings: TrendSettings,
                phased: bool, points: bool = True) -> "TrendChart | str | None":
    """A g chart of the gaps between periods with an event, when events are rare.

    Rare: the median events (numerator) per judged period is below
    `rare_events_per_period`. A P or U chart of such a series is mostly zeros, and runs of
    zeros read as shifts that are not there; qicharts2 recommends charting the time or
    count between events instead (its g chart: centre line the median gap, limits from the
    mean gap m as m ± 3·sqrt(m(m + 1)), the geometric distribution of Benneyan 2001;
    METHODS.md 1.1). Every period whose follow-up is complete and that had anyone to count
    (a denominator above 0) counts, however small: a period with no event is a period with
    no event, but a period with no one in it was no opportunity for one.

    Returns:
        The chart; "few" when events are rare but give fewer than `rare_min_gaps` judged
        gaps (the caller draws the series without signals); None when events are not rare.
    """
    complete = complete & (np.nan_to_num(np.array(cols["denominator"], dtype=float)) > 0)
    starts = [d for d, c in zip(cols["period_start"], complete) if c]
    events = np.nan_to_num(np.array(cols["numerator"], dtype=float)[complete])
    dens = np.array(cols["denominator"], dtype=float)[complete]
    late = [bool(p) for p, c in zip(cols.get("provisional", [False] * len(complete)),
                                    complete) if c]
    judged = [e for e, p in zip(events, late) if not p]
    if not judged or float(np.median(judged)) >= settings.rare_events_per_period:
        return None
    found = spc.event_gaps(events.tolist())
    pos = list(found.positions)
    provisional = [late[i] or (found.open_last and k == len(pos) - 1)
                   for k, i in enumerate(pos)]
    if sum(not p for p in provisional) < settings.rare_min_gaps:
        return "few"
    one, many = _UNIT_WORDS[grain]
    x = [starts[i] for i in pos]
    frame, signals, variation = _qic_chart(
        entry, "g", events[pos], dens[pos], np.array(found.gaps, dtype=float), x, [], None, 1,
        settings, grain, provisional, points=points)
    frame = _clip_limits(frame, (0.0, None))
    median = float(np.median(judged))
    notes = [f"Rare events: in most {many} there were none (a median of {median:g} per "
             f"{one}, below {settings.rare_events_per_period:g}), so a chart of the {one}ly "
             "figure would show long runs of zeros that are not a change. This g chart shows "
             f"instead how many {many} passed without an event between one {one} with an "
             "event and the next; a gap above the upper limit means events have become "
             "rarer, and a run of empty months on its own is never a signal."]
    if found.open_last:
        notes.append(f"The last point is the gap still running ({found.gaps[-1]} {many} "
                     f"since the last event, to {period_label(x[-1], grain)}): drawn, not "
                     "judged.")
    late_events = [period_label(d, grain) for d, i in zip(x, pos) if late[i] and events[i] > 0]
    if late_events:
        notes.append(f"{', '.join(late_events)} {'is' if len(late_events) == 1 else 'are'} "
                     "provisional: records are still being entered, so the point is shown "
                     "but not judged.")
    if preset == "mdc":
        notes.append("Rare events are charted this way whichever rules are chosen: the upper "
                     "limit of the g chart and the runs rules on its median.")
    if phased:
        notes.append("A baseline or a new phase is not used on a chart of gaps between "
                     "events.")
    gaps_judged = sum(not p for p in provisional)
    trial = gaps_judged < settings.trial_below["anhoej"]
    label = f"g chart ({many} between events)" + (" (trial limits)" if trial else "")
    if trial:
        notes.append(f"Trial limits: {gaps_judged} gaps between events so far; limits settle "
                     f"at {settings.trial_below['anhoej']}.")
    iid, group_by, group_value = group
    return TrendChart(indicator_id=iid, group_by=group_by, group_value=group_value,
                      grain=grain, chart="g", chart_label=label, preset=preset, points=frame,
                      signals=tuple(signals), trial=trial, left_out=tuple(
                          d for d, c in zip(cols["period_start"], cols["followup_complete"])
                          if not c),
                      too_small=(), variation=variation, assurance=None, sigma_z=None,
                      notes=tuple(notes))


def _family(output_id: str) -> str:
    return output_id.split(".")[0]


def _sigma_z(num: np.ndarray, den: np.ndarray, kind: str) -> float | None:
    """Laney's sigma-z of the baseline: the spread of the periods' z-scores."""
    keep = den > 0
    num, den = num[keep], den[keep]
    if num.size < 3 or den.sum() == 0:
        return None
    cl = num.sum() / den.sum()
    if cl <= 0 or (kind == "p" and cl >= 1):
        return None
    sigma = np.sqrt(cl * (1 - cl) / den) if kind == "p" else np.sqrt(cl / den)
    value = spc.laney_sigma_z(num / den, np.full(num.size, cl), sigma,
                              np.ones(num.size, dtype=bool), ordered=True)
    return None if math.isnan(value) else value


def _usable_parts(parts: list[int], provisional: Sequence[bool]) -> list[int]:
    """The splits that leave at least two judged periods in every phase (fewer cannot
    give a centre line and limits)."""
    judged = np.concatenate([[0], np.cumsum([not p for p in provisional])])
    kept: list[int] = []
    for p in parts:
        if judged[p] - judged[kept[-1] if kept else 0] >= 2:
            kept.append(p)
    while kept and judged[-1] - judged[kept[-1]] < 2:
        kept.pop()
    return kept


def _current_phase_points(count: int, parts: list[int], freeze: int | None) -> int:
    if freeze:
        return freeze
    if parts:
        return count - parts[-1]
    return count


def _qic_chart(entry, chart, num, den, value, starts, parts, freeze, multiplier, settings,
               grain, provisional, bounds=(None, None), points=True):
    exclude = [i + 1 for i, p in enumerate(provisional) if p] or None
    if chart in ("p", "pp", "u", "up"):
        result = spc.qic(num.tolist(), n=den.tolist(), x=starts, chart=chart, freeze=freeze,
                         part=parts or None, exclude=exclude, multiply=multiplier)
    else:
        result = spc.qic(value.tolist(), x=starts, chart=chart, freeze=freeze,
                         part=parts or None, exclude=exclude)
    pts = result.columns  # arrays: no data frame per chart while scanning
    y = np.asarray(pts["y"], dtype=float)
    cl = np.asarray(pts["cl"], dtype=float)
    with np.errstate(invalid="ignore"):
        sides = np.sign(y - cl)
    signals: list[Signal] = []
    rules: list[str | None] = [None] * len(starts)
    flagged = [False] * len(starts)
    words = _UNIT_WORDS[grain]
    centre = centre_word(chart)
    gaps = chart == "g"
    # On a g chart a long gap means fewer events: its better side is the other way round.
    direction_of = (lambda s: _direction(entry, _OTHER_SIDE[s])) if gaps else \
        (lambda s: _direction(entry, s))
    favourable = _favourable_bound(entry, bounds) if not gaps else None
    at_bound = np.zeros(len(starts), dtype=bool) if favourable is None else \
        np.isclose(y, favourable)

    # 1. points beyond the limits (a provisional point is not judged)
    sigma = [flag and not late for flag, late in zip(pts["sigma_signal"].tolist(), provisional)]
    for a, b, side in _group_flags(sigma, [int(s) for s in np.nan_to_num(sides)]):
        s = "high" if side > 0 else "low"
        direction = direction_of(s)
        n = b - a + 1
        where = "above the upper" if s == "high" else "below the lower"
        if gaps:
            subject = (f"The gap ending {period_label(starts[a], grain)} "
                       f"({int(y[a])} {words[0] if y[a] == 1 else words[1]} without an event) was"
                       if n == 1 else f"{n} gaps in a row "
                       f"({_span_words(starts[a], starts[b], grain)}) were")
            what = f"events have become {'rarer' if s == 'high' else 'more frequent'} than " \
                   "chance alone explains"
        else:
            subject = (period_label(starts[a], grain) + " was" if n == 1 else
                       f"{n} {words[1]} ({_span_words(starts[a], starts[b], grain)}) were")
            what = f"more than ordinary {words[0]}-to-{words[0]} variation"
        signals.append(Signal("outside_limits", direction, s, starts[a], starts[b], n,
                              f"{subject} {where} limit: {what}.{_consequence(direction)}",
                              settings.strength["outside_limits"]))
        for i in range(a, b + 1):
            rules[i], flagged[i] = "outside_limits", True

    # 2. runs rules per part (not on runs of fewer useful points than the minimum)
    part_of = pts["part"].tolist()
    for row in result.runs_rows:
        if not row["n_useful"] or row["n_useful"] < settings.min_points_runs:
            continue
        idx = [i for i, p in enumerate(part_of) if p == row["part"] and not provisional[i]]
        part_sides = sides[idx]
        if row["longest_run"] > row["longest_run_max"]:
            for a, b, side in _runs(part_sides):
                members = [idx[k] for k in range(a, b + 1) if part_sides[k] != 0]
                if len(members) <= row["longest_run_max"]:
                    continue
                s = "high" if side > 0 else "low"
                direction = direction_of(s)
                if direction == "improvement" and \
                        sum(not at_bound[i] for i in members) <= row["longest_run_max"]:
                    continue  # a run made long by points at the floor (or ceiling): no news
                first, last = idx[a], idx[b]
                span = _span_words(starts[first], starts[last], grain)
                if gaps:
                    sentence = (f"{len(members)} gaps in a row "
                                f"{'longer' if s == 'high' else 'shorter'} than the median gap "
                                f"({span}): events have become "
                                f"{'rarer' if s == 'high' else 'more frequent'}, not by chance.")
                else:
                    sentence = (f"{len(members)} {words[1]} in a row "
                                f"{'above' if s == 'high' else 'below'} the {centre} ({span}): "
                                "a real shift, not chance.")
                signals.append(Signal(
                    "shift", direction, s, starts[first], starts[last], len(members),
                    sentence + _consequence(direction), settings.strength["shift"]))
                for i in members:
                    flagged[i] = True
                    rules[i] = rules[i] or "shift"
        if row["n_crossings"] < row["n_crossings_min"]:
            last_side = part_sides[~np.isnan(part_sides) & (part_sides != 0)]
            s = "high" if last_side.size and last_side[-1] > 0 else "low"
            direction = direction_of(s)
            if direction == "improvement" and at_bound[idx].any() and (
                    not _few_crossings_off_bound(y[idx], cl[idx], at_bound[idx], settings)
                    or _last_side_off_bound(y[idx], cl[idx], at_bound[idx]) != s):
                continue  # few crossings, or the better side, only through points at the floor
            points_word = "gaps" if gaps else words[1]
            signals.append(Signal(
                "few_crossings", direction, s, starts[idx[0]], starts[idx[-1]], len(idx),
                f"The line {_crossed(row['n_crossings'], centre + (' gap' if gaps else ''))} "
                f"in {row['n_useful']} {points_word}; chance alone would give at least "
                f"{row['n_crossings_min']}: the process has shifted or drifted.",
                settings.strength["few_crossings"]))
    signals.sort(key=lambda s: (s.end, s.start))
    variation = "common_cause"
    judged = [d for d, p in zip(starts, provisional) if not p]
    for sig in signals:
        if sig.rule != "few_crossings" and judged and sig.end == judged[-1]:
            variation = _variation(sig.direction, sig.side)
    if not points:  # a scan reads the signals and when each point is
        return pl.DataFrame({"period_start": starts}, schema={"period_start": pl.Date}), \
            signals, variation
    frame = pl.DataFrame({
        "period_start": starts,
        "value": spc._nulls(y), "numerator": num, "denominator": den,  # noqa: SLF001
        "cl": spc._nulls(cl), "lcl": spc._nulls(pts["lcl"]),  # noqa: SLF001
        "ucl": spc._nulls(pts["ucl"]), "part": pts["part"],  # noqa: SLF001
        "lcl_95": spc._nulls(pts["lcl_95"]), "ucl_95": spc._nulls(pts["ucl_95"]),  # noqa: SLF001
        "baseline": pts["baseline"], "signal": flagged, "rule": rules,
        "provisional": provisional,
    }, schema_overrides={"rule": pl.String})
    return frame, signals, variation


_MDC_RULES = {"Above UCL": "outside_limits", "Below LCL": "outside_limits",
              "7 Point Trend (Increasing)": "trend", "7 Point Trend (Decreasing)": "trend",
              "2 in 3 Above CL": "two_in_three", "2 in 3 Below CL": "two_in_three",
              "7 Points Above CL": "shift", "7 Points Below CL": "shift"}


def _mdc_chart(entry, value, starts, parts, freeze, settings, grain, provisional,
               bounds=(None, None)):
    improvement = {"higher": "increase", "lower": "decrease"}.get(entry.direction, "neutral")
    rebase = [starts[p] for p in parts]
    late = [i for i, p in enumerate(provisional) if p]
    judged = [i for i, p in enumerate(provisional) if not p]
    result = spc.mdc([value[i] for i in judged], [starts[i] for i in judged],
                     improvement=improvement, rebase=rebase or None, fix_after_n_points=freeze)
    pts = result.points
    if late:  # shown after the judged points, with the last limits, never flagged
        tail = pts.tail(1)
        extra = pl.concat([tail.with_columns(pl.lit(starts[i]).alias("x"),
                                             pl.lit(float(value[i])).alias("y"),
                                             pl.lit("Common Cause").alias("special_cause_type"))
                           for i in late])
        pts = pl.concat([pts, extra])
    labels = pts["special_cause_type"].to_list()
    words = _UNIT_WORDS[grain]
    signals: list[Signal] = []
    rules = [_MDC_RULES.get(label) for label in labels]
    favourable = _favourable_bound(entry, bounds)
    shown = pts["y"].to_list()
    at_bound = [favourable is not None and v is not None and math.isclose(v, favourable,
                                                                         abs_tol=1e-9)
                for v in shown]
    i = 0
    while i < len(labels):
        if rules[i] is None:
            i += 1
            continue
        j = i
        while j + 1 < len(labels) and labels[j + 1] == labels[i]:
            j += 1
        label, n = labels[i], j - i + 1
        high = "Above" in label or "Increasing" in label
        s = "high" if high else "low"
        direction = _direction(entry, s)
        off = sum(not at_bound[k] for k in range(i, j + 1))
        if direction == "improvement" and rules[i] in _MDC_RUN_LENGTH \
                and off < _MDC_RUN_LENGTH[rules[i]]:
            for k in range(i, j + 1):  # a run of points at the floor (or ceiling): no news
                rules[k] = None
            i = j + 1
            continue
        span = _span_words(starts[i], starts[j], grain)
        sentence = {
            "outside_limits": f"{span} {'was' if n == 1 else 'were'} "
                              f"{'above the upper' if high else 'below the lower'} process "
                              "limit: more than ordinary variation.",
            "trend": f"{n} {words[1]} in a row each {'higher' if high else 'lower'} than the "
                     f"one before ({span}): a sustained trend.",
            "two_in_three": f"Two of three {words[1]} close to the "
                            f"{'upper' if high else 'lower'} limit ({span}): an early sign "
                            "of a shift.",
            "shift": f"{n} {words[1]} in a row {'above' if high else 'below'} the average "
                     f"({span}): a real shift, not chance.",
        }[rules[i]] + _consequence(direction)
        signals.append(Signal(rules[i], direction, s, starts[i], starts[j], n, sentence,
                              settings.strength[rules[i]]))
        i = j + 1
    frame = pl.DataFrame({
        "period_start": starts, "value": pts["y"],
        "numerator": [None] * len(starts), "denominator": [None] * len(starts),
        "cl": pts["mean"], "lcl": pts["lpl"], "ucl": pts["upl"],
        "lcl_95": pts["nlpl"], "ucl_95": pts["nupl"],
        "part": (pts["rebase_group"] + 1), "baseline": [True] * len(starts),
        "signal": [r is not None for r in rules], "rule": rules,
        "provisional": [i in late for i in range(len(starts))],
    }, schema_overrides={"rule": pl.String, "numerator": pl.Float64,
                         "denominator": pl.Float64})
    label = _LABELS["xmr"]
    return "xmr", label, frame, signals, result.variation


def _assurance(entry: CatalogEntry, frame: pl.DataFrame, chart: str) -> str | None:
    if chart in ("run", "g") or entry.standard is None or entry.direction not in ("higher", "lower"):
        return None
    last = frame.row(frame.height - 1, named=True)
    if last["ucl"] is None or last["lcl"] is None:
        return None
    standard = entry.standard  # the catalog keeps it on the plotted scale (rates per 1,000 …)
    higher = entry.direction == "higher"
    if standard > last["ucl"]:
        return "consistent_fail" if higher else "consistent_pass"
    if standard < last["lcl"]:
        return "consistent_pass" if higher else "consistent_fail"
    return "inconsistent"


# --------------------------------------------------------------------------- scan


def scan(series: pl.DataFrame, catalog: Catalog, grain: str = "month",
         preset: str | None = None, recent: int | None = None,
         groups: Sequence[str] = ("all", "unit", "region"),
         strongest_only: bool = False) -> pl.DataFrame:
    """Signals in the most recent periods of every indicator × group, strongest first.

    Args:
        strongest_only: keep one row per chart (indicator × group): its strongest recent
            signal by score (the later one on a tie). A chart whose recent months show a
            concern and an improvement is one finding, not two.

    Returns:
        indicator_id, group_by, group_value, direction, rule, sentence, strength,
        signal_start, signal_end, periods_ago (0 = the latest period), chart, score,
        signals (recent signals on the same chart).
    """
    settings = load_settings()
    recent = recent or settings.recent_periods[grain]
    rows = []
    if series.is_empty():
        return _empty_scan()
    judged = series.filter(pl.col("followup_complete") & ~pl.col("provisional")) \
        .group_by("indicator_id").agg(pl.col("period_start").unique().sort())
    judged_periods = dict(zip(judged["indicator_id"].to_list(),
                              judged["period_start"].to_list()))
    chosen = series.filter(pl.col("group_by").is_in(list(groups))).sort(
        ["indicator_id", "group_by", "group_value", "period_start"])
    for (iid, group_by, group_value), part in _charts_of(chosen):
        if iid not in catalog:
            continue
        entry = catalog.entry(iid)
        weight = settings.context_weight if entry.measure_type == "context" else 1.0
        last_periods = judged_periods.get(iid, [])[-recent:]
        if not last_periods:
            continue
        try:
            chart = control_chart(part, entry, grain, preset=preset,
                                  settings=settings, points=False)
        except CQIError:
            continue
        plotted = chart.points["period_start"].to_list()
        for sig in chart.signals:
            if sig.end < last_periods[0]:
                continue
            ago = len([d for d in plotted if d > sig.end])
            rows.append({"indicator_id": iid, "group_by": group_by, "group_value": group_value,
                         "direction": sig.direction, "rule": sig.rule,
                         "sentence": sig.sentence, "strength": sig.strength,
                         "signal_start": sig.start, "signal_end": sig.end, "periods_ago": ago,
                         "chart": chart.chart_label,
                         "score": weight * (sig.strength + (recent - ago) / recent)})
    if not rows:
        return _empty_scan()
    chart_key = ["indicator_id", "group_by", "group_value"]
    found = pl.DataFrame(rows).with_columns(
        pl.len().over(chart_key).cast(pl.Int64).alias("signals")) \
        .sort(["score", "signal_end"], descending=[True, True])
    if strongest_only:
        found = found.unique(chart_key, keep="first", maintain_order=True)
    return found


def _charts_of(series: pl.DataFrame):
    """((indicator_id, group_by, group_value), its rows) of series sorted by those keys: slices
    of the one frame, not a frame per chart (the scan reads thousands of charts)."""
    keys = series.select("indicator_id", "group_by", "group_value")
    runs = keys.with_row_index("_at").filter(
        pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift(1)) for c in keys.columns)
        | (pl.col("_at") == 0))
    starts = runs["_at"].to_list() + [series.height]
    for k, key in enumerate(runs.select(keys.columns).iter_rows()):
        yield key, series.slice(starts[k], starts[k + 1] - starts[k])


def _empty_scan() -> pl.DataFrame:
    return pl.DataFrame(schema={
        "indicator_id": pl.String, "group_by": pl.String, "group_value": pl.String,
        "direction": pl.String, "rule": pl.String, "sentence": pl.String,
        "strength": pl.Float64, "signal_start": pl.Date, "signal_end": pl.Date,
        "periods_ago": pl.Int64, "chart": pl.String, "score": pl.Float64,
        "signals": pl.Int64})


# --------------------------------------------------------------------------- notes



def scan_file(store: Store, grain: str) -> Path:
    """Where the strongest recent signal of every chart of this grain (the settings' own rules
    and recent periods) is kept beside the database for its data version."""
    return keyed_path(store.path, f"scan-{grain}", content_version(store), grain,
                      SERIES_COLUMNS, load_settings())


def scan_and_keep(series: pl.DataFrame, catalog: Catalog, grain: str,
                  path: Path) -> pl.DataFrame:
    """`scan(strongest_only=True)` of `series` with the settings' own rules and recent periods,
    kept at `path` (`scan_file`), where `recent_changes` reads it. It needs no database: the
    refresh runs it in a process of its own (`publish.scan_job`)."""
    found = scan(series, catalog, grain, strongest_only=True)
    keep(found, path, f"scan-{grain}-*.parquet")  # read-only folder: computed when asked
    return found


def recent_changes(store: Store | privacy.Handle, grain: str = "month",
                   preset: str | None = None, recent: int | None = None) -> pl.DataFrame:
    """The strongest recent signal of every chart (measure × agency, region or unit) of the
    series of this grain: `scan(strongest_only=True)`, what What changed lists.

    With the settings' own rules and recent periods it is read from the copy the refresh
    after each import keeps beside the database for the data version (`build_scan`), or
    computed and kept; other choices are computed.

    Raises:
        AccessDenied: a public audience (the series behind it are for staff).
    """
    settings = load_settings()
    preset = preset or settings.preset
    recent = recent or settings.recent_periods[grain]
    if privacy.viewer_of(store).public:
        build_series(store, grain)  # refuses, as the series themselves do
    full = privacy.full(store)
    usual = preset == settings.preset and recent == settings.recent_periods[grain]
    path = scan_file(full, grain)
    if usual and path.exists():
        return pl.read_parquet(path)
    series = build_series(full, grain)
    if usual:
        return scan_and_keep(series, load_catalog(full), grain, path)
    return scan(series, load_catalog(full), grain, preset=preset, recent=recent,
                strongest_only=True)


def build_scan(store: Store | privacy.Handle, grain: str = "month") -> int:
    """Keep the recent changes of this grain (`recent_changes` with the settings' rules)
    beside the database for its data version; the refresh runs it after the series.
    Returns the signals kept."""
    return recent_changes(privacy.full(store), grain).height

def _sql(name: str) -> str:
    return statement(HERE / "sql" / "trends", name)


def add_note(store: Store, indicator_id: str, group_by: str, group_value: str,
             note_date: date, kind: str, text: str, user: str,
             source: str = "note") -> int:
    """Record a dated note, a frozen baseline or a split, with its reason; returns its id.

    Raises:
        CQIError: an unknown kind or an empty reason.
    """
    if kind not in ("note", "freeze", "split"):
        raise CQIError(f"A chart note is a note, a freeze or a split, not {kind!r}.")
    if not text or not text.strip():
        raise CQIError("Say why: a note, a frozen baseline or a split needs a reason.")
    with store.writing() as cur:
        try:
            return cur.execute(_sql("add_note"), {
                "indicator_id": indicator_id, "group_by": group_by, "group_value": group_value,
                "note_date": note_date, "kind": kind, "text": text.strip(), "source": source,
                "user": user, "at": datetime.now()}).fetchall()[0][0]
        finally:
            cur.close()


def remove_note(store: Store, note_id: int, user: str) -> None:
    """Mark a note removed (its row stays, with who removed it and when)."""
    with store.writing() as cur:
        try:
            cur.execute(_sql("remove_note"),
                        {"user": user, "at": datetime.now(), "note_id": note_id}).fetchall()
        finally:
            cur.close()


def chart_notes(store: Store, indicator_id: str, group_by: str = "all",
                group_value: str = "all") -> pl.DataFrame:
    """Notes that apply to one chart (its own and agency-wide ones, and the start and end of
    the improvement cycles studied on it: kind 'cycle', source 'cycle:<id>'), oldest first."""
    return store.query(_sql("chart_notes_with_cycles"), {"indicator_id": indicator_id,
                                             "group_by": group_by, "group_value": group_value})


def chart_phases(notes: pl.DataFrame) -> tuple[date | None, tuple[date, ...]]:
    """The baseline and phases a chart's notes ask for: (freeze_at, split_at).

    The latest freeze note ends the baseline; every split note starts a new process. A
    split replaces a frozen baseline (the change it tested is now the process), so the
    freeze is not returned when the chart has a split.
    """
    if notes.is_empty():
        return None, ()
    splits = tuple(sorted(set(notes.filter(pl.col("kind") == "split")["note_date"].to_list())))
    freezes = notes.filter(pl.col("kind") == "freeze")["note_date"].to_list()
    return (None if splits or not freezes else max(freezes)), splits
