"""Loading a batch: one transaction per batch, snapshot or delta, archive and import log.

The batch is planned first (headers only), while a thread judges every CSV whole (its
checksum, encoding and NUL bytes); any file that cannot be read or lacks a required column
refuses the whole batch before a single row is touched. Then, holding
the store's write lock and on one cursor, inside BEGIN … COMMIT: every table of the batch
is staged, validated and applied in contract order (referenced tables first, so that a
reference check sees exactly the rows that will remain), rejects and the log are written,
and the original files are copied to the archive, named by SHA-256, on a thread of their
own while the transaction works; the commit waits for the copies (a dry run makes none);
copies of a batch that does not land are taken back. Each import also checks that every
landed file still has its archive copy, restores those it has at hand and reports the
others.

Choices made here (see also the module docstrings of `read` and `validate`):
- a table whose files are byte-identical (same SHA-256 set, same mapping profile, same
  mode) to the last landed import of that table is skipped; a batch where every table is
  skipped is `unchanged` and touches nothing;
- in snapshot mode a file with no acceptable rows (header only, or every row rejected)
  never empties a table: the table is left as it was and the report says so. An empty
  export is far more often a failed export job than a real "there are none";
- several files for one table (visits_2023.csv, visits_2024.csv) are loaded together, and
  a key repeated across them is a repeated key;
- a cell that looks like a spreadsheet formula (=HYPERLINK(...), +1, @SUM(...)) is text:
  stored verbatim, never evaluated; exports neutralise such cells when they write files;
- a snapshot that removes a row other stored tables still point to (units without the
  workers file) keeps those rows and says so in the notes.
"""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Callable, Sequence

import duckdb
import polars as pl

from cqi_core.storage.contract import load_contract
from cqi_core.errors import CQIError
from cqi_core.storage.store import Store
from cqi_core.ingest.batchlog import ArchiveError, archive, discard, last_landed, log_alone, \
    next_batch_id, os_user, repair_archive, rows_text, sql, write_log
from cqi_core.ingest.mapping import positions
from cqi_core.ingest.model import FilePlan, FileResult, ImportPlan, ImportResult, MappingProfile, empty_rejects
from cqi_core.ingest.plan import plan_import, resolve_profile
from cqi_core.ingest.encoding import TextScan, scan_text, text_encoding
from cqi_core.ingest.read import ReadError, csv_head, drop_temp, expand_paths, file_kind, \
    parquet_columns, record_number_sql, sha256_of, stage_csv, stage_parquet, stage_xlsx
from cqi_core.ingest.validate import alias_rows, date_formats, raw_col, shown_sql, validate_table

MODES = ("snapshot", "delta")
#: Rows of problems returned in `ImportResult.rejects` (all of them go to the rejects table).
REJECTS_FRAME_LIMIT = 100_000

Progress = Callable[[str, float], None]


