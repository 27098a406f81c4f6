"""The joint display's rule: how the measure and the case reviews of one pair compare with
the agency, and whether they confirm, expand or contradict each other.

METHODS.md 4.3 item 8 asks for a "fit" per finding (confirmation, expansion, discordance;
Fetters, Curry & Creswell 2013). The rule and its thresholds are `joint_pairs.yaml`'s; this
module applies them: each side of a pair becomes a `Side` (which way it leans against the
agency, and whether the difference is clear), `label_pair` names the fit, and `joint_rows`
lays out one row per pair with its sentence in plain words. Pure functions on frames the
unit profile has already read (and released), so the rule is tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from cqi_core.indicators.catalog import Catalog
from cqi_core.indicators.intervals import wilson
from cqi_core.analysis.joint_pairs import LABEL_WORDS, JointSettings, Pair

SIDE_WORDS = {1: "better than the agency", -1: "worse than the agency", 0: "close to the agency"}
SIGNAL_WORDS = {1: "improving (a signal on its own chart)",
                -1: "getting worse (a signal on its own chart)", 0: "steady"}


@dataclass(frozen=True)
class Side:
    """One side of a pair (the indicator, or the review items) against the agency."""

    direction: int
    """+1 better than the agency, -1 worse, 0 close (within the lean margin)."""
    clear: bool
    """The difference is clear: the interval leaves out the agency's value (or, for the
    indicator, its chart shows a signal at the latest month)."""
    enough: bool = True
    """False when there is nothing or too little to compare."""


def label_pair(data: Side, review: Side, theme_stands_out: bool = False) -> str:
    """The fit of a pair: confirming, expanding, discordant or not_enough (joint_pairs.yaml).

    Args:
        data: the indicator side.
        review: the review side.
        theme_stands_out: a theme stands out in the unit's narratives of the pair's items.
    """
    if not (data.enough and review.enough):
        return "not_enough"
    if data.clear or review.clear:
        clear, other = (data, review) if data.clear else (review, data)
        if other.direction == 0:
            return "expanding"
        return "confirming" if other.direction == clear.direction else "discordant"
    return "expanding" if theme_stands_out else "confirming"


def inside(x: float, low: float, high: float) -> bool:
    """x within [low, high], allowing for rounding (a Wilson bound of 1 may come out 0.9999…)."""
    return low - 1e-9 <= x <= high + 1e-9


def z_value(settings: JointSettings) -> float:
    """The normal quantile of the review side's interval (1.96 for 95%)."""
    from scipy.stats import norm  # imported when used: scipy.stats costs every command 0.7 s to load

    return float(norm.ppf(1 - (1 - settings.labels.confidence) / 2))


def standout_theme(coded: pl.DataFrame, texts: pl.DataFrame, unit_id: str, pair: Pair,
                   settings: JointSettings, names: dict[str, str]) -> dict | None:
    """The theme that stands out most in the unit's narratives of a pair's items, or None.

    Among the reviews with a narrative on the pair's items rated strength or area needing
    improvement, a theme other than the pair's `topic_themes` stands out when the unit has at
    least `theme_min_reviews` of them with the theme and its share is at least
    `theme_share_above` above the agency's share.

    Returns:
        code, theme, reviews (of the unit with the theme), of (the unit's reviews with a
        narrative on the items), share, agency_share; None when no theme stands out.
    """
    rule = settings.labels
    on_items = (pl.col("item").is_in(list(pair.items)) & (pl.col("source_type") == "case_review")
                & pl.col("rating").is_in(["strength", "area_needing_improvement"]))
    base = texts.filter(on_items)
    hits = coded.filter(on_items & ~pl.col("code").is_in(list(pair.topic_themes)))
    mine_n = base.filter(pl.col("unit_id") == unit_id)["source_id"].n_unique()
    all_n = base["source_id"].n_unique()
    if not mine_n or not all_n:
        return None
    mine = hits.filter(pl.col("unit_id") == unit_id).group_by("code").agg(
        pl.col("source_id").n_unique().alias("reviews"))
    agency = hits.group_by("code").agg(pl.col("source_id").n_unique().alias("agency_reviews"))
    out = (mine.join(agency, on="code")
           .with_columns(share=pl.col("reviews") / mine_n, agency_share=pl.col("agency_reviews") / all_n)
           .filter((pl.col("reviews") >= rule.theme_min_reviews)
                   & (pl.col("share") - pl.col("agency_share") >= rule.theme_share_above - 1e-12))
           .with_columns(gap=pl.col("share") - pl.col("agency_share"))
           .sort(["gap", "code"], descending=[True, False]))
    if out.is_empty():
        return None
    row = out.row(0, named=True)
    return {"code": row["code"], "theme": names.get(row["code"], row["code"]),
            "reviews": int(row["reviews"]), "of": int(mine_n), "share": float(row["share"]),
            "agency_share": float(row["agency_share"])}


