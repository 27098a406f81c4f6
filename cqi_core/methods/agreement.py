"""Coding statistics: frequency, presence, co-occurrence, code × descriptor, agreement.

Definitions follow METHODS.md section 4 and the shared worked example
(`derived_qualitative_coding_example.json`):

- frequency = distinct excerpts carrying a code; presence = distinct sources (reviews,
  feedback records, survey answers, cases) with at least one such excerpt. Compare groups by
  presence: long narratives split into many excerpts inflate raw counts.
- co-occurrence of two codes = units (excerpts or sources) carrying both; the c-coefficient
  (Jaccard) n12 / (n1 + n2 - n12) ranks pairs.
- code × descriptor: counts per descriptor value and the share of the group's sources, with
  optional Dedoose-style normalisation (each group weighted as if it were as large as the
  largest: weight = N_max / N_g, N_g = sources in the group).
- Cohen's kappa = (po - pe) / (1 - pe) for two raters' labels on the same cases.

A `coded` frame has one row per excerpt × code with columns excerpt_id, source_id and code
(rows may repeat; everything counts distinct). When it also has source_type, a source is
the pair (source_type, source_id), so a review and a feedback record with the same id stay
apart. `coded_excerpts()` returns such a frame.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Hashable, Sequence

import polars as pl

from cqi_core.errors import CQIError

_CORE = ("excerpt_id", "source_id", "code")
UNKNOWN = "unknown"
"""Group value of rows whose descriptor is empty."""


def _check(coded: pl.DataFrame, extra: Sequence[str] = ()) -> pl.DataFrame:
    missing = [c for c in (*_CORE, *extra) if c not in coded.columns]
    if missing:
        raise CQIError(f"The coded excerpts have no column {missing[0]!r}; they need "
                       f"{', '.join((*_CORE, *extra))}.")
    return coded.filter(pl.col("code").is_not_null())


def _source(coded: pl.DataFrame) -> pl.Expr:
    """The expression naming a source: (source_type, source_id) when the frame has both."""
    if "source_type" in coded.columns:
        return pl.struct(pl.col("source_type"), pl.col("source_id"))
    return pl.col("source_id")


def code_frequency(coded: pl.DataFrame) -> pl.DataFrame:
    """How many excerpts and how many sources carry each code.

    Args:
        coded: one row per excerpt × code: excerpt_id, source_id, code (and optionally
            source_type). Duplicate rows count once.

    Returns:
        Columns code, excerpts (distinct excerpt_id with the code: frequency), sources
        (distinct sources with the code: presence), sorted by code ascending.
    """
    c = _check(coded)
    out = (c.group_by("code")
           .agg(pl.col("excerpt_id").n_unique().cast(pl.Int64).alias("excerpts"),
                _source(c).n_unique().cast(pl.Int64).alias("sources"))
           .sort("code"))
    return out.select(pl.col("code").cast(pl.String), "excerpts", "sources")


def cooccurrence(coded: pl.DataFrame, level: str = "excerpt") -> pl.DataFrame:
    """Co-occurrence of every pair of codes at excerpt or source level.

    Args:
        coded: as for `code_frequency`.
        level: "excerpt" (both codes on the same excerpt) or "source" (both codes somewhere
            in the same source).

    Returns:
        One row for every pair of codes present, code_a < code_b, zero pairs included:
        code_a, code_b, n (units carrying both), jaccard (the c-coefficient
        n12 / (n1 + n2 - n12), where n1 and n2 are the units carrying each code); sorted by
        code_a, code_b.

    Raises:
        CQIError: an unknown level or a frame without the needed columns.
    """
    if level not in ("excerpt", "source"):
        raise CQIError(f"level must be 'excerpt' or 'source' (got {level!r}).")
    c = _check(coded)
    unit = pl.col("excerpt_id") if level == "excerpt" else _source(c)
    units = c.select(unit.alias("unit"), pl.col("code").cast(pl.String)).unique()
    sizes = units.group_by("code").agg(pl.len().cast(pl.Int64).alias("n1"))
    codes = sizes.sort("code")["code"].to_list()
    pairs = pl.DataFrame({"code_a": [a for i, a in enumerate(codes) for _ in codes[i + 1:]],
                          "code_b": [b for i, _ in enumerate(codes) for b in codes[i + 1:]]},
                         schema={"code_a": pl.String, "code_b": pl.String})
    both = (units.join(units, on="unit", suffix="_b")
            .filter(pl.col("code") < pl.col("code_b"))
            .group_by("code", "code_b").agg(pl.len().cast(pl.Int64).alias("n"))
            .rename({"code": "code_a"}))
    out = (pairs.join(both, on=["code_a", "code_b"], how="left")
           .with_columns(pl.col("n").fill_null(0))
           .join(sizes.rename({"code": "code_a", "n1": "na"}), on="code_a")
           .join(sizes.rename({"code": "code_b", "n1": "nb"}), on="code_b")
           .with_columns((pl.col("n") / (pl.col("na") + pl.col("nb") - pl.col("n")))
                         .cast(pl.Float64).alias("jaccard"))
           .sort("code_a", "code_b"))
    return out.select("code_a", "code_b", "n", "jaccard")


def code_by_descriptor(coded: pl.DataFrame, descriptor: str,
                       normalise: bool = False) -> pl.DataFrame:
    """Codes by the values of one descriptor (unit, region, case type, age group, source
    group, source type, period month ...), every code × value, zero cells included.

    Args:
        coded: a coded frame with the descriptor column (`coded_excerpts()` has unit_id,
            region, case_type, age_group, source_group, source_type, period_month, channel,
            item, rating).
        descriptor: the column to break down by; empty values count as "unknown".
        normalise: add excerpts_normalised, the excerpt count re-weighted as if every group
            had as many sources as the largest (Dedoose: weight = N_max / N_g).

    Returns:
        Columns code, descriptor (its name), value (as text), excerpts (distinct excerpts
        with the code in the group), sources (distinct sources with the code in the group:
        presence), sources_in_group (distinct sources of the group in `coded`),
        share_of_sources (sources / sources_in_group), and with `normalise`
        excerpts_normalised; sorted by code, value. Sources in a group are those present in
        `coded`: pass excerpts without codes too (code null) to count them in the group.

    Raises:
        CQIError: the frame has no such column, or the column is one of excerpt_id,
            source_id, code.
    """
    if descriptor in _CORE or descriptor in ("text", "text_hash"):
        raise CQIError(f"{descriptor!r} is not a descriptor.")
    if descriptor not in coded.columns:
        raise CQIError(f"The coded excerpts have no descriptor {descriptor!r}.")
    src = _source(coded)
    all_rows = coded.with_columns(pl.col(descriptor).cast(pl.String).fill_null(UNKNOWN)
                                  .alias("value"))
    groups = all_rows.group_by("value").agg(src.n_unique().cast(pl.Int64)
                                            .alias("sources_in_group"))
    c = all_rows.filter(pl.col("code").is_not_null())
    cells = (c.group_by("code", "value")
             .agg(pl.col("excerpt_id").n_unique().cast(pl.Int64).alias("excerpts"),
                  src.n_unique().cast(pl.Int64).alias("sources")))
    codes = c.select(pl.col("code").cast(pl.String)).unique()
    out = (codes.join(groups, how="cross")
           .join(cells, on=["code", "value"], how="left")
           .with_columns(pl.col("excerpts").fill_null(0), pl.col("sources").fill_null(0),
                         pl.lit(descriptor).alias("descriptor"))
           .with_columns((pl.col("sources") / pl.col("sources_in_group"))
                         .alias("share_of_sources")))
    cols = ["code", "descriptor", "value", "excerpts", "sources", "sources_in_group",
            "share_of_sources"]
    if normalise:
        largest = groups["sources_in_group"].max() if groups.height else 0
        out = out.with_columns((pl.col("excerpts") * largest / pl.col("sources_in_group"))
                               .cast(pl.Float64).alias("excerpts_normalised"))
        cols.append("excerpts_normalised")
    return out.select(cols).sort("code", "value")


def excerpts_for(coded: pl.DataFrame, code: str, descriptor: str | None = None,
                 value: str | None = None) -> pl.DataFrame:
    """The excerpts behind one cell: rows of `coded` with this code (and descriptor value).

    Args:
        coded: a coded frame.
        code: the theme.
        descriptor, value: keep rows whose descriptor equals value ("unknown" matches empty
            values), as `code_by_descriptor` labels them.

    Returns:
        One row per excerpt with the code (the first row when a frame repeats it), newest
        first when the frame has dates, else by excerpt_id.
    """
    c = _check(coded)
    out = c.filter(pl.col("code") == code)
    if descriptor is not None:
        if descriptor not in c.columns:
            raise CQIError(f"The coded excerpts have no descriptor {descriptor!r}.")
        col = pl.col(descriptor).cast(pl.String)
        out = out.filter(col.is_null() if value == UNKNOWN or value is None else col == str(value))
    out = out.unique(subset=["excerpt_id"], keep="first", maintain_order=True)
    if "date" in out.columns:
        return out.sort(["date", "excerpt_id"], descending=[True, False], nulls_last=True)
    return out.sort("excerpt_id")


# ---- agreement ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Agreement:
    """Agreement of two raters on the same cases."""

    n: int
    """Cases rated by both (pairs with a missing label are dropped)."""
    observed: float
    """po: share of cases where the two labels are equal."""
    expected: float
    """pe: agreement expected by chance, Σ_k p1(k) · p2(k) over the categories k."""
    kappa: float
    """Cohen's kappa (po - pe) / (1 - pe); 1.0 when pe = 1 and po = 1."""


