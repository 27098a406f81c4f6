"""The public surface: names, usage errors, value objects and the printed report."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

import cqi_core.ingest as ingest
from cqi_core.errors import CQIError
from cqi_core.ingest import format_report, import_files
from ingest_helpers import BAD, GOOD, write


def test_public_names_are_listed():
    assert set(ingest.__all__) >= {"plan_import", "import_files", "load_mapping", "save_mapping",
                                   "list_mappings", "format_report", "ImportPlan", "FilePlan",
                                   "MappingProfile", "ImportResult", "FileResult"}
    for name in ingest.__all__:
        assert getattr(ingest, name) is not None


@pytest.mark.parametrize("cls", [ingest.ImportPlan, ingest.FilePlan, ingest.MappingProfile,
                                 ingest.ImportResult, ingest.FileResult, ingest.ColumnMatch,
                                 ingest.MissingColumn])
def test_value_objects_are_frozen_and_document_every_field(cls):
    assert cls.__dataclass_params__.frozen
    source = __import__("inspect").getsource(cls)
    for f in dataclasses.fields(cls):
        # each field is followed by its docstring line
        after = source.split(f"    {f.name}:", 1)[1].split("\n", 2)[1].strip()
        assert after.startswith('"""'), f"{cls.__name__}.{f.name} has no docstring"


def test_unknown_mode_is_a_usage_error(store):
    with pytest.raises(CQIError, match='Unknown import mode "merge"'):
        import_files(store, [GOOD], mode="merge")


def test_a_missing_path_is_a_usage_error(store, tmp_path):
    with pytest.raises(CQIError, match="does not exist"):
        import_files(store, [tmp_path / "nowhere"])


def test_a_batch_without_any_table_is_refused(store, tmp_path):
    write(tmp_path / "notes.txt", "nothing to see\n")
    result = import_files(store, [tmp_path / "notes.txt"])
    assert result.outcome == "refused"
    assert "No file of the batch maps to a table" in result.problems[0]


def test_report_of_a_landed_batch_lists_files_and_first_rejects(good_store):
    result = import_files(good_store, [BAD / "bad_dates.csv"], mode="delta")
    text = format_report(result, limit=2)
    assert text.splitlines()[0] == f"Import landed: batch {result.batch_id}, delta"
    assert "Imported 4 rows into children (delta); 6 rows rejected." in text
    assert "bad_dates.csv" in text and "10         4         6" in text
    assert "Rejected rows (6 problems; first 2 shown" in text
    assert 'bad_dates.csv row 6, birth_date = "2015-13-01": not a date' in text
    assert "row 8" not in text


def test_report_of_a_refused_batch_says_why(good_store):
    result = import_files(good_store, [BAD / "missing_column.csv"])
    text = format_report(result)
    assert text.startswith("Import refused")
    assert "nothing was changed" in text
    assert '  - missing_column.csv: required column "race_ethnicity"' in text


def test_importing_the_package_does_not_load_streamlit():
    code = "import cqi_core.ingest, sys; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_every_ingest_sql_file_is_used_and_every_used_one_exists():
    import re
    from pathlib import Path

    package = Path(ingest.__file__).parent
    sql_dir = package / "sql"
    source = "".join(p.read_text(encoding="utf-8") for p in package.glob("*.py"))
    used = set(re.findall(r'sql\("(\w+)"\)', source)) | set(re.findall(r'"(work_\w+)"', source))
    files = {p.stem for p in sql_dir.glob("*.sql")}
    assert used == files


def test_progress_is_reported_in_order_and_ends_done(store):
    seen: list[tuple[str, float]] = []
    import_files(store, [GOOD], progress=lambda message, fraction: seen.append((message,
                                                                                 fraction)))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions)
    assert seen[0] == ("Reading file headers", 0.0)
    assert seen[-1] == ("Done", 1.0)
    assert any(m == "Checking children" for m, _ in seen)
