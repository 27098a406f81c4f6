"""Who may read which text: redaction by role and analysts' approvals for sharing.

DESIGN.md: the role decides what the core returns, not the page. Every page passes excerpt
text through `text_for_audience` before showing or exporting it:

- analyst: everything, as written;
- supervisor: every excerpt, with names, phone numbers, e-mail and street addresses and
  dates of birth masked (`redact`);
- stakeholder, youth: only excerpts an analyst approved for sharing, for the very text that
  was approved (same text hash), redacted, and without anything that points at a person or
  a case: only the columns in `PUBLIC_COLUMNS` are kept, with an opaque `row_key`.

Approvals live in `sharing_approvals`, keyed like coding decisions (source, item, text
hash), so an approval survives a re-import of the same text and lapses when it changes.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from cqi_core import privacy
from cqi_core.errors import CQIError
from cqi_core.storage.store import Store
from cqi_core.analysis.qualitative.codebook import check_writable, table_exists
from cqi_core.analysis.qualitative.coding import current_excerpt
from cqi_core.analysis.qualitative.sources import split_excerpt_id
from cqi_core.privacy.redaction import redact

ROLES = ("analyst", "supervisor", "stakeholder", "youth")
"""The audiences of the product."""
PUBLIC_ROLES = ("stakeholder", "youth")
TEXT_COLUMNS = ("text", "matched_text")
"""Columns holding free text; redacted for every role but the analyst."""
PUBLIC_COLUMNS = ("row_key", "source_type", "item", "code", "status", "text", "matched_text",
                  "period_month", "unit_id", "region", "case_type", "age_group",
                  "source_group", "channel", "rating", "score", "question")
"""The only columns public audiences receive (when the frame has them), in this order."""

_UPSERT = """INSERT OR REPLACE INTO sharing_approvals
    (source_type, source_id, item, text_hash, approved, decided_by, decided_at, note)
VALUES ($source_type, $source_id, $item, $text_hash, $approved, $decided_by, $decided_at,
        $note)"""
_APPROVED = """SELECT source_type || ':' || source_id || ':' || item AS excerpt_id, text_hash
FROM sharing_approvals WHERE approved"""
_UNIT_WORDS = "SELECT unit_name, region FROM units"


def approve_for_sharing(store: Store, excerpt_id: str, text_hash: str, user: str,
                        approved: bool = True, note: str = "") -> None:
    """Approve (or withdraw approval of) one excerpt for stakeholder and youth audiences.

    The approval is for this text only: when the excerpt's text changes, it lapses. Public
    audiences still see the text redacted.

    Args:
        store: a database open for writing.
        excerpt_id: the excerpt ("source_type:source_id:item").
        text_hash: the hash of the text approved (the excerpt's `text_hash`).
        user: who decides.
        approved: False withdraws an approval.
        note: an optional note kept with the decision.

    Raises:
        CQIError: no such excerpt, a text that changed since it was read, no user.
        StoreError: the database is open read-only.
    """
    check_writable(store, user, None, "what may be shared", need_reason=False)
    source_type, source_id, item = split_excerpt_id(excerpt_id)
    with store.writing() as cur:
        current_excerpt(store, excerpt_id, text_hash)
        try:
            cur.execute(_UPSERT, {
                "source_type": source_type, "source_id": source_id, "item": item,
                "text_hash": text_hash, "approved": bool(approved),
                "decided_by": user.strip(), "decided_at": datetime.now(),
                "note": (note or "").strip()})
        finally:
            cur.close()


def approved_excerpts(store: Store) -> pl.DataFrame:
    """Excerpts approved for sharing: columns excerpt_id, text_hash."""
    if not table_exists(store, "sharing_approvals"):
        return pl.DataFrame(schema={"excerpt_id": pl.String, "text_hash": pl.String})
    return store.query(_APPROVED).select(pl.col("excerpt_id").cast(pl.String),
                                         pl.col("text_hash").cast(pl.String))


def agency_words(store: Store) -> list[str]:
    """Unit and region names of the agency, whole: redaction keeps them only whole, since a
    single word of one ("Madison") may also be part of a person's name ("Madison Smith")."""
    if not table_exists(store, "units"):
        return []
    rows = store.query(_UNIT_WORDS)
    return sorted({str(v) for col in rows.columns for v in rows[col].drop_nulls().to_list()
                   if str(v).strip()})


def _redacted(frame: pl.DataFrame, keep: list[str]) -> pl.DataFrame:
    cols = [c for c in TEXT_COLUMNS if c in frame.columns]
    return frame.with_columns(
        pl.col(c).map_elements(lambda t: redact(t, keep), return_dtype=pl.String)
        for c in cols)


def text_for_audience(frame: pl.DataFrame, role: str, store: Store | privacy.Handle) -> pl.DataFrame:
    """The rows and columns of an excerpt frame one audience may see.

    Args:
        frame: excerpts (`excerpts()`, `coded_excerpts()`, `suggest_themes()` or a
            filtered part of one). Public roles need its excerpt_id and text_hash.
        role: "analyst", "supervisor", "stakeholder" or "youth".
        store: the database holding the approvals and the agency's unit names, or a handle
            on it.

    A handle's viewer bounds the role: a handle bound to a supervisor or a public audience
    never returns more than that audience may see, whatever `role` says.

    Returns:
        analyst: the frame unchanged. supervisor: the same rows with text and matched_text
        redacted (for a supervisor limited to units, only those units' rows). stakeholder and youth: only rows approved for sharing with the same text
        hash, text redacted, and only the columns of `PUBLIC_COLUMNS` the frame has, led by
        `row_key` (1, 2, 3 … in frame order: no identifier of a person, case or record).

    Raises:
        CQIError: an unknown role, or a public role on a frame without excerpt_id and
            text_hash (approval cannot be checked, so nothing is returned).
    """
    if role not in ROLES:
        raise CQIError(f"Unknown audience {role!r}; choose from {', '.join(ROLES)}.")
    # The handle's viewer bounds what any caller may ask for: a page cannot widen it.
    viewer, store = privacy.viewer_of(store), privacy.full(store)
    role = max(role, viewer.role, key=ROLES.index)
    if role == "analyst":
        return frame
    keep = agency_words(store)
    if role == "supervisor":
        if viewer.units is not None and "unit_id" in frame.columns:
            frame = frame.filter(pl.col("unit_id").is_in(list(viewer.units)))
        return _redacted(frame, keep)
    missing = [c for c in ("excerpt_id", "text_hash") if c not in frame.columns]
    if missing:
        raise CQIError(f"Text for a {role} audience needs the excerpt_id and text_hash columns "
                       "to check that each excerpt was approved for sharing; nothing is shown.")
    approved = approved_excerpts(store)
    rows = frame.join(approved, on=["excerpt_id", "text_hash"], how="semi", maintain_order="left")
    rows = _redacted(rows, keep).with_row_index("row_key", offset=1)
    rows = rows.with_columns(pl.col("row_key").cast(pl.Int64))
    return rows.select([c for c in PUBLIC_COLUMNS if c in rows.columns])
