"""`--audience` on the command line applies the same rules as the app."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ARGS = ["--start", "2024-01-01", "--end", "2024-12-31"]
"""A published period: the 12 months to the quarter end of December 2024."""


def _cli(db, *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "cqi_core", *args, "--db", str(db)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def _small(v: str) -> bool:
    return v not in ("", None) and 1 <= float(v) <= 10


@pytest.fixture(scope="module")
def analyst_rows(sample_db):
    return _rows(_cli(sample_db, "indicators", *ARGS, "--by", "unit,region,sex,race_ethnicity,age_group"))


@pytest.mark.parametrize("audience", ["stakeholder", "youth"])
def test_public_indicator_output_has_no_small_count_and_says_what_it_masked(
        sample_db, analyst_rows, audience):
    rows = _rows(_cli(sample_db, "indicators", *ARGS, "--by",
                      "unit,region,sex,race_ethnicity,age_group", "--audience", audience))
    # The analyst's figures do hold small counts, so the check below means something.
    assert sum(_small(r["numerator"]) or _small(r["denominator"]) for r in analyst_rows) > 20
    # Every analyst row is published; a group with nothing counted in this period (but
    # seen in another) is published too, as zeros, since a reader knows it is zero.
    def key(r):
        return r["indicator_id"], r["group_by"], r["group_value"]
    theirs = {key(r) for r in analyst_rows}
    assert theirs <= {key(r) for r in rows}
    extra = [r for r in rows if key(r) not in theirs]
    assert all(float(r["numerator"] or 0) == 0 and float(r["denominator"] or 0) == 0
               for r in extra), extra[:3]
    for r in rows:
        assert not _small(r["numerator"]) and not _small(r["denominator"]), r
        masked = r["numerator"] == "" or r["denominator"] == ""
        assert (r["suppressed"] == "true") == masked
        if masked:
            assert r["value"] == r["ci_low"] == r["ci_high"] == ""


def test_units_asked_alone_are_masked_as_in_the_whole_hierarchy(sample_db):
    alone = _rows(_cli(sample_db, "indicators", *ARGS, "--by", "unit", "--indicators", "P1,V1,S1",
                       "--audience", "stakeholder"))
    both = _rows(_cli(sample_db, "indicators", *ARGS, "--by", "unit,region", "--indicators",
                      "P1,V1,S1", "--audience", "stakeholder"))
    assert {r["group_by"] for r in alone} == {"all", "unit"}
    assert alone == [r for r in both if r["group_by"] != "region"]


def test_public_json_leaves_masked_cells_empty(sample_db):
    rows = json.loads(_cli(sample_db, "indicators", *ARGS, "--by", "unit", "--indicators", "P1",
                           "--format", "json", "--audience", "youth"))
    hidden = [r for r in rows if r["suppressed"]]
    assert hidden and all(r["value"] is None for r in hidden)


def test_public_themes_have_no_small_count(sample_db):
    rows = _rows(_cli(sample_db, "themes", *ARGS, "--by", "unit", "--audience", "stakeholder"))
    assert rows and "suppressed" in rows[0]
    assert not any(_small(r["excerpts"]) or _small(r["sources"]) for r in rows)


@pytest.mark.parametrize("command", ["indicators", "themes"])
def test_a_period_that_is_not_published_is_refused_to_a_public_audience(sample_db, command):
    # The first half of 2024 is not one of the published 12-month periods: a public audience
    # is refused (exit 1, the reason on stderr), never given figures computed afresh, which
    # could be differenced against the published year.
    out = subprocess.run([sys.executable, "-m", "cqi_core", command, "--start", "2024-01-01",
                          "--end", "2024-06-30", "--audience", "stakeholder", "--db",
                          str(sample_db)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 1 and out.stdout == ""
    assert "not one of them" in out.stderr and "Traceback" not in out.stderr
    # the analyst still gets the half year
    assert _rows(_cli(sample_db, command, "--start", "2024-01-01", "--end", "2024-06-30"))
