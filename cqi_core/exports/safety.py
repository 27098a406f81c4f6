"""What may leave, and how it is made safe to open.

Two rules apply to every exported table and chart. A spreadsheet runs a text cell starting
with =, +, - or @ (or a tab or a carriage return) as a formula, so a comment typed as
`=HYPERLINK(...)` could act when a partner opens the file (OWASP, "CSV injection"): every
such cell gets a leading apostrophe, and numbers stay numbers. And the audience rules hold
again at the door: callers pass tables already released for the viewer
(`privacy.release`), but for a public viewer identifier and free-text columns are
dropped here too, and a count from 1 to the suppression threshold refuses the export,
since it means a table skipped its release. `exports.yaml` says which columns are counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import polars as pl

from cqi_core import privacy
from cqi_core.storage.store import Store
from cqi_core.settings import load_yaml
from cqi_core.charts.base import Figure
from cqi_core.errors import CQIError

RULES_FILE = Path(__file__).with_name("exports.yaml")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet read a cell as a formula (OWASP)."""

_DANGER = "^[" + re.escape("".join(DANGEROUS)) + "]"
_XML_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"  # characters an XLSX file cannot hold
_XLSX_CELL_MAX = 32_767  # characters Excel holds in one cell
_TEXT_TYPES = (pl.String, pl.Categorical, pl.Enum)
_NESTED_TYPES = (pl.List, pl.Array, pl.Struct, pl.Object, pl.Binary)


@dataclass(frozen=True)
class ExportRules:
    """The rules of `exports.yaml`."""

    count_columns: tuple[str, ...]
    """Column names that hold counts (checked for small numbers for a public audience)."""
    count_prefixes: tuple[str, ...]
    """A column whose name starts with one of these holds counts too."""
    count_suffixes: tuple[str, ...]
    """A column whose name ends with one of these holds counts too."""
    column_definitions: dict[str, str]
    """Column name -> plain-language definition, for the Definitions sheet."""

    def is_count(self, column: str) -> bool:
        """Whether a column of this name holds counts."""
        name = column.lower()
        return (name in self.count_columns or name.startswith(self.count_prefixes)
                or name.endswith(self.count_suffixes))


@lru_cache(maxsize=1)
def load_rules() -> ExportRules:
    """Read and check `exports.yaml`.

    Raises:
        CQIError: a list that is not a list of names, or a definition that is empty.
    """
    raw = load_yaml(RULES_FILE) or {}
    lists = {}
    for key in ("count_columns", "count_prefixes", "count_suffixes"):
        values = raw.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise CQIError(f"{RULES_FILE.name}: {key} must be a list of column names.")
        lists[key] = tuple(v.lower() for v in values)
    defs = raw.get("column_definitions") or {}
    bad = [k for k, v in defs.items() if not isinstance(v, str) or not v.strip()]
    if not isinstance(defs, dict) or bad:
        raise CQIError(f"{RULES_FILE.name}: column_definitions needs a definition for "
                       f"{bad[0] if bad else 'each column'}.")
    return ExportRules(**lists, column_definitions={str(k): v.strip() for k, v in defs.items()})


# --------------------------------------------------------------------------- cells


def neutralise(value: Any) -> Any:
    """A text cell made safe to open in a spreadsheet: a leading apostrophe when it starts
    with a formula character. Anything that is not text is returned as it is."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text cell neutralised (`neutralise`); numeric, date and boolean columns untouched.

    Columns that become text in a file are turned into text first, as the file will show
    them: categories as their labels, lists joined by " | " (as quotes are), structs as JSON.
    """
    frame = _as_text(frame)
    text = [c for c, t in frame.schema.items() if isinstance(t, _TEXT_TYPES)]
    return frame.with_columns(
        pl.when(pl.col(c).cast(pl.String).str.contains(_DANGER))
        .then(pl.lit("'") + pl.col(c).cast(pl.String))
        .otherwise(pl.col(c).cast(pl.String)).alias(c) for c in text)


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    out = []
    for c, t in frame.schema.items():
        if isinstance(t, (pl.List, pl.Array)) and not t.inner.is_nested():
            out.append(pl.col(c).cast(pl.List(pl.String)).list.join(" | ").alias(c))
        elif isinstance(t, pl.Struct):
            out.append(pl.col(c).struct.json_encode().alias(c))
        elif isinstance(t, _NESTED_TYPES):
            out.append(pl.col(c).map_elements(lambda v: None if v is None else str(v),
                                              return_dtype=pl.String).alias(c))
    return frame.with_columns(out) if out else frame


