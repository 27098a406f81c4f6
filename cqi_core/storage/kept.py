"""Files derived from one data version, kept beside the database (`<database>.cache/`): the
trend series and their scan, the latest figures, the excerpts and their theme suggestions,
and the refresh's progress. Each is named after the data version it was built for (and
whatever else it depends on), so a new import simply makes new names."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import polars as pl


def kept_path(database: Path, name: str) -> Path:
    """Where a file derived from `database` is kept."""
    return database.with_name(database.name + ".cache") / name


def keyed_path(database: Path, prefix: str, *parts: object) -> Path:
    """`kept_path` of a Parquet file named `<prefix>-<key>.parquet`, the key a hash of
    `parts`: the data version first, then every setting, rule and column it depends on."""
    key = hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:16]
    return kept_path(database, f"{prefix}-{key}.parquet")


def keep(frame: pl.DataFrame, path: Path, older: str) -> None:
    """Write `frame` to `path`, first removing the files of its folder matching `older` (the
    same thing built for earlier data versions). A read-only folder keeps nothing: whatever
    reads the file computes its figures when asked instead. The file is written under
    another name and renamed, so a page reading it meanwhile (the refresh writes some from
    a process of its own) finds the whole file or none; the name is the writer's own, so two
    writers of the same file never write into each other's."""
    part = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.part")
    try:
        path.parent.mkdir(exist_ok=True)
        for old in path.parent.glob(older):
            old.unlink()
        frame.write_parquet(part)
        part.replace(path)
    except OSError:
        try:
            part.unlink(missing_ok=True)
        except OSError:
            pass
