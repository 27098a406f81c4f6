"""The indicator engine: run each indicator's SQL, group its analysis rows, add intervals.

Every indicator is one SQL file (`sql/<id>.sql`) that returns *analysis rows*: one row per
counted thing (a child in a cohort, a child-month, a visit, a review item …) with the
columns in `ROW_COLUMNS`. This module owns everything the indicators share: the helper
macros, binding only the parameters a statement uses, the groupings (GROUPING SETS in
DuckDB), the 'unknown' group, the multipliers, the 95% intervals and the follow-up flag.
So a rule lives in exactly one SQL file, and the arithmetic around it in exactly one place.
`compute` runs the files for one period; `compute_series` runs the same files for a whole
calendar of periods in one set-based statement per indicator (trend series, the
publication's grid), with exactly the figures `compute` gives each period.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
import polars as pl

from cqi_core.periods import FOLLOWUPS, followup_end, plus_months  # noqa: F401 (plus_months: re-exported)
from cqi_core.periods import PeriodCheck, check_period, month_end
from cqi_core.settings import load
from cqi_core.privacy import Handle, full, indicator_rows, viewer_of
from cqi_core.errors import CQIError
from cqi_core.storage.contract import load_contract
from cqi_core.storage.store import Store
from cqi_core.storage.facts import as_of_date, data_version
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
    by_month: bool = False
    """True when a period's analysis rows are exactly the rows of its whole calendar months
    (each row belongs to one month, and whether a month's rows exist does not depend on the
    period around it): a series of periods made of whole months is then computed month by
    month once and each period's sums added up from its months."""

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
            params=dict(spec.get("params") or {}), members=tuple(spec.get("members", ())),
            by_month=bool(spec.get("by_month", False)))
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


def _grouped_sql(rows_sql: str, cfg: IndicatorConfig, by: Sequence[str],
                 keys: Sequence[str] = ()) -> str:
    """The statement that sums an indicator's analysis rows (`rows_sql`, whose columns are
    `keys` then ROW_COLUMNS) over the agency and each grouping of `by` the indicator allows,
    within each value of `keys` (one GROUPING SETS pass)."""
    groupings = [g for g in by if g in cfg.groupings]
    lead = "".join(f"{k}, " for k in keys)
    inner = ", ".join(f"coalesce(CAST({c} AS VARCHAR), 'unknown') AS {c}" for c in GROUP_COLUMNS)
    sets = ", ".join([f"({lead}indicator_id)"]
                     + [f"({lead}indicator_id, {_COLUMN_OF[g]})" for g in groupings])
    case = " ".join(f"WHEN GROUPING({_COLUMN_OF[g]}) = 0 THEN '{g}'" for g in groupings)
    value = " ".join(f"WHEN GROUPING({_COLUMN_OF[g]}) = 0 THEN {_COLUMN_OF[g]}" for g in groupings)
    case = f"CASE {case} ELSE 'all' END" if groupings else "'all'"
    value = f"CASE {value} ELSE 'all' END" if groupings else "'all'"
    return f"""
        WITH r AS ({rows_sql}),
        rows AS (SELECT {lead}indicator_id, {inner}, numerator, denominator FROM r)
        SELECT {lead}indicator_id,
               {case} AS group_by,
               {value} AS group_value,
               coalesce(sum(numerator), 0)::DOUBLE AS numerator,
               coalesce(sum(denominator), 0)::DOUBLE AS denominator
        FROM rows
        GROUP BY GROUPING SETS ({sets})
    """


def _grouped(cur, cfg: IndicatorConfig, start: date, end: date, by: Sequence[str]) -> pl.DataFrame:
    sql = _sql(cfg.id).strip().rstrip(";")
    params = _bind(sql, {"start": start, "end": end, **(cfg.params or {})})
    return cur.sql(_grouped_sql(sql, cfg, by), params=params or None).pl()


def _followup_end(cfg: IndicatorConfig, start: date, end: date) -> date:
    return followup_end(cfg.followup, start, end)


