"""Exports: formula injection, the Definitions sheet, chart files, the audit log, and the
audience checks an export makes again before anything leaves."""

from __future__ import annotations

import csv
import io
import logging
import struct
import xml.etree.ElementTree as ET
import zlib
from datetime import date, datetime, timezone

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cqi_core
from cqi_core import exports
from cqi_core import privacy
from cqi_core.privacy import AccessDenied, Viewer
from cqi_core.charts.base import Figure, bar_by_group_chart
from cqi_core.errors import CQIError
from cqi_core.indicators.catalog import load_catalog

DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]
SVG = "{http://www.w3.org/2000/svg}"
SUPERVISOR = Viewer("supervisor", "pat.lee@example.org", ("U001",), "oidc")
STAKEHOLDER = Viewer("stakeholder", "public", (), "pinned")


@pytest.fixture
def store(tmp_path):
    s = cqi_core.open_store(tmp_path / "cqi.duckdb")
    yield s
    s.close()


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory):
    """One empty database for the property tests (each example adds log rows only)."""
    s = cqi_core.open_store(tmp_path_factory.mktemp("exports") / "cqi.duckdb")
    yield s
    s.close()


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the byte-order mark spreadsheets look for
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _log(store) -> pl.DataFrame:
    return exports.export_log(store)


def _figure(values=(30, 45), title="Reviews finished & <on time>") -> Figure:
    frame = pl.DataFrame({"unit": ["North office", "South office"], "count": list(values)})
    return bar_by_group_chart(frame, "unit", "count", "Office", "Reviews", title,
                              "Longer bars mean more reviews.")


# --------------------------------------------------------------------------- neutralising


@pytest.mark.parametrize("lead", DANGEROUS)
def test_neutralise_puts_an_apostrophe_before_every_formula_character(lead):
    assert exports.neutralise(f"{lead}HYPERLINK(\"http://x\")") == f"'{lead}HYPERLINK(\"http://x\")"


@pytest.mark.parametrize("value", ["ok", "", " =1+1", "'=already", "a=b", "5-3", None, -3, -2.5,
                                   0, date(2024, 1, 31), True])
def test_neutralise_leaves_safe_text_and_everything_that_is_not_text(value):
    assert exports.neutralise(value) == value


def test_neutralise_frame_changes_text_only_and_keeps_numeric_types():
    frame = pl.DataFrame({"note": ["=1+1", "-3", "fine", None], "n": [-3, 0, 4, 5],
                          "rate": [-0.25, 1.5, None, 2.0],
                          "quotes": [["@a", "b"], [], None, ["c"]]})
    out = exports.neutralise_frame(frame)
    assert out.schema["n"] == pl.Int64 and out.schema["rate"] == pl.Float64
    assert out["n"].to_list() == [-3, 0, 4, 5]
    assert out["rate"].to_list() == [-0.25, 1.5, None, 2.0]
    assert out["note"].to_list() == ["'=1+1", "'-3", "fine", None]
    # a list becomes its text, joined as quotes are, and the text is neutralised
    assert out["quotes"].to_list() == ["'@a | b", "", None, "c"]


def test_csv_neutralises_every_leading_character_and_keeps_numbers_numeric(store):
    frame = pl.DataFrame({"comment": [f"{c}cmd|' /C calc'!A0" for c in DANGEROUS],
                          "change": [-3, -1, 0, 2, 5, 7]})
    rows = _csv_rows(exports.table_csv(store, frame, "Comments"))
    assert rows[0] == ["comment", "change"]
    for (comment, change), lead in zip(rows[1:], DANGEROUS):
        assert comment == f"'{lead}cmd|' /C calc'!A0"
    # numbers are written unquoted, so a spreadsheet reads them as numbers: a reader that
    # turns every unquoted field into a float gets the numbers back
    numeric = list(csv.reader(io.StringIO(exports.table_csv(store, frame, "Comments")
                                          .decode("utf-8-sig"), newline=""),
                              quoting=csv.QUOTE_NONNUMERIC))
    assert [r[1] for r in numeric[1:]] == [-3.0, -1.0, 0.0, 2.0, 5.0, 7.0]
    assert all(isinstance(r[0], str) for r in numeric[1:])


