"""Reading export files: find them, sniff them, and stage them in DuckDB as text.

Each file (CSV, XLSX sheet or Parquet) is staged as a temporary all-VARCHAR table holding
only the columns the mapping uses, in file order, so that the row numbers reported later
are the ones a spreadsheet shows (header = row 1). CSVs are read by DuckDB's `read_csv`
with every option set explicitly (no guessing by the engine); a CSV that is not UTF-8 is
transcoded once, in chunks, to a temporary UTF-8 file. Workbooks are read with fastexcel,
keeping real sheet row numbers and native Excel dates, once `workbook_guard` has checked
that opening them is safe. The whole-file checks of a CSV (NUL bytes, encoding) live in
`encoding`. Any failure to read a file becomes a `ReadError` whose message names the
problem in plain words.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import duckdb
import polars as pl

from cqi_core.errors import CQIError
from cqi_core.ingest.encoding import CHUNK, SAMPLE_BYTES, check_windows_1252, high_lines
from cqi_core.ingest.readerror import ReadError
from cqi_core.ingest.workbook_guard import check_workbook

#: Longest CSV line DuckDB is allowed to buffer; longer lines refuse the file. A real row
#: (cells of at most 32,767 characters, see validate.MAX_CELL_CHARS) stays far below it.
MAX_LINE_BYTES = 16 << 20
#: Rows of a sheet searched for the header (titles and blank rows may sit above it).
HEADER_SEARCH_ROWS = 10
DELIMITERS = (",", ";", "\t")
DATA_SUFFIXES = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
                 ".parquet": "parquet", ".pq": "parquet"}


@dataclass(frozen=True)
class CsvHead:
    """What the start of a CSV says about the whole file."""

    encoding: str
    """utf-8, utf-8-sig, utf-16 or cp1252 (decided on the first chunk; the full read re-checks)."""
    delimiter: str
    """, ; or a tab."""
    headers: tuple[str, ...]
    """Header cells, trimmed."""


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files named by `paths`, with folders replaced by the files directly inside them.

    Raises:
        CQIError: a path does not exist.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise CQIError(f"{p} does not exist.")
        if p.is_dir():
            out += sorted((c for c in p.iterdir() if c.is_file()
                           and not c.name.startswith((".", "~$"))), key=lambda c: c.name.lower())
        else:
            out.append(p)
    seen: set[Path] = set()
    unique = []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def file_kind(path: Path) -> str:
    """csv, xlsx, parquet, xls (old binary Excel) or other, by suffix then content."""
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return "xls"
    kind = DATA_SUFFIXES.get(suffix, "other")
    if kind == "csv":
        try:
            with path.open("rb") as fh:
                magic = fh.read(4)
        except OSError:
            return kind
        if magic == b"PK\x03\x04":
            return "xlsx"  # a workbook saved with a .csv name
        if magic == b"PAR1":
            return "parquet"
    return kind


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _c1_fallback(exc: UnicodeDecodeError):
    # The five bytes cp1252 leaves undefined decode as the C1 controls, as Windows does.
    return "".join(chr(b) for b in exc.object[exc.start:exc.end]), exc.end


codecs.register_error("cqi_c1", _c1_fallback)


def _detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def csv_head(path: Path) -> CsvHead:
    """Encoding, delimiter and header of a CSV, from its first chunk.

    Raises:
        ReadError: the file is empty, binary, or has no header row.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(CHUNK)
    except OSError as exc:
        raise ReadError(f"cannot be opened ({exc.strerror}).") from None
    encoding = _detect_encoding(head)
    if encoding != "utf-16" and b"\x00" in head:
        raise ReadError("is not a text table (it contains binary data). Export it again as CSV.")
    if encoding == "cp1252":
        check_windows_1252(b"".join(high_lines(head, SAMPLE_BYTES)))
    text = head.decode(encoding, errors="cqi_c1" if encoding == "cp1252" else "ignore")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ReadError("is empty: it has no header row.")
    lines = text.splitlines(keepends=True)
    if len(head) == CHUNK and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut by the chunk
    sample = "".join(lines[:50])
    best: tuple | None = None
    for d in DELIMITERS:
        limit = csv.field_size_limit(MAX_LINE_BYTES)  # long cells are judged later, not here
        try:
            records = [r for r in csv.reader(io.StringIO(sample), delimiter=d) if r]
        except csv.Error:
            continue
        finally:
            csv.field_size_limit(limit)
        if not records:
            continue
        n = len(records[0])
        data = records[1:-1] or records[1:]
        consistent = sum(len(r) == n for r in data) / len(data) if data else 1.0
        score = (n > 1, consistent, n)
        if best is None or score > best[0]:
            best = (score, d, records[0])
    if best is None:
        raise ReadError("is empty: it has no header row.")
    headers = tuple(h.replace("\ufeff", "").strip() for h in best[2])
    if not any(headers):
        raise ReadError("has an empty first row: the first row must hold the column names.")
    return CsvHead(encoding=encoding, delimiter=best[1], headers=headers)


