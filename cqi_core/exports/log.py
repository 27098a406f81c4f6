"""The export log: who downloaded what, as which audience, and when.

Every export function records one row when it builds a file (that is, when someone clicks
a download button). A database open read-only (a replica) cannot take the row, and an
export must not fail for that, so the record goes to the process log instead (logger
`cqi_core.exports`, level WARNING), where the platform's log collection keeps it. Reading
the log is for analysts only.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from cqi_core import privacy
from cqi_core.errors import StoreError
from cqi_core.storage.store import Store
from cqi_core.storage.statements import statement

LOG_COLUMNS = {"logged_at": pl.Datetime("us"), "user_name": pl.String, "role": pl.String,
               "what": pl.String, "format": pl.String, "rows": pl.Int64, "detail": pl.String}
"""The export log's columns."""

_SQL_DIR = Path(__file__).resolve().parent / "sql"
_log = logging.getLogger("cqi_core.exports")


def _sql(name: str) -> str:
    return statement(_SQL_DIR, name)


def log_export(store: Store | privacy.Handle, what: str, fmt: str, rows: int | None = None, detail: str = "") -> None:
    """Record that the handle's viewer exported something (who, role, what, format, when).

    Never fails an export: on a database open read-only (a replica), or when the database
    refuses the row, the record is written to the process log instead (logger
    `cqi_core.exports`, level WARNING), so an operator can still find it.

    Args:
        store: the store handle (its viewer is who exported).
        what: what was exported, in words.
        fmt: the file type (csv, xlsx, png, svg, md ...).
        rows: data rows in the file, when it is a table.
        detail: anything else worth keeping (sheets, columns left out).
    """
    viewer, store = privacy.viewer_of(store), privacy.full(store)
    record = {"logged_at": datetime.now(), "user_name": viewer.name, "role": viewer.role,
              "what": what, "format": fmt, "rows": rows, "detail": detail or ""}
    if store.read_only:
        _log.warning("Export not recorded in the database (it is open read-only): %s", record)
        return
    try:
        with store.writing() as cur:
            try:
                cur.execute(_sql("log_export"), record)
            finally:
                cur.close()
    except (duckdb.Error, StoreError) as exc:  # e.g. the file is held by another program
        _log.warning("Export not recorded in the database (%s): %s", exc, record)


def export_log(store: Store | privacy.Handle, user_name: str | None = None, role: str | None = None,
               fmt: str | None = None, start: date | None = None,
               end: date | None = None) -> pl.DataFrame:
    """The export log, newest first, for analysts only.

    Args:
        store: the store handle (its viewer must be an analyst).
        user_name, role, fmt: keep only these (None: all).
        start, end: keep exports made on these days and between them (None: no limit).

    Returns:
        Columns logged_at, user_name, role, what, format, rows, detail.

    Raises:
        privacy.AccessDenied: the viewer is not an analyst.
    """
    viewer = privacy.viewer_of(store)
    if viewer.role != "analyst":
        raise privacy.AccessDenied("The export log is for analysts only.")
    params = {"user_name": user_name, "role": role, "format": fmt, "start": start, "end": end}
    try:
        return privacy.full(store).query(_sql("export_log"), params)
    except duckdb.CatalogException:  # a read-only file from before the log existed
        return pl.DataFrame(schema=LOG_COLUMNS)

