"""The generator's knobs, read from `plan.yaml` and checked once.

Rules live in the YAML file; this module only loads it, checks that the parts the
generator relies on are there and sensible, and hands out the settings of one size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cqi_core.settings import load_yaml
from cqi_core.synth.dates import to_day

PLAN_PATH = Path(__file__).with_name("plan.yaml")
SIZES = ("tiny", "demo", "state")
PUBLIC_SIZES = ("demo", "state")

_SECTIONS = ("dates", "seasonality", "sizes", "agencies", "planted", "workforce", "families",
             "episodes", "placements", "reports", "visits", "population", "reviews", "voices",
             "dirty")
_SIZE_KEYS = ("children", "chunk_children", "agency", "caseworkers_per_unit", "care_family_share",
              "stock_share", "visits_extra", "report_intensity", "reviews_per_unit_year",
              "feedback_per_unit_year", "edge_minimum")


@dataclass(frozen=True)
class Plan:
    """The plan for one size: every section of plan.yaml plus that size's settings."""

    size: str
    """tiny, demo or state."""
    raw: dict[str, Any]
    """The whole plan.yaml, as loaded, with this size's overrides applied."""
    settings: dict[str, Any]
    """The `sizes.<size>` block."""
    history_start: int
    """First day of reports and visits (day number)."""
    as_of: int
    """Extraction date (day number): nothing later is written."""

    def __getitem__(self, section: str) -> Any:
        return self.raw[section]

    @property
    def history_start_date(self) -> date:
        return date.fromisoformat(str(self.raw["dates"]["history_start"]))

    @property
    def as_of_date(self) -> date:
        return date.fromisoformat(str(self.raw["dates"]["as_of"]))

    def planted_name(self, change: str) -> str:
        """The unit or region a planted change applies to in this size's agency."""
        spec = self.raw["planted"][change]
        where = spec.get("unit", spec.get("region"))
        return where[self.settings["agency"]]


def load_plan(size: str, path: Path = PLAN_PATH) -> Plan:
    """Read plan.yaml and return the plan of `size`.

    Raises:
        ValueError: `size` is not a known size, or the plan file is inconsistent.
    """
    if size not in SIZES:
        raise ValueError(f"Unknown size {size!r}: choose one of {', '.join(PUBLIC_SIZES)}.")
    raw = load_yaml(path)
    missing = [s for s in _SECTIONS if s not in raw]
    if missing:
        raise ValueError(f"{path.name} lacks the section(s) {', '.join(missing)}.")
    settings = raw["sizes"].get(size)
    if settings is None:
        raise ValueError(f"{path.name} has no settings for size {size!r}.")
    lacking = [k for k in _SIZE_KEYS if k not in settings]
    if lacking:
        raise ValueError(f"{path.name}: size {size!r} lacks {', '.join(lacking)}.")
    if settings["agency"] not in raw["agencies"]:
        raise ValueError(f"{path.name}: size {size!r} names an unknown agency {settings['agency']!r}.")
    _apply_overrides(raw, settings.get("overrides") or {}, size)
    _check_shares(raw)
    hs = to_day(str(raw["dates"]["history_start"]))
    as_of = to_day(str(raw["dates"]["as_of"]))
    if as_of <= hs + 365:
        raise ValueError(f"{path.name}: as_of must be more than a year after history_start.")
    return Plan(size=size, raw=raw, settings=dict(settings), history_start=hs, as_of=as_of)


def _apply_overrides(raw: dict[str, Any], overrides: dict[str, Any], size: str) -> None:
    """Replace knobs of the shared sections for this size only (`sizes.<size>.overrides`).

    Keys are dotted paths into plan.yaml (`episodes.reentry.later`); the knob must exist,
    so a typo fails loudly instead of being ignored.
    """
    for dotted, value in overrides.items():
        *path, last = str(dotted).split(".")
        node = raw
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
            if node is None:
                break
        if not isinstance(node, dict) or last not in node or path[0] in ("sizes", "dates"):
            raise ValueError(f"plan.yaml: size {size!r} overrides {dotted!r}, which is not a knob of the plan.")
        node[last] = value


def _check_shares(raw: dict[str, Any]) -> None:
    """Every mapping of shares must hold non-negative numbers with a positive sum."""
    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            values = list(node.values())
            if values and all(isinstance(v, (int, float)) for v in values) and where.split(".")[-1] in _SHARE_MAPS:
                if min(values) < 0 or sum(values) <= 0:
                    raise ValueError(f"plan.yaml: {where} must hold non-negative shares.")
            for k, v in node.items():
                walk(v, f"{where}.{k}")
    walk(raw, "plan")


_SHARE_MAPS = {"sex", "race_ethnicity", "entry_age", "report_age", "0-5", "6-12", "13-17", "18+",
               "removal_lag_days", "maltreatment", "perpetrator_home", "perpetrator_care",
               "incident_lag", "entry_lag"}
