"""Facts about what is loaded: the as-of date, the data version, units, store status.

The command line's `status` prints `format_status`, and the import page lists
`import_history` and `rejected_rows`. Everything here is a
read-only query (one named statement per file in `sql/summary/`), so it runs on a store
opened read-only as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

from cqi_core.errors import CQIError
from cqi_core.storage.store import Store, current_version, table_counts
from cqi_core.storage.statements import statement

_SQL_DIR = Path(__file__).with_name("sql") / "summary"
AS_OF_SETTING = "as_of_date"
"""Name of the settings row that holds the configured extraction (as-of) date."""


@lru_cache(maxsize=None)
def _sql(name: str) -> str:
    return statement(_SQL_DIR, name)


@dataclass(frozen=True, eq=False)
class StoreStatus:
    """What the database holds (the `status` command and the data page)."""

    path: Path
    """The database file."""
    file_size: int | None
    """Size of the database file in bytes (None when it does not exist on disk)."""
    schema_version: int | None
    """Schema version written in the file."""
    as_of: date | None
    """The as-of date (configured, or the latest event date); None on an empty store."""
    as_of_configured: bool
    """True when the as-of date comes from the settings table, False when from the data."""
    tables: dict[str, int]
    """Rows per contract table."""
    date_ranges: dict[str, tuple[date | None, date | None]]
    """Per dated table, the earliest and latest value of its main date column(s)."""
    imports: pl.DataFrame
    """Up to 10 newest import batches: batch_id, when, mode, outcome, files, rows_read,
    rows_accepted, rows_rejected, message."""


def _configured_as_of(store: Store) -> date | None:
    value = store.scalar(_sql("setting"), {"name": AS_OF_SETTING})
    if value is None or not str(value).strip():
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise CQIError(f"The configured as-of date {value!r} is not a date; set it as "
                       f"YYYY-MM-DD (for example 2024-06-30).") from None


def as_of_date(store: Store) -> date | None:
    """The date the data describes.

    The configured extraction date (settings row `as_of_date`, `YYYY-MM-DD`) when set;
    otherwise the latest date present in the event tables (episode removal and discharge,
    placement start and end, report_date, visit_date).

    Returns:
        The as-of date, or None when nothing is configured and the event tables are empty.

    Raises:
        CQIError: the configured value is not a date.
    """
    return _configured_as_of(store) or store.scalar(_sql("as_of_from_data"))


def status(store: Store) -> StoreStatus:
    """Rows, date ranges, as-of date, schema version, file size and the last 10 imports."""
    configured = _configured_as_of(store)
    ranges = {t: (lo, hi) for t, lo, hi in store.query(_sql("date_ranges")).iter_rows()}
    imports = import_history(store, limit=10).select(
        "batch_id", pl.col("started_at").alias("when"), "mode", "outcome", "files",
        "rows_read", "rows_accepted", "rows_rejected", "message")
    return StoreStatus(
        path=store.path,
        file_size=store.path.stat().st_size if store.path.exists() else None,
        schema_version=current_version(store),
        as_of=configured or store.scalar(_sql("as_of_from_data")),
        as_of_configured=configured is not None,
        tables=table_counts(store), date_ranges=ranges, imports=imports)


def _size(n: int | None) -> str:
    if n is None:
        return "not on disk"
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} bytes"  # pragma: no cover


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return f"{v:%Y-%m-%d %H:%M}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _table(header: list[str], rows: list[list], right: set[int]) -> list[str]:
    cells = [header] + [[_cell(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def fmt(r: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(r, widths))).rstrip()

    return [fmt(cells[0]), fmt(["-" * w for w in widths])] + [fmt(r) for r in cells[1:]]


def format_status(st: StoreStatus) -> str:
    """The status as plain text for the command line (`python -m cqi_core status`)."""
    if st.as_of is None:
        as_of = "none (no events loaded)"
    else:
        source = "configured extraction date" if st.as_of_configured else "latest date in the data"
        as_of = f"{st.as_of} ({source})"
    lines = [f"Database:       {st.path} ({_size(st.file_size)}, "
             f"schema version {st.schema_version})",
             f"As-of date:     {as_of}", ""]
    rows = [[t, n, *st.date_ranges.get(t, (None, None))] for t, n in st.tables.items()]
    lines += _table(["Table", "Rows", "From", "To"], rows, right={1})
    lines += ["", "Last imports:"]
    if not len(st.imports):
        lines.append("  none yet")
    else:
        rows = [[b["batch_id"], b["when"], b["mode"], b["outcome"], b["files"], b["rows_read"],
                 b["rows_accepted"], b["rows_rejected"], (b["message"] or "")[:60]]
                for b in st.imports.iter_rows(named=True)]
        lines += _table(["Batch", "When", "Mode", "Outcome", "Files", "Read", "Accepted",
                         "Rejected", "Message"], rows, right={0, 4, 5, 6, 7})
    return "\n".join(lines)


def import_history(store: Store, limit: int = 50) -> pl.DataFrame:
    """Import batches, newest first.

    Returns:
        Columns batch_id, started_at, finished_at, mode, mapping, user_name, outcome,
        message, files, rows_read, rows_accepted, rows_rejected.
    """
    return store.query(_sql("import_history"), {"limit": int(limit)})


def rejected_rows(store: Store, batch_id: int | None = None) -> pl.DataFrame:
    """Rows the importer rejected, with their reasons (one batch, or all when None).

    Returns:
        Columns batch_id, table_name, file_name, row_number, column_name, value, reason,
        record; newest batch first, then by table, file and row number.
    """
    return store.query(_sql("rejected_rows"), {"batch_id": batch_id})


def unit_list(store: Store) -> pl.DataFrame:
    """Units with their names and regions (columns unit_id, unit_name, region)."""
    return store.query(_sql("units"))


def content_version(store: Store) -> str:
    """A key that changes whenever an import lands or an edit is saved, and is the same for a
    copy of the file (for results kept beside the database, which move with it)."""
    try:
        batch, catalog, values = store.query(_sql("data_version")).row(0)
    except duckdb.CatalogException:  # a file from before the catalog tables existed
        batch, catalog, values = store.scalar(
            "SELECT coalesce(max(batch_id), 0) FROM import_batches WHERE outcome = 'landed'"), 0, 0
    return f"{batch}|{catalog}|{values}"


def data_version(store: Store) -> str:
    """A key that changes whenever an import lands or an edit is saved (for result caches).

    It names the database file too, so two databases in one process never share results.
    """
    return f"{store.path.resolve()}|{content_version(store)}"
