"""Fixtures of the qualitative tests: a tiny agency whose every text can be read by eye.

`tiny_export` is tests/fixtures/good (three case reviews, two feedback records, three staff
survey answers) plus one narrative on an item rated not applicable, written into a
temporary folder; `tiny_db` is that export imported into a fresh database.

The texts, with the excerpt ids they get:

    case_review:CR1:1     "Timely response"                        strength, U1, age 11
    case_review:CR1:12A   "Needs assessment was not updated"       area needing improvement
    case_review:CR2:4     "Two moves in six months"                area needing improvement, U2
    case_review:CR2:18    "Father engaged in planning"             strength
    case_review:CR3:2     "Not applicable: no visits were due ..." not applicable, U3
    feedback:F1:          "Having the same worker for a year ..."  youth, U1, North County
    feedback:F2:          "Visits were cancelled twice ..."        parent, no unit, South County
    staff_survey:S1:      "Too many new cases this spring"         U1
    staff_survey:S3:      "Weekly check-ins help, a lot"           U3
(S2 has no comment, so it is no excerpt.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tiny_agency import TINY_CODEBOOK, write_export


@pytest.fixture
def tiny_export(tmp_path) -> Path:
    return write_export(tmp_path / "export")


@pytest.fixture
def tiny_db(tiny_export, tmp_path):
    """An open, writable store with the tiny agency (closed after the test)."""
    from cqi_core import import_files, open_store

    store = open_store(tmp_path / "tiny.duckdb")
    result = import_files(store, [tiny_export], user="tests")
    assert result.outcome == "landed", result.message
    yield store
    store.close()


@pytest.fixture
def tiny_codebook():
    from cqi_core.analysis.qualitative import load_codebook
    return load_codebook(path=TINY_CODEBOOK)
