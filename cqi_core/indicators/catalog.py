"""The indicator catalog: what each measure means, as data, with every edit kept.

`catalog.yaml` holds one entry per indicator output id: a plain-language definition, a
youth sentence, the measure type, direction, unit, the agency's standard, the national
reference, the methodology and the choices behind it, the values it serves, its owner,
review date and version history (framework component 1: outcomes, indicators and standards
clearly defined, communicated and reviewed). `config.yaml` says how the engine computes an
indicator; this file says what it means. `check_catalog_complete` keeps the two (and the
SQL files) in step.

Staff change the catalog from the app, not by editing the YAML: `save_edit` appends a
version row to the `catalog_edits` table and `load_catalog(store)` lays the saved edits
over the YAML, newest edit of each field winning. Rows are never changed or deleted, so
`history` can always say who changed what, when and why. The same versioning serves the
agency's values (`cqi_core.indicators.values`, table `value_edits`), through
`cqi_core.storage.edits`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping

import polars as pl

from cqi_core.settings import load_yaml
from cqi_core.errors import CQIError
# EDIT_TABLES and VersionNote are re-exported: pages and older callers read them here.
from cqi_core.storage.edits import (EDIT_TABLES, VersionNote, append_edit,  # noqa: F401
                                    check_edit_request, edit_note, history_frame, stored_edits)
from cqi_core.storage.edits import BadField as _Bad
from cqi_core.storage.edits import field_choice as _one_of
from cqi_core.storage.edits import field_day as _day
from cqi_core.storage.edits import field_flag as _flag
from cqi_core.storage.edits import field_history as _history
from cqi_core.storage.edits import field_number as _number
from cqi_core.storage.edits import field_text as _text
from cqi_core.storage.edits import field_texts as _texts
from cqi_core.indicators.values import load_values, value_ids
from cqi_core.storage.store import Store
from cqi_core.indicators.engine import load_config

CATALOG_PATH = Path(__file__).with_name("catalog.yaml")
MEASURE_TYPES = ("completion", "timeliness", "performance", "quality", "outcome", "context")
DIRECTIONS = ("higher", "lower", "none")
UNITS = ("percent", "per_1000_days", "per_100000_days", "per_1000_children", "ratio",
         "per_100_caseworkers")
PER_HUNDRED = ("percent", "per_100_caseworkers")
"""Units read as so many in every 100 (value × 100): a share, or a rate per 100 workers,
which unlike a share can pass 100."""
FEDERAL_LABEL = "observed, not risk-adjusted"
EDITABLE = ("name", "definition", "youth_sentence", "youth_fallback", "standard",
            "standard_strict", "standard_note", "owner", "review_date", "value_ids",
            "methodology", "choices")
"""Fields `save_edit` may change. The rest (type, direction, unit, national reference …)
follow the engine's configuration and change with the code, through the YAML."""

PLACEHOLDERS = {
    "n10": PER_HUNDRED, "n100": PER_HUNDRED,
    "per_year_10": ("per_1000_days", "per_100000_days"),
    "per_year_100": ("per_1000_days", "per_100000_days"),
    "value": ("per_1000_children", "ratio"),
}
"""Youth sentence placeholders and the units they can be filled from."""

_PER_DAYS = {"per_1000_days": 1_000, "per_100000_days": 100_000}
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]*)\}")
_KEYS = ("id", "name", "definition", "youth_sentence", "youth_fallback", "measure_type",
         "direction", "unit", "standard", "standard_strict", "standard_note", "national",
         "federal", "label", "methodology", "value_ids", "owner", "review_date", "history")
_METHOD_KEYS = ("rule", "choices", "choices_confirmed")



