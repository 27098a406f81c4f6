"""Case-mix adjustment: each unit's federal figures against what children like its own
would give across the agency (observed over expected), as the Children's Bureau's
risk-standardized performance (RSP) does for states.

For one indicator and period: the indicator's own analysis rows (`engine.analysis_rows`,
so the rule stays in its SQL file) are summed into cells of the adjusters named in
`casemix.yaml` (the age group on the day the indicator's rule names); a GLM is fitted on
the cells of the whole agency with statsmodels: Binomial with a logit link for proportions
(P1-P4, S2), Poisson with a log link and log(exposure) offset for rates (P5, S1: events
per day in care). Summing into cells loses nothing: with categorical adjusters the cell
totals are the model's sufficient statistics, so the fit is the child-level fit.

    expected E = Σ over the unit's cells of n(unit, cell) × p̂(cell)   (the sum of its
                 children's predicted probabilities, or its expected events for a rate)
    O/E        = the unit's observed count over E
    interval   = exact Poisson (Garwood) on O, divided by E:
                 [χ²(0.025; 2O)/2, χ²(0.975; 2O + 2)/2] / E (lower 0 when O = 0)
    adjusted   = O/E × the agency's observed value (the RSP-style figure, on the
                 indicator's scale: a proportion, or a rate × its multiplier)

With an intercept and a canonical link the fitted values add up to the observed ones, so
the agency's own O/E is exactly 1 and its adjusted value its observed value. No
random-effects or shrinkage variant is built: a small unit's O/E is its own, with a wide
interval, and the funnel's limits (and its over-dispersion test) say what chance allows.

Race and ethnicity are never adjusters (casemix.yaml `never`, refused when listed).

Public audiences (stakeholder, youth) get adjusted figures only through the publication:
a period the publication holds, and only for the units whose published cell of the
indicator is not suppressed; the other rows keep their unit but no figures, marked in a
`suppressed` column. The model is then fitted on the children of the shown units only: a
fit over every unit adds up to the agency's published count, so a hidden unit's expected
count would be the published count less the shown units' expected counts.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import polars as pl

from cqi_core import privacy
from cqi_core.errors import CQIError
from cqi_core.indicators.catalog import CatalogEntry, load_catalog
from cqi_core.indicators.display import format_value
from cqi_core.indicators.engine import analysis_rows, compute, load_config
from cqi_core.indicators.intervals import garwood
from cqi_core.methods.funnel.choose import auto_funnel
from cqi_core.methods.funnel.funnel import FunnelResult, with_curve_over
from cqi_core.settings import load_yaml
from cqi_core.storage.facts import as_of_date, unit_list
from cqi_core.storage.store import Store

SETTINGS_FILE = Path(__file__).with_name("casemix.yaml")
INDICATORS = ("P1", "P2", "P3", "P4", "P5", "S1", "S2")
"""The indicators adjusted: the seven federal measures, in catalog order."""
COLUMNS = ("indicator_id", "group_by", "group_value", "numerator", "denominator", "observed",
           "expected", "oe_ratio", "oe_low", "oe_high", "adjusted_value")
"""The columns of `adjusted`, in order (public audiences: and `suppressed`)."""
GROUPINGS = ("unit", "region")
"""What the figures are adjusted by."""
ALLOWED = ("age_group", "sex")
"""Columns of the analysis rows an agency may list as adjusters."""
_COLUMN_OF = {"unit": "unit_id", "region": "region"}
_UNKNOWN = "unknown"


# --------------------------------------------------------------------------- settings

@dataclass(frozen=True)
class CasemixSettings:
    """casemix.yaml, validated."""

    adjusters: dict[str, tuple[str, ...]]
    """Indicator id → the columns its model adjusts for."""
    age_at: dict[str, str]
    """Indicator id → the day its age group is taken, in words."""
    source: dict[str, str]
    """Indicator id → the Children's Bureau's adjusters for it, and where they are named."""
    never: tuple[str, ...]
    """Columns never adjusted for."""
    never_why: str
    """Why, in the words the pages show."""
    age_words: dict[str, str]
    """Age group → words ("teenagers aged 11 to 15")."""
    level: float
    """Coverage of the O/E interval."""


@lru_cache(maxsize=1)
def load_settings() -> CasemixSettings:
    """casemix.yaml, validated.

    Raises:
        CQIError: an indicator missing or unknown, an adjuster that is not allowed (race
            and ethnicity never are), or a level outside (0, 1).
    """
    raw = load_yaml(SETTINGS_FILE) or {}
    specs = raw.get("indicators") or {}
    never = tuple(raw.get("never") or ())
    if "race_ethnicity" not in never:
        raise CQIError("casemix.yaml: race_ethnicity must stay in `never`.")
    if set(specs) != set(INDICATORS):
        raise CQIError(f"casemix.yaml: indicators must be exactly {', '.join(INDICATORS)}.")
    adjusters = {}
    for iid, spec in specs.items():
        cols = tuple(spec.get("adjusters") or ())
        bad = [c for c in cols if c in never or c not in ALLOWED]
        if bad:
            raise CQIError(f"casemix.yaml: {iid} cannot be adjusted for {bad[0]!r}"
                           + (" (never adjusted for)." if bad[0] in never else
                              f"; allowed: {', '.join(ALLOWED)}."))
        adjusters[iid] = cols
    level = raw.get("level")
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise CQIError(f"casemix.yaml: level must be between 0 and 1 (got {level!r}).")
    return CasemixSettings(
        adjusters=adjusters, age_at={i: str(s.get("age_at", "")) for i, s in specs.items()},
        source={i: str(s.get("source", "")) for i, s in specs.items()}, never=never,
        never_why=" ".join(str(raw.get("never_why", "")).split()),
        age_words={str(k): str(v) for k, v in (raw.get("age_words") or {}).items()},
        level=float(level))


def never_words() -> str:
    """The sentence every adjusted view shows: race and ethnicity are never adjusted for,
    and why."""
    return load_settings().never_why


def adjuster_words(indicator_id: str) -> str:
    """What the indicator is adjusted for, in words ("age (on the day the child entered
    care)")."""
    s = load_settings()
    names = {"age_group": f"age ({s.age_at[indicator_id]})", "sex": "sex"}
    cols = [names[c] for c in s.adjusters[indicator_id]]
    return " and ".join(cols) if cols else "nothing (no adjuster listed)"


