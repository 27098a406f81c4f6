"""docs/DATA_CONTRACT.md, written from the data that defines the export.

The contract (`storage/contract.yaml`), the importer's rules (`ingest.validate`, `ingest.read`)
and the data quality checks (`quality/checks.yaml`) are the one place each rule is set; this
module only restates them for a person who must produce the export, so the document cannot
drift from the code. tests/test_docs.py fails when the committed file differs from what
`render_contract_markdown` writes. Regenerate it with

    .venv/bin/python -m cqi_core.ingest.contract_doc
"""

from __future__ import annotations

import sys
from pathlib import Path

from cqi_core.ingest.profiles import list_mappings, load_mapping
from cqi_core.ingest.read import DATA_SUFFIXES, DELIMITERS, HEADER_SEARCH_ROWS
from cqi_core.ingest.validate import MAX_CELL_CHARS, code_key, formats_label
from cqi_core.settings import PACKAGE, load
from cqi_core.storage.contract import SQL_TYPES, Column, Table, load_contract

DOC_PATH = PACKAGE.parent / "docs" / "DATA_CONTRACT.md"
REGENERATE = ".venv/bin/python -m cqi_core.ingest.contract_doc"

TYPE_WORDS = {
    "id": "an identifier, kept as text exactly as written (leading zeros stay)",
    "text": "free text, kept as written (a cell of spaces only is empty)",
    "date": "a calendar date (formats below)",
    "int": "a whole number (`4` and `4.0` read as 4; `4.5` is rejected)",
    "code": "one of the listed codes, or an accepted alias of one",
    "item": "a case review item label",
}
"""What each column type accepts, in words (the types are the contract's)."""

_DELIMITER_WORDS = {",": "comma", ";": "semicolon", "\t": "tab"}


