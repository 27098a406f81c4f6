"""Bright spots: units whose improvement has lasted, with what their case reviews say.

Positive deviance, read off the charts the agency already keeps: the What changed scan
(`trends.scan`) over every unit's monthly run and control charts, kept to charts whose
strongest recent signal is an improvement that is *sustained* as `bright_spots.yaml` defines
it (the kind of signal, its length, reaching the latest judged month, the latest judged
months still on the better side of the centre line, and enough events on the chart to tell).
Rare events are charted as gaps between events (`trends`), so a run of empty months is never
a bright spot. The figure quoted is the latest complete month's; a provisional month after
it is named as provisional.
Beside each: the unit's review ratings of the items paired with the improving measure
(`joint_pairs.yaml`), the themes most often raised in its narratives rated a strength, a
quote or two, and a summary in Markdown ready to share with other units.

What a viewer may see: quotes from units whose cases the viewer may not list are those
approved for sharing only (as a public audience reads them); for public viewers every
table goes through `privacy.release`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl

from cqi_core import privacy
from cqi_core.settings import load_yaml
from cqi_core.analysis import qualitative
from cqi_core.analysis import quotes
from cqi_core.analysis import trends
from cqi_core.errors import CQIError
from cqi_core.indicators.catalog import Catalog, load_catalog
from cqi_core.indicators.display import format_share, format_value
from cqi_core.analysis.joint_pairs import JointSettings, load_joint_settings
from cqi_core.analysis.reviews import ITEMS, RATING_WORDS, item_names, item_rates, rated_items
from cqi_core.periods import month_end_on_or_before, period_ending, period_label
from cqi_core.storage.store import Store
from cqi_core.storage.facts import as_of_date, unit_list
from cqi_core.analysis.unit_profile import item_rows

PATH = Path(__file__).with_name("bright_spots.yaml")
RULE_KINDS = ("shift", "trend", "outside_limits", "two_in_three", "few_crossings")


@dataclass(frozen=True)
class BrightSpotSettings:
    """What makes an improvement sustained, and how much each bright spot shows."""

    grain: str
    """month or quarter: the charts read."""
    rules: tuple[str, ...]
    """Kinds of improvement signal that count."""
    min_points: int
    """A signal covers at least this many periods."""
    max_periods_ago: int
    """… and reaches to within this many judged periods of the latest judged one on its
    chart (0: the latest; provisional periods are never judged)."""
    min_events: int
    """The chart's judged periods hold at least this many events (numerator) in all."""
    hold_points: int
    """The chart's latest judged periods that must all lie on the better side."""
    skip_measure_types: tuple[str, ...]
    """Measure types whose signals never count (context)."""
    review_months: int
    """Reviews of this many months up to the as-of date."""
    top_themes: int
    """Themes shown per bright spot."""
    quotes: int
    """Quotes shown per bright spot."""


