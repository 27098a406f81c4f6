"""The agency's values and practice standards, as data, with every edit kept.

`values.yaml` lists the agency's values and practice standards with the case review items
that speak to each; catalog entries name the values they serve (`value_ids`), so the
catalog checks its references here. Staff edit values in the app like catalog entries:
`save_value_edit` appends a version row to `value_edits` (`cqi_core.storage.edits`) and
`load_values(store)` lays saved edits over the YAML. How measures line up with the values is
`cqi_core.analysis.mission`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import polars as pl

from cqi_core.settings import load_yaml
from cqi_core.errors import CQIError
from cqi_core.indicators.engine import load_config
from cqi_core.storage.edits import (VersionNote, append_edit, check_edit_request, edit_note,
                                    history_frame, stored_edits)
from cqi_core.storage.edits import BadField as _Bad
from cqi_core.storage.edits import field_history as _history
from cqi_core.storage.edits import field_text as _text
from cqi_core.storage.store import Store

VALUES_PATH = Path(__file__).with_name("values.yaml")
VALUE_KINDS = ("value", "practice_standard")
VALUE_EDITABLE = ("name", "kind", "description", "review_items")
"""Fields `save_value_edit` may change (ids are fixed: the catalog points to them)."""

_KEYS = ("id", "name", "kind", "description", "review_items", "history")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_REVIEW_FAMILY = "Q1"
"""The case review family whose members are the items a value can name."""


@dataclass(frozen=True)
class AgencyValue:
    """One value or practice standard of the agency (the YAML with saved edits laid over it)."""

    id: str
    """lower_snake_case id, used by the catalog's value_ids."""
    name: str
    """Short name shown on screen."""
    kind: str
    """value (what the agency believes) or practice_standard (what staff are expected to do)."""
    description: str
    """What it means, in plain language."""
    review_items: tuple[str, ...]
    """Case review (OSRI) items that speak to it: "1" … "18", "12A"-"12C"."""
    version: int
    """The current version."""
    history: tuple[VersionNote, ...]
    """Every version, oldest first."""


@dataclass(frozen=True)
class AgencyValues:
    """The agency's values and practice standards, in the order the app shows them."""

    entries: tuple[AgencyValue, ...]
    """The values, in order."""

    def entry(self, id: str) -> AgencyValue:
        """The value with this id.

        Raises:
            CQIError: no such value.
        """
        for v in self.entries:
            if v.id == id:
                return v
        raise CQIError(f"There is no agency value {id!r}; known: {', '.join(self.ids)}.")

    @property
    def ids(self) -> list[str]:
        """Value ids in order."""
        return [v.id for v in self.entries]

    def __iter__(self) -> Iterator[AgencyValue]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def review_items() -> tuple[str, ...]:
    """The case review items the engine rates ("1" … "18" with "12A"-"12C"), in order."""
    return tuple(m.split(".", 1)[1] for m in load_config()[_REVIEW_FAMILY].members)


def _items(v: Any) -> tuple[str, ...]:
    if not isinstance(v, (list, tuple)):
        raise _Bad("review_items", "must be a list of item numbers such as \"4\" or \"12A\"")
    known = review_items()
    out = []
    for x in v:
        ok = isinstance(x, (str, int)) and not isinstance(x, bool)
        item = str(x).strip().upper() if ok else None
        if item is not None and item.startswith("ITEM"):
            item = item[4:].strip()
        if item not in known:
            raise _Bad("review_items", f"{x!r} is not a case review item; use {', '.join(known)}")
        if item not in out:
            out.append(item)
    return tuple(out)


def _build(flat: dict[str, Any]) -> AgencyValue:
    name = _text("name", flat["name"])
    if not name:
        raise _Bad("name", "cannot be empty")
    description = _text("description", flat["description"])
    if not description:
        raise _Bad("description", "cannot be empty")
    if flat["kind"] not in VALUE_KINDS:
        raise _Bad("kind", f"must be one of {', '.join(VALUE_KINDS)} (got {flat['kind']!r})")
    history = _history(flat["history"])
    return AgencyValue(id=flat["id"], name=name, kind=flat["kind"], description=description,
                       review_items=_items(flat["review_items"]),
                       version=int(flat.get("version") or history[-1].version), history=history)


