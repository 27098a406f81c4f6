"""Writing the export: CSV tables appended chunk by chunk, one reproducible workbook.

"The bytes are the contract": the same seed must give byte-identical files, so the CSV
layout is fixed (header once, ISO dates, empty cells for missing values) and the workbook
is re-zipped with fixed timestamps (openpyxl stamps the time of saving into the file).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import polars as pl
from openpyxl import Workbook

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "units": ("unit_id", "unit_name", "region"),
    "workers": ("worker_id", "unit_id", "role", "hire_date", "separation_date"),
    "children": ("child_id", "birth_date", "sex", "race_ethnicity"),
    "episodes": ("episode_id", "child_id", "removal_date", "discharge_date", "discharge_reason",
                 "unit_id", "worker_id"),
    "placements": ("placement_id", "episode_id", "child_id", "start_date", "end_date", "setting"),
    "reports": ("report_id", "child_id", "report_date", "incident_date", "response_priority",
                "first_contact_date", "disposition", "maltreatment_type", "perpetrator_relationship",
                "unit_id", "entered_date"),
    "visits": ("visit_id", "child_id", "worker_id", "visit_date", "location", "entered_date"),
    "population": ("region", "year", "child_population"),
    "staff_survey": ("response_id", "unit_id", "survey_date", "question", "score", "comment"),
    "feedback": ("feedback_id", "received_date", "source_group", "channel", "unit_id", "region",
                 "rating", "text"),
}
REVIEW_COLUMNS = ("review_id", "child_id", "unit_id", "review_date", "case_type", "reviewer",
                  "period_start", "period_end", "qa_of_review_id")
RATING_COLUMNS = ("review_id", "item", "rating", "comment")


class CsvTables:
    """Appends frames to `<out>/<table>.csv`, writing the header with the first frame."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.rows: dict[str, int] = {}

    def append(self, table: str, frame: pl.DataFrame) -> None:
        columns = TABLE_COLUMNS[table]
        if tuple(frame.columns) != columns:
            raise AssertionError(f"{table}: columns {frame.columns} differ from the contract {columns}")
        first = table not in self.rows
        with open(self.out / f"{table}.csv", "wb" if first else "ab") as fh:
            frame.write_csv(fh, include_header=first, date_format="%Y-%m-%d", line_terminator="\n")
        self.rows[table] = self.rows.get(table, 0) + frame.height


def write_workbook(path: Path, sheets: dict[str, tuple[Sequence[str], Iterable[Sequence]]], stamp: date) -> None:
    """An .xlsx file with one sheet per entry, reproducible byte for byte."""
    wb = Workbook(write_only=True)
    for name, (columns, rows) in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(list(columns))
        for row in rows:
            ws.append(list(row))
    wb.properties.creator = "cqi_core synthetic agency generator"
    buf = io.BytesIO()
    wb.save(buf)
    _rezip(buf.getvalue(), path, stamp)


def _rezip(data: bytes, path: Path, stamp: date) -> None:
    when = (stamp.year, stamp.month, stamp.day, 0, 0, 0)
    iso = f"{stamp.isoformat()}T00:00:00Z"
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                                 lambda m: m.group(1) + iso.encode() + m.group(3), content)
            out = zipfile.ZipInfo(info.filename, date_time=when)
            out.compress_type = zipfile.ZIP_DEFLATED
            out.external_attr = 0o644 << 16
            dst.writestr(out, content)
