"""The bad-input corpus (tests/fixtures/bad/): one file per defect, one test per file.

Refusals must leave data tables and rejects exactly as they were; row-level rejects must
change nothing but the accepted rows and the new rejects. Expected rows, values and
reasons are read off the fixture files by hand (row 1 is the header).
"""

from __future__ import annotations

import datetime as dt
import json

from cqi_core.ingest import import_files
from ingest_helpers import BAD, GOOD_COUNTS, rows, state, write


def _changed_tables(before, after) -> set[str]:
    return {t for t in before if before[t] != after[t]}


def _rejects(result):
    return result.rejects.select("file", "row", "column", "value", "reason").rows()


def _assert_only_added(store, before, table, key, new_keys, n_rejects):
    """Nothing changed but `table` gaining exactly `new_keys` and `n_rejects` new rejects."""
    after = state(store)
    assert _changed_tables(before, after) <= {table, "rejects"}
    old = {r[0] for r in before[table]} if before[table] else set()
    keys = {r[0] for r in rows(store, f"SELECT {key} FROM {table}")}
    assert keys - old == set(new_keys)
    assert all(r in after[table] for r in before[table])
    assert len(after["rejects"]) - len(before["rejects"]) == n_rejects


def _assert_refused_and_untouched(store, result, before, *fragments):
    assert result.outcome == "refused"
    assert result.exit_code == 1
    text = " ".join(result.problems)
    for fragment in fragments:
        assert fragment in text
    assert state(store) == before
    logged = rows(store, "SELECT outcome, message FROM import_batches ORDER BY batch_id DESC "
                         "LIMIT 1")[0]
    assert logged[0] == "refused" and fragments[0] in logged[1]


def test_bad_dates(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "bad_dates.csv"], mode="delta")
    accepted = "accepted: YYYY-MM-DD, MM/DD/YYYY or M/D/YYYY, YYYY/MM/DD"
    assert _rejects(result) == [
        ("bad_dates.csv", 6, "birth_date", "2015-13-01", f"not a date ({accepted})"),
        ("bad_dates.csv", 7, "birth_date", "31/12/2015", f"not a date ({accepted})"),
        ("bad_dates.csv", 8, "birth_date", "15-03-04", f"not a date ({accepted})"),
        ("bad_dates.csv", 9, "birth_date", "2015-02-30", f"not a date ({accepted})"),
        ("bad_dates.csv", 10, "birth_date", "yesterday", f"not a date ({accepted})"),
        ("bad_dates.csv", 11, "birth_date", None, "required value is missing")]
    after = state(good_store)
    assert _changed_tables(before, after) == {"children", "rejects"}
    # D1-D4 hold the same date in four formats
    assert rows(good_store, "SELECT child_id, birth_date FROM children WHERE child_id LIKE 'D%' "
                            "ORDER BY 1") == [(f"D{i}", dt.date(2015, 3, 4)) for i in (1, 2, 3, 4)]
    assert good_store.scalar("SELECT count(*) FROM rejects") == 6


def test_missing_column(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "missing_column.csv"], mode="delta")
    _assert_refused_and_untouched(
        good_store, result, before,
        'missing_column.csv: required column "race_ethnicity" of children is missing '
        '(closest headers found: "Race")')


def test_duplicate_ids(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "duplicate_ids.csv"], mode="delta")
    _assert_only_added(good_store, before, "children", "child_id", {"K1", "K2", "K3"}, 2)
    assert _rejects(result) == [
        ("duplicate_ids.csv", 4, "child_id", "K1", "repeats the key of row 2 (the first one is "
                                                   "kept)"),
        ("duplicate_ids.csv", 6, "child_id", "K2", "repeats the key of row 3 (the first one is "
                                                   "kept)")]
    assert rows(good_store, "SELECT child_id, birth_date FROM children WHERE child_id LIKE 'K%' "
                            "ORDER BY 1") == [("K1", dt.date(2015, 3, 4)),
                                              ("K2", dt.date(2016, 5, 6)),
                                              ("K3", dt.date(2018, 9, 10))]