# --------------------------------------------------------------------------- joint display

def _lean(diff: float, margin: float) -> int:
    """+1 / -1 when the difference reaches the margin (and is not nil), else 0."""
    if abs(diff) < 1e-12:
        return 0
    return 1 if diff >= margin - 1e-12 else -1 if diff <= -margin + 1e-12 else 0


def data_side(row: dict | None, settings: JointSettings) -> tuple[Side, str | None]:
    """The indicator side of a pair, and what made it clear (interval, signal or None)."""
    if row is None or row["value"] is None or row["agency_value"] is None:
        return Side(0, False, enough=False), None
    rule = settings.labels
    sign = 1 if row["direction"] == "higher" else -1
    diff = sign * (row["value"] - row["agency_value"])
    rate = row["unit"] != "percent"
    margin = rule.lean_relative * abs(row["agency_value"]) if rate else rule.lean_points
    lean = _lean(diff, margin)
    if row["versus_agency"] in ("better", "worse"):
        return Side(1 if row["versus_agency"] == "better" else -1, True), "interval"
    signal = {"special_cause_improvement": 1, "special_cause_concern": -1}.get(row.get("variation"))
    if rule.spc_signal_counts and signal and lean != -signal:
        return Side(signal, True), "signal"
    return Side(lean, False), None


def review_side(strengths: int | None, n: int | None, agency_strengths: int | None,
                agency_n: int | None, settings: JointSettings) -> tuple[Side, float | None, float | None]:
    """The review side of a pair (ratings pooled over its items), with its interval."""
    rule = settings.labels
    if not n or strengths is None or not agency_n or agency_strengths is None or n < rule.min_ratings:
        return Side(0, False, enough=False), None, None
    low, high = wilson(np.array([strengths]), np.array([n]), z_value(settings))
    rate, agency = strengths / n, agency_strengths / agency_n
    clear = not inside(agency, low[0], high[0])
    direction = (1 if rate > agency else -1) if clear else _lean(rate - agency, rule.lean_points)
    return Side(direction, clear), float(low[0]), float(high[0])


def data_words(data: Side, basis: str | None) -> str | None:
    """The data side in words: against the agency, or over time when a signal made it clear."""
    if not data.enough:
        return None
    if basis == "signal":
        return SIGNAL_WORDS[data.direction]
    return SIDE_WORDS[data.direction]


def pair_sentence(label: str, pair: Pair, data: Side, review: Side, basis: str | None,
                  theme: dict | None, review_n: int | None, counts: bool = True) -> str:
    """The finding of one pair in plain words."""
    data_w = "the measure"
    data_says = data_words(data, basis)
    if label == "not_enough":
        if not data.enough:
            return f"{pair.title}: the measure has no figure for this unit yet, so there is nothing to set the reviews against."
        many = f" ({review_n})" if counts and review_n is not None else ""
        return (f"{pair.title}: too few ratings{many} of these items in the period to "
                "compare.")
    if label == "discordant":
        return (f"{pair.title}: {data_w} shows the unit {data_says}, but the case reviews "
                f"show it {SIDE_WORDS[review.direction]}. Worth a closer look: practice, "
                "recording or the measure itself may differ.")
    if label == "expanding" and (data.clear or review.clear):
        if data.clear:
            return (f"{pair.title}: the measure shows the unit {data_says}, while the case "
                    "reviews show no clear difference from the agency: together they say more "
                    "than either alone.")
        return (f"{pair.title}: the case reviews show the unit {SIDE_WORDS[review.direction]}, "
                "while the measure shows no clear difference: together they say more than "
                "either alone.")
    if label == "expanding":
        many = f", {theme['reviews']} of {theme['of']} reviews" if counts else ""
        return (f"{pair.title}: neither the measure nor the case reviews show a clear difference "
                f"from the agency, but reviewers of this unit often raise {theme['theme']} "
                f"({theme['share']:.0%}{many}; agency {theme['agency_share']:.0%}).")
    if data.clear or review.clear:
        if basis == "signal":
            return (f"{pair.title}: the measure is {data_says}, and the case reviews show "
                    f"the unit {SIDE_WORDS[review.direction]}: both point the same way.")
        direction = data.direction if data.clear else review.direction
        return (f"{pair.title}: the measure and the case reviews both show the unit "
                f"{SIDE_WORDS[direction]}.")
    if data.direction and data.direction == review.direction:
        return (f"{pair.title}: neither the measure nor the case reviews show a clear difference "
                f"from the agency, though both lean the same way "
                f"({'better' if data.direction > 0 else 'worse'}).")
    if data.direction and review.direction:
        return (f"{pair.title}: neither the measure nor the case reviews show a clear difference "
                "from the agency; they lean different ways, within what chance allows.")
    return (f"{pair.title}: neither the measure nor the case reviews show a clear difference "
            "from the agency.")