# --------------------------------------------------------------------------- the model

def _design(cells: pl.DataFrame, adjusters: Sequence[str]) -> np.ndarray:
    """Intercept and one 0/1 column per level of each adjuster but its largest (the
    reference level, so every column is identified)."""
    cols = [np.ones(cells.height)]
    for a in adjusters:
        sizes = cells.group_by(a).agg(pl.col("n").sum()).sort(["n", a], descending=[True, False])
        for level in sizes[a].to_list()[1:]:
            cols.append((cells[a] == level).to_numpy().astype(float))
    return np.column_stack(cols)


def cell_rates(cells: pl.DataFrame, adjusters: Sequence[str], kind: str) -> np.ndarray:
    """The fitted rate of each cell: a probability (proportions) or events per unit of
    exposure (rates), from a GLM over the cells (columns: the adjusters, `o` the observed
    count, `n` the denominator).

    Binomial with a logit link on (o, n − o), or Poisson with a log link and offset log n.
    With no event at all (or, for a proportion, only events) every cell has the pooled
    rate: the model has nothing to fit. A level with no event gets a fitted rate of about
    zero (the estimate runs off to minus infinity; statsmodels' separation warning is
    expected there and silenced).
    """
    o = cells["o"].to_numpy().astype(float)
    n = cells["n"].to_numpy().astype(float)
    rates = np.zeros(len(o))
    keep = n > 0
    if not keep.any():
        return rates
    total_o, total_n = o[keep].sum(), n[keep].sum()
    pooled = total_o / total_n
    if total_o == 0 or (kind == "proportion" and total_o >= total_n):
        rates[keep] = pooled
        return rates
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    x = _design(cells.filter(pl.Series(keep)), adjusters)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            if kind == "proportion":
                fit = GLM(np.column_stack([o[keep], n[keep] - o[keep]]), x,
                          family=families.Binomial()).fit()
                rates[keep] = fit.predict(x)
            else:
                fit = GLM(o[keep], x, family=families.Poisson(), exposure=n[keep]).fit()
                rates[keep] = fit.predict(x, exposure=np.ones(int(keep.sum())))
        except (np.linalg.LinAlgError, ValueError):
            # Should the fit fail, the cells' own rates: the saturated model's estimates.
            rates[keep] = o[keep] / n[keep]
    return rates


