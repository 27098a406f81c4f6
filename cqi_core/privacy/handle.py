"""The handle a page is given: the database and the person who will see what comes back.

DESIGN.md: the role decides what the core returns, not the page. A page never holds a bare
`Store`; it holds a `Handle(store, viewer)`. A core function that returns figures or
records takes `Store | Handle`, computes on the full database (`full`) and releases its
result once, on the way out, for `viewer_of(handle)`. A plain `Store` (the command line,
tests, imports) answers as analyst, so code that needs full figures simply takes a `Store`.

Reading the database is the same for every viewer, so a handle reads through to its store
(`cursor`, `query`, `scalar` ...): functions that return no figures (the catalog, imports,
notes, settings) take a handle or a store alike without knowing about audiences. What
differs by viewer is only what leaves the core, and that is decided by the two accessors
here and the release functions of this package.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from cqi_core.privacy.viewer import ANALYST, Viewer
from cqi_core.storage.store import Store


@dataclass(frozen=True)
class Handle:
    """A store bound to the person a result is for (what pages are given)."""

    store: Store
    """The database; the core computes on it in full and releases what it returns."""
    viewer: Viewer
    """Whom every result asked for through this handle is released to."""

    @property
    def path(self) -> Path:
        """The database file."""
        return self.store.path

    @property
    def read_only(self) -> bool:
        """True when the database was opened read-only."""
        return self.store.read_only

    @property
    def write_lock(self) -> threading.Lock:
        """The store's lock for writes."""
        return self.store.write_lock

    @property
    def mode(self) -> str:
        """How the database is open: single, shared or replica (see `storage.store`)."""
        return self.store.mode

    def writing(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A cursor to make one change on (see `Store.writing`)."""
        return self.store.writing()

    def refresh(self) -> bool:
        """Reopen on a database file swapped in since (see `Store.refresh`)."""
        return self.store.refresh()

    @property
    def closed(self) -> bool:
        """True once the store was closed."""
        return self.store.closed

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor on the store (see `Store.cursor`)."""
        return self.store.cursor()

    def query(self, sql: str, params: dict | list | None = None) -> pl.DataFrame:
        """Run one statement on the store (see `Store.query`)."""
        return self.store.query(sql, params)

    def scalar(self, sql: str, params: dict | list | None = None):
        """The first value of one statement on the store (see `Store.scalar`)."""
        return self.store.scalar(sql, params)

    def close(self) -> None:
        """Close the store this handle is bound to."""
        self.store.close()


def full(handle: Store | Handle) -> Store:
    """The database behind a handle (or the store itself), for computing in full.

    What is computed from it must be released for `viewer_of(handle)` before it leaves the
    core."""
    if isinstance(handle, Handle):
        return handle.store
    if isinstance(handle, Store):
        return handle
    raise TypeError(f"Expected a Store or a privacy.Handle, not {type(handle).__name__}.")


def viewer_of(handle: Store | Handle) -> Viewer:
    """Whom a result is for: the handle's viewer, or the analyst for a plain store.

    Raises:
        TypeError: anything else (an unknown object must never answer as analyst).
    """
    if isinstance(handle, Handle):
        return handle.viewer
    if isinstance(handle, Store):
        return ANALYST
    raise TypeError(f"Expected a Store or a privacy.Handle, not {type(handle).__name__}.")
