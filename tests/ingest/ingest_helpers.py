"""Helpers shared by the importer tests (paths, database state, tiny CSV writer)."""

from __future__ import annotations

from pathlib import Path

from cqi_core.storage.contract import load_contract

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOOD = FIXTURES / "good"
BAD = FIXTURES / "bad"

#: Rows per table of the tiny good agency, counted by hand from tests/fixtures/good/.
GOOD_COUNTS = {"units": 3, "workers": 4, "children": 6, "episodes": 7, "placements": 10,
               "reports": 8, "visits": 12, "population": 3, "staff_survey": 3, "reviews": 3,
               "ratings": 8, "feedback": 2}


def state(store) -> dict[str, list[tuple]]:
    """Every data table and the rejects table, as sorted rows (to compare before/after)."""
    out = {}
    for name in [*load_contract().tables, "rejects"]:
        rows = store.query(f"SELECT * FROM {name}").rows()
        out[name] = sorted(rows, key=repr)
    return out


def counts(store) -> dict[str, int]:
    """Rows per data table."""
    return {t: store.scalar(f"SELECT count(*) FROM {t}") for t in load_contract().tables}


def rows(store, sql: str) -> list[tuple]:
    """Result rows of a query."""
    return store.query(sql).rows()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a small CSV for one test (bytes exactly as given, no newline translation)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path