@dataclass(frozen=True)
class CatalogEntry:
    """One indicator as the catalog describes it (the YAML with saved edits laid over it)."""

    id: str
    """Output id of the engine: P1, V2, Q1.12A, Q2.WB1 …"""
    name: str
    """Short name shown on screen."""
    definition: str
    """Plain language: who is counted, what counts as success, over what time."""
    youth_sentence: str
    """Grade-8 template with one placeholder ({n10}, {n100}, {per_year_10}, {per_year_100}
    or {value}); fill it with `youth_text`."""
    youth_fallback: str
    """The youth sentence without a number, for when there is no value."""
    measure_type: str
    """completion, timeliness, performance, quality, outcome or context."""
    direction: str
    """higher, lower or none: which way is better."""
    unit: str
    """How the value is shown: percent, per_1000_days, per_100000_days, per_1000_children,
    ratio or per_100_caseworkers (values themselves are on the engine's scale: proportions
    0-1, turnover as leavers per caseworker)."""
    standard: float | None
    """The agency's target on the engine's scale, or None when the agency has not set one."""
    standard_strict: bool
    """True when the value must be strictly better than the standard ("above 50%")."""
    standard_note: str
    """Where the standard comes from."""
    national: float | None
    """National performance (CFSR Round 4) as a reference, or None."""
    federal: bool
    """True for the federal statewide data indicators (and the entry-rate context figure)."""
    label: str | None
    """"observed, not risk-adjusted" for the federal ones, else None."""
    methodology: str
    """The exact rule in words."""
    choices: tuple[str, ...]
    """Every choice made where INDICATORS.md leaves one open ("Open: …" when undecided)."""
    choices_confirmed: bool
    """False while `choices` is the catalog's placeholder list, not yet checked against the SQL."""
    value_ids: tuple[str, ...]
    """Ids of the agency values (values.yaml) the measure serves."""
    owner: str
    """The role that looks after the measure."""
    review_date: date
    """When the entry is next reviewed."""
    version: int
    """The current version (the YAML's latest or the newest saved edit)."""
    history: tuple[VersionNote, ...]
    """Every version, oldest first."""

    def meets(self, value: float | None) -> bool | None:
        """Whether `value` meets the standard; None without a value, standard or direction."""
        if value is None or self.standard is None or self.direction == "none" \
                or (isinstance(value, float) and math.isnan(value)):
            return None
        if self.direction == "higher":
            return value > self.standard if self.standard_strict else value >= self.standard
        return value < self.standard if self.standard_strict else value <= self.standard


@dataclass(frozen=True)
class Catalog:
    """Every catalog entry, in the order the app shows them."""

    entries: tuple[CatalogEntry, ...]
    """The entries, in catalog order."""

    def entry(self, id: str) -> CatalogEntry:
        """The entry with this id.

        Raises:
            CQIError: no such entry.
        """
        for e in self.entries:
            if e.id == id:
                return e
        raise CQIError(f"There is no indicator {id!r} in the catalog.")

    @property
    def ids(self) -> list[str]:
        """Entry ids in catalog order."""
        return [e.id for e in self.entries]

    def __iter__(self) -> Iterator[CatalogEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, id: object) -> bool:
        return any(e.id == id for e in self.entries)

    def to_frame(self) -> pl.DataFrame:
        """One row per entry (lists joined with "; "), for tables and downloads."""
        rows = []
        for e in self.entries:
            row = {f.name: getattr(e, f.name) for f in fields(e) if f.name != "history"}
            row["choices"] = "; ".join(e.choices)
            row["value_ids"] = ", ".join(e.value_ids)
            rows.append(row)
        return pl.DataFrame(rows, infer_schema_length=None)


def _kinds() -> dict[str, str]:
    """Engine kind (proportion, rate, ratio) by output id."""
    return {i: c.kind for c in load_config().values() for i in c.ids}


def _standard(v: Any, unit: str, kind: str | None) -> float | None:
    proportion = kind == "proportion" or (kind is None and unit == "percent")
    if isinstance(v, str) and proportion and v.strip().endswith("%"):
        try:
            v = float(v.strip()[:-1]) / 100
        except ValueError:
            pass
    v = _number("standard", v)
    if v is None:
        return None
    if v < 0:
        raise _Bad("standard", f"cannot be negative (got {v:g})")
    if proportion and v > 1:
        raise _Bad("standard", f"is a share between 0 and 1 (for {v:g}% enter {v / 100:g}); "
                               f"got {v:g}")
    return v


