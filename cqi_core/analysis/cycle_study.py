"""The study of an improvement cycle: did the measures move when the change started, and what
did people say? (METHODS.md 5.1-5.3.)

For each measure × unit of a cycle (or the agency, for an agency-wide cycle):

- the SPC chart with the baseline frozen at the start of the cycle: the baseline's centre
  line and limits carry on into the periods since, so a run below or points beyond them
  show a shift (`trends.control_chart(freeze_at=...)`), and one plain sentence says whether
  a signal of improvement appeared after the start, taking the measure's better direction
  into account;
- a segmented regression (`its.segmented_regression`) once there are at least 3 periods
  on each side (with a warning below 8): the level and slope change with 95% intervals,
  the fitted segments and the earlier trend carried on, in words;
- what people said ("you said, we did"): the themes of feedback, staff survey comments and
  case review narratives for the cycle's units, from a year before the start to its end,
  led by the themes the codebook links to the cycle's measures, with quotes the reader may
  see (`qualitative.text_for_audience`).

The period containing the start date is the first period after the change: a cycle that
starts on March 15 is studied from March. The baseline is the `baseline_periods` before it
(improvement.yaml), within the history the Trends charts keep (trends.yaml
`history_months`); the periods after run to the as-of date. The study reads the measures for its own
periods only (the cycle's measures, every unit and region, as the Trends series does), so
it does not wait for the whole series to be built, and a public audience gets them
suppressed by `indicators.compute` exactly as every other view does; the charts and the
regression are then drawn from the published periods alone.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from cqi_core import privacy
from cqi_core.methods import its
from cqi_core.analysis import qualitative
from cqi_core.analysis import trends
from cqi_core.analysis import voices
from cqi_core.errors import CQIError
from cqi_core.analysis.improvement import Cycle, load_settings
from cqi_core.analysis.improvement import cycle as saved_cycle
from cqi_core.indicators.catalog import CatalogEntry, load_catalog
from cqi_core.indicators.engine import compute, load_config
from cqi_core.periods import period_label, plus_months
from cqi_core.storage.facts import as_of_date
from cqi_core.storage.store import Store
from cqi_core.indicators.display import format_display

SOURCE_TYPES = ("feedback", "staff_survey", "case_review")
"""Where "you said" reads from."""
FAMILY_WORDS = {"gaussian": "straight lines fitted to the values (least squares)",
                "poisson": "a Poisson model of the counts over the days at risk",
                "binomial": "a binomial model of the counts out of the total"}
SE_WORDS = {"ols": "ordinary", "model": "from the model",
            "quasi": "widened for periods that vary more than chance (quasi-likelihood)",
            "newey_west": "Newey–West, allowing for correlated neighbouring periods"}


@dataclass(frozen=True)
class Panel:
    """One measure for one unit (or the agency) in the study of a cycle."""

    indicator_id: str
    """The measure."""
    group_by: str
    """all or unit."""
    group_value: str
    """'all' or the unit id."""
    chart: trends.TrendChart | None
    """The SPC chart with the baseline frozen at the start (None when it cannot be drawn)."""
    notes: pl.DataFrame
    """Notes to draw on the chart (note_date, kind, text): the end of the baseline, the
    cycle's start and end, and (for analysts and supervisors) other dated notes and cycles."""
    verdict: str
    """Whether a signal of improvement appeared after the start, in one or two sentences."""
    improved: bool | None
    """True: a signal of improvement after the start; False: none (or a concern); None:
    too early, no baseline, or a measure with no better direction."""
    fit: its.SegmentedFit | None
    """The segmented regression (None with fewer than 3 periods on a side)."""
    fit_words: tuple[str, ...]
    """The regression in plain sentences (or why there is none)."""
    periods: tuple[date, ...]
    """First day of each period of the regression, oldest first."""
    observed: tuple[float | None, ...]
    """The regression's observed values on its response scale (value, rate per unit of
    exposure or proportion); None where a period took no part."""
    to_chart: float
    """Factor from the regression's response scale to the chart's (the measure's
    multiplier for rates, else 1)."""
    problem: str | None = None
    """Why nothing could be drawn, when that is so."""


