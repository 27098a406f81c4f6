"""Fixtures for the importer tests: a real DuckDB file per test."""

from __future__ import annotations

import pytest

from cqi_core.storage.store import open_store
from ingest_helpers import GOOD


@pytest.fixture
def store(tmp_path):
    """An empty store in a fresh database file."""
    s = open_store(tmp_path / "cqi.duckdb")
    yield s
    s.close()


@pytest.fixture
def good_store(store):
    """A store holding the tiny good agency (imported once, snapshot)."""
    from cqi_core.ingest import import_files

    result = import_files(store, [GOOD], user="fixture")
    assert result.outcome == "landed", result.message
    return store