class _Refused(Exception):
    """Raised inside the transaction to roll the batch back with these problems."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def import_files(store: Store, paths: Sequence[str | Path], mode: str = "snapshot",
                 mapping: str | MappingProfile | None = None, user: str | None = None,
                 progress: Progress | None = None, dry_run: bool = False) -> ImportResult:
    """Import export files into the store as one batch: all of it lands or none of it.

    Args:
        store: an open, writable store.
        paths: files and folders (a folder means the files directly inside it).
        mode: "snapshot" replaces every table present in the batch; "delta" inserts or
            updates rows by key.
        mapping: a mapping profile, its name in `data/mappings/`, or a YAML path.
        user: who runs the import (for the log); defaults to the operating-system user.
        progress: called with (message, fraction done).
        dry_run: run every check inside the transaction, then roll back and log nothing.

    Returns:
        The ImportResult (outcome landed, refused or unchanged). A refused batch is logged
        and leaves data, rejects and archive as they were.

    Raises:
        CQIError: unknown mode, mapping profile not found, a path that does not exist, or a
            read-only store.
    """
    if mode not in MODES:
        raise CQIError(f'Unknown import mode "{mode}": use snapshot or delta.')
    if store.read_only:
        raise CQIError(f"{store.path} is open read-only; imports need write access.")
    profile = resolve_profile(mapping)
    say = progress or (lambda message, fraction: None)
    say("Reading file headers", 0.0)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Every CSV is judged whole (checksum, encoding, NUL bytes) beside the planning: a
        # workbook's plan reads the whole workbook, seconds the scan no longer waits for.
        scanning = pool.submit(_scan_csvs, paths)
        plan = plan_import(paths, profile)
        scans = scanning.result()
    job = _Job(store, plan, mode, profile, user or os_user(), say, dry_run, scans)
    return job.run()


def _scan_csvs(paths) -> dict[tuple[str, bool], TextScan]:
    """`scan_text` of every CSV among `paths`, by (file, read as UTF-16). A file that cannot
    be found or read is left out: the import judges it again and says what is wrong."""
    out: dict[tuple[str, bool], TextScan] = {}
    try:
        files = [p for p in expand_paths(paths) if file_kind(p) == "csv"]
    except Exception:  # the planner raises the same error with its own words
        return out
    for path in files:
        try:
            utf16 = csv_head(path).encoding == "utf-16"
            out[(str(path), utf16)] = scan_text(path, utf16=utf16)
        except Exception:  # an unreadable file: judged again, and refused, by the import
            continue
    return out


def _commit(cur: duckdb.DuckDBPyConnection) -> None:
    """Commit the batch (its own function so that tests can make it fail)."""
    cur.execute("COMMIT")


def _copies(copying: Future) -> list[Path]:
    """The archive copies a background copy made (none when it failed: it took them back)."""
    try:
        return copying.result()
    except ArchiveError:
        return []


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    """Roll back whatever is open (a failed COMMIT has already ended the transaction)."""
    try:
        cur.execute("ROLLBACK")
    except duckdb.Error:
        pass


class _Job:
    """One batch being imported (kept as an object so the steps share their state)."""

    def __init__(self, store: Store, plan: ImportPlan, mode: str, profile: MappingProfile | None,
                 user: str | None, say: Progress, dry_run: bool,
                 scans: dict[tuple[str, bool], TextScan] | None = None) -> None:
        self.store, self.plan, self.mode, self.profile = store, plan, mode, profile
        self.scans = scans or {}
        self.user, self.say, self.dry_run = user, say, dry_run
        self.started = datetime.now()
        self.contract = load_contract()
        self.notes = [f"{f.display_name}: {f.note}" for f in plan.ignored_files]
        self.sha: dict[str, str] = {}
        self.utf8: dict[str, bool] = {}
        self.counts: dict[int, tuple[int, int]] = {}  # id(plan) -> (read, rejected)
        self.unchanged: set[str] = set()
        self.fno: dict[int, int] = {}  # id(plan) -> file number in _ingest_files
        self.current = "the batch"  # what the transaction is working on (for messages)
        self.applied: list[str] = []  # tables whose stored rows this batch changed

    # ------------------------------------------------------------------ outline
    def run(self) -> ImportResult:
        problems = self.plan.problems
        if not problems and not self.plan.tables:
            problems = ["No file of the batch maps to a table of the export (name files after "
                        "their tables, e.g. children.csv)."]
        if problems:
            return self._refuse(problems)
        self.say("Computing checksums", 0.05)
        unreadable = []
        for f in self._data_files():
            if f.file not in self.sha:
                if f.kind == "csv":
                    # the whole file is judged here (the plan saw only its start): a NUL
                    # byte or a foreign encoding deep in a file refuses it before any row
                    utf16 = f.encoding == "utf-16"
                    scan = self.scans.get((f.file, utf16)) or scan_text(Path(f.file), utf16=utf16)
                    self.sha[f.file], self.utf8[f.file] = scan.sha256, scan.utf8
                    try:
                        text_encoding(scan, f.encoding or "utf-8")
                    except ReadError as exc:
                        unreadable.append(f"{f.display_name} {exc}")
                else:
                    self.sha[f.file] = sha256_of(Path(f.file))
        if unreadable:
            return self._refuse(unreadable)
        if not self.dry_run:
            self.notes += repair_archive(self.store, {sha: f for f, sha in self.sha.items()})
        self.unchanged = self._unchanged_tables()
        todo = [t for t in self.contract.tables if t in self.plan.tables
                and t not in self.unchanged]
        if not todo:
            return self._finish_unchanged()
        with self.store.writing() as cur:
            try:
                return self._transaction(cur, todo)
            finally:
                cur.close()

    def _data_files(self) -> list[FilePlan]:
        return [f for fs in self.plan.tables.values() for f in fs]

    def _unchanged_tables(self) -> set[str]:
        last = last_landed(self.store)
        name = self.profile.name if self.profile else None
        out = set()
        for table, files in self.plan.tables.items():
            shas = sorted(self.sha[f.file] for f in files)
            # the mode is part of "the same import": a snapshot of the file a delta loaded
            # also removes the rows the file lacks, so it is not a repeat
            if table in last and last[table] == (shas, name, self.mode):
                out.add(table)
        return out

    # ------------------------------------------------------------------ the transaction
    def _transaction(self, cur: duckdb.DuckDBPyConnection, todo: list[str]) -> ImportResult:
        tmp = Path(tempfile.mkdtemp(prefix="cqi-import-"))
        committed = False
        with ThreadPoolExecutor(max_workers=1) as copier:
            # The originals are copied to the archive while the database works on the rows
            # (the copy is waited for just before the commit); a batch that does not land
            # takes its copies back.
            copying = None if self.dry_run else copier.submit(archive, self.store,
                                                              self._file_results())
            try:
                result = self._landed(cur, todo, tmp, copying)
                committed = result.outcome == "landed" and not self.dry_run
                return result
            finally:
                if copying is not None and not committed:
                    discard(self.store, _copies(copying))
                shutil.rmtree(tmp, ignore_errors=True)

    def _landed(self, cur: duckdb.DuckDBPyConnection, todo: list[str], tmp: Path,
                copying: Future | None) -> ImportResult:
        """Stage, check and apply every table in one transaction and commit it (or refuse)."""
        cur.execute("BEGIN")
        try:
            batch_id = next_batch_id(cur)
            for name in ("work_files", "work_codes", "work_problems"):
                cur.execute(sql(name))
            codes = [r for t in todo for r in alias_rows(self.contract.table(t), self.profile)]
            if codes:
                cur.executemany("INSERT INTO _ingest_codes VALUES (?, ?, ?, ?)", codes)
            for i, t in enumerate(todo):
                self._load_table(cur, t, batch_id, tmp, i / len(todo))
            if self.mode == "snapshot":
                self._note_dangling(cur, self.applied)
            self.say("Writing the import log", 0.95)
            frame, total = self._rejects_frame(cur)
            files = self._file_results()
            write_log(cur, batch_id, outcome="landed", message=self._landed_message(files),
                      files=files, **self._meta())
            self.current = "saving the batch"
            if copying is None:  # a dry run
                cur.execute("ROLLBACK")
            else:
                # originals first, then the commit: a kill in between leaves an archive copy
                # no batch names (harmless), never a landed batch without its originals
                self.say("Archiving the original files", 0.97)
                copying.result()
                _commit(cur)
        except _Refused as exc:
            _rollback(cur)
            return self._refuse(exc.problems, cur)
        except ArchiveError as exc:
            _rollback(cur)
            return self._refuse([str(exc) + "."], cur)
        except duckdb.Error as exc:
            _rollback(cur)
            first = str(exc).strip().splitlines()[0][:300]
            return self._refuse([f"The import stopped while working on {self.current} ({first})."],
                                cur)
        except BaseException:
            _rollback(cur)
            raise
        self.say("Done", 1.0)
        return ImportResult(batch_id=None if self.dry_run else batch_id, outcome="landed",
                            mode=self.mode, message=self._landed_message(files), files=files,
                            rejects=frame, notes=self.notes, dry_run=self.dry_run,
                            mapping=self.profile.name if self.profile else None,
                            rejects_total=total)

    def _load_table(self, cur: duckdb.DuckDBPyConnection, table: str, batch_id: int, tmp: Path,
                    done: float) -> None:
        t = self.contract.table(table)
        self.current = ", ".join(f.display_name for f in self.plan.tables[table])
        parts = []
        for f in self.plan.tables[table]:
            self.say(f"Reading {f.display_name}", 0.1 + 0.8 * done)
            fno = cur.execute("SELECT count(*) FROM _ingest_files").fetchall()[0][0]
            name = f"_ingest_s{fno}"
            cols = positions(f, self.profile)
            try:
                rows = self._stage(cur, f, name, cols, tmp)
            except ReadError as exc:
                raise _Refused([f"{f.display_name} {exc}"]) from None
            cur.execute("INSERT INTO _ingest_files VALUES ($fno, $name, $tbl, $n)",
                        {"fno": fno, "name": f.display_name, "tbl": table, "n": rows})
            row = "_row" if f.kind == "xlsx" else \
                f"{record_number_sql(cur, name, f.kind)} + {f.header_row}"
            select = ", ".join(c if c in cols else f"NULL::VARCHAR AS {c}" for c in t.column_names)
            ragged = "_ragged" if f.kind == "csv" else "NULL::VARCHAR AS _ragged"
            parts.append(f"SELECT {fno} AS _fno, {row} AS _row, {ragged}, {select} FROM {name}")
            self.counts[id(f)] = (rows, 0)
            self.fno[id(f)] = fno
        stg, typ = f"_ingest_stg_{table}", f"_ingest_typ_{table}"
        cur.execute(f"CREATE TEMP VIEW {stg} AS {' UNION ALL '.join(parts)}")
        self.say(f"Checking {table}", 0.1 + 0.8 * done)
        validate_table(cur, t, stg, typ, date_formats(self.contract.date_formats, self.profile),
                       self.mode == "delta")
        bad = dict(cur.execute("SELECT _fno, count(DISTINCT _ord) FROM _ingest_problems "
                               "WHERE tbl = $t GROUP BY _fno", {"t": table}).fetchall())
        accepted = 0
        for f in self.plan.tables[table]:
            fno = self.fno[id(f)]
            read = self.counts[id(f)][0]
            self.counts[id(f)] = (read, bad.get(fno, 0))
            accepted += read - bad.get(fno, 0)
        self._save_rejects(cur, t, typ, batch_id)
        if accepted == 0 and self.mode == "snapshot":
            self.notes.append(f"{table}: no row of the batch could be accepted, so the "
                              f"{table} already in the database were kept (a snapshot never "
                              f"empties a table).")
        else:
            self.say(f"Loading {table}", 0.1 + 0.8 * done)
            self._apply(cur, t, typ, batch_id)
            self.applied.append(table)
        # free the memory now: the next table may be the big one
        drop_temp(cur, views=[stg], tables=[typ, *(f"_ingest_s{self.fno[id(f)]}"
                                                   for f in self.plan.tables[table])])

    def _apply(self, cur, t, typ: str, batch_id: int) -> None:
        table = t.name
        cols = ", ".join(t.column_names)
        good = f"(SELECT * FROM {typ} x WHERE NOT EXISTS (SELECT 1 FROM _ingest_problems p " \
               f"WHERE p.tbl = '{table}' AND p._ord = x._ord))"
        if self.mode == "snapshot":
            cur.execute(f"DELETE FROM {table}")
        else:
            on = " AND ".join(f"{table}.{k} = a.{k}" for k in t.key)
            cur.execute(f"DELETE FROM {table} USING {good} a WHERE {on}")
        cur.execute(f"INSERT INTO {table} ({cols}, _batch_id) SELECT {cols}, $b FROM {good} g",
                    {"b": batch_id})

    def _note_dangling(self, cur, loaded: list[str]) -> None:
        """Note rows left in the store that now point to a row this batch removed.

        A snapshot of units alone can drop a unit that workers not in the batch still name.
        Those rows stay (they were valid when they landed); the note tells the user why the
        data quality page will show them.
        """
        for t in self.contract.tables.values():
            if t.name in loaded:
                continue
            for col, target in t.references.items():
                ttable, tcol = target.split(".")
                if ttable not in loaded:
                    continue
                n = cur.execute(f"SELECT count(*) FROM {t.name} x WHERE x.{col} IS NOT NULL AND "
                                f"NOT EXISTS (SELECT 1 FROM {ttable} p WHERE p.{tcol} = x.{col})"
                                ).fetchall()[0][0]
                if n:
                    self.notes.append(f"{t.name}: {rows_text(n)} already in the database name a "
                                      f"{col} that is no longer in {ttable} after this batch "
                                      f"(they are kept as they were).")

    def _stage(self, cur, f: FilePlan, name: str, cols: dict[str, int], tmp: Path) -> int:
        path = Path(f.file)
        try:
            if f.kind == "csv":
                head = csv_head(path)
                if head.headers != f.headers:
                    raise ReadError("changed while it was being imported; try again.")
                return stage_csv(cur, name, path, head, cols, tmp, self.utf8.get(f.file, True))
            if f.kind == "parquet":
                types = [ty for _, ty in parquet_columns(cur, path)]
                return stage_parquet(cur, name, path, types, cols)
            return stage_xlsx(cur, name, path, f.sheet, f.header_row, cols)
        except ReadError:
            raise
        except Exception as exc:  # any reading failure names the file, never a traceback
            raise ReadError(f"cannot be read ({type(exc).__name__}: {exc}).") from None

    def _save_rejects(self, cur, t, typ: str, batch_id: int) -> None:
        record = ", ".join(f"{c.name} := {shown_sql('x.' + raw_col(c))}" for c in t.columns)
        cur.execute(
            f"INSERT INTO rejects SELECT $b, p.tbl, f.name, p._row, p.col, p.val, p.reason, "
            f"CAST(to_json(struct_pack({record})) AS VARCHAR) FROM _ingest_problems p "
            f"JOIN _ingest_files f ON f.fno = p._fno JOIN {typ} x ON x._ord = p._ord "
            f"WHERE p.tbl = $t ORDER BY p._fno, p._row", {"b": batch_id, "t": t.name})

    def _rejects_frame(self, cur) -> tuple[pl.DataFrame, int]:
        total = cur.execute("SELECT count(*) FROM _ingest_problems").fetchall()[0][0]
        if not total:
            return empty_rejects(), 0
        frame = cur.sql(
            "SELECT f.name AS file, p.tbl AS \"table\", p._row AS \"row\", p.col AS \"column\", "
            "p.val AS value, p.reason FROM _ingest_problems p JOIN _ingest_files f "
            "ON f.fno = p._fno ORDER BY f.fno, p._row, p.col LIMIT $n",
            params={"n": REJECTS_FRAME_LIMIT}).pl()
        return frame.cast({"row": pl.Int64}), total

    # ------------------------------------------------------------------ results and log
    def _file_results(self) -> list[FileResult]:
        out = []
        for f in self._data_files():
            read, bad = self.counts.get(id(f), (0, 0))
            out.append(FileResult(file=f.display_name, sheet=f.sheet, table=f.table,
                                  rows_read=read, rows_accepted=read - bad, rows_rejected=bad,
                                  ignored_columns=f.ignored_columns, sha256=self.sha.get(f.file),
                                  unchanged=f.table in self.unchanged, path=f.file))
        return out

    def _landed_message(self, files: list[FileResult]) -> str:
        acc, rej = sum(f.rows_accepted for f in files), sum(f.rows_rejected for f in files)
        verb = "Would import" if self.dry_run else "Imported"
        into = f" into {', '.join(self.applied)}" if self.applied else ""
        msg = f"{verb} {rows_text(acc)}{into} ({self.mode}); {rows_text(rej)} rejected."
        if self.unchanged:
            msg += f" Unchanged since the last import: {', '.join(sorted(self.unchanged))}."
        if self.dry_run:
            msg += " Dry run: nothing was written."
        return msg

    def _meta(self) -> dict:
        return {"started": self.started, "mode": self.mode, "user": self.user,
                "mapping": self.profile.name if self.profile else None}

    def _log_alone(self, outcome: str, message: str, files: list[FileResult],
                   cur: duckdb.DuckDBPyConnection | None) -> int | None:
        if self.dry_run:
            return None
        return log_alone(self.store, cur, outcome=outcome, message=message, files=files,
                         **self._meta())

    def _refuse(self, problems: list[str], cur: duckdb.DuckDBPyConnection | None = None
                ) -> ImportResult:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        message = f"Import refused; nothing was changed. {problems[0]}{more}"
        self.counts.clear()
        self.notes = [f"{f.display_name}: {f.note}" for f in self.plan.ignored_files]
        files = self._file_results()
        batch_id = self._log_alone("refused", "; ".join(["Import refused", *problems]), files,
                                   cur)
        self.say("Refused", 1.0)
        return ImportResult(batch_id=batch_id, outcome="refused", mode=self.mode,
                            message=message, files=files, problems=problems, notes=self.notes,
                            dry_run=self.dry_run,
                            mapping=self.profile.name if self.profile else None)

    def _finish_unchanged(self) -> ImportResult:
        files = self._file_results()
        message = ("Nothing changed: every file of the batch has the same content as the last "
                   "import of its table.")
        batch_id = self._log_alone("unchanged", message, files, None)
        self.say("Done", 1.0)
        return ImportResult(batch_id=batch_id, outcome="unchanged", mode=self.mode,
                            message=message, files=files, notes=self.notes, dry_run=self.dry_run,
                            mapping=self.profile.name if self.profile else None)
