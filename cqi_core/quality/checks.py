"""Data quality checks (AFCARS-style) and data-entry timeliness, over the loaded store.

The importer rejects only what cannot be loaded; everything else that looks wrong is
flagged here so an agency sees its data's problems without being blocked by them
(DATA_CONTRACT.md, "What is rejected and what is only flagged"). Each check is data:
an entry in `quality_checks.yaml` (name, meaning, why it matters, severity, tables) and
one SQL file in `sql/quality/` that returns the failing records in a common shape
(source_table, record_key, child_id, unit_id, event_date, detail). Because every check
has that shape, counts by check, by unit and by period are each one set-based statement
over the union of the checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl

from cqi_core.settings import load, load_yaml
from cqi_core.storage.contract import load_contract
from cqi_core.storage.store import Store
from cqi_core.storage.facts import as_of_date

CHECKS_PATH = Path(__file__).with_name("checks.yaml")
SQL_DIR = Path(__file__).with_name("sql")
SEVERITIES = ("error", "warning", "info")
GRAINS = ("week", "month", "quarter", "year")
MAIN_DATE = {"children": "birth_date", "workers": "hire_date", "episodes": "removal_date",
             "placements": "start_date", "reports": "report_date", "visits": "visit_date",
             "reviews": "review_date", "feedback": "received_date",
             "staff_survey": "survey_date"}
"""The date that places a record of each table in time (event_date of its failing records)."""

_REQUIRED = ("id", "name", "meaning", "why", "severity", "table", "sql")
_OPTIONAL = ("checked_where", "period_date")
_PARAM = re.compile(r"\$([A-Za-z_]\w*)")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TIMELINESS_GROUPS = {"unit": "coalesce(d.unit_id, 'unknown')",
                      "region": "coalesce(u.region, 'unknown')",
                      "month": "strftime(date_trunc($grain, d.event_date), '%Y-%m-%d')",
                      "all": "'all'"}


@dataclass(frozen=True)
class QualityCheck:
    """One data quality check, as defined in quality_checks.yaml."""

    id: str
    """Stable identifier (lower_snake_case)."""
    name: str
    """Plain-language name shown to users."""
    meaning: str
    """What a failing record is."""
    why: str
    """Why it matters for the indicators."""
    severity: str
    """error (wrong, distorts indicators), warning (probably wrong) or info (worth knowing)."""
    tables: tuple[str, ...]
    """The contract tables whose records are checked."""
    sql_file: str
    """File name in sql/quality/ of the statement returning the failing records."""
    checked_where: str | None = None
    """Which rows of each table are checked (SQL condition from the registry); None = all."""
    period_date: str | None = None
    """Date column placing a record in a period; None = the table's main date."""

    @property
    def table(self) -> str:
        """The checked tables as one label ("episodes", or "visits, reports")."""
        return ", ".join(self.tables)

    @property
    def explanation(self) -> str:
        """What it means and why it matters, in one paragraph."""
        return f"{self.meaning} {self.why}"

    @property
    def sql(self) -> str:
        """The statement returning the failing records (no trailing semicolon)."""
        return _read_sql(self.sql_file)

    def date_column(self, table: str) -> str:
        """The column that places a checked record of `table` in a period."""
        return self.period_date or MAIN_DATE[table]


@dataclass(frozen=True)
class QualityConfig:
    """The whole registry: the checks in file order."""

    checks: tuple[QualityCheck, ...]
    """All checks, in the order they are shown."""

    @property
    def late_entry_days(self) -> int:
        """Data entry is late when entered_date - event date exceeds this many days
        (`late_entry_days()`)."""
        return late_entry_days()


def late_entry_days() -> int:
    """Days after a visit or report past which its entry is late.

    This is indicator D1's limit, `d1_days` in indicators/config.yaml: D1 counts a visit
    entered within it as timely and the checks call a later entry late, so the data
    quality page and the indicator cannot disagree. The checks share a layer with the
    indicators and do not import them, so they read that one key through the registry of
    settings files (`cqi_core.settings`), a layer below both, as the engine does.

    Raises:
        ValueError: d1_days is not a whole number >= 0.
    """
    days = load("indicator_config")["indicators"]["D1"]["params"]["d1_days"]
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise ValueError("indicators/config.yaml: D1's d1_days must be a whole number >= 0")
    return days


