"""Helpers for the federal indicator tests: a tiny store filled with hand-made rows, and
the analysis rows and totals of one indicator SQL file.

Rows are inserted with plain SQL naming their columns (so `_batch_id` stays NULL). Each
test states the rows it needs; `base_store` adds one unit per region so the unit and
region groupings have something to look up.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from cqi_core.indicators import analysis_rows, compute
from cqi_core.storage.store import Store, open_store

UNITS = [("U1", "Unit one", "North"), ("U2", "Unit two", "South")]


def d(text: str) -> date:
    """An ISO date string as a date."""
    return date.fromisoformat(text)


def base_store(tmp_path: Path) -> Store:
    """A fresh store with units U1 (region North) and U2 (region South)."""
    store = open_store(tmp_path / "t.duckdb")
    insert(store, "units", ["unit_id", "unit_name", "region"], UNITS)
    return store


def insert(store: Store, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Insert rows into one contract table, naming the columns."""
    cols = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    cur = store.cursor()
    try:
        for row in rows:
            cur.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row))
    finally:
        cur.close()


def child(store: Store, child_id: str, birth_date: str, sex: str = "female",
          race: str = "white") -> None:
    """One children row."""
    insert(store, "children", ["child_id", "birth_date", "sex", "race_ethnicity"],
           [(child_id, d(birth_date), sex, race)])


def episode(store: Store, episode_id: str, child_id: str, removal: str,
            discharge: str | None = None, reason: str | None = None,
            unit: str = "U1") -> None:
    """One episodes row (discharge None = still in care)."""
    insert(store, "episodes",
           ["episode_id", "child_id", "removal_date", "discharge_date", "discharge_reason",
            "unit_id"],
           [(episode_id, child_id, d(removal), d(discharge) if discharge else None, reason,
             unit)])


def placement(store: Store, placement_id: str, episode_id: str, child_id: str, start: str,
              setting: str, end: str | None = None) -> None:
    """One placements row."""
    insert(store, "placements",
           ["placement_id", "episode_id", "child_id", "start_date", "end_date", "setting"],
           [(placement_id, episode_id, child_id, d(start), d(end) if end else None, setting)])


def report(store: Store, report_id: str, child_id: str, report_date: str,
           disposition: str = "substantiated", incident: str | None = None,
           unit: str | None = "U1") -> None:
    """One reports row (one report and one child; repeat the report_id for another child)."""
    insert(store, "reports",
           ["report_id", "child_id", "report_date", "incident_date", "disposition", "unit_id"],
           [(report_id, child_id, d(report_date), d(incident) if incident else None,
             disposition, unit)])


def analysis(store: Store, indicator: str, start: str, end: str) -> pl.DataFrame:
    """The analysis rows of one indicator SQL file for the period [start, end]."""
    return analysis_rows(store, indicator, d(start), d(end))


def result(store: Store, indicator: str, start: str, end: str, by: str = "all") -> dict:
    """compute() output of one indicator and one grouping as {group_value: row dict}."""
    out = compute(store, d(start), d(end), by=None if by == "all" else [by],
                  indicators=[indicator])
    return {r["group_value"]: r for r in out.filter(pl.col("group_by") == by).iter_rows(named=True)}


def totals(rows: pl.DataFrame, **where: str | None) -> tuple[float, float]:
    """(Σ numerator, Σ denominator) of the rows, optionally of one group (column=value;
    None selects the rows whose group is unknown)."""
    for col, value in where.items():
        rows = rows.filter(pl.col(col).is_null() if value is None else pl.col(col) == value)
    return (float(rows["numerator"].sum()), float(rows["denominator"].sum()))


COLUMNS = ["indicator_id", "unit_id", "region", "age_group", "sex", "race_ethnicity",
           "source_group", "numerator", "denominator"]