def test_xlsx_stores_neutralised_text_as_values_and_numbers_as_numbers(store):
    frame = pl.DataFrame({"comment": [f"{c}SUM(A1:A9)" for c in DANGEROUS],
                          "change": [-3, -1, 0, 2, 5, 7], "share": [-0.5, 0.1, 0.2, 0.3, 0.4, 0.5]})
    ws = _workbook(exports.table_xlsx(store, {"Comments": frame}, "Comments"))["Comments"]
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == 6
    for (comment, change, share), lead, n in zip(rows, DANGEROUS, [-3, -1, 0, 2, 5, 7]):
        assert comment.data_type == "s" and comment.value.startswith("'")
        # XML reads a carriage return back as a line feed; the apostrophe before it matters
        assert comment.value[1:] == f"{lead}SUM(A1:A9)".replace("\r", "\n")
        assert change.data_type == "n" and change.value == n
        assert share.data_type == "n"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_xlsx_drops_control_characters_before_neutralising(store):
    # \x01 cannot be stored in an XLSX; removing it must not uncover the "=" behind it
    frame = pl.DataFrame({"text": ["\x01=cmd", "a\x02b"], "x": [float("nan"), 1.0]})
    ws = _workbook(exports.table_xlsx(store, {"T": frame}, "T"))["T"]
    assert [ws["A2"].value, ws["A3"].value] == ["'=cmd", "ab"]
    assert ws["B2"].value is None  # NaN has no spreadsheet value: the cell is empty
    assert ws["B3"].value == 1


def test_headers_and_sheet_names_are_made_safe(store):
    frame = pl.DataFrame({"=cmd": ["a"], "ok": [1]})
    assert _csv_rows(exports.table_csv(store, frame, "T"))[0] == ["'=cmd", "ok"]
    wb = _workbook(exports.table_xlsx(store, {"a/b": frame, "A/B": frame, "x" * 40: frame}, "T"))
    # / is not allowed in a sheet name; names are unique without regard to case; 31 characters
    assert wb.sheetnames == ["a b", "A B 2", "x" * 31, "Definitions"]
    assert wb["a b"]["A1"].value == "'=cmd"


# any text, and text that starts with a formula character (rare among random strings)
texts = st.lists(st.one_of(st.text(max_size=12),
                           st.builds(str.__add__, st.sampled_from(DANGEROUS), st.text(max_size=8))),
                 min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=texts)
