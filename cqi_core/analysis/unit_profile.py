"""The unit profile: a supervisor's home for their unit, the records and the reviews side by side.

For one unit: each measure's latest complete period against the agency with its run or
control chart status (`scorecard`, `trends`); the share of each case review item rated a
strength against the agency's, with Wilson intervals (`reviews`); the themes most often
raised in the unit's review narratives and stakeholder feedback (`qualitative`); and the
joint display (METHODS.md 4.3 item 8): for each pair of `joint_pairs.yaml`, what the
indicator says, what the reviews say, whether the two confirm, expand or contradict each
other (`joint_display`, the rule of `joint_pairs.yaml`), and exemplar quotes.

Who may open what: a supervisor listed for some units opens only those
(`privacy.require_case_access`); an analyst any. A public viewer gets the aggregates only
as `privacy.release` lets them through and quotes only when approved for sharing. The
computing reads the store in full (`privacy.full`) and releases what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from cqi_core import privacy
from cqi_core.analysis import qualitative
from cqi_core.analysis import quotes
from cqi_core.analysis import trends
from cqi_core.errors import CQIError
from cqi_core.indicators.catalog import Catalog, load_catalog
from cqi_core.indicators.display import TOO_FEW, format_value, verdict_words
from cqi_core.indicators.engine import load_config
from cqi_core.indicators.latest import latest_figures
from cqi_core.indicators.intervals import wilson
from cqi_core.analysis.joint_display import inside, joint_rows, standout_theme, z_value
from cqi_core.analysis.joint_pairs import JointSettings, load_joint_settings
from cqi_core.analysis.reviews import ITEMS, item_names, item_rates, rated_items
from cqi_core.periods import month_end_on_or_before, period_ending
from cqi_core.storage.store import Store
from cqi_core.storage.facts import as_of_date, unit_list
from cqi_core.indicators.display import VARIATION_ICONS, ASSURANCE_ICONS

_ITEM_ORDER = {item: k for k, item in enumerate(ITEMS)}


@dataclass(frozen=True)
class UnitProfile:
    """Everything the unit profile page shows for one unit."""

    unit_id: str
    """The unit."""
    unit_name: str
    """Its name."""
    region: str | None
    """Its region."""
    as_of: date
    """The data's as-of date."""
    review_start: date
    """First day of the window for reviews, themes and quotes."""
    review_end: date
    """Last day of that window."""
    indicators: pl.DataFrame
    """One row per measure: indicator_id, measure (its name), direction, unit (percent,
    per_1000_days …), period_start, period_end, numerator, denominator, value, ci_low,
    ci_high, agency_value, standard, verdict (meets, does not meet, can't tell yet),
    meets_standard, status, change, change_verdict (from the 12 months before),
    value_text, agency_text, interval_text, versus_agency (better, worse, close or null), variation,
    variation_words, assurance, assurance_words, signal (the latest signal in words), chart
    (chart type); the chart columns are empty for a public viewer."""
    items: pl.DataFrame
    """One row per review item rated for the unit: item, item_name, strengths, n, rate, ci_low,
    ci_high, agency_strengths, agency_n, agency_rate, versus_agency."""
    themes: pl.DataFrame
    """Top themes per source: source_type (case_review, feedback), code, theme, texts (the
    unit's narratives or comments with the theme), texts_total, share, agency_share, rank."""
    joint: pl.DataFrame
    """One row per pair: pair_id, title, indicator_id, indicator_name, items, data_text,
    agency_text, data_direction, data_clear, data_basis, review_strengths, review_n,
    review_rate, review_low, review_high, agency_review_rate, review_direction,
    review_clear, theme, label, label_words, fit_note (what the label rests on), sentence,
    agrees."""
    quotes: pl.DataFrame
    """Exemplar quotes: pair_id, item, rating, text, period_month (text as the viewer may
    read it)."""
    notes: tuple[str, ...]
    """Plain sentences on the windows and choices behind the figures."""


def _unit(store: Store, unit_id: str) -> dict:
    units = unit_list(store)
    hit = units.filter(pl.col("unit_id") == unit_id)
    if hit.is_empty():
        raise CQIError(f"There is no unit {unit_id!r} in the data.")
    return hit.row(0, named=True)