@lru_cache(maxsize=None)
def _read_sql(name: str) -> str:
    # Comment lines go: a parameter named only in a comment must not be bound.
    lines = (SQL_DIR / name).read_text(encoding="utf-8").splitlines()
    return "\n".join(ln for ln in lines if not ln.lstrip().startswith("--")).strip().rstrip(";")


def _check(raw: object, position: int) -> QualityCheck:
    if not isinstance(raw, dict):
        raise ValueError(f"quality_checks.yaml: check #{position} is not a mapping")
    cid = raw.get("id") or f"#{position}"
    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise ValueError(f"quality check {cid}: unknown keys {unknown}")
    missing = [k for k in _REQUIRED if not raw.get(k)]
    if missing:
        raise ValueError(f"quality check {cid}: missing {missing}")
    if not _ID.match(str(cid)):
        raise ValueError(f"quality check {cid}: id must be lower_snake_case")
    if raw["severity"] not in SEVERITIES:
        raise ValueError(f"quality check {cid}: severity must be one of {SEVERITIES}")
    tables = tuple([raw["table"]] if isinstance(raw["table"], str) else raw["table"])
    contract = load_contract().tables
    for t in tables:
        if t not in contract or t not in MAIN_DATE:
            raise ValueError(f"quality check {cid}: table {t!r} is not a dated contract table")
    period = raw.get("period_date")
    if period is not None and (len(tables) != 1 or period not in contract[tables[0]].column_names):
        raise ValueError(f"quality check {cid}: period_date {period!r} is not a column of "
                         f"its single table")
    where = raw.get("checked_where")
    if where is not None and ";" in str(where):
        raise ValueError(f"quality check {cid}: checked_where must be one condition")
    if not (SQL_DIR / raw["sql"]).is_file():
        raise ValueError(f"quality check {cid}: SQL file {raw['sql']} does not exist")
    # The late-entry limit is written into the text from its one setting, never copied.
    meaning = str(raw["meaning"]).strip().replace("$late_days", str(late_entry_days()))
    return QualityCheck(id=cid, name=str(raw["name"]), meaning=meaning,
                        why=str(raw["why"]).strip(), severity=raw["severity"], tables=tables,
                        sql_file=str(raw["sql"]), checked_where=where, period_date=period)


def load_config(path: str | Path | None = None) -> QualityConfig:
    """Read and validate a checks file (default quality_checks.yaml).

    Raises:
        ValueError: a check has unknown keys, misses a field, names an unknown table or
            SQL file, or an id repeats; the message names the check.
    """
    raw = load_yaml(path or CHECKS_PATH) or {}
    extra = sorted(set(raw) - {"version", "checks"})
    settings = raw.get("settings")
    if isinstance(settings, dict) and "late_entry_days" in settings:
        raise ValueError("quality_checks.yaml: late_entry_days is not set here; the late-entry "
                         "limit is indicator D1's d1_days in indicators/config.yaml")
    if extra:
        raise ValueError(f"quality_checks.yaml: unknown top-level keys {extra}")
    checks = tuple(_check(c, i + 1) for i, c in enumerate(raw.get("checks") or []))
    seen: set[str] = set()
    for c in checks:
        if c.id in seen:
            raise ValueError(f"quality check {c.id}: id appears twice")
        seen.add(c.id)
    return QualityConfig(checks=checks)


@lru_cache(maxsize=1)
def _config() -> QualityConfig:
    return load_config()


def list_checks() -> list[QualityCheck]:
    """All checks of quality_checks.yaml, in file order."""
    return list(_config().checks)


def _get(check_id: str) -> QualityCheck:
    for c in _config().checks:
        if c.id == check_id:
            return c
    raise ValueError(f"There is no data quality check called {check_id!r}.")


def _run(store: Store, sql: str, as_of: date | None, **extra) -> pl.DataFrame:
    """Run `sql`, binding only the parameters it names (DuckDB refuses unused ones)."""
    values = {"as_of": as_of, "today": date.today(), "late_days": late_entry_days(), **extra}
    return store.query(sql, {n: values[n] for n in set(_PARAM.findall(sql))})


def _as_of(store: Store, as_of: date | None) -> date:
    return as_of or as_of_date(store) or date.today()


