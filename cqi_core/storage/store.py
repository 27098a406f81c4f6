"""The DuckDB database file: schema, migrations, connections and the archive of imports.

`cqi_core` owns the file. One connection is opened per process and path; every query or
thread takes its own `cursor()` from it, which is how DuckDB wants to be shared between
threads. The data tables are created from `contract.yaml`, so an optional column added to
the contract appears in the store by itself (the migration step adds missing columns).

A process opens the file in one of three modes (`CQI_DB_MODE`, or `open_store(mode=...)`):

- `single` (the default): this process alone has the file, read-write. DuckDB then locks
  every other process out, readers included: the local demo, tests, scripts.
- `shared`: several processes share the file. This one reads it read-only and saves a change
  by writing a copy and swapping it in (`swap.py`, `Store.writing`): the analysts' app in
  production, and the command line's `import`.
- `replica`: read-only, changes are refused: public apps and the command line's read
  commands (`open_store(read_only=True)`).

A shared or replica store notices a file swapped in by another process when `refresh()` is
called (pages call it on every run) and reopens on it; its data version then changes, so
caches keyed by it follow.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import duckdb
import polars as pl

from cqi_core.storage import swap
from cqi_core.storage.contract import load_contract
from cqi_core.errors import StoreError

SCHEMA_VERSION = 1
DEFAULT_DB = Path("data") / "cqi.duckdb"
_SQL_DIR = Path(__file__).with_name("sql")

MODES = ("single", "shared", "replica")
"""How a process opens the database (see the module docstring); `CQI_DB_MODE` picks one."""
_ATTACHED = "cqi"  # the catalog name of the file in a shared or replica connection
_RETIRED_KEPT = 1  # connections on replaced files kept open for queries still running

_lock = threading.Lock()
_open: dict[tuple[str, str], "Store"] = {}
_log = logging.getLogger(__name__)


def default_db_path() -> Path:
    """The database path: `CQI_DB` when set, else `data/cqi.duckdb`."""
    return Path(os.environ.get("CQI_DB") or DEFAULT_DB)


def db_mode(env: dict | None = None) -> str:
    """The mode this process opens the database in: `CQI_DB_MODE`, default `single`.

    Raises:
        StoreError: a value that is not single, shared or replica.
    """
    value = ((env if env is not None else os.environ).get("CQI_DB_MODE") or "single")
    value = value.strip().lower()
    if value not in MODES:
        raise StoreError(f"CQI_DB_MODE is {value!r}; use single, shared or replica.")
    return value


def archive_dir(db_path: str | Path) -> Path:
    """Folder beside the database where imported files are kept by SHA-256."""
    p = Path(db_path)
    return p.with_name(p.name + ".archive")


class Store:
    """An open database file. Use `open_store()` rather than the constructor."""

    # A store carries no other attributes: whom a result is for travels beside it in a
    # `privacy.Handle`, never patched onto it.
    __slots__ = ("path", "mode", "read_only", "_con", "write_lock", "_closed", "_stamp",
                 "_retired", "_reopen_lock", "_writes", "__weakref__")

    def __init__(self, path: str | Path, read_only: bool = False, mode: str | None = None) -> None:
        self.path = Path(path)
        self.mode = "replica" if read_only else (mode or "single")
        if self.mode not in MODES:
            raise StoreError(f"Unknown database mode {self.mode!r}; use single, shared or replica.")
        self.read_only = self.mode == "replica"
        self._closed = False
        self._writes = 0
        self._stamp: tuple[int, int, int] | None = None
        self._retired: list[duckdb.DuckDBPyConnection] = []
        self._reopen_lock = threading.Lock()
        self.write_lock = threading.Lock()
        if self.read_only and not self.path.exists():
            raise StoreError(f"There is no database at {self.path}. Import data first.")
        if self.mode == "single":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._con = duckdb.connect(str(self.path))
            except duckdb.IOException as exc:
                _log.warning("Cannot open %s for writing: %s", self.path, exc)
                raise StoreError(
                    f"The database {self.path} cannot be opened: it is in use by another "
                    f"program (for example the dashboard or a running import). To share one "
                    f"file between several programs, see CQI_DB_MODE in the README.") from None
            migrate(self)
            return
        if self.mode == "shared" and (not self.path.exists() or self._outdated()):
            # a new file, or one an older release wrote: create or migrate it by a swap
            with swap.rewrite(self.path, prepare=_migrate_connection):
                pass
        self._con, self._stamp = self._attach()
        if current_version(self) is None:
            self._con.close()
            raise StoreError(f"{self.path} is not a CQI database.")

    def _attach(self) -> tuple[duckdb.DuckDBPyConnection, tuple[int, int, int]]:
        """A read-only connection on the file now at `path`, and the file's stamp.

        The file is attached to a fresh in-memory database rather than opened directly:
        DuckDB hands a second open of the same path in one process the instance already
        open (on the replaced file) for as long as any cursor of it lives."""
        for _ in range(5):
            try:
                stamp = swap.file_stamp(self.path)
            except FileNotFoundError:
                raise StoreError(f"There is no database at {self.path}. Import data first.") from None
            con = duckdb.connect()
            try:
                con.execute(f"ATTACH {swap.quoted(self.path)} AS {_ATTACHED} (READ_ONLY)")
                con.execute(f"USE {_ATTACHED}")
            except duckdb.Error as exc:
                con.close()
                _log.warning("Cannot open %s read-only: %s", self.path, exc)
                if isinstance(exc, duckdb.IOException) or "conflict" in str(exc).lower():
                    raise StoreError(swap.busy_message(self.path)) from None
                raise StoreError(f"{self.path} is not a CQI database.") from None
            if swap.file_stamp(self.path) == stamp:
                return con, stamp
            con.close()  # swapped while opening: open the new one
        raise StoreError(f"The database {self.path} keeps being replaced; try again.")

    def _outdated(self) -> bool:
        """True when the live file lacks a table, column or schema version this release has."""
        con, _ = self._attach()
        try:
            return _needs_migration(con)  # the attach made the file con's current database
        finally:
            con.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor for one query or one thread (never share it between threads)."""
        cur = self._con.cursor()
        if self.mode != "single":
            cur.execute(f"USE {_ATTACHED}")
        return cur

    def query(self, sql: str, params: dict | list | None = None) -> pl.DataFrame:
        """Run one statement on a fresh cursor and return a Polars frame."""
        cur = self.cursor()
        try:
            rel = cur.sql(sql, params=params or None)
            return rel.pl() if rel is not None else pl.DataFrame()
        finally:
            cur.close()

    def scalar(self, sql: str, params: dict | list | None = None):
        """Run one statement and return the first column of its first row (or None)."""
        cur = self.cursor()
        try:
            rows = cur.execute(sql, params or {}).fetchall()
            row = rows[0] if rows else None
            return None if row is None else row[0]
        finally:
            cur.close()

    def refresh(self) -> bool:
        """Reopen on the file at `path` when another process swapped a new one in.

        One `os.stat` when nothing changed; a single store never changes under itself.
        Queries already running finish on the file they started on. Returns True when the
        store reopened (its `data_version` may then differ).

        Raises:
            StoreError: the new file cannot be opened.
        """
        if self.mode == "single" or self._closed:
            return False
        try:
            stamp = swap.file_stamp(self.path)
        except FileNotFoundError:  # moved away: keep reading the file we have
            return False
        if stamp == self._stamp:
            return False
        with self._reopen_lock:
            if stamp == self._stamp or self._closed:
                return False
            con, self._stamp = self._attach()
            old, self._con = self._con, con
            # the old file stays readable for cursors still running on it; older ones close
            self._retired.append(old)
            while len(self._retired) > _RETIRED_KEPT:
                self._retired.pop(0).close()
        return True

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor to make one change on, in this process's mode.

        `single`: a cursor on this store's connection. `shared`: a cursor on a read-write
        copy of the file; when the block ends without an exception the copy is swapped in
        and this store reopens on it (see `swap.rewrite`); on an exception the file is left
        as it was. The caller runs its own BEGIN … COMMIT on the cursor, and may take more
        cursors from it. Reads through the store inside the block see the file as it was
        when the block started (after any change another process swapped in before).
        Writers in this process are serialised by `write_lock` (do not hold it as well).

        Raises:
            StoreError: a replica (read-only) store, or the file is held by another program.
        """
        if self.read_only:
            raise StoreError("This database is open read-only, so changes cannot be saved here.")
        with self.write_lock:
            try:
                if self.mode == "single":
                    cur = self.cursor()
                    try:
                        yield cur
                    finally:
                        cur.close()
                    return
                with swap.writer_lock(self.path):
                    self.refresh()  # read what the copy will start from
                    with swap.rewrite_locked(self.path, prepare=_migrate_connection) as cur:
                        yield cur
                    self.refresh()
            finally:  # after the change is committed (or not): keys read before are stale
                self._writes += 1

    @property
    def generation(self) -> tuple:
        """Changes whenever what this store reads may have changed: a change saved through
        `writing()` in this process, or another file swapped in (seen by `refresh`). Keys
        derived from the data (data version, coding version) can be kept until it changes,
        so a page shown again knows its cached results are current without a query."""
        return (self._stamp, self._writes)

    @property
    def closed(self) -> bool:
        """True once `close` was called on this store (or a handle bound to it)."""
        return self._closed

    def close(self) -> None:
        """Close the connection (and forget it, so the next open_store reopens)."""
        self._closed = True
        with _lock:
            for k, v in list(_open.items()):
                if v is self:
                    del _open[k]
        for old in self._retired:
            old.close()
        self._retired.clear()
        self._con.close()


def open_store(path: str | Path | None = None, read_only: bool = False,
               mode: str | None = None) -> Store:
    """The process-wide store for `path` (default: `default_db_path()`).

    Args:
        path: the database file.
        read_only: open as a replica (the same as `mode="replica"`).
        mode: single, shared or replica; default `CQI_DB_MODE` (see `db_mode`).

    Raises:
        StoreError: the file cannot be opened in this mode.
    """
    p = Path(path) if path else default_db_path()
    mode = "replica" if read_only else (mode or db_mode())
    key = (str(p.resolve()), mode)
    with _lock:
        store = _open.get(key)
        if store is None:
            store = Store(p, mode=mode)
            _open[key] = store
        return store


def current_version(store: Store | duckdb.DuckDBPyConnection) -> int | None:
    """The schema version of the file, or None when it has no schema yet."""
    cur = store.cursor()
    try:
        exists = cur.execute("SELECT count(*) FROM information_schema.tables "
                             "WHERE table_name = 'schema_version'").fetchall()[0][0]
        if not exists:
            return None
        return cur.execute("SELECT max(version) FROM schema_version").fetchall()[0][0]
    finally:
        cur.close()


def data_table_ddl(name: str) -> str:
    """CREATE TABLE statement for one contract table (all identifiers from the contract)."""
    t = load_contract().table(name)
    cols = ", ".join(f"{c.name} {c.sql_type}" for c in t.columns)
    return f"CREATE TABLE IF NOT EXISTS {t.name} ({cols}, _batch_id BIGINT)"


def _feature_schemas() -> list[Path]:
    """Tables of the product's own features (catalog edits, chart notes ...), one file each.

    Every `*_schema.sql` beside the meta schema is run on each open with IF NOT EXISTS, so
    a file written before a feature existed gains its tables.
    """
    return sorted(p for p in _SQL_DIR.glob("*_schema.sql") if p.name != "meta_schema.sql")


def migrate(store: Store) -> None:
    """Bring the file to SCHEMA_VERSION and add any contract column it lacks."""
    _migrate(store, store.path)


def _migrate_connection(con: duckdb.DuckDBPyConnection) -> None:
    """`migrate` on a read-write connection (the copy a swap writes), when it needs it."""
    if not _needs_migration(con):
        return
    _migrate(con, Path(con.execute("SELECT path FROM duckdb_databases() "
                                   "WHERE database_name = current_database()").fetchall()[0][0]))


def _migrate(con: Store | duckdb.DuckDBPyConnection, path: Path) -> None:
    version = current_version(con)
    if version is not None and version > SCHEMA_VERSION:
        raise StoreError(f"{path} was written by a newer version of this product "
                         f"(schema {version}, this one knows {SCHEMA_VERSION}).")
    cur = con.cursor()
    try:
        cur.execute("BEGIN")
        if version is None:
            cur.execute((_SQL_DIR / "meta_schema.sql").read_text(encoding="utf-8"))
            cur.execute("INSERT INTO schema_version VALUES ($v, $t, 'initial schema')",
                        {"v": SCHEMA_VERSION, "t": datetime.now()})
        for schema in _feature_schemas():
            cur.execute(schema.read_text(encoding="utf-8"))
        for t in load_contract().tables.values():
            cur.execute(data_table_ddl(t.name))
            have = {r[0] for r in cur.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = $t",
                {"t": t.name}).fetchall()}
            for c in t.columns:
                if c.name not in have:
                    cur.execute(f"ALTER TABLE {t.name} ADD COLUMN {c.name} {c.sql_type}")
        cur.execute("COMMIT")
    except Exception:
        cur.execute("ROLLBACK")
        raise
    finally:
        cur.close()


_CREATED = re.compile(r"CREATE\s+(TABLE|SEQUENCE)\s+IF\s+NOT\s+EXISTS\s+(\w+)", re.IGNORECASE)


def _needs_migration(cur: duckdb.DuckDBPyConnection) -> bool:
    """True when `migrate` would change the file (a shared store cannot migrate in place).

    `cur` reads the file as its current database."""
    tables = {r[0] for r in cur.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_catalog = current_database()").fetchall()}
    if "schema_version" not in tables or cur.execute(
            "SELECT max(version) FROM schema_version").fetchall()[0][0] != SCHEMA_VERSION:
        return True
    sequences = {r[0] for r in cur.execute(
        "SELECT sequence_name FROM duckdb_sequences() "
        "WHERE database_name = current_database()").fetchall()}
    for schema in [_SQL_DIR / "meta_schema.sql", *_feature_schemas()]:
        for kind, name in _CREATED.findall(schema.read_text(encoding="utf-8")):
            if name not in (tables if kind.upper() == "TABLE" else sequences):
                return True
    columns = {(r[0], r[1]) for r in cur.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_catalog = current_database()").fetchall()}
    return any((t.name, c.name) not in columns
               for t in load_contract().tables.values() for c in t.columns)


def table_counts(store: Store) -> dict[str, int]:
    """Rows per contract table."""
    parts = " UNION ALL ".join(
        f"SELECT '{n}' AS t, count(*)::BIGINT AS n FROM {n}" for n in load_contract().tables)
    return dict(store.query(parts).iter_rows())
