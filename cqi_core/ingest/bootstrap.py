"""First run: build the database from the committed sample agency when none is loaded.

The app calls `ensure_database()` before anything else, so a new user who runs the one
README command sees a working agency at once. An existing database with data is never
touched.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from cqi_core.storage.store import Store, default_db_path, open_store, table_counts
from cqi_core.ingest.load import import_files

_first_run = threading.Lock()
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"


def needs_sample(store: Store) -> bool:
    """True when the store has no data and no import was ever attempted."""
    if any(table_counts(store).values()):
        return False
    return not store.scalar("SELECT count(*) FROM import_batches")


def ensure_database(path: str | Path | None = None, sample_dir: str | Path | None = None,
                    progress: Callable[[str, float], None] | None = None) -> Store:
    """Open the store at `path` and load the sample agency into it if it is empty.

    Args:
        path: database file; default `$CQI_DB` or `data/cqi.duckdb`.
        sample_dir: folder with the sample export; default `data/sample/`.
        progress: called with (message, fraction done) while the sample loads.
    """

    store = open_store(path or default_db_path())
    with _first_run:  # two browser sessions opening at once load the sample only once
        sample = Path(sample_dir or SAMPLE_DIR)
        if needs_sample(store) and sample.is_dir():
            import_files(store, [sample], mode="snapshot", user="first run (sample agency)",
                         progress=progress)
    return store