@dataclass(frozen=True)
class _Adjusted:
    """One indicator's figures by group, and the age mix behind them (for the words)."""

    frame: pl.DataFrame
    """COLUMNS (and `suppressed` for public audiences)."""
    mix: pl.DataFrame
    """group_value, level (the first adjuster's), share (of the group's denominator),
    agency_share, rate (the level's fitted-agency rate), agency_rate."""


def _empty(iid: str, public: bool) -> pl.DataFrame:
    row = {"indicator_id": [iid], "group_by": ["all"], "group_value": ["all"],
           "numerator": [0.0], "denominator": [0.0]}
    frame = pl.DataFrame(row).with_columns(
        *[pl.lit(None, dtype=pl.Float64).alias(c) for c in COLUMNS[5:]])
    return frame.with_columns(pl.lit(False).alias(privacy.SUPPRESSED)) if public else frame


def _one(store: Store, iid: str, start: date, end: date, by: str,
         published: pl.DataFrame | None) -> _Adjusted:
    cfg = load_config()[iid]
    adjusters = list(load_settings().adjusters[iid])
    group = _COLUMN_OF[by]
    public = published is not None
    rows = analysis_rows(store, iid, start, end).select(
        pl.col(group).cast(pl.String).fill_null(_UNKNOWN).alias("g"),
        *[pl.col(a).cast(pl.String).fill_null(_UNKNOWN) for a in adjusters],
        pl.col("numerator").cast(pl.Float64).fill_null(0), pl.col("denominator").cast(pl.Float64).fill_null(0))
    hidden: list[str] = []
    agency_value = None
    if public:
        pub = published.filter(pl.col("indicator_id") == iid)
        agency = pub.filter(pl.col("group_by") == "all")
        cells = pub.filter(pl.col("group_by") == by)
        shown = cells.filter(~pl.col(privacy.SUPPRESSED) & pl.col("numerator").is_not_null()
                             & pl.col("denominator").is_not_null())["group_value"].to_list()
        hidden = [g for g in cells["group_value"].to_list() if g not in set(shown)]
        if agency.is_empty() or agency["value"][0] is None or agency[privacy.SUPPRESSED][0]:
            shown, hidden = [], cells["group_value"].to_list()
        else:
            agency_value = float(agency["value"][0])
        rows = rows.filter(pl.col("g").is_in(shown))
    if rows.is_empty() and not hidden:
        return _Adjusted(_empty(iid, public), pl.DataFrame())
    cols = adjusters or ["_all"]  # no adjuster: one cell, the intercept-only model
    if not adjusters:
        rows = rows.with_columns(pl.lit("all").alias("_all"))
    by_cell = rows.group_by(["g", *cols]).agg(pl.col("numerator").sum().alias("o"),
                                              pl.col("denominator").sum().alias("n"))
    cells = by_cell.group_by(cols).agg(pl.col("o").sum(), pl.col("n").sum()).sort(cols)
    rates = cell_rates(cells, adjusters, cfg.kind)
    cells = cells.with_columns(pl.Series("rate", rates, dtype=pl.Float64))
    joined = by_cell.join(cells.select(*cols, "rate"), on=cols, how="left")
    joined = joined.with_columns((pl.col("n") * pl.col("rate")).alias("e"))
    groups = joined.group_by("g").agg(pl.col("o").sum(), pl.col("n").sum(), pl.col("e").sum()) \
        .sort("g")
    total_o, total_n, total_e = (float(joined[c].sum()) for c in ("o", "n", "e"))
    m = cfg.multiplier
    observed_all = total_o / total_n * m if total_n > 0 else None
    if agency_value is None and not public:
        agency_value = observed_all
    o = groups["o"].to_numpy()
    n = groups["n"].to_numpy()
    e = groups["e"].to_numpy()
    low, high = garwood(o, e, level=load_settings().level)
    with np.errstate(divide="ignore", invalid="ignore"):
        oe = np.where(e > 0, o / e, np.nan)
        obs = np.where(n > 0, o / n * m, np.nan)
    adjusted_value = oe * agency_value if agency_value is not None else np.full(len(o), np.nan)
    frame = pl.DataFrame({
        "indicator_id": [iid] * groups.height, "group_by": [by] * groups.height,
        "group_value": groups["g"], "numerator": o, "denominator": n,
        "observed": obs, "expected": e, "oe_ratio": oe, "oe_low": low, "oe_high": high,
        "adjusted_value": adjusted_value}).with_columns(
        *[pl.col(c).fill_nan(None) for c in COLUMNS[5:]])
    agency_row = pl.DataFrame({
        "indicator_id": [iid], "group_by": ["all"], "group_value": ["all"],
        "numerator": [total_o], "denominator": [total_n],
        "observed": [observed_all], "expected": [total_e if total_n > 0 else None],
        "oe_ratio": [total_o / total_e if total_e > 0 else None], "oe_low": [None],
        "oe_high": [None], "adjusted_value": [observed_all]},
        schema={c: (pl.String if c in COLUMNS[:3] else pl.Float64) for c in COLUMNS})
    if public:
        # The agency row is the publication's own: its counts and value as published, and
        # (being its own reference) O/E 1.
        agency = published.filter((pl.col("indicator_id") == iid) & (pl.col("group_by") == "all"))
        a = agency.row(0, named=True) if agency.height else None
        ok = a is not None and not a[privacy.SUPPRESSED] and a["value"] is not None
        agency_row = agency_row.with_columns(
            pl.lit(a["numerator"] if ok else None, dtype=pl.Float64).alias("numerator"),
            pl.lit(a["denominator"] if ok else None, dtype=pl.Float64).alias("denominator"),
            pl.lit(a["value"] if ok else None, dtype=pl.Float64).alias("observed"),
            pl.lit(a["numerator"] if ok else None, dtype=pl.Float64).alias("expected"),
            pl.lit(1.0 if ok else None, dtype=pl.Float64).alias("oe_ratio"),
            pl.lit(a["value"] if ok else None, dtype=pl.Float64).alias("adjusted_value"),
            pl.lit(not ok).alias(privacy.SUPPRESSED))
        frame = frame.with_columns(pl.lit(False).alias(privacy.SUPPRESSED))
        if hidden:
            frame = pl.concat([frame, pl.DataFrame({
                "indicator_id": [iid] * len(hidden), "group_by": [by] * len(hidden),
                "group_value": hidden, privacy.SUPPRESSED: [True] * len(hidden)})],
                how="diagonal_relaxed")
        frame = frame.sort("group_value")
    frame = pl.concat([agency_row, frame.select(agency_row.columns)], how="vertical_relaxed")
    mix = pl.DataFrame()
    if adjusters:
        first = adjusters[0]
        level = joined.group_by("g", first).agg(pl.col("n").sum())
        g_tot = level.group_by("g").agg(pl.col("n").sum().alias("g_n"))
        agency_level = joined.group_by(first).agg(pl.col("n").sum().alias("a_n"),
                                                  pl.col("o").sum().alias("a_o"))
        mix = (level.join(g_tot, on="g").join(agency_level, on=first)
               .select(pl.col("g").alias("group_value"), pl.col(first).alias("level"),
                       (pl.col("n") / pl.col("g_n")).alias("share"),
                       (pl.col("a_n") / total_n).alias("agency_share"),
                       (pl.col("a_o") / pl.col("a_n")).alias("rate"),
                       pl.lit(total_o / total_n if total_n else None).alias("agency_rate")))
    return _Adjusted(frame, mix)


