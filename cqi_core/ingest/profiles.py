"""Mapping profiles: YAML files that read another layout onto the canonical export.

A profile says, per table, which source header feeds which canonical column and, per code
column, which source value means which canonical code. Profiles live in `data/mappings/`
(one `<name>.yaml` each) and are checked against the contract when loaded, so a typo in a
profile is reported when it is loaded, not as a puzzling reject later.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from cqi_core.settings import load_yaml
from cqi_core.storage.contract import load_contract
from cqi_core.errors import CQIError
from cqi_core.ingest.model import MappingProfile

#: The project's folder of shipped profiles (used when a relative folder is not found).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = "data/mappings"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _dirs(directory: str | Path) -> list[Path]:
    d = Path(directory)
    return [d] if d.is_absolute() else [d, PROJECT_ROOT / d]


def list_mappings(directory: str | Path = DEFAULT_DIR) -> list[str]:
    """Names of the mapping profiles saved in `directory` (sorted)."""
    for d in _dirs(directory):
        if d.is_dir():
            return sorted(p.stem for p in d.glob("*.yaml") if p.is_file())
    return []


def load_mapping(name_or_path: str, directory: str | Path = DEFAULT_DIR) -> MappingProfile:
    """Load a profile by name (`data/mappings/<name>.yaml`) or from a YAML file path.

    Raises:
        CQIError: the profile does not exist or does not fit the contract.
    """
    text = str(name_or_path).strip()
    candidates: list[Path] = []
    p = Path(text)
    if p.suffix.lower() in (".yaml", ".yml") or "/" in text or "\\" in text:
        candidates.append(p)
    else:
        candidates += [d / f"{text}.yaml" for d in _dirs(directory)]
    for c in candidates:
        if c.is_file():
            return _parse(c)
    known = ", ".join(list_mappings(directory)) or "none"
    raise CQIError(f'Mapping profile "{text}" was not found (profiles available: {known}).')


def _parse(path: Path) -> MappingProfile:
    try:
        raw = load_yaml(path) or {}
    except (OSError, CQIError) as exc:
        raise CQIError(f"Mapping profile {path.name} cannot be read: {exc}") from None
    if not isinstance(raw, dict):
        raise CQIError(f"Mapping profile {path.name} is not a YAML mapping.")
    tables = raw.get("tables") or {}
    columns = {t: {str(k): str(v) for k, v in ((spec or {}).get("columns") or {}).items()}
               for t, spec in tables.items()}
    codes = {t: {str(c): {_key(k): (None if v is None or str(v).strip() == "" else str(v))
                          for k, v in (vals or {}).items()}
                 for c, vals in ((spec or {}).get("codes") or {}).items()}
             for t, spec in tables.items()}
    profile = MappingProfile(
        name=str(raw.get("name") or path.stem), description=str(raw.get("description") or ""),
        columns={t: m for t, m in columns.items() if m},
        codes={t: m for t, m in codes.items() if m},
        files={str(k): str(v) for k, v in (raw.get("files") or {}).items()},
        date_formats=tuple(str(f) for f in raw.get("date_formats") or ()))
    check_profile(profile, path.name)
    return profile


def _key(value) -> str:
    # YAML reads 01 as 1 and yes as True; the profile author means the text they typed.
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def check_profile(profile: MappingProfile, where: str = "") -> None:
    """Raise CQIError when the profile names a table, column or code the contract lacks."""
    contract = load_contract()
    where = where or profile.name
    bad: list[str] = []
    for table, mapping in {**profile.columns, **profile.codes}.items():
        if table not in contract.tables:
            bad.append(f'unknown table "{table}"')
    for table, mapping in profile.columns.items():
        if table in contract.tables:
            names = contract.table(table).column_names
            bad += [f'{table}: "{src}" maps to unknown column "{dst}"'
                    for src, dst in mapping.items() if dst not in names]
    for table, per_col in profile.codes.items():
        if table not in contract.tables:
            continue
        t = contract.table(table)
        for col, values in per_col.items():
            if col not in t.column_names or t.column(col).type not in ("code", "item"):
                bad.append(f'{table}: "{col}" is not a code column')
                continue
            c = t.column(col)
            allowed = set(c.codes) if c.type == "code" else set(c.items)
            bad += [f'{table}.{col}: "{v}" maps to "{code}", which is not one of its codes'
                    for v, code in values.items() if code is not None and code not in allowed]
    bad += [f'file "{f}" maps to unknown table "{t}"' for f, t in profile.files.items()
            if t not in contract.tables]
    for fmt in profile.date_formats:
        if not re.fullmatch(r"(%[Ymd]|[-/. ])+", fmt):
            bad.append(f'date format "{fmt}" may only use %Y, %m, %d and - / . or space')
    if bad:
        raise CQIError(f"Mapping profile {where} does not fit the data contract: "
                       + "; ".join(bad) + ".")


def save_mapping(profile: MappingProfile, directory: str | Path = DEFAULT_DIR) -> Path:
    """Write `profile` to `<directory>/<name>.yaml` (replacing a file of that name).

    Raises:
        CQIError: the name cannot be a file name, or the profile does not fit the contract.
    """
    if not _NAME.match(profile.name):
        raise CQIError(f'"{profile.name}" cannot be a profile name: use letters, digits, '
                       f"'-', '_' or '.'.")
    check_profile(profile)
    tables: dict[str, dict] = {}
    for t in sorted(set(profile.columns) | set(profile.codes)):
        spec: dict = {}
        if profile.columns.get(t):
            spec["columns"] = dict(profile.columns[t])
        if profile.codes.get(t):
            spec["codes"] = {c: dict(v) for c, v in profile.codes[t].items()}
        tables[t] = spec
    doc: dict = {"name": profile.name, "description": profile.description}
    if profile.files:
        doc["files"] = dict(profile.files)
    if profile.date_formats:
        doc["date_formats"] = list(profile.date_formats)
    doc["tables"] = tables
    out_dir = next((d for d in _dirs(directory) if d.is_dir()), Path(directory))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{profile.name}.yaml"
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    tmp.replace(path)
    return path
