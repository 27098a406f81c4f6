"""Helpers for tests that share the sample databases (see conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_with_series(source: Path, dest_dir: Path) -> Path:
    """Copy a database and the series kept beside it (`<db>.cache/`), which stay valid: they
    are keyed by the data version, which the copy shares."""
    dest = dest_dir / source.name
    shutil.copy(source, dest)
    cache = source.with_name(source.name + ".cache")
    if cache.is_dir():
        shutil.copytree(cache, dest.with_name(dest.name + ".cache"))
    return dest
