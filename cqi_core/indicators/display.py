"""How indicator values read on screen: units, changes, icons and plain sentences.

Values stay on the engine's scale everywhere in the core (proportions 0-1, rates per
1,000 or 100,000 days); only these functions turn them into words for people. There is one
formatter of a value, `format_value`, and one of a share, `format_share`; a missing value
reads as one dash, `MISSING`, wherever it is shown. Tables, charts, slides and sentences
all use them, so a figure reads the same on every page. The words for a chart's signals
and icons live here too, because analysis writes them into sentences without drawing.
"""

from __future__ import annotations

from collections.abc import Mapping

from cqi_core.indicators.catalog import PER_HUNDRED, CatalogEntry

MISSING = "—"
"""What a missing value reads as: one em dash."""
UNIT_WORDS = {"percent": "", "per_1000_days": " per 1,000 days in care",
              "per_100000_days": " per 100,000 days in care",
              "per_1000_children": " per 1,000 children", "ratio": "",
              "per_100_caseworkers": " per 100 caseworkers"}
AXIS_TITLES = {"percent": "Percent (%)", "per_1000_days": "Per 1,000 days in care",
               "per_100000_days": "Per 100,000 days in care",
               "per_1000_children": "Per 1,000 children", "ratio": "Ratio",
               "per_100_caseworkers": "Leavers per 100 caseworkers"}
"""A value axis's title in words, by catalog unit."""
RULE_WORDS = {"outside_limits": "outside the limits", "shift": "long run on one side",
              "few_crossings": "too few crossings", "trend": "steady trend",
              "two_in_three": "two of three near a limit"}
"""A control chart rule in words."""
VARIATION_ICONS = {
    "common_cause": ("●", "no change beyond chance"),
    "special_cause_improvement": ("▲", "improving"),
    "special_cause_concern": ("▼", "getting worse"),
    "special_cause_neutral_high": ("↑", "higher than usual (neither better nor worse)"),
    "special_cause_neutral_low": ("↓", "lower than usual (neither better nor worse)"),
}
"""Making Data Count variation icons: what the latest point says, as a symbol and words."""
ASSURANCE_ICONS = {
    "consistent_pass": ("✓", "will meet the standard"),
    "consistent_fail": ("✗", "will not meet the standard without change"),
    "inconsistent": ("~", "may or may not meet the standard"),
    None: ("–", "no standard to judge against"),
}
"""Making Data Count assurance icons. The en dash for "no standard" is an icon, drawn
beside the others, not a missing value."""


def variation_icon(variation: str) -> tuple[str, str]:
    """What the latest point says, as a text symbol and plain words ("▲", "improving")."""
    return VARIATION_ICONS[variation]


def assurance_icon(assurance: str | None) -> tuple[str, str]:
    """Whether the process will meet the standard, as a symbol and plain words."""
    return ASSURANCE_ICONS[assurance]


VERDICT_WORDS = {
    "meets": ("✓", "meets the standard"),
    "does not meet": ("✗", "does not meet the standard yet"),
    "can't tell yet": ("?", "can't tell yet: the 95% range reaches both sides of the standard"),
}
"""The standard judged on the 95% interval (`latest.standard_verdict`), as a symbol and words."""
CHANGE_WORDS = {
    "better": "better than the 12 months before",
    "worse": "not as good as the 12 months before",
    "higher": "higher than the 12 months before",
    "lower": "lower than the 12 months before",
    "about the same": "about the same as the 12 months before (any difference may be chance)",
}
"""The change from the 12 months before (`latest.change_verdict`), in words."""
TOO_FEW = "too few to show"
"""What a unit's or region's figure reads as when its denominator is below the minimum."""


def display_scale(entry: CatalogEntry) -> float:
    """Factor from the engine's values to the numbers people read (100 for percent and for
    rates per 100 caseworkers)."""
    return 100.0 if entry.unit in PER_HUNDRED else 1.0


def is_share(entry: CatalogEntry) -> bool:
    """True when the value is a share (0-1, shown as a percent, never above 100%)."""
    return entry.unit == "percent"


