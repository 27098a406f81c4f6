"""Case review analytics: item ratings and outcome roll-ups by unit, period and case type,
the item × unit table, item trends over review periods, reviewer agreement, and the themes
of the narratives as a share of narratives.

Every rating rule lives in one place, the indicators' shared SQL macros: item 12 settled
from its sub-items, the outcome roll-up of `indicators/review_rollup.yaml`, first reviews
only. So the figures here are the figures of Q1 and Q2, cut by unit, period and case type.
A quality-assurance (QA) review, a second independent review of the same case, counts
only in reviewer agreement, paired with its first review.

The store is read once per period (`rated_items`, `rated_outcomes`, `qa_pairs`); the
other functions are plain Polars on those frames, so a page filters and regroups without
going back to the database. Thresholds (small n, low kappa, when a trend becomes a
control chart) are data, in `reviews.yaml`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import polars as pl

from cqi_core.settings import load_yaml
from cqi_core.analysis import qualitative
from cqi_core.methods import spc
from cqi_core.storage.contract import load_contract
from cqi_core.indicators.catalog import load_catalog
from cqi_core.indicators.engine import prepare_cursor as prepare_rating_rules
from cqi_core import periods as _periods
from cqi_core.storage.store import Store

HERE = Path(__file__).resolve().parent
SQL_DIR = HERE / "sql" / "reviews"
SETTINGS_PATH = HERE / "reviews.yaml"
EVER = (date(1900, 1, 1), date(9999, 12, 31))

ITEMS: tuple[str, ...] = load_contract().table("ratings").column("item").items
"""Review items in instrument order (1 … 18 with 12A-12C after 12)."""
RATING_WORDS = {"strength": "Strength", "area_needing_improvement": "Area needing improvement",
                "not_applicable": "Not applicable"}
OUTCOME_WORDS = {"substantially_achieved": "Substantially achieved",
                 "partially_achieved": "Partially achieved", "not_achieved": "Not achieved"}
CASE_TYPE_WORDS = {"foster_care": "Foster care", "in_home": "In-home services"}
GROUPINGS = ("all", "unit", "region", "case_type", "quarter", "fiscal_year")
GRAINS = {"quarter": "quarter", "fiscal_year": "year"}
"""Review period grains → the grain names of `periods.consecutive_periods`."""


@dataclass(frozen=True)
class ReviewSettings:
    """Thresholds and choices of the case review views (reviews.yaml)."""

    small_n: int
    """Groups with fewer applicable reviews are greyed out as too few to read."""
    low_kappa: float
    """Cohen's kappa below this is flagged as low reviewer agreement."""
    min_pairs: int
    """Agreement on fewer paired reviews is shown but not judged."""
    count_both_not_applicable: bool
    """Whether pairs where both reviewers found the item not applicable count in agreement."""
    control_chart_min_periods: int
    """Periods with reviews needed before an item trend is drawn as a control chart."""
    fiscal_year_start_month: int
    """First month of the fiscal year (10: October)."""
    exemplar_words: tuple[int, int]
    """Preferred length of an exemplar quote, in words (shortest, longest)."""
    theme_everywhere_share: float
    """A theme in at least this share of the chosen narratives is their topic: named, not drawn."""


@lru_cache(maxsize=4)
def load_settings(path: str | None = None) -> ReviewSettings:
    """The settings in reviews.yaml, checked."""
    raw = load_yaml(path or SETTINGS_PATH)
    agree = raw["agreement"]
    s = ReviewSettings(small_n=int(raw["small_n"]), low_kappa=float(agree["low_kappa"]),
                       min_pairs=int(agree["min_pairs"]),
                       count_both_not_applicable=bool(agree["count_both_not_applicable"]),
                       control_chart_min_periods=int(raw["control_chart_min_periods"]),
                       fiscal_year_start_month=int(raw["fiscal_year_start_month"]),
                       exemplar_words=tuple(int(w) for w in raw["exemplar_words"]),
                       theme_everywhere_share=float(raw["themes"]["everywhere_share"]))
    if s.small_n < 1 or not 0 < s.low_kappa <= 1 or s.min_pairs < 2 \
            or not 1 <= s.fiscal_year_start_month <= 12 or s.control_chart_min_periods < 2 \
            or not 0 < s.theme_everywhere_share <= 1:
        raise ValueError("reviews.yaml: a threshold is out of range")
    return s


