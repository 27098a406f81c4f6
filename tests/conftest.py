"""Shared fixtures: a real DuckDB file loaded with the committed sample agency."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from db_support import copy_with_series

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"


# The slowest files first (each file runs whole on one worker, `--dist loadfile`): a long
# file started last would leave the other workers idle at the end.
SLOW_FIRST = ("browser/", "app/test_query_params.py", "privacy/test_publication_attack.py",
              "app/", "analysis/qualitative/", "privacy/", "publish/", "storage/")


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        path = Path(str(item.path)).resolve().relative_to(ROOT / "tests").as_posix()
        return next((i for i, start in enumerate(SLOW_FIRST) if path.startswith(start)),
                    len(SLOW_FIRST))
    items.sort(key=rank)  # stable: the order within each rank is kept


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """A database file with the sample agency imported once per test session.

    Tests that need their own copy take `sample_db_copy`.
    """
    from cqi_core import import_files, open_store
    from cqi_core.publish import build_publication

    path = tmp_path_factory.mktemp("sample") / "cqi.duckdb"
    store = open_store(path)
    result = import_files(store, [SAMPLE], user="tests")
    assert result.outcome == "landed", result.message
    # Public audiences read only the publication, built after every import (as the command
    # line and the import page do).
    assert build_publication(store) is not None
    store.close()
    _SHARED.append(path)
    return path


_SHARED: list[Path] = []


@pytest.fixture(autouse=True, scope="module")
def _close_the_shared_sample_after_each_module():
    """Close any handle a test module left open on the shared sample database, so the next
    module may open it read-only or for writing (DuckDB refuses mixed connections in one
    process). Pages reopen a store closed under them."""
    yield
    from cqi_core.storage import store as stores

    shared = {str(p.resolve()) for p in _SHARED}
    for (path, _), s in list(stores._open.items()):
        if path in shared:
            s.close()


@pytest.fixture(scope="session")
def series_db(sample_db, tmp_path_factory) -> Path:
    """A copy of the sample database with every trend series built beside it, once per test
    session (the build is the slowest step of the app's first visit). Nothing may write to
    it; a test that writes takes `series_db_copy`."""
    from cqi_core import open_store
    from cqi_core.analysis import trends

    path = tmp_path_factory.mktemp("series") / "cqi.duckdb"
    shutil.copy(sample_db, path)
    store = open_store(path)
    for grain in trends.GRAINS:
        trends.build_series(store, grain)
    store.close()
    return path


@pytest.fixture
def series_db_copy(series_db, tmp_path) -> Path:
    """A private copy of `series_db` (series included) for a test that writes."""
    return copy_with_series(series_db, tmp_path)


@pytest.fixture
def sample_db_copy(sample_db, tmp_path) -> Path:
    """A private copy of the sample database for a test that writes."""
    dest = tmp_path / "cqi.duckdb"
    shutil.copy(sample_db, dest)
    return dest