def _build(flat: Mapping[str, Any], known_values: tuple[str, ...] | None) -> CatalogEntry:
    """A validated entry from flat fields (YAML types or Python types); raises _Bad."""
    eid = flat["id"]
    unit = _one_of("unit", flat["unit"], UNITS)
    direction = _one_of("direction", flat["direction"], DIRECTIONS)
    standard = _standard(flat["standard"], unit, _kinds().get(eid))
    if direction == "none" and standard is not None:
        raise _Bad("standard", "a measure with no direction cannot have a standard")
    federal = _flag("federal", flat["federal"])
    label = flat["label"]
    if label is not None:
        label = _text("label", label)
    if federal and label != FEDERAL_LABEL:
        raise _Bad("label", f"a federal indicator is labelled {FEDERAL_LABEL!r}")
    youth = _text("youth_sentence", flat["youth_sentence"])
    used = _PLACEHOLDER.findall(youth)
    if not used:
        raise _Bad("youth_sentence", "needs a placeholder such as {n10} for the number")
    for p in used:
        if p not in PLACEHOLDERS:
            raise _Bad("youth_sentence", f"unknown placeholder {{{p}}}; use one of "
                                         f"{', '.join('{' + k + '}' for k in PLACEHOLDERS)}")
        if unit not in PLACEHOLDERS[p]:
            raise _Bad("youth_sentence", f"{{{p}}} cannot be filled from a value in {unit}")
    fallback = _text("youth_fallback", flat["youth_fallback"])
    if _PLACEHOLDER.search(fallback):
        raise _Bad("youth_fallback", "is the sentence without a number: no placeholder")
    value_ids = _texts("value_ids", flat["value_ids"])
    if not value_ids:
        raise _Bad("value_ids", "must name at least one agency value")
    if known_values is not None:
        unknown = [v for v in value_ids if v not in known_values]
        if unknown:
            raise _Bad("value_ids", f"unknown value {unknown[0]!r}; "
                                    f"known: {', '.join(known_values)}")
    history = _history(flat["history"])
    name = _text("name", flat["name"])
    if not name:
        raise _Bad("name", "cannot be empty")
    return CatalogEntry(
        id=eid, name=name, definition=_text("definition", flat["definition"]),
        youth_sentence=youth, youth_fallback=fallback,
        measure_type=_one_of("measure_type", flat["measure_type"], MEASURE_TYPES),
        direction=direction, unit=unit, standard=standard,
        standard_strict=_flag("standard_strict", flat["standard_strict"]),
        standard_note=_text("standard_note", flat["standard_note"]),
        national=_number("national", flat["national"]), federal=federal, label=label,
        methodology=_text("methodology", flat["methodology"]),
        choices=_texts("choices", flat["choices"]),
        choices_confirmed=_flag("choices_confirmed", flat["choices_confirmed"]),
        value_ids=value_ids, owner=_text("owner", flat["owner"]),
        review_date=_day("review_date", flat["review_date"]),
        version=int(flat.get("version") or history[-1].version), history=history)


def _flatten(raw: Any, position: int) -> dict[str, Any]:
    """Check an entry's keys and lift methodology's parts to the top level; raises _Bad."""
    if not isinstance(raw, dict):
        raise _Bad("(entry)", f"entry #{position} is not a mapping")
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise _Bad(unknown[0], f"unknown key(s) {unknown}")
    missing = [k for k in _KEYS if k not in raw]
    if missing:
        raise _Bad(missing[0], f"missing field(s) {missing}")
    method = raw["methodology"]
    if not isinstance(method, dict):
        raise _Bad("methodology", f"must be a mapping with {', '.join(_METHOD_KEYS)}")
    if set(method) != set(_METHOD_KEYS):
        raise _Bad("methodology", f"needs exactly the keys {', '.join(_METHOD_KEYS)}")
    flat = {k: v for k, v in raw.items() if k != "methodology"}
    flat.update(methodology=method["rule"], choices=method["choices"],
                choices_confirmed=method["choices_confirmed"])
    return flat


@lru_cache(maxsize=8)
def _load_yaml(path: str, mtime_ns: int) -> Catalog:
    where = Path(path).name
    raw = load_yaml(path) or {}
    if not isinstance(raw, dict) or not isinstance(raw.get("entries"), list):
        raise ValueError(f"{where}: expected a mapping with a list under 'entries'")
    extra = sorted(set(raw) - {"entries", "_shared"})
    if extra:
        raise ValueError(f"{where}: unknown top-level key(s) {extra}")
    known = value_ids()
    entries, seen = [], set()
    for k, item in enumerate(raw["entries"], start=1):
        eid = item.get("id") if isinstance(item, dict) else None
        label = eid if isinstance(eid, str) and eid else f"#{k}"
        try:
            if not isinstance(eid, str) or not eid.strip():
                raise _Bad("id", "missing or not text")
            if eid in seen:
                raise _Bad("id", "appears twice")
            entries.append(_build(_flatten(item, k), known))
        except _Bad as bad:
            raise ValueError(f"{where}: entry {label}, field {bad.field}: {bad}") from None
        seen.add(eid)
    return Catalog(tuple(entries))


