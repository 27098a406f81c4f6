"""Validation in SQL: typing every staged value and finding every problem of every row.

For one table, the staged text (all VARCHAR, with file number and row number) becomes a
typed temp table in one pass: dates through TRY_STRPTIME over the accepted formats (each
guarded by a regular expression so that "24-01-05" is not read as the year 24), whole
numbers through a strict pattern, codes and review items through a join with the alias
table. Problems are then found set-wise, never row by row in Python:

0. records of a CSV whose number of fields is not the header's (that reason only);
1. per row, in one scan: oversized cells, missing required values, values that are not
   their type or code, numbers out of range, own dates out of order;
2. keys repeated in the batch (the first occurrence is kept, later ones rejected);
3. references to rows that exist neither in the store after this batch nor in its
   accepted rows (the store tables are updated in contract order inside the transaction,
   so "the store" already holds this batch's accepted parent rows);
4. overlapping episodes of one child (half-open intervals; the later-starting one of each
   overlapping pair is rejected; in delta mode episodes already stored count too, unless
   an accepted row of the batch replaces them, and the check repeats until it finds
   nothing new, so that an update it rejects leaves its stored episode in the way).

Identifiers in the generated SQL come only from the contract; values are bound or held in
the alias table. Only-flagged issues (ages, visits outside episodes...) are not checked here.
"""

from __future__ import annotations

import re

import duckdb

from cqi_core.storage.contract import Column, Table
from cqi_core.ingest.model import MappingProfile

#: The most characters a cell may hold: Excel's own cell limit. Longer values are almost
#: always a broken export (an unclosed quote swallowing the file), never a real comment.
MAX_CELL_CHARS = 32_767
#: _ord = file number * FNO_FACTOR + row number: one sortable id per staged row.
FNO_FACTOR = 10_000_000_000
#: Characters of a value kept in the rejects table and in the record.
SHOWN_CHARS = 200
_FMT_LABEL = {"%Y-%m-%d": "YYYY-MM-DD", "%m/%d/%Y": "MM/DD/YYYY or M/D/YYYY",
              "%Y/%m/%d": "YYYY/MM/DD"}


def _lit(text: str) -> str:
    """A SQL string literal (for contract names and date formats only)."""
    return "'" + str(text).replace("'", "''") + "'"


def _fmt_regex(fmt: str) -> str:
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            d = fmt[i + 1]
            glued = (i > 0 and fmt[i - 1].isalpha()) or (i + 2 < len(fmt) and fmt[i + 2] == "%")
            out.append(r"\d{4}" if d == "Y" else (r"\d{2}" if glued else r"\d{1,2}"))
            i += 2
        else:
            out.append(re.escape(fmt[i]))
            i += 1
    return "".join(out)


def date_formats(contract_formats: tuple[str, ...], profile: MappingProfile | None
                 ) -> tuple[str, ...]:
    """Accepted date formats: the contract's, then the profile's extras."""
    extra = tuple(f for f in (profile.date_formats if profile else ()) if f not in contract_formats)
    return tuple(contract_formats) + extra


def formats_label(formats: tuple[str, ...]) -> str:
    """Accepted formats as a user reads them."""
    return ", ".join(_FMT_LABEL.get(f, f.replace("%Y", "YYYY").replace("%m", "MM")
                                    .replace("%d", "DD")) for f in formats)


def code_key_sql(col: Column, expr: str) -> str:
    """SQL normalising a raw value for the alias lookup (must agree with `code_key`)."""
    if col.type == "item":
        return (f"ltrim(regexp_replace(regexp_replace(upper({expr}), '^ITEM', ''), "
                r"'[\s#._\-]+', '', 'g'), '0')")
    return rf"regexp_replace(lower({expr}), '[\s_\-]+', '_', 'g')"


def code_key(col: Column, value: str) -> str:
    """Python twin of `code_key_sql`, used to fill the alias table."""
    v = str(value).strip()
    if col.type == "item":
        v = re.sub(r"^ITEM", "", v.upper())
        return re.sub(r"[\s#._\-]+", "", v).lstrip("0")
    return re.sub(r"[\s_\-]+", "_", v.lower())


