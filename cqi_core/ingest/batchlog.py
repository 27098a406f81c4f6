"""The import log and the archive: what every batch leaves behind besides data.

Every batch, landed, refused or unchanged, gets one row in `import_batches` and one row
per file (or workbook sheet) in `import_files`. The original files of a landed batch are
copied beside the database, named by their SHA-256, after the commit; the log's record of
the last landed files per table is also how a re-import of the same files is recognised.
"""

from __future__ import annotations

import getpass
import shutil
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import duckdb

from cqi_core.storage.store import Store, archive_dir
from cqi_core.ingest.model import FileResult

_SQL_DIR = Path(__file__).with_name("sql")


@lru_cache(maxsize=None)
def sql(name: str) -> str:
    """A named statement from `cqi_core/sql/ingest/<name>.sql`."""
    return (_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def rows_text(n: int) -> str:
    """'1 row', '2,345 rows'."""
    return f"{n:,} row" + ("" if n == 1 else "s")


def os_user() -> str | None:
    """The operating-system user name, when there is one."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers and services
        return None


def archive_name(path: str, sha: str | None) -> str | None:
    """Name of a file in the archive: its SHA-256 and its (lower-case) suffix."""
    return f"{sha}{Path(path).suffix.lower()}" if sha else None


def last_landed(store: Store) -> dict[str, tuple[list[str], str | None]]:
    """Per table: sorted SHA-256s and mapping name of its last landed import."""
    return {t: (list(shas), m) for t, shas, m in store.query(sql("last_landed")).iter_rows()}


def next_batch_id(cur: duckdb.DuckDBPyConnection) -> int:
    """The number the next batch gets (call inside the transaction that logs it)."""
    return cur.execute(sql("next_batch_id")).fetchall()[0][0]


def write_log(cur: duckdb.DuckDBPyConnection, batch_id: int, *, started: datetime, mode: str,
              mapping: str | None, user: str | None, outcome: str, message: str,
              files: list[FileResult]) -> None:
    """Insert the batch row and its file rows (on the caller's cursor and transaction)."""
    cur.execute(sql("log_batch"), {
        "batch_id": batch_id, "started_at": started, "finished_at": datetime.now(),
        "mode": mode, "mapping": mapping, "user_name": user, "outcome": outcome,
        "message": message, "rows_read": sum(f.rows_read for f in files),
        "rows_accepted": sum(f.rows_accepted for f in files),
        "rows_rejected": sum(f.rows_rejected for f in files)})
    for f in files:
        cur.execute(sql("log_file"), {
            "batch_id": batch_id, "file_name": f.file, "sha256": f.sha256,
            "table_name": f.table, "rows_read": f.rows_read, "rows_accepted": f.rows_accepted,
            "rows_rejected": f.rows_rejected,
            "ignored_columns": ", ".join(f.ignored_columns) or None,
            "archived_as": archive_name(f.path, f.sha256) if outcome != "refused" else None})


def log_alone(store: Store, cur: duckdb.DuckDBPyConnection | None, **entry) -> int:
    """Log a batch that writes nothing else, in its own small transaction.

    Pass `cur` when the caller already holds the store's write lock (it is not
    re-entrant); otherwise the lock is taken here. Returns the batch id.
    """
    if cur is None:
        with store.write_lock:
            own = store.cursor()
            try:
                return log_alone(store, own, **entry)
            finally:
                own.close()
    cur.execute("BEGIN")
    try:
        batch_id = next_batch_id(cur)
        write_log(cur, batch_id, **entry)
        cur.execute("COMMIT")
        return batch_id
    except BaseException:
        cur.execute("ROLLBACK")
        raise


def archive(store: Store, files: list[FileResult]) -> list[str]:
    """Copy the originals into the archive (once per content); returns notes on failures."""
    folder = archive_dir(store.path)
    notes = []
    for f in files:
        name = archive_name(f.path, f.sha256)
        dest = folder / name
        if dest.exists():
            continue
        try:
            folder.mkdir(parents=True, exist_ok=True)
            part = dest.with_name(dest.name + ".part")
            shutil.copyfile(f.path, part)
            part.replace(dest)
        except OSError as exc:
            notes.append(f"{f.file}: the data landed but the original file could not be "
                         f"archived ({exc.strerror}).")
    return notes
