"""Codebook interchange: REFI-QDA codebook (.qdc) and CSV, out and in.

`.qdc` is the REFI-QDA standard codebook (qdasoftware.org, namespace
`urn:QDA-XML:codebook:1.0`) that ATLAS.ti, NVivo, MAXQDA and Taguette read. Each theme is a
`<Code>` with a GUID derived from its code (uuid5, so the same theme always has the same
GUID) and a `<Description>` that holds the rest as labelled lines, one field per line and
one line per list entry:

    Code: engagement
    Definition: ...
    Include: ...
    Exclude: ...
    Example: ...
    Pattern: ...
    Ignore: ...
    Related: Q1.13

A description from another tool without these labels becomes the definition, and the code
is made from the name. CSV has one row per theme with the columns of `THEME_FIELDS`; list
fields hold one entry per line inside the cell. Taguette's codebook CSV (tag, description)
imports too.

An import validates every theme first and then saves all of them in one transaction, so a
file with one bad theme changes nothing. Fields a file leaves out are kept as they are
(a .qdc from another tool does not wipe a theme's patterns).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from cqi_core.storage.store import Store
from cqi_core.analysis.qualitative.codebook import (LIST_FIELDS, THEME_FIELDS, BadField, Codebook, CodebookError, Theme,
                       check_writable, load_codebook, plan_theme, write_changes)

QDC_NS = "urn:QDA-XML:codebook:1.0"
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:cqi-dashboard:codebook")
"""Namespace of the theme GUIDs: guid = uuid5(GUID_NAMESPACE, code)."""
ORIGIN = "CQI dashboard"
_LABELS = {"Code": "code", "Definition": "definition", "Include": "include",
           "Exclude": "exclude", "Example": "examples", "Pattern": "patterns",
           "Ignore": "ignore", "Related": "related"}
_LABEL_LINE = re.compile(r"^(" + "|".join(_LABELS) + r"):\s?(.*)$")


@dataclass(frozen=True)
class ImportSummary:
    """What a codebook import did."""

    added: tuple[str, ...]
    """Codes of themes added."""
    updated: tuple[str, ...]
    """Codes of themes changed."""
    unchanged: tuple[str, ...]
    """Codes of themes that already read like the file."""
    skipped: tuple[str, ...]
    """Entries left out, each with the reason (e.g. a .qdc code that is not codable)."""

    @property
    def message(self) -> str:
        """One sentence for the screen."""
        parts = [f"{len(self.added)} added", f"{len(self.updated)} changed",
                 f"{len(self.unchanged)} unchanged"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return "Codebook import: " + ", ".join(parts) + "."


def theme_guid(code: str) -> str:
    """The stable REFI-QDA GUID of a theme."""
    return str(uuid.uuid5(GUID_NAMESPACE, code))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def describe(theme: Theme) -> str:
    """The theme's fields as the labelled lines of a .qdc Description."""
    lines = [f"Code: {theme.code}"]
    for label, key in _LABELS.items():
        if key == "code":
            continue
        value = getattr(theme, key)
        if key in LIST_FIELDS:
            lines += [f"{label}: {_one_line(v)}" for v in value]
        elif value:
            lines.append(f"{label}: {_one_line(value)}")
    return "\n".join(lines)


def export_qdc(codebook: Codebook) -> bytes:
    """The codebook as a REFI-QDA codebook file (.qdc, UTF-8 XML), themes in codebook order."""
    ET.register_namespace("", QDC_NS)
    root = ET.Element(f"{{{QDC_NS}}}CodeBook",
                      {"origin": f"{ORIGIN} codebook version {codebook.version}"})
    codes = ET.SubElement(root, f"{{{QDC_NS}}}Codes")
    for t in codebook.themes:
        el = ET.SubElement(codes, f"{{{QDC_NS}}}Code",
                           {"guid": theme_guid(t.code), "name": t.name, "isCodable": "true"})
        ET.SubElement(el, f"{{{QDC_NS}}}Description").text = describe(t)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def slug(name: str) -> str:
    """A snake_case code made from a name ("Family time" → family_time)."""
    s = re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")
    if s and not s[0].isalpha():
        s = "theme_" + s
    return s[:60].rstrip("_")


