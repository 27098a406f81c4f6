"""`python -m cqi_core adjusted`: the columns the issue spells, the audiences, the period
checks and the usage errors, on the built agency of casemix_support (U2 differs from the
other units only by its age mix)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from casemix_support import AGE_ONLY, AGE_ONLY_REGIONS, build_store
from cqi_core.cli import main

COLUMNS = ["indicator_id", "group_by", "group_value", "numerator", "denominator", "observed",
           "expected", "oe_ratio", "oe_low", "oe_high", "adjusted_value"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli_adjusted")
    build_store(folder, AGE_ONLY, AGE_ONLY_REGIONS, publish=True).close()
    return str(folder / "cqi.duckdb")


def _run(capsys, *args) -> tuple[int, str, str]:
    code = main(["adjusted", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_csv_has_exactly_the_columns_and_the_hand_worked_expected_count(db, capsys):
    code, out, _ = _run(capsys, "--db", db, "--start", "2024-01-01", "--end", "2024-12-31",
                        "--indicators", "P1")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == COLUMNS
    u2 = next(r for r in rows if r["group_value"] == "U2")
    # 15 babies × 0.60 + 105 teenagers × 0.20 = 30 expected, 30 observed.
    assert float(u2["expected"]) == pytest.approx(30.0, rel=1e-6)
    assert float(u2["oe_ratio"]) == pytest.approx(1.0, rel=1e-6)


def test_all_seven_by_default_and_json_by_region(db, capsys):
    code, out, _ = _run(capsys, "--db", db, "--start", "2024-01-01", "--end", "2024-12-31",
                        "--by", "region", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert list(rows[0]) == COLUMNS
    assert list(dict.fromkeys(r["indicator_id"] for r in rows)) == ["P1", "P2", "P3", "P4",
                                                                     "P5", "S1", "S2"]
    assert {r["group_by"] for r in rows} <= {"all", "region"}


def test_a_public_audience_gets_the_suppressed_column_and_empty_hidden_rows(db, capsys):
    code, out, _ = _run(capsys, "--db", db, "--start", "2024-01-01", "--end", "2024-12-31",
                        "--indicators", "P1", "--audience", "stakeholder")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [*COLUMNS, "suppressed"]
    u4 = next(r for r in rows if r["group_value"] == "U4")  # 4 of 10: hidden
    assert u4["suppressed"] == "true" and u4["numerator"] == "" and u4["oe_ratio"] == ""
    # A period outside the publication's grid: refused, exit 1.
    code, out, err = _run(capsys, "--db", db, "--start", "2024-02-01", "--end", "2024-12-31",
                          "--audience", "youth")
    assert code == 1 and out == "" and "published only" in err


def test_period_checks_and_usage_errors(db, capsys):
    # After the as-of date (2025-12-31): refused with exit 1.
    code, _, err = _run(capsys, "--db", db, "--start", "2026-02-01", "--end", "2026-03-31")
    assert code == 1 and "error:" in err
    # Ending after it: clipped, with a note on stderr.
    code, out, err = _run(capsys, "--db", db, "--start", "2025-01-01", "--end", "2026-06-30",
                          "--indicators", "P5")
    assert code == 0 and err.startswith("Note:") and out.startswith("indicator_id,")
    code, _, err = _run(capsys, "--db", db, "--start", "2024-01-01", "--end", "2024-12-31",
                        "--indicators", "V1")
    assert code == 2 and "not adjusted" in err
    code, _, err = _run(capsys, "--db", db, "--start", "2024-12-31", "--end", "2024-01-01")
    assert code == 2 and "after --end" in err
    with pytest.raises(SystemExit) as exc:
        main(["adjusted", "--db", db, "--start", "2024-01-01", "--end", "2024-12-31",
              "--by", "age_group"])
    assert exc.value.code == 2