def transcode(path: Path, encoding: str, out_dir: Path) -> Path:
    """Copy a cp1252 or UTF-16 file to a UTF-8 file in `out_dir`, in chunks."""
    out = out_dir / f"{uuid.uuid4().hex}.utf8.csv"
    dec = codecs.getincrementaldecoder(encoding)(errors="cqi_c1" if encoding == "cp1252"
                                                 else "replace")
    with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
        if encoding == "cp1252" and src.read(3) != codecs.BOM_UTF8:
            src.seek(0)  # a UTF-8 mark in front of cp1252 text is dropped, not decoded
        while chunk := src.read(CHUNK):
            dst.write(dec.decode(chunk))
        dst.write(dec.decode(b"", final=True))
    return out


_CSV_ERR = re.compile(r"CSV Error on Line: (\d+)")


def _csv_error(exc: Exception) -> str:
    text = str(exc)
    line = _CSV_ERR.search(text)
    where = f"line {line.group(1)}" if line else "a line"
    if "unterminated quote" in text:
        what = "has a quote (\") that is never closed, so the rest of the file runs together"
    elif m := re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text):
        what = f"has {m.group(2)} fields where the header has {m.group(1)}"
    elif "Maximum line size" in text or "maximum line size" in text:
        what = f"is longer than {MAX_LINE_BYTES >> 20} MB"
    elif "unicode" in text.lower():
        what = "has bytes that are not text in any encoding this importer reads"
    else:
        what = "cannot be read as CSV"
    return f"cannot be read: {where} {what}."


def _even_out(src: Path, head: CsvHead, out_dir: Path) -> Path:
    """Rewrite a CSV with ragged records so that every record has the header's width.

    Each record is cut or padded to the header's number of fields and followed by the
    number of fields it really had, so that the row can be rejected with its reason while
    the rest of the file loads. Blank lines are dropped, as DuckDB drops them, so the row
    numbers match those of a file without ragged records.
    """
    width = len(head.headers)
    out = out_dir / f"{uuid.uuid4().hex}.even.csv"
    limit = csv.field_size_limit(MAX_LINE_BYTES)
    try:
        with src.open(encoding="utf-8-sig", newline="") as fh, \
                out.open("w", encoding="utf-8", newline="") as dst:
            records = csv.reader(fh, delimiter=head.delimiter, quotechar='"', doublequote=True)
            rows = csv.writer(dst, lineterminator="\n")
            next(records, None)  # the header
            for rec in records:
                if rec:
                    rows.writerow([*(rec + [""] * width)[:width], len(rec)])
    except csv.Error as exc:
        raise ReadError(f"cannot be read as CSV ({exc}).") from None
    finally:
        csv.field_size_limit(limit)
    return out