def _esc(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`"


def _is_federal(alias: str) -> bool:
    """A federal numeric code (AFCARS, NCANDS) is all digits."""
    return alias.isdigit()


def _target_words(target: str) -> str:
    return f"`{target}`"


def _column_rules(t: Table, c: Column) -> str:
    """Everything the contract says about one column, in a table cell."""
    parts = []
    if c.type == "int" and (c.min is not None or c.max is not None):
        if c.min is not None and c.max is not None:
            parts.append(f"from {c.min} to {c.max}")
        elif c.min is not None:
            parts.append(f"at least {c.min}")
        else:
            parts.append(f"at most {c.max}")
    if c.type == "code":
        parts.append("codes: " + ", ".join(_code(k) for k in c.codes))
    if c.type == "item":
        parts.append("items: " + ", ".join(c.items))
    if c.name in t.key:
        parts.append("part of the key" if len(t.key) > 1 else "the key")
    if c.name in t.references:
        parts.append(f"must exist as {_target_words(t.references[c.name])} (else rejected)")
    if c.name in t.flag_references:
        parts.append(f"should exist as {_target_words(t.flag_references[c.name])} "
                     "(else flagged)")
    for earlier, later in t.date_order:
        if c.name == later:
            parts.append(f"not before `{earlier}` (else rejected)")
    return "; ".join(parts)


def _code_table(c: Column) -> list[str]:
    """The codes of one code column with their federal numeric and other aliases."""
    lines = [f"`{c.name}`:", "",
             "| code | federal numeric code | other accepted spellings |", "|---|---|---|"]
    for code, aliases in c.codes.items():
        federal = ", ".join(_code(a) for a in aliases if _is_federal(a)) or "none"
        other = ", ".join(_code(a) for a in aliases if not _is_federal(a)) or "none"
        lines.append(f"| `{code}` | {federal} | {other} |")
    return lines + [""]


def _where_it_comes_from(t: Table) -> str:
    if t.workbook:
        return f"the sheet `{t.name}` of the workbook `{t.workbook}.xlsx`"
    return f"a file named `{t.name}` (`{t.name}.csv`, `{t.name}.xlsx` or `{t.name}.parquet`)"


def _table_section(t: Table) -> list[str]:
    lines = [f"### {t.name}: {t.label}", "",
             f"- Read from {_where_it_comes_from(t)}"
             + (". **Optional**: an agency may leave this table out." if t.optional_table
                else "."),
             "- Key: " + " + ".join(_code(k) for k in t.key)
             + (" (a row repeating the key of an earlier row of the batch is rejected; the "
                "first is kept)."),
             ]
    for col, target in t.references.items():
        lines.append(f"- `{col}` must point to a row of {_target_words(target)}, in the "
                     "database or among this batch's accepted rows; a row that points nowhere "
                     "is **rejected**.")
    for col, target in t.flag_references.items():
        lines.append(f"- `{col}` should point to a row of {_target_words(target)}; a row that "
                     "points nowhere is kept and only **flagged** on the Data quality page.")
    for earlier, later in t.date_order:
        lines.append(f"- `{later}` before `{earlier}` is **rejected**.")
    if t.no_overlap:
        o = t.no_overlap
        lines.append(f"- Two rows of the same `{o['entity']}` whose periods overlap are "
                     f"**rejected** (the later-starting one): a period runs from `{o['start']}` "
                     f"up to, not including, `{o['end']}`, so the next may start on the day the "
                     "previous ended; an empty end date runs on forever, so only one can be "
                     "open.")
    lines += ["", "| column | type | required | rules |", "|---|---|---|---|"]
    for c in t.columns:
        lines.append(f"| `{c.name}` | {c.type} | {'yes' if c.required else 'no'} | "
                     f"{_esc(_column_rules(t, c))} |")
    lines.append("")
    for c in t.columns:
        if c.type == "code" and any(c.codes.values()):
            lines += _code_table(c)
    return lines


def _files_section(formats: tuple[str, ...]) -> list[str]:
    suffixes = ", ".join(_code(s) for s in DATA_SUFFIXES)
    delims = ", ".join(_DELIMITER_WORDS.get(d, repr(d)) for d in DELIMITERS)
    return [
        "## Files", "",
        f"- Each table is one file named after it, with one of the endings {suffixes} "
        "(text, Excel or Parquet). Several files for one table (`visits_2023.csv`, "
        "`visits_2024.csv`) load together; a key repeated across them is a repeated key.",
        "- Text files may be UTF-8 (with or without a byte-order mark), UTF-16 with a "
        f"byte-order mark, or Windows-1252, with fields separated by {delims}.",
        f"- In a workbook the header row may sit below a title: the first {HEADER_SEARCH_ROWS} "
        "rows are searched for it.",
        "- Headers are matched ignoring case, spaces and punctuation (`Child ID`, `CHILD_ID` "
        "and `childid` all read `child_id`). Columns the contract does not know are ignored "
        "and listed in the import report. Two "
        "headers that would both read the same column refuse the file.",
        f"- Dates: {formats_label(formats)}, or a date cell of the workbook. "
        "`24-01-05` is not read as the year 24: a year has four digits.",
        "- Codes are compared ignoring case, with spaces, `_` and `-` treated alike "
        f"(`Focus Group` reads `{code_key(Column('x', 'code'), 'Focus Group')}`). Each code "
        "column lists its federal numeric codes (AFCARS 1993, NCANDS) beside the codes.",
        "- Case review items may be written `4`, `04`, `Item 4` or `item #4`; `12A`-`12C` are "
        "the sub-items of item 12.",
        "- Empty cells are empty values. Identifiers, codes, dates and numbers lose "
        "surrounding spaces; free text is kept as written, and a cell that looks like a "
        "spreadsheet formula is stored as text, never run.",
        "",
        "Column types:", "",
        "| type | accepts | stored as |", "|---|---|---|",
        *[f"| {t} | {_esc(TYPE_WORDS[t])} | {SQL_TYPES[t]} |" for t in SQL_TYPES],
        "",
    ]