def parse_description(text: str) -> dict[str, Any]:
    """Fields from a Description: labelled lines, or the whole text as the definition."""
    fields: dict[str, Any] = {}
    last = None
    labelled = False
    for raw in (text or "").splitlines():
        m = _LABEL_LINE.match(raw.strip())
        if m:
            labelled = True
            key, value = _LABELS[m.group(1)], m.group(2).strip()
            if key in LIST_FIELDS:
                fields.setdefault(key, []).append(value)
            else:
                fields[key] = value
            last = key
        elif labelled and last and raw.strip():
            # A wrapped line continues the field before it.
            if last in LIST_FIELDS:
                fields[last][-1] += " " + raw.strip()
            else:
                fields[last] += " " + raw.strip()
    if not labelled and (text or "").strip():
        fields["definition"] = _one_line(text)
    return fields


def _parse_qdc(data: bytes) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """(where, fields) for every codable Code, and the skipped entries; raises CodebookError."""
    if not isinstance(data, (bytes, bytearray)):
        raise CodebookError("The codebook file must be given as bytes.")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise CodebookError("The .qdc file declares a DOCTYPE or entities, which a REFI-QDA "
                            "codebook never needs; it was not read.")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise CodebookError(f"The .qdc file is not valid XML ({exc}).") from None
    if root.tag != f"{{{QDC_NS}}}CodeBook":
        raise CodebookError(f"The .qdc file's root element is {root.tag!r}, not a REFI-QDA "
                            f"CodeBook in the namespace {QDC_NS}.")
    entries, skipped = [], []
    for k, el in enumerate(root.iter(f"{{{QDC_NS}}}Code"), start=1):
        name = (el.get("name") or "").strip()
        where = f"Code {k} ({name!r})" if name else f"Code {k}"
        if (el.get("isCodable") or "true").strip().lower() != "true":
            skipped.append(f"{where}: not codable (a grouping only)")
            continue
        desc = el.find(f"{{{QDC_NS}}}Description")
        fields = parse_description(desc.text if desc is not None else "")
        fields["name"] = name
        if not fields.get("code"):
            fields["code"] = slug(name)
        entries.append((where, fields))
    return entries, skipped


def _apply(store: Store, entries: list[tuple[str, dict[str, Any]]], skipped: list[str],
           user: str, reason: str, source: str) -> ImportSummary:
    """Validate every entry against the codebook, then save all changes in one transaction."""
    check_writable(store, user, reason, "the codebook")
    with store.writing() as con:
        codebook = load_codebook(store)
        seen: dict[str, str] = {}
        planned: list[tuple[str, Theme, Theme | None]] = []
        unchanged: list[str] = []
        pending: list[Theme] = []
        for where, fields in entries:
            code = str(fields.get("code") or "")
            try:
                if code in seen:
                    raise BadField("code", f"{code!r} appears twice (also in {seen[code]})")
                current = codebook.get(code) or next(
                    (t for t in codebook.retired if t.code == code), None)
                merged = current.to_dict() if current else {}
                merged.update(fields)
                plan = plan_theme(codebook, merged, pending)
            except BadField as bad:
                raise CodebookError(f"{source}, {where}, field {bad.field}: {bad}. Nothing was "
                                    "imported.") from None
            seen[code] = where
            if plan is None:
                unchanged.append(code)
                continue
            planned.append(plan)
            pending.append(plan[1])
        if planned:
            write_changes(con, [(t.code, action, t, before) for action, t, before in planned],
                          user, reason)
    return ImportSummary(added=tuple(t.code for a, t, _ in planned if a == "add"),
                         updated=tuple(t.code for a, t, _ in planned if a == "edit"),
                         unchanged=tuple(unchanged), skipped=tuple(skipped))