def _failing_union(checks: list[QualityCheck]) -> str:
    # ids are validated lower_snake_case, so they are safe as literals
    return "\nUNION ALL BY NAME\n".join(
        f"SELECT '{c.id}' AS check_id, f.* FROM ({c.sql}\n) f" for c in checks)


def _checked_parts(c: QualityCheck, period: bool) -> list[str]:
    where = f" WHERE {c.checked_where}" if c.checked_where else ""
    if period:
        return [f"SELECT '{c.id}' AS check_id, date_trunc($grain, {c.date_column(t)})::DATE "
                f"AS period, count(*) AS checked FROM {t}{where} GROUP BY ALL" for t in c.tables]
    return [f"SELECT '{c.id}' AS check_id, count(*) AS checked FROM {t}{where}"
            for t in c.tables]


def run_checks(store: Store, as_of: date | None = None) -> pl.DataFrame:
    """Run every check once.

    Args:
        store: the open store.
        as_of: the data's as-of date (used by the as-of, long-stay and in-care checks);
            default `as_of_date(store)`, or today on a store with no events.

    Returns:
        One row per check in registry order: check_id, name, severity, table, failing
        (records that fail), checked (records examined, the denominator), share
        (failing / checked, null when nothing was checked), explanation.
    """
    return check_results(store, as_of)[0]