def _prepare(handle: Store | privacy.Handle, start: date, end: date,
             indicators: Sequence[str] | None, by: str) -> tuple[Store, list[str], pl.DataFrame | None]:
    if end < start:
        raise CQIError(f"The period ends ({end}) before it starts ({start}).")
    if by not in GROUPINGS:
        raise CQIError(f"Figures are adjusted by unit or by region, not by {by!r}.")
    ids = list(INDICATORS) if not indicators else [i.strip() for i in indicators if i.strip()]
    bad = [i for i in ids if i not in INDICATORS]
    if bad:
        raise CQIError(f"{bad[0]!r} is not adjusted for case mix; choose from "
                       f"{', '.join(INDICATORS)}.")
    ids = list(dict.fromkeys(ids))
    store, viewer = privacy.full(handle), privacy.viewer_of(handle)
    published = None
    if viewer.public:  # raises NotPublished for a period the publication does not hold
        published = compute(handle, start, end, by=[by], indicators=ids)
    return store, ids, published


def _all(handle: Store | privacy.Handle, start: date, end: date,
         indicators: Sequence[str] | None, by: str) -> dict[str, _Adjusted]:
    store, ids, published = _prepare(handle, start, end, indicators, by)
    return {iid: _one(store, iid, start, end, by, published) for iid in ids}