def stage_csv(cur: duckdb.DuckDBPyConnection, name: str, path: Path, head: CsvHead,
              columns: dict[str, int], tmp_dir: Path, utf8: bool) -> int:
    """Create temp table `name` with the mapped columns (canonical names, VARCHAR) of a CSV.

    The table also holds `_ragged`, why a record does not have the header's number of
    fields (NULL for a sound record); `record_number_sql` gives each row's record number.

    Args:
        columns: canonical column → position of its source header.
        utf8: the full file is valid UTF-8 (else it is transcoded first).
    Returns the number of data rows. Raises ReadError when the file cannot be read.
    """
    src = path
    if head.encoding == "utf-16" or not utf8:
        src = transcode(path, "utf-16" if head.encoding == "utf-16" else "cp1252", tmp_dir)
    width = len(head.headers)
    spec = {f"c{i}": "VARCHAR" for i in range(width)}
    select = ", ".join(f"c{i} AS {col}" for col, i in columns.items()) or "NULL AS _none"
    # Records are numbered by the table itself: the reader keeps the file's order and the
    # table numbers its rows (rowid) one after another in that order, from a base that is not
    # 0 inside an open transaction (`record_number_sql` counts from the first row's). A window
    # row_number() gave the same numbers at twice the cost of the read.
    query = (f"CREATE TEMP TABLE {name} AS SELECT {select}, "
             "{ragged} AS _ragged FROM read_csv($path, delim=$delim, "
             "quote='\"', escape='\"', header=$header, auto_detect=false, columns=$spec, "
             "max_line_size=$maxline, encoding='utf-8'{extra})")
    params = {"path": str(src), "delim": head.delimiter, "spec": spec, "maxline": MAX_LINE_BYTES,
              "header": True}
    # A failed statement would abort the batch's transaction, so the first read records its
    # bad lines (store_rejects) instead of failing, and the lines decide what happens next.
    rej, scan = f"{name}_rej", f"{name}_rejscan"
    try:
        cur.execute(query.format(ragged="NULL::VARCHAR", extra=(
            f", store_rejects=true, rejects_table='{rej}', rejects_scan='{scan}'")), params)
        bad = cur.execute(f"SELECT line, error_type FROM {rej} ORDER BY line").fetchall()
    except duckdb.Error as exc:
        raise ReadError(_csv_error(exc)) from None
    finally:
        drop_temp(cur, tables=[rej, scan])
    fatal = [(line, kind) for line, kind in bad if kind not in _RAGGED]
    if fatal:
        raise ReadError(_rejected_line(*fatal[0]))
    if bad:
        # Some records are ragged: read an evened-out copy (slower, so only when needed)
        # in which each record says how many fields it really had.
        drop_temp(cur, tables=[name])
        even = _even_out(src, head, tmp_dir)
        ragged = (f"CASE WHEN _fields::INTEGER <> {width} THEN 'has ' || _fields || ' field' || "
                  f"CASE WHEN _fields::INTEGER = 1 THEN '' ELSE 's' END || "
                  f"', the header has {width}' END")
        try:
            # the copy ends its records with \n; a cell may hold \r\n, which would
            # otherwise confuse the reader's guess of the line ending
            cur.execute(query.format(ragged=ragged, extra=", new_line='\\n'"),
                        {**params, "path": str(even), "delim": ",", "header": False,
                         "spec": {**spec, "_fields": "VARCHAR"}})
        except duckdb.Error as exc:
            raise ReadError(_csv_error(exc)) from None
    return _number_rows(cur, name)


def _number_rows(cur: duckdb.DuckDBPyConnection, name: str) -> int:
    """The rows of a staged CSV, after checking that they are numbered one after another."""
    first, last, rows = cur.execute(f"SELECT min(rowid), max(rowid), count(*) FROM {name}"
                                    ).fetchall()[0]
    if rows and last - first + 1 != rows:  # never seen: the record numbers would be wrong
        raise ReadError("could not be numbered record by record; try again.")
    return rows


def record_number_sql(cur: duckdb.DuckDBPyConnection, name: str, kind: str) -> str:
    """SQL giving each row of a staged CSV or Parquet table its record number (1 = the first
    data record): `_n` of a Parquet table, the rowid counted from the first one's for a CSV."""
    if kind != "csv":
        return "_n"
    first = cur.execute(f"SELECT coalesce(min(rowid), 0) FROM {name}").fetchall()[0][0]
    return f"(rowid - {int(first) - 1})"


