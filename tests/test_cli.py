"""The command line: usage errors, status on an empty or loaded store, documentation."""

import subprocess
import sys
from pathlib import Path

from cqi_core.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args, env_db=None):
    env = None
    if env_db is not None:
        import os
        env = {**os.environ, "CQI_DB": str(env_db)}
    return subprocess.run([sys.executable, "-m", "cqi_core", *args], cwd=ROOT,
                          capture_output=True, text=True, env=env)


def test_unknown_command_is_a_usage_error_with_exit_2():
    out = run_cli("frobnicate")
    assert out.returncode == 2
    assert "invalid choice" in out.stderr


def test_import_with_bad_mode_is_a_usage_error():
    out = run_cli("import", str(ROOT / "data" / "sample"), "--mode", "sometimes")
    assert out.returncode == 2


def test_import_of_a_missing_path_exits_2_and_names_it(tmp_path):
    out = run_cli("import", str(tmp_path / "nowhere.csv"), "--db", str(tmp_path / "x.duckdb"))
    assert out.returncode == 2
    assert "nowhere.csv" in out.stderr
    assert "Traceback" not in out.stderr


def test_status_without_a_database_says_how_to_load_one(tmp_path):
    out = run_cli("status", "--db", str(tmp_path / "none.duckdb"))
    assert out.returncode == 0
    assert "no database" in out.stdout.lower()
    assert not (tmp_path / "none.duckdb").exists()


def test_status_reports_rows_of_the_sample(sample_db):
    import polars as pl
    units = pl.read_csv(ROOT / "data" / "sample" / "units.csv", infer_schema=False)
    out = run_cli("status", env_db=sample_db)
    assert out.returncode == 0, out.stderr
    line = next(l for l in out.stdout.splitlines() if l.strip().startswith("units"))
    assert f"{len(units):,}" in line


def test_every_cli_command_and_option_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        assert f"python -m cqi_core {name}" in readme, name
        for action in p._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt != "--help":
                    assert opt in readme, f"{name} {opt}"


GOOD = ROOT / "tests" / "fixtures" / "good"
BAD = ROOT / "tests" / "fixtures" / "bad"


def _children_rows(db):
    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM children").fetchall()[0][0]
    finally:
        con.close()


def test_import_exit_codes_landed_refused_and_row_rejects(tmp_path):
    db = tmp_path / "cli.duckdb"
    # --no-refresh: exit codes are the subject here (tests/publish/test_refresh.py covers
    # the refresh an import runs)
    landed = run_cli("import", str(GOOD), "--db", str(db), "--quiet", "--no-refresh")
    assert landed.returncode == 0, landed.stderr
    assert "children.csv" in landed.stdout and "children" in landed.stdout
    before = _children_rows(db)
    assert before == 6  # the good fixture lists 6 children

    # a required column is missing: the batch is refused (exit 1), naming file, column and
    # the closest header, and the database keeps its 6 children
    refused = run_cli("import", str(BAD / "missing_column.csv"), "--db", str(db), "--quiet")
    assert refused.returncode == 1
    assert "missing_column.csv" in refused.stdout
    assert "race_ethnicity" in refused.stdout and '"Race"' in refused.stdout
    assert "Traceback" not in refused.stdout + refused.stderr
    assert _children_rows(db) == before

    # one bad row (discharge before removal, spreadsheet row 3) is rejected, the rest lands
    delta = run_cli("import", str(BAD / "discharge_before_removal.csv"), "--db", str(db),
                    "--mode", "delta", "--quiet", "--no-refresh")
    assert delta.returncode == 0, delta.stdout + delta.stderr
    assert "discharge_before_removal.csv row 3" in delta.stdout
    assert "discharge_date" in delta.stdout


def test_generate_writes_every_contract_table(tmp_path):
    out = run_cli("generate", "--size", "tiny", "--seed", "7", "--out", str(tmp_path / "agency"),
                  "--quiet")
    assert out.returncode == 0, out.stderr
    names = {p.name for p in (tmp_path / "agency").iterdir()}
    for table in ["units", "workers", "children", "episodes", "placements", "reports", "visits",
                  "population", "staff_survey", "feedback"]:
        assert f"{table}.csv" in names
    assert "case_reviews.xlsx" in names
