"""Value objects of the importer: mapping profiles, import plans and import results.

They are frozen dataclasses so that a page or the command line can hold them, show them
and pass them back without the importer's state leaking out. Nothing here touches a file
or the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

#: Columns of `ImportResult.rejects`, in order.
REJECT_COLUMNS = ("file", "table", "row", "column", "value", "reason")

#: How a source header came to be matched with a canonical column.
MATCH_METHODS = ("exact", "normalised", "profile", "similarity")


@dataclass(frozen=True)
class MappingProfile:
    """A saved way of reading one agency's layout onto the canonical export."""

    name: str
    """Short name; the file is `data/mappings/<name>.yaml`."""
    description: str = ""
    """What layout this profile reads, in a sentence or two."""
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per table: source column header → canonical column name."""
    codes: dict[str, dict[str, dict[str, str | None]]] = field(default_factory=dict)
    """Per table, per code column: source value → canonical code (None = treat as empty)."""
    files: dict[str, str] = field(default_factory=dict)
    """Optional: file (or sheet) name, case-insensitive, `*` wildcards allowed → table."""
    date_formats: tuple[str, ...] = ()
    """Extra strptime date formats accepted on top of the contract's (e.g. `%Y%m%d`)."""


@dataclass(frozen=True)
class ColumnMatch:
    """One canonical column and the source header that matches it (or might)."""

    column: str
    """Canonical column name."""
    source: str
    """Source header as it appears in the file."""
    score: float
    """Similarity of the two names, 0 to 1 (1 for exact, normalised and profile matches)."""
    method: str
    """exact, normalised (case/space/punctuation), profile, or similarity (a proposal)."""
    applied: bool
    """True when the importer uses this match; similarity proposals are never applied."""


@dataclass(frozen=True)
class MissingColumn:
    """A required column that no header of the file maps to."""

    column: str
    """Canonical column name."""
    candidates: tuple[str, ...]
    """Headers of the file that look closest to it, best first (may be empty)."""


@dataclass(frozen=True)
class FilePlan:
    """What the importer would do with one file (or one sheet of a workbook)."""

    file: str
    """Path of the file as found (folders are expanded)."""
    sheet: str | None
    """Sheet name for a workbook, else None."""
    table: str | None
    """Canonical table the file maps to; None when the file is ignored or unreadable."""
    column_map: dict[str, str]
    """Canonical column → source header, for every match the importer applies."""
    proposals: tuple[ColumnMatch, ...]
    """Every match found, applied or only proposed, with its score and method."""
    missing_required: tuple[MissingColumn, ...]
    """Required columns without a header, with the closest headers found."""
    ignored_columns: tuple[str, ...]
    """Source headers that are not used (not in the contract, or repeated)."""
    note: str = ""
    """Plain-language remark: why a file is ignored, how its table was chosen."""
    error: str | None = None
    """Why the file cannot be read at all (refuses the batch), else None. It reads after the
    file name: "is empty: it has no header row."."""
    kind: str = ""
    """csv, xlsx, parquet, or other."""
    headers: tuple[str, ...] = ()
    """Source headers in file order."""
    header_row: int = 1
    """Spreadsheet row number of the header (2 or more when a title sits above it)."""
    encoding: str | None = None
    """Text encoding detected from the start of a CSV (utf-8, utf-8-sig or cp1252)."""
    delimiter: str | None = None
    """Delimiter sniffed for a CSV: `,`, `;` or a tab."""

    @property
    def display_name(self) -> str:
        """The file name as reports show it, with the sheet for a workbook."""
        name = Path(self.file).name
        return f"{name} [{self.sheet}]" if self.sheet else name

    @property
    def problems(self) -> list[str]:
        """Messages that refuse a batch containing this file (empty when it can load)."""
        if self.error:
            return [f"{self.display_name} {self.error}"]
        out = []
        for m in self.missing_required:
            near = (", ".join(f'"{c}"' for c in m.candidates) if m.candidates
                    else "none similar")
            out.append(f'{self.display_name}: required column "{m.column}" of {self.table} '
                       f"is missing (closest headers found: {near}).")
        return out