# ---- public API ---------------------------------------------------------------------------

def _flat(entry: CatalogEntry) -> dict[str, Any]:
    return {f.name: getattr(entry, f.name) for f in fields(entry)}


def _jsonable(v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, tuple):
        return list(v)
    return v


def _apply(entry: CatalogEntry, changes: Mapping[str, Any], known: tuple[str, ...] | None,
           version: int, notes: tuple[VersionNote, ...]) -> CatalogEntry:
    flat = _flat(entry)
    flat.update(changes)
    flat.update(version=version, history=notes)
    return _build(flat, known)


def load_catalog(store: Store | None = None, path: str | Path | None = None) -> Catalog:
    """The catalog: the YAML, with the edits saved in `store` laid over it.

    Args:
        store: the database whose `catalog_edits` to apply; None for the YAML alone.
        path: another catalog file (tests); default `catalog.yaml` beside this module.

    Raises:
        ValueError: the YAML is not valid (the message names the entry and the field).
        CQIError: a saved edit no longer fits its entry.
    """
    p = Path(path) if path else CATALOG_PATH
    base = _load_yaml(str(p.resolve()), p.stat().st_mtime_ns)
    if store is None:
        return base
    edits = stored_edits(store, "catalog_edits")
    if not edits:
        return base
    out = []
    for e in base.entries:
        for edit in edits.get(e.id, []):
            notes = e.history + (edit_note(edit),)
            try:
                e = _apply(e, edit["changes"], None, max(e.version, edit["version"]), notes)
            except _Bad as bad:
                raise CQIError(f"The saved change version {edit['version']} of {e.id} no longer "
                               f"fits the catalog ({bad.field} {bad}).") from None
        out.append(e)
    return Catalog(tuple(out))


def save_edit(store: Store, id: str, changes: dict, why: str, by: str) -> CatalogEntry:
    """Change editable fields of one entry, kept as a new version.

    Args:
        store: a database open for writing.
        id: the entry, e.g. "P1".
        changes: field → new value, fields from `EDITABLE` ("methodology" is the rule text,
            "choices" its list). A standard for a percent measure is a share (0.9) or "90%".
        why: the reason, kept with the change.
        by: who is making it.

    Returns:
        The entry as it now reads (version + 1).

    Raises:
        CQIError: an unknown entry or field, a value that does not fit, nothing changed, no
            reason or name given; StoreError when the database is read-only.
    """
    check_edit_request(store, id, changes, why, by, EDITABLE)
    with store.writing() as con:
        current = load_catalog(store).entry(id)
        known = tuple(v.id for v in load_values(store))
        try:
            edited = _apply(current, changes, known, current.version, current.history)
        except _Bad as bad:
            raise CQIError(f"The change to {id} was not saved: {bad.field} {bad}.") from None
        new = {k: _jsonable(getattr(edited, k)) for k in changes
               if getattr(edited, k) != getattr(current, k)}
        if not new:
            raise CQIError(f"Nothing to save: {id} already reads like that.")
        old = {k: _jsonable(getattr(current, k)) for k in new}
        append_edit(con, "catalog_edits", id, current.version, new, old, why.strip(), by.strip())
    return load_catalog(store).entry(id)


def history(store: Store | None, id: str) -> pl.DataFrame:
    """Every version of one entry (the YAML's, then the saved edits), newest first.

    Columns: version, date, what, why, by, source ("catalog file" or "saved edit"),
    saved_at (saved edits only), changes (JSON of the changed fields, saved edits only).

    Raises:
        CQIError: no such entry.
    """
    entry = load_catalog().entry(id)
    edits = stored_edits(store, "catalog_edits").get(id, []) if store is not None else []
    return history_frame(entry.history, edits)