@lru_cache(maxsize=4)
def load_settings(path: str | None = None) -> BrightSpotSettings:
    """bright_spots.yaml, checked.

    Raises:
        CQIError: an unknown grain or rule, or a number out of range.
    """
    raw = load_yaml(path or PATH) or {}
    try:
        s = BrightSpotSettings(
            grain=str(raw["grain"]), rules=tuple(raw["rules"]), min_points=int(raw["min_points"]),
            max_periods_ago=int(raw["max_periods_ago"]), hold_points=int(raw["hold_points"]),
            min_events=int(raw["min_events"]),
            skip_measure_types=tuple(raw.get("skip_measure_types") or ()),
            review_months=int(raw["review_months"]), top_themes=int(raw["top_themes"]),
            quotes=int(raw["quotes"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise CQIError(f"bright_spots.yaml does not match the expected settings: {exc}") from exc
    bad = [r for r in s.rules if r not in RULE_KINDS]
    if s.grain not in trends.GRAINS or bad or not s.rules:
        raise CQIError("bright_spots.yaml: grain must be month or quarter and rules some of "
                       f"{', '.join(RULE_KINDS)}.")
    if min(s.min_points, s.hold_points, s.review_months) < 1 or s.max_periods_ago < 0 \
            or s.min_events < 0 \
            or s.top_themes < 1 or s.quotes < 0:
        raise CQIError("bright_spots.yaml: a number is out of range.")
    return s


# --------------------------------------------------------------------------- signals

_SIGNAL_SCHEMA = {"unit_id": pl.String, "indicator_id": pl.String, "measure": pl.String,
                  "rule": pl.String, "sentence": pl.String, "signal_start": pl.Date,
                  "signal_end": pl.Date, "points": pl.Int64, "held": pl.Int64,
                  "latest_period": pl.Date, "numerator": pl.Float64, "denominator": pl.Float64,
                  "latest_value": pl.Float64, "value_text": pl.String,
                  "provisional_text": pl.String, "events": pl.Float64, "chart": pl.String}


def sustained_signals(series: pl.DataFrame, catalog: Catalog,
                      settings: BrightSpotSettings | None = None,
                      found: pl.DataFrame | None = None) -> tuple[pl.DataFrame, dict]:
    """Improvement signals on units' charts that are sustained (bright_spots.yaml).

    Per chart only its strongest recent signal is read (`trends.scan(strongest_only=True)`):
    a chart whose strongest news is a concern is not a bright spot.

    Args:
        series: `trends.build_series` at the settings' grain (every unit).
        catalog: the indicator catalog.
        found: the scan of these series with the settings' rules, when it is at hand
            (`trends.recent_changes`, kept by the refresh); scanned here when None.

    Returns:
        (signals, charts): one row per sustained signal with unit_id, indicator_id, measure,
        rule, sentence, signal_start, signal_end, points, held (latest judged periods on
        the better side), latest_period (the latest complete period), numerator,
        denominator, latest_value, value_text (its figure), provisional_text (the
        provisional periods after it, in words, or null), events (on the chart's judged
        periods), chart; strongest first. `charts` maps (unit_id, indicator_id) to its
        `trends.TrendChart`.
    """
    s = settings or load_settings()
    if found is None:
        found = trends.scan(series, catalog, s.grain, groups=("unit",), strongest_only=True)
    found = found.filter((pl.col("group_by") == "unit") & (pl.col("direction") == "improvement")
                         & pl.col("rule").is_in(list(s.rules)))
    rows, charts = [], {}
    for (iid, unit), part in found.group_by(["indicator_id", "group_value"], maintain_order=True):
        entry = catalog.entry(iid)
        if entry.measure_type in s.skip_measure_types or entry.direction not in ("higher", "lower"):
            continue
        one = trends.series_for(series, iid, "unit", unit)
        chart = trends.control_chart(one, entry, s.grain)
        judged = _judged(chart)
        events = float(one.filter(pl.col("followup_complete") & ~pl.col("provisional"))
                       ["numerator"].fill_null(0).sum())
        if events < s.min_events:
            continue
        held = _held(chart, judged, entry.direction, s.hold_points)
        if held < s.hold_points:
            continue
        wanted = {(r["rule"], r["signal_start"], r["signal_end"]) for r in part.iter_rows(named=True)}
        last_dates = judged["period_start"].to_list()
        kept = [g for g in chart.signals if (g.rule, g.start, g.end) in wanted
                and g.direction == "improvement" and g.points >= s.min_points
                and sum(1 for d in last_dates if d > g.end) <= s.max_periods_ago]
        if not kept:
            continue
        charts[(unit, iid)] = chart
        latest = _latest_figures(one, entry)
        for g in kept:
            rows.append({"unit_id": unit, "indicator_id": iid, "measure": entry.name,
                         "rule": g.rule, "sentence": g.sentence, "signal_start": g.start,
                         "signal_end": g.end, "points": g.points, "held": held,
                         **latest, "events": events, "chart": chart.chart_label})
    out = pl.DataFrame(rows, schema=_SIGNAL_SCHEMA)
    return out.sort(["points", "unit_id", "indicator_id"], descending=[True, False, False]), charts


def _judged(chart: trends.TrendChart) -> pl.DataFrame:
    """The chart's judged points: not provisional, with a value and a centre line."""
    return chart.points.filter(~pl.col("provisional") & pl.col("value").is_not_null()
                               & pl.col("cl").is_not_null())


def _held(chart: trends.TrendChart, judged: pl.DataFrame, direction: str, wanted: int) -> int:
    """How many of the chart's latest `wanted` judged points lie on the better side of the
    centre line (on a g chart of gaps between events, a longer gap is the better side when
    lower is better)."""
    if judged.is_empty():
        return 0
    tail = judged.tail(wanted)
    higher_better = (direction == "higher") != (chart.chart == "g")
    better = (tail["value"] > tail["cl"]) if higher_better else (tail["value"] < tail["cl"])
    return int(better.sum())


def _latest_figures(series: pl.DataFrame, entry) -> dict:
    """The latest complete period's figures from the unit's series, and the provisional
    periods after it in words ("September 2026 (provisional): 16.7%"), or None."""
    complete = series.filter(pl.col("followup_complete") & pl.col("value").is_not_null())
    done = complete.filter(~pl.col("provisional"))
    if done.is_empty():
        return {"latest_period": None, "numerator": None, "denominator": None,
                "latest_value": None, "value_text": None, "provisional_text": None}
    last = done.row(done.height - 1, named=True)
    late = complete.filter(pl.col("provisional") & (pl.col("period_start") > last["period_start"]))
    grain = "quarter" if (last["period_end"] - last["period_start"]).days > 40 else "month"
    words = "; ".join(f"{period_label(r['period_start'], grain)} (provisional, records still "
                      f"arriving): {format_value(entry, r['value'])}"
                      for r in late.iter_rows(named=True))
    return {"latest_period": last["period_start"], "numerator": last["numerator"],
            "denominator": last["denominator"], "latest_value": last["value"],
            "value_text": format_value(entry, last["value"]), "provisional_text": words or None}


# --------------------------------------------------------------------------- the spots

@dataclass(frozen=True)
class BrightSpot:
    """One unit with sustained improvement, and what its reviews say."""

    unit_id: str
    """The unit."""
    unit_name: str
    """Its name."""
    region: str | None
    """Its region."""
    signals: pl.DataFrame
    """Its sustained improvement signals (`sustained_signals` columns, as released)."""
    items: pl.DataFrame
    """Ratings of the review items paired with the improving measures: item, item_name,
    strengths, n, rate, ci_low, ci_high, agency_strengths, agency_n, agency_rate,
    versus_agency (as released)."""
    themes: pl.DataFrame
    """Themes most often raised in its narratives rated a strength: code, theme,
    strength_texts, texts (its rated narratives with the theme), strength_share."""
    quotes: pl.DataFrame
    """Exemplar quotes rated a strength: item, text, period_month (as the viewer may read
    them)."""
    charts: tuple[trends.TrendChart, ...]
    """The charts behind the signals (none for a public viewer)."""
    summary: str
    """The bright spot in Markdown, ready to share."""


def bright_spots(store: Store | privacy.Handle, as_of: date | None = None, series: pl.DataFrame | None = None,
                 settings: BrightSpotSettings | None = None,
                 joint: JointSettings | None = None) -> tuple[BrightSpot, ...]:
    """Every unit with a sustained improvement, most sustained signals first.

    Args:
        store: the database, or a handle whose viewer decides what is released.
        as_of: the data's as-of date (default: the store's).
        series: `trends.build_series` at the settings' grain, in full, as computed on the
            plain store (built, or read from its cache, when None). A public viewer's own
            series have small cells masked and must not be passed.
        settings: bright_spots.yaml; joint: joint_pairs.yaml (loaded when None).

    Raises:
        CQIError: a store without data.
    """
    s = settings or load_settings()
    joint = joint or load_joint_settings()
    viewer = privacy.viewer_of(store)
    full = privacy.full(store)
    as_of = as_of or as_of_date(full)
    if as_of is None:
        raise CQIError("No data is loaded yet.")
    catalog = load_catalog(full)
    found = None
    if series is None:
        series = trends.build_series(full, s.grain)
        if as_of == as_of_date(full):  # the scan the refresh keeps is of these series
            found = trends.recent_changes(full, s.grain)
    series = series.filter(pl.col("period_end") <= as_of)
    signals, charts = sustained_signals(series, catalog, s, found)
    if signals.is_empty():
        return ()
    start, end = period_ending(month_end_on_or_before(as_of), s.review_months)
    rated = rated_items(full, start, end)
    texts = qualitative.excerpts(full, start, end, ["case_review"])
    coded = qualitative.coded_excerpts(full, start, end, ["case_review"])
    names = {t.code: t.name for t in qualitative.load_codebook(full).themes}
    items_named = item_names(full)
    units = {r["unit_id"]: r for r in unit_list(full).iter_rows(named=True)}
    order = (signals.group_by("unit_id").agg(pl.len().alias("n"), pl.col("points").max().alias("longest"))
             .sort(["n", "longest", "unit_id"], descending=[True, True, False]))
    agency = item_rates(rated)  # the same beside every unit
    rated_of, coded_of, texts_of = _by_unit(rated), _by_unit(coded), _by_unit(texts)
    spots = []
    for unit_id in order["unit_id"].to_list():
        mine = signals.filter(pl.col("unit_id") == unit_id)
        released = privacy.release(mine, viewer, counts=["numerator", "denominator"],
                                   derived=["latest_value", "value_text", "sentence",
                                            "provisional_text"])
        if viewer.public and released["sentence"].is_null().all():
            continue
        paired = [i for p in joint.pairs if p.indicator in set(mine["indicator_id"].to_list())
                  for i in p.items]
        items = item_rows(rated_of(unit_id), unit_id, joint, items_named, agency).filter(
            pl.col("item").is_in(paired))
        items = privacy.release(items, viewer, counts=["strengths", "n", "agency_strengths", "agency_n"],
                                derived=["rate", "ci_low", "ci_high", "agency_rate", "versus_agency"])
        themes = privacy.release(strength_themes(coded_of(unit_id), unit_id, s.top_themes, names),
                                 viewer, counts=["strength_texts", "texts"],
                                 derived=["strength_share"])
        picked = strength_quotes(store, texts_of(unit_id), unit_id, paired, s.quotes)
        unit = units.get(unit_id, {"unit_name": unit_id, "region": None})
        spot_charts = () if viewer.public else tuple(
            charts[(unit_id, i)] for i in dict.fromkeys(mine["indicator_id"].to_list()))
        spots.append(BrightSpot(
            unit_id=unit_id, unit_name=unit["unit_name"], region=unit["region"],
            signals=released, items=items, themes=themes, quotes=picked, charts=spot_charts,
            summary=summary_markdown(unit["unit_name"], unit["region"], released, items, themes,
                                     picked, start, end, as_of, s.grain)))
    return tuple(spots)


def _by_unit(frame: pl.DataFrame):
    """A unit's rows of `frame` (none for a unit without any), split once for every unit."""
    parts = frame.partition_by("unit_id", as_dict=True)
    return lambda unit_id: parts.get((unit_id,), frame.clear())


def strength_themes(coded: pl.DataFrame, unit_id: str, top: int,
                    names: dict[str, str]) -> pl.DataFrame:
    """The themes most often raised in a unit's review narratives rated a strength.

    Returns:
        code, theme, strength_texts (narratives rated a strength with the theme), texts
        (narratives rated strength or area needing improvement with the theme),
        strength_share; most strength narratives first, top `top`.
    """
    schema = {"code": pl.String, "theme": pl.String, "strength_texts": pl.Int64,
              "texts": pl.Int64, "strength_share": pl.Float64}
    mine = coded.filter((pl.col("unit_id") == unit_id)
                        & pl.col("rating").is_in(["strength", "area_needing_improvement"]))
    if mine.is_empty():
        return pl.DataFrame(schema=schema)
    out = (mine.group_by("code").agg(
        strength_texts=pl.col("excerpt_id").filter(pl.col("rating") == "strength").n_unique(),
        texts=pl.col("excerpt_id").n_unique())
        .filter(pl.col("strength_texts") > 0)
        .with_columns(strength_share=pl.col("strength_texts") / pl.col("texts"),
                      theme=pl.col("code").replace_strict(names, default=pl.col("code")))
        .sort(["strength_texts", "code"], descending=[True, False]).head(top))
    return out.select(list(schema)).cast(schema)


def strength_quotes(store: Store | privacy.Handle, texts: pl.DataFrame, unit_id: str, paired: list[str],
                    wanted: int) -> pl.DataFrame:
    """Up to `wanted` narratives rated a strength, from the paired items first, as the viewer
    may read them (another unit's, when the viewer may not list its cases, only if approved
    for sharing)."""
    schema = {"item": pl.String, "text": pl.String, "period_month": pl.Date}
    viewer = privacy.viewer_of(store)
    role = viewer.role if viewer.sees_unit(unit_id) else "stakeholder"
    mine = texts.filter((pl.col("unit_id") == unit_id) & (pl.col("rating") == "strength"))
    visible = qualitative.text_for_audience(mine, role, store)
    if visible.is_empty() or wanted == 0:
        return pl.DataFrame(schema=schema)
    order = {item: k for k, item in enumerate(ITEMS)}
    picked = quotes.exemplars(visible, ["item"], per_group=wanted).with_columns(
        _paired=~pl.col("item").is_in(paired),
        _o=pl.col("item").replace_strict(order, default=len(order)))
    return picked.sort(["_paired", "_o"]).head(wanted).select(list(schema)).cast(schema)


_pct = format_share


def summary_markdown(unit_name: str, region: str | None, signals: pl.DataFrame,
                     items: pl.DataFrame, themes: pl.DataFrame, picked: pl.DataFrame,
                     start: date, end: date, as_of: date, grain: str = "month") -> str:
    """A bright spot in Markdown, from the tables as released to the viewer."""
    lines = [f"## Bright spot: {unit_name}" + (f" ({region})" if region else ""), "",
             "**What improved, and has held**", ""]
    for r in signals.iter_rows(named=True):
        if r["sentence"] is None:
            continue
        held = (f" The latest {r['held']} judged points of its chart are all on the better "
                "side of the centre line." if r["held"] else "")
        latest = (f" Latest complete {grain}, {period_label(r['latest_period'], grain)}: "
                  f"{r['value_text']}." if r["value_text"] and r["latest_period"] else "")
        late = f" {r['provisional_text']}." if r.get("provisional_text") else ""
        lines.append(f"- **{r['measure']}.** {r['sentence']}{held}{latest}{late}")
    lines += ["", f"**What the case reviews say** (first reviews dated {start:%B %-d, %Y} to "
                  f"{end:%B %-d, %Y})", ""]
    for r in items.iter_rows(named=True):
        if r["rate"] is None:
            lines.append(f"- {r['item_name']}: too few reviews to show.")
        else:
            lines.append(f"- {r['item_name']}: rated a strength in {_pct(r['rate'])} of "
                         f"{r['n']} reviews (agency {_pct(r['agency_rate'])}).")
    if themes.height:
        listed = "; ".join(f"{r['theme']}" + (f" ({r['strength_texts']} narratives)"
                                              if r["strength_texts"] is not None else "")
                           for r in themes.iter_rows(named=True))
        lines.append(f"- Themes most often raised where reviewers found a strength: {listed}.")
    if not items.height and not themes.height:
        lines.append("- No case review of this unit in the period carries a rated narrative.")
    if picked.height:
        lines += ["", "**In the reviewers' words**", ""]
        for r in picked.iter_rows(named=True):
            when = f", {r['period_month']:%B %Y}" if r["period_month"] else ""
            lines += [f"> {r['text']}", f">", f"> — Item {r['item']}, "
                      f"{RATING_WORDS['strength'].lower()}{when}", ""]
    lines += ["", f"_Observed figures, not risk-adjusted. A signal means a change bigger or "
                  f"longer than ordinary ups and downs. Data as of {as_of:%B %-d, %Y}._", ""]
    return "\n".join(lines)


def bright_spot_table(spots: tuple[BrightSpot, ...]) -> pl.DataFrame:
    """One row per bright spot: unit_id, unit_name, region, signals, measures (names),
    longest (periods of its longest signal)."""
    rows = [{"unit_id": s.unit_id, "unit_name": s.unit_name, "region": s.region,
             "signals": s.signals.height,
             "measures": ", ".join(dict.fromkeys(s.signals["measure"].to_list())),
             "longest": int(s.signals["points"].max()) if s.signals.height else 0}
            for s in spots]
    return pl.DataFrame(rows, schema={"unit_id": pl.String, "unit_name": pl.String,
                                      "region": pl.String, "signals": pl.Int64,
                                      "measures": pl.String, "longest": pl.Int64})