def fit_note(label: str, data: Side, review: Side, theme: dict | None) -> str:
    """What the fit rests on, in a few words (under the label in the joint display)."""
    if label == "not_enough":
        return "no figure for the measure" if not data.enough else "too few ratings"
    if data.clear and review.clear:
        return "both differ clearly"
    if data.clear or review.clear:
        return {"confirming": "one clear, the other leans the same way",
                "discordant": "one clear, the other leans the other way",
                "expanding": "one clear, the other close"}[label]
    if label == "expanding":
        return f"theme: {theme['theme']}"
    return "neither differs clearly"


def joint_rows(indicators: pl.DataFrame, items: pl.DataFrame, standout: dict[str, dict | None],
               settings: JointSettings, catalog: Catalog, counts: bool = True) -> pl.DataFrame:
    """The joint display: one row per pair, labelled by the rule of joint_pairs.yaml.

    Args:
        indicators: `indicator_rows` of the unit.
        items: `item_rows` of the unit (as released to the viewer).
        standout: pair id → `standout_theme` result.
        counts: False for a public viewer (sentences without small counts).
    """
    by_indicator = {r["indicator_id"]: r for r in indicators.iter_rows(named=True)}
    by_item = {r["item"]: r for r in items.iter_rows(named=True)}
    rows = []
    for pair in settings.pairs:
        ind = by_indicator.get(pair.indicator)
        data, basis = data_side(ind, settings)
        got = [by_item[i] for i in pair.items if i in by_item]
        s = _sum([g["strengths"] for g in got])
        n = _sum([g["n"] for g in got])
        a_s = _sum([g["agency_strengths"] for g in got])
        a_n = _sum([g["agency_n"] for g in got])
        review, low, high = review_side(s, n, a_s, a_n, settings)
        theme = standout.get(pair.id)
        label = label_pair(data, review, theme is not None)
        entry = catalog.entry(pair.indicator)
        rows.append({
            "pair_id": pair.id, "title": pair.title, "indicator_id": pair.indicator,
            "indicator_name": entry.name, "items": ", ".join(pair.items),
            "data_text": ind["value_text"] if ind else "—",
            "agency_text": ind["agency_text"] if ind else "—",
            "data_direction": data_words(data, basis),
            "data_clear": data.clear, "data_basis": basis,
            "review_strengths": s, "review_n": n,
            "review_rate": s / n if s is not None and n else None,
            "review_low": low, "review_high": high,
            "agency_review_rate": a_s / a_n if a_s is not None and a_n else None,
            "review_direction": SIDE_WORDS[review.direction] if review.enough else None,
            "review_clear": review.clear,
            "theme": theme["theme"] if theme and label == "expanding" and not (data.clear or review.clear) else None,
            "label": label, "label_words": LABEL_WORDS[label],
            "fit_note": fit_note(label, data, review, theme),
            "sentence": pair_sentence(label, pair, data, review, basis, theme, n, counts),
            "agrees": pair.agrees})
    schema = {"review_strengths": pl.Int64, "review_n": pl.Int64, "review_rate": pl.Float64,
              "review_low": pl.Float64, "review_high": pl.Float64,
              "agency_review_rate": pl.Float64, "data_direction": pl.String,
              "review_direction": pl.String, "data_basis": pl.String, "theme": pl.String}
    return pl.DataFrame(rows, schema_overrides=schema, infer_schema_length=None)


def _sum(values: list) -> int | None:
    """The sum, or None when any part is unknown (masked for a public viewer) or none given."""
    if not values or any(v is None for v in values):
        return None
    return int(sum(values))