def alias_rows(table: Table, profile: MappingProfile | None) -> list[tuple]:
    """(table, column, alias key, code) for every accepted spelling of every code or item."""
    rows: dict[tuple[str, str], str | None] = {}
    for c in table.columns:
        if c.type == "code":
            for code, aliases in c.codes.items():
                for a in (code, *aliases):
                    rows.setdefault((c.name, code_key(c, a)), code)
        elif c.type == "item":
            for item in c.items:
                rows.setdefault((c.name, code_key(c, item)), item)
    for col, values in ((profile.codes.get(table.name) if profile else None) or {}).items():
        c = table.column(col)
        for src, code in values.items():
            rows[(col, code_key(c, src))] = code  # the profile overrides the contract
    return [(table.name, col, key, code) for (col, key), code in rows.items()]


def _accepted_list(col: Column) -> str:
    if col.type == "item":
        return "1 to 18, 12A, 12B or 12C (\"Item 4\" also reads)"
    return ", ".join(col.codes)


def typed_sql(t: Table, stg: str, typ: str, formats: tuple[str, ...]) -> str:
    """CREATE the typed table `typ` from the staged view `stg` (one pass).

    The inner query cleans each value once (blank → NULL; ids, codes, dates and numbers
    lose surrounding spaces, free text is kept verbatim); the outer one types it.
    """
    inner = ["_fno", "_row", f"_fno::BIGINT * {FNO_FACTOR} + _row AS _ord", "_ragged"]
    sel = ["r.*"]
    joins = []
    for n, c in enumerate(t.columns):
        raw = raw_col(c)
        if c.type == "text":
            inner.append(f"CASE WHEN trim({c.name}) = '' THEN NULL ELSE {c.name} END AS {raw}")
        else:
            inner.append(f"nullif(trim({c.name}), '') AS {raw}")
        r = f"r.{raw}"
        if c.type == "date":  # few distinct dates: parse each once, then join
            m = f"m{n}"
            parts = [f"CASE WHEN regexp_full_match(d.v, {_lit(_fmt_regex(f))}) "
                     f"THEN try_strptime(d.v, {_lit(f)}) END" for f in formats]
            joins.append(
                f"LEFT JOIN (SELECT d.v, CAST(coalesce({', '.join(parts)}) AS DATE) AS dd "
                f"FROM (SELECT DISTINCT nullif(trim({c.name}), '') AS v FROM {stg}) d) {m} "
                f"ON {m}.v = {r}")
            sel.append(f"{m}.dd AS {c.name}")
        elif c.type == "int":
            sel.append(rf"CASE WHEN regexp_full_match({r}, '[+-]?[0-9]+(\.0+)?') "
                       f"THEN TRY_CAST({r} AS INTEGER) END AS {c.name}")
        elif c.type in ("code", "item"):  # look the distinct values up once, then join
            m = f"m{n}"
            joins.append(
                f"LEFT JOIN (SELECT d.v, k.code, k.alias IS NOT NULL AS ok FROM "
                f"(SELECT DISTINCT nullif(trim({c.name}), '') AS v FROM {stg}) d "
                f"LEFT JOIN _ingest_codes k ON k.tbl = {_lit(t.name)} "
                f"AND k.col = {_lit(c.name)} AND k.alias = {code_key_sql(c, 'd.v')}) {m} "
                f"ON {m}.v = {r}")
            sel.append(f"{m}.code AS {c.name}")
            sel.append(f"coalesce({m}.ok, false) AS {c.name}__ok")
    return (f"CREATE TEMP TABLE {typ} AS SELECT {', '.join(sel)} FROM "
            f"(SELECT {', '.join(inner)} FROM {stg}) r {' '.join(joins)}")


def raw_col(c: Column) -> str:
    """Name of the column holding the cleaned source text of `c` in the typed table."""
    return c.name if c.type in ("id", "text") else f"{c.name}__raw"



def shown_sql(expr: str) -> str:
    return (f"CASE WHEN length({expr}) > {SHOWN_CHARS} THEN left({expr}, {SHOWN_CHARS}) || "
            f"'… (' || format('{{:,}}', length({expr})) || ' characters)' ELSE {expr} END")


def _problem(cond: str, col: str, val: str, reason: str) -> str:
    return (f"CASE WHEN {cond} THEN {{'col': {_lit(col)}, 'val': {val}, "
            f"'reason': {reason}}} END")


