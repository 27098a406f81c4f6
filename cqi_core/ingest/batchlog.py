"""The import log and the archive: what every batch leaves behind besides data.

Every batch, landed, refused or unchanged, gets one row in `import_batches` and one row
per file (or workbook sheet) in `import_files`. The original files of a batch are copied
beside the database, named by their SHA-256, just before its commit: a batch that lands
always has its originals, and copies of a batch that fails are taken back (a copy left by
a kill is harmless, being named by its content). The log's record of the last landed files
per table is also how a re-import of the same files is recognised.
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


def last_landed(store: Store) -> dict[str, tuple[list[str], str | None, str]]:
    """Per table: sorted SHA-256s, mapping name and mode of its last landed import."""
    return {t: (list(shas), m, mode)
            for t, shas, m, mode in store.query(sql("last_landed")).iter_rows()}


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

    Pass `cur` when the caller is inside `store.writing()` already (it is not
    re-entrant); otherwise the change is made through it here. Returns the batch id.
    """
    if cur is None:
        with store.writing() as own:
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


class ArchiveError(Exception):
    """An original file could not be copied into the archive (the batch must not land)."""


def archive(store: Store, files: list[FileResult]) -> list[Path]:
    """Copy the originals into the archive (once per content), before the batch commits.

    Returns the archive files this call created, so that a batch that then fails to commit
    can take them back (`discard`). A copy is written to a `.part` file and renamed, so a
    kill never leaves a half-written file under an archive name.

    Raises:
        ArchiveError: a file could not be copied (its message names the file); the files
            created so far are removed again.
    """
    folder = archive_dir(store.path)
    created: list[Path] = []
    for f in files:
        name = archive_name(f.path, f.sha256)
        if name is None:
            continue
        dest = folder / name
        if dest.exists():
            continue
        try:
            folder.mkdir(parents=True, exist_ok=True)
            part = dest.with_name(dest.name + ".part")
            shutil.copyfile(f.path, part)
            part.replace(dest)
        except OSError as exc:
            discard(store, created)
            raise ArchiveError(f"{f.file}: the original file could not be archived beside the "
                               f"database ({exc.strerror or exc})") from None
        created.append(dest)
    return created


def archived_names(store: Store) -> set[str]:
    """Archive names that landed batches of the import log point to."""
    return {r[0] for r in store.query(sql("archived_names")).iter_rows()}


def discard(store: Store, created: list[Path]) -> None:
    """Remove archive copies of a batch that did not land (unless a landed batch needs them).

    Best effort: a copy left behind is harmless (it is named by its content), a copy
    removed that a landed batch needs is not, hence the check against the log.
    """
    if not created:
        return
    try:
        keep = archived_names(store)
    except Exception:  # the log cannot be read: keeping the copies is the safe side
        return
    for path in created:
        if path.name not in keep:
            path.unlink(missing_ok=True)


def repair_archive(store: Store, available: dict[str, str]) -> list[str]:
    """Find landed files whose archive copy is missing; restore those still at hand.

    A batch logged before archives were written ahead of the commit, or an archive folder
    tidied by hand, can lack originals. Any of them that a file of the current batch
    matches (same SHA-256) is copied back; the others are reported.

    Args:
        available: SHA-256 → path of the files of the current batch.
    Returns notes for the user (empty when the archive is complete).
    """
    folder = archive_dir(store.path)
    missing = [r for r in store.query(sql("landed_archives")).iter_rows()
               if not (folder / r[2]).exists()]
    restored, lost = [], []
    for batch_id, file_name, name, sha in missing:
        src = available.get(sha)
        if src is not None and Path(src).suffix.lower() == Path(name).suffix.lower():
            try:
                folder.mkdir(parents=True, exist_ok=True)
                part = folder / (name + ".part")
                shutil.copyfile(src, part)
                part.replace(folder / name)
                restored.append(f"{file_name} (batch {batch_id})")
                continue
            except OSError:
                pass
        lost.append(f"{file_name} (batch {batch_id})")
    notes = []
    if restored:
        notes.append(f"The archive was missing {', '.join(restored)}; it was restored from "
                     f"the file imported now.")
    if lost:
        notes.append(f"The archive is missing the original of {', '.join(lost)}; import "
                     f"that file again to put it back.")
    return notes
