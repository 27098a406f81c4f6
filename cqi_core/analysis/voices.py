"""Voices: what youth, parents, caregivers, partners, providers and staff told the agency.

Feedback (often rated 1 to 5) and staff survey comments, cut by source group, channel, unit
or region and quarter: the rating distribution behind the stakeholder feedback measure F1,
how many sources raise each theme (presence: the share of sources, so a long comment does
not count more than a short one), both over quarters, and a "What we heard" list for a
meeting: the top themes, each with its share and one or two quotes.

Text and descriptors come from `qualitative.excerpts` and the themes from
`qualitative.coded_excerpts`. Quotes are picked only from a frame the reader may see, which
the page makes with `qualitative.text_for_audience`.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

import polars as pl

from cqi_core.analysis import qualitative
from cqi_core.analysis.quotes import exemplars, keep
from cqi_core.indicators.engine import f1_favourable, f1_favourable_words
from cqi_core.analysis.reviews import ReviewSettings
from cqi_core.periods import periods_between, quarter_start_expr
from cqi_core.storage.facts import unit_list

SOURCE_TYPES = ("feedback", "staff_survey")
SOURCE_TYPE_WORDS = {"feedback": "Stakeholder feedback", "staff_survey": "Staff survey"}
GROUP_WORDS = {"youth": "Youth", "parent": "Parents", "caregiver": "Caregivers",
               "community_partner": "Community partners", "provider": "Providers",
               "staff": "Staff", "other": "Other"}
CHANNEL_WORDS = {"survey": "Survey", "focus_group": "Focus group", "advisory_board": "Advisory board",
                 "listening_session": "Listening session", "complaint": "Complaint", "other": "Other"}
GROUPINGS = ("all", "source_group", "channel", "unit", "region", "quarter")


def voices(store, start: date | None = None, end: date | None = None,
           source_types: Sequence[str] = SOURCE_TYPES) -> pl.DataFrame:
    """Feedback and staff survey comments of the period, one row per text, newest first:
    the columns of `qualitative.excerpts`, the unit's name (unit_name), a source key
    (source_type:source_id) and the quarter the text falls in (quarter_start)."""
    ex = qualitative.excerpts(store, start, end, source_types=list(source_types))
    ex = ex.join(unit_list(store).select("unit_id", "unit_name"), on="unit_id", how="left")
    return ex.with_columns(
        (pl.col("source_type") + ":" + pl.col("source_id")).alias("source_key"),
        quarter_start_expr("date").alias("quarter_start")).sort(
        ["date", "excerpt_id"], descending=[True, False])


def filter_voices(frame: pl.DataFrame, start: date | None = None, end: date | None = None,
                  source_types: Sequence[str] | None = None,
                  source_groups: Sequence[str] | None = None,
                  channels: Sequence[str] | None = None, units: Sequence[str] | None = None,
                  regions: Sequence[str] | None = None) -> pl.DataFrame:
    """Rows dated in [start, end] (None: open) of the chosen source types, source groups,
    channels, units and regions (a filter left empty keeps everything)."""
    if start is not None:
        frame = frame.filter(pl.col("date") >= start)
    if end is not None:
        frame = frame.filter(pl.col("date") <= end)
    return keep(frame, source_type=source_types, source_group=source_groups, channel=channels,
                unit_id=units, region=regions)


def _group(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}; got {by!r}")
    words = {"source_group": GROUP_WORDS, "channel": CHANNEL_WORDS}.get(by, {})
    if by == "all":
        value, label = pl.lit("all"), pl.lit("Everyone")
    elif by == "quarter":
        value = pl.col("quarter_start").cast(pl.String)
        label = (pl.col("quarter_start").dt.strftime("%b") + "–"
                 + pl.col("quarter_start").dt.offset_by("2mo").dt.strftime("%b %Y"))
    else:
        column = {"unit": "unit_id"}.get(by, by)
        value = pl.col(column).fill_null("unknown")
        label = value.replace_strict(words, default=value, return_dtype=pl.String) if words else value
    return frame.with_columns(pl.lit(by).alias("group_by"), value.alias("group_value"),
                              label.alias("group_label"))


_KEYS = ["group_by", "group_value", "group_label"]


def rating_distribution(frame: pl.DataFrame, by: str = "all") -> pl.DataFrame:
    """Feedback ratings 1-5 per group (feedback without a rating is left out).

    Returns:
        group_by, group_value, group_label, rating (1-5), n, share (of the group's ratings),
        every rating present in every group (n = 0 where none).
    """
    rated = _group(frame.filter((pl.col("source_type") == "feedback") & pl.col("score").is_not_null()), by)
    counts = rated.group_by([*_KEYS, pl.col("score").cast(pl.Int64).alias("rating")]).agg(
        n=pl.len().cast(pl.Int64))
    grid = counts.select(_KEYS).unique().join(pl.DataFrame({"rating": range(1, 6)},
                                                           schema={"rating": pl.Int64}), how="cross")
    out = grid.join(counts, on=[*_KEYS, "rating"], how="left").with_columns(pl.col("n").fill_null(0))
    return (out.with_columns(share=pl.col("n") / pl.col("n").sum().over(_KEYS))
            .sort("group_value", "rating"))


def favourable(frame: pl.DataFrame, by: str = "all") -> pl.DataFrame:
    """F1 for the selection: the share of rated feedback rated favourable (4 or 5 with the
    default `f1_favourable` of indicators/config.yaml, the setting F1.sql binds), per group.

    Returns:
        group_by, group_value, group_label, favourable, rated, share.
    """
    rated = _group(frame.filter((pl.col("source_type") == "feedback") & pl.col("score").is_not_null()), by)
    return (rated.group_by(_KEYS).agg(favourable=(pl.col("score") >= f1_favourable()).sum().cast(pl.Int64),
                                      rated=pl.len().cast(pl.Int64))
            .with_columns(share=pl.col("favourable") / pl.col("rated")).sort("group_value"))


def theme_presence(coded: pl.DataFrame, frame: pl.DataFrame, by: str = "all",
                   names: dict[str, str] | None = None) -> pl.DataFrame:
    """Per group and theme: sources with the theme at least once, of all sources with text.

    Args:
        coded: `qualitative.coded_excerpts` of the same period and sources.
        frame: the texts (`voices`, filtered): the sources that could have raised a theme.
        by: grouping.
        names: theme code → name (default: the code).

    Returns:
        group_by, group_value, group_label, code, theme, sources, total_sources, share;
        largest share first within each group.
    """
    keys = frame.select("excerpt_id").unique()
    grouped = _group(frame, by)
    totals = grouped.group_by(_KEYS).agg(total_sources=pl.col("source_key").n_unique().cast(pl.Int64))
    hits = (coded.join(keys, on="excerpt_id", how="semi")
            .with_columns((pl.col("source_type") + ":" + pl.col("source_id")).alias("source_key")))
    hits = _group(hits.with_columns(quarter_start_expr("date").alias("quarter_start")), by)
    counts = hits.group_by([*_KEYS, "code"]).agg(sources=pl.col("source_key").n_unique().cast(pl.Int64))
    out = counts.join(totals, on=_KEYS, how="left").with_columns(
        share=pl.col("sources") / pl.col("total_sources"),
        theme=pl.col("code").replace_strict(names or {}, default=pl.col("code"), return_dtype=pl.String))
    return out.sort(["group_value", "share", "code"], descending=[False, True, False])


def _by_quarter(frame: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    qs = pl.DataFrame([(p.start, p.label) for p in periods_between(first, last, "quarter")],
                      schema={"period_start": pl.Date, "label": pl.String}, orient="row")
    series = frame.select("series").unique()
    return (qs.join(series, how="cross")
            .join(frame, on=["period_start", "series"], how="left")
            .with_columns(pl.col("n").fill_null(0))
            .sort("series", "period_start"))


def favourable_trend(frame: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    """F1 for the selection in each quarter: period_start, label, series, share, n."""
    f = favourable(frame, "quarter").select(
        pl.col("group_value").str.to_date().alias("period_start"),
        pl.lit(f"Rated {f1_favourable_words()}").alias("series"), "share", pl.col("rated").alias("n"))
    return _by_quarter(f, first, last)


def theme_trend(coded: pl.DataFrame, frame: pl.DataFrame, codes: Sequence[str],
                first: date, last: date, names: dict[str, str] | None = None) -> pl.DataFrame:
    """Presence of the chosen themes in each quarter: period_start, label, series (theme
    name), share (of the quarter's sources), n (the quarter's sources)."""
    p = theme_presence(coded, frame, "quarter", names).filter(pl.col("code").is_in(list(codes)))
    p = p.select(pl.col("group_value").str.to_date().alias("period_start"),
                 pl.col("theme").alias("series"), "share", pl.col("total_sources").alias("n"))
    return _by_quarter(p, first, last)


def what_we_heard(coded: pl.DataFrame, frame: pl.DataFrame, visible_coded: pl.DataFrame,
                  names: dict[str, str], top: int = 5, quotes: int = 2,
                  settings: ReviewSettings | None = None) -> pl.DataFrame:
    """The top themes of the selection, each with its share of sources and a few quotes.

    Args:
        coded: themes of the period (`qualitative.coded_excerpts`).
        frame: the selected texts (the sources the shares are out of).
        visible_coded: the coded excerpts of the selection as the reader may see them
            (`text_for_audience`); quotes come only from here, so a public audience gets
            only approved, redacted text.
        names: theme code → name.
        top, quotes: how many themes, and quotes per theme.

    Returns:
        rank, code, theme, sources, total_sources, share, quotes (list of texts).
    """
    presence = theme_presence(coded, frame, "all", names).head(top)
    picked = exemplars(visible_coded.filter(pl.col("code").is_in(presence["code"].to_list())),
                       ["code"], per_group=quotes, settings=settings)
    said = picked.group_by("code").agg(quotes=pl.col("text"))
    return (presence.join(said, on="code", how="left")
            .with_columns(pl.col("quotes").fill_null([]), rank=pl.int_range(1, pl.len() + 1))
            .select("rank", "code", "theme", "sources", "total_sources", "share", "quotes"))


def selection_coded(coded: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    """The coded excerpts of the selected texts only."""
    return coded.join(frame.select("excerpt_id").unique(), on="excerpt_id", how="semi")


def what_we_heard_markdown(heard: pl.DataFrame, heading: str, about: str, level: int = 1) -> str:
    """The list as Markdown, ready to paste into meeting notes (`level`: the heading's)."""
    lines = [f"{'#' * level} {heading}", "", about, ""]
    for r in heard.iter_rows(named=True):
        lines += [f"{r['rank']}. **{r['theme']}**: raised by {r['share']:.0%} of sources "
                  f"({r['sources']} of {r['total_sources']}).", ""]
        for q in r["quotes"]:
            lines += [f"   > {q}", ""]
    if heard.is_empty():
        lines.append("No themes were found in this selection.")
    return "\n".join(lines).rstrip() + "\n"


def what_we_heard_csv(heard: pl.DataFrame) -> bytes:
    """The list as CSV: one row per theme, quotes joined with " | "."""
    return heard.with_columns(pl.col("quotes").list.join(" | ")).write_csv().encode("utf-8")