@dataclass(frozen=True)
class ImportPlan:
    """What an import of some paths would do, worked out without touching the database."""

    files: list[FilePlan]
    """One entry per file or sheet found, including ignored ones."""
    mapping: str | None = None
    """Name of the mapping profile used, if any."""

    @property
    def problems(self) -> list[str]:
        """Messages that would refuse the whole batch."""
        return [p for f in self.files for p in f.problems]

    @property
    def ignored_files(self) -> list[FilePlan]:
        """Files and sheets that map to no table and are not errors."""
        return [f for f in self.files if f.table is None and not f.error]

    @property
    def tables(self) -> dict[str, list[FilePlan]]:
        """Canonical table → the files that feed it, in the order found."""
        out: dict[str, list[FilePlan]] = {}
        for f in self.files:
            if f.table and not f.error:
                out.setdefault(f.table, []).append(f)
        return out

    def to_profile(self, name: str, description: str = "",
                   base: MappingProfile | None = None) -> MappingProfile:
        """A profile that accepts every proposal of this plan (for the user to review and save).

        Args:
            name: name of the new profile.
            description: what layout it reads.
            base: an existing profile to extend (its entries are kept).
        """
        columns = {t: dict(m) for t, m in (base.columns if base else {}).items()}
        for f in self.files:
            if not f.table:
                continue
            target = columns.setdefault(f.table, {})
            for m in f.proposals:
                if m.method in ("profile", "similarity") and m.source not in target:
                    target[m.source] = m.column
        return MappingProfile(name=name, description=description or (base.description if base
                                                                       else ""),
                              columns=columns, codes=dict(base.codes) if base else {},
                              files=dict(base.files) if base else {},
                              date_formats=base.date_formats if base else ())


@dataclass(frozen=True)
class FileResult:
    """What happened to one file (or sheet) of an import batch."""

    file: str
    """File name as reports show it (with the sheet for a workbook)."""
    sheet: str | None
    """Sheet name for a workbook, else None."""
    table: str | None
    """Canonical table the file fed; None for an ignored file."""
    rows_read: int
    """Data rows in the file (header and empty rows not counted)."""
    rows_accepted: int
    """Rows that passed every check."""
    rows_rejected: int
    """Rows kept in the rejects table instead of the data (a row counts once)."""
    ignored_columns: tuple[str, ...]
    """Source headers that were not used."""
    sha256: str | None
    """Content hash of the original file (the archive name)."""
    unchanged: bool = False
    """True when the table was skipped because the same file was already imported."""
    path: str = ""
    """Full path of the file as found."""


def empty_rejects() -> pl.DataFrame:
    """An empty frame with the columns of `ImportResult.rejects`."""
    return pl.DataFrame(schema={"file": pl.String, "table": pl.String, "row": pl.Int64,
                                "column": pl.String, "value": pl.String, "reason": pl.String})


@dataclass(frozen=True)
class ImportResult:
    """The outcome of one import batch."""

    batch_id: int | None
    """Number of the batch in the import log (None for a dry run, which logs nothing)."""
    outcome: str
    """landed, refused or unchanged."""
    mode: str
    """snapshot or delta."""
    message: str
    """One sentence for the user (also kept in the import log)."""
    files: list[FileResult]
    """One entry per file or sheet that fed a table."""
    rejects: pl.DataFrame = field(default_factory=empty_rejects)
    """One row per problem found: file, table, row, column, value, reason."""
    problems: list[str] = field(default_factory=list)
    """Why the batch was refused (empty otherwise)."""
    notes: list[str] = field(default_factory=list)
    """Things the user should know that did not stop the batch (ignored files, kept tables)."""
    dry_run: bool = False
    """True when everything ran and was then rolled back on purpose."""
    mapping: str | None = None
    """Name of the mapping profile used, if any."""
    rejects_total: int = 0
    """Number of problems found (the `rejects` frame holds at most the first 100,000)."""

    @property
    def exit_code(self) -> int:
        """0 when the batch landed or changed nothing, 1 when it was refused."""
        return 1 if self.outcome == "refused" else 0

    @property
    def rows_read(self) -> int:
        """Data rows read over all files."""
        return sum(f.rows_read for f in self.files)

    @property
    def rows_accepted(self) -> int:
        """Rows accepted over all files."""
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_rejected(self) -> int:
        """Rows rejected over all files."""
        return sum(f.rows_rejected for f in self.files)
