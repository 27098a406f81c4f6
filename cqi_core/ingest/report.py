"""The import report as plain text: what the command line prints after an import.

It is written for the person who ran the import (often a supervisor or a data clerk, not
a programmer): outcome first, then one line per file, then what was ignored, then the
first rejected rows with file, row, column, value and reason.
"""

from __future__ import annotations

from cqi_core.ingest.model import ImportResult

_HEAD = {"landed": "Import landed", "refused": "Import refused", "unchanged": "Nothing changed"}


def _value(v) -> str:
    return "(empty)" if v is None else f'"{v}"'


def format_report(result: ImportResult, limit: int = 20) -> str:
    """The text report of an import (outcome, files, ignored columns, first rejects).

    Args:
        result: what `import_files` returned.
        limit: how many rejected rows to list (the rest are counted).
    """
    head = _HEAD.get(result.outcome, result.outcome)
    if result.dry_run:
        head = "Dry run" if result.outcome == "landed" else f"Dry run: {head.lower()}"
    facts = [f"batch {result.batch_id}" if result.batch_id is not None else None, result.mode,
             f"mapping {result.mapping}" if result.mapping else None]
    lines = [f"{head}: " + ", ".join(x for x in facts if x), result.message]
    if result.problems:
        lines.append("")
        lines.append("Why the batch was refused (fix these and import again):")
        lines += [f"  - {p}" for p in result.problems]
    shown = [f for f in result.files if result.outcome != "refused"]
    if shown:
        width = max(len(f.file) for f in shown)
        lines += ["", f"  {'file':<{width}}  {'table':<14}{'read':>10}{'accepted':>10}"
                      f"{'rejected':>10}"]
        for f in shown:
            if f.unchanged:
                lines.append(f"  {f.file:<{width}}  {f.table or '':<14}"
                             f"{'unchanged since the last import: skipped':>30}")
            else:
                lines.append(f"  {f.file:<{width}}  {f.table or '':<14}{f.rows_read:>10,}"
                             f"{f.rows_accepted:>10,}{f.rows_rejected:>10,}")
    ignored = [f for f in result.files if f.ignored_columns]
    if ignored:
        lines += ["", "Ignored columns (not in the data contract):"]
        lines += [f"  {f.file}: {', '.join(f.ignored_columns)}" for f in ignored]
    if result.notes:
        lines += ["", "Notes:"] + [f"  {n}" for n in result.notes]
    total = result.rejects_total or result.rejects.height
    if total:
        n = min(limit, result.rejects.height)
        lines += ["", f"Rejected rows ({total:,} problem{'' if total == 1 else 's'}" +
                  (f"; first {n} shown" if total > n else "") + "; all are kept in the "
                  "rejects table):"]
        for r in result.rejects.head(n).iter_rows(named=True):
            if r["column"] is None:  # a problem of the whole row (a ragged CSV record)
                lines.append(f"  {r['file']} row {r['row']}: {r['reason']}")
            else:
                lines.append(f"  {r['file']} row {r['row']}, {r['column']} = "
                             f"{_value(r['value'])}: {r['reason']}")
    return "\n".join(lines)
