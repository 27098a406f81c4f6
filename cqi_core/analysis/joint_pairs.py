"""The pairs of an administrative measure and case review items, as data (`joint_pairs.yaml`).

A joint display (METHODS.md 4.3 item 8) sets what the records say beside what reviewers
found. Which indicator goes with which items, which case-level measure each review is
checked against, and the thresholds of the confirming / expanding / discordant rule are
settings, not code: the unit profile (`unit_profile`) and the case-level join (`conjoint`)
both read them from here, checked when loaded, so a bad edit fails with the line to fix
rather than with a wrong label.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cqi_core.settings import load_yaml
from cqi_core.storage.contract import load_contract
from cqi_core.errors import CQIError
from cqi_core.indicators.engine import load_config

PATH = Path(__file__).with_name("joint_pairs.yaml")
MEASURES = ("moves", "visits", "permanency", "investigation", "reentry", "maltreatment")
"""The case-level measures `conjoint` computes (one SQL file each in sql/conjoint/)."""
LABELS = ("confirming", "expanding", "discordant", "not_enough")
"""Fit of a pair, as METHODS.md names it (confirmation, expansion, discordance), plus the
case where there is too little to say."""
LABEL_WORDS = {"confirming": "Confirming", "expanding": "Expanding", "discordant": "Discordant",
               "not_enough": "Not enough data"}


@dataclass(frozen=True)
class Pair:
    """One indicator and the review items that judge the same practice."""

    id: str
    """Short key (stability, visits …)."""
    title: str
    """The practice in words ("Placement stability")."""
    indicator: str
    """Indicator id (P5, V1 …), computed by unit."""
    items: tuple[str, ...]
    """Review items ("4"; "14", "15")."""
    measure: str
    """The case-level measure each review of these items is checked against."""
    agrees: str
    """Which way the two agree, in words."""
    topic_themes: tuple[str, ...] = ()
    """Codebook themes the items are about anyway; they never "stand out"."""


@dataclass(frozen=True)
class Measure:
    """A case-level measure and when its result is favourable."""

    id: str
    """moves, visits, permanency, investigation, reentry or maltreatment."""
    name: str
    """The measure in words."""
    applies: str
    """When a review can be checked against it, in words."""
    favourable_at_most: int | None
    """moves, maltreatment: favourable when the count is at most this."""
    favourable_share_at_least: float | None
    """visits, investigation: favourable when the share is at least this."""
    months: int | None
    """permanency, reentry: the window in months."""


@dataclass(frozen=True)
class LabelRule:
    """Thresholds of the confirming / expanding / discordant rule."""

    confidence: float
    """Confidence of the review side's Wilson interval (0.95)."""
    spc_signal_counts: bool
    """A signal at the latest month of the unit's chart makes the data side clear."""
    lean_points: float
    """A share leans a way from this difference on (fraction: 0.05 = 5 points)."""
    lean_relative: float
    """A rate leans a way from this share of the agency's value on."""
    min_ratings: int
    """Fewer applicable ratings (pooled over the pair's items) than this: not enough data."""
    theme_min_reviews: int
    """A theme stands out only when raised in at least this many of the unit's reviews."""
    theme_share_above: float
    """… and in a share of them at least this much above the agency's."""


@dataclass(frozen=True)
class JointSettings:
    """Everything `joint_pairs.yaml` says."""

    pairs: tuple[Pair, ...]
    """The pairs, in display order."""
    measures: dict[str, Measure]
    """Case-level measures by id."""
    default_period_months: int
    """Period under review when a review gives none: this many months up to its date."""
    labels: LabelRule
    """The labelling rule."""
    review_months: int
    """Unit profile: reviews, themes and quotes of this many months up to the as-of date."""
    top_themes: int
    """Unit profile: themes shown per source."""
    quotes_per_pair: int
    """Unit profile: exemplar quotes per pair."""

    def pair_of_item(self, item: str) -> Pair | None:
        """The pair an item belongs to, or None."""
        return next((p for p in self.pairs if item in p.items), None)

    @property
    def items(self) -> tuple[str, ...]:
        """Every paired item, in pair order."""
        return tuple(i for p in self.pairs for i in p.items)


