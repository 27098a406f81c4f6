"""Widgets of the Import data page: uploads, the column-mapping editor, the import report.

Kept apart from the page so that the page reads title → choices → one core call → render.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

import cqi_core
from pages import _downloads as dl
from pages import _tables as tables
from pages import _shared as ui

IGNORE = "(not used)"


def save_uploads(files) -> Path | None:
    """Write uploaded files to a folder of this session (same files → same folder)."""
    if not files:
        return None
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode())
        digest.update(f.getvalue())
    key = digest.hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / "cqi_uploads" / key
    if not folder.exists():
        folder.mkdir(parents=True)
        for f in files:
            (folder / Path(f.name).name).write_bytes(f.getvalue())
    return folder


def mapping_editor(plan: "cqi_core.ImportPlan", base: "cqi_core.MappingProfile | None"):
    """Show each file's table and column mapping; return the profile the user's edits make.

    Similarity proposals are shown for the user to accept: they are pre-filled in the
    editor, marked "proposed", and used only because the user sees and keeps them.
    """
    contract = cqi_core.load_contract()
    columns: dict[str, dict[str, str]] = {t: dict(m) for t, m in (base.columns if base else {}).items()}
    files: dict[str, str] = dict(base.files) if base else {}
    for i, fp in enumerate(plan.files):
        label = fp.display_name
        if fp.error:
            st.error(f"**{label}** cannot be read: {fp.error}")
            continue
        table = fp.table
        if table is None:
            choice = st.selectbox(f"**{label}** was not recognised ({fp.note or 'no matching table'}). "
                                  "Which table does it hold?", [IGNORE, *contract.tables],
                                  key=f"table_{i}_{label}")
            if choice == IGNORE:
                continue
            files[Path(fp.file).name if not fp.sheet else fp.sheet] = choice
            table = choice
        st.markdown(f"**{label}** → `{table}` ({contract.table(table).label})")
        by_source = {m.source: m for m in fp.proposals if m.applied or m.method == "similarity"}
        rows = [{"Column in the file": h,
                 "Reads as": by_source[h].column if h in by_source else IGNORE,
                 "How it was matched": ("proposed by name similarity: check it"
                                        if h in by_source and not by_source[h].applied
                                        else by_source[h].method if h in by_source else "not in the export format")}
                for h in fp.headers]
        if not rows:
            continue
        edited = ui.edit_table(
            pl.DataFrame(rows), f"One row per column of {label}: the column's name in the file, "
            "the column it is read as (change it here) and how the match was made.",
            key=f"map_{i}_{label}", hide_index=True, width="stretch",
            disabled=["Column in the file", "How it was matched"],
            column_config={"Reads as": st.column_config.SelectboxColumn(
                options=[IGNORE, *contract.table(table).column_names], required=True)})
        records = edited.to_dicts() if isinstance(edited, pl.DataFrame) else edited.to_dict("records")
        target = columns.setdefault(table, {})
        for r in records:
            if r["Reads as"] and r["Reads as"] != IGNORE:
                target[r["Column in the file"]] = r["Reads as"]
    return cqi_core.MappingProfile(
        name=base.name if base else "edited on the import page", description=base.description if base else "",
        columns=columns, codes=dict(base.codes) if base else {}, files=files,
        date_formats=base.date_formats if base else ())


def show_result(result: "cqi_core.ImportResult") -> None:
    """The validation or import report: outcome, per-file counts, rejected rows."""
    if result.outcome == "refused":
        st.error(result.message)
        for p in result.problems:
            st.markdown(f"- {p}")
    elif result.dry_run:
        st.info(result.message)
    elif result.outcome == "unchanged":
        st.info(result.message)
    else:
        st.success(result.message)
    for note in result.notes:
        st.caption(note)
    if result.files:
        tables.show(pl.DataFrame([{"File": f.file, "Table": f.table or "—", "Rows read": f.rows_read,
                                     "Accepted": f.rows_accepted, "Rejected": f.rows_rejected,
                                     "Ignored columns": ", ".join(f.ignored_columns)}
                                    for f in result.files]),
                      "One row per file read: the file, the table it holds, rows read, rows "
                      "accepted, rows rejected and the columns that were not used.",
                      hide_index=True, width="stretch")
    if result.rejects.height:
        rows, problems = result.rows_rejected, result.rejects_total
        st.markdown(f"**Rejected rows:** {rows:,} row{'s' * (rows != 1)}, "
                    f"{problems:,} problem{'s' * (problems != 1)}. Row numbers count the header "
                    "as row 1, as a spreadsheet shows them.")
        for r in result.rejects.head(5).iter_rows(named=True):
            st.markdown(f"- {r['file']} row {r['row']}, column {r['column']} = "
                        f"`{r['value']}`: {r['reason']}")
        tables.show(result.rejects.head(2000),
                      "One row per problem found (the first 2,000): the file, the table, the row "
                      "number, the column, the value and why it was rejected.",
                      hide_index=True, width="stretch")
        dl.table_downloads(result.rejects, "Validation report of an import",
                           noun="the validation report", file_stem="validation_report",
                           key=f"dl_{result.batch_id}_{result.dry_run}")
