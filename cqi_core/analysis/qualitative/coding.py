"""Coding excerpts: pattern suggestions, analysts' decisions, and the coded frame.

Suggestions are computed in DuckDB, every excerpt × every theme in one statement
(`sql/suggest.sql`): each theme's patterns become one case-insensitive, word-bounded RE2
expression bound as a parameter, so it is compiled once for the whole table. A suggestion is
only a suggestion (METHODS.md 4.3.9: automated inference may only suggest codes for human
review): analysts confirm or reject it, or add a theme the patterns missed, with
`record_decision`. Decisions are stored by excerpt name and text hash, never by row
position (`cqi_core/sql/qualitative_schema.sql`), and `coded_excerpts` lays them over the
suggestions. Its result is the `coded` frame the statistics in `stats.py` take.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Sequence

import polars as pl

from cqi_core import privacy
from cqi_core.errors import CQIError
from cqi_core.storage.facts import content_version
from cqi_core.storage.kept import keep, keyed_path
from cqi_core.storage.store import Store
from cqi_core.analysis.qualitative.codebook import Codebook, check_writable, load_codebook, table_exists
from cqi_core.analysis.qualitative.sources import (EXCERPT_SCHEMA, build_excerpts,
                                                   excerpt_params, excerpts_sql, run,
                                                   split_excerpt_id, sql_text)

DECISIONS = ("confirm", "reject", "add")
"""What an analyst can decide about a theme on an excerpt."""
STATUSES = ("suggested", "confirmed", "added")
"""Status of a code in `coded_excerpts`."""
THEME_GROUPINGS = {"source_type": "source_type", "unit": "unit_id", "region": "region",
                   "source_group": "source_group"}
"""`themes(by=...)` → the excerpt column it groups by."""

SUGGESTION_SCHEMA = {"excerpt_id": pl.String, "source_type": pl.String, "source_id": pl.String,
                     "text_hash": pl.String, "code": pl.String, "matched_text": pl.String}
CODED_SCHEMA = {"excerpt_id": pl.String, "source_id": pl.String, "source_type": pl.String,
                "item": pl.String, "code": pl.String, "status": pl.String,
                "matched_text": pl.String, "decided_by": pl.String,
                "decided_at": pl.Datetime("us")}
CODED_SCHEMA |= {k: v for k, v in EXCERPT_SCHEMA.items() if k not in CODED_SCHEMA}
THEMES_SCHEMA = {"code": pl.String, "group_by": pl.String, "group_value": pl.String,
                 "excerpts": pl.Int64, "sources": pl.Int64}

_METACHARS = re.compile(r"[\\.^$|?*+()\[\]{}]")
_NO_DECISIONS = ("(SELECT CAST(NULL AS VARCHAR) AS source_type, CAST(NULL AS VARCHAR) AS "
                 "source_id, CAST(NULL AS VARCHAR) AS item, CAST(NULL AS VARCHAR) AS text_hash, "
                 "CAST(NULL AS VARCHAR) AS code, CAST(NULL AS VARCHAR) AS decision, "
                 "CAST(NULL AS VARCHAR) AS decided_by, CAST(NULL AS TIMESTAMP) AS decided_at, "
                 "CAST(NULL AS VARCHAR) AS note WHERE false)")
_UPSERT_DECISION = """INSERT OR REPLACE INTO coding_decisions
    (source_type, source_id, item, text_hash, code, decision, decided_by, decided_at, note)