def _outcomes_section(tables: dict[str, Table]) -> list[str]:
    refs = sorted({f"`{t.name}.{col}` → `{target}`" for t in tables.values()
                   for col, target in t.references.items()})
    flags = sorted({f"`{t.name}.{col}` → `{target}`" for t in tables.values()
                    for col, target in t.flag_references.items()})
    lines = [
        "## What is refused, rejected or only flagged", "",
        "An import is one batch of files and one transaction: all of it lands, or none of it.",
        "",
        "**The whole batch is refused** (nothing changes) when a file cannot be read (damaged, "
        "an unknown encoding, a workbook too large to open safely), lacks a required column, "
        "has two headers for one column, or when no file maps to a table of the export. "
        "The message names the file, and the column when one is missing.",
        "",
        "**A row is rejected** (kept with its reason in the rejected rows, the rest of the batch "
        "lands) when it has:", "",
        "- a required value missing;",
        "- a value that is not its type: not a date, not a whole number, not a known code or "
        "review item;",
        "- a whole number outside its range;",
        f"- a cell longer than {MAX_CELL_CHARS:,} characters (the spreadsheet limit);",
        "- in a text file, a different number of fields from the header (only that reason is "
        "given: its values sit in the wrong columns);",
        "- the key of an earlier row of the batch (the first one is kept);",
        "- its dates out of order: " + ", ".join(
            f"`{t.name}.{b}` before `{a}`" for t in tables.values() for a, b in t.date_order)
        + ";",
        "- a reference to a row that is neither in the database nor among the batch's "
        "accepted rows: " + ", ".join(refs) + ";",
        "- for episodes, a period overlapping another episode of the same child.",
        "",
        "**Only flagged** (the row is kept; the Data quality page lists it) are references "
        "that should hold but need not (" + ", ".join(flags) + ") and everything the data "
        "quality checks look for:", "",
        "| check | severity | tables | a record fails when |", "|---|---|---|---|",
    ]
    late = load("indicator_config")["indicators"]["D1"]["params"]["d1_days"]
    for check in load("checks")["checks"]:
        meaning = check["meaning"].replace("$late_days", str(late))
        tables_checked = check["table"] if isinstance(check["table"], list) else [check["table"]]
        lines.append(f"| {_esc(check['name'])} (`{check['id']}`) | {check['severity']} | "
                     f"{', '.join(tables_checked)} | {_esc(meaning)} |")
    lines += ["", f"The late-entry limit ({late} days) is indicator D1's `d1_days` in "
              "`cqi_core/indicators/config.yaml`: one setting for the check and the "
              "indicator.", ""]
    return lines


def _mappings_section() -> list[str]:
    lines = ["## Mapping profiles", "",
             "An export with other headers or codes is read through a mapping profile, a YAML "
             "file in `data/mappings/` (`python -m cqi_core import FOLDER --mapping NAME`, or "
             "chosen on the Import data page, which can also save a new one). A profile names, "
             "per table, the source header of each canonical column and the source values of "
             "codes the contract does not already accept, and may add date formats. The "
             "profiles shipped:", ""]
    for name in list_mappings():
        p = load_mapping(name)
        lines += [f"### {p.name}", "", _esc(p.description), ""]
        if p.date_formats:
            lines += ["Extra date formats: " + ", ".join(_code(f) for f in p.date_formats), ""]
        lines += ["| table | source header | reads as |", "|---|---|---|"]
        for table, columns in p.columns.items():
            for src, dst in columns.items():
                lines.append(f"| {table} | `{src}` | `{dst}` |")
        codes = [(t, col, src, code) for t, cols in p.codes.items()
                 for col, values in cols.items() for src, code in values.items()]
        if codes:
            lines += ["", "| table | column | source value | reads as |", "|---|---|---|---|"]
            lines += [f"| {t} | `{col}` | `{src}` | {'empty' if code is None else _code(code)} |"
                      for t, col, src, code in codes]
        lines.append("")
    return lines


def render_contract_markdown() -> str:
    """The whole of docs/DATA_CONTRACT.md, from the contract, the importer and the checks."""
    contract = load_contract()
    tables = contract.tables
    lines = [
        "# The data contract: the CQI export", "",
        "> Generated from `cqi_core/storage/contract.yaml`, the importer's rules "
        "(`cqi_core/ingest/`), `cqi_core/quality/checks.yaml` and `data/mappings/`. Do not edit "
        f"by hand: change those files and run `{REGENERATE}`. `tests/test_docs.py` fails "
        "when this file and the generator disagree.", "",
        "The dashboard reads one longitudinal format, the CQI export: "
        f"{len(tables)} tables (contract version {contract.version}). An agency produces it "
        "from its case management system, directly or through a mapping profile, and the "
        "importer checks every row against this contract. "
        "Tables: " + ", ".join(
            f"`{t.name}`" + (" (optional)" if t.optional_table else "") for t in tables.values())
        + ".", "",
    ]
    lines += _files_section(contract.date_formats)
    lines += _outcomes_section(tables)
    lines += ["## Tables", "",
              "Listed in load order: a table comes after the tables it points to.", ""]
    for t in tables.values():
        lines += _table_section(t)
    lines += _mappings_section()
    return "\n".join(lines).rstrip("\n") + "\n"


def write(path: Path = DOC_PATH) -> Path:
    """Write the document (what `python -m cqi_core.ingest.contract_doc` does)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_contract_markdown(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"wrote {write(Path(sys.argv[1]) if len(sys.argv) > 1 else DOC_PATH)}")
