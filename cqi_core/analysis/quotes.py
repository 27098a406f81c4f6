"""Finding the words: review narratives filtered, any text searched and paged, and the
exemplar quotes picked to read out in a meeting.

Text comes from `qualitative.excerpts`, the one place that decides what an excerpt is and
which reviews count (first reviews only). Nothing here decides who may read a text: a page
passes every frame it shows through `qualitative.text_for_audience` first and searches the
text that comes out, so a search never finds words the reader cannot see.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Sequence

import polars as pl

from cqi_core.analysis import qualitative
from cqi_core.analysis.qualitative.codebook import Theme, check_pattern
from cqi_core.analysis.reviews import ITEMS, ReviewSettings, load_settings
from cqi_core.storage.store import Store
from cqi_core.storage.facts import unit_list

_ITEM_ORDER = {item: k for k, item in enumerate(ITEMS)}


def review_narratives(store: Store, start: date | None = None, end: date | None = None,
                      units: Sequence[str] | None = None, items: Sequence[str] | None = None,
                      ratings: Sequence[str] | None = None,
                      case_types: Sequence[str] | None = None) -> pl.DataFrame:
    """Reviewer narratives of first reviews dated in [start, end], newest first.

    Filters left empty (None or []) keep everything.

    Returns:
        excerpt_id, review_id, review_date, unit_id, unit_name, region, case_type, item,
        rating, text, text_hash (the excerpt's name and hash, for coding and sharing
        decisions).
    """
    ex = keep(qualitative.excerpts(store, start, end, source_types=["case_review"]),
              unit_id=units, item=items, rating=ratings, case_type=case_types)
    ex = ex.join(unit_list(store).select("unit_id", "unit_name"), on="unit_id", how="left")
    return (ex.select("excerpt_id", pl.col("source_id").alias("review_id"),
                      pl.col("date").alias("review_date"), "unit_id", "unit_name", "region",
                      "case_type", "item", "rating", "text", "text_hash")
            .with_columns(_o=pl.col("item").replace_strict(_ITEM_ORDER, default=len(ITEMS)))
            .sort(["review_date", "review_id", "_o"], descending=[True, False, False])
            .drop("_o"))


def keep(frame: pl.DataFrame, **wanted: Sequence[str] | None) -> pl.DataFrame:
    """Rows whose columns hold one of the wanted values (`keep(f, item=["4"], rating=None)`);
    a filter left empty keeps everything."""
    for column, values in wanted.items():
        if values:
            frame = frame.filter(pl.col(column).is_in(list(values)))
    return frame


def search(frame: pl.DataFrame, query: str | None, column: str = "text") -> pl.DataFrame:
    """Rows whose text holds every word of `query` (case-insensitive, taken literally)."""
    words = (query or "").lower().split()
    if not words:
        return frame
    text = pl.col(column).fill_null("").str.to_lowercase()
    return frame.filter(pl.all_horizontal([text.str.contains(w, literal=True) for w in words]))


def page_count(rows: int, size: int) -> int:
    """Pages needed for `rows` rows of `size` (at least 1, so a page selector always works)."""
    return max(1, math.ceil(rows / size))


def page_of(frame: pl.DataFrame, page: int, size: int) -> pl.DataFrame:
    """Rows of page `page` (1-based); a page past the end gives the last page."""
    page = min(max(page, 1), page_count(frame.height, size))
    return frame.slice((page - 1) * size, size)


def exemplars(frame: pl.DataFrame, by: Sequence[str], per_group: int = 1,
              settings: ReviewSettings | None = None) -> pl.DataFrame:
    """Exemplar quotes: per group of `by`, the newest texts of a readable length.

    A text of `exemplar_words` words (reviews.yaml) is preferred; a group with none of that
    length gives its newest texts; the same text is offered once. `frame` needs text and a
    date column (review_date, date or period_month); pass the frame a reader may see
    (after `text_for_audience`).
    """
    s = settings or load_settings()
    lo, hi = s.exemplar_words
    when = next(c for c in ("review_date", "date", "period_month") if c in frame.columns)
    words = pl.col("text").fill_null("").str.split(" ").list.len()
    ranked = (frame.filter(pl.col("text").fill_null("").str.strip_chars() != "")
              .unique([*by, "text"], keep="first", maintain_order=True)
              .with_columns(_fit=words.is_between(lo, hi).not_())
              .sort(["_fit", when], descending=[False, True], maintain_order=True))
    return ranked.group_by(list(by), maintain_order=True).head(per_group).drop("_fit")


def pattern_counts(texts: pl.DataFrame, patterns: Sequence[str]) -> pl.DataFrame:
    """How many excerpts each pattern would suggest its theme on, matched the way the
    codebook matches (`Theme.regex`: case-insensitive, whole words).

    Args:
        texts: excerpts (`qualitative.excerpts`) with excerpt_id and text.
        patterns: the patterns to try (saved or still being edited).

    Returns:
        pattern, excerpts (matched; None when the pattern cannot be used), problem (why
        not, in words; None when it can).
    """
    rows = []
    for p in (p.strip() for p in patterns):
        if not p:
            continue
        problem = check_pattern(p)
        n = None
        if problem is None:
            regex = Theme(code="preview", name="preview", patterns=(p,)).regex()
            n = int(texts["text"].fill_null("").str.contains(regex).sum())
        rows.append({"pattern": p, "excerpts": n, "problem": problem})
    return pl.DataFrame(rows, schema={"pattern": pl.String, "excerpts": pl.Int64, "problem": pl.String})