def _query(store: Store, name: str, start: date, end: date) -> pl.DataFrame:
    sql = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    params = {k: v for k, v in {"start": start, "end": end}.items() if f"${k}" in sql}
    cur = store.cursor()
    try:
        prepare_rating_rules(cur)   # the roll-up tables and the shared rating macros
        return cur.sql(sql, params=params or None).pl()
    finally:
        cur.close()


# --------------------------------------------------------------------------- names and periods

def item_names(store: Store | None = None) -> dict[str, str]:
    """Item → its catalog name ("Item 4: Stability of foster care placement")."""
    catalog = load_catalog(store)
    return {i: catalog.entry(f"Q1.{i}").name for i in ITEMS}


def outcome_names(store: Store | None = None) -> dict[str, str]:
    """Outcome code (S1 … WB3) → its catalog name ("Safety 1: children are …")."""
    catalog = load_catalog(store)
    return {e.id.split(".", 1)[1]: e.name for e in catalog if e.id.startswith("Q2.")}


ReviewPeriod = _periods.Period
"""A review period: a calendar quarter or a fiscal year (start, end, grain, label)."""


def period_of(day: date, grain: str, settings: ReviewSettings | None = None) -> ReviewPeriod:
    """The quarter or fiscal year that contains `day`."""
    s = settings or load_settings()
    return _periods.period_of(day, grain, s.fiscal_year_start_month)


def review_periods(store: Store, grain: str = "fiscal_year") -> list[ReviewPeriod]:
    """Every quarter or fiscal year from the first to the last first review, oldest first
    (periods without reviews in between included, so a trend has no gaps)."""
    first, last = _query(store, "review_span", *EVER).row(0)
    return [] if first is None else periods_between(first, last, grain)


def periods_between(first: date, last: date, grain: str = "fiscal_year") -> list[ReviewPeriod]:
    """Every quarter or fiscal year from the one holding `first` to the one holding `last`."""
    return _periods.periods_between(first, last, grain, load_settings().fiscal_year_start_month)


# --------------------------------------------------------------------------- ratings

def rated_items(store: Store, start: date | None = None, end: date | None = None) -> pl.DataFrame:
    """First reviews dated in [start, end] (default: all), one row per review × item.

    Returns:
        review_id, review_date, child_id, unit_id, unit_name, region, case_type, reviewer,
        item, rating (strength, area_needing_improvement or not_applicable; item 12 as in
        Q1), quarter_start and fiscal_year_start.
    """
    return _with_periods(_query(store, "item_ratings", start or EVER[0], end or EVER[1]))


def rated_outcomes(store: Store, start: date | None = None, end: date | None = None) -> pl.DataFrame:
    """First reviews dated in [start, end], one row per review × applicable outcome.

    Returns:
        review_id, review_date, unit_id, unit_name, region, case_type, outcome (S1 … WB3),
        rating (substantially_achieved, partially_achieved or not_achieved; as in Q2),
        quarter_start and fiscal_year_start.
    """
    return _with_periods(_query(store, "outcome_ratings", start or EVER[0], end or EVER[1]))


def _with_periods(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        _periods.quarter_start_expr("review_date").alias("quarter_start"),
        _periods.fiscal_year_start_expr("review_date", load_settings().fiscal_year_start_month)
        .alias("fiscal_year_start"))


def filter_reviews(frame: pl.DataFrame, units: Sequence[str] | None = None,
                   case_types: Sequence[str] | None = None) -> pl.DataFrame:
    """Rows of the chosen units and case types (None or empty: all)."""
    if units:
        frame = frame.filter(pl.col("unit_id").is_in(list(units)))
    if case_types:
        frame = frame.filter(pl.col("case_type").is_in(list(case_types)))
    return frame


