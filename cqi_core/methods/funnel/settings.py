"""The comparison rules of `cqi_core/compare.yaml`, validated once when first used."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cqi_core.settings import load_yaml
from cqi_core.errors import CQIError

SETTINGS_FILE = Path(__file__).with_name("compare.yaml")
FLAGS = ("high_99.8", "high_95", "none", "low_95", "low_99.8")
"""Every flag a unit can get, from highest to lowest."""
KINDS = ("proportion", "rate", "sr")
"""What a funnel compares: shares of a count, counts over an exposure, or observed over
expected counts (an indirectly standardised ratio)."""
ADJUSTMENTS = ("additive", "multiplicative")
"""Over-dispersion models that widen the limits."""


@dataclass(frozen=True)
class CompareSettings:
    """How units are compared (compare.yaml)."""

    alert: float
    """Coverage of the inner limits (0.95)."""
    alarm: float
    """Coverage of the outer limits (0.998)."""
    min_denominator: dict[str, float]
    """Per kind (proportion, rate, sr): smaller units are greyed and never flagged."""
    exact_below_expected: float
    """Auto draws exact limits when a unit expects fewer events (or non-events) than this."""
    winsorise: float
    """Fraction winsorised at each end of the z-scores before phi is computed."""
    overdispersion_alpha: float
    """The chi-squared test of phi finds over-dispersion when p is below this."""
    overdispersion_min_units: int
    """Fewer comparable units than this: no test, and auto adjusts nothing."""
    overdispersion_auto: str
    """additive or multiplicative: what auto applies when the test finds over-dispersion."""
    display: dict[str, Any]
    """Curve points, dash patterns, how each flag is drawn and named, table order."""

    def tails(self) -> dict[str, tuple[float, float]]:
        """Lower and upper tail probabilities of each level: alert (0.025, 0.975) …"""
        return {name: ((1 - cover) / 2, 1 - (1 - cover) / 2)
                for name, cover in (("alert", self.alert), ("alarm", self.alarm))}

    def level_words(self, name: str) -> str:
        """"95%" or "99.8%"."""
        cover = {"alert": self.alert, "alarm": self.alarm}[name] * 100
        return f"{cover:.1f}%".replace(".0%", "%")


def _fail(message: str) -> CQIError:
    return CQIError(f"compare.yaml: {message}")


def _fraction(raw: dict, key: str, low: float = 0.0, high: float = 1.0) -> float:
    v = raw.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not low < v < high:
        raise _fail(f"{key} must be a number between {low:g} and {high:g} (got {v!r}).")
    return float(v)


def _winsorise(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < 0.5:
        raise _fail(f"winsorise must be a fraction from 0 up to (not including) 0.5 (got {v!r}).")
    return float(v)


@lru_cache(maxsize=1)
def load_settings() -> CompareSettings:
    """The settings in compare.yaml, validated.

    Raises:
        CQIError: a missing or out-of-range setting.
    """
    raw = load_yaml(SETTINGS_FILE) or {}
    levels = raw.get("levels") or {}
    alert = _fraction(levels, "alert")
    alarm = _fraction(levels, "alarm")
    if alert >= alarm:
        raise _fail("levels.alert must be narrower (smaller) than levels.alarm.")
    mins = raw.get("min_denominator") or {}
    if set(mins) != set(KINDS) or any(
            isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 for v in mins.values()):
        raise _fail("min_denominator needs a number of 0 or more for each of proportion, rate "
                    "and sr.")
    expected = raw.get("exact_below_expected")
    if isinstance(expected, bool) or not isinstance(expected, (int, float)) or expected < 0:
        raise _fail(f"exact_below_expected must be a number of 0 or more (got {expected!r}).")
    min_units = raw.get("overdispersion_min_units")
    if isinstance(min_units, bool) or not isinstance(min_units, int) or min_units < 2:
        raise _fail(f"overdispersion_min_units must be a whole number of 2 or more "
                    f"(got {min_units!r}).")
    auto = raw.get("overdispersion_auto")
    if auto not in ADJUSTMENTS:
        raise _fail(f"overdispersion_auto must be additive or multiplicative (got {auto!r}).")
    display = raw.get("display") or {}
    flags = display.get("flags") or {}
    for flag in (*FLAGS, "below_minimum"):
        spec = flags.get(flag) if flag != "below_minimum" else display.get("below_minimum")
        if not isinstance(spec, dict) or set(spec) != {"label", "shape", "marker"}:
            raise _fail(f"display needs label, shape and marker for {flag!r}.")
    dash = display.get("dash") or {}
    if set(dash) != {"alert", "alarm"} or dash["alert"] == dash["alarm"]:
        raise _fail("display.dash needs two different dash patterns, alert and alarm.")
    points = display.get("curve_points")
    if isinstance(points, bool) or not isinstance(points, int) or points < 10:
        raise _fail("display.curve_points must be a whole number of 10 or more.")
    if display.get("sort_table_by") != "unit":
        raise _fail("display.sort_table_by must be unit: the table is never ranked by value.")
    return CompareSettings(
        alert=alert, alarm=alarm, min_denominator={k: float(v) for k, v in mins.items()},
        exact_below_expected=float(expected), winsorise=_winsorise(raw.get("winsorise")),
        overdispersion_alpha=_fraction(raw, "overdispersion_alpha"),
        overdispersion_min_units=min_units, overdispersion_auto=auto, display=display)
