"""The good path: the tiny agency loads, re-imports change nothing, snapshot and delta."""

from __future__ import annotations

import datetime as dt
import shutil

import polars as pl

from cqi_core.ingest import import_files, plan_import
from cqi_core.storage.store import archive_dir
from ingest_helpers import GOOD, GOOD_COUNTS, counts, rows, state, write


def test_tiny_agency_imports_with_hand_counted_rows(store):
    result = import_files(store, [GOOD], user="tester")
    assert result.outcome == "landed"
    assert result.exit_code == 0
    # 3+4+6+7+10+8+12+3+3+3+8+2 = 69 rows, none rejected (every fixture row is valid)
    assert result.rows_accepted == 69
    assert result.rows_rejected == 0
    assert counts(store) == GOOD_COUNTS
    assert result.rejects.height == 0
    # README.md is in the folder and is ignored, with a note
    assert any("README.md" in n and "ignored" in n for n in result.notes)


def test_values_are_typed_and_codes_canonical(good_store):
    assert rows(good_store, "SELECT birth_date, sex, race_ethnicity FROM children "
                            "WHERE child_id = 'C001'") == [(dt.date(2012, 4, 10), "female",
                                                            "white")]
    # ids keep leading zeros and are text
    assert rows(good_store, "SELECT placement_id FROM placements ORDER BY placement_id")[0] == \
        ("P01",)
    # the same-day episode E4 (discharge = removal) is accepted
    assert rows(good_store, "SELECT removal_date, discharge_date FROM episodes "
                            "WHERE episode_id = 'E4'") == [(dt.date(2022, 2, 2),
                                                            dt.date(2022, 2, 2))]
    # report R2 has two children; C009 is not in children and is only flagged, not rejected
    assert rows(good_store, "SELECT child_id FROM reports WHERE report_id = 'R2' "
                            "ORDER BY child_id") == [("C001",), ("C009",)]
    # a quoted comment with a comma stays whole
    assert rows(good_store, "SELECT comment FROM staff_survey WHERE response_id = 'S3'") == \
        [("Weekly check-ins help, a lot",)]


def test_case_review_workbook_reads_both_sheets(good_store):
    # reviews: native Excel dates; "Foster Care" and "in-home" are spellings of the codes
    assert rows(good_store, "SELECT review_id, review_date, case_type, period_end FROM reviews "
                            "ORDER BY review_id") == [
        ("CR1", dt.date(2023, 4, 15), "foster_care", dt.date(2023, 3, 31)),
        ("CR2", dt.date(2023, 5, 20), "foster_care", dt.date(2023, 4, 30)),
        ("CR3", dt.date(2023, 6, 10), "in_home", dt.date(2023, 5, 31))]
    # ratings: "Item 1" → 1, "item 12a" → 12A, a numeric cell 4 → 4; S/ANI/NA → codes
    got = rows(good_store, "SELECT review_id, item, rating FROM ratings "
                           "ORDER BY review_id, item")
    assert got == [("CR1", "1", "strength"), ("CR1", "12A", "area_needing_improvement"),
                   ("CR1", "4", "strength"), ("CR2", "12B", "not_applicable"),
                   ("CR2", "18", "strength"), ("CR2", "4", "area_needing_improvement"),
                   ("CR3", "1", "not_applicable"), ("CR3", "12A", "not_applicable")]


def test_batch_is_logged_with_counts_and_files_archived(store):
    result = import_files(store, [GOOD], user="tester")
    batch = store.query("SELECT * FROM import_batches").row(0, named=True)
    assert batch["batch_id"] == result.batch_id == 1
    assert (batch["outcome"], batch["mode"], batch["user_name"]) == ("landed", "snapshot",
                                                                      "tester")
    assert (batch["rows_read"], batch["rows_accepted"], batch["rows_rejected"]) == (69, 69, 0)
    files = store.query("SELECT file_name, table_name, rows_read, archived_as FROM import_files "
                        "ORDER BY file_name")
    # 10 CSVs + 2 sheets of one workbook; README.md is not a data file
    assert files.height == 12
    assert files.filter(pl.col("table_name") == "ratings")["file_name"][0] == \
        "case_reviews.xlsx [Ratings]"
    archived = {p.name for p in archive_dir(store.path).iterdir()}
    # one archive file per original (the workbook once): 11 files
    assert len(archived) == 11
    assert set(files["archived_as"]) == archived


def test_importing_the_same_files_again_changes_nothing(good_store):
    before = state(good_store)
    result = import_files(good_store, [GOOD])
    assert result.outcome == "unchanged"
    assert result.exit_code == 0
    assert all(f.unchanged for f in result.files)
    assert state(good_store) == before
    assert rows(good_store, "SELECT outcome FROM import_batches ORDER BY batch_id") == \
        [("landed",), ("unchanged",)]