@dataclass(frozen=True)
class Study:
    """The study view of one cycle."""

    cycle: Cycle
    """The cycle (as the viewer may read it)."""
    grain: str
    """month or quarter."""
    first_post: date
    """First day of the first period after the change (the period holding the start)."""
    as_of: date | None
    """The data's as-of date (None: no data)."""
    panels: tuple[Panel, ...]
    """One per measure × unit, in the cycle's order."""
    heard: pl.DataFrame
    """"You said": rank, code, theme, sources, total_sources, share, quotes, related (the
    codebook links the theme to one of the cycle's measures); counts released for the
    viewer."""
    heard_from: date
    """First day of the feedback read."""
    heard_to: date
    """Last day of the feedback read."""
    heard_related: bool
    """True when the themes listed are those linked to the cycle's measures."""

    @property
    def parametrisation(self) -> str:
        """How time after the change is counted, in words (METHODS.md 5.2)."""
        unit = "month" if self.grain == "month" else "quarter"
        return (f"Time after the change counts the first {unit} of the cycle as {unit} 1, so "
                f"the change seen in that {unit} is the level change plus one {unit} of the "
                "slope change (β2 + β3).")


PUBLIC_STUDY = ("The study's month-by-month figures are for staff: public figures are "
                "published as 12-month periods only, and this measure's are on the Indicators "
                "page.")