_RAGGED = ("TOO MANY COLUMNS", "MISSING COLUMNS")


def _rejected_line(line: int, kind: str) -> str:
    """The refusal for a line DuckDB's reader set aside (same words as `_csv_error`)."""
    if kind == "UNQUOTED VALUE":
        what = "has a quote (\") that is never closed, so the rest of the file runs together"
    elif kind == "LINE SIZE OVER MAXIMUM":
        what = f"is longer than {MAX_LINE_BYTES >> 20} MB"
    elif kind == "INVALID UNICODE":
        what = "has bytes that are not text in any encoding this importer reads"
    else:
        what = "cannot be read as CSV"
    return f"cannot be read: line {line} {what}."


def parquet_columns(cur: duckdb.DuckDBPyConnection, path: Path) -> list[tuple[str, str]]:
    """(name, DuckDB type) of each column of a Parquet file. Raises ReadError."""
    try:
        rows = cur.execute("DESCRIBE SELECT * FROM read_parquet($p)", {"p": str(path)}).fetchall()
    except duckdb.Error:
        raise ReadError("cannot be read as a Parquet file (it may be damaged or truncated).") \
            from None
    return [(r[0], r[1]) for r in rows]


def stage_parquet(cur: duckdb.DuckDBPyConnection, name: str, path: Path,
                  types: Sequence[str], columns: dict[str, int]) -> int:
    """Like `stage_csv` for a Parquet file: dates become ISO text, everything else text."""
    alias = ", ".join(f"c{i}" for i in range(len(types)))

    def text(i: int) -> str:
        t = types[i].upper()
        if t == "DATE" or t.startswith("TIMESTAMP"):
            return f"strftime(c{i}, '%Y-%m-%d')"
        return f"CAST(c{i} AS VARCHAR)"

    select = ", ".join(f"{text(i)} AS {col}" for col, i in columns.items()) or "NULL AS _none"
    try:
        cur.execute(f"CREATE TEMP TABLE {name} AS SELECT file_row_number + 1 AS _n, {select} "
                    f"FROM read_parquet($p, file_row_number=true) AS t({alias}, "
                    f"file_row_number)", {"p": str(path)})
    except duckdb.Error:
        raise ReadError("cannot be read as a Parquet file (it may be damaged or truncated).") \
            from None
    return cur.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]


# ---------------------------------------------------------------- workbooks
# Workbooks are read with fastexcel (calamine, in Rust): about 15 times faster than
# openpyxl on a state-size case review workbook. Every cell is read as text; with
# `header_row=None, skip_rows=0` row i of the frame is sheet row i + 1, and each column
# knows its absolute sheet column, so reported row numbers are the sheet's own.
_EXCEL_DATETIME = r"^(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}:\d{2}(\.\d+)?$"


def _reader(path: Path):
    import fastexcel  # imported here: only workbook imports pay for it

    check_workbook(path)
    try:
        return fastexcel.read_excel(path)
    except Exception:  # fastexcel raises its own error types for damaged files
        raise ReadError("cannot be opened as an Excel workbook (it may be damaged, truncated "
                        "or not really an .xlsx file).") from None


def _sheet_frame(reader, sheet: str, skip: int, n_rows: int | None = None
                 ) -> tuple[pl.DataFrame, list[int]]:
    """Cells of a sheet as text from sheet row `skip` + 1, and each column's sheet index."""
    try:
        loaded = reader.load_sheet(sheet, header_row=None, skip_rows=skip, n_rows=n_rows,
                                   dtypes="string")
        cols = [c.absolute_index for c in loaded.available_columns()]
        frame = loaded.to_polars()
    except Exception:
        raise ReadError(f'sheet "{sheet}" cannot be read (the workbook may be damaged or '
                        f"truncated).") from None
    # a native Excel date arrives as "2024-01-05 00:00:00": keep the date
    frame = frame.with_columns(pl.all().str.replace(_EXCEL_DATETIME, "$1"))
    return frame, cols


