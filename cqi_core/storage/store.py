"""The DuckDB database file: schema, migrations, connections and the archive of imports.

`cqi_core` owns the file. One connection is opened per process and path; every query or
thread takes its own `cursor()` from it, which is how DuckDB wants to be shared between
threads. A viewer process can open the file read-only. The data tables are created from
`contract.yaml`, so an optional column added to the contract appears in the store by
itself (the migration step adds missing columns).
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from cqi_core.storage.contract import load_contract
from cqi_core.errors import StoreError

SCHEMA_VERSION = 1
DEFAULT_DB = Path("data") / "cqi.duckdb"
_SQL_DIR = Path(__file__).with_name("sql")

_lock = threading.Lock()
_open: dict[tuple[str, bool], "Store"] = {}


def default_db_path() -> Path:
    """The database path: `CQI_DB` when set, else `data/cqi.duckdb`."""
    return Path(os.environ.get("CQI_DB") or DEFAULT_DB)


def archive_dir(db_path: str | Path) -> Path:
    """Folder beside the database where imported files are kept by SHA-256."""
    p = Path(db_path)
    return p.with_name(p.name + ".archive")


class Store:
    """An open database file. Use `open_store()` rather than the constructor."""

    # A store carries no other attributes: whom a result is for travels beside it in a
    # `privacy.Handle`, never patched onto it.
    __slots__ = ("path", "read_only", "_con", "write_lock", "_closed", "__weakref__")

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._closed = False
        if read_only and not self.path.exists():
            raise StoreError(f"There is no database at {self.path}. Import data first.")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            raise StoreError(
                f"The database {self.path} cannot be opened: it may be in use by another "
                f"program (for example the dashboard or a running import). ({exc})") from None
        self.write_lock = threading.Lock()
        if not read_only:
            migrate(self)
        elif current_version(self) is None:
            raise StoreError(f"{self.path} is not a CQI database.")

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor for one query or one thread (never share it between threads)."""
        return self._con.cursor()

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
        self._con.close()


def open_store(path: str | Path | None = None, read_only: bool = False) -> Store:
    """The process-wide store for `path` (default: `default_db_path()`)."""
    p = Path(path) if path else default_db_path()
    key = (str(p.resolve()), read_only)
    with _lock:
        store = _open.get(key)
        if store is None:
            store = Store(p, read_only=read_only)
            _open[key] = store
        return store


def current_version(store: Store) -> int | None:
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
    version = current_version(store)
    if version is not None and version > SCHEMA_VERSION:
        raise StoreError(f"{store.path} was written by a newer version of this product "
                         f"(schema {version}, this one knows {SCHEMA_VERSION}).")
    cur = store.cursor()
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


def table_counts(store: Store) -> dict[str, int]:
    """Rows per contract table."""
    parts = " UNION ALL ".join(
        f"SELECT '{n}' AS t, count(*)::BIGINT AS n FROM {n}" for n in load_contract().tables)
    return dict(store.query(parts).iter_rows())