def _groupings(by: Sequence[str] | None) -> list[str]:
    """The groupings asked for besides 'all' (default: every one); an unknown one refused."""
    by = list(GROUPINGS[1:] if by is None else [g for g in by if g != "all"])
    unknown = [g for g in by if g not in GROUPINGS]
    if unknown:
        raise CQIError(f"Unknown grouping {unknown[0]!r}; choose from {', '.join(GROUPINGS)}.")
    return by


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
    by = _groupings(by)
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


# --------------------------------------------------------------------------- series

SERIES_BATCH_DAYS = 1600
"""Days of periods (summed over the periods) `compute_series` computes in one statement: a
longer calendar runs in batches of consecutive periods, so memory stays bounded whatever
the number and length of the periods (a row counted in several overlapping periods is
held once per period). About four years: 49 months or 16 quarters fit in one batch,
12-month periods go four at a time."""
_CALENDAR = "series_calendar"
"""The temp table holding the periods of one `compute_series` batch."""


def _batches(periods: list[tuple[date, date]]) -> list[list[int]]:
    """Consecutive runs of period indexes, each under SERIES_BATCH_DAYS (at least one)."""
    out: list[list[int]] = []
    days = 0
    for i, (start, end) in enumerate(periods):
        length = (end - start).days + 1
        if not out or days + length > SERIES_BATCH_DAYS:
            out.append([])
            days = 0
        out[-1].append(i)
        days += length
    return out


def _grouped_periods(cur, cfg: IndicatorConfig, periods: list[tuple[date, date]],
                     by: Sequence[str]) -> pl.DataFrame:
    """An indicator's sums for each period of `periods` (period_id = its index) and each
    group, in batches of the calendar."""
    sums = []
    for batch in _batches(periods):
        cur.execute(f"CREATE OR REPLACE TEMP TABLE {_CALENDAR} "
                    "(period_id INTEGER, p_start DATE, p_end DATE)")
        cur.executemany(f"INSERT INTO {_CALENDAR} VALUES (?, ?, ?)",
                        [(i, *periods[i]) for i in batch])
        params = {n: v for n, v in _bind(_sql(cfg.id), {"start": None, "end": None,
                                                        **(cfg.params or {})}).items()
                  if n not in ("start", "end")}
        sums.append(cur.sql(_grouped_sql(_series_rows_sql(cfg), cfg, by, ("period_id",)),
                            params=params or None).pl())
    return pl.concat(sums)


_SHARED: dict[tuple[str, str], tuple[frozenset, pl.DataFrame]] | None = None
"""Monthly sums of the `by_month` measures kept while `shared_months` is open, by (data
version, measure): the groupings they cover and the sums of each month counted so far."""
_SHARED_PERIODS: dict[tuple[str, str, date, date], tuple[frozenset, pl.DataFrame]] | None = None
"""Each measure's grouped sums of every period `compute_series` has counted while
`shared_months` is open, by (data version, measure, start, end): the groupings they cover
and the sums."""
_SUMS = ["period_id", "indicator_id", "group_by", "group_value", "numerator", "denominator"]


@contextmanager
def shared_months() -> Iterator[None]:
    """While open, each `by_month` measure's months are counted once and shared by every
    `compute_series` on the same data version: the refresh builds the publication's
    overlapping periods, the monthly and quarterly series and the latest figures from the
    same months. Outside it nothing is kept (data written without an import would not change
    the data version).

    A whole period counted once is kept too, with its groupings: the latest figures the
    refresh keeps are 12-month periods the publication's grid has counted already whenever
    the data end on a quarter's last day, and are then taken from it."""
    global _SHARED, _SHARED_PERIODS
    outer, outer_periods = _SHARED, _SHARED_PERIODS
    _SHARED = {} if outer is None else outer
    _SHARED_PERIODS = {} if outer_periods is None else outer_periods
    try:
        yield
    finally:
        _SHARED, _SHARED_PERIODS = outer, outer_periods