def local_problems_sql(t: Table, typ: str, formats: tuple[str, ...]) -> str:
    """INSERT the per-row problems of `typ` (one scan, every problem of every row)."""
    items = []
    for c in t.columns:
        r = raw_col(c)
        shown = shown_sql(r)
        items.append(_problem(f"length({r}) > {MAX_CELL_CHARS}", c.name, shown,
                              f"'value is ' || format('{{:,}}', length({r})) || ' characters "
                              f"long; a cell may hold at most {MAX_CELL_CHARS:,} (the "
                              f"spreadsheet limit)'"))
        if c.required:
            missing = f"{r} IS NULL" + (f" OR ({c.name}__ok AND {c.name} IS NULL)"
                                        if c.type in ("code", "item") else "")
            items.append(_problem(missing, c.name, "NULL::VARCHAR",
                                  "'required value is missing'"))
        if c.type == "date":
            items.append(_problem(f"{r} IS NOT NULL AND {c.name} IS NULL", c.name, shown,
                                  _lit(f"not a date (accepted: {formats_label(formats)})")))
        elif c.type == "int":
            items.append(_problem(f"{r} IS NOT NULL AND {c.name} IS NULL", c.name, shown,
                                  "'not a whole number'"))
            if c.min is not None or c.max is not None:
                lo = "" if c.min is None else f"{c.name} < {int(c.min)}"
                hi = "" if c.max is None else f"{c.name} > {int(c.max)}"
                rng = (f"between {c.min} and {c.max}" if lo and hi
                       else f"at least {c.min}" if lo else f"at most {c.max}")
                items.append(_problem(" OR ".join(x for x in (lo, hi) if x), c.name, shown,
                                      _lit(f"out of range: must be {rng}")))
        elif c.type in ("code", "item"):
            kind = "a case review item" if c.type == "item" else f"a known code for {c.name}"
            items.append(_problem(f"{r} IS NOT NULL AND NOT {c.name}__ok", c.name, shown,
                                  _lit(f"not {kind} (accepted: {_accepted_list(c)})")))
    for earlier, later in t.date_order:
        items.append(_problem(f"{later} < {earlier}", later, shown_sql(f"{later}__raw"),
                              f"'{later} is before {earlier} (' || {earlier}__raw || ')'"))
    problems = ", ".join(items)
    return (f"INSERT INTO _ingest_problems SELECT {_lit(t.name)}, _ord, _fno, _row, "
            f"p.col, p.val, p.reason FROM (SELECT _ord, _fno, _row, "
            f"unnest(list_filter([{problems}], lambda x: x IS NOT NULL)) AS p FROM {typ} "
            f"WHERE _ragged IS NULL)")


def ragged_sql(t: Table, typ: str) -> str:
    """INSERT the one problem of each record whose number of fields is not the header's.

    Its values sit in the wrong columns, so no other check is made on it (they would only
    list the consequences of the same mistake).
    """
    return (f"INSERT INTO _ingest_problems SELECT {_lit(t.name)}, _ord, _fno, _row, NULL, NULL, "
            f"_ragged FROM {typ} WHERE _ragged IS NOT NULL")


def duplicate_sql(t: Table, typ: str) -> str:
    """INSERT a problem for every later occurrence of a key already seen in the batch.

    Keys are compared as typed ("Item 4" and "4" are the same review item). Repeated keys
    are found by one aggregation; only their rows are then ranked.
    """
    keys = list(t.key)
    on = " AND ".join(f"x.{k} = d.{k}" for k in keys)
    notnull = " AND ".join(f"{k} IS NOT NULL" for k in keys)
    shown = " || ' / ' || ".join(f"coalesce(x.{raw_col(t.column(k))}, '')" for k in keys)
    part = ", ".join(f"x.{k}" for k in keys)
    return (
        f"INSERT INTO _ingest_problems SELECT {_lit(t.name)}, x._ord, x._fno, x._row, "
        f"{_lit(' + '.join(keys))}, {shown}, "
        f"'repeats the key of row ' || (x.first % {FNO_FACTOR}) || CASE WHEN "
        f"x.first // {FNO_FACTOR} <> x._fno THEN ' of ' || f.name ELSE '' END || "
        f"' (the first one is kept)' "
        f"FROM (SELECT x.*, min(x._ord) OVER (PARTITION BY {part}) AS first FROM {typ} x "
        f"SEMI JOIN (SELECT {', '.join(keys)} FROM {typ} WHERE {notnull} AND _ragged IS NULL "
        f"GROUP BY {', '.join(keys)} HAVING count(*) > 1) d ON {on}) x "
        f"JOIN _ingest_files f ON f.fno = x.first // {FNO_FACTOR} WHERE x._ord > x.first "
        f"AND x._ragged IS NULL")