def adjusted(handle: Store | privacy.Handle, start: date, end: date,
             indicators: Sequence[str] | None = None, by: str = "unit") -> pl.DataFrame:
    """Observed and case-mix-adjusted figures of the federal measures, by unit or region.

    Args:
        handle: the database (every unit), or a handle bound to a viewer (public audiences:
            through the publication, see the module docstring).
        start, end: the period, both days included (the indicators' own periods: for P1
            the entry period; follow-up as the indicator's rule says).
        indicators: ids among P1, P2, P3, P4, P5, S1, S2 (default all seven).
        by: unit or region.

    Returns:
        One row per indicator × group, the agency first (group_by "all"; its O/E is 1 by
        construction and it has no interval), then each group in id order ('unknown' for
        rows with none recorded). Columns `COLUMNS`: numerator and denominator (the
        indicator's counts), observed (the indicator's value: a proportion, or a rate ×
        its multiplier), expected (events expected for the group's case mix at the
        agency's rates), oe_ratio, oe_low and oe_high (its exact 95% interval), and
        adjusted_value (O/E × the agency's observed value). Empty figures (null) where
        there is nothing to divide by. Public audiences: also `suppressed`, true where a
        row's figures are hidden (all empty).

    Raises:
        CQIError: an indicator that is not adjusted, a grouping other than unit or region,
            a period that ends before it starts.
        NotPublished: a public viewer and a period the publication does not hold.
    """
    results = _all(handle, start, end, indicators, by)
    return pl.concat([r.frame for r in results.values()], how="vertical_relaxed")


# --------------------------------------------------------------------------- in words

READINGS = ("better", "chance", "worse")
"""How a figure compares with the agency once chance is allowed for."""


def reading(low: float | None, high: float | None, better: str | None) -> str | None:
    """better, worse or chance from a ratio's interval against 1 (None without one)."""
    if low is None or high is None:
        return None
    if low <= 1 <= high or better not in ("higher", "lower"):
        return "chance"
    above = low > 1
    return "better" if above == (better == "higher") else "worse"