def group_label(group_by: str, group_value: str, unit_names: Mapping[str, str]) -> str:
    """Whose figures these are, in words: a unit's name, a region, or the whole agency."""
    if group_by == "all":
        return "the whole agency"
    if group_by == "unit":
        return unit_names.get(group_value, group_value)
    return f"{group_value} region"


def format_value(entry: CatalogEntry, value: float | None, short: bool = False) -> str:
    """The value with its unit ("44.6%", "4.47 per 1,000 days in care"; "4.47" short);
    MISSING when there is none."""
    if value is None:
        return MISSING
    if entry.unit == "percent":
        return f"{value:.1%}"
    text = f"{value * 100:,.1f}" if entry.unit in PER_HUNDRED else f"{value:,.2f}"
    return text if short else text + UNIT_WORDS.get(entry.unit, "")


def format_display(entry: CatalogEntry, value: float | None, short: bool = False) -> str:
    """A plotted value in words: the same text as `format_value` (kept for its callers)."""
    return format_value(entry, value, short)


def format_share(share: float | None) -> str:
    """A share (0-1) as a whole percent ("38%"); MISSING when there is none."""
    return MISSING if share is None else f"{share:.0%}"


def _negligible(entry: CatalogEntry, change: float) -> bool:
    """True when the change disappears at the precision shown (0.1 point, or 0.01)."""
    return abs(change) < (0.0005 if entry.unit in PER_HUNDRED else 0.005)


def format_change(entry: CatalogEntry, change: float | None) -> str:
    """A signed change in the value's own unit ("+2.3 points", "−0.41")."""
    if change is None:
        return MISSING
    if _negligible(entry, change):
        return "no change"
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    if entry.unit == "percent":
        return f"{sign}{abs(change) * 100:.1f} points"
    if entry.unit in PER_HUNDRED:
        return f"{sign}{abs(change) * 100:,.1f}"
    return f"{sign}{abs(change):,.2f}"


def change_words(entry: CatalogEntry, change: float | None) -> str:
    """Whether a change went the better or the worse way, in words (no colour needed)."""
    if change is None:
        return "no earlier figure"
    if _negligible(entry, change):
        return "about the same as the period before"
    if entry.direction == "none":
        return "higher than the period before" if change > 0 else "lower than the period before"
    better = (change > 0) == (entry.direction == "higher")
    return "better than the period before" if better else "worse than the period before"


def status_words(meets: bool | None, entry: CatalogEntry) -> str:
    """Supportive status: 'meets the standard' or 'opportunity to improve' (never shaming)."""
    if entry.direction == "none":
        return "context (no standard)"
    if entry.standard is None:
        return "no standard set yet"
    if meets is None:
        return "no data for this period"
    return "meets the standard" if meets else "opportunity to improve"


def verdict_words(verdict: str | None, entry: CatalogEntry, hidden: bool = False,
                  small: bool = False) -> str:
    """The standard judged on the 95% interval, in words: meets, does not meet yet, or can't
    tell yet; or why there is no verdict."""
    if entry.direction == "none":
        return "context (no standard)"
    if entry.standard is None:
        return "no standard set yet"
    if hidden:
        return "hidden to protect privacy"
    if small:
        return TOO_FEW
    if verdict is None:
        return "no data for this period"
    return VERDICT_WORDS[verdict][1]


def change_verdict_words(verdict: str | None) -> str:
    """The change from the 12 months before in words ("no earlier figure" without one)."""
    return CHANGE_WORDS.get(verdict, "no earlier figure to compare")


def how_to_read(entry: CatalogEntry) -> str:
    """One plain line on reading the figure and its interval."""
    way = {"higher": "Higher is better.", "lower": "Lower is better.",
           "none": "This is context: neither higher nor lower is better."}[entry.direction]
    return (f"{way} The range in brackets is the 95% interval: with this many children, the "
            "true figure most likely lies inside it, so small differences inside it may be chance.")