def _xml_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """What an XLSX can hold: no control characters, no NaN, no time zones, cells within
    Excel's length limit. Control characters go before neutralising, so none can hide a
    formula character behind it."""
    fixes = []
    for c, t in frame.schema.items():
        if isinstance(t, _TEXT_TYPES):
            fixes.append(pl.col(c).cast(pl.String).str.replace_all(_XML_ILLEGAL, "")
                         .str.slice(0, _XLSX_CELL_MAX - 1).alias(c))
        elif t.is_float():
            fixes.append(pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c))
        elif isinstance(t, pl.Datetime) and t.time_zone:
            fixes.append(pl.col(c).dt.replace_time_zone(None).alias(c))
    return frame.with_columns(fixes) if fixes else frame


def _headers_safe(frame: pl.DataFrame) -> pl.DataFrame:
    renames = {c: neutralise(c) for c in frame.columns if neutralise(c) != c}
    return frame.rename(renames) if renames else frame


# --------------------------------------------------------------------------- audience


def for_viewer(store: Store | privacy.Handle, frame: pl.DataFrame) -> pl.DataFrame:
    """The table as the handle's viewer may take it away (checked again before any export).

    Analysts and supervisors get it unchanged. For a public viewer, identifier and
    free-text columns (`audiences.yaml`) are dropped and a count column (`exports.yaml`)
    holding a number from 1 to the threshold refuses the export.

    Raises:
        CQIError: the table still holds a small count for a public viewer.
    """
    viewer = privacy.viewer_of(store)
    if not viewer.public:
        return frame
    policy = privacy.load_policy()
    hidden = {c.lower() for c in (*policy.identifier_columns, *policy.text_columns)}
    kept = frame.drop([c for c in frame.columns if c.lower() in hidden])
    rules = load_rules()
    for c, t in kept.schema.items():
        if rules.is_count(c) and t.is_numeric() and kept.select(
                pl.col(c).is_between(1, policy.threshold).any()).item():
            raise CQIError(f"This table cannot be downloaded for a {viewer.role} audience: its "
                           f"column {c!r} holds a small number that must be hidden to protect "
                           "privacy. Ask an analyst to check how the table is prepared.")
    return kept


def check_chart(store: Store | privacy.Handle, fig: Figure) -> None:
    """Refuse a chart whose data holds an identifier or a small count, for a public viewer.

    Raises:
        CQIError: with a message the person can act on.
    """
    if privacy.viewer_of(store).public:
        _check_chart_data(store, fig.chart.to_dict())


def _check_chart_data(store: Store | privacy.Handle, spec: Mapping[str, Any]) -> None:
    viewer = privacy.viewer_of(store)
    if not viewer.public:
        return
    policy, rules = privacy.load_policy(), load_rules()
    ids = {c.lower() for c in policy.identifier_columns}
    for rows in _inline_rows(spec):
        for row in rows:
            for key, v in row.items() if isinstance(row, dict) else ():
                small = (rules.is_count(key) and isinstance(v, (int, float))
                         and not isinstance(v, bool) and 1 <= v <= policy.threshold)
                if key.lower() in ids or small:
                    what = "a small number" if small else "an identifier"
                    raise CQIError(f"This chart cannot be downloaded for a {viewer.role} "
                                   f"audience: its data holds {what} that must stay hidden. "
                                   "Ask an analyst to check the chart.")


def _inline_rows(node: Any):
    if isinstance(node, dict):
        yield from (node.get("datasets") or {}).values()
        data = node.get("data")
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            yield data["values"]
        for key in ("layer", "hconcat", "vconcat", "concat", "spec"):
            child = node.get(key)
            for part in child if isinstance(child, list) else [child] if child else []:
                yield from _inline_rows(part)