def youth_text(entry: CatalogEntry, value: float | None) -> str:
    """The youth sentence filled from a value on the engine's scale (fallback without one)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return entry.youth_fallback
    per_day = value / _PER_DAYS[entry.unit] if entry.unit in _PER_DAYS else None
    numbers = {
        "n10": value * 10, "n100": value * 100, "value": value,
        "per_year_10": per_day * 365 * 10 if per_day is not None else None,
        "per_year_100": per_day * 365 * 100 if per_day is not None else None,
    }
    return _PLACEHOLDER.sub(lambda m: _about(numbers[m.group(1)]), entry.youth_sentence)


def _about(x: float | None) -> str:
    # Whole numbers read best; a small non-zero number keeps one decimal rather than "0".
    if x is None:
        return "?"
    if x >= 1 or round(x, 1) == 0:
        return f"{round(x):,}"
    return f"{x:.1f}"


def due_for_review(catalog: Catalog, on: date | None = None) -> list[CatalogEntry]:
    """Entries whose review date is on or before `on` (default today)."""
    on = on or date.today()
    return [e for e in catalog if e.review_date <= on]


def _config_view(config: Mapping[str, Any] | str | Path) -> dict[str, dict]:
    """{family id: {ids, better, national, kind, multiplier}} from load_config() or a YAML path."""
    if isinstance(config, (str, Path)):
        raw = load_yaml(config)["indicators"]
        return {fid: {"ids": tuple(s.get("members") or (fid,)), "better": s.get("better"),
                      "national": s.get("national"), "kind": s.get("kind"),
                      "multiplier": float(s.get("multiplier", 1))} for fid, s in raw.items()}
    return {fid: {"ids": c.ids, "better": c.better, "national": c.national, "kind": c.kind,
                  "multiplier": c.multiplier} for fid, c in config.items()}


_UNITS_OF = {("proportion", 1.0): ("percent",),
             ("rate", 1000.0): ("per_1000_days", "per_1000_children"),
             ("rate", 100000.0): ("per_100000_days",)}


def check_catalog_complete(sql_dir: str | Path, config: Mapping[str, Any] | str | Path,
                           catalog: Catalog | str | Path | None = None) -> list[str]:
    """Problems between config.yaml, the SQL files and the catalog (empty when all agree).

    Args:
        sql_dir: the folder of indicator SQL files (`<family id>.sql`; `_*.sql` are helpers).
        config: `engine.load_config()` or the path of a config.yaml.
        catalog: a Catalog, the path of a catalog YAML, or None for `catalog.yaml`.

    Returns:
        One sentence per problem: an indicator without SQL file or catalog entry, a catalog
        entry or SQL file without indicator, an empty documentation field, a direction,
        national reference or unit that disagrees with config.yaml.
    """
    if not isinstance(catalog, Catalog):
        try:
            catalog = load_catalog(path=catalog)
        except ValueError as exc:
            return [f"The catalog does not load: {exc}"]
    cfg = _config_view(config)
    sql_dir = Path(sql_dir)
    problems = []
    outputs = {i: spec for spec in cfg.values() for i in spec["ids"]}
    for fid in cfg:
        if not (sql_dir / f"{fid}.sql").exists():
            problems.append(f"Indicator {fid} is in config.yaml but has no SQL file {fid}.sql.")
    for path in sorted(sql_dir.glob("*.sql")):
        if not path.name.startswith("_") and path.stem not in cfg:
            problems.append(f"SQL file {path.name} has no indicator in config.yaml.")
    for i in outputs:
        if i not in catalog:
            problems.append(f"Indicator {i} is in config.yaml but has no catalog entry.")
    for e in catalog:
        spec = outputs.get(e.id)
        if spec is None:
            problems.append(f"Catalog entry {e.id} is not an indicator in config.yaml.")
        for f in ("definition", "youth_sentence", "youth_fallback", "standard_note",
                  "methodology", "owner"):
            if not getattr(e, f):
                problems.append(f"Catalog entry {e.id}: {f} is empty.")
        if not e.choices:
            problems.append(f"Catalog entry {e.id}: choices is empty "
                            "(say 'none' if there are none).")
        if spec is None:
            continue
        if (spec["better"] or "none") != e.direction:
            problems.append(f"Catalog entry {e.id}: direction {e.direction}, but config.yaml "
                            f"says better: {spec['better']}.")
        nat = spec["national"]
        if (nat is None) != (e.national is None) \
                or (nat is not None and abs(nat - e.national) > 1e-9):
            problems.append(f"Catalog entry {e.id}: national {e.national}, but config.yaml "
                            f"says {nat}.")
        units = _UNITS_OF.get((spec["kind"], spec["multiplier"]),
                              ("ratio", "percent", "per_100_caseworkers"))
        if e.unit not in units:
            problems.append(f"Catalog entry {e.id}: unit {e.unit} does not fit a {spec['kind']} "
                            f"(× {spec['multiplier']:g}); use {' or '.join(units)}.")
    return problems