VALUES ($source_type, $source_id, $item, $text_hash, $code, $decision, $decided_by,
        $decided_at, $note)"""


def _names_regex(store: Store) -> str:
    """One expression matching the agency's unit and region names (whole words, any case);
    one that matches nothing when there are none."""
    names = set()
    if table_exists(store, "units"):
        for unit_name, region in store.query("SELECT unit_name, region FROM units").iter_rows():
            names.update(n.strip() for n in (unit_name, region) if n and n.strip())
    if not names:
        return r"\b\B"
    alternatives = "|".join(_METACHARS.sub(r"\\\g<0>", n)
                            for n in sorted(names, key=lambda n: (-len(n), n)))
    return r"(?i)\b(?:" + alternatives + r")\b"


def _hits(store: Store, codebook: Codebook) -> tuple[str, dict[str, Any]]:
    """The theme hits fragment with one matcher per theme in use that has patterns, and its
    parameters."""
    params: dict[str, Any] = {"on_not_applicable": bool(
        codebook.settings.get("suggest_on_not_applicable", False)),
        "agency_names": _names_regex(store)}
    matchers = []
    for k, theme in enumerate((t for t in codebook.themes if t.patterns), start=1):
        matched = f"regexp_extract(match_text, $pattern_{k})"
        if theme.ignore:
            # Blank the phrases to ignore only in texts the patterns match at all.
            matched = (f"CASE WHEN regexp_matches(match_text, $pattern_{k}) THEN regexp_extract("
                       f"regexp_replace(match_text, $ignore_{k}, ' ', 'g'), $pattern_{k}) "
                       f"ELSE '' END")
            params[f"ignore_{k}"] = theme.ignore_regex()
        matchers.append(f"{{'code': $code_{k}, 'matched': {matched}}}")
        params[f"code_{k}"] = theme.code
        params[f"pattern_{k}"] = theme.regex()
    if not matchers:
        matchers = ["{'code': CAST(NULL AS VARCHAR), 'matched': ''}"]
    return sql_text("_theme_hits").replace("/*MATCHERS*/", ", ".join(matchers)), params


# The refresh after each import keeps every excerpt's suggestions under the codebook in
# force (`build_suggestions`), so the pages and the publication read them instead of matching
# every theme's expression against every text again. The file is named by the data version
# and by everything the matching depends on (the expressions, the agency's names, the
# not-applicable setting): a codebook edited since matches afresh until the next refresh.
_KEPT_HITS = """SELECT ex.excerpt_id, ex.source_type, ex.source_id, ex.item, ex.text_hash,
       {'code': k.code, 'matched': k.matched_text} AS hit
