"""Excerpts: the agency's free text, one row per narrative or comment, with its descriptors.

Three kinds of source carry text: case review item narratives (`ratings.comment`),
stakeholder feedback (`feedback.text`) and staff survey comments (`staff_survey.comment`).
Each becomes an excerpt named by its source, never by a row position:
`excerpt_id = "source_type:source_id:item"` (item empty outside case reviews), plus the
SHA-256 of its normalised text. Coding decisions and sharing approvals are stored under that
name and hash, so they survive a re-import of the same text and stop applying when the text
changes. The work is one SQL statement (`sql/excerpts.sql`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import polars as pl

from cqi_core import privacy
from cqi_core.errors import CQIError
from cqi_core.storage.facts import content_version
from cqi_core.storage.kept import keep, keyed_path
from cqi_core.storage.store import Store

SOURCE_TYPES = ("case_review", "feedback", "staff_survey")
"""The kinds of source that carry text."""
DESCRIPTORS = ("unit_id", "region", "case_type", "age_group", "source_group", "source_type",
               "period_month", "channel", "item", "rating")
"""Columns of an excerpt that describe its source, for code × descriptor tables."""
_SQL_DIR = Path(__file__).with_name("sql")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_SPACE = re.compile(r"[ \t\n\r\f\v]+")

EXCERPT_SCHEMA = {
    "excerpt_id": pl.String, "source_type": pl.String, "source_id": pl.String,
    "item": pl.String, "text": pl.String, "text_hash": pl.String, "date": pl.Date,
    "period_month": pl.Date, "unit_id": pl.String, "region": pl.String,
    "case_type": pl.String, "age_group": pl.String, "source_group": pl.String,
    "channel": pl.String, "rating": pl.String, "score": pl.Int32, "question": pl.String,
    "reviewer": pl.String, "child_id": pl.String,
}
"""Columns of `excerpts()`, in order."""


@lru_cache(maxsize=None)
def sql_text(name: str) -> str:
    """The text of one statement or fragment in `sql/`."""
    return (_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run(store: Store, sql: str, params: dict[str, Any]) -> pl.DataFrame:
    """Run a statement binding exactly the parameters it names (DuckDB refuses extras)."""
    used = set(_PARAM.findall(_strip_comments(sql)))
    return store.query(sql, {k: v for k, v in params.items() if k in used})


def _strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def text_hash(text: str) -> str:
    """SHA-256 hex of a text after Unicode NFC, every run of whitespace made one space and
    the ends trimmed: the hash `excerpts()` computes in SQL."""
    norm = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip(" ")
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def excerpt_id(source_type: str, source_id: str, item: str | None = None) -> str:
    """The name of an excerpt: "source_type:source_id:item" (item empty when there is none)."""
    return f"{source_type}:{source_id}:{item or ''}"


def split_excerpt_id(excerpt_id: str) -> tuple[str, str, str]:
    """(source_type, source_id, item) of an excerpt id; item is '' when there is none.

    Raises:
        CQIError: not an excerpt id.
    """
    if not isinstance(excerpt_id, str):
        raise CQIError(f"{excerpt_id!r} is not an excerpt id.")
    source_type, sep, rest = excerpt_id.partition(":")
    source_id, sep2, item = rest.rpartition(":")
    if not sep or not sep2 or source_type not in SOURCE_TYPES or not source_id:
        raise CQIError(f"{excerpt_id!r} is not an excerpt id (source_type:source_id:item, for "
                       "example case_review:RV000001:4).")
    return source_type, source_id, item


def check_types(source_types: Sequence[str] | None) -> list[str]:
    """The source types to read (all when None); raises CQIError for an unknown one."""
    if source_types is None:
        return list(SOURCE_TYPES)
    if isinstance(source_types, str):
        source_types = [source_types]
    bad = [t for t in source_types if t not in SOURCE_TYPES]
    if bad:
        raise CQIError(f"Unknown source type {bad[0]!r}; choose from {', '.join(SOURCE_TYPES)}.")
    return list(source_types)


def check_period(start: date | None, end: date | None) -> None:
    """Refuse a period that ends before it starts."""
    if start is not None and end is not None and start > end:
        raise CQIError(f"The period starts on {start} after it ends on {end}.")


def excerpts_sql(store: Store, kept: bool = True) -> str:
    """The excerpts statement for this file (QA re-reviews left out when the file has them).

    When the refresh has kept every excerpt of the data version (`build_excerpts`) and
    `kept`, the statement reads them from that file with the same filters instead of
    joining and hashing every text again."""
    statement = _excerpts_statement(store)
    if kept and (path := _excerpts_file(store, statement)).exists():
        return _KEPT_EXCERPTS.replace("/*FILE*/", _literal(str(path)))
    return statement


def _excerpts_statement(store: Store) -> str:
    has_qa = store.scalar("SELECT count(*) FROM information_schema.columns "
                          "WHERE table_name = 'reviews' AND column_name = 'qa_of_review_id'")
    filt = "AND r.qa_of_review_id IS NULL" if has_qa else ""
    return sql_text("excerpts").replace("/*FIRST_REVIEWS*/", filt)


# Every excerpt of a data version, as the statement gives them, kept beside the database by
# the refresh (`build_excerpts`): the qualitative pages, the suggestions and the
# publication's theme counts read this file. It holds the agency's free text, as the
# database does, and sits beside it in the same folder. The filters are the statement's own,
# on the columns they filter (each source's date is `date`, its id `source_id`).
_KEPT_EXCERPTS = """SELECT * FROM read_parquet(/*FILE*/)
WHERE list_contains($types, source_type)
  AND ($start IS NULL OR date >= CAST($start AS DATE))
  AND ($end IS NULL OR date <= CAST($end AS DATE))
  AND ($source_id IS NULL OR source_id = $source_id)"""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _excerpts_file(store: Store, statement: str) -> Path:
    full = privacy.full(store)
    return keyed_path(full.path, "excerpts", content_version(full), statement,
                      list(EXCERPT_SCHEMA.items()))


def build_excerpts(store: Store) -> int:
    """Keep every excerpt of the data version beside the database (the refresh runs this
    first). Returns the excerpts kept."""
    statement = _excerpts_statement(store)
    found = conform(run(store, statement, excerpt_params(None, None, None)), EXCERPT_SCHEMA)
    keep(found, _excerpts_file(store, statement), "excerpts-*.parquet")
    return found.height


def excerpt_params(start: date | None, end: date | None,
                   source_types: Sequence[str] | None) -> dict[str, Any]:
    """Parameters of the excerpts statement (validated)."""
    check_period(start, end)
    return {"start": start, "end": end, "types": check_types(source_types), "source_id": None}


def excerpts(store: Store, start: date | None = None, end: date | None = None,
             source_types: Sequence[str] | None = None) -> pl.DataFrame:
    """The agency's free text as excerpts, with the descriptors of each source.

    Args:
        store: the database (read-only is fine).
        start, end: keep excerpts dated in [start, end] (both days included; None = open).
            The date is review_date, received_date or survey_date.
        source_types: any of "case_review", "feedback", "staff_survey" (default all).

    Returns:
        One row per excerpt, sorted by date, source_type, source_id, item. Columns:
        excerpt_id ("source_type:source_id:item"), source_type, source_id (review_id,
        feedback_id or response_id), item (case review item, else null), text, text_hash
        (SHA-256 of the normalised text, see `text_hash`), date, period_month (first day of
        the date's month), unit_id, region (feedback: its own region column, else its unit's,
        as in F1), case_type (reviews), age_group (reviews: the child's age on the review
        date: <1, 1-5, 6-10, 11-15, 16-17, 18+), source_group (feedback: as recorded; staff
        survey: "staff"; case reviews: "case_reviewer"), channel (feedback), rating (text:
        the review's rating code, or the 1-5 feedback rating or survey score), score (the
        1-5 rating or score as a number; null for reviews), question (staff survey),
        reviewer and child_id (reviews). Quality-assurance re-reviews are left out, as in
        the case review measures.

    Raises:
        CQIError: an unknown source type, or a period that ends before it starts.
    """
    params = excerpt_params(start, end, source_types)
    sql = ("SELECT * FROM (\n" + excerpts_sql(store) + "\n) ORDER BY date, source_type, "
           "source_id, TRY_CAST(regexp_extract(item, '^[0-9]+') AS INTEGER), item")
    return conform(run(store, sql, params), EXCERPT_SCHEMA)


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The frame with exactly these columns and types (an empty result keeps its shape)."""
    if frame.is_empty() and not frame.columns:
        return pl.DataFrame(schema=schema)
    return frame.select([pl.col(c).cast(t) for c, t in schema.items()])