def crude_interval(numerator: float, denominator: float, agency_rate: float | None,
                   level: float | None = None) -> tuple[float | None, float | None]:
    """The observed figure's ratio to the agency's, with the same exact interval as O/E:
    O over n × the agency's rate (no adjustment), so observed and adjusted are judged alike."""
    if not agency_rate or not denominator:
        return None, None
    lo, hi = garwood(np.array([numerator]), np.array([denominator * agency_rate]),
                     level=level or load_settings().level)
    return float(lo[0]), float(hi[0])


_LOOKS = {"worse": "looks worse than the agency", "better": "looks better than the agency",
          "chance": "looks like the agency, within what chance would give"}
_ADJUSTED = {"worse": "worse than expected for the children it serves",
             "better": "better than expected for the children it serves",
             "chance": "within what chance would give"}


def disagreement(entry: CatalogEntry, row: dict, mix: pl.DataFrame | None,
                 agency_value: float | None, public: bool = False) -> str | None:
    """The plain sentence for a group whose observed and adjusted readings differ ("looks
    worse than the agency, but serves more teenagers aged 11 to 15; adjusted for age,
    within what chance would give"), or None when they agree or cannot be judged.

    Args:
        entry: the indicator's catalog entry (name, better direction, unit).
        row: the group's row of `adjusted`.
        mix: the group's age mix (share of its count in each age group against the
            agency's, and each age group's agency rate); None or empty: no age words.
        agency_value: the agency's observed value (on the indicator's scale).
        public: leave out the age shares (a share of a small unit can be a small count).
    """
    cfg = load_config()[row["indicator_id"]]
    if row.get("numerator") is None or row.get("oe_ratio") is None or not agency_value:
        return None
    rate = agency_value / cfg.multiplier
    obs = reading(*crude_interval(row["numerator"], row["denominator"], rate), entry.direction)
    adj = reading(row["oe_low"], row["oe_high"], entry.direction)
    if obs is None or adj is None or obs == adj:
        return None
    order = {"worse": 0, "chance": 1, "better": 2}
    unfavourable = order[obs] < order[adj]  # the mix makes the unit look worse than it is
    who = _who(entry, mix, unfavourable, public)
    name = entry.name[:1].lower() + entry.name[1:]
    start = (f"On {name}, it {_LOOKS[obs]} ({format_value(entry, row['observed'])} against "
             f"{format_value(entry, agency_value)})")
    adjust = f"adjusted for {'age' if mix is not None and mix.height else 'case mix'}"
    return (f"{start}, but {who}; {adjust}, {_ADJUSTED[adj]} (observed over expected "
            f"{row['oe_ratio']:.2f}, 95% interval {row['oe_low']:.2f} to {row['oe_high']:.2f}).")


def _who(entry: CatalogEntry, mix: pl.DataFrame | None, unfavourable: bool, public: bool) -> str:
    """Which age group explains the gap: the one whose share is most above the agency's
    among the groups whose agency rate lies the way the gap goes."""
    generic = ("serves children whose ages make that figure harder to reach"
               if unfavourable else "serves children whose ages make that figure easier to reach")
    if mix is None or mix.is_empty():
        return generic
    worse_high = entry.direction == "lower"  # a high rate is worse for lower-is-better
    want_high = worse_high if unfavourable else not worse_high
    side = (pl.col("rate") > pl.col("agency_rate")) if want_high else (pl.col("rate") < pl.col("agency_rate"))
    cand = mix.filter(side & (pl.col("share") > pl.col("agency_share"))) \
        .with_columns((pl.col("share") - pl.col("agency_share")).alias("gap")).sort("gap", descending=True)
    if cand.is_empty():
        return generic
    top = cand.row(0, named=True)
    words = load_settings().age_words.get(top["level"], top["level"])
    if public:
        return f"serves more {words} than the agency as a whole"
    return (f"serves more {words} ({top['share']:.0%} of those it counts, against "
            f"{top['agency_share']:.0%} across the agency)")


