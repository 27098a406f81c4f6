"""Versioned edits: staff change rule text from the app, and every change is kept.

The indicator catalog and the agency's values are YAML in the repository; staff edit them
in the app, and each edit is appended as a new version row to an edit table
(`catalog_edits`, `value_edits`, created by `sql/catalog_schema.sql`). Rows are never
changed or deleted, so the history can always say who changed what, when and why. This
module holds what both kinds of edit share: the version note, the field checks used by the
YAML loaders and by edits, and the statements that read and append edit rows.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import polars as pl

from cqi_core.errors import CQIError, StoreError
from cqi_core.storage.store import Store
from cqi_core.storage.statements import transaction

EDIT_TABLES = ("catalog_edits", "value_edits")
"""The tables of saved edits (created by sql/catalog_schema.sql); the only table names the
versioning statements below are formatted with."""

_NOTE_KEYS = ("version", "date", "what", "why", "by")


@dataclass(frozen=True)
class VersionNote:
    """One version of a catalog entry or an agency value."""

    version: int
    """1, 2, 3 … (the entry's version after this change)."""
    date: date
    """The day of the change."""
    what: str
    """What changed."""
    why: str
    """Why it changed."""
    by: str
    """Who changed it (a person or a role)."""


class BadField(Exception):
    """A field that does not pass validation (turned into ValueError or CQIError)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# ---- field checks (shared by the YAML loader and save_edit) -------------------------------

def field_text(field: str, v: Any) -> str:
    if not isinstance(v, str):
        raise BadField(field, "must be text")
    return v.strip()


def field_flag(field: str, v: Any) -> bool:
    if not isinstance(v, bool):
        raise BadField(field, "must be true or false")
    return v


def field_choice(field: str, v: Any, options: tuple[str, ...]) -> str:
    if v not in options:
        raise BadField(field, f"must be one of {', '.join(options)} (got {v!r})")
    return v


def field_number(field: str, v: Any) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise BadField(field, f"must be a number (got {v!r})")
    return float(v)


def field_day(field: str, v: Any) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        try:
            return date.fromisoformat(v.strip())
        except ValueError:
            pass
    raise BadField(field, f"must be a date written YYYY-MM-DD (got {v!r})")


def field_texts(field: str, v: Any) -> tuple[str, ...]:
    if not isinstance(v, (list, tuple)) or not all(isinstance(x, str) and x.strip() for x in v):
        raise BadField(field, "must be a list of non-empty texts")
    return tuple(x.strip() for x in v)


def field_history(v: Any) -> tuple[VersionNote, ...]:
    if not isinstance(v, (list, tuple)) or not v:
        raise BadField("history", "must be a list with at least version 1")
    notes = []
    for k, n in enumerate(v, start=1):
        if isinstance(n, VersionNote):
            notes.append(n)
            continue
        if not isinstance(n, dict) or set(n) != set(_NOTE_KEYS):
            raise BadField("history", f"version #{k} needs exactly the keys {', '.join(_NOTE_KEYS)}")
        if n["version"] != k or isinstance(n["version"], bool):
            raise BadField("history", f"versions must run 1, 2, 3 … (#{k} says {n['version']!r})")
        notes.append(VersionNote(k, field_day("history", n["date"]), field_text("history", n["what"]),
                                 field_text("history", n["why"]), field_text("history", n["by"])))
    return tuple(notes)


# ---- saved edits (the catalog and the agency values) -------------------------------------------

_SELECT_EDITS = """SELECT entry_id, version, base_version, saved_at, saved_by, why, changes,
       previous
FROM {table} ORDER BY entry_id, version"""
_LAST_VERSION = "SELECT max(version) FROM {table} WHERE entry_id = $entry_id"
_INSERT_EDIT = """INSERT INTO {table} (entry_id, version, base_version, saved_at, saved_by, why,
                     changes, previous)
VALUES ($entry_id, $version, $base_version, $saved_at, $saved_by, $why, $changes, $previous)"""


def _table(table: str) -> str:
    if table not in EDIT_TABLES:
        raise ValueError(f"not an edit table: {table!r}")
    return table


def stored_edits(store: Store, table: str) -> dict[str, list[dict]]:
    """Saved edits by entry id, oldest first (empty when the file predates the table)."""
    exists = store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = $t",
                          {"t": _table(table)})
    if not exists:
        return {}
    out: dict[str, list[dict]] = {}
    for row in store.query(_SELECT_EDITS.format(table=table)).iter_rows(named=True):
        row["changes"] = json.loads(row["changes"])
        row["previous"] = json.loads(row["previous"])
        out.setdefault(row["entry_id"], []).append(row)
    return out


def append_edit(store: Store | duckdb.DuckDBPyConnection, table: str, entry_id: str, base_version: int, changes: dict,
                previous: dict, why: str, by: str) -> int:
    """Write one edit as the next version row and return its version.

    `store` is the cursor of the caller's `Store.writing()` block (a plain store in a
    single-process database works too); the version is read and written in one transaction.
    """
    cur = store.cursor()
    try:
        with transaction(cur):
            last = cur.execute(_LAST_VERSION.format(table=_table(table)),
                               {"entry_id": entry_id}).fetchall()[0][0]
            version = max(base_version, last or 0) + 1
            cur.execute(_INSERT_EDIT.format(table=table), {
                "entry_id": entry_id, "version": version, "base_version": base_version,
                "saved_at": datetime.now(), "saved_by": by, "why": why,
                "changes": json.dumps(changes, default=str),
                "previous": json.dumps(previous, default=str)})
        return version
    finally:
        cur.close()


def edit_note(edit: dict) -> VersionNote:
    """A saved edit as a version note."""
    return VersionNote(edit["version"], edit["saved_at"].date(),
                       "Changed " + ", ".join(edit["changes"]) + ".", edit["why"], edit["saved_by"])


def check_edit_request(store: Store, what: str, changes: Any, why: Any, by: Any,
                       editable: tuple[str, ...]) -> None:
    """Refuse an edit that cannot be saved at all, with a message a supervisor reads."""
    if store.read_only:
        raise StoreError("This database is open read-only, so changes cannot be saved here. "
                         "Ask an analyst to make the change.")
    if not isinstance(why, str) or not why.strip():
        raise CQIError(f"Say why {what} is changing: the reason is kept with the change.")
    if not isinstance(by, str) or not by.strip():
        raise CQIError(f"Say who is changing {what}: the name is kept with the change.")
    if not isinstance(changes, dict) or not changes:
        raise CQIError(f"There is nothing to change in {what}.")
    locked = [k for k in changes if k not in editable]
    if locked:
        raise CQIError(f"{locked[0]!r} cannot be changed here. Fields you can change: "
                       f"{', '.join(editable)}.")


def history_frame(file_notes: tuple[VersionNote, ...], edits: list[dict]) -> pl.DataFrame:
    """The versions written in the YAML and the saved edits as one frame, newest first."""
    rows = [{"version": n.version, "date": n.date, "what": n.what, "why": n.why, "by": n.by,
             "source": "catalog file", "saved_at": None, "changes": None} for n in file_notes]
    for e in edits:
        n = edit_note(e)
        rows.append({"version": n.version, "date": n.date, "what": n.what, "why": n.why,
                     "by": n.by, "source": "saved edit", "saved_at": e["saved_at"],
                     "changes": json.dumps(e["changes"])})
    schema = {"version": pl.Int64, "date": pl.Date, "what": pl.String, "why": pl.String,
              "by": pl.String, "source": pl.String, "saved_at": pl.Datetime("us"),
              "changes": pl.String}
    return (pl.DataFrame(rows, schema=schema)
            .sort(["version", "saved_at"], descending=True, nulls_last=True))