# The sheets of the workbook planned last, whole: reading a sheet's first rows costs as much
# as reading all of it (the reader parses the whole sheet), so the import stages the rows
# the planner read instead of reading the workbook a second time. Keyed by the file's path,
# size and modification time: a workbook saved again in between is read again.
_LAST_BOOK: dict[tuple, dict[str, tuple[pl.DataFrame, list[int]]]] = {}


def _book_key(path: Path) -> tuple:
    st = path.stat()
    return str(path.resolve()), st.st_size, st.st_mtime_ns


def _whole_sheet(path: Path, sheet: str, reader=None, keep: bool = True
                 ) -> tuple[pl.DataFrame, list[int]]:
    """Every row of a sheet from sheet row 1, kept for the staging of the same file unless
    `keep` is False (the staging itself: its memory is freed with the frame)."""
    key = _book_key(path)
    sheets = _LAST_BOOK.get(key)
    if sheets is None:
        _LAST_BOOK.clear()
        sheets = _LAST_BOOK[key] = {}
    found = sheets.get(sheet) or _sheet_frame(reader or _reader(path), sheet, 0)
    if keep:
        sheets[sheet] = found
    else:
        sheets.pop(sheet, None)
    return found


def xlsx_sheets(path: Path, score: Callable[[Sequence[str]], float]) -> list[tuple[str, int,
                                                                                  tuple[str, ...]]]:
    """(sheet, header row, headers) for each non-empty sheet of a workbook.

    The header is the row among the first `HEADER_SEARCH_ROWS` whose cells best match the
    contract (by `score`); a merged title or blank rows above it are skipped. Headers are
    listed by sheet column from column A (a sheet starting in column C has two empty
    headers first). Raises ReadError when the workbook cannot be read.
    """
    reader = _reader(path)
    out = []
    for sheet in reader.sheet_names:
        frame, cols = _whole_sheet(path, sheet, reader)
        frame = frame.head(HEADER_SEARCH_ROWS)
        width = max(cols, default=-1) + 1
        rows = []
        for i, values in enumerate(frame.iter_rows(), 1):
            cells = [""] * width
            for col, v in zip(cols, values):
                cells[col] = "" if v is None else str(v).strip()
            if any(cells):
                rows.append((i, tuple(cells)))
        if not rows:
            continue
        best = max(rows, key=lambda r: (score(r[1]), -r[0]))
        if score(best[1]) <= 0:
            best = rows[0]
        headers = list(best[1])
        while headers and not headers[-1]:
            headers.pop()
        out.append((sheet, best[0], tuple(headers)))
    return out


def stage_xlsx(cur: duckdb.DuckDBPyConnection, name: str, path: Path, sheet: str,
               header_row: int, columns: dict[str, int]) -> int:
    """Like `stage_csv` for one sheet; the table also holds `_row`, the real sheet row.

    Rows whose every cell is empty are skipped (they keep no row number).
    """
    frame, cols = _whole_sheet(path, sheet, keep=False)
    frame = frame.slice(header_row)
    by_col = dict(zip(cols, frame.columns))
    filled = [pl.col(c).is_not_null() & (pl.col(c).str.strip_chars() != "")
              for c in frame.columns]
    frame = frame.with_columns(pl.int_range(header_row + 1, header_row + 1 + frame.height,
                                            dtype=pl.Int64).alias("_row"))
    if filled:
        frame = frame.filter(pl.any_horizontal(filled))
    else:
        frame = frame.clear()
    table = frame.select(
        pl.col("_row"),
        *[(pl.col(by_col[pos]) if pos in by_col else pl.lit(None, dtype=pl.String)).alias(col)
          for col, pos in columns.items()]).to_arrow()
    view = f"{name}_arrow"
    cur.register(view, table)
    try:
        cur.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {view}")
    finally:
        cur.unregister(view)
    return table.num_rows


def drop_temp(cur: duckdb.DuckDBPyConnection, views: Iterable[str] = (),
              tables: Iterable[str] = ()) -> None:
    """Drop temp views and tables the importer made (ignoring ones already gone)."""
    for n in views:
        cur.execute(f"DROP VIEW IF EXISTS {n}")
    for n in tables:
        cur.execute(f"DROP TABLE IF EXISTS {n}")
