"""Hostile and odd files met in production (issue 14): each is refused or rejected clearly,
and a refused or failed import leaves the database and the archive as they were.

Hostile inputs that would be large (a workbook spanning the whole sheet grid, a NUL after
the first megabyte) are built inside the test, a few kilobytes each; the expectations are
worked out by hand from the rows written here or in tests/fixtures/bad/ (row 1 = header).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from cqi_core.ingest import format_report, import_files, load, read, workbook_guard
from cqi_core.ingest.plan import plan_import
from cqi_core.storage.store import archive_dir
from ingest_helpers import BAD, GOOD, GOOD_COUNTS, rows, state, write

ROOT = Path(__file__).resolve().parents[2]
UNITS = "unit_id,unit_name,region\n"


def _refused_untouched(store, result, before, *fragments):
    assert result.outcome == "refused", result.message
    assert result.exit_code == 1
    text = " ".join(result.problems)
    for fragment in fragments:
        assert fragment in text, text
    assert state(store) == before


# ---------------------------------------------------------------- 1. workbook size limits
def _workbook(path: Path, cells: dict[str, str]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "children"
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)
    return path


def test_a_workbook_with_cells_at_a1_and_xfd1048576_is_refused_before_it_is_read(good_store,
                                                                               tmp_path):
    book = _workbook(tmp_path / "children.xlsx", {"A1": "child_id", "B1": "birth_date",
                                                  "XFD1048576": "x"})
    assert book.stat().st_size < 10_000  # tiny on disk, 17 billion cells once opened
    plan = plan_import([book])
    assert plan.problems == [
        'children.xlsx sheet "children" declares its size as A1:XFD1048576, so it spans '
        "1,048,576 rows by 16,384 columns (17,179,869,184 cells, counting from A1); the "
        "importer reads at most 30,000,000. Delete the empty rows and columns around the "
        "table (or move it to a new sheet) and save again."]
    before = state(good_store)
    result = import_files(good_store, [book])
    _refused_untouched(good_store, result, before, 'children.xlsx sheet "children"',
                       "30,000,000")


def test_a_workbook_whose_cells_lie_about_its_dimension_is_refused(tmp_path):
    # no <dimension>, and the far cell carries no reference: it sits at column 16,384 of
    # row 1,048,576 only because 16,383 empty cells come before it in that row
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>child_id</t></is></c></row>'
             b'<row r="1048576">' + b"<c/>" * 16_383 + b'<c t="inlineStr"><is><t>x</t></is></c>'
             b"</row></sheetData></worksheet>")
    book = tmp_path / "children.xlsx"
    with zipfile.ZipFile(_workbook(tmp_path / "base.xlsx", {"A1": "child_id"})) as src, \
            zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = sheet if info.filename == "xl/worksheets/sheet1.xml" else src.read(info)
            dst.writestr(info.filename, data)
    assert book.stat().st_size < 10_000
    with pytest.raises(workbook_guard.ReadError, match='sheet "children" spans 1,048,576 rows by 16,384 '
                                             "columns"):
        workbook_guard.check_workbook_now(book)


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_as_a_zip_bomb(good_store, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setattr(workbook_guard, "MAX_WORKBOOK_UNPACKED_BYTES", 1 << 20)
    book = _workbook(tmp_path / "children.xlsx", {"A1": "child_id"})
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * (2 << 20))  # 2 MB of zeros: ~2 KB zipped
    assert book.stat().st_size < 20_000
    before = state(good_store)
    result = import_files(good_store, [book])
    _refused_untouched(good_store, result, before, "children.xlsx unpacks to more than 1 MB",
                       "zip bomb")


def test_the_sample_workbook_passes_the_size_checks():
    workbook_guard.check_workbook_now(GOOD / "case_reviews.xlsx")
    workbook_guard.check_workbook_now(ROOT / "data" / "sample" / "case_reviews.xlsx")


# ---------------------------------------------------------------- 2. overlaps after a delta
def test_a_delta_episode_may_not_overlap_a_stored_one_whose_update_is_rejected(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "overlap_behind_a_rejected_update.csv"],
                          mode="delta")
    # row 2 moves E2 back into E1 [2021-01-10, 2021-09-30): rejected, so E2 stays open from
    # 2022-03-01, and the new E8 from 2022-05-01 overlaps it
    assert result.rejects.select("row", "column", "value", "reason").rows() == [
        (2, "removal_date", "2021-09-01",
         "overlaps episode E1 of the same child (2021-01-10 to 2021-09-30)"),
        (3, "removal_date", "2022-05-01",
         "overlaps episode E2 of the same child (2022-03-01 to still open)")]
    after = state(good_store)
    assert after["episodes"] == before["episodes"]
    assert rows(good_store, "SELECT count(*) FROM episodes a JOIN episodes b ON "
                            "a.child_id = b.child_id AND a.episode_id < b.episode_id AND "
                            "a.removal_date < coalesce(b.discharge_date, DATE '9999-12-31') AND "
                            "b.removal_date < coalesce(a.discharge_date, DATE '9999-12-31')"
                ) == [(0,)]


# ---------------------------------------------------------------- 3. the mode is part of "unchanged"
def test_the_same_file_as_delta_then_as_snapshot_is_not_unchanged(good_store, tmp_path):
    f = write(tmp_path / "units.csv", UNITS + "U1,North Office,North County\n")
    assert import_files(good_store, [f], mode="delta").outcome == "landed"
    assert import_files(good_store, [f], mode="delta").outcome == "unchanged"
    result = import_files(good_store, [f], mode="snapshot")
    assert result.outcome == "landed", result.message
    assert rows(good_store, "SELECT unit_id FROM units") == [("U1",)]  # U2, U3 replaced


# ---------------------------------------------------------------- 4. NUL bytes anywhere
def test_a_nul_after_the_first_megabyte_refuses_the_file_and_names_its_line(good_store, tmp_path):
    body = "".join(f"N{i:05d},2015-03-04,female,white\n" for i in range(40_000))  # 1.2 MB
    f = write(tmp_path / "children.csv", "child_id,birth_date,sex,race_ethnicity\n" + body +
              "N\0X,2015-03-04,female,white\n")
    assert f.stat().st_size > read.CHUNK
    assert plan_import([f]).problems == []  # the plan reads only the start
    before = state(good_store)
    result = import_files(good_store, [f])
    _refused_untouched(good_store, result, before,
                       "children.csv is not a text table: line 40002 holds a NUL byte")


# ---------------------------------------------------------------- 5. encodings
def test_shift_jis_is_refused_instead_of_read_as_cp1252(good_store, tmp_path):
    f = write(tmp_path / "units.csv", UNITS + "U7,東京事務所,関東地方\nU8,大阪オフィス,近畿\n",
              encoding="shift_jis")
    before = state(good_store)
    result = import_files(good_store, [f])
    _refused_untouched(good_store, result, before,
                       "units.csv is neither UTF-8 nor Windows-1252 text: it looks like "
                       "Japanese text", 'Save it again as "CSV UTF-8"')


def test_shift_jis_after_the_first_chunk_is_refused_too(good_store, tmp_path):
    body = "".join(f"U{i},Office {i},Region\n" for i in range(60_000))  # 1.3 MB of ASCII
    f = write(tmp_path / "units.csv", UNITS + body + "U0,山田,北\n", encoding="shift_jis")
    before = state(good_store)
    result = import_files(good_store, [f])
    _refused_untouched(good_store, result, before,
                       "units.csv is neither UTF-8 nor Windows-1252 text")


def test_a_byte_windows_1252_does_not_use_is_refused(good_store, tmp_path):
    f = tmp_path / "units.csv"
    f.write_bytes(UNITS.encode() + b"U7,Caf\xe9 \x81,North\n")
    before = state(good_store)
    result = import_files(good_store, [f])
    _refused_untouched(good_store, result, before, "units.csv is neither UTF-8 nor "
                                                   "Windows-1252 text", "0x81")


def test_windows_1252_and_utf8_still_load(store, tmp_path):
    write(tmp_path / "a" / "units.csv", UNITS + "U1,Oficina Muñoz,Norte\n", encoding="cp1252")
    write(tmp_path / "b" / "units.csv", "\ufeff" + UNITS + "U1,東京事務所,関東\n")
    assert import_files(store, [tmp_path / "a"]).outcome == "landed"
    assert rows(store, "SELECT unit_name FROM units") == [("Oficina Muñoz",)]
    assert import_files(store, [tmp_path / "b"]).outcome == "landed"
    assert rows(store, "SELECT unit_name FROM units") == [("東京事務所",)]


# ---------------------------------------------------------------- 6. repeated headers
def test_a_duplicate_header_refuses_the_file_naming_both_columns(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "duplicate_header.csv"])
    _refused_untouched(good_store, result, before,
                       'duplicate_header.csv has a repeated column: columns 3 and 7 are both '
                       'child_id (headers "child_id" and "Child ID")')


def test_a_duplicate_header_in_a_sheet_names_the_sheet_columns(tmp_path):
    book = _workbook(tmp_path / "children.xlsx", {
        "A1": "child_id", "B1": "birth_date", "C1": "sex", "D1": "race_ethnicity",
        "E1": "CHILD_ID", "A2": "K1", "B2": "2019-01-01", "C2": "female", "D2": "white",
        "E2": "K2"})
    assert plan_import([book]).problems == [
        'children.xlsx [children] has a repeated column: columns A and E are both child_id '
        '(headers "child_id" and "CHILD_ID"). Keep one of them and import again.']


# ---------------------------------------------------------------- 7. ragged lines
def test_one_ragged_line_rejects_that_row_and_the_rest_loads(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "ragged_lines.csv"], mode="delta")
    assert result.outcome == "landed", result.message
    assert result.rejects.select("file", "row", "column", "value", "reason").rows() == [
        ("ragged_lines.csv", 3, None, None, "has 4 fields, the header has 3"),
        ("ragged_lines.csv", 4, None, None, "has 2 fields, the header has 3")]
    assert rows(good_store, "SELECT unit_id FROM units ORDER BY 1") == [
        ("U1",), ("U2",), ("U3",), ("U4",), ("U7",)]
    assert len(state(good_store)["rejects"]) == len(before["rejects"]) + 2
    assert "ragged_lines.csv row 3: has 4 fields, the header has 3" in format_report(result)


def test_ragged_rows_keep_the_spreadsheet_row_numbers_of_the_rows_after_them(store, tmp_path):
    f = write(tmp_path / "feedback.csv",
              "feedback_id,received_date,source_group,channel,text\r\n"
              'F1,2023-01-01,youth,survey,"two\r\nlines, one cell"\r\n'   # row 2
              "F2,2023-01-02,youth,survey,too,many\r\n"                   # row 3: ragged
              "F3,2023-01-03,youth,nonsense,fine\r\n")                    # row 4: bad channel
    result = import_files(store, [f])
    assert result.rejects.select("row", "column", "reason").rows() == [
        (3, None, "has 6 fields, the header has 5"),
        (4, "channel", "not a known code for channel (accepted: survey, focus_group, "
                       "advisory_board, listening_session, complaint, other)")]
    assert rows(store, "SELECT feedback_id, text FROM feedback") == [
        ("F1", "two\r\nlines, one cell")]


# ---------------------------------------------------------------- 8. archive before commit
def test_a_failure_at_commit_leaves_database_and_archive_as_they_were(good_store, tmp_path,
                                                                      monkeypatch):
    f = write(tmp_path / "units.csv", UNITS + "U9,Bay Office,Bay County\n")
    before = state(good_store)
    archived = sorted(p.name for p in archive_dir(good_store.path).iterdir())

    def fail(cur):
        raise duckdb.IOException("IO Error: could not write the database file")

    monkeypatch.setattr(load, "_commit", fail)
    result = import_files(good_store, [f], mode="delta")
    assert result.outcome == "refused"
    assert "could not write the database file" in result.message
    assert state(good_store) == before
    assert sorted(p.name for p in archive_dir(good_store.path).iterdir()) == archived


def test_a_kill_at_commit_leaves_no_landed_batch_without_its_original(good_store, tmp_path,
                                                                      monkeypatch):
    f = write(tmp_path / "units.csv", UNITS + "U9,Bay Office,Bay County\n")
    before = state(good_store)

    def killed(cur):
        raise KeyboardInterrupt  # the process is stopped between archive and commit

    monkeypatch.setattr(load, "_commit", killed)
    with pytest.raises(KeyboardInterrupt):
        import_files(good_store, [f], mode="delta")
    assert state(good_store) == before
    folder = archive_dir(good_store.path)
    logged = {r[0] for r in rows(good_store, "SELECT archived_as FROM import_files f JOIN "
                                             "import_batches b USING (batch_id) WHERE "
                                             "b.outcome = 'landed'")}
    assert logged <= {p.name for p in folder.iterdir()}
    assert not list(folder.glob("*.part"))


def test_an_archive_that_cannot_be_written_refuses_the_batch(good_store, tmp_path, monkeypatch):
    f = write(tmp_path / "units.csv", UNITS + "U9,Bay Office,Bay County\n")
    before = state(good_store)

    def full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("cqi_core.ingest.batchlog.shutil.copyfile", full)
    result = import_files(good_store, [f], mode="delta")
    _refused_untouched(good_store, result, before,
                       "units.csv: the original file could not be archived beside the "
                       "database (No space left on device)")


def test_a_landed_batch_missing_its_archive_copy_is_restored_or_reported(good_store, tmp_path):
    folder = archive_dir(good_store.path)
    units = next(p for p in folder.iterdir() if p.name == rows(
        good_store, "SELECT archived_as FROM import_files WHERE table_name = 'units'")[0][0])
    children = next(p for p in folder.iterdir() if p.name == rows(
        good_store, "SELECT archived_as FROM import_files WHERE table_name = 'children'")[0][0])
    units.unlink()
    children.unlink()
    # importing units.csv again (unchanged) puts its copy back; children.csv is reported
    result = import_files(good_store, [GOOD / "units.csv"])
    assert result.outcome == "unchanged"
    assert units.exists() and not children.exists()
    notes = " ".join(result.notes)
    assert "The archive was missing units.csv (batch 1); it was restored" in notes
    assert "The archive is missing the original of children.csv (batch 1)" in notes
    assert GOOD_COUNTS["units"] == good_store.scalar("SELECT count(*) FROM units")


# ---------------------------------------------------------------- 9. a closed pipe
def test_indicators_into_a_reader_that_closes_early_exits_quietly(good_store):
    good_store.close()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cqi_core", "indicators", "--db", str(good_store.path),
         "--start", "2021-01-01", "--end", "2023-12-31", "--by", "all,unit,sex"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    proc.stdout.close()  # the reader is gone before the first line is written (`| head -0`)
    err = proc.stderr.read().decode()
    proc.wait(timeout=300)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert proc.returncode == 141
