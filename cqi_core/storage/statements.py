"""Named statements and transactions: how every layer talks SQL to the store.

SQL lives in `.sql` files, one named statement per file, beside the package that owns it
(`statement(folder, name)` reads `folder/name.sql` once per process). Writes that must land
together run inside `transaction(cursor)`: committed when the block ends, rolled back (and
the error raised) when anything in it fails.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import duckdb


@lru_cache(maxsize=None)
def _read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def statement(folder: str | Path, name: str) -> str:
    """The statement named `name` in `folder` (the file `name.sql`), read once."""
    return _read(str(Path(folder) / f"{name}.sql"))


@contextmanager
def transaction(cur: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction on `cur`: all of the block's writes land, or none does."""
    cur.execute("BEGIN")
    try:
        yield cur
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    cur.execute("COMMIT")