def _counted(store: Store, cur, cfg: IndicatorConfig, periods: list[tuple[date, date]],
             by: Sequence[str]) -> pl.DataFrame:
    """An indicator's grouped sums of each period (period_id = its place in `periods`)."""
    months = _months_of(periods) if cfg.by_month else None
    if months is not None and (_SHARED is not None or
                               len(months) < sum(len(m) for m in months.values())):
        # periods of whole months that share months (or months another call of the same
        # refresh has counted): each month once, then summed
        g = _sums_by_month(_monthly_sums(store, cur, cfg, list(months), by), months)
    else:
        g = _grouped_periods(cur, cfg, periods, by)
    return g.with_columns(pl.col("period_id").cast(pl.Int32)).select(_SUMS)


def _kept_periods(store: Store, cfg: IndicatorConfig, periods: list[tuple[date, date]],
                  by: Sequence[str]) -> tuple[list[pl.DataFrame], list[int]]:
    """The grouped sums `shared_months` keeps for the periods already counted with every
    grouping asked (each with its place in `periods` as period_id), and the places of the
    periods still to count."""
    shared = _SHARED_PERIODS  # once: another thread's refresh may close the block meanwhile
    if shared is None:
        return [], list(range(len(periods)))
    version = data_version(store)
    wanted = frozenset(g for g in by if g in cfg.groupings)
    found, todo = [], []
    for i, (start, end) in enumerate(periods):
        covered, sums = shared.get((version, cfg.id, start, end), (frozenset(), None))
        if sums is not None and wanted <= covered:
            found.append(sums.filter(pl.col("group_by").is_in(["all", *wanted]))
                         .with_columns(pl.lit(i, pl.Int32).alias("period_id")).select(_SUMS))
        else:
            todo.append(i)
    return found, todo


def _keep_periods(store: Store, cfg: IndicatorConfig, periods: list[tuple[date, date]],
                  by: Sequence[str], sums: pl.DataFrame) -> None:
    """Keep each period's grouped sums (period_id = its place in `periods`) while
    `shared_months` is open."""
    shared = _SHARED_PERIODS
    if shared is None:
        return
    version = data_version(store)
    covered = frozenset(g for g in by if g in cfg.groupings)
    parts = sums.partition_by("period_id", as_dict=True)
    empty = sums.clear()
    for i, (start, end) in enumerate(periods):
        shared[(version, cfg.id, start, end)] = (covered, parts.get((i,), empty))


def _monthly_sums(store: Store, cur, cfg: IndicatorConfig, months: list[tuple[date, date]],
                  by: Sequence[str]) -> pl.DataFrame:
    """`_grouped_periods` for calendar months (period_id = index in `months`), from the months
    `shared_months` keeps when it is open (counting only the months it lacks)."""
    shared = _SHARED  # once: another thread's refresh may close the block meanwhile
    if shared is None:
        return _grouped_periods(cur, cfg, months, by)
    key = (data_version(store), cfg.id)
    wanted = frozenset(g for g in by if g in cfg.groupings)
    covered, kept = shared.get(key, (frozenset(), None))
    if kept is None or not wanted <= covered:
        # count with every grouping the measure has: the refresh asks for the trend series'
        # few groupings first and the publication's every grouping later
        covered, kept = frozenset(cfg.groupings), None
    have = set() if kept is None else set(kept["month_start"].to_list())
    todo = [m for m in months if m[0] not in have]
    if todo:
        ids = pl.DataFrame({"period_id": list(range(len(todo))),
                            "month_start": [m[0] for m in todo]},
                           schema={"period_id": pl.Int64, "month_start": pl.Date})
        new = (_grouped_periods(cur, cfg, todo, sorted(covered))
               .with_columns(pl.col("period_id").cast(pl.Int64))
               .join(ids, on="period_id").drop("period_id"))
        kept = new if kept is None else pl.concat([kept, new])
        shared[key] = (covered, kept)
    index = pl.DataFrame({"month_start": [m[0] for m in months],
                          "period_id": list(range(len(months)))},
                         schema={"month_start": pl.Date, "period_id": pl.Int64})
    return (kept.filter(pl.col("group_by").is_in(["all", *wanted]))
            .join(index, on="month_start").drop("month_start"))