# --------------------------------------------------------------------------- for the pages

def _labels(store: Store, by: str, values: list[str]) -> dict[str, str]:
    if by == "region":
        return {v: f"{v} region" for v in values}
    names = dict(unit_list(store).select("unit_id", "unit_name").iter_rows())
    return {v: names.get(v, v) for v in values}


def group_adjusted(handle: Store | privacy.Handle, group_value: str, by: str = "unit",
                   indicators: Sequence[str] | None = None) -> pl.DataFrame:
    """One unit's (or region's) observed and adjusted figures on each federal measure, each
    for its latest complete 12 months (for public audiences: its latest published ones),
    with a sentence where the two disagree.

    Returns:
        indicator_id, measure, period_start, period_end, observed_text, agency_text,
        adjusted_text, oe_text (O/E and its interval), observed_reading and
        adjusted_reading (better, chance or worse against the agency; null when there is
        no figure), sentence (null when they agree), hidden (true when the figures are
        not released to this viewer, or the group counts no one). Empty without data.
    """
    store = privacy.full(handle)
    public = privacy.viewer_of(handle).public
    as_of = as_of_date(store)
    ids = list(indicators or INDICATORS)
    if as_of is None:
        return pl.DataFrame()
    catalog = load_catalog(store)
    by_period: dict[tuple[date, date], list[str]] = {}
    for iid in ids:
        try:
            period = privacy.latest_period(handle, load_config()[iid].followup, as_of)
        except privacy.NotPublished:
            continue
        by_period.setdefault(period, []).append(iid)
    out = []
    for (start, end), group_ids in by_period.items():
        results = _all(handle, start, end, group_ids, by)
        for iid, res in results.items():
            entry = catalog.entry(iid)
            frame = res.frame
            agency = frame.filter(pl.col("group_by") == "all").row(0, named=True)
            hit = frame.filter((pl.col("group_by") == by) & (pl.col("group_value") == group_value))
            row = hit.row(0, named=True) if hit.height else None
            hidden = row is None or bool(row.get(privacy.SUPPRESSED)) or row["oe_ratio"] is None
            mix = res.mix.filter(pl.col("group_value") == group_value) if res.mix.height else None
            cfg = load_config()[iid]
            obs_read = adj_read = sentence = None
            if not hidden:
                rate = (agency["observed"] or 0) / cfg.multiplier
                obs_read = reading(*crude_interval(row["numerator"], row["denominator"], rate),
                                   entry.direction)
                adj_read = reading(row["oe_low"], row["oe_high"], entry.direction)
                sentence = disagreement(entry, row, mix, agency["observed"], public)
            out.append({
                "indicator_id": iid, "measure": entry.name, "period_start": start,
                "period_end": end,
                "observed_text": format_value(entry, None if hidden else row["observed"]),
                "agency_text": format_value(entry, agency["observed"]),
                "adjusted_text": format_value(entry, None if hidden else row["adjusted_value"]),
                "oe_text": "—" if hidden else (f"{row['oe_ratio']:.2f} ({row['oe_low']:.2f} "
                                               f"to {row['oe_high']:.2f})"),
                "observed_reading": obs_read, "adjusted_reading": adj_read,
                "sentence": sentence, "hidden": hidden})
    if not out:
        return pl.DataFrame()
    order = {i: k for k, i in enumerate(INDICATORS)}
    return pl.DataFrame(out).sort(pl.col("indicator_id").replace_strict(order))