def import_qdc(store: Store, data: bytes, user: str,
               reason: str = "Imported from a REFI-QDA codebook (.qdc)") -> ImportSummary:
    """Add and update themes from a REFI-QDA codebook file.

    Every codable `<Code>` (nested ones too) is a theme; its code comes from the
    Description's "Code:" line, else from its name. Fields the file does not give keep
    their current values, so patterns survive a round trip through another tool.

    Args:
        store: a database open for writing.
        data: the .qdc file's bytes.
        user: who imports.
        reason: why (kept with every change).

    Raises:
        CodebookError: the file is not a REFI-QDA codebook, or a theme in it is not valid
            (the message names the Code and the field); nothing is imported then.
        StoreError: the database is open read-only.
    """
    entries, skipped = _parse_qdc(data)
    return _apply(store, entries, skipped, user, reason, "The .qdc file")


def export_codebook_csv(codebook: Codebook) -> bytes:
    """The codebook as CSV (UTF-8 with a byte-order mark, so spreadsheets read accents).

    One row per theme, columns code, name, definition, include, exclude, examples,
    patterns, ignore, related; list fields hold one entry per line in their cell.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(THEME_FIELDS)
    for t in codebook.themes:
        d = t.to_dict()
        w.writerow(["\n".join(d[k]) if k in LIST_FIELDS else d[k] for k in THEME_FIELDS])
    return buf.getvalue().encode("utf-8-sig")


def _decode(data: bytes) -> str:
    if not isinstance(data, (bytes, bytearray)):
        raise CodebookError("The codebook file must be given as bytes.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return bytes(data).decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CodebookError("The codebook CSV is neither UTF-8 nor Windows-1252 text.")


def import_codebook_csv(store: Store, data: bytes, user: str,
                        reason: str = "Imported from a codebook CSV") -> ImportSummary:
    """Add and update themes from a codebook CSV (this product's export, or Taguette's).

    Columns are matched case- and space-insensitively: code, name, definition, include,
    exclude, examples, patterns, ignore, related; Taguette's "tag" stands for name and
    "description" for definition. A row without a code gets one made from its name. Empty
    cells and missing columns keep the theme's current values.

    Raises:
        CodebookError: no name column, an unknown column, or a row that is not valid (the
            message names the row, counting the header as row 1, and the field); nothing is
            imported then.
        StoreError: the database is open read-only.
    """
    text = _decode(data)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise CodebookError("The codebook CSV is empty.")
    aliases = {"tag": "name", "description": "definition", "title": "name"}
    header = []
    for k, h in enumerate(rows[0], start=1):
        key = "_".join(h.strip().casefold().split())
        key = aliases.get(key, key)
        if key in ("number_of_highlights", "highlights", ""):
            key = None
        elif key not in THEME_FIELDS:
            raise CodebookError(f"The codebook CSV, row 1, column {k}: unknown column {h!r}; "
                                f"columns: {', '.join(THEME_FIELDS)}.")
        header.append(key)
    if "name" not in header:
        raise CodebookError("The codebook CSV has no 'name' column (or Taguette's 'tag').")
    entries = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise CodebookError(f"The codebook CSV, row {n}: {len(row)} cells but "
                                f"{len(header)} columns. Nothing was imported.")
        fields: dict[str, Any] = {}
        for key, cell in zip(header, row):
            if key is None or not cell.strip():
                continue
            if key in LIST_FIELDS:
                fields[key] = [v.strip() for v in cell.splitlines() if v.strip()]
            else:
                fields[key] = cell.strip()
        if not fields.get("code") and fields.get("name"):
            fields["code"] = slug(fields["name"])
        entries.append((f"row {n}", fields))
    return _apply(store, entries, [], user, reason, "The codebook CSV")
