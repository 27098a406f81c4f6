"""Exports: tables as CSV and XLSX, charts as PNG and SVG, each safe to open and logged.

A downloaded file leaves the dashboard's protection, so three things hold for every export:
it is safe to open in a spreadsheet (text that would run as a formula is neutralised), it
respects the audience (checked again at the door for public viewers), and it is logged
(who, as which audience, what, when). `safety` holds the first two, `tables` and `charts`
build the files, `log` keeps the record. Pages offer these through download buttons that
build the file only when clicked (`pages/_downloads.py`).
"""

from __future__ import annotations

import re

from cqi_core.exports.charts import EXPORT_HEIGHT, EXPORT_WIDTH, chart_png, chart_svg
from cqi_core.exports.log import LOG_COLUMNS, export_log, log_export
from cqi_core.exports.safety import (DANGEROUS, ExportRules, check_chart, for_viewer, load_rules, neutralise,
                     neutralise_frame)
from cqi_core.exports.tables import definitions_table, table_csv, table_xlsx

__all__ = [
    "DANGEROUS", "EXPORT_HEIGHT", "EXPORT_WIDTH", "ExportRules", "LOG_COLUMNS", "MIME",
    "chart_png", "chart_svg", "check_chart", "definitions_table", "export_log", "file_stem",
    "for_viewer", "load_rules", "log_export", "neutralise", "neutralise_frame", "table_csv",
    "table_xlsx",
]

MIME = {"csv": "text/csv", "png": "image/png", "svg": "image/svg+xml",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
"""MIME type of each export format."""


def file_stem(what: str) -> str:
    """A file name (without extension) for an export: `what` in lower case, words joined
    by underscores."""
    return re.sub(r"[^0-9A-Za-z]+", "_", what).strip("_").lower()[:80] or "export"