def test_discharge_before_removal(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "discharge_before_removal.csv"], mode="delta")
    assert _rejects(result) == [
        ("discharge_before_removal.csv", 3, "discharge_date", "2020-04-30",
         "discharge_date is before removal_date (2020-05-01)")]
    assert _changed_tables(before, state(good_store)) == {"episodes", "rejects"}
    # EA and the same-day episode EC are accepted
    assert rows(good_store, "SELECT episode_id FROM episodes WHERE episode_id LIKE 'E_' "
                            "AND episode_id IN ('EA', 'EB', 'EC') ORDER BY 1") == [("EA",),
                                                                                  ("EC",)]


def test_unknown_code(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "unknown_code.csv"], mode="delta")
    _assert_only_added(good_store, before, "children", "child_id", {"Q1", "Q2", "Q5"}, 2)
    assert _rejects(result) == [
        ("unknown_code.csv", 4, "sex", "X",
         "not a known code for sex (accepted: female, male, unknown)"),
        ("unknown_code.csv", 5, "race_ethnicity", "martian",
         "not a known code for race_ethnicity (accepted: hispanic, white, black, aian, asian, "
         "nhpi, multiracial, unknown)")]
    assert rows(good_store, "SELECT child_id, sex, race_ethnicity FROM children "
                            "WHERE child_id LIKE 'Q%' ORDER BY 1") == [
        ("Q1", "female", "hispanic"), ("Q2", "male", "black"), ("Q5", "unknown", "unknown")]


def test_cp1252_text(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "cp1252_text.csv"], mode="delta")
    assert result.rows_rejected == 0
    assert _changed_tables(before, state(good_store)) == {"units"}
    assert rows(good_store, "SELECT unit_name, region FROM units ORDER BY unit_id") == [
        ("Oficina Muñoz", "Valle Norte"), ("Café Street Office", "Downtown"),
        ("St. Mary’s Office", "Harbor")]


def test_bom(store):
    before = state(store)
    result = import_files(store, [BAD / "bom.csv"])
    _assert_only_added(store, before, "units", "unit_id", {"U1", "U2"}, 0)
    assert result.files[0].ignored_columns == ()
    assert rows(store, "SELECT unit_id FROM units ORDER BY 1") == [("U1",), ("U2",)]


def test_empty_file(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "empty_file.csv"])
    _assert_refused_and_untouched(good_store, result, before,
                                  "empty_file.csv is empty: it has no header row.")


def test_empty_file_refuses_the_whole_batch(good_store, tmp_path):
    ok = write(tmp_path / "units.csv", "unit_id,unit_name,region\nU9,New,New County\n")
    before = state(good_store)
    result = import_files(good_store, [ok, BAD / "empty_file.csv"])
    _assert_refused_and_untouched(good_store, result, before, "empty_file.csv is empty")


def test_header_only_never_empties_a_table_in_snapshot_mode(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "header_only.csv"], mode="snapshot")
    assert result.outcome == "landed"
    assert result.files[0].rows_read == 0
    assert any("units: no row of the batch could be accepted" in n for n in result.notes)
    assert state(good_store) == before
    assert good_store.scalar("SELECT count(*) FROM units") == GOOD_COUNTS["units"]


def test_formula_cells_are_stored_verbatim_as_text(store):
    # Decision: a cell starting with = + - @ is data, not a formula. It is stored exactly as
    # written and never evaluated here; exports that open in spreadsheets neutralise it.
    before = state(store)
    result = import_files(store, [BAD / "formula_cells.csv"])
    _assert_only_added(store, before, "units", "unit_id", {"U7", "U8", "U9"}, 0)
    assert result.rows_rejected == 0
    assert rows(store, "SELECT unit_id, unit_name, region FROM units ORDER BY 1") == [
        ("U7", '=HYPERLINK("http://example.com/x","Click here")', "+1"),
        ("U8", "@SUM(A1:A9)", "-2+3"),
        ("U9", "=1+1", "North County")]