def _pairs(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[Hashable, Hashable]]:
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError(f"The two raters have different numbers of labels ({len(a)} and "
                         f"{len(b)}); they must rate the same cases in the same order.")
    pairs = [(x, y) for x, y in zip(a, b) if not _missing(x) and not _missing(y)]
    if not pairs:
        raise ValueError("There is no case that both raters labelled.")
    return pairs


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def agreement(a: Sequence[Hashable], b: Sequence[Hashable]) -> Agreement:
    """Percent agreement, chance agreement and Cohen's kappa of two raters.

    Args:
        a, b: the two raters' labels for the same cases, in the same order; labels are any
            hashable values (strings, numbers). Pairs where either label is None (or NaN)
            are dropped.

    Raises:
        ValueError: the sequences differ in length, or no pair is left.
    """
    pairs = _pairs(a, b)
    n = len(pairs)
    po = sum(1 for x, y in pairs if x == y) / n
    ca, cb = Counter(x for x, _ in pairs), Counter(y for _, y in pairs)
    pe = sum((ca[k] / n) * (cb[k] / n) for k in ca.keys() & cb.keys())
    if math.isclose(pe, 1.0, rel_tol=0.0, abs_tol=1e-12):
        # Both raters used one and the same category for every case (so po is 1 too): kappa
        # is 0/0. They agree on every case, so report full agreement.
        kappa = 1.0
    else:
        kappa = (po - pe) / (1 - pe)
    return Agreement(n=n, observed=po, expected=pe, kappa=kappa)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Cohen's kappa of two raters' labels on the same cases: (po - pe) / (1 - pe).

    po is the share of cases with equal labels, pe = Σ_k p1(k) · p2(k) the agreement
    expected by chance. Pairs where either label is None are dropped. When pe = 1 (both
    raters used one identical category everywhere) kappa is 0/0; this returns 1.0, since
    the raters then agree on every case.

    Raises:
        ValueError: the sequences differ in length, or no pair is left.
    """
    return agreement(a, b).kappa


def percent_agreement(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Share (0-1) of cases where the two raters gave the same label (pairs with a None
    dropped).

    Raises:
        ValueError: the sequences differ in length, or no pair is left.
    """
    return agreement(a, b).observed