def test_only_changed_tables_are_reloaded(good_store, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(GOOD, folder)
    with (folder / "units.csv").open("a", encoding="utf-8") as fh:
        fh.write("U4,East Office,East County\n")
    result = import_files(good_store, [folder])
    assert result.outcome == "landed"
    loaded = {f.table for f in result.files if not f.unchanged}
    assert loaded == {"units"}
    assert counts(good_store)["units"] == 4


def test_snapshot_replaces_the_tables_in_the_batch(good_store, tmp_path):
    f = write(tmp_path / "children.csv", "child_id,birth_date,sex,race_ethnicity\n"
                                         "N1,2019-01-01,female,white\n")
    result = import_files(good_store, [f], mode="snapshot")
    assert result.outcome == "landed"
    assert rows(good_store, "SELECT child_id FROM children") == [("N1",)]
    # tables not in the batch are untouched
    assert counts(good_store)["visits"] == GOOD_COUNTS["visits"]


def test_delta_inserts_and_updates_by_key(good_store, tmp_path):
    f = write(tmp_path / "children.csv", "child_id,birth_date,sex,race_ethnicity\n"
                                         "C001,2012-04-11,female,black\n"
                                         "C100,2021-02-03,male,asian\n")
    result = import_files(good_store, [f], mode="delta")
    assert result.outcome == "landed"
    # 6 children + 1 new (C100); C001 updated in place
    assert counts(good_store)["children"] == 7
    assert rows(good_store, "SELECT birth_date, race_ethnicity, _batch_id FROM children "
                            "WHERE child_id = 'C001'") == [(dt.date(2012, 4, 11), "black", 2)]
    assert rows(good_store, "SELECT _batch_id FROM children WHERE child_id = 'C002'") == [(1,)]


def test_delta_upsert_with_a_composite_key(good_store, tmp_path):
    f = write(tmp_path / "reports.csv",
              "report_id,child_id,report_date,disposition\n"
              "R2,C009,2022-02-10,substantiated\n"    # existing (R2, C009): updated
              "R2,C002,2022-02-10,no_finding\n")      # new pair: inserted
    import_files(good_store, [f], mode="delta")
    # 8 rows + 1 new pair
    assert counts(good_store)["reports"] == 9
    assert rows(good_store, "SELECT disposition, response_priority FROM reports "
                            "WHERE report_id = 'R2' AND child_id = 'C009'") == \
        [("substantiated", None)]


def test_dry_run_checks_everything_and_leaves_nothing(store):
    result = import_files(store, [GOOD], dry_run=True)
    assert result.outcome == "landed" and result.dry_run
    assert result.batch_id is None
    assert result.rows_accepted == 69
    assert "Dry run" in result.message
    assert counts(store) == {t: 0 for t in GOOD_COUNTS}
    assert store.scalar("SELECT count(*) FROM import_batches") == 0
    assert store.scalar("SELECT count(*) FROM import_files") == 0
    assert not archive_dir(store.path).exists()


def test_dry_run_reports_rejects_without_storing_them(good_store, tmp_path):
    f = write(tmp_path / "children.csv", "child_id,birth_date,sex,race_ethnicity\n"
                                         "Z1,2019-01-01,female,white\n"
                                         "Z2,not a date,female,white\n")
    before = state(good_store)
    result = import_files(good_store, [f], mode="delta", dry_run=True)
    assert result.rejects.select("row", "column", "value").rows() == \
        [(3, "birth_date", "not a date")]
    assert state(good_store) == before


def test_parquet_files_import(store, tmp_path):
    pl.DataFrame({"unit_id": ["U1", "U2"], "unit_name": ["North", "South"],
                  "region": ["N", "S"]}).write_parquet(tmp_path / "units.parquet")
    pl.DataFrame({"child_id": ["P1", "P2"],
                  "birth_date": [dt.date(2015, 1, 2), dt.date(2016, 3, 4)],
                  "sex": ["female", "2"], "race_ethnicity": ["white", "7"],
                  "extra": [1, 2]}).write_parquet(tmp_path / "children.parquet")
    result = import_files(store, [tmp_path])
    assert result.outcome == "landed", result.message
    assert rows(store, "SELECT child_id, birth_date, sex, race_ethnicity FROM children "
                       "ORDER BY child_id") == [("P1", dt.date(2015, 1, 2), "female", "white"),
                                                ("P2", dt.date(2016, 3, 4), "female",
                                                 "hispanic")]
    children = next(f for f in result.files if f.table == "children")
    assert children.ignored_columns == ("extra",)


def test_plan_writes_nothing_and_names_each_files_table(store):
    plan = plan_import([GOOD])
    tables = {f.display_name: f.table for f in plan.files}
    assert tables["units.csv"] == "units"
    assert tables["case_reviews.xlsx [reviews]"] == "reviews"
    assert tables["case_reviews.xlsx [Ratings]"] == "ratings"
    assert tables["README.md"] is None
    ratings = next(f for f in plan.files if f.table == "ratings")
    # the sheet's headers are "Review ID", "Item", "Rating", "Comment": all normalised
    methods = {m.column: m.method for m in ratings.proposals}
    assert methods == {"review_id": "normalised", "item": "normalised",
                       "rating": "normalised", "comment": "normalised"}
    assert plan.problems == []
    assert store.scalar("SELECT count(*) FROM import_batches") == 0


def test_each_csv_is_judged_whole_once_beside_the_planning(store, monkeypatch):
    """The checksum and encoding pass over every CSV runs while the batch is planned, and
    the import uses what it found instead of reading each file a second time."""
    import threading

    from cqi_core.ingest import load

    real, seen, where = load.scan_text, [], set()

    def counting(path, utf16=False):
        seen.append(path.name)
        where.add(threading.current_thread() is threading.main_thread())
        return real(path, utf16=utf16)

    monkeypatch.setattr(load, "scan_text", counting)
    result = import_files(store, [GOOD], user="tester")
    assert result.outcome == "landed"
    csvs = sorted(p.name for p in GOOD.iterdir() if p.suffix == ".csv")
    assert sorted(seen) == csvs  # once each, none twice
    assert where == {False}  # on the thread beside the planning, not after it
    assert all(f.sha256 for f in result.files)
