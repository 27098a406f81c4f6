"""Writing a database file that other processes read: change a copy, then swap it in.

DuckDB lets one process hold a file for writing, and that process locks every other one
out, readers included. So when several processes share the file (app replicas, the command
line), nobody keeps it open for writing. A change is made on a copy instead:

1. take the OS lock on `<db>.lock` (`fcntl.flock`), so two writers never race;
2. copy the live file (and a left-over `.wal`) to a temporary file beside it, in the same
   folder so the rename below is atomic, while holding a read-only attach of the live file:
   a process that has it open for writing makes the attach fail, and the copy is refused
   rather than taken from a file that is being changed;
3. open the copy for writing, bring its schema up to date, let the caller change it,
   CHECKPOINT and close it;
4. `os.replace` the copy over the live path.

Readers keep the file they opened (on Linux the old inode lives on while it is open) and
reopen when they notice the new one (`Store.refresh`). On any error the temporary file is
removed and the live file is left exactly as it was. A database that does not exist yet is
created the same way, from an empty copy.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from cqi_core.errors import StoreError

LOCK_SUFFIX = ".lock"
"""The writers' lock file beside the database (`cqi.duckdb.lock`); it stays, empty."""


def lock_path(path: str | Path) -> Path:
    """The lock file of the database at `path`."""
    p = Path(path)
    return p.with_name(p.name + LOCK_SUFFIX)


def file_stamp(path: str | Path) -> tuple[int, int, int]:
    """(inode, mtime in ns, size) of a file: changes when a new file is swapped in.

    Raises:
        FileNotFoundError: there is no file at `path`.
    """
    st = os.stat(path)
    return st.st_ino, st.st_mtime_ns, st.st_size


@contextmanager
def writer_lock(path: str | Path) -> Iterator[None]:
    """Hold the writers' lock of the database at `path` (waits for another writer)."""
    p = lock_path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o664)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def quoted(path: str | Path) -> str:
    """A path as an SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def busy_message(path: Path) -> str:
    return (f"The database {path} is open for writing by another program (an app or a command "
            f"that holds the file alone, CQI_DB_MODE=single), so it cannot be shared. Stop it, "
            f"or run every process on this file with CQI_DB_MODE=shared or replica.")


def _copy_live(path: Path, tmp: Path) -> None:
    """Copy the live file (and its write-ahead log, if one was left) to `tmp`."""
    probe = duckdb.connect()
    try:
        try:
            probe.execute(f"ATTACH {quoted(path)} AS live (READ_ONLY)")
        except duckdb.Error as exc:
            text = str(exc)
            if "lock" in text.lower() or "conflict" in text.lower():
                raise StoreError(busy_message(path)) from None
            raise StoreError(f"{path} cannot be read as a database "
                             f"({text.splitlines()[0][:200]}).") from None
        shutil.copyfile(path, tmp)
        wal = path.with_name(path.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, tmp.with_name(tmp.name + ".wal"))
    finally:
        probe.close()


def _remove(tmp: Path) -> None:
    for p in (tmp, tmp.with_name(tmp.name + ".wal")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


@contextmanager
def rewrite_locked(path: str | Path,
                   prepare: Callable[[duckdb.DuckDBPyConnection], None] | None = None
                   ) -> Iterator[duckdb.DuckDBPyConnection]:
    """`rewrite` for a caller that already holds `writer_lock(path)`."""
    live = Path(path)
    live.parent.mkdir(parents=True, exist_ok=True)
    tmp = live.with_name(f".{live.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        if live.exists():
            _copy_live(live, tmp)
            shutil.copymode(live, tmp)
        con = duckdb.connect(str(tmp))
        try:
            if prepare is not None:
                prepare(con)
            cur = con.cursor()
            try:
                yield cur
            finally:
                cur.close()
            con.execute("CHECKPOINT")
        finally:
            con.close()
        with open(tmp, "rb+") as f:  # on disk before it becomes the live file
            os.fsync(f.fileno())
        os.replace(tmp, live)
    finally:
        _remove(tmp)


@contextmanager
def rewrite(path: str | Path,
            prepare: Callable[[duckdb.DuckDBPyConnection], None] | None = None
            ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection on a copy of the database at `path`, swapped in at the end.

    `prepare(connection)` runs on the copy first (the store passes its migration). The
    caller runs its statements (and its own BEGIN … COMMIT) on the yielded cursor; it may
    also take more cursors from it. When the block ends without an exception the copy is
    checkpointed and atomically replaces the live file; when it raises, the copy is removed
    and the live file is untouched. Writers are serialised by `writer_lock(path)`.

    Raises:
        StoreError: another process has the live file open for writing, or it is not a
            database.
    """
    with writer_lock(path), rewrite_locked(path, prepare) as cur:
        yield cur
