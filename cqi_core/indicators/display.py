"""How indicator values read on screen: units, changes and plain sentences.

Values stay on the engine's scale everywhere in the core (proportions 0-1, rates per
1,000 or 100,000 days); only these functions turn them into words for people.
"""

from __future__ import annotations

from cqi_core.indicators.catalog import CatalogEntry

UNIT_WORDS = {"percent": "", "per_1000_days": " per 1,000 days in care",
              "per_100000_days": " per 100,000 days in care",
              "per_1000_children": " per 1,000 children", "ratio": ""}


def format_value(entry: CatalogEntry, value: float | None, short: bool = False) -> str:
    """The value with its unit ("44.6%", "4.47 moves per 1,000 days"); '—' when missing."""
    if value is None:
        return "—"
    if entry.unit == "percent":
        return f"{value:.1%}"
    text = f"{value:,.2f}"
    return text if short else text + UNIT_WORDS.get(entry.unit, "")


def _negligible(entry: CatalogEntry, change: float) -> bool:
    """True when the change disappears at the precision shown (0.1 point, or 0.01)."""
    return abs(change) < (0.0005 if entry.unit == "percent" else 0.005)


def format_change(entry: CatalogEntry, change: float | None) -> str:
    """A signed change in the value's own unit ("+2.3 points", "−0.41")."""
    if change is None:
        return "—"
    if _negligible(entry, change):
        return "no change"
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    if entry.unit == "percent":
        return f"{sign}{abs(change) * 100:.1f} points"
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


def how_to_read(entry: CatalogEntry) -> str:
    """One plain line on reading the figure and its interval."""
    way = {"higher": "Higher is better.", "lower": "Lower is better.",
           "none": "This is context: neither higher nor lower is better."}[entry.direction]
    return (f"{way} The range in brackets is the 95% interval: with this many children, the "
            "true figure most likely lies inside it, so small differences inside it may be chance.")
