"""The importer: CSV / XLSX / Parquet export files → validated rows in the store.

Read (`read`) → map headers (`mapping`, `profiles`, `plan`) → validate in SQL
(`validate`) → load in one transaction with archive and log (`load`) → text report
(`report`). The public names are listed in `__all__`; everything else may change.
"""

from __future__ import annotations

from cqi_core.ingest.load import import_files
from cqi_core.ingest.model import ColumnMatch, FilePlan, FileResult, ImportPlan, ImportResult, MappingProfile, \
    MissingColumn
from cqi_core.ingest.plan import plan_import
from cqi_core.ingest.profiles import list_mappings, load_mapping, save_mapping
from cqi_core.ingest.report import format_report

__all__ = [
    "ColumnMatch",
    "FilePlan",
    "FileResult",
    "ImportPlan",
    "ImportResult",
    "MappingProfile",
    "MissingColumn",
    "format_report",
    "import_files",
    "list_mappings",
    "load_mapping",
    "plan_import",
    "save_mapping",
]
