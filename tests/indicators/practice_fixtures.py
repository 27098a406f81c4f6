"""Hand-built rows for the practice indicator tests (V1, V2, T1, D1, W1, W2, Q1, Q2, F1).

Each test builds a tiny store with plain INSERTs that name their columns, then reads the
engine's sums. Units: U1 and U3 in region North, U2 in South.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from cqi_core.indicators import compute
from cqi_core.storage.store import Store, open_store

UNITS = [
    {"unit_id": "U1", "unit_name": "North One", "region": "North"},
    {"unit_id": "U2", "unit_name": "South One", "region": "South"},
    {"unit_id": "U3", "unit_name": "North Two", "region": "North"},
]
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def d(text: str) -> date:
    """A date from `YYYY-MM-DD`."""
    return date.fromisoformat(text)


def new_store(tmp_path: Path) -> Store:
    """An empty store with the three units."""
    store = open_store(tmp_path / "t.duckdb")
    add(store, "units", UNITS)
    return store


def add(store: Store, table: str, rows: list[dict]) -> None:
    """Insert rows (dicts of column → value; `YYYY-MM-DD` strings become dates)."""
    cur = store.cursor()
    try:
        for row in rows:
            values = {k: d(v) if isinstance(v, str) and _ISO.match(v) else v
                      for k, v in row.items()}
            cols = ", ".join(values)
            marks = ", ".join(f"${k}" for k in values)
            cur.execute(f"INSERT INTO {table} ({cols}, _batch_id) VALUES ({marks}, 1)", values)
    finally:
        cur.close()


def child(child_id: str, birth_date: str, sex: str = "female",
          race_ethnicity: str = "white") -> dict:
    return {"child_id": child_id, "birth_date": birth_date, "sex": sex,
            "race_ethnicity": race_ethnicity}


def episode(episode_id: str, child_id: str, removal: str, discharge: str | None = None,
            unit: str = "U1") -> dict:
    return {"episode_id": episode_id, "child_id": child_id, "removal_date": removal,
            "discharge_date": discharge,
            "discharge_reason": "reunification" if discharge else None, "unit_id": unit}


def visit(visit_id: str, child_id: str, visit_date: str, location: str = "residence",
          worker: str | None = "W1", entered: str | None = None) -> dict:
    return {"visit_id": visit_id, "child_id": child_id, "visit_date": visit_date,
            "location": location, "worker_id": worker, "entered_date": entered}


def worker(worker_id: str, unit: str, hire: str, separation: str | None = None,
           role: str = "caseworker") -> dict:
    return {"worker_id": worker_id, "unit_id": unit, "role": role, "hire_date": hire,
            "separation_date": separation}


def report(report_id: str, child_id: str, report_date: str, priority: int | None,
           first_contact: str | None, unit: str | None = "U1") -> dict:
    return {"report_id": report_id, "child_id": child_id, "report_date": report_date,
            "response_priority": priority, "first_contact_date": first_contact,
            "disposition": "unsubstantiated", "unit_id": unit}


def review(review_id: str, review_date: str, unit: str = "U1") -> dict:
    return {"review_id": review_id, "child_id": "C" + review_id, "unit_id": unit,
            "review_date": review_date, "case_type": "foster_care"}


def ratings(review_id: str, **items: str) -> list[dict]:
    """Rating rows from short codes: ratings("R1", i1="S", i12A="ANI", i3="NA")."""
    code = {"S": "strength", "ANI": "area_needing_improvement", "NA": "not_applicable"}
    return [{"review_id": review_id, "item": k[1:], "rating": code[v]} for k, v in items.items()]


def sums(store: Store, indicator: str, start: str, end: str,
         by: tuple[str, ...] = ("unit", "region")) -> dict[tuple[str, str, str], tuple]:
    """The engine's output as {(indicator_id, group_by, group_value): (numerator, denominator)}."""
    out = compute(store, d(start), d(end), by=list(by), indicators=[indicator])
    return {(r["indicator_id"], r["group_by"], r["group_value"]): (r["numerator"], r["denominator"])
            for r in out.iter_rows(named=True)}


def total(store: Store, indicator: str, start: str, end: str) -> tuple[float, float]:
    """(numerator, denominator) of the whole agency for one indicator id."""
    family = indicator.split(".")[0]
    return sums(store, family, start, end, by=())[(indicator, "all", "all")]
