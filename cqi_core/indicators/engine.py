"""The indicator engine: run each indicator's SQL, group its analysis rows, add intervals.

Every indicator is one SQL file (`sql/<id>.sql`) that returns *analysis rows*: one row per
counted thing (a child in a cohort, a child-month, a visit, a review item …) with the
columns in `ROW_COLUMNS`. This module owns everything the indicators share: the helper
macros, binding only the parameters a statement uses, the groupings (GROUPING SETS in
DuckDB), the 'unknown' group, the multipliers, the 95% intervals and the follow-up flag.
So a rule lives in exactly one SQL file, and the arithmetic around it in exactly one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import polars as pl

from cqi_core.periods import FOLLOWUPS, followup_end, plus_months  # noqa: F401 (plus_months: re-exported)
from cqi_core.periods import PeriodCheck, check_period
from cqi_core.settings import load
from cqi_core.privacy import Handle, full, indicator_rows, viewer_of
from cqi_core.errors import CQIError
from cqi_core.storage.contract import load_contract
from cqi_core.storage.store import Store
from cqi_core.storage.facts import as_of_date
from cqi_core.indicators.intervals import garwood, wilson

HERE = Path(__file__).resolve().parent
SQL_DIR = HERE / "sql"
GROUP_COLUMNS = ("unit_id", "region", "age_group", "sex", "race_ethnicity", "source_group")
ROW_COLUMNS = ("indicator_id", *GROUP_COLUMNS, "numerator", "denominator")
GROUPINGS = ("all", "unit", "region", "age_group", "sex", "race_ethnicity", "source_group")
_COLUMN_OF = {"unit": "unit_id", "region": "region", "age_group": "age_group", "sex": "sex",
              "race_ethnicity": "race_ethnicity", "source_group": "source_group"}
OUTPUT_COLUMNS = ("indicator_id", "period_start", "period_end", "group_by", "group_value",
                  "numerator", "denominator", "value", "ci_low", "ci_high", "followup_complete")


@dataclass(frozen=True)
class IndicatorConfig:
    """How the engine computes and reports one indicator (from config.yaml)."""

    id: str
    """Indicator id (a family such as Q1 computes several member ids)."""
    kind: str
    """proportion, rate or ratio."""
    interval: str
    """wilson, poisson or none."""
    followup: str
    """end, end_plus_12 or start_plus_12: the last day an event could still count."""
    groupings: tuple[str, ...]
    """Groupings allowed besides 'all'."""
    multiplier: float = 1.0
    """Value = multiplier × numerator / denominator (1,000 for P5 and E1, 100,000 for S1)."""
    better: str | None = None
    """higher, lower or None (context measures)."""
    national: float | None = None
    """National performance, shown as a reference."""
    params: dict | None = None
    """Values bound into the SQL where it uses them."""
    members: tuple[str, ...] = ()
    """For a family: the ids it computes, in order."""

    @property
    def ids(self) -> tuple[str, ...]:
        """The output ids: the members of a family, else the id itself."""
        return self.members or (self.id,)


@lru_cache(maxsize=1)
def load_config() -> dict[str, IndicatorConfig]:
    """Indicator configurations by id, in catalog order (validated)."""
    raw = load("indicator_config")
    out = {}
    for iid, spec in raw["indicators"].items():
        bad = set(spec.get("groupings", [])) - set(GROUPINGS)
        if bad or spec["kind"] not in ("proportion", "rate", "ratio") \
                or spec["interval"] not in ("wilson", "poisson", "none") \
                or spec["followup"] not in FOLLOWUPS:
            raise ValueError(f"indicators/config.yaml: entry {iid} is not valid")
        out[iid] = IndicatorConfig(
            id=iid, kind=spec["kind"], interval=spec["interval"], followup=spec["followup"],
            groupings=tuple(spec.get("groupings", [])), multiplier=float(spec.get("multiplier", 1)),
            better=spec.get("better"), national=spec.get("national"),
            params=dict(spec.get("params") or {}), members=tuple(spec.get("members", ())))
    return out


def indicator_ids() -> list[str]:
    """Every output id (families expanded), in catalog order."""
    return [i for c in load_config().values() for i in c.ids]


# The two indicator settings other modules also use. Each is read from config.yaml on every
# call, so a chart, a page or a data quality check can never show another number than the
# indicator counts with.

def d1_days() -> int:
    """D1's limit: a visit entered within this many days of it is timely (config.yaml
    `params: {d1_days}`). The data quality checks read the same key: an entry later than
    this is late."""
    return int(load_config()["D1"].params["d1_days"])


def f1_favourable() -> int:
    """F1's threshold: the lowest feedback rating counted as favourable (config.yaml
    `params: {f1_favourable}`, bound into F1.sql)."""
    return int(load_config()["F1"].params["f1_favourable"])


def f1_favourable_words() -> str:
    """The ratings F1 counts as favourable, in words: "4 or 5" (threshold 4 on the data
    contract's 1-to-5 feedback scale), "5", or "3, 4 or 5"."""
    top = next(c.max for c in load_contract().tables["feedback"].columns if c.name == "rating")
    ratings = [str(r) for r in range(f1_favourable(), top + 1)]
    return ratings[-1] if len(ratings) == 1 else f"{', '.join(ratings[:-1])} or {ratings[-1]}"


@lru_cache(maxsize=None)
def _sql(name: str) -> str:
    path = SQL_DIR / f"{name}.sql"
    if not path.exists():
        raise CQIError(f"Indicator {name} has no SQL definition ({path.name}).")
    return path.read_text(encoding="utf-8")


def _strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def _bind(sql: str, values: dict) -> dict:
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", _strip_comments(sql)))
    missing = used - set(values)
    if missing:
        raise ValueError(f"no value for SQL parameter(s) {sorted(missing)}")
    return {k: v for k, v in values.items() if k in used}


@lru_cache(maxsize=1)
def _rollup() -> tuple[list[tuple[str, str]], list[tuple[str, bool]]]:
    raw = load("review_rollup")
    items = [(str(i), o) for o, spec in raw["outcomes"].items() for i in spec["items"]]
    outcomes = [(o, bool(spec["single_item"])) for o, spec in raw["outcomes"].items()]
    return items, outcomes


def prepare_cursor(cur) -> None:
    """Create the review roll-up tables and the helper macros on this cursor (the tables
    first: a table macro binds the tables it names when it is created)."""
    items, outcomes = _rollup()
    cur.execute("CREATE OR REPLACE TEMP TABLE osri_items (item VARCHAR, outcome VARCHAR)")
    cur.executemany("INSERT INTO osri_items VALUES (?, ?)", items)
    cur.execute("CREATE OR REPLACE TEMP TABLE osri_outcomes (outcome VARCHAR, single_item BOOLEAN)")
    cur.executemany("INSERT INTO osri_outcomes VALUES (?, ?)", outcomes)
    for stmt in _strip_comments(_sql("_macros")).split(";"):
        if stmt.strip():
            cur.execute(stmt)


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise CQIError(f"The period ends ({end}) before it starts ({start}).")


def analysis_rows(store: Store, indicator: str, start: date, end: date) -> pl.DataFrame:
    """The raw analysis rows of one indicator's SQL for a period (for tests and drill-down)."""
    _check_period(start, end)
    cfg = load_config()[indicator]
    sql = _sql(indicator)
    cur = store.cursor()
    try:
        prepare_cursor(cur)
        params = _bind(sql, {"start": start, "end": end, **(cfg.params or {})})
        return cur.sql(sql, params=params or None).pl()
    finally:
        cur.close()


def _grouped(cur, cfg: IndicatorConfig, start: date, end: date, by: Sequence[str]) -> pl.DataFrame:
    groupings = [g for g in by if g in cfg.groupings]
    sql = _sql(cfg.id).strip().rstrip(";")
    inner = ", ".join(f"coalesce(CAST({c} AS VARCHAR), 'unknown') AS {c}" for c in GROUP_COLUMNS)
    sets = ", ".join(["(indicator_id)"] + [f"(indicator_id, {_COLUMN_OF[g]})" for g in groupings])
    case = " ".join(f"WHEN GROUPING({_COLUMN_OF[g]}) = 0 THEN '{g}'" for g in groupings)
    value = " ".join(f"WHEN GROUPING({_COLUMN_OF[g]}) = 0 THEN {_COLUMN_OF[g]}" for g in groupings)
    case = f"CASE {case} ELSE 'all' END" if groupings else "'all'"
    value = f"CASE {value} ELSE 'all' END" if groupings else "'all'"
    grouped = f"""
        WITH r AS ({sql}),
        rows AS (SELECT indicator_id, {inner}, numerator, denominator FROM r)
        SELECT indicator_id,
               {case} AS group_by,
               {value} AS group_value,
               coalesce(sum(numerator), 0)::DOUBLE AS numerator,
               coalesce(sum(denominator), 0)::DOUBLE AS denominator
        FROM rows
        GROUP BY GROUPING SETS ({sets})
    """
    params = _bind(sql, {"start": start, "end": end, **(cfg.params or {})})
    return cur.sql(grouped, params=params or None).pl()


def _followup_end(cfg: IndicatorConfig, start: date, end: date) -> date:
    return followup_end(cfg.followup, start, end)


def compute(handle: Store | Handle, start: date, end: date, by: Sequence[str] | None = None,
            indicators: Sequence[str] | None = None, as_of: date | None = None) -> pl.DataFrame:
    """Every requested indicator for one period, in the output shape of INDICATORS.md.

    Args:
        handle: the database (full figures), or a handle bound to a viewer (released for
            that viewer).
        start, end: the period, both days included.
        by: groupings to compute besides 'all' (default: every grouping); a grouping an
            indicator does not allow is skipped for it.
        indicators: ids to compute (a family id such as Q1 or a member such as Q1.4);
            default all.
        as_of: the data's extraction date for the follow-up flag (default: the store's).

    Returns:
        Columns indicator_id, period_start, period_end, group_by, group_value, numerator,
        denominator, value, ci_low, ci_high, followup_complete; one row per indicator ×
        group, 'all' always present (with a zero denominator and no value when empty).
        For a handle bound to a public audience, the rows come from the publication
        (`privacy.publication`), with masked cells empty and a `suppressed` column.

    Raises:
        CQIError: an unknown indicator or grouping, or a period that ends before it starts.
        NotPublished: a public viewer asked for a period the publication does not hold.
    """
    _check_period(start, end)
    store, viewer = full(handle), viewer_of(handle)
    config = load_config()
    by = list(GROUPINGS[1:] if by is None else [g for g in by if g != "all"])
    unknown = [g for g in by if g not in GROUPINGS]
    if unknown:
        raise CQIError(f"Unknown grouping {unknown[0]!r}; choose from {', '.join(GROUPINGS)}.")
    wanted = _resolve(indicators, config)
    if viewer.public:
        # Public figures come only from the publication, suppressed once across every
        # period and grouping; a period outside its grid is refused, never computed.
        ids = [i for group in wanted.values() for i in group]
        return indicator_rows(store, start, end, by=by, indicators=ids).select(
            *OUTPUT_COLUMNS, "suppressed")
    as_of = as_of or as_of_date(store)
    frames = []
    cur = store.cursor()
    try:
        prepare_cursor(cur)
        for fid, ids in wanted.items():
            cfg = config[fid]
            g = _grouped(cur, cfg, start, end, by).filter(pl.col("indicator_id").is_in(ids))
            have_all = set(g.filter(pl.col("group_by") == "all")["indicator_id"].to_list())
            missing = [i for i in ids if i not in have_all]
            if missing:
                g = pl.concat([g, pl.DataFrame({
                    "indicator_id": missing, "group_by": ["all"] * len(missing),
                    "group_value": ["all"] * len(missing), "numerator": [0.0] * len(missing),
                    "denominator": [0.0] * len(missing)})])
            frames.append(_finish(g, cfg, ids, start, end, as_of))
    finally:
        cur.close()
    if not frames:
        return pl.DataFrame(schema={c: pl.String for c in OUTPUT_COLUMNS})
    return pl.concat(frames).select(OUTPUT_COLUMNS)


# `compute` itself takes any period, so the figures of a period the core picked (the
# scorecard's, a trend's) never change; a period a person typed goes through these two
# instead, which refuse or clip it against the as-of date and say so.

def checked_period(handle: Store | Handle, start: date, end: date) -> PeriodCheck:
    """`periods.check_period` against the store's as-of date: the period the figures should
    be computed for, and the note to show when it was clipped.

    Raises:
        CQIError: the period ends before it starts.
        PeriodRefused: the period starts after the as-of date.
    """
    return check_period(start, end, as_of_date(full(handle)))


def compute_checked(handle: Store | Handle, start: date, end: date,
                    by: Sequence[str] | None = None,
                    indicators: Sequence[str] | None = None) -> tuple[pl.DataFrame, PeriodCheck]:
    """`compute` for a period a person chose: refused when it starts after the data's as-of
    date, clipped to end on it when it ends after it.

    Returns:
        The figures of the checked period (as `compute` gives them: period_end is the as-of
        date when clipped) and the check, whose `note` the caller must show when set.

    Raises:
        CQIError: as `compute`.
        PeriodRefused: the period starts after the as-of date.
    """
    as_of = as_of_date(full(handle))
    check = check_period(start, end, as_of)
    return compute(handle, check.start, check.end, by=by, indicators=indicators,
                   as_of=as_of), check


def _resolve(indicators: Sequence[str] | None, config: dict[str, IndicatorConfig]) -> dict[str, list[str]]:
    if not indicators:
        return {fid: list(c.ids) for fid, c in config.items()}
    out: dict[str, list[str]] = {}
    for name in indicators:
        name = name.strip()
        if name in config:
            out.setdefault(name, [])
            out[name] = list(dict.fromkeys(out[name] + list(config[name].ids)))
            continue
        family = next((f for f, c in config.items() if name in c.members), None)
        if family is None:
            raise CQIError(f"Unknown indicator {name!r}; known: {', '.join(config)} "
                           "(and members such as Q1.4, Q2.WB1).")
        out.setdefault(family, [])
        if name not in out[family]:
            out[family].append(name)
    return out


def _finish(g: pl.DataFrame, cfg: IndicatorConfig, ids: list[str], start: date, end: date,
            as_of: date | None) -> pl.DataFrame:
    num = g["numerator"].to_numpy()
    den = g["denominator"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den > 0, num / den * cfg.multiplier, np.nan)
    if cfg.interval == "wilson":
        low, high = wilson(num, den)
    elif cfg.interval == "poisson":
        low, high = garwood(num, den, cfg.multiplier)
    else:
        low = high = np.full(len(g), np.nan)
    fu_end = _followup_end(cfg, start, end)
    order_id = {i: k for k, i in enumerate(ids)}
    order_g = {gname: k for k, gname in enumerate(GROUPINGS)}
    return (g.with_columns(
                pl.Series("value", value).fill_nan(None),
                pl.Series("ci_low", low).fill_nan(None),
                pl.Series("ci_high", high).fill_nan(None),
                pl.lit(start).alias("period_start"), pl.lit(end).alias("period_end"),
                pl.lit(as_of is not None and fu_end <= as_of).alias("followup_complete"))
            .with_columns(pl.col("indicator_id").replace_strict(order_id, default=len(ids)).alias("_i"),
                          pl.col("group_by").replace_strict(order_g, default=99).alias("_g"))
            .sort("_i", "_g", "group_value").drop("_i", "_g"))