FROM read_parquet($kept_suggestions) k
JOIN ex ON ex.excerpt_id = k.excerpt_id AND ex.text_hash = k.text_hash"""


def _suggestions_file(store: Store, hits: str, params: dict[str, Any]) -> Path:
    full = privacy.full(store)
    return keyed_path(full.path, "suggestions", content_version(full),
                      excerpts_sql(store, kept=False), hits,
                      sorted((k, str(v)) for k, v in params.items()))


def _statement(store: Store, name: str, codebook: Codebook,
               kept: bool = True) -> tuple[str, dict[str, Any]]:
    """A suggestion statement: the kept suggestions when the refresh has kept them for this
    codebook (and `kept`), else one matcher per theme in use that has patterns."""
    hits, params = _hits(store, codebook)
    if kept and (path := _suggestions_file(store, hits, params)).exists():
        hits, params = _KEPT_HITS, {"kept_suggestions": str(path)}
    sql = (sql_text(name).replace("/*EXCERPTS*/", excerpts_sql(store))
           .replace("/*HITS*/", hits))
    return sql, params


def build_suggestions(store: Store) -> int:
    """Keep every excerpt (`sources.build_excerpts`) and their suggestions under the codebook
    in force beside the database for its data version (the refresh runs this first).
    Returns the suggestions kept."""
    build_excerpts(store)
    codebook = load_codebook(store)
    hits, params = _hits(store, codebook)
    sql, _ = _statement(store, "suggest", codebook, kept=False)
    found = _conform(run(store, sql, params | excerpt_params(None, None, None)),
                     SUGGESTION_SCHEMA)
    keep(found, _suggestions_file(store, hits, params), "suggestions-*.parquet")
    return found.height


def suggest_themes(store: Store, start: date | None = None, end: date | None = None,
                   source_types: Sequence[str] | None = None, *,
                   codebook: Codebook | None = None) -> pl.DataFrame:
    """Themes the codebook's patterns suggest on every excerpt of the period.

    Args:
        store: the database (read-only is fine).
        start, end: excerpts dated in [start, end] (None = open).
        source_types: any of case_review, feedback, staff_survey (default all).
        codebook: suggest from this codebook instead of the one in force (for example to
            preview an edited theme before saving it).

    Returns:
        One row per excerpt × suggested theme: excerpt_id, source_type, source_id,
        text_hash, code, matched_text (the first text the theme's patterns matched), ordered
        by excerpt_id, code. Narratives of items rated not applicable get none unless the
        codebook setting `suggest_on_not_applicable` says so.
    """
    codebook = load_codebook(store) if codebook is None else codebook
    sql, params = _statement(store, "suggest", codebook)
    params |= excerpt_params(start, end, source_types)
    return _conform(run(store, sql, params), SUGGESTION_SCHEMA)


def coded_excerpts(store: Store, start: date | None = None, end: date | None = None,
                   source_types: Sequence[str] | None = None,
                   include_suggested: bool = True, *,
                   codebook: Codebook | None = None) -> pl.DataFrame:
    """Excerpts with their codes: suggestions minus rejections, plus confirmations and additions.

    Args:
        store: the database (read-only is fine).
        start, end, source_types: as for `excerpts()`.
        include_suggested: False keeps only codes an analyst confirmed or added.
        codebook: use this codebook instead of the one in force.

    Returns:
        One row per excerpt × code, ordered by date, excerpt_id, code. Columns: excerpt_id,
        source_id, source_type, item, code, status ("suggested", "confirmed" or "added"),
        matched_text (what the patterns matched; null for a code added by hand),
        decided_by, decided_at (the decision, when there is one), then every column of
        `excerpts()` (text, text_hash, date, period_month, unit_id, region, case_type,
        age_group, source_group, channel, rating, score, question, reviewer, child_id).
        Only themes in use count. A valid input to `code_frequency` and `cooccurrence`.
    """
    codebook = load_codebook(store) if codebook is None else codebook
    sql, params = _statement(store, "coded", codebook)
    decisions = "coding_decisions" if table_exists(store, "coding_decisions") else _NO_DECISIONS
    sql = sql.replace("/*DECISIONS*/", decisions)
    params |= excerpt_params(start, end, source_types)
    params |= {"codes": codebook.codes or [""], "include_suggested": bool(include_suggested)}
    return _conform(run(store, sql, params), CODED_SCHEMA)


def _conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    if not frame.columns:
        return pl.DataFrame(schema=schema)
    return frame.select([pl.col(c).cast(t) for c, t in schema.items()])


def find_excerpt(store: Store, excerpt_id: str) -> dict[str, Any] | None:
    """One excerpt as a dict (the columns of `excerpts()`), or None when there is none."""
    source_type, source_id, _ = split_excerpt_id(excerpt_id)
    sql = "SELECT * FROM (\n" + excerpts_sql(store) + "\n) WHERE excerpt_id = $excerpt_id"
    params = excerpt_params(None, None, [source_type]) | {"excerpt_id": excerpt_id,
                                                          "source_id": source_id}
    rows = run(store, sql, params)
    return rows.row(0, named=True) if rows.height else None


def current_excerpt(store: Store, excerpt_id: str, text_hash: str) -> dict[str, Any]:
    """The excerpt, checked to exist and to still have this text.

    Raises:
        CQIError: no such excerpt, or its text changed since it was read.
    """
    found = find_excerpt(store, excerpt_id)
    if found is None:
        raise CQIError(f"There is no excerpt {excerpt_id} in the database (it may have been "
                       "removed by the last import).")
    if found["text_hash"] != text_hash:
        raise CQIError(f"The text of excerpt {excerpt_id} changed since it was shown; nothing "
                       "was saved. Reload the excerpts and decide on the new text.")
    return found


def record_decision(store: Store, excerpt_id: str, text_hash: str, code: str, decision: str,
                    user: str, note: str = "") -> None:
    """Keep an analyst's decision about one theme on one excerpt (the latest one stands).

    Args:
        store: a database open for writing.
        excerpt_id: the excerpt ("source_type:source_id:item", from `excerpts()`).
        text_hash: the hash of the text decided on (the excerpt's `text_hash`); the decision
            applies only while the excerpt has this text.
        code: a theme in use.
        decision: "confirm" (a suggestion is right), "reject" (it is wrong) or "add" (a
            theme the patterns did not suggest).
        user: who decided.
        note: an optional note kept with the decision.

    Raises:
        CQIError: an unknown decision, theme or excerpt, a text that changed, no user.
        StoreError: the database is open read-only.
    """
    if decision not in DECISIONS:
        raise CQIError(f"Unknown decision {decision!r}; use {', '.join(DECISIONS)}.")
    check_writable(store, user, None, "the coding", need_reason=False)
    codebook = load_codebook(store)
    if code not in codebook:
        raise CQIError(f"There is no theme {code!r} in use; themes: {', '.join(codebook.codes)}.")
    source_type, source_id, item = split_excerpt_id(excerpt_id)
    with store.writing() as cur:
        current_excerpt(store, excerpt_id, text_hash)
        try:
            cur.execute(_UPSERT_DECISION, {
                "source_type": source_type, "source_id": source_id, "item": item,
                "text_hash": text_hash, "code": code, "decision": decision,
                "decided_by": user.strip(), "decided_at": datetime.now(),
                "note": (note or "").strip()})
        finally:
            cur.close()


def decisions(store: Store) -> pl.DataFrame:
    """Every stored coding decision (also those whose text has since changed), newest first.

    Columns: excerpt_id, source_type, source_id, item, text_hash, code, decision, decided_by,
    decided_at, note.
    """
    if not table_exists(store, "coding_decisions"):
        return pl.DataFrame(schema={"excerpt_id": pl.String, "source_type": pl.String,
                                    "source_id": pl.String, "item": pl.String,
                                    "text_hash": pl.String, "code": pl.String,
                                    "decision": pl.String, "decided_by": pl.String,
                                    "decided_at": pl.Datetime("us"), "note": pl.String})
    return store.query("SELECT source_type || ':' || source_id || ':' || item AS excerpt_id, "
                       "source_type, source_id, item, text_hash, code, decision, decided_by, "
                       "decided_at, note FROM coding_decisions ORDER BY decided_at DESC")


def export_coded_csv(frame: pl.DataFrame) -> bytes:
    """A coded frame as CSV (UTF-8, header row, dates ISO), one row per excerpt × code.

    Pass the frame through `text_for_audience` first: this writes what it is given.
    Columns in the order of the frame, excerpt_id, source_type, source_id, item, code, status
    and text first when present.
    """
    first = [c for c in ("excerpt_id", "row_key", "source_type", "source_id", "item", "code",
                         "status", "text") if c in frame.columns]
    out = frame.select(first + [c for c in frame.columns if c not in first])
    buf = io.BytesIO()
    out.write_csv(buf, datetime_format="%Y-%m-%dT%H:%M:%S", date_format="%Y-%m-%d")
    return buf.getvalue()


def themes(store: Store | privacy.Handle, start: date, end: date, by: str = "source_type", *,
           codebook: Codebook | None = None) -> pl.DataFrame:
    """Themes of one period by group: how many excerpts and sources carry each theme.

    Args:
        store: the database (read-only is fine), or a handle whose viewer decides what is
            released.
        start, end: the period, both days included.
        by: "source_type" (case_review, feedback, staff_survey), "unit" (the unit_id),
            "region" or "source_group".
        codebook: use this codebook instead of the one in force.

    Returns:
        Columns code, group_by (the `by` given), group_value (null groups are "unknown"),
        excerpts (distinct excerpts with the theme), sources (distinct sources: reviews,
        feedback records, survey answers); ordered by code, group_value. Codes are the
        suggestions minus rejections plus confirmations and additions
        (`coded_excerpts`).

    Raises:
        CQIError: an unknown grouping or a period that ends before it starts.
    """
    if by not in THEME_GROUPINGS:
        raise CQIError(f"Unknown grouping {by!r}; choose from {', '.join(THEME_GROUPINGS)}.")
    if start is None or end is None:
        raise CQIError("Give both the first and the last day of the period.")
    if privacy.viewer_of(store).public:
        # Public counts come only from the publication (suppressed across every period
        # and grouping together); another codebook or period is not published.
        if codebook is not None:
            raise privacy.NotPublished("Public theme counts use the codebook in force only.")
        published = privacy.theme_rows(privacy.full(store), start, end, by)
        return _conform(published, THEMES_SCHEMA).with_columns(
            published["suppressed"].cast(pl.Boolean).alias("suppressed"))
    coded = coded_excerpts(privacy.full(store), start, end, codebook=codebook)
    column = THEME_GROUPINGS[by]
    out = (coded.with_columns(pl.col(column).cast(pl.String).fill_null("unknown")
                              .alias("group_value"))
           .group_by("code", "group_value")
           .agg(pl.col("excerpt_id").n_unique().alias("excerpts"),
                pl.struct("source_type", "source_id").n_unique().alias("sources"))
           .with_columns(pl.lit(by).alias("group_by"))
           .sort("code", "group_value"))
    # A theme's groups add up to its total across groups, which other views publish.
    return privacy.release(_conform(out, THEMES_SCHEMA), privacy.viewer_of(store),
                           counts=["excerpts", "sources"], margins=[privacy.Margin(by=("code",))])


def coding_version(store: Store) -> str:
    """A key that changes whenever the codebook, a coding decision or a sharing approval
    changes (pages add it to their cache keys beside the data version)."""
    parts = []
    for table, column in (("codebook_changes", "saved_at"), ("coding_decisions", "decided_at"),
                          ("sharing_approvals", "decided_at")):
        if table_exists(store, table):
            n, last = store.query(f"SELECT count(*), max({column}) FROM {table}").row(0)
            parts.append(f"{n}@{last}")
        else:
            parts.append("-")
    return "|".join(parts)
