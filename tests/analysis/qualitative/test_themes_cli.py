"""`python -m cqi_core themes`: themes of a period by group, as CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "cqi_core", *args], cwd=ROOT,
                          capture_output=True, text=True)


@pytest.fixture
def tiny_path(tiny_db):
    path = tiny_db.path
    tiny_db.close()
    return path


def test_themes_by_source_type_as_csv(tiny_path):
    out = run_cli("themes", "--db", str(tiny_path), "--start", "2023-01-01", "--end", "2023-12-31")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == ["code", "group_by", "group_value", "excerpts", "sources"]
    got = {(r["code"], r["group_value"]): (r["excerpts"], r["sources"]) for r in rows}
    # starter codebook on the tiny agency: "Two moves in six months" (placement_stability),
    # "Father engaged in planning" (engagement), "Too many new cases" (workforce)
    assert got[("placement_stability", "case_review")] == ("1", "1")
    assert got[("engagement", "case_review")] == ("1", "1")
    assert got[("workforce", "staff_survey")] == ("1", "1")
    assert {r["group_by"] for r in rows} == {"source_type"}


def test_themes_by_unit_as_json(tiny_path):
    out = run_cli("themes", "--db", str(tiny_path), "--start", "2023-05-01", "--end", "2023-05-31",
                  "--by", "unit", "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    # May 2023 holds only review CR2 (unit U2): items 4 and 18
    assert {(r["code"], r["group_by"], r["group_value"], r["excerpts"], r["sources"])
            for r in rows} >= {("placement_stability", "unit", "U2", 1, 1),
                               ("engagement", "unit", "U2", 1, 1)}
    assert {r["group_value"] for r in rows} == {"U2"}


@pytest.mark.parametrize("args, message", [
    (["--start", "2023-13-01", "--end", "2023-12-31"], "--start '2023-13-01' is not a date"),
    (["--start", "2023-06-01", "--end", "2023-05-01"], "--start 2023-06-01 is after --end"),
])
def test_usage_errors_exit_2_with_a_message(tiny_path, args, message):
    out = run_cli("themes", "--db", str(tiny_path), *args)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr
    assert out.stdout == ""


@pytest.fixture
def published_tiny_path(tiny_db):
    """The tiny agency with its publication built (as `import` does on the command line)."""
    from cqi_core.publish import build_publication

    info = build_publication(tiny_db)
    # 2023 is the 12 months to the last quarter end before the as-of date (10 Jan 2024)
    assert info is not None and info.periods()[-1] == (date(2023, 1, 1), date(2023, 12, 31))
    path = tiny_db.path
    tiny_db.close()
    return path


@pytest.mark.parametrize("audience", ["stakeholder", "youth"])
def test_public_audiences_get_every_small_count_masked(published_tiny_path, audience):
    # The tiny agency's counts are all 1 or 2 (one review, a few feedback records), so a
    # public audience sees every count empty and every row marked suppressed.
    out = run_cli("themes", "--db", str(published_tiny_path), "--start", "2023-01-01", "--end",
                  "2023-12-31", "--audience", audience, "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows and all(r["excerpts"] is None and r["sources"] is None and r["suppressed"]
                        for r in rows)


def test_public_audiences_are_refused_a_period_that_is_not_published(published_tiny_path):
    # May 2023 alone is not one of the published 12-month periods: refused, not computed.
    out = run_cli("themes", "--db", str(published_tiny_path), "--start", "2023-05-01", "--end",
                  "2023-05-31", "--audience", "stakeholder")
    assert out.returncode == 1 and out.stdout == ""
    assert "not one of them" in out.stderr and "Traceback" not in out.stderr


def test_public_audiences_are_refused_before_anything_is_published(tiny_path):
    out = run_cli("themes", "--db", str(tiny_path), "--start", "2023-01-01", "--end",
                  "2023-12-31", "--audience", "youth")
    assert out.returncode == 1 and out.stdout == ""
    assert "not been published" in out.stderr


def test_an_unknown_grouping_or_a_missing_database_is_a_usage_error(tmp_path):
    bad = run_cli("themes", "--start", "2023-01-01", "--end", "2023-12-31", "--by", "colour")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    missing = run_cli("themes", "--db", str(tmp_path / "none.duckdb"), "--start", "2023-01-01",
                      "--end", "2023-12-31")
    assert missing.returncode == 2 and "no database" in missing.stderr
    assert not (tmp_path / "none.duckdb").exists()


def test_a_file_that_is_not_a_cqi_database_is_a_data_error(tmp_path):
    import duckdb
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    out = run_cli("themes", "--db", str(other), "--start", "2023-01-01", "--end", "2023-12-31")
    assert out.returncode == 1 and "not a CQI database" in out.stderr
