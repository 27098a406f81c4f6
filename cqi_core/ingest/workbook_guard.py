"""Size limits of a workbook, checked on the zip itself before any reader opens it.

The workbook reader (calamine, through fastexcel) allocates every cell of the rectangle
from A1 to a sheet's last row and column, and unpacks shared strings whole. A workbook of
a few kilobytes can therefore ask for hundreds of gigabytes (cells at A1 and XFD1048576,
or a "zip bomb" part) and abort the whole server. Here each part is unpacked in pieces,
counted as it unpacks (a zip can lie about its sizes), and each worksheet's declared
dimension and real extent are measured with byte patterns before the reader sees it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path

from cqi_core.ingest.readerror import ReadError

#: Bytes read from a part at a time.
PIECE = 1 << 20
#: Most bytes a workbook may unpack to, all its parts together. A state-size case review
#: workbook unpacks to about 120 MB; a "zip bomb" unpacks a few kilobytes to gigabytes.
MAX_WORKBOOK_UNPACKED_BYTES = 2 << 30
#: Most cells a sheet may span, from A1 to its last row and column (a million rows of 30
#: columns). The workbook reader allocates every cell of that rectangle, filled or not: a
#: 2 KB workbook with cells at A1 and XFD1048576 would ask for 17 billion of them.
MAX_SHEET_CELLS = 30_000_000
#: Excel's own grid: no real sheet goes beyond row 1,048,576 or column XFD (16,384).
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384

# Worksheet tags are found with byte patterns, not an XML parser: a state-size sheet is
# scanned in about a second. Cells and rows normally carry their reference (r="B7"); a
# part where some do not, or whose tags carry a namespace prefix, is followed tag by tag.
_CELL_COL = re.compile(rb"<c\s[^>]*?\br=\"([A-Z]+)")
_CELL_ROW = re.compile(rb"<c\s[^>]*?\br=\"[A-Z]+([0-9]+)\"")
_ROW_TAG = re.compile(rb"<row\s[^>]*?\br=\"([0-9]+)\"")
_C_TAGS = re.compile(rb"<c[\s/>]")
_ROW_TAGS = re.compile(rb"<row[\s/>]")
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_NS = rb"(?:[\w.-]+:)?"  # an optional namespace prefix on a tag (x:c)
_TOKEN = re.compile(rb"<" + _NS + rb"(c|row)(\s[^>]*)?/?>")
_REF = re.compile(rb"\br=\"([A-Z]*)([0-9]*)\"")
_DIMENSION = re.compile(rb"<" + _NS + rb"dimension\s[^>]*?\bref=\"([^\"]*)\"")


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _extent_by_tokens(data: bytes, state: list[int]) -> None:
    """Follow rows and cells one by one (for parts whose cells omit their reference).

    `state` is [current row, current column, last row, last column], updated in place.
    """
    for m in _TOKEN.finditer(data):
        ref = _REF.search(m.group(2) or b"")
        if m.group(1) == b"row":
            state[0] = int(ref.group(2)) if ref and ref.group(2) else state[0] + 1
            state[1] = 0
        else:
            state[1] = _col_number(ref.group(1)) if ref and ref.group(1) else state[1] + 1
            if ref and ref.group(2):
                state[0] = max(state[0], int(ref.group(2)))
        state[2], state[3] = max(state[2], state[0]), max(state[3], state[1])


def _sheet_names(z: zipfile.ZipFile) -> dict[str, str]:
    """Part name (xl/worksheets/sheet1.xml) → sheet name, as far as the workbook says."""
    try:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return {}
    target = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for el in book.iter():
        if el.tag.endswith("}sheet") or el.tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            t = target.get(rid, "").lstrip("/")
            out[t if t.startswith("xl/") else f"xl/{t}"] = el.get("name", "")
    return out


def _too_big(rows: int, cols: int) -> str | None:
    if rows > EXCEL_ROWS or cols > EXCEL_COLUMNS:
        return (f"reaches row {rows:,} and column {cols:,}, beyond the largest sheet Excel "
                f"makes ({EXCEL_ROWS:,} rows, {EXCEL_COLUMNS:,} columns)")
    if rows * cols > MAX_SHEET_CELLS:
        return (f"spans {rows:,} rows by {cols:,} columns ({rows * cols:,} cells, counting "
                f"from A1); the importer reads at most {MAX_SHEET_CELLS:,}. Delete the empty "
                f"rows and columns around the table (or move it to a new sheet) and save again")
    return None


def check_workbook(path: Path) -> None:
    """`check_workbook_now`, done once per workbook content (planning and each sheet's load
    open the same file). Raises ReadError."""
    st = path.stat()
    _check_once(str(path.resolve()), st.st_size, st.st_mtime_ns, MAX_WORKBOOK_UNPACKED_BYTES,
                MAX_SHEET_CELLS)


@lru_cache(maxsize=64)
def _check_once(path: str, size: int, mtime_ns: int, unpacked: int, cells: int) -> None:
    check_workbook_now(Path(path))  # a ReadError is not cached: the next call checks again


def check_workbook_now(path: Path) -> None:
    """Refuse a workbook that would take too much memory to open, before opening it.

    Reads the zip directly, part by part in small pieces: each part may unpack to at most
    `MAX_WORKBOOK_UNPACKED_BYTES` in all (counted as it unpacks, since a zip can lie about
    its sizes), and each worksheet's declared dimension and its last row and column must
    stay within Excel's grid and `MAX_SHEET_CELLS`.

    Raises:
        ReadError: the message names the sheet and the limit.
    """
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ReadError("cannot be opened as an Excel workbook (it may be damaged, truncated "
                        "or not really an .xlsx file).") from None
    limit = f"{MAX_WORKBOOK_UNPACKED_BYTES >> 20:,} MB"
    with z:
        infos = z.infolist()
        if sum(i.file_size for i in infos) > MAX_WORKBOOK_UNPACKED_BYTES:
            raise ReadError(f"unpacks to more than {limit}, the most a workbook may hold here "
                            f"(it may be a \"zip bomb\"). Save the data as CSV and import that.")
        names = _sheet_names(z)
        total = 0
        for info in infos:
            sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            label = f'sheet "{names.get(info.filename, info.filename)}"'
            state, tokens, last_row, cols, carry = [0, 0, 0, 0], False, 0, set(), b""
            first = True
            try:
                with z.open(info) as part:
                    while piece := part.read(PIECE):
                        total += len(piece)
                        if total > MAX_WORKBOOK_UNPACKED_BYTES:
                            raise ReadError(f"unpacks to more than {limit}, the most a workbook "
                                            f"may hold here (it may be a \"zip bomb\"). Save "
                                            f"the data as CSV and import that.")
                        if not sheet:
                            continue
                        data = carry + piece
                        cut = data.rfind(b">") + 1  # never split a tag between two pieces
                        data, carry = data[:cut], data[cut:]
                        if first:
                            dim = _DIMENSION.search(data)
                            if dim and (why := _dimension_problem(dim.group(1))):
                                raise ReadError(f"{label} {why}.")
                            first = False
                        if not tokens:
                            found = _CELL_COL.findall(data)
                            row_tags = _ROW_TAG.findall(data)
                            if (_PREFIXED.search(data) or len(found) != len(_C_TAGS.findall(data))
                                    or len(row_tags) != len(_ROW_TAGS.findall(data))):
                                # some tags lack a reference: count them one by one from here
                                tokens = True
                                width = max(map(_col_number, cols), default=0)
                                state = [last_row, 0, last_row, width]
                            else:
                                cols.update(found)
                                last_row = max([last_row, *map(int, set(row_tags)),
                                                *map(int, set(_CELL_ROW.findall(data)))])
                        if tokens:
                            _extent_by_tokens(data, state)
                        rows = max(last_row, state[2])
                        width = max([state[3], *map(_col_number, cols)])
                        if why := _too_big(rows, width):
                            raise ReadError(f"{label} {why}.")
            except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError):
                raise ReadError("cannot be opened as an Excel workbook (it may be damaged, "
                                "truncated or not really an .xlsx file).") from None


def _dimension_problem(ref: bytes) -> str | None:
    """Why a sheet's declared dimension ("A1:XFD1048576") is too big, or None."""
    last = ref.split(b":")[-1].replace(b"$", b"")
    m = re.fullmatch(rb"([A-Z]{1,4})([0-9]{1,9})", last)
    if not m:
        return None
    why = _too_big(int(m.group(2)), _col_number(m.group(1)))
    return f"declares its size as {ref.decode()}, so it {why}" if why else None
