"""Files derived from one data version, kept beside the database (`<database>.cache/`): the
trend series, the latest figures and the refresh's progress. Each is named after the data
version it was built for, so a new import simply makes new names."""

from __future__ import annotations

from pathlib import Path

import polars as pl


def kept_path(database: Path, name: str) -> Path:
    """Where a file derived from `database` is kept."""
    return database.with_name(database.name + ".cache") / name


def keep(frame: pl.DataFrame, path: Path, older: str) -> None:
    """Write `frame` to `path`, first removing the files of its folder matching `older` (the
    same thing built for earlier data versions). A read-only folder keeps nothing: whatever
    reads the file computes its figures when asked instead."""
    try:
        path.parent.mkdir(exist_ok=True)
        for old in path.parent.glob(older):
            old.unlink()
        frame.write_parquet(path)
    except OSError:
        pass