def test_merged_header_rows(store):
    before = state(store)
    result = import_files(store, [BAD / "merged_header_rows.xlsx"])
    _assert_only_added(store, before, "children", "child_id", {"M1", "M2", "M4"}, 1)
    assert result.outcome == "landed"
    # the title sits in row 1, row 2 is blank, the header is row 3: M3 is sheet row 6
    assert _rejects(result) == [
        ("merged_header_rows.xlsx [Export]", 6, "birth_date", "31/12/2017",
         "not a date (accepted: YYYY-MM-DD, MM/DD/YYYY or M/D/YYYY, YYYY/MM/DD)")]
    assert rows(store, "SELECT child_id, birth_date, sex FROM children ORDER BY 1") == [
        ("M1", dt.date(2014, 3, 2), "female"), ("M2", dt.date(2016, 7, 19), "male"),
        ("M4", dt.date(2019, 2, 9), "unknown")]


def test_huge_field_is_rejected_with_the_spreadsheet_cell_limit(store):
    # Decision: a cell may hold at most 32,767 characters, the most an Excel cell can hold.
    # Longer values come from broken exports (an unclosed quote swallowing lines), never
    # from a real comment; the row is rejected, the rest loads.
    before = state(store)
    result = import_files(store, [BAD / "huge_field.csv"])
    _assert_only_added(store, before, "feedback", "feedback_id", {"F1", "F3"}, 1)
    (file, row, column, value, reason), = _rejects(result)
    assert (file, row, column) == ("huge_field.csv", 3, "text")
    # 4 MiB = 4,194,304 characters; Excel's cell limit is 32,767
    assert reason == ("value is 4,194,304 characters long; a cell may hold at most 32,767 "
                      "(the spreadsheet limit)")
    assert value == "x" * 200 + "… (4,194,304 characters)"
    record = json.loads(store.scalar("SELECT record FROM rejects"))
    assert record["feedback_id"] == "F2" and len(record["text"]) < 300
    assert rows(store, "SELECT feedback_id FROM feedback ORDER BY 1") == [("F1",), ("F3",)]


def test_truncated_xlsx(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "truncated.xlsx"])
    _assert_refused_and_untouched(
        good_store, result, before,
        "truncated.xlsx cannot be opened as an Excel workbook (it may be damaged, truncated")


def test_overlapping_episodes_within_the_batch(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "overlapping_episodes.csv"], mode="snapshot")
    # snapshot: the episodes table is replaced by the 5 accepted rows, nothing else changes
    assert _changed_tables(before, state(good_store)) == {"episodes", "rejects"}
    assert _rejects(result) == [
        ("overlapping_episodes.csv", 4, "removal_date", "2020-08-01",
         "overlaps episode O2 of the same child (2020-06-01 to 2020-09-01)"),
        ("overlapping_episodes.csv", 6, "removal_date", "2021-06-01",
         "overlaps episode O4 of the same child (2021-01-01 to still open)")]
    # O1/O2 touch (O2 starts the day O1 ends); O6 ends the day it starts and O7 starts then
    assert rows(good_store, "SELECT episode_id FROM episodes ORDER BY 1") == [
        ("O1",), ("O2",), ("O4",), ("O6",), ("O7",)]