def _months_of(periods: list[tuple[date, date]]) -> dict[tuple[date, date], list[int]] | None:
    """Every calendar month the periods cover, each with the periods it lies in (their
    indexes), oldest first; None when a period is not made of whole months."""
    out: dict[tuple[date, date], list[int]] = {}
    for i, (start, end) in enumerate(periods):
        if start.day != 1 or end != month_end(end):
            return None
        m = start
        while m <= end:
            out.setdefault((m, month_end(m)), []).append(i)
            m = month_end(m) + timedelta(days=1)
    return dict(sorted(out.items()))


def _sums_by_month(monthly: pl.DataFrame, months: dict[tuple[date, date], list[int]]
                   ) -> pl.DataFrame:
    """Each period's sums from its months' (`monthly`: period_id = the month's index in
    `months`): the counts of a period are the counts of its months added up, and a group
    shows in a period when it shows in one of its months, as when the period is counted
    whole."""
    pairs = pl.DataFrame([(m, p) for m, ps in enumerate(months.values()) for p in ps],
                         schema={"month_id": pl.Int64, "period_id": pl.Int64}, orient="row")
    return (monthly.rename({"period_id": "month_id"})
            .with_columns(pl.col("month_id").cast(pl.Int64))
            .join(pairs, on="month_id")
            .group_by("period_id", "indicator_id", "group_by", "group_value")
            .agg(pl.col("numerator").sum(), pl.col("denominator").sum())
            .sort("period_id", "indicator_id", "group_by", "group_value"))


def _series_rows_sql(cfg: IndicatorConfig) -> str:
    """The indicator's own SQL run for every period of the calendar table at once: the
    statement is the one `compute` runs, its `$start` and `$end` taken from the calendar's
    columns inside a LATERAL join (DuckDB decorrelates it into set-based joins; a rule that
    ranks within the period, such as a cohort's first entry, ranks within each period)."""
    sql = _strip_comments(_sql(cfg.id)).strip().rstrip(";")
    sql = re.sub(r"\$start\b", "period_cal.p_start", sql)
    sql = re.sub(r"\$end\b", "period_cal.p_end", sql)
    return f"SELECT period_cal.period_id, x.* FROM {_CALENDAR} period_cal, LATERAL ({sql}) x"