@dataclass(frozen=True)
class AdjustedComparison:
    """One federal measure compared across units after case-mix adjustment: an O/E funnel."""

    indicator_id: str
    entry: CatalogEntry
    """The indicator's catalog entry."""
    by: str
    """unit or region."""
    start: date
    end: date
    result: FunnelResult
    """The funnel (methods.funnel FunnelResult, kind sr: numerator O, denominator E,
    value O/E, target 1); for public audiences only the units whose figures are shown."""
    test: FunnelResult
    """The funnel whose over-dispersion test chose the model."""
    method_reason: str
    """Why these limits, in one sentence."""
    labels: dict[str, str]
    """Group id → name in words."""
    table: pl.DataFrame
    """The measure's rows of `adjusted` (the agency first)."""
    sentences: tuple[str, ...]
    """What the funnel shows, in plain sentences (the last says race and ethnicity are
    never adjusted for, and why)."""


def compare_adjusted(handle: Store | privacy.Handle, indicator_id: str, start: date, end: date,
                     by: str = "unit", method: str = "auto",
                     overdispersion: str = "auto") -> AdjustedComparison:
    """Every unit's (or region's) O/E on one federal measure, as a standardised-ratio
    funnel: centre 1, limits from each unit's expected count (FunnelPlotR "SR"), by the
    rules of compare.yaml.

    Raises:
        CQIError: a measure that is not adjusted, or no unit with an expected count.
        NotPublished: a public viewer and a period the publication does not hold.
    """
    store = privacy.full(handle)
    entry = load_catalog(store).entry(indicator_id)
    frame = adjusted(handle, start, end, [indicator_id], by)
    rows = frame.filter((pl.col("group_by") == by) & (pl.col("group_value") != _UNKNOWN))
    shown = rows.filter(pl.col("expected").is_not_null() & (pl.col("expected") > 0))
    hidden = rows.height - shown.height
    if shown.is_empty():
        raise CQIError(f"No {by} has an expected count for {entry.name.lower()} between "
                       f"{start:%B %-d, %Y} and {end:%B %-d, %Y}.")
    auto = auto_funnel(shown["numerator"], shown["expected"], shown["group_value"], 1.0,
                       method=method, overdispersion=overdispersion, kind="sr")
    result = auto.result
    if privacy.viewer_of(handle).public:
        result = with_curve_over(result, result.units["denominator"])
    labels = _labels(store, by, rows["group_value"].to_list())
    sentences = _funnel_sentences(result, entry, labels, by, indicator_id, hidden)
    return AdjustedComparison(indicator_id, entry, by, start, end, replace(result),
                              auto.test, auto.method_reason, labels, frame,
                              (*sentences, never_words()))


def _funnel_sentences(result, entry: CatalogEntry, labels: dict[str, str], by: str,
                      indicator_id: str, hidden: int) -> list[str]:
    s = load_settings()
    out = [f"Each {by}'s observed count of {entry.name.lower()} is set against the count "
           f"expected for its children at the agency's rates, adjusted for "
           f"{adjuster_words(indicator_id)}. A ratio of 1 is what the agency's rates would "
           f"give; the {s.level:.0%} limits are where chance alone keeps a {by} of that "
           "expected size."]
    units = result.units
    flagged = units.filter(pl.col("flag").is_not_null() & (pl.col("flag") != "none"))
    good, bad = [], []
    for r in flagged.iter_rows(named=True):
        high = r["flag"].startswith("high")
        better = high == (entry.direction == "higher")
        text = f"{labels.get(r['unit'], r['unit'])} ({r['value']:.2f})"
        (good if better else bad).append(text)
    out.append(f"Doing better than expected for their children, beyond chance: {'; '.join(good)}."
               if good else f"No {by} does better than expected beyond chance.")
    out.append(f"Doing worse than expected for their children, beyond chance: {'; '.join(bad)}."
               if bad else f"No {by} does worse than expected beyond chance.")
    if result.adjusted:
        out.append(f"The {by}s differ more than chance alone would make them, so the limits "
                   f"are widened ({result.overdispersion} over-dispersion model).")
    if hidden:
        out.append(f"{hidden} {by}{'' if hidden == 1 else 's'} not shown: their figures are "
                   "hidden to protect privacy, or they count no one.")
    return out
