"""Planning an import: what each file is, which table it feeds and how its headers map.

Planning reads only the start of each file (the header; for a workbook, the first rows of
each sheet) and never writes to the database, so the import page can show the plan, with
its proposals and problems, before anything is loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from cqi_core.storage.contract import load_contract
from cqi_core.errors import CQIError
from cqi_core.ingest.mapping import header_score, norm, plan_for_headers, table_by_headers, table_for_name, \
    workbook_tables
from cqi_core.ingest.model import FilePlan, ImportPlan, MappingProfile
from cqi_core.ingest.profiles import load_mapping
from cqi_core.ingest.read import ReadError, csv_head, expand_paths, file_kind, xlsx_sheets


def resolve_profile(mapping: str | MappingProfile | None) -> MappingProfile | None:
    """The profile object for a name, a path or a profile (None stays None)."""
    if mapping is None or isinstance(mapping, MappingProfile):
        return mapping
    if isinstance(mapping, str) and mapping.strip():
        return load_mapping(mapping)
    raise CQIError(f"{mapping!r} is not a mapping profile name.")


def plan_import(paths: Sequence[str | Path], mapping: str | MappingProfile | None = None
                ) -> ImportPlan:
    """Work out what importing `paths` would do, without writing to the database.

    Folders are expanded to the files directly inside them; each sheet of a workbook counts
    as a file. A file feeds the table it is named after (case-insensitive; the workbook
    `case_reviews.xlsx` feeds reviews and ratings from its sheets), else the table its
    headers match best.

    Args:
        paths: files and folders.
        mapping: a mapping profile, its name in `data/mappings/`, or a YAML path.

    Raises:
        CQIError: a path does not exist or the mapping profile cannot be found.
    """
    profile = resolve_profile(mapping)
    files: list[FilePlan] = []
    for path in expand_paths(paths):
        try:
            files += _plan_file(path, profile)
        except Exception as exc:  # any reading failure names the file, never a traceback
            files.append(_error(path, f"cannot be read ({type(exc).__name__}: {exc}).",
                                file_kind(path)))
    return ImportPlan(files=files, mapping=profile.name if profile else None)


def _ignored(path: Path, note: str, kind: str = "other", sheet: str | None = None) -> FilePlan:
    return FilePlan(file=str(path), sheet=sheet, table=None, column_map={}, proposals=(),
                    missing_required=(), ignored_columns=(), note=note, kind=kind)


def _error(path: Path, error: str, kind: str, table: str | None = None) -> FilePlan:
    return FilePlan(file=str(path), sheet=None, table=table, column_map={}, proposals=(),
                    missing_required=(), ignored_columns=(), note="", error=error, kind=kind)


def _plan_file(path: Path, profile: MappingProfile | None) -> list[FilePlan]:
    kind = file_kind(path)
    named = table_for_name(path.name, profile)
    if kind == "other":
        return [_ignored(path, "not a data file (only .csv, .xlsx and .parquet files are "
                               "read): ignored")]
    if kind == "xls":
        if named or workbook_tables(path.name):
            return [_error(path, "is an old Excel 97-2003 workbook (.xls): save it as .xlsx "
                                 "or CSV and import that.", kind)]
        return [_ignored(path, "old Excel .xls workbook that matches no table: ignored", kind)]
    if kind == "csv":
        try:
            head = csv_head(path)
        except ReadError as exc:
            return [_error(path, str(exc), kind, named)]
        return [_decide(path, None, kind, head.headers, named, profile,
                        encoding=head.encoding, delimiter=head.delimiter)]
    if kind == "parquet":
        try:
            import pyarrow.parquet as pq

            names = tuple(pq.read_schema(path).names)
        except Exception:  # pyarrow raises several types for damaged files
            return [_error(path, "cannot be read as a Parquet file (it may be damaged or "
                                 "truncated).", kind, named)]
        return [_decide(path, None, kind, names, named, profile)]
    return _plan_workbook(path, named, profile)


def _decide(path: Path, sheet: str | None, kind: str, headers, named: str | None,
            profile: MappingProfile | None, note: str = "", **extra) -> FilePlan:
    if named:
        table, why = named, note or "table chosen from the file name"
    else:
        table, why = table_by_headers(headers, profile)
    return plan_for_headers(str(path), sheet, kind, headers, table, why, profile, **extra)


def _plan_workbook(path: Path, named: str | None, profile: MappingProfile | None
                   ) -> list[FilePlan]:
    try:
        sheets = xlsx_sheets(path, lambda cells: header_score(cells, profile))
    except ReadError as exc:
        return [_error(path, str(exc), "xlsx", named)]
    if not sheets:
        return [_error(path, "is empty: no sheet has a header row.", "xlsx", named)]
    out: list[FilePlan] = []
    in_book = workbook_tables(path.name)
    if in_book:
        for sheet, row, headers in sheets:
            table = norm(sheet) if norm(sheet) in in_book else None
            if table:
                out.append(plan_for_headers(str(path), sheet, "xlsx", headers, table,
                                            "table chosen from the sheet name", profile,
                                            header_row=row))
            else:
                out.append(_ignored(path, f"sheet not used: {path.name} is read from its "
                                          f"sheets {', '.join(in_book)}", "xlsx", sheet))
        return out
    if named:
        chosen = next((s for s in sheets if norm(s[0]) == named), sheets[0])
        for sheet, row, headers in sheets:
            if sheet == chosen[0]:
                out.append(plan_for_headers(str(path), sheet, "xlsx", headers, named,
                                            "table chosen from the file name", profile,
                                            header_row=row))
            else:
                out.append(_ignored(path, f"sheet not used: the workbook is named after "
                                          f"{named}, so only sheet {chosen[0]!r} is read",
                                    "xlsx", sheet))
        return out
    tables = load_contract().tables
    for sheet, row, headers in sheets:
        by_name = table_for_name(sheet, profile)
        by_name = by_name if by_name in tables else None
        out.append(_decide(path, sheet, "xlsx", headers, by_name, profile,
                           "table chosen from the sheet name" if by_name else "",
                           header_row=row))
    return out