def compute_series(handle: Store | Handle, periods: Sequence[tuple[date, date]],
                   by: Sequence[str] | None = None, indicators: Sequence[str] | None = None,
                   as_of: date | None = None,
                   progress: Callable[[str, float], None] | None = None) -> pl.DataFrame:
    """Every requested indicator for many periods in one pass: exactly the rows of `compute`
    for each period, concatenated (oldest period first as given).

    Each indicator runs once for the whole calendar of periods: its SQL file (the only place
    its rule is written) is joined LATERALly to the calendar and its analysis rows are
    grouped once, GROUPING SETS within each period, instead of one statement per period.

    Args:
        handle: the database, or a handle bound to a viewer (a public viewer gets the
            publication's rows of each period, as `compute` gives them).
        periods: (start, end) pairs, both days included.
        by, indicators, as_of: as `compute`.
        progress: called with a message and the fraction done, once per indicator.

    Returns:
        `compute`'s columns, one block per period in the order of `periods`.

    Raises:
        CQIError: as `compute`.
    """
    periods = [(s, e) for s, e in periods]
    for start, end in periods:
        _check_period(start, end)
    store, viewer = full(handle), viewer_of(handle)
    config = load_config()
    by = _groupings(by)
    wanted = _resolve(indicators, config)
    if viewer.public or not periods:
        # Public figures are read from the publication, period by period (nothing computed).
        frames = [compute(handle, s, e, by=by, indicators=indicators, as_of=as_of)
                  for s, e in periods]
        return pl.concat(frames) if frames else \
            pl.DataFrame(schema={c: pl.String for c in OUTPUT_COLUMNS})
    as_of = as_of or as_of_date(store)
    calendar = pl.DataFrame({"period_id": list(range(len(periods))),
                             "period_start": [s for s, _ in periods],
                             "period_end": [e for _, e in periods]},
                            schema={"period_id": pl.Int32, "period_start": pl.Date,
                                    "period_end": pl.Date})
    frames = []
    cur = store.cursor()
    try:
        prepare_cursor(cur)
        for k, (fid, ids) in enumerate(wanted.items(), start=1):
            cfg = config[fid]
            found, todo = _kept_periods(store, cfg, periods, by)
            if todo:
                missing_periods = [periods[i] for i in todo]
                counted = _counted(store, cur, cfg, missing_periods, by)
                _keep_periods(store, cfg, missing_periods, by, counted)
                found.append(counted.with_columns(pl.col("period_id").replace_strict(
                    dict(enumerate(todo)), return_dtype=pl.Int32)))
            g = pl.concat(found).filter(pl.col("indicator_id").is_in(ids))
            # Every period shows each indicator's agency row, zero when nothing was counted.
            missing = (calendar.select("period_id")
                       .join(pl.DataFrame({"indicator_id": ids}, schema={"indicator_id": pl.String}),
                             how="cross")
                       .join(g.filter(pl.col("group_by") == "all"), on=["period_id", "indicator_id"],
                             how="anti")
                       .with_columns(pl.lit("all").alias("group_by"), pl.lit("all").alias("group_value"),
                                     pl.lit(0.0).alias("numerator"), pl.lit(0.0).alias("denominator")))
            g = pl.concat([g, missing.select(g.columns)]) if missing.height else g
            g = g.join(calendar, on="period_id", how="left")
            frames.append(_finish_periods(g, cfg, ids, as_of))
            if progress:
                progress(f"Computed {fid}, {k} of {len(wanted)} measures", k / len(wanted))
    finally:
        cur.close()
    if not frames:
        return pl.DataFrame(schema={c: pl.String for c in OUTPUT_COLUMNS})
    return (pl.concat(frames).sort("period_id", maintain_order=True)
            .select(OUTPUT_COLUMNS))


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
    return _finish_periods(g.with_columns(pl.lit(start).alias("period_start"),
                                          pl.lit(end).alias("period_end")), cfg, ids, as_of)


def _finish_periods(g: pl.DataFrame, cfg: IndicatorConfig, ids: list[str],
                    as_of: date | None) -> pl.DataFrame:
    """Values, intervals and the follow-up flag of grouped sums whose rows carry their
    period (period_start, period_end), sorted by period (period_id when present), indicator,
    grouping and group."""
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
    spans = g.select("period_start", "period_end").unique()
    done = spans.with_columns(pl.Series("followup_complete", [
        as_of is not None and _followup_end(cfg, s, e) <= as_of
        for s, e in spans.iter_rows()], dtype=pl.Boolean))
    order_id = {i: k for k, i in enumerate(ids)}
    order_g = {gname: k for k, gname in enumerate(GROUPINGS)}
    keys = ["period_id"] if "period_id" in g.columns else []
    return (g.with_columns(
                pl.Series("value", value).fill_nan(None),
                pl.Series("ci_low", low).fill_nan(None),
                pl.Series("ci_high", high).fill_nan(None))
            .join(done, on=["period_start", "period_end"], how="left")
            .with_columns(pl.col("indicator_id").replace_strict(order_id, default=len(ids)).alias("_i"),
                          pl.col("group_by").replace_strict(order_g, default=99).alias("_g"))
            .sort(*keys, "_i", "_g", "group_value").drop("_i", "_g"))