def check_results(store: Store, as_of: date | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`run_checks` and `checks_by_unit` from one pass over the data (the data quality page
    shows both): each check's failing records are counted by unit once, and a check's
    total is the sum over its units."""
    checks = list_checks()
    as_of = _as_of(store, as_of)
    by_unit = _failing_by_unit(store, checks, as_of)
    failing = dict(by_unit.group_by("check_id").agg(pl.col("failing").sum()).iter_rows())
    sql = ("SELECT check_id, sum(checked)::BIGINT FROM ("
           + " UNION ALL ".join(p for c in checks for p in _checked_parts(c, False))
           + ") GROUP BY check_id")
    checked = dict(_run(store, sql, as_of).iter_rows())
    rows = [{"check_id": c.id, "name": c.name, "severity": c.severity, "table": c.table,
             "failing": int(failing.get(c.id, 0)), "checked": checked[c.id],
             "share": failing.get(c.id, 0) / checked[c.id] if checked[c.id] else None,
             "explanation": c.explanation} for c in checks]
    summary = pl.DataFrame(rows, schema={"check_id": pl.String, "name": pl.String,
                                         "severity": pl.String, "table": pl.String,
                                         "failing": pl.Int64, "checked": pl.Int64,
                                         "share": pl.Float64, "explanation": pl.String})
    return summary, by_unit


def failing_records(store: Store, check_id: str, unit_id: str | None = None,
                    as_of: date | None = None) -> pl.DataFrame:
    """The records that fail one check (case lists for analysts and supervisors).

    Args:
        store: the open store.
        check_id: an id from `list_checks()`.
        unit_id: only records of this unit (the episode's, report's or worker's unit).
        as_of: the data's as-of date; default `as_of_date(store)`.

    Returns:
        Columns check_id, source_table, record_key (for reports the report_id, with
        child_id completing the key), child_id, unit_id, unit_name, region, event_date,
        detail; ordered by event_date.

    Raises:
        ValueError: there is no check called `check_id`.
    """
    c = _get(check_id)
    sql = (f"SELECT f.check_id, f.source_table, f.record_key, f.child_id, f.unit_id, "
           f"u.unit_name, u.region, f.event_date, f.detail FROM ({_failing_union([c])}) f "
           f"LEFT JOIN units u ON u.unit_id = f.unit_id "
           f"WHERE $unit_id IS NULL OR f.unit_id = $unit_id "
           f"ORDER BY f.event_date NULLS LAST, f.source_table, f.record_key, f.child_id")
    return _run(store, sql, _as_of(store, as_of), unit_id=unit_id)


def checks_by_unit(store: Store, as_of: date | None = None) -> pl.DataFrame:
    """Failing records per check and unit (only pairs with at least one failure).

    Records whose unit cannot be determined have unit_id, unit_name and region null.

    Returns:
        Columns check_id, unit_id, unit_name, region, failing.
    """
    return check_results(store, as_of)[1]


def _failing_by_unit(store: Store, checks: list[QualityCheck], as_of: date) -> pl.DataFrame:
    sql = (f"SELECT f.check_id, f.unit_id, u.unit_name, u.region, count(*)::BIGINT AS failing "
           f"FROM ({_failing_union(checks)}) f "
           f"LEFT JOIN units u ON u.unit_id = f.unit_id GROUP BY ALL "
           f"ORDER BY f.check_id, f.unit_id NULLS LAST")
    return _run(store, sql, as_of)


def checks_over_time(store: Store, check_id: str | None = None, grain: str = "month",
                     as_of: date | None = None) -> pl.DataFrame:
    """Failing and checked records per period, by each record's date.

    A record belongs to the period of its table's main date (or the check's period_date,
    e.g. discharge_date for missing discharge reasons). Records without that date are
    left out here (they still count in `run_checks`).

    Args:
        store: the open store.
        check_id: one check, or None for all.
        grain: week, month, quarter or year.
        as_of: the data's as-of date; default `as_of_date(store)`.

    Returns:
        Columns period (first day, date), check_id, failing, checked; by check then period.
    """
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS}, not {grain!r}")
    checks = [_get(check_id)] if check_id else list_checks()
    sql = (f"WITH failing AS (SELECT check_id, date_trunc($grain, event_date)::DATE AS period, "
           f"count(*) AS n FROM ({_failing_union(checks)}) GROUP BY ALL), checked AS ("
           + " UNION ALL ".join(p for c in checks for p in _checked_parts(c, True))
           + "), checked_sum AS (SELECT check_id, period, sum(checked) AS n FROM checked "
           "GROUP BY ALL) SELECT coalesce(k.period, f.period) AS period, "
           "coalesce(k.check_id, f.check_id) AS check_id, coalesce(f.n, 0)::BIGINT AS failing, "
           "coalesce(k.n, 0)::BIGINT AS checked FROM checked_sum k FULL OUTER JOIN failing f "
           "ON f.check_id = k.check_id AND f.period = k.period "
           "WHERE coalesce(k.period, f.period) IS NOT NULL ORDER BY check_id, period")
    return _run(store, sql, _as_of(store, as_of), grain=grain)


def entry_timeliness(store: Store, by: str = "unit", grain: str = "month",
                     late_days: int | None = None) -> pl.DataFrame:
    """How long after the event visits and reports were entered (indicator D1's basis).

    Only records with an entered_date count. A record is late when entered_date - event
    date (visit_date, report_date) is more than `late_days`. Visits belong to the
    visiting worker's unit, report rows (one per report and child) to the report's unit;
    a record with no unit counts under group 'unknown'. List the late records with
    `failing_records(store, "late_entry_visits")` or `"late_entry_reports"`.

    Args:
        store: the open store.
        by: unit, region, month (the event's period at `grain`) or all.
        grain: week, month, quarter or year (used when by="month").
        late_days: the threshold; default `late_entry_days()` (D1's d1_days, 3).

    Returns:
        Columns source (visits/reports), group (unit_id, region, period start as
        YYYY-MM-DD, or 'all'), records, late, share_late, median_days, p90_days.
    """
    if by not in _TIMELINESS_GROUPS:
        raise ValueError(f"by must be one of {tuple(_TIMELINESS_GROUPS)}, not {by!r}")
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS}, not {grain!r}")
    late = late_entry_days() if late_days is None else int(late_days)
    sql = (f"SELECT d.source, {_TIMELINESS_GROUPS[by]} AS \"group\", count(*)::BIGINT AS records, "
           f"count(*) FILTER (WHERE d.days > $late_days)::BIGINT AS late, "
           f"(count(*) FILTER (WHERE d.days > $late_days) / count(*))::DOUBLE AS share_late, "
           f"median(d.days)::DOUBLE AS median_days, "
           f"quantile_cont(d.days, 0.9)::DOUBLE AS p90_days "
           f"FROM ({_read_sql('_entry_delays.sql')}) d "
           f"LEFT JOIN units u ON u.unit_id = d.unit_id "
           f"GROUP BY ALL ORDER BY d.source DESC, \"group\"")
    return _run(store, sql, None, grain=grain, late_days=late)