def _period_start(d: date, grain: str) -> date:
    step = trends.GRAINS[grain]
    return date(d.year, (d.month - 1) // step * step + 1, 1)


def _series(store: Store | privacy.Handle, indicators: tuple[str, ...], spans: list[tuple[date, date]],
            as_of: date) -> pl.DataFrame:
    """The cycle's measures for every unit and region, period by period (released for the
    viewer by `compute`), with the Trends series' provisional flag."""
    fresh = as_of - timedelta(days=trends.load_settings().provisional_days)

    def one(span: tuple[date, date]) -> pl.DataFrame:
        frame = compute(store, span[0], span[1], by=list(trends.GROUPINGS),
                        indicators=list(indicators), as_of=as_of)
        return frame.with_columns(pl.lit(span[1] > fresh).alias("provisional"))

    with ThreadPoolExecutor(max_workers=2) as pool:
        frames = list(pool.map(one, spans))
    if not frames:
        return pl.DataFrame(schema={c: pl.String for c in trends.SERIES_COLUMNS})
    return pl.concat(frames, how="diagonal_relaxed")


def _published(one: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """The periods a viewer may see, and how many were hidden (suppressed) for them."""
    hidden = 0
    if privacy.SUPPRESSED in one.columns:
        flags = one[privacy.SUPPRESSED].fill_null(False)
        hidden = int(flags.sum())
        one = one.filter(~flags)
    return one.select(trends.SERIES_COLUMNS), hidden


def verdict(chart: trends.TrendChart, entry: CatalogEntry, first_post: date,
            grain: str) -> tuple[str, bool | None]:
    """Whether a signal of improvement appeared from `first_post` on, in words, with True
    (improvement), False (none, or a concern) or None (too early, no baseline, or a measure
    with no better direction). The chart's baseline must be frozen at `first_post`."""
    words = {"month": ("month", "months"), "quarter": ("quarter", "quarters")}[grain]
    judged = chart.points.filter(~pl.col("provisional"))
    after = judged.filter(pl.col("period_start") >= first_post).height
    start_words = period_label(first_post, grain)
    if after == 0:
        return (f"Too early to tell: no {words[0]} since the cycle began ({start_words}) has "
                "complete data yet.", None)
    if judged.filter(pl.col("period_start") < first_post).height < 2:
        return ("There are too few periods before the cycle began to freeze a baseline, so the "
                "chart cannot say whether the change moved the measure.", None)
    since = [s for s in chart.signals if s.end >= first_post]

    def before(s: trends.Signal) -> str:
        return (" It began before the cycle started, so the cycle may not be its cause."
                if s.start < first_post and s.rule != "few_crossings" else "")

    better = [s for s in since if s.direction == "improvement"]
    if better:
        s = better[-1]
        return (f"Yes: a signal of improvement appeared after the cycle began. {s.sentence}"
                f"{before(s)}", True)
    neutral = [s for s in since if s.direction == "neutral"]
    if neutral:
        s = neutral[-1]
        return (f"The measure changed after the cycle began, but neither way is better for it. "
                f"{s.sentence}{before(s)}", None)
    worse = [s for s in since if s.direction == "concern"]
    if worse:
        s = worse[-1]
        return (f"No sign of improvement since the cycle began; instead: {s.sentence}"
                f"{before(s)}", False)
    unit = words[0] if after == 1 else words[1]
    return (f"No signal of improvement yet: the {after} {unit} since {start_words} are within "
            "what the baseline gives by chance."
            + (" With so few, a real change can still be hidden." if after < 6 else ""), False)


def _regression(one: pl.DataFrame, chart: trends.TrendChart, starts: list[date],
                first_post: date, entry: CatalogEntry, grain: str):
    """The segmented regression on the chart's judged periods; (fit, words, observed, to_chart)."""
    cfg = load_config()[entry.id.split(".")[0]]
    family = ("binomial" if cfg.kind == "proportion" else
              "poisson" if cfg.kind == "rate" or cfg.interval == "poisson" else "gaussian")
    to_chart = cfg.multiplier if family == "poisson" else 1.0
    judged = set(chart.points.filter(~pl.col("provisional"))["period_start"].to_list())
    rows = {r["period_start"]: r for r in one.iter_rows(named=True) if r["period_start"] in judged}
    num = [rows[d]["numerator"] if d in rows else None for d in starts]
    den = [rows[d]["denominator"] if d in rows else None for d in starts]
    change_at = sum(1 for d in starts if d < first_post)
    if family == "gaussian":
        y = [rows[d]["value"] if d in rows else None for d in starts]
        kwargs: dict = {}
        observed = y
    else:
        y = num
        kwargs = {"exposure": den} if family == "poisson" else {"n": den}
        observed = [None if a is None or not b else a / b for a, b in zip(num, den)]
    if not 0 < change_at < len(starts):
        words = ("The regression needs periods both before and after the start.",)
        return None, words, observed, to_chart
    try:
        fit = its.segmented_regression(y, change_at, family=family, **kwargs)
    except CQIError as exc:
        return None, (str(exc),), observed, to_chart
    observed = [v if used else None for v, used in zip(observed, fit.used)]
    return fit, _fit_words(fit, entry, grain, starts, to_chart), observed, to_chart


def _pct(ratio: float) -> str:
    change = (ratio - 1) * 100
    return f"{abs(change):.0f}% {'higher' if change >= 0 else 'lower'}"


def _fit_words(fit: its.SegmentedFit, entry: CatalogEntry, grain: str, starts: list[date],
               to_chart: float) -> tuple[str, ...]:
    unit = "month" if grain == "month" else "quarter"
    k = fit.change_at
    first = period_label(starts[k], grain)
    last = period_label(starts[-1], grain)

    def show(v: float) -> str:
        return format_display(entry, v * to_chart) if math.isfinite(v) else "beyond any scale"

    est, lo, hi = fit.immediate_change
    beta3, lo3, hi3 = fit.coef[3], fit.ci_low[3], fit.ci_high[3]
    out = [f"In {first}, the first {unit} of the cycle, the fitted value was "
           f"{show(fit.fitted[k])} against {show(fit.counterfactual[k])} had the earlier trend "
           f"carried on; by {last}, {show(fit.fitted[-1])} against "
           f"{show(fit.counterfactual[-1])}."]
    if fit.relative:
        what, was = ("rate", "was") if fit.family == "poisson" else ("odds", "were")
        out.append(f"At the start the {what} {was} {_pct(math.exp(est))} than the earlier trend "
                   f"predicts (95% interval {_pct(math.exp(lo))} to {_pct(math.exp(hi))}); after "
                   f"it, the {what} changed by {(math.exp(beta3) - 1) * 100:+.1f}% a {unit} more "
                   f"than before (95% interval {(math.exp(lo3) - 1) * 100:+.1f}% to "
                   f"{(math.exp(hi3) - 1) * 100:+.1f}%).")
    else:
        out.append(f"At the start the level changed by {format_display(entry, est, True)} "
                   f"(95% interval {format_display(entry, lo, True)} to "
                   f"{format_display(entry, hi, True)}); the trend changed by "
                   f"{format_display(entry, beta3, True)} a {unit} (95% interval "
                   f"{format_display(entry, lo3, True)} to {format_display(entry, hi3, True)}).")
    if fit.far_extrapolation:
        out.append("The trend before the change is too steep to carry on this far, so these "
                   "figures cannot say whether the change made a difference: read the chart.")
    elif lo > 0 or hi < 0:
        up = est > 0
        way = ("neither way is better for this measure" if entry.direction == "none" else
               "the better way" if up == (entry.direction == "higher") else "the worse way")
        out.append(f"The interval of the change at the start leaves out no change: the measure "
                   f"moved {way}, beyond what chance would explain." if entry.direction != "none"
                   else f"The interval of the change at the start leaves out no change ({way}).")
    else:
        out.append("The interval of the change at the start includes no change, so these data "
                   "cannot show that the change made a difference.")
    out.extend(fit.warnings)
    return tuple(out)


def _notes(store, cycle: Cycle, entry_id: str, group_by: str, group_value: str,
           first_post: date, public: bool) -> pl.DataFrame:
    rows = [{"note_date": first_post, "kind": "freeze", "text": "Baseline ends"}]
    rows.append({"note_date": cycle.start_date, "kind": "cycle",
                 "text": f"Cycle {cycle.cycle_id} began"})
    if cycle.end_date is not None:
        rows.append({"note_date": cycle.end_date, "kind": "cycle",
                     "text": f"Cycle {cycle.cycle_id} ended"})
    if not public:  # other dated notes and cycles (a training, another test) help read it
        others = trends.chart_notes(store, entry_id, group_by, group_value).filter(
            pl.col("kind").is_in(["note", "cycle"])
            & (pl.col("source") != f"cycle:{cycle.cycle_id}"))
        rows += others.select("note_date", "kind", "text").to_dicts()
    return pl.DataFrame(rows, schema={"note_date": pl.Date, "kind": pl.String, "text": pl.String})


def _panel(store, cycle: Cycle, entry: CatalogEntry, group_by: str, group_value: str,
           series: pl.DataFrame, starts: list[date], first_post: date, grain: str,
           public: bool) -> Panel:
    notes = _notes(store, cycle, entry.id, group_by, group_value, first_post, public)
    one, hidden = _published(trends.series_for(series, entry.id, group_by, group_value))
    if hidden:
        # Suppression hides the periods with small non-zero counts, so the periods left are
        # not a fair sample of the series: a chart or a fit drawn from them would mislead.
        unit = "months" if grain == "month" else "quarters"
        problem = (f"{hidden} of the {hidden + one.height} {unit} have numbers too small to "
                   "publish, and a chart of the rest would give a misleading picture, so it is "
                   "not shown." + (" Quarterly periods may have enough." if grain == "month"
                                   else ""))
        return Panel(entry.id, group_by, group_value, None, notes, problem, None, None, (),
                     tuple(starts), (), 1.0, problem=problem)
    try:
        chart = trends.control_chart(one, entry, grain, freeze_at=first_post)
    except CQIError as exc:
        return Panel(entry.id, group_by, group_value, None, notes, str(exc), None, None,
                     (), tuple(starts), (), 1.0, problem=str(exc))
    said, improved = verdict(chart, entry, first_post, grain)
    fit, words, observed, to_chart = _regression(one, chart, starts, first_post, entry, grain)
    return Panel(entry.id, group_by, group_value, chart, notes, said, improved, fit, words,
                 tuple(starts), tuple(observed), to_chart)


def _heard(store: Store | privacy.Handle, cycle: Cycle, start: date,
           end: date) -> tuple[pl.DataFrame, bool]:
    """The themes of what people said for the cycle's units and period, released."""
    settings = load_settings()
    db, viewer = privacy.full(store), privacy.viewer_of(store)
    frame = voices.filter_voices(voices.voices(db, start, end, SOURCE_TYPES),
                                 units=list(cycle.units) or None)
    codebook = qualitative.load_codebook(db)
    names = {t.code: t.name for t in codebook.themes}
    linked = {t.code for t in codebook.themes if set(t.related) & set(cycle.indicators)}
    coded = voices.selection_coded(qualitative.coded_excerpts(db, start, end), frame)
    related = coded.filter(pl.col("code").is_in(list(linked)))
    chosen = related if related.height else coded
    visible = qualitative.text_for_audience(chosen, viewer.role, store)
    heard = voices.what_we_heard(chosen, frame, visible, names, top=settings.themes,
                                 quotes=settings.quotes)
    heard = heard.with_columns(pl.col("code").is_in(list(linked)).alias("related"))
    if viewer.public:
        # Counts over the cycle's own dates are not in the publication: a public audience
        # reads which themes came up, never how many (quotes only when approved).
        heard = privacy.release(heard, viewer, counts=[], derived=[]).with_columns(
            *[pl.lit(None, dtype=heard.schema[c]).alias(c)
              for c in ("sources", "total_sources", "share") if c in heard.columns],
            pl.lit(True).alias(privacy.SUPPRESSED))
    return heard, bool(related.height)


def study_cycle(store: Store | privacy.Handle, cycle: Cycle, grain: str = "month") -> Study:
    """The study view of a cycle (see the module docstring).

    Args:
        store: the database, or a handle whose viewer decides what is released.
        cycle: the cycle, as `improvement.cycle` returns it.
        grain: month or quarter.

    Raises:
        CQIError: an unknown grain.
    """
    if grain not in trends.GRAINS:
        raise CQIError(f"Unknown grain {grain!r}; choose month or quarter.")
    settings = load_settings()
    public = privacy.viewer_of(store).public
    first_post = _period_start(cycle.start_date, grain)
    as_of = as_of_date(privacy.full(store))
    heard_from = plus_months(cycle.start_date, -settings.heard_months_before)
    heard_to = min(cycle.end_date or as_of or cycle.start_date, as_of or cycle.start_date)
    empty_heard = pl.DataFrame(schema={"rank": pl.Int64, "theme": pl.String})
    if as_of is None:
        return Study(cycle, grain, first_post, None, (), empty_heard, heard_from, heard_to, False)
    step = trends.GRAINS[grain]
    first = plus_months(first_post, -settings.baseline_periods[grain] * step)
    # At most the history the Trends charts keep: earlier months may predate the records
    # (events before the first export read as zeros), and the charts would not match.
    spans = [s for s in trends.periods(as_of, grain, trends.load_settings().history_months)
             if s[0] >= first]
    starts = [s[0] for s in spans]
    catalog = load_catalog(privacy.full(store))
    groups = [("unit", u) for u in cycle.units] or [("all", "all")]
    if public:
        # The study reads month by month (or quarter by quarter) around the start, and
        # public figures exist only as the publication's 12-month periods: no chart or fit
        # is drawn for a public audience, and the page says where the figures are.
        panels = tuple(
            Panel(iid, by, value, None, _notes(store, cycle, iid, by, value, first_post, True),
                  PUBLIC_STUDY, None, None, (), tuple(starts), (), 1.0, problem=PUBLIC_STUDY)
            for iid in cycle.indicators if iid in catalog for by, value in groups)
    else:
        series = _series(store, cycle.indicators, spans, as_of)
        panels = tuple(
            _panel(store, cycle, catalog.entry(iid), by, value, series, starts, first_post,
                   grain, public)
            for iid in cycle.indicators if iid in catalog for by, value in groups)
    heard, related = _heard(store, cycle, heard_from, max(heard_to, heard_from))
    return Study(cycle, grain, first_post, as_of, panels, heard, heard_from, heard_to, related)


def study(store, cycle_id: int, grain: str = "month") -> Study:
    """The study view of one saved cycle: for each measure and unit the SPC chart with the
    baseline frozen at the start and a plain sentence on whether a signal of improvement
    appeared, the segmented regression when there are enough periods, and what people said
    ("you said, we did")."""
    return study_cycle(store, saved_cycle(store, cycle_id), grain)