def test_overlapping_episodes_against_the_store_in_delta_mode(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "overlapping_episodes.csv"], mode="delta")
    _assert_only_added(good_store, before, "episodes", "episode_id", {"O1", "O2", "O6"}, 4)
    got = {(r[1], r[4]) for r in _rejects(result)}
    assert got == {
        (4, "overlaps episode O2 of the same child (2020-06-01 to 2020-09-01)"),
        # C002 already has E3 [2021-05-05, 2022-05-04) in the store
        (5, "overlaps episode E3 of the same child (2021-05-05 to 2022-05-04)"),
        (6, "overlaps episode O4 of the same child (2021-01-01 to still open)"),
        # C003 already has the open episode E5 from 2022-06-01
        (8, "overlaps episode E5 of the same child (2022-06-01 to still open)")}
    assert good_store.scalar("SELECT count(*) FROM episodes") == GOOD_COUNTS["episodes"] + 3


def test_unknown_unit(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "unknown_unit.csv"], mode="delta")
    assert _rejects(result) == [
        ("unknown_unit.csv", 3, "unit_id", "U9", "not found in units (neither in the database "
                                                 "nor among the accepted rows of this batch)"),
        ("unknown_unit.csv", 4, "separation_date", "2016-12-31",
         "separation_date is before hire_date (2017-05-01)")]
    assert _changed_tables(before, state(good_store)) == {"workers", "rejects"}
    assert rows(good_store, "SELECT worker_id FROM workers WHERE worker_id LIKE 'W_' "
                            "AND worker_id >= 'WA' ORDER BY 1") == [("WA",)]


def test_placement_unknown_episode(good_store):
    before = state(good_store)
    result = import_files(good_store, [BAD / "placement_unknown_episode.csv"], mode="delta")
    _assert_only_added(good_store, before, "placements", "placement_id", {"PA", "PC"}, 1)
    assert _rejects(result) == [
        ("placement_unknown_episode.csv", 3, "episode_id", "E99",
         "not found in episodes (neither in the database nor among the accepted rows of this "
         "batch)")]
    assert rows(good_store, "SELECT placement_id, setting FROM placements "
                            "WHERE placement_id IN ('PA', 'PB', 'PC') ORDER BY 1") == [
        ("PA", "nonrelative_foster_home"), ("PC", "pre_adoptive_home")]


def test_rejects_keep_batch_table_file_row_and_the_raw_record(good_store):
    result = import_files(good_store, [BAD / "unknown_code.csv"], mode="delta")
    got = rows(good_store, "SELECT batch_id, table_name, file_name, row_number, column_name, "
                           "value, record FROM rejects ORDER BY row_number")
    assert [r[:6] for r in got] == [
        (result.batch_id, "children", "unknown_code.csv", 4, "sex", "X"),
        (result.batch_id, "children", "unknown_code.csv", 5, "race_ethnicity", "martian")]
    assert json.loads(got[0][6]) == {"child_id": "Q3", "birth_date": "2017-07-08", "sex": "X",
                                     "race_ethnicity": "white"}


def test_a_row_with_several_problems_lists_each(store, tmp_path):
    f = write(tmp_path / "workers.csv", "worker_id,unit_id,role,hire_date\n"
                                        ",U1,boss,2020-99-01\n")
    result = import_files(store, [f])
    assert sorted(r[2] for r in _rejects(result)) == ["hire_date", "role", "unit_id",
                                                      "worker_id"]
    assert result.files[0].rows_rejected == 1


def test_a_reference_must_remain_after_a_snapshot(good_store, tmp_path):
    write(tmp_path / "units.csv", "unit_id,unit_name,region\nU1,North Office,North County\n")
    write(tmp_path / "workers.csv", "worker_id,unit_id,role,hire_date\n"
                                    "W1,U1,caseworker,2018-03-01\n"
                                    "W2,U2,caseworker,2018-03-01\n")  # U2 leaves with the snapshot
    result = import_files(good_store, [tmp_path])
    assert [(r[0], r[1], r[3]) for r in _rejects(result)] == [("workers.csv", 3, "U2")]


