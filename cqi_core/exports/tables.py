"""Tables as CSV and as an Excel workbook with a Definitions sheet.

The CSV is UTF-8 with a byte-order mark (so spreadsheets read accents right), text quoted
and neutralised, numbers unquoted. The workbook has one sheet per table, each with a bold,
frozen header row and set column widths, every cell a value, never a formula; its
Definitions sheet lists every column and indicator in plain words, the rule on small
numbers for a public audience, the as-of date and who exported it. openpyxl writes it in
write-only mode, which streams rows instead of holding every cell object.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any, Mapping

import polars as pl

from cqi_core import privacy
from cqi_core.storage.store import Store
from cqi_core.errors import CQIError
from cqi_core.exports.log import log_export
from cqi_core.exports.safety import (_as_text, _headers_safe, _xml_safe, for_viewer, load_rules, neutralise,
                     neutralise_frame)
from cqi_core.indicators.catalog import load_catalog
from cqi_core.storage.facts import as_of_date


def table_csv(store: Store | privacy.Handle, frame: pl.DataFrame, what: str,
              definitions: pl.DataFrame | None = None) -> bytes:
    """A table as CSV (UTF-8 with a byte-order mark, so spreadsheets read accents right).

    Text cells are neutralised and quoted; numbers are written as numbers. A CSV holds one
    table, so `definitions` is not written into it (the XLSX export carries them); it is
    accepted so both exports take the same arguments.

    Args:
        store: the store handle (its viewer decides what may leave, and is logged).
        frame: the table, already released for the viewer.
        what: what the table is, in words (for the export log).
        definitions: ignored (see above).

    Raises:
        CQIError: a public viewer and a table still holding a small count.
    """
    out = _prepare(store, frame)
    buf = io.BytesIO()
    out.write_csv(buf, include_bom=True, quote_style="non_numeric")
    log_export(store, what, "csv", out.height, _dropped(frame, out))
    return buf.getvalue()


def table_xlsx(store: Store | privacy.Handle, sheets: Mapping[str, pl.DataFrame], what: str,
               definitions: pl.DataFrame | None = None) -> bytes:
    """Tables as an Excel workbook, one sheet each, with a Definitions sheet.

    Each sheet has a bold, frozen header row and set column widths; every cell is a value
    (text neutralised), never a formula.

    Args:
        store: the store handle (its viewer decides what may leave, and is logged).
        sheets: sheet name -> table, each already released for the viewer.
        what: what the workbook is, in words (its title and the export log's entry).
        definitions: further definitions, columns `term` and `definition`: a term naming
            a column replaces that column's standard definition; other terms are listed too.

    Raises:
        CQIError: no tables, or a public viewer and a table still holding a small count.
    """
    from openpyxl import Workbook

    if not sheets:
        raise CQIError("There is nothing to download: no table was given.")
    viewer = privacy.viewer_of(store)
    names = _sheet_names(list(sheets))
    prepared = {n: _prepare(store, f, xlsx=True) for n, f in zip(names, sheets.values())}
    wb = Workbook(write_only=True)
    wb.properties.title = what[:255]
    wb.properties.creator = viewer.name
    for name, frame in prepared.items():
        _write_sheet(wb.create_sheet(name), frame.columns, frame.iter_rows(),
                     _widths(frame), wrap=())
    defs = definitions_table(store, prepared, what, definitions)
    _write_sheet(wb.create_sheet(_sheet_names([*names, "Definitions"])[-1]), defs.columns,
                 defs.iter_rows(), [16, 30, 100], wrap=(2,))
    buf = io.BytesIO()
    wb.save(buf)
    dropped = "; ".join(d for d in (_dropped(f, prepared[n])
                                    for n, f in zip(names, sheets.values())) if d)
    detail = "sheets: " + ", ".join(names) + (f"; {dropped}" if dropped else "")
    log_export(store, what, "xlsx", sum(f.height for f in prepared.values()), detail)
    return buf.getvalue()


def definitions_table(store: Store | privacy.Handle, sheets: Mapping[str, pl.DataFrame], what: str,
                      definitions: pl.DataFrame | None = None) -> pl.DataFrame:
    """The Definitions sheet: about the file, each column, each indicator, further terms.

    Returns:
        Columns Section, Name, Definition (text neutralised).
    """

    viewer = privacy.viewer_of(store)
    given = {}
    if definitions is not None and definitions.height:
        missing = {"term", "definition"} - set(definitions.columns)
        if missing:
            raise CQIError("Definitions need the columns term and definition.")
        given = dict(definitions.select(pl.col("term").cast(pl.String),
                                        pl.col("definition").cast(pl.String)).iter_rows())
    try:
        as_of = as_of_date(privacy.full(store))
    except CQIError:
        as_of = None
    rows = [("About this file", "Contents", what),
            ("About this file", "Data as of", f"{as_of:%B %-d, %Y}" if as_of else "Not known"),
            ("About this file", "Exported by", f"{viewer.name} ({viewer.role} view)"),
            ("About this file", "Exported on", f"{datetime.now():%B %-d, %Y at %H:%M}"),
            ("About this file", "Small numbers", _suppression_words(viewer))]
    standard = load_rules().column_definitions
    columns = list(dict.fromkeys(c for f in sheets.values() for c in f.columns))
    for c in columns:
        plain = c[1:] if c.startswith("'") else c
        rows.append(("Column", c, given.get(plain) or standard.get(plain)
                     or "No definition is recorded for this column."))
    ids = [i for f in sheets.values() if "indicator_id" in f.columns
           for i in f["indicator_id"].cast(pl.String).drop_nulls().unique(maintain_order=True)]
    if ids:
        catalog = load_catalog(privacy.full(store))
        for i in dict.fromkeys(ids):
            if i in catalog:
                e = catalog.entry(i)
                rows.append(("Indicator", f"{e.id}: {e.name}", e.definition))
    rows += [("Term", t, d) for t, d in given.items() if t not in columns]
    frame = pl.DataFrame(rows, schema=["Section", "Name", "Definition"], orient="row")
    return _headers_safe(neutralise_frame(_xml_safe(frame)))


def _suppression_words(viewer: privacy.Viewer) -> str:
    if not viewer.public:
        return ("Small numbers are not hidden in this file. It is for agency staff: do not "
                "share it outside the agency.")
    t = privacy.load_policy().threshold
    return (f"To protect privacy, any count from 1 to {t} is hidden (the cell is empty), and "
            "so is every rate, percentage or interval worked out from it. Where a hidden "
            "number could be worked out from a total, another number is hidden too. Zero is "
            "shown. The column 'suppressed' says which rows had something hidden.")


def _prepare(store: Store | privacy.Handle, frame: pl.DataFrame, xlsx: bool = False) -> pl.DataFrame:
    out = for_viewer(store, frame)
    if xlsx:
        out = _xml_safe(_as_text(out))
    return _headers_safe(neutralise_frame(out))



def _sheet_names(names: list[str]) -> list[str]:
    """Names Excel accepts: at most 31 characters, none of []:*?/\\, no two alike."""
    out: list[str] = []
    for n in names:
        base = re.sub(r"[\[\]:*?/\\]", " ", str(n)).strip().strip("'")[:31] or "Sheet"
        name, k = base, 2
        while name.lower() in (o.lower() for o in out):
            name = f"{base[:31 - len(str(k)) - 1]} {k}"
            k += 1
        out.append(name)
    return out


def _widths(frame: pl.DataFrame, sample: int = 200) -> list[int]:
    widths = []
    for c in frame.columns:
        longest = frame[c].head(sample).cast(pl.String, strict=False).str.len_chars().max()
        widths.append(max(10, min(60, max(len(c), longest or 0) + 2)))
    return widths


def _write_sheet(ws, header: list[str], rows, widths: list[int], wrap: tuple[int, ...]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    # A write-only sheet writes its views and columns with the first row: set them first.
    ws.freeze_panes = "A2"
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    bold = Font(bold=True)
    ws.append([_cell(ws, h, font=bold) for h in header])
    wrapped = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append([_cell(ws, v, alignment=wrapped) if i in wrap else v
                   for i, v in enumerate(row)])


def _cell(ws, value: Any, **style):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    for k, v in style.items():
        setattr(cell, k, v)
    return cell


def _dropped(before: pl.DataFrame, after: pl.DataFrame) -> str:
    gone = [c for c in before.columns if c not in after.columns and neutralise(c) not in after.columns]
    return f"left out for a public audience: {', '.join(gone)}" if gone else ""