def unit_profile(store: Store | privacy.Handle, unit_id: str, as_of: date | None = None,
                 series: pl.DataFrame | None = None,
                 settings: JointSettings | None = None) -> UnitProfile:
    """The profile of one unit.

    Args:
        store: the database, or a handle whose viewer decides what is released.
        unit_id: the unit.
        as_of: the data's as-of date (default: the store's).
        series: monthly series (`trends.build_series`, in full); built (or read from its
            cache) when None. Not used for a public viewer, who is shown no chart status.
        settings: joint_pairs.yaml (loaded when None).

    Raises:
        AccessDenied: a public audience, or a supervisor asking for a unit that is not theirs.
        CQIError: an unknown unit, or a store without data.
    """
    viewer = privacy.viewer_of(store)
    if viewer.public:  # the unit profile page serves staff only (pages/_nav.py)
        raise privacy.AccessDenied("Unit profiles are for agency staff; public audiences see "
                                   "the published figures only.")
    privacy.require_case_access(viewer, unit_id)
    settings = settings or load_joint_settings()
    full = privacy.full(store)
    unit = _unit(full, unit_id)
    as_of = as_of or as_of_date(full)
    if as_of is None:
        raise CQIError("No data is loaded yet.")
    start, end = period_ending(month_end_on_or_before(as_of), settings.review_months)
    catalog = load_catalog(full)
    if viewer.public:
        series = None
    elif series is None:
        series = trends.build_series(full, "month")
    indicators = indicator_rows(store, unit_id, as_of, catalog, series)
    rated = rated_items(full, start, end)
    items = privacy.release(
        item_rows(rated, unit_id, settings, item_names(full)), viewer,
        counts=["strengths", "n", "agency_strengths", "agency_n"],
        derived=["rate", "ci_low", "ci_high", "agency_rate", "versus_agency"])
    coded = qualitative.coded_excerpts(full, start, end, ["case_review", "feedback"])
    texts = qualitative.excerpts(full, start, end, ["case_review", "feedback"])
    names = {t.code: t.name for t in qualitative.load_codebook(full).themes}
    themes = privacy.release(
        top_themes(coded, texts, unit_id, settings.top_themes, names), viewer,
        counts=["texts", "texts_total"], derived=["share"])
    standout = {p.id: standout_theme(coded, texts, unit_id, p, settings, names) for p in settings.pairs}
    joint = joint_rows(indicators, items, standout, settings, catalog, counts=not viewer.public)
    picked = exemplar_quotes(store, viewer.role, texts, unit_id, settings)
    notes = ("Measures: each one's latest complete 12-month period, as on the scorecard, "
             "against the whole agency in the same period; run and control chart status from "
             "the unit's monthly chart.",
             f"Case reviews, themes and quotes: first reviews and feedback dated "
             f"{start:%B %-d, %Y} to {end:%B %-d, %Y}.")
    return UnitProfile(unit_id=unit_id, unit_name=unit["unit_name"], region=unit["region"],
                       as_of=as_of, review_start=start, review_end=end, indicators=indicators,
                       items=items, themes=themes, joint=joint, quotes=picked, notes=notes)


# --------------------------------------------------------------------------- measures

def indicator_rows(store: Store | privacy.Handle, unit_id: str, as_of: date, catalog: Catalog,
                   series: pl.DataFrame | None) -> pl.DataFrame:
    """The unit's measures beside the agency's, each for its latest complete 12-month period,
    with their chart status. The period, value, interval, change and verdict against the
    standard are the unit's `latest.latest_figures`, the same figures the scorecard shows;
    released by the indicator engine for public viewers.
    """
    config = load_config()
    ids = [i for fid, cfg in config.items()
           if "unit" in cfg.groupings and fid not in ("Q1", "Q2")   # review items are shown apart
           for i in cfg.ids]
    figures = latest_figures(store, [("all", "all"), ("unit", unit_id)], ids, as_of)
    rows = []
    for iid in ids:
        entry, f = catalog.entry(iid), figures[(iid, "unit", unit_id)]
        agency_value = figures[(iid, "all", "all")].value
        value, low, high = f.value, f.ci_low, f.ci_high
        rows.append({
            "indicator_id": iid, "measure": entry.name, "direction": entry.direction,
            "unit": entry.unit, "period_start": f.period_start, "period_end": f.period_end,
            "numerator": f.numerator, "denominator": f.denominator,
            "value": value, "ci_low": low, "ci_high": high, "agency_value": agency_value,
            "standard": entry.standard, "verdict": f.verdict,
            "meets_standard": {"meets": True, "does not meet": False}.get(f.verdict),
            "status": verdict_words(f.verdict, entry, f.suppressed, f.too_small),
            "change": f.change, "change_verdict": f.change_verdict,
            "value_text": (TOO_FEW if f.too_small else format_value(entry, value, short=True)),
            "interval_text": (f"{format_value(entry, low, True)} to {format_value(entry, high, True)}"
                              if low is not None and high is not None else "—"),
            "agency_text": format_value(entry, agency_value, short=True),
            "versus_agency": _versus(entry.direction, value, low, high, agency_value),
            **_chart_status(series, entry, unit_id, as_of)})
    order = {i: k for k, i in enumerate(catalog.ids)}
    schema = {"numerator": pl.Float64, "denominator": pl.Float64, "value": pl.Float64,
              "ci_low": pl.Float64, "ci_high": pl.Float64, "agency_value": pl.Float64,
              "standard": pl.Float64, "verdict": pl.String, "meets_standard": pl.Boolean,
              "change": pl.Float64, "change_verdict": pl.String, "versus_agency": pl.String,
              "variation": pl.String, "variation_words": pl.String, "assurance": pl.String,
              "assurance_words": pl.String, "signal": pl.String, "chart": pl.String}
    out = pl.DataFrame(rows, schema_overrides=schema, infer_schema_length=None)
    return out.sort(pl.col("indicator_id").replace_strict(order, default=len(order)))