def reference_sql(t: Table, typ: str, col: str, target: str) -> str:
    """INSERT a problem for each row whose `col` points to no row of `target` in the store."""
    ttable, tcol = target.split(".")
    reason = _lit(f"not found in {ttable} (neither in the database nor among the accepted "
                  f"rows of this batch)")
    return (f"INSERT INTO _ingest_problems SELECT {_lit(t.name)}, x._ord, x._fno, x._row, "
            f"{_lit(col)}, x.{col}, {reason} "
            f"FROM {typ} x WHERE x.{col} IS NOT NULL AND x._ragged IS NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {ttable} p WHERE p.{tcol} = x.{col})")


def overlap_sql(t: Table, typ: str, delta: bool) -> str:
    """INSERT a problem for each episode overlapping an earlier-starting one of the same child.

    Intervals are half-open [start, end): an episode may end the day it starts and the next
    may start the day the previous ended; an open end runs forever, so a child can have one
    open episode at most. In delta mode an episode also may not overlap a stored episode
    that this batch does not replace.
    """
    spec = t.no_overlap
    ent, start, end = spec["entity"], spec["start"], spec["end"]
    key = t.key[0]
    inf = "DATE '9999-12-31'"
    cand = (f"SELECT x._ord, x._fno, x._row, x.{key} AS k, x.{ent} AS e, x.{start} AS s, "
            f"x.{end} AS d, x.{start}__raw AS s_raw FROM {typ} x WHERE x.{start} IS NOT NULL "
            f"AND x.{ent} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM _ingest_problems p "
            f"WHERE p.tbl = {_lit(t.name)} AND p._ord = x._ord)")
    stored = (f"UNION ALL SELECT NULL, NULL, NULL, {key}, {ent}, {start}, {end}, NULL "
              f"FROM {t.name} WHERE {start} IS NOT NULL AND {key} NOT IN (SELECT k FROM cand)"
              if delta else "")
    return (
        f"INSERT INTO _ingest_problems WITH cand AS ({cand}), "
        f"other AS (SELECT * FROM cand {stored}) "
        f"SELECT {_lit(t.name)}, _ord, _fno, _row, {_lit(start)}, s_raw, "
        f"'overlaps episode ' || o.k || ' of the same child (' || strftime(o.s, '%Y-%m-%d') "
        f"|| ' to ' || coalesce(strftime(o.d, '%Y-%m-%d'), 'still open') || ')' FROM ("
        f"SELECT a._ord, a._fno, a._row, any_value(a.s_raw) AS s_raw, "
        f"arg_min({{'k': b.k, 's': b.s, 'd': b.d}}, b.s) AS o "
        f"FROM cand a JOIN other b ON a.e = b.e AND a.k <> b.k "
        f"AND a.s < coalesce(b.d, {inf}) AND b.s < coalesce(a.d, {inf}) "
        f"WHERE b._ord IS NULL OR b.s < a.s OR (b.s = a.s AND b._ord < a._ord) "
        f"GROUP BY a._ord, a._fno, a._row)")


def validate_table(cur: duckdb.DuckDBPyConnection, t: Table, stg: str, typ: str,
                   formats: tuple[str, ...], delta: bool) -> None:
    """Type the staged rows of `t` into `typ` and record every problem in _ingest_problems."""
    cur.execute(typed_sql(t, stg, typ, formats))
    cur.execute(ragged_sql(t, typ))
    cur.execute(local_problems_sql(t, typ, formats))
    cur.execute(duplicate_sql(t, typ))
    for col, target in t.references.items():
        cur.execute(reference_sql(t, typ, col, target))
    if t.no_overlap:
        # Check against the store as it will be after the batch. An update rejected here
        # does not move its stored episode, which then counts again: repeat until no new
        # overlap is found (a snapshot replaces every stored row, so one pass is enough).
        while cur.execute(overlap_sql(t, typ, delta)).fetchall()[0][0] and delta:
            pass
