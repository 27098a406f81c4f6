"""Analysts' approvals of staff-written text for public audiences.

DESIGN.md: a public audience (stakeholder, youth) reads no free text a person wrote unless
an analyst approved it. Quotes from feedback and reviews have their own approvals, keyed by
excerpt (`analysis.qualitative.sharing`); this module approves the text staff write in the
product itself: an improvement cycle's title, aim, change idea ... and a deck's name,
takeaways and speaker notes.

An approval is for one exact text of one field of one item (kind "cycle", item "3", field
"aim"): only the text's SHA-256 is kept (`sql/approvals_schema.sql`), so when the text is
edited its hash no longer matches and the approval lapses by itself, with nothing to
remember to undo. Going back to the very text that was approved makes it approved again:
that text is what the analyst read. Only analysts approve or revoke; every decision is kept
with who made it, when and (optionally) why.

What a public audience is shown in place of unapproved text (a neutral placeholder, or
words the core writes from released figures) is decided where the text is read
(`analysis.improvement`, `present.findings`); redaction still applies on top.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Mapping

import duckdb
import polars as pl

from cqi_core.errors import CQIError, StoreError
from cqi_core.privacy.handle import Handle, viewer_of
from cqi_core.privacy.viewer import AccessDenied
from cqi_core.storage.store import Store
from cqi_core.storage.statements import statement

KINDS = ("cycle", "deck")
"""What staff-written text belongs to: an improvement cycle or a saved deck."""
NOT_APPROVED = "Not yet approved for sharing."
"""What a public audience reads in place of a text no analyst approved."""

_SQL_DIR = Path(__file__).with_name("sql")
_EMPTY = {"field": pl.String, "text_hash": pl.String, "decided_by": pl.String,
          "decided_at": pl.Datetime("us"), "reason": pl.String}


@dataclass(frozen=True)
class ApprovalItem:
    """One staff-written text an analyst may approve for public audiences, as it is now."""

    kind: str
    """cycle or deck."""
    item: str
    """The cycle's or the deck's number, as text."""
    field: str
    """The field approved (title, aim ... takeaway, notes)."""
    label: str
    """The field in words, for the person approving ("Aim", "Slide 2: takeaway")."""
    text: str
    """The exact text an approval would be for."""
    approved: bool
    """True when this exact text is approved now."""


def _sql(name: str) -> str:
    return statement(_SQL_DIR, name)


def text_hash(text: str) -> str:
    """The SHA-256 (hex) of the exact text, as approvals are kept."""
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def _checked(store: Store | Handle, kind: str, item: object, field: str, user: str) -> str:
    """Refuse a decision that cannot be recorded; the user, stripped."""
    if viewer_of(store).role != "analyst":
        raise AccessDenied("Only an analyst approves text for public audiences.")
    if store.read_only:
        raise StoreError("This database is open read-only, so approvals cannot be saved here.")
    if kind not in KINDS:
        raise CQIError(f"Text is approved for a {' or a '.join(KINDS)}, not a {kind!r}.")
    if not str(item).strip() or not str(field).strip():
        raise CQIError("Say which item and which field of it the approval is for.")
    if not isinstance(user, str) or not user.strip():
        raise CQIError("Say who approves: the name is kept with the approval.")
    return user.strip()


def _decide(store: Store | Handle, statement: str, params: dict) -> None:
    with store.writing() as cur:
        try:
            cur.execute(_sql(statement), params)
        finally:
            cur.close()


def approve_text(store: Store | Handle, kind: str, item: object, field: str, text: str,
                 user: str, reason: str = "") -> None:
    """Approve one exact text of one field for public audiences (analysts only).

    Args:
        store: a database open for writing, or a handle whose viewer is an analyst.
        kind: "cycle" or "deck".
        item: the cycle's or deck's number.
        field: the field ("title", "aim", "takeaway" ...).
        text: the exact text approved, as the analyst read it.
        user: who approves.
        reason: why, optionally.

    Raises:
        AccessDenied: the viewer is not an analyst.
        CQIError: an unknown kind, no item, field or user, or an empty text.
        StoreError: the database is open read-only.
    """
    user = _checked(store, kind, item, field, user)
    if not isinstance(text, str) or not text.strip():
        raise CQIError("There is no text to approve: an empty field is never shown.")
    _decide(store, "approve_text", {
        "kind": kind, "item": str(item), "field": field, "text_hash": text_hash(text),
        "approved": True, "user": user, "at": datetime.now(), "reason": (reason or "").strip()})


def revoke_text(store: Store | Handle, kind: str, item: object, field: str, user: str,
                text: str | None = None, reason: str = "") -> None:
    """Withdraw the approval of one field (analysts only): of this exact text, or with
    `text` None of every text the field was approved with. Public audiences read the
    placeholder again; the decisions stay on record.

    Raises:
        AccessDenied, CQIError, StoreError: as `approve_text`.
    """
    user = _checked(store, kind, item, field, user)
    _decide(store, "revoke_field", {
        "kind": kind, "item": str(item), "field": field,
        "text_hash": None if text is None else text_hash(text), "user": user,
        "at": datetime.now(), "reason": (reason or "").strip()})


def text_approvals(store: Store | Handle, kind: str, item: object) -> pl.DataFrame:
    """The approvals in force for one item: field, text_hash, decided_by, decided_at, reason."""
    try:
        return store.query(_sql("approved_hashes"), {"kind": kind, "item": str(item)})
    except duckdb.CatalogException:  # a file from before approvals existed, opened read-only
        return pl.DataFrame(schema=_EMPTY)


def approved_fields(store: Store | Handle, kind: str, item: object,
                    texts: Mapping[str, str | None]) -> tuple[str, ...]:
    """The fields of `texts` (field → current text) whose exact current text is approved,
    in the order given. An empty text is never approved."""
    have = {(f, h) for f, h in text_approvals(store, kind, item)
            .select("field", "text_hash").iter_rows()}
    return tuple(f for f, t in texts.items() if t and (f, text_hash(t)) in have)


def approved_text(store: Store | Handle, kind: str, item: object, field: str,
                  text: str | None) -> bool:
    """True when an analyst approved this exact text of this field for public audiences."""
    return bool(approved_fields(store, kind, item, {field: text}))


def approvals_version(store: Store | Handle) -> str:
    """A key that changes whenever an approval is given or revoked (for result caches)."""
    try:
        n, last = store.query(_sql("approvals_version")).row(0)
    except duckdb.CatalogException:
        return "-"
    return f"{n}@{last}"
