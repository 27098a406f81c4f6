"""Reading: encodings, delimiters, header variants, date formats, codes, items, workbooks."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from cqi_core.ingest import import_files, plan_import
from ingest_helpers import BAD, rows, write

HEAD = "child_id,birth_date,sex,race_ethnicity\n"


def test_dates_in_every_accepted_format(store, tmp_path):
    f = write(tmp_path / "children.csv", HEAD +
              "A,2015-03-04,female,white\n"     # ISO
              "B,03/04/2015,female,white\n"     # MM/DD/YYYY
              "C,3/4/2015,female,white\n"       # M/D/YYYY
              "D,2015/03/04,female,white\n"     # YYYY/MM/DD
              "E,2015-3-4,female,white\n")      # ISO without leading zeros
    result = import_files(store, [f])
    assert result.rows_rejected == 0
    assert rows(store, "SELECT DISTINCT birth_date FROM children") == [(dt.date(2015, 3, 4),)]


def test_federal_numeric_codes_and_letters_are_accepted(store, tmp_path):
    f = write(tmp_path / "children.csv", HEAD +
              "A,2015-03-04,2,7\n"      # female, hispanic
              "B,2015-03-04,1,1\n"      # male, white
              "C,2015-03-04,9,99\n"     # unknown, unknown
              "D,2015-03-04,F,6\n"      # female, multiracial
              "E,2015-03-04,m,3\n"      # male, aian
              "G,2015-03-04,FEMALE,Black\n")
    import_files(store, [f])
    assert rows(store, "SELECT child_id, sex, race_ethnicity FROM children ORDER BY 1") == [
        ("A", "female", "hispanic"), ("B", "male", "white"), ("C", "unknown", "unknown"),
        ("D", "female", "multiracial"), ("E", "male", "aian"), ("G", "female", "black")]


def test_bom_does_not_spoil_the_first_header(store):
    result = import_files(store, [BAD / "bom.csv"])
    assert result.outcome == "landed"
    assert rows(store, "SELECT unit_id, unit_name FROM units ORDER BY 1") == [
        ("U1", "North Office"), ("U2", "South Office")]


@pytest.mark.parametrize("delim", [";", "\t"])
def test_semicolon_and_tab_delimiters_are_sniffed(store, tmp_path, delim):
    text = HEAD.replace(",", delim) + delim.join(["S1", "2015-03-04", "female", "white"]) + "\n"
    # a comma inside a value must not confuse the sniffer
    text += delim.join(["S2", "2016-01-02", "male", "black"]) + "\n"
    f = write(tmp_path / "children.csv", text)
    plan = plan_import([f])
    assert plan.files[0].delimiter == delim
    import_files(store, [f])
    assert rows(store, "SELECT child_id FROM children ORDER BY 1") == [("S1",), ("S2",)]


def test_header_variants_match_case_and_space_insensitively(store, tmp_path):
    f = write(tmp_path / "children.csv",
              "Child ID, birth_date ,SEX,Race-Ethnicity,Notes\n"
              "H1,2015-03-04,female,white,likes drawing\n")
    result = import_files(store, [f])
    assert result.outcome == "landed"
    assert result.files[0].ignored_columns == ("Notes",)
    assert rows(store, "SELECT child_id, sex FROM children") == [("H1", "female")]


def test_file_names_are_case_insensitive(store, tmp_path):
    f = write(tmp_path / "CHILDREN.CSV", HEAD + "N1,2015-03-04,female,white\n")
    assert plan_import([f]).files[0].table == "children"
    import_files(store, [f])
    assert rows(store, "SELECT child_id FROM children") == [("N1",)]


def test_a_file_named_otherwise_is_matched_by_its_headers(store, tmp_path):
    f = write(tmp_path / "export_2024.csv", HEAD + "N1,2015-03-04,female,white\n")
    plan = plan_import([f])
    assert plan.files[0].table == "children"
    assert "headers" in plan.files[0].note


def test_cp1252_text_loads_correctly(store):
    result = import_files(store, [BAD / "cp1252_text.csv"])
    assert result.outcome == "landed"
    assert rows(store, "SELECT unit_name FROM units ORDER BY unit_id") == [
        ("Oficina Muñoz",), ("Café Street Office",), ("St. Mary’s Office",)]


def test_cp1252_detected_beyond_the_first_chunk(store, tmp_path):
    # 2 MB of plain ASCII first, so the first chunk looks like UTF-8; the é comes later
    body = "".join(f"N{i},2015-03-04,female,white\n" for i in range(80_000))
    f = write(tmp_path / "children.csv", HEAD + body + "Zoé,2015-03-04,female,white\n",
              encoding="cp1252")
    result = import_files(store, [f])
    assert result.outcome == "landed", result.message
    assert rows(store, "SELECT count(*) FROM children WHERE child_id = 'Zoé'") == [(1,)]


def test_row_numbers_follow_the_spreadsheet_with_multiline_cells(store, tmp_path):
    f = write(tmp_path / "feedback.csv",
              "feedback_id,received_date,source_group,channel,text\r\n"
              'F1,2023-01-01,youth,survey,"two\r\nlines"\r\n'      # row 2 (spans two lines)
              "F2,2023-01-02,youth,nonsense,fine\r\n")             # row 3: bad channel
    result = import_files(store, [f])
    assert result.rejects.select("row", "column", "value").rows() == [(3, "channel", "nonsense")]
    assert rows(store, "SELECT text FROM feedback") == [("two\r\nlines",)]


def test_spaces_around_ids_and_codes_are_trimmed_but_text_is_kept(store, tmp_path):
    f = write(tmp_path / "units.csv", "unit_id,unit_name,region\n U1 ,  Spaced name ,North\n")
    import_files(store, [f])
    assert rows(store, "SELECT unit_id, unit_name FROM units") == [("U1", "  Spaced name ")]


def test_whole_numbers_and_ranges(store, tmp_path):
    f = write(tmp_path / "population.csv", "region,year,child_population\n"
                                           "A,2023,100\n"     # fine
                                           "B,2023.0,100\n"   # 2023.0 reads as 2023
                                           "C,2023.5,100\n"   # not whole: rejected
                                           "D,1e3,100\n"      # not a plain number: rejected
                                           "E,2023,-5\n")     # below min 0: rejected
    result = import_files(store, [f])
    got = result.rejects.select("row", "column", "value", "reason").rows()
    assert got == [(4, "year", "2023.5", "not a whole number"),
                   (5, "year", "1e3", "not a whole number"),
                   (6, "child_population", "-5", "out of range: must be at least 0")]
    assert rows(store, "SELECT region, year FROM population ORDER BY 1") == [("A", 2023),
                                                                            ("B", 2023)]


def test_review_items_are_read_in_their_usual_spellings(store, tmp_path):
    write(tmp_path / "units.csv", "unit_id,unit_name,region\nU1,N,N\n")
    write(tmp_path / "reviews.csv", "review_id,child_id,unit_id,review_date,case_type\n"
                                    "CR1,C1,U1,2023-01-01,FC\n")
    write(tmp_path / "ratings.csv", "review_id,item,rating\n"
                                    "CR1,Item 4,S\n"
                                    "CR1,item 12a,ANI\n"
                                    "CR1,12B,n/a\n"
                                    "CR1,Item #7,Strength\n"
                                    "CR1,19,S\n")               # row 6: no item 19
    result = import_files(store, [tmp_path])
    assert rows(store, "SELECT item FROM ratings ORDER BY item") == [("12A",), ("12B",),
                                                                    ("4",), ("7",)]
    assert result.rejects.select("file", "row", "column", "value").rows() == [
        ("ratings.csv", 6, "item", "19")]


def test_a_workbook_sheet_named_after_the_table_is_chosen(store, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active.append(["Exported by the MIS"])
    ws = wb.create_sheet("Units")
    ws.append(["unit_id", "unit_name", "region"])
    ws.append(["U1", "North", "N"])
    wb.save(tmp_path / "units.xlsx")
    result = import_files(store, [tmp_path / "units.xlsx"])
    assert result.outcome == "landed"
    assert rows(store, "SELECT unit_id FROM units") == [("U1",)]
    assert any("Notes" in n and "not used" in n for n in result.notes)


def test_excel_dates_numbers_and_text_cells(store, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["child_id", "birth_date", "sex", "race_ethnicity"])
    ws.append(["007", dt.datetime(2015, 3, 4, 0, 0), 2, 7])     # text id, date, numbers
    ws.append(["008", "03/04/2015", "female", "white"])       # date typed as text
    wb.save(tmp_path / "children.xlsx")
    import_files(store, [tmp_path / "children.xlsx"])
    assert rows(store, "SELECT child_id, birth_date, sex, race_ethnicity FROM children "
                       "ORDER BY 1") == [("007", dt.date(2015, 3, 4), "female", "hispanic"),
                                         ("008", dt.date(2015, 3, 4), "female", "white")]


def test_several_files_for_one_table_load_together(store, tmp_path):
    write(tmp_path / "visits_2023.csv", "visit_id,child_id,visit_date,location\n"
                                        "V1,C1,2023-01-01,residence\n")
    write(tmp_path / "visits_2024.csv", "visit_id,child_id,visit_date,location\n"
                                        "V2,C1,2024-01-01,other\n"
                                        "V1,C1,2024-02-01,other\n")  # V1 again: rejected
    result = import_files(store, [tmp_path])
    assert rows(store, "SELECT visit_id, visit_date FROM visits ORDER BY 1") == [
        ("V1", dt.date(2023, 1, 1)), ("V2", dt.date(2024, 1, 1))]
    assert result.rejects.select("file", "row", "reason").rows() == [
        ("visits_2024.csv", 3, "repeats the key of row 2 of visits_2023.csv "
                               "(the first one is kept)")]


def test_utf16_tab_text_from_excel_loads(store, tmp_path):
    # Excel's "Unicode Text" export: UTF-16 with a byte order mark, tab-separated
    f = tmp_path / "units.txt"
    f.write_bytes("unit_id\tunit_name\tregion\r\nU1\tOficina Muñoz\tNorte\r\n".encode("utf-16"))
    result = import_files(store, [f])
    assert result.outcome == "landed", result.message
    assert rows(store, "SELECT unit_name FROM units") == [("Oficina Muñoz",)]


def test_a_sheet_that_starts_below_and_right_keeps_its_real_rows(store, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C4"], ws["D4"], ws["E4"] = "unit_id", "unit_name", "region"
    ws["C5"], ws["D5"], ws["E5"] = "U1", "North", "N"
    ws["C7"], ws["D7"], ws["E7"] = "U2", None, "S"       # sheet row 7, after a blank row 6
    wb.save(tmp_path / "units.xlsx")
    result = import_files(store, [tmp_path / "units.xlsx"])
    assert result.rejects.select("row", "column").rows() == [(7, "unit_name")]
    assert rows(store, "SELECT unit_id FROM units") == [("U1",)]