def test_a_row_pointing_to_a_rejected_row_is_rejected_too(store, tmp_path):
    write(tmp_path / "units.csv", "unit_id,unit_name,region\nU1,North,N\nU2,,S\n")  # U2: no name
    write(tmp_path / "workers.csv", "worker_id,unit_id,role,hire_date\n"
                                    "W1,U2,caseworker,2018-03-01\n")
    result = import_files(store, [tmp_path])
    assert [(r[0], r[2], r[4][:9]) for r in _rejects(result)] == [
        ("units.csv", "unit_name", "required "), ("workers.csv", "unit_id", "not found")]


def test_binary_junk_refuses_the_batch(good_store, tmp_path):
    f = tmp_path / "children.csv"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    before = state(good_store)
    result = import_files(good_store, [f])
    _assert_refused_and_untouched(good_store, result, before,
                                  "children.csv is not a text table (it contains binary data)")


def test_an_unclosed_quote_refuses_the_batch_and_names_the_line(good_store, tmp_path):
    f = write(tmp_path / "units.csv", 'unit_id,unit_name,region\nU1,"North,N\nU2,South,S\n')
    before = state(good_store)
    result = import_files(good_store, [f])
    _assert_refused_and_untouched(good_store, result, before, "units.csv cannot be read: line 2",
                                  "never closed")


def test_a_row_with_too_many_fields_is_rejected_and_the_rest_loads(good_store, tmp_path):
    # issue 14: one ragged line used to refuse the whole batch; now only that row is rejected
    f = write(tmp_path / "units.csv", "unit_id,unit_name,region\nU1,North,N\nU2,South,S,extra\n")
    before = state(good_store)
    result = import_files(good_store, [f])
    assert result.outcome == "landed"
    assert _rejects(result) == [("units.csv", 3, None, None, "has 4 fields, the header has 3")]
    assert _changed_tables(before, state(good_store)) == {"units", "rejects"}
    assert rows(good_store, "SELECT unit_id, unit_name, region FROM units") == [
        ("U1", "North", "N")]


def test_a_snapshot_that_drops_a_referenced_row_says_so(good_store, tmp_path):
    f = write(tmp_path / "units.csv", "unit_id,unit_name,region\nU1,North Office,North County\n")
    result = import_files(good_store, [f])
    assert result.outcome == "landed"
    # workers W3 (U2) and W4 (U3) stay in the store; so do episodes E4, E5 (U2), E6, E7 (U3)
    assert "workers: 2 rows already in the database name a unit_id that is no longer in units " \
           "after this batch" in " ".join(result.notes)
    assert "episodes: 4 rows" in " ".join(result.notes)


def test_a_line_longer_than_the_reader_limit_refuses_the_batch(good_store, tmp_path,
                                                               monkeypatch):
    from cqi_core.ingest import read

    monkeypatch.setattr(read, "MAX_LINE_BYTES", 1 << 20)
    f = write(tmp_path / "units.csv", "unit_id,unit_name,region\nU1,North,N\n"
                                      f"U2,{'y' * (2 << 20)},S\n")
    before = state(good_store)
    result = import_files(good_store, [f])
    _assert_refused_and_untouched(good_store, result, before,
                                  "units.csv cannot be read: line 3 is longer than 1 MB")


def test_own_dates_out_of_order_in_every_table_that_has_a_pair(good_store, tmp_path):
    write(tmp_path / "placements.csv", "placement_id,episode_id,child_id,start_date,end_date,"
                                       "setting\nPX,E1,C001,2021-04-01,2021-03-31,3\n")
    write(tmp_path / "reviews.csv", "review_id,child_id,unit_id,review_date,case_type,"
                                    "period_start,period_end\n"
                                    "RX,C001,U1,2023-01-01,in_home,2022-06-01,2022-05-31\n")
    result = import_files(good_store, [tmp_path], mode="delta")
    assert [(r[0], r[2], r[4]) for r in _rejects(result)] == [
        ("placements.csv", "end_date", "end_date is before start_date (2021-04-01)"),
        ("reviews.csv", "period_end", "period_end is before period_start (2022-06-01)")]
