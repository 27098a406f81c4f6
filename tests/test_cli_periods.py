"""`indicators` and `themes` on the command line with a period past the data's as-of date:
refused (exit 1, message on stderr) when it starts after it, clipped with a note on stderr
when it only ends after it; stdout stays pure CSV."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFUSED = ("The period 2030-01-01 to 2030-12-31 starts after the data's as-of date 2026-06-30; "
           "choose a period that ends on or before it.")
NOTE = "Note: the period was clipped to end on the as-of date 2026-06-30."


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cqi_core", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


@pytest.fixture
def db(sample_db_copy) -> Path:
    """The sample with a configured as-of date of 30 June 2026 (the data runs past it, so
    the clipped figures differ from the unclipped ones)."""
    from cqi_core import open_store

    s = open_store(sample_db_copy)
    s.cursor().execute("INSERT OR REPLACE INTO settings VALUES ('as_of_date', '2026-06-30')")
    s.close()
    return sample_db_copy


def test_indicators_for_a_period_after_the_as_of_date_exit_1_with_the_message(db):
    out = _cli("indicators", "--start", "2030-01-01", "--end", "2030-12-31", "--db", str(db))
    assert out.returncode == 1
    assert REFUSED in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout == ""


def test_indicators_for_a_straddling_period_note_the_clip_and_end_on_the_as_of_date(db):
    out = _cli("indicators", "--start", "2026-01-01", "--end", "2026-12-31",
               "--indicators", "V1,P1", "--db", str(db))
    assert out.returncode == 0, out.stderr
    assert NOTE in out.stderr
    assert "Note" not in out.stdout
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows and {r["indicator_id"] for r in rows} == {"V1", "P1"}
    assert {r["period_start"] for r in rows} == {"2026-01-01"}
    assert {r["period_end"] for r in rows} == {"2026-06-30"}


def test_indicators_for_the_clipped_period_asked_directly_print_the_same_rows_and_no_note(db):
    clipped = _cli("indicators", "--start", "2026-01-01", "--end", "2026-12-31",
                   "--indicators", "V1", "--format", "json", "--db", str(db))
    direct = _cli("indicators", "--start", "2026-01-01", "--end", "2026-06-30",
                  "--indicators", "V1", "--format", "json", "--db", str(db))
    assert clipped.returncode == direct.returncode == 0, clipped.stderr + direct.stderr
    assert clipped.stdout == direct.stdout
    assert "Note" not in direct.stderr


def test_themes_refuse_and_clip_as_indicators_do(db):
    refused = _cli("themes", "--start", "2030-01-01", "--end", "2030-12-31", "--db", str(db))
    assert refused.returncode == 1
    assert REFUSED in refused.stderr
    clipped = _cli("themes", "--start", "2026-01-01", "--end", "2026-12-31", "--db", str(db))
    direct = _cli("themes", "--start", "2026-01-01", "--end", "2026-06-30", "--db", str(db))
    assert clipped.returncode == 0, clipped.stderr
    assert NOTE in clipped.stderr
    assert clipped.stdout == direct.stdout
    assert clipped.stdout.startswith("code,group_by,group_value,excerpts,sources")