@lru_cache(maxsize=8)
def _load_yaml(path: str, mtime_ns: int) -> AgencyValues:
    where = Path(path).name
    raw = load_yaml(path) or {}
    if not isinstance(raw, dict) or not isinstance(raw.get("values"), list):
        raise ValueError(f"{where}: expected a mapping with a list under 'values'")
    extra = sorted(set(raw) - {"values", "_shared"})
    if extra:
        raise ValueError(f"{where}: unknown top-level key(s) {extra}")
    out, seen = [], set()
    for k, item in enumerate(raw["values"], start=1):
        vid = item.get("id") if isinstance(item, dict) else None
        label = vid if isinstance(vid, str) and vid else f"#{k}"
        try:
            if not isinstance(item, dict):
                raise _Bad("(value)", "is not a mapping")
            if not isinstance(vid, str) or not _ID.match(vid):
                raise _Bad("id", "must be lower_snake_case text")
            if vid in seen:
                raise _Bad("id", "appears twice")
            unknown = sorted(set(item) - set(_KEYS))
            if unknown:
                raise _Bad(unknown[0], f"unknown key(s) {unknown}")
            missing = [f for f in _KEYS if f not in item]
            if missing:
                raise _Bad(missing[0], f"missing field(s) {missing}")
            out.append(_build(dict(item)))
        except _Bad as bad:
            raise ValueError(f"{where}: value {label}, field {bad.field}: {bad}") from None
        seen.add(vid)
    return AgencyValues(tuple(out))


def value_ids(path: str | Path | None = None) -> tuple[str, ...]:
    """The value ids of the YAML (edits never add or remove values)."""
    return tuple(load_values(path=path).ids)


def load_values(store: Store | None = None, path: str | Path | None = None) -> AgencyValues:
    """The agency's values: the YAML, with the edits saved in `store` laid over it.

    Args:
        store: the database whose `value_edits` to apply; None for the YAML alone.
        path: another values file (tests); default `values.yaml` beside this module.

    Raises:
        ValueError: the YAML is not valid (the message names the value and the field).
        CQIError: a saved edit no longer fits its value.
    """
    p = Path(path) if path else VALUES_PATH
    base = _load_yaml(str(p.resolve()), p.stat().st_mtime_ns)
    edits = stored_edits(store, "value_edits") if store is not None else {}
    if not edits:
        return base
    out = []
    for v in base.entries:
        for edit in edits.get(v.id, []):
            flat = {f.name: getattr(v, f.name) for f in fields(v)}
            flat.update(edit["changes"])
            flat.update(version=max(v.version, edit["version"]),
                        history=v.history + (edit_note(edit),))
            try:
                v = _build(flat)
            except _Bad as bad:
                raise CQIError(f"The saved change version {edit['version']} of value {v.id} "
                               f"no longer fits ({bad.field} {bad}).") from None
        out.append(v)
    return AgencyValues(tuple(out))


def save_value_edit(store: Store, value_id: str, changes: dict, why: str, by: str) -> AgencyValue:
    """Change a value's name, kind, description or review items, kept as a new version.

    Returns:
        The value as it now reads (version + 1).

    Raises:
        CQIError: an unknown value or field, a value that does not fit, nothing changed, no
            reason or name given; StoreError when the database is read-only.
    """
    check_edit_request(store, f"value {value_id}", changes, why, by, VALUE_EDITABLE)
    with store.writing() as con:
        current = load_values(store).entry(value_id)
        flat = {f.name: getattr(current, f.name) for f in fields(current)}
        flat.update(changes)
        try:
            edited = _build(flat)
        except _Bad as bad:
            raise CQIError(f"The change to value {value_id} was not saved: "
                           f"{bad.field} {bad}.") from None
        new = {k: (list(getattr(edited, k)) if k == "review_items" else getattr(edited, k))
               for k in changes if getattr(edited, k) != getattr(current, k)}
        if not new:
            raise CQIError(f"Nothing to save: value {value_id} already reads like that.")
        old = {k: (list(getattr(current, k)) if k == "review_items" else getattr(current, k))
               for k in new}
        append_edit(con, "value_edits", value_id, current.version, new, old, why.strip(),
                    by.strip())
    return load_values(store).entry(value_id)


def value_history(store: Store | None, value_id: str) -> pl.DataFrame:
    """Every version of one value, newest first (columns as `catalog.history`)."""
    value = load_values().entry(value_id)
    edits = stored_edits(store, "value_edits").get(value_id, []) if store is not None else []
    return history_frame(value.history, edits)