def _bad(where: str, message: str) -> CQIError:
    return CQIError(f"joint_pairs.yaml, {where}: {message}")


def _fraction(where: str, v) -> float:
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 1:
        raise _bad(where, f"must be a number from 0 to 1, not {v!r}.")
    return float(v)


def _count(where: str, v, least: int = 0) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v < least:
        raise _bad(where, f"must be a whole number of at least {least}, not {v!r}.")
    return v


@lru_cache(maxsize=4)
def load_joint_settings(path: str | None = None) -> JointSettings:
    """The pairs, measures and labelling thresholds, checked.

    Raises:
        CQIError: an unknown indicator, item or measure, an item in two pairs, or a
            threshold out of range (the message names the entry).
    """
    raw = load_yaml(path or PATH) or {}
    items = load_contract().table("ratings").column("item").items
    config = load_config()
    measures = {}
    for mid, spec in (raw.get("measures") or {}).items():
        if mid not in MEASURES:
            raise _bad(f"measures.{mid}", f"unknown measure; known: {', '.join(MEASURES)}.")
        at_most = spec.get("favourable_at_most")
        share = spec.get("favourable_share_at_least")
        months = spec.get("months")
        measures[mid] = Measure(
            id=mid, name=str(spec["name"]), applies=str(spec.get("applies", "")),
            favourable_at_most=None if at_most is None else _count(f"measures.{mid}", at_most),
            favourable_share_at_least=None if share is None else _fraction(f"measures.{mid}", share),
            months=None if months is None else _count(f"measures.{mid}.months", months, 1))
    missing = [m for m in MEASURES if m not in measures]
    if missing:
        raise _bad("measures", f"{missing[0]} is missing.")
    pairs, seen = [], {}
    for k, spec in enumerate(raw.get("pairs") or []):
        where = f"pairs[{k}] ({spec.get('id', '?')})"
        indicator = str(spec["indicator"])
        if indicator not in config or "unit" not in config[indicator].groupings \
                or config[indicator].better not in ("higher", "lower"):
            raise _bad(where, f"{indicator!r} is not an indicator computed by unit with a better "
                              "direction.")
        its = tuple(str(i) for i in spec["items"])
        for i in its:
            if i not in items:
                raise _bad(where, f"{i!r} is not a review item.")
            if i in seen:
                raise _bad(where, f"item {i} is already in pair {seen[i]}.")
            seen[i] = spec["id"]
        if spec["measure"] not in measures:
            raise _bad(where, f"unknown measure {spec['measure']!r}.")
        pairs.append(Pair(id=str(spec["id"]), title=str(spec["title"]), indicator=indicator,
                          items=its, measure=str(spec["measure"]),
                          agrees=" ".join(str(spec.get("agrees", "")).split()),
                          topic_themes=tuple(str(t) for t in spec.get("topic_themes") or ())))
    if not pairs:
        raise _bad("pairs", "at least one pair is needed.")
    lab = raw.get("labels") or {}
    rule = LabelRule(
        confidence=_fraction("labels.confidence", lab.get("confidence")),
        spc_signal_counts=bool(lab.get("spc_signal_counts", True)),
        lean_points=_fraction("labels.lean_points", lab.get("lean_points")),
        lean_relative=_fraction("labels.lean_relative", lab.get("lean_relative")),
        min_ratings=_count("labels.min_ratings", lab.get("min_ratings"), 1),
        theme_min_reviews=_count("labels.theme_min_reviews", lab.get("theme_min_reviews"), 1),
        theme_share_above=_fraction("labels.theme_share_above", lab.get("theme_share_above")))
    if not 0.5 < rule.confidence < 1:
        raise _bad("labels.confidence", "must be between 0.5 and 1.")
    prof = raw.get("profile") or {}
    return JointSettings(
        pairs=tuple(pairs), measures=measures,
        default_period_months=_count("default_period_months", raw.get("default_period_months"), 1),
        labels=rule, review_months=_count("profile.review_months", prof.get("review_months"), 1),
        top_themes=_count("profile.top_themes", prof.get("top_themes"), 1),
        quotes_per_pair=_count("profile.quotes_per_pair", prof.get("quotes_per_pair"), 0))