def _grouped(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    """Adds group_by and group_value (a stable key: unit_id, a period's first day …)."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}; got {by!r}")
    value = {"all": pl.lit("all"), "unit": pl.col("unit_id"),
             "region": pl.col("region").fill_null("unknown"), "case_type": pl.col("case_type"),
             "quarter": pl.col("quarter_start").cast(pl.String),
             "fiscal_year": pl.col("fiscal_year_start").cast(pl.String)}[by]
    return frame.with_columns(pl.lit(by).alias("group_by"), value.alias("group_value"))


def _labelled(out: pl.DataFrame, source: pl.DataFrame, by: str) -> pl.DataFrame:
    """Adds group_label, the group in words, after the counting (a few rows to name)."""
    values = out["group_value"].unique().to_list()
    if by == "unit":
        names = dict(source.select("unit_id", pl.coalesce("unit_name", "unit_id")).unique().iter_rows())
    elif by == "case_type":
        names = CASE_TYPE_WORDS
    elif by in ("quarter", "fiscal_year"):
        names = {v: period_of(date.fromisoformat(v), by).label for v in values}
    else:
        names = {"all": "All reviews"}
    label = pl.col("group_value").replace_strict(names, default=pl.col("group_value"),
                                                 return_dtype=pl.String)
    return out.with_columns(label.alias("group_label")).select(
        "group_by", "group_value", "group_label", pl.exclude("group_by", "group_value", "group_label"))


_KEYS = ["group_by", "group_value"]
_ITEM_ORDER = {item: k for k, item in enumerate(ITEMS)}


def item_rates(rated: pl.DataFrame, by: str = "all") -> pl.DataFrame:
    """Strength rate per item and group: strengths ÷ reviews where the item applied.

    Returns:
        group_by, group_value, group_label, item, strengths, areas_needing_improvement,
        not_applicable, n (reviews where the item applied), rate (None when n is 0).
    """
    r = pl.col("rating")
    out = (_grouped(rated, by).group_by([*_KEYS, "item"])
           .agg(strengths=(r == "strength").sum().cast(pl.Int64),
                areas_needing_improvement=(r == "area_needing_improvement").sum().cast(pl.Int64),
                not_applicable=(r == "not_applicable").sum().cast(pl.Int64)))
    out = (out.with_columns(n=pl.col("strengths") + pl.col("areas_needing_improvement"))
           .with_columns(rate=pl.when(pl.col("n") > 0)
                         .then(pl.col("strengths") / pl.col("n")).otherwise(None))
           .with_columns(_o=pl.col("item").replace_strict(_ITEM_ORDER, default=len(ITEMS)))
           .sort("group_value", "_o").drop("_o"))
    return _labelled(out, rated, by)


def outcome_rates(outcomes: pl.DataFrame, by: str = "all") -> pl.DataFrame:
    """Outcome ratings per outcome and group.

    Returns:
        group_by, group_value, group_label, outcome, substantially_achieved,
        partially_achieved, not_achieved, n (reviews where the outcome applied) and rate
        (share substantially achieved, as in Q2).
    """
    order = {o: k for k, o in enumerate(("S1", "S2", "P1", "P2", "WB1", "WB2", "WB3"))}
    r = pl.col("rating")
    out = (_grouped(outcomes, by).group_by([*_KEYS, "outcome"])
           .agg(*[(r == code).sum().cast(pl.Int64).alias(code) for code in OUTCOME_WORDS],
                n=pl.len().cast(pl.Int64)))
    out = (out.with_columns(rate=pl.col("substantially_achieved") / pl.col("n"),
                            _o=pl.col("outcome").replace_strict(order, default=len(order)))
           .sort("group_value", "_o").drop("_o"))
    return _labelled(out, outcomes, by)


def item_unit_table(rated: pl.DataFrame, settings: ReviewSettings | None = None) -> pl.DataFrame:
    """Item × unit strength rates with n, and `too_few` where n < small_n (reviews.yaml).

    Returns:
        item, unit_id, unit_name, strengths, n, rate, too_few.
    """
    s = settings or load_settings()
    t = item_rates(rated, "unit")
    return t.select("item", pl.col("group_value").alias("unit_id"),
                    pl.col("group_label").alias("unit_name"), "strengths", "n", "rate",
                    (pl.col("n") < s.small_n).alias("too_few"))


# --------------------------------------------------------------------------- trends

def item_series(rated: pl.DataFrame, item: str, periods: Sequence[ReviewPeriod]) -> pl.DataFrame:
    """Strength rate of one item in each review period (periods with no review: n = 0).

    Returns:
        period_start, period_end, label, strengths, n, rate.
    """
    if not periods:
        return pl.DataFrame(schema={"period_start": pl.Date, "period_end": pl.Date,
                                    "label": pl.String, "strengths": pl.Int64,
                                    "n": pl.Int64, "rate": pl.Float64})
    rates = item_rates(rated.filter(pl.col("item") == item), periods[0].grain)
    got = {row["group_value"]: row for row in rates.iter_rows(named=True)}
    rows = []
    for p in periods:
        hit = got.get(p.start.isoformat())
        rows.append({"period_start": p.start, "period_end": p.end, "label": p.label,
                     "strengths": hit["strengths"] if hit else 0, "n": hit["n"] if hit else 0})
    frame = pl.DataFrame(rows, schema_overrides={"strengths": pl.Int64, "n": pl.Int64})
    return frame.with_columns(rate=pl.when(pl.col("n") > 0)
                              .then(pl.col("strengths") / pl.col("n")).otherwise(None))


@dataclass(frozen=True)
class ItemTrend:
    """An item's strength rate over review periods as a run or control chart."""

    chart: str
    """p (a P chart with three-sigma limits) or run (median line only)."""
    result: spc.QicResult
    """The chart computed by `cqi_core.methods.spc.qic`; x is the period's first day."""
    periods_with_reviews: int
    """Periods in which the item applied to at least one review."""
    labels: tuple[str, ...]
    """The period labels, in the order of `result.points`."""


def item_trend(series: pl.DataFrame, settings: ReviewSettings | None = None) -> ItemTrend:
    """A P chart once `control_chart_min_periods` periods have reviews, else a run chart.
    Periods without applicable reviews are left out of the chart."""
    s = settings or load_settings()
    used = series.filter(pl.col("n") > 0)
    chart = "p" if used.height >= s.control_chart_min_periods else "run"
    result = spc.qic(used["strengths"].cast(pl.Float64).to_list(),
                     n=used["n"].cast(pl.Float64).to_list(),
                     x=used["period_start"].to_list(), chart=chart)
    return ItemTrend(chart=chart, result=result, periods_with_reviews=used.height,
                     labels=tuple(used["label"].to_list()))


# --------------------------------------------------------------------------- agreement

def qa_pairs(store: Store, start: date | None = None, end: date | None = None) -> pl.DataFrame:
    """Each QA review beside its first review (dated in [start, end]), item by item.

    Returns:
        review_id, qa_review_id, review_date, unit_id, unit_name, case_type, reviewer,
        qa_reviewer, item, first_rating, qa_rating.
    """
    return _query(store, "qa_pairs", start or EVER[0], end or EVER[1])


def agreement(pairs: pl.DataFrame, settings: ReviewSettings | None = None) -> pl.DataFrame:
    """Per item: paired reviews, percent agreement and Cohen's kappa, with a low-agreement flag.

    Pairs where both reviewers found the item not applicable are left out unless
    reviews.yaml counts them. Kappa follows `qualitative.cohen_kappa` (1.0 when both
    reviewers used one and the same category throughout). An item is judged only with
    `min_pairs` pairs or more; `low` is then kappa < `low_kappa`.

    Returns:
        item, pairs, agreements, percent_agreement, kappa, judged, low; instrument order.
    """
    s = settings or load_settings()
    if not s.count_both_not_applicable:
        pairs = pairs.filter(~((pl.col("first_rating") == "not_applicable")
                               & (pl.col("qa_rating") == "not_applicable")))
    rows = []
    for item in ITEMS:
        part = pairs.filter(pl.col("item") == item)
        if not part.height:
            continue
        a, b = part["first_rating"].to_list(), part["qa_rating"].to_list()
        kappa = qualitative.cohen_kappa(a, b)
        kappa = None if kappa is None or math.isnan(kappa) else float(kappa)
        judged = part.height >= s.min_pairs
        rows.append({"item": item, "pairs": part.height,
                     "agreements": sum(x == y for x, y in zip(a, b)),
                     "percent_agreement": float(qualitative.percent_agreement(a, b)), "kappa": kappa,
                     "judged": judged, "low": judged and kappa is not None and kappa < s.low_kappa})
    return pl.DataFrame(rows, schema={"item": pl.String, "pairs": pl.Int64, "agreements": pl.Int64,
                                      "percent_agreement": pl.Float64, "kappa": pl.Float64,
                                      "judged": pl.Boolean, "low": pl.Boolean})


# --------------------------------------------------------------------------- themes

RATED = ("strength", "area_needing_improvement")


def theme_shares(coded: pl.DataFrame, narratives: pl.DataFrame, units: Sequence[str] | None = None,
                 case_types: Sequence[str] | None = None, item: str | None = None,
                 settings: ReviewSettings | None = None) -> pl.DataFrame:
    """How many narratives of the selection carry each theme, beside the whole agency.

    A review has a narrative for each item, so nearly every theme is somewhere in nearly
    every review; the share of reviews with a theme is 100% for the common ones and tells
    nothing. Here the unit is the narrative: of the chosen item (or of all items), among
    narratives of items that applied (rated a strength or an area needing improvement).
    The agency column is the same count over every unit and case type, so a unit's share
    can be read against it.

    Args:
        coded: one row per excerpt × theme (`coded_excerpts` for case reviews): excerpt_id,
            source_id, code, item, rating, unit_id, case_type.
        narratives: one row per narrative of the same period (`review_narratives`, every
            unit and case type): excerpt_id, review_id, unit_id, case_type, item, rating.
        units, case_types: the selection (None or empty: all).
        item: one item's narratives, or None for all items.

    Returns:
        One row per theme found in the selection: code, narratives_with, narratives, share,
        reviews_with, reviews, review_share, agency_narratives_with, agency_narratives,
        agency_share, everywhere (share >= `theme_everywhere_share`: the narratives' topic);
        most common first.
    """
    s = settings or load_settings()
    base = narratives.filter(pl.col("rating").is_in(RATED))
    if item is not None:
        base = base.filter(pl.col("item") == item)
    chosen = filter_reviews(base, units, case_types)
    hits = coded.select("excerpt_id", "code").unique().join(
        base.select("excerpt_id", "review_id", "unit_id", "case_type"), on="excerpt_id")
    mine = filter_reviews(hits, units, case_types)
    n, reviews = chosen.height, chosen["review_id"].n_unique()
    agency = hits.group_by("code").agg(agency_narratives_with=pl.len().cast(pl.Int64))
    out = (mine.group_by("code")
           .agg(narratives_with=pl.len().cast(pl.Int64),
                reviews_with=pl.col("review_id").n_unique().cast(pl.Int64))
           .join(agency, on="code", how="left")
           .with_columns(narratives=pl.lit(n, pl.Int64), reviews=pl.lit(reviews, pl.Int64),
                         agency_narratives=pl.lit(base.height, pl.Int64))
           .with_columns(share=pl.col("narratives_with") / pl.col("narratives"),
                         review_share=pl.col("reviews_with") / pl.col("reviews"),
                         agency_share=pl.col("agency_narratives_with") / pl.col("agency_narratives"))
           .with_columns(everywhere=pl.col("share") >= s.theme_everywhere_share)
           .sort(["narratives_with", "code"], descending=[True, False]))
    return out.select("code", "narratives_with", "narratives", "share", "reviews_with", "reviews",
                      "review_share", "agency_narratives_with", "agency_narratives", "agency_share",
                      "everywhere")