def _versus(direction: str, value, low, high, agency) -> str | None:
    """better / worse when the interval leaves out the agency's value, else close."""
    if value is None or agency is None or direction not in ("higher", "lower"):
        return None
    if low is None or high is None or inside(agency, low, high):
        return "close"
    above = low > agency
    return "better" if above == (direction == "higher") else "worse"


def _chart_status(series: pl.DataFrame | None, entry, unit_id: str, as_of: date) -> dict:
    empty = {"variation": None, "variation_words": None, "assurance": None,
             "assurance_words": None, "signal": None, "chart": None}
    if series is None or series.is_empty():
        return empty
    part = trends.series_for(series, entry.id, "unit", unit_id).filter(pl.col("period_end") <= as_of)
    if part.is_empty():
        return empty
    try:
        chart = trends.control_chart(part, entry, "month")
    except CQIError:
        return {**empty, "variation_words": "too few months with enough data for a chart"}
    judged = chart.points.filter(~pl.col("provisional"))["period_start"]
    last = judged[-1] if judged.len() else None
    signal = next((s.sentence for s in reversed(chart.signals) if last is not None and s.end == last), None)
    symbol, words = VARIATION_ICONS.get(chart.variation, ("", chart.variation))
    a_symbol, a_words = ASSURANCE_ICONS.get(chart.assurance, ("", None)) if chart.assurance else ("", None)
    return {"variation": chart.variation, "variation_words": f"{symbol} {words}".strip(),
            "assurance": chart.assurance,
            "assurance_words": f"{a_symbol} {a_words}".strip() if a_words else None,
            "signal": signal, "chart": chart.chart_label}


# --------------------------------------------------------------------------- review items

def item_rows(rated: pl.DataFrame, unit_id: str, settings: JointSettings,
              names: dict[str, str], agency: pl.DataFrame | None = None) -> pl.DataFrame:
    """Strength rate per item for the unit beside the agency's, with Wilson intervals.

    Args:
        rated: `reviews.rated_items` of the window (every unit, or at least the unit's).
        agency: `reviews.item_rates` of every unit's `rated` (computed from `rated` when
            None; pass it when asking for many units of the same window).
    """
    schema = {"item": pl.String, "item_name": pl.String, "strengths": pl.Int64, "n": pl.Int64,
              "rate": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64,
              "agency_strengths": pl.Int64, "agency_n": pl.Int64, "agency_rate": pl.Float64,
              "versus_agency": pl.String}
    mine = item_rates(rated.filter(pl.col("unit_id") == unit_id)).filter(pl.col("n") > 0)
    if mine.is_empty():
        return pl.DataFrame(schema=schema)
    agency = item_rates(rated) if agency is None else agency
    everyone = agency.select("item", pl.col("strengths").alias("agency_strengths"),
                             pl.col("n").alias("agency_n"), pl.col("rate").alias("agency_rate"))
    out = mine.select("item", "strengths", "n", "rate").join(everyone, on="item", how="left")
    low, high = wilson(out["strengths"].to_numpy(), out["n"].to_numpy(), z_value(settings))
    out = out.with_columns(pl.Series("ci_low", low), pl.Series("ci_high", high),
                           item_name=pl.col("item").replace_strict(names, default=pl.col("item")))
    versus = [_versus("higher", r, lo, hi, a) for r, lo, hi, a in
              out.select("rate", "ci_low", "ci_high", "agency_rate").iter_rows()]
    out = out.with_columns(pl.Series("versus_agency", versus, dtype=pl.String),
                           _o=pl.col("item").replace_strict(_ITEM_ORDER, default=len(ITEMS)))
    return out.sort("_o").select(list(schema)).cast(schema)


