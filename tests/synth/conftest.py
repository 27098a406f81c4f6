"""Fixtures for the generator tests: one tiny agency per session, and the committed demo.

Tables are read with every column as text (ids keep their leading zeros) and the date
columns parsed strictly, so that reading them is itself a check of the format.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"

DATE_COLUMNS = {
    "workers": ["hire_date", "separation_date"],
    "children": ["birth_date"],
    "episodes": ["removal_date", "discharge_date"],
    "placements": ["start_date", "end_date"],
    "reports": ["report_date", "incident_date", "first_contact_date", "entered_date"],
    "visits": ["visit_date", "entered_date"],
    "staff_survey": ["survey_date"],
    "feedback": ["received_date"],
}
TABLES = ("units", "workers", "children", "episodes", "placements", "reports", "visits",
          "population", "staff_survey", "feedback")


def read_export(folder: Path) -> dict[str, pl.DataFrame]:
    """Every table of an export folder; dates parsed, everything else text."""
    out = {}
    for table in TABLES:
        frame = pl.read_csv(folder / f"{table}.csv", infer_schema=False)
        cols = DATE_COLUMNS.get(table, [])
        out[table] = frame.with_columns(pl.col(c).str.to_date("%Y-%m-%d", strict=True) for c in cols)
    for sheet in ("reviews", "ratings"):
        frame = pl.read_excel(folder / "case_reviews.xlsx", sheet_name=sheet, engine="openpyxl",
                              infer_schema_length=0)
        out[sheet] = frame
    return out


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """(folder, summary, progress calls) of one tiny agency with the default seed."""
    from cqi_core.synth import generate

    folder = tmp_path_factory.mktemp("tiny")
    calls: list[tuple[str, float]] = []
    summary = generate("tiny", folder, progress=lambda m, f: calls.append((m, f)))
    return folder, summary, calls


@pytest.fixture(scope="session")
def tiny(tiny_run) -> dict[str, pl.DataFrame]:
    return read_export(tiny_run[0])


@pytest.fixture(scope="session")
def demo() -> dict[str, pl.DataFrame]:
    """The committed sample agency (data/sample)."""
    assert (SAMPLE / "episodes.csv").exists(), "data/sample is missing: run python -m cqi_core generate --size demo --out data/sample"
    return read_export(SAMPLE)