def test_no_exported_text_cell_starts_with_a_formula_character(shared_store, values):
    frame = pl.DataFrame({"text": values, "n": list(range(-len(values), 0))})
    rows = _csv_rows(exports.table_csv(shared_store, frame, "Property test"))[1:]
    assert [r[0] for r in rows] == [exports.neutralise(v) for v in values]
    assert not any(r[0].startswith(tuple(DANGEROUS)) for r in rows)

    ws = _workbook(exports.table_xlsx(shared_store, {"T": frame}, "Property test"))["T"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert not any(isinstance(c.value, str) and c.value.startswith(tuple(DANGEROUS)) for c in cells)
    assert [ws.cell(row=i + 2, column=2).value for i in range(len(values))] == frame["n"].to_list()


# --------------------------------------------------------------------------- definitions


def test_xlsx_definitions_sheet_lists_columns_indicators_and_who_exported(store):
    store.query("INSERT INTO settings VALUES ('as_of_date', '2025-06-30')")
    frame = pl.DataFrame({"indicator_id": ["P1", "P1"], "group_value": ["all", "U001"],
                          "numerator": [120, 40], "denominator": [300, 90], "oddity": ["x", "y"]})
    given_defs = pl.DataFrame({"term": ["numerator", "Permanency"],
                               "definition": ["Children who left care to a permanent home.",
                                              "A safe, lasting home."]})
    bound = privacy.Handle(store, SUPERVISOR)
    wb = _workbook(exports.table_xlsx(bound, {"P1 by unit": frame}, "Permanency by unit", given_defs))
    assert wb.sheetnames == ["P1 by unit", "Definitions"]
    ws = wb["Definitions"]
    rows = [tuple(c.value for c in r) for r in ws.iter_rows()]
    assert rows[0] == ("Section", "Name", "Definition")
    about = {name: text for section, name, text in rows if section == "About this file"}
    assert about["Contents"] == "Permanency by unit"
    assert about["Data as of"] == "June 30, 2025"
    assert about["Exported by"] == "pat.lee@example.org (supervisor view)"
    assert "not hidden" in about["Small numbers"]
    columns = {name: text for section, name, text in rows if section == "Column"}
    assert list(columns) == ["indicator_id", "group_value", "numerator", "denominator", "oddity"]
    assert columns["numerator"] == "Children who left care to a permanent home."  # given wins
    assert columns["denominator"] == exports.load_rules().column_definitions["denominator"]
    assert columns["oddity"] == "No definition is recorded for this column."
    p1 = load_catalog(store).entry("P1")
    assert ("Indicator", f"P1: {p1.name}", p1.definition) in rows
    assert ("Term", "Permanency", "A safe, lasting home.") in rows
    # header bold and frozen, widths set, on both sheets
    for sheet in wb:
        assert sheet.freeze_panes == "A2"
        assert all(c.font.bold for c in sheet[1])
        assert sheet.column_dimensions["A"].width >= 10
    assert wb.properties.title == "Permanency by unit"


def test_definitions_state_the_suppression_rule_for_a_public_viewer(store):
    frame = pl.DataFrame({"group_value": ["all"], "numerator": [0], "denominator": [40]})
    wb = _workbook(exports.table_xlsx(privacy.Handle(store, STAKEHOLDER), {"T": frame}, "T"))
    rule = next(r[2].value for r in wb["Definitions"].iter_rows() if r[1].value == "Small numbers")
    threshold = privacy.load_policy().threshold
    assert f"any count from 1 to {threshold} is hidden" in rule
    assert "Zero is shown" in rule


def test_the_counts_indicator_rows_carry_are_count_columns():
    rules = exports.load_rules()
    assert all(rules.is_count(c) for c in privacy.INDICATOR_COUNTS)
    assert rules.is_count("n_units") and rules.is_count("review_count")
    assert not rules.is_count("value") and not rules.is_count("share")


# --------------------------------------------------------------------------- charts


def _png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    chunks, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, body = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks.append((kind, body))
        pos += 12 + length
    return chunks


def test_chart_png_is_a_png_with_its_title_and_description(store):
    fig = _figure()
    png = exports.chart_png(store, fig, "Reviews by office")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks = _png_chunks(png)
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width = struct.unpack(">I", chunks[0][1][:4])[0]
    assert width >= 2 * exports.EXPORT_WIDTH  # drawn at the export width, twice the density
    text = {b.split(b"\x00")[0].decode(): b.split(b"\x00", 5)[-1].decode("utf-8")
            for k, b in chunks if k == b"iTXt"}
    assert text["Title"] == fig.title
    assert text["Description"].startswith(fig.description)


def test_chart_svg_parses_and_carries_title_and_desc(store):
    fig = _figure()
    root = ET.fromstring(exports.chart_svg(store, fig, "Reviews by office"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root[0].tag == f"{SVG}title" and root[0].text == "Reviews finished & <on time>"
    assert root[1].tag == f"{SVG}desc" and root[1].text.startswith(fig.description)
    assert "How to read this: Longer bars mean more reviews." in root[1].text
    assert root.get("aria-labelledby") == f"{root[0].get('id')} {root[1].get('id')}"


# --------------------------------------------------------------------------- the log


def test_every_export_writes_who_role_what_and_when(store):
    bound = privacy.Handle(store, SUPERVISOR)
    frame = pl.DataFrame({"unit": ["U001", "U002", "U003"], "count": [12, 30, 44]})
    before = datetime.now()
    exports.table_csv(bound, frame, "Reviews by unit")
    exports.table_xlsx(bound, {"A": frame, "B": frame.head(2)}, "Reviews workbook")
    exports.chart_png(bound, _figure(), "Reviews chart")
    exports.chart_svg(bound, _figure(), "Reviews chart")
    exports.log_export(bound, "Codebook", "qdc")
    after = datetime.now()
    log = _log(store).sort("logged_at")
    assert log.select("user_name", "role", "what", "format", "rows").rows() == [
        ("pat.lee@example.org", "supervisor", "Reviews by unit", "csv", 3),
        ("pat.lee@example.org", "supervisor", "Reviews workbook", "xlsx", 5),  # 3 + 2 rows
        ("pat.lee@example.org", "supervisor", "Reviews chart", "png", None),
        ("pat.lee@example.org", "supervisor", "Reviews chart", "svg", None),
        ("pat.lee@example.org", "supervisor", "Codebook", "qdc", None),
    ]
    assert all(before <= t <= after for t in log["logged_at"])
    assert log["detail"][1] == "sheets: A, B"


def test_the_log_is_for_analysts_only(store):
    exports.log_export(store, "Something", "csv", 1)
    for viewer in (SUPERVISOR, STAKEHOLDER, Viewer("youth", "public", (), "pinned")):
        with pytest.raises(AccessDenied):
            exports.export_log(privacy.Handle(store, viewer))
    analyst = privacy.Handle(store, Viewer("analyst", "sam@example.org", None, "oidc"))
    assert exports.export_log(analyst)["what"].to_list() == ["Something"]


def test_the_log_filters_by_person_role_format_and_day(store):
    for viewer, fmt in [(SUPERVISOR, "csv"), (SUPERVISOR, "png"), (STAKEHOLDER, "csv")]:
        exports.log_export(privacy.Handle(store, viewer), "x", fmt)
    assert exports.export_log(store, user_name="pat.lee@example.org").height == 2
    assert exports.export_log(store, role="stakeholder").height == 1
    assert exports.export_log(store, fmt="csv").height == 2
    today = date.today()
    assert exports.export_log(store, start=today, end=today).height == 3
    assert exports.export_log(store, end=date(2000, 1, 1)).height == 0


def test_a_read_only_database_still_exports_and_logs_to_the_process_log(tmp_path, caplog):
    path = tmp_path / "cqi.duckdb"
    cqi_core.open_store(path).close()
    ro = cqi_core.open_store(path, read_only=True)
    try:
        with caplog.at_level(logging.WARNING, logger="cqi_core.exports"):
            data = exports.table_csv(ro, pl.DataFrame({"a": [1]}), "Replica table")
        assert _csv_rows(data) == [["a"], ["1"]]
        assert "Replica table" in caplog.text and "read-only" in caplog.text
        assert exports.export_log(ro).is_empty()
    finally:
        ro.close()


def test_a_read_only_file_from_before_the_log_reads_as_an_empty_log(tmp_path):
    path = tmp_path / "cqi.duckdb"
    s = cqi_core.open_store(path)
    s.query("DROP TABLE export_log")
    s.close()
    ro = cqi_core.open_store(path, read_only=True)
    try:
        log = exports.export_log(ro)
        assert log.is_empty() and log.columns == list(exports.LOG_COLUMNS)
    finally:
        ro.close()


# --------------------------------------------------------------------------- audiences


def test_a_public_export_drops_identifiers_and_free_text(store):
    frame = pl.DataFrame({"child_id": ["C1"], "unit": ["U001"], "comment": ["hello"],
                          "count": [0], "share": [0.0]})
    rows = _csv_rows(exports.table_csv(privacy.Handle(store, STAKEHOLDER), frame, "T"))
    assert rows[0] == ["unit", "count", "share"]
    assert _log(store)["detail"][0] == "left out for a public audience: child_id, comment"
    # staff keep every column
    assert _csv_rows(exports.table_csv(privacy.Handle(store, SUPERVISOR), frame, "T"))[0] == \
        frame.columns


@pytest.mark.parametrize("column", ["numerator", "denominator", "count", "excerpts", "n_units"])
def test_a_public_export_refuses_a_count_from_one_to_ten(store, column):
    public = privacy.Handle(store, STAKEHOLDER)
    threshold = privacy.load_policy().threshold  # 10 in audiences.yaml
    for small in (1, threshold):
        frame = pl.DataFrame({"unit": ["a", "b"], column: [small, 40]})
        with pytest.raises(CQIError, match="small number"):
            exports.table_csv(public, frame, "T")
        with pytest.raises(CQIError):
            exports.table_xlsx(public, {"T": frame}, "T")
    # zero, masked (empty) and counts above the threshold may leave
    ok = pl.DataFrame({"unit": ["a", "b", "c"], column: [0, None, threshold + 1]})
    assert len(_csv_rows(exports.table_csv(public, ok, "T"))) == 4
    # nothing refused was logged: only the one export that left
    assert _log(store)["format"].to_list() == ["csv"]


def test_a_refusal_message_shows_no_small_number(store):
    frame = pl.DataFrame({"numerator": [3]})
    with pytest.raises(CQIError) as refused:
        exports.table_csv(privacy.Handle(store, STAKEHOLDER), frame, "T")
    assert not any(ch.isdigit() for ch in str(refused.value))


def test_a_public_chart_with_a_small_count_is_refused(store):
    public = privacy.Handle(store, STAKEHOLDER)
    with pytest.raises(CQIError, match="small number"):
        exports.chart_svg(public, _figure(values=(4, 45)), "Reviews")
    with pytest.raises(CQIError):
        exports.check_chart(public, _figure(values=(4, 45)))
    assert exports.chart_svg(public, _figure(values=(0, 45)), "Reviews").startswith(b"<svg")
    assert exports.chart_png(store, _figure(values=(4, 45)), "Reviews")[:4] == b"\x89PNG"  # staff


def test_released_indicator_rows_can_leave_for_the_public(store):
    # agency row 25/60, two units 4/20 and 21/40: the unit numerator 4 is masked, and its
    # partner 21 too (complementary suppression), so 25 - 21 cannot reveal it
    frame = pl.DataFrame({"indicator_id": ["P1"] * 3, "period_start": [date(2025, 1, 1)] * 3,
                          "period_end": [date(2025, 3, 31)] * 3,
                          "group_by": ["all", "unit", "unit"], "group_value": ["all", "U1", "U2"],
                          "numerator": [25, 4, 21], "denominator": [60, 20, 40],
                          "value": [25 / 60, 0.2, 21 / 40], "ci_low": [0.3, 0.1, 0.4],
                          "ci_high": [0.5, 0.4, 0.7]})
    public = privacy.Handle(store, STAKEHOLDER)
    with pytest.raises(CQIError):
        exports.table_csv(public, frame, "Unreleased")
    released = privacy.release_indicator_rows(frame, public.viewer, store)
    rows = _csv_rows(exports.table_csv(public, released, "Released"))
    assert [r[5] for r in rows[1:]] == ["25", "", ""]


def test_timezones_and_dates_survive_an_xlsx(store):
    frame = pl.DataFrame({"when": [datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc)],
                          "day": [date(2025, 3, 1)]})
    ws = _workbook(exports.table_xlsx(store, {"T": frame}, "T"))["T"]
    assert ws["A2"].value == datetime(2025, 3, 1, 9, 30)
    assert ws["B2"].value.date() == date(2025, 3, 1)