# --------------------------------------------------------------------------- themes

def top_themes(coded: pl.DataFrame, texts: pl.DataFrame, unit_id: str, top: int,
               names: dict[str, str]) -> pl.DataFrame:
    """The themes raised in most of the unit's texts: review narratives (one per reviewed
    item) and feedback comments, beside the agency's share.

    Texts, not reviews, are counted: every review has a narrative for nearly every item, so
    nearly every theme is present in every review, while the share of narratives that raise
    a theme still tells units apart.

    Args:
        coded: `qualitative.coded_excerpts` of the window (every unit).
        texts: `qualitative.excerpts` of the window (every unit).

    Returns:
        source_type, code, theme, texts (of the unit with the theme), texts_total (of the
        unit), share, agency_share, rank (1 = most often raised), top `top` per source type.
    """
    schema = {"source_type": pl.String, "code": pl.String, "theme": pl.String,
              "texts": pl.Int64, "texts_total": pl.Int64, "share": pl.Float64,
              "agency_share": pl.Float64, "rank": pl.Int64}
    n = pl.col("excerpt_id").n_unique().cast(pl.Int64)
    totals = texts.group_by("source_type").agg(n.alias("agency_total"))
    mine_total = texts.filter(pl.col("unit_id") == unit_id).group_by("source_type").agg(
        n.alias("texts_total"))
    agency = coded.group_by("source_type", "code").agg(n.alias("agency_texts"))
    mine = coded.filter(pl.col("unit_id") == unit_id).group_by("source_type", "code").agg(
        n.alias("texts"))
    if mine.is_empty():
        return pl.DataFrame(schema=schema)
    out = (mine.join(mine_total, on="source_type").join(agency, on=["source_type", "code"])
           .join(totals, on="source_type")
           .with_columns(share=pl.col("texts") / pl.col("texts_total"),
                         agency_share=pl.col("agency_texts") / pl.col("agency_total"),
                         theme=pl.col("code").replace_strict(names, default=pl.col("code")))
           .sort(["source_type", "texts", "code"], descending=[False, True, False])
           .with_columns(rank=pl.int_range(1, pl.len() + 1).over("source_type").cast(pl.Int64))
           .filter(pl.col("rank") <= top))
    return out.select(list(schema)).cast(schema)


def exemplar_quotes(store: Store | privacy.Handle, role: str, texts: pl.DataFrame, unit_id: str,
                    settings: JointSettings) -> pl.DataFrame:
    """Up to `quotes_per_pair` narratives per pair from the unit's reviews of its items, a
    strength and an area needing improvement where both exist, as the viewer may read them."""
    schema = {"pair_id": pl.String, "item": pl.String, "rating": pl.String, "text": pl.String,
              "period_month": pl.Date}
    if settings.quotes_per_pair == 0:
        return pl.DataFrame(schema=schema)
    mine = texts.filter((pl.col("unit_id") == unit_id) & (pl.col("source_type") == "case_review")
                        & pl.col("item").is_in(list(settings.items))
                        & pl.col("rating").is_in(["strength", "area_needing_improvement"]))
    visible = qualitative.text_for_audience(mine, role, store)
    if visible.is_empty():
        return pl.DataFrame(schema=schema)
    pair_of = {i: p.id for p in settings.pairs for i in p.items}
    visible = visible.with_columns(pair_id=pl.col("item").replace_strict(pair_of, default=None))
    picked = quotes.exemplars(visible, ["pair_id", "rating"])
    picked = (picked.sort(["pair_id", "rating"], descending=[False, True])
              .group_by("pair_id", maintain_order=True).head(settings.quotes_per_pair))
    order = {p.id: k for k, p in enumerate(settings.pairs)}
    return (picked.with_columns(_o=pl.col("pair_id").replace_strict(order, default=len(order)))
            .sort("_o", maintain_order=True).select(list(schema)).cast(schema))


def profile_units(store: Store | privacy.Handle) -> pl.DataFrame:
    """The units a viewer may open a profile for: unit_id, unit_name, region (a supervisor
    listed for some units gets those, everyone else every unit)."""
    viewer = privacy.viewer_of(store)
    units = unit_list(privacy.full(store)).sort("unit_name")
    mine = privacy.case_units(viewer)
    if mine is not None and not viewer.public:
        units = units.filter(pl.col("unit_id").is_in(list(mine)))
    return units
