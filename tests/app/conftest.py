"""Fixtures for the app tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def series_db(sample_db, tmp_path_factory) -> Path:
    """A copy of the sample database with every trend series built beside it, for tests
    that open many pages and write nothing."""
    import cqi_core
    from cqi_core.analysis import trends

    path = tmp_path_factory.mktemp("series") / "cqi.duckdb"
    shutil.copy(sample_db, path)
    store = cqi_core.open_store(path)
    for grain in trends.GRAINS:
        trends.build_series(store, grain)
    store.close()
    return path
