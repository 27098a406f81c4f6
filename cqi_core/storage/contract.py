"""The canonical export format, loaded from `contract.yaml` into frozen value objects.

The YAML file is the single place where tables, columns, types, codes, keys and
references are defined; the store creates its tables from it and the importer validates
against it. Nothing else in the package lists columns by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cqi_core.settings import load_yaml


CONTRACT_PATH = Path(__file__).with_name("contract.yaml")

SQL_TYPES = {"id": "VARCHAR", "text": "VARCHAR", "code": "VARCHAR", "item": "VARCHAR",
             "date": "DATE", "int": "INTEGER"}


@dataclass(frozen=True)
class Column:
    """One column of a contract table."""

    name: str
    """Canonical snake_case name."""
    type: str
    """One of id, text, date, int, code, item."""
    required: bool = False
    """A row without a value here is rejected."""
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """For code columns: canonical code → accepted aliases (lower case)."""
    items: tuple[str, ...] = ()
    """For item columns: the accepted item labels (case review items)."""
    min: int | None = None
    """For int columns: the smallest accepted value."""
    max: int | None = None
    """For int columns: the largest accepted value."""

    @property
    def sql_type(self) -> str:
        """The DuckDB type the store uses for this column."""
        return SQL_TYPES[self.type]


@dataclass(frozen=True)
class Table:
    """One table of the contract."""

    name: str
    """Canonical table name (also the file name without extension)."""
    label: str
    """Plain-language name shown to users."""
    columns: tuple[Column, ...]
    """Columns in contract order."""
    key: tuple[str, ...]
    """Columns whose values identify a row; repeated keys in a batch are rejected."""
    references: dict[str, str] = field(default_factory=dict)
    """column → 'table.column' that must exist (else the row is rejected)."""
    flag_references: dict[str, str] = field(default_factory=dict)
    """column → 'table.column' that should exist (else the row is only flagged)."""
    date_order: tuple[tuple[str, str], ...] = ()
    """Pairs (earlier, later): a row whose later date is before its earlier is rejected."""
    no_overlap: dict[str, str] | None = None
    """For episodes: entity, start and end columns of half-open intervals that must not overlap."""
    workbook: str | None = None
    """Name of the workbook (xlsx) whose sheet named after the table holds it."""
    optional_table: bool = False
    """An agency may not export this table at all."""

    @property
    def column_names(self) -> tuple[str, ...]:
        """Column names in contract order."""
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Names of the columns a file must have."""
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        """The column called `name` (KeyError when there is none)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True)
class Contract:
    """The whole canonical export."""

    version: int
    """Version of the contract file."""
    tables: dict[str, Table]
    """Tables by name, in load order (referenced tables first)."""
    date_formats: tuple[str, ...]
    """Accepted text date formats, in the order they are tried."""

    def table(self, name: str) -> Table:
        """The table called `name` (KeyError when there is none)."""
        return self.tables[name]


def _column(name: str, spec: dict) -> Column:
    codes = {str(code): tuple(str(a).lower() for a in (aliases or []))
             for code, aliases in (spec.get("codes") or {}).items()}
    return Column(name=name, type=spec["type"], required=bool(spec.get("required", False)),
                  codes=codes, items=tuple(str(i) for i in spec.get("items", ())),
                  min=spec.get("min"), max=spec.get("max"))


@lru_cache(maxsize=1)
def load_contract(path: str | None = None) -> Contract:
    """Load and check the contract file (cached: it never changes while running)."""
    raw = load_yaml(path or CONTRACT_PATH)
    tables: dict[str, Table] = {}
    for name, spec in raw["tables"].items():
        columns = tuple(_column(c, s) for c, s in spec["columns"].items())
        names = {c.name for c in columns}
        for c in columns:
            if c.type not in SQL_TYPES:
                raise ValueError(f"contract: {name}.{c.name} has unknown type {c.type!r}")
        key = tuple(spec["key"])
        pairs = tuple(tuple(p) for p in spec.get("date_order") or [])
        refs = dict(spec.get("references") or {})
        flags = dict(spec.get("flag_references") or {})
        for col in [*key, *refs, *flags, *(c for p in pairs for c in p)]:
            if col not in names:
                raise ValueError(f"contract: {name} names unknown column {col!r}")
        tables[name] = Table(name=name, label=spec.get("label", name), columns=columns, key=key,
                             references=refs, flag_references=flags, date_order=pairs,
                             no_overlap=spec.get("no_overlap"), workbook=spec.get("workbook"),
                             optional_table=bool(spec.get("optional_table", False)))
    for t in tables.values():
        for col, target in {**t.references, **t.flag_references}.items():
            tname, tcol = target.split(".")
            if tname not in tables or tcol not in tables[tname].column_names:
                raise ValueError(f"contract: {t.name}.{col} points to unknown {target}")
    return Contract(version=int(raw["version"]), tables=tables,
                    date_formats=tuple(raw["date_formats"]))
