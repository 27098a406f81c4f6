"""The codebook: the themes excerpts are coded with, as data, with every change kept.

`codebook.yaml` beside this module is the starter codebook a CQI team would recognise.
Analysts change it from the app or by importing a file: `save_theme` and `retire_theme`
append a row to the `codebook_changes` table (created by
`cqi_core/sql/qualitative_schema.sql`) and `load_codebook(store)` lays those rows over the
YAML in the order they were saved. Rows are never changed or deleted, so `codebook_history`
can always say who changed what, when and why.

A theme's patterns suggest it on excerpts (`cqi_core.analysis.qualitative.coding`). They are
regular expressions in the RE2 dialect DuckDB runs, matched case-insensitively as whole
words; every pattern is checked to compile in both Python and DuckDB before it is saved.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import duckdb
import polars as pl

from cqi_core.settings import load_yaml
from cqi_core.errors import CQIError, StoreError
from cqi_core.storage.store import Store
from cqi_core.indicators.catalog import load_catalog
from cqi_core.storage.statements import transaction

CODEBOOK_PATH = Path(__file__).with_name("codebook.yaml")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
THEME_FIELDS = ("code", "name", "definition", "include", "exclude", "examples", "patterns",
                "ignore", "related")
"""Fields of a theme, in the order files and exports list them."""
LIST_FIELDS = ("examples", "patterns", "ignore", "related")
SETTINGS = {"suggest_on_not_applicable": False}
"""Codebook settings and their defaults."""


class CodebookError(CQIError):
    """A theme or a codebook file that cannot be used; the message names the field."""


@dataclass(frozen=True)
class Theme:
    """One theme of the codebook."""

    code: str
    """snake_case identifier, unique in the codebook; decisions and exports refer to it."""
    name: str
    """Short name shown on screen."""
    definition: str = ""
    """What the theme is about, in plain language."""
    include: str = ""
    """When to apply it."""
    exclude: str = ""
    """When not to apply it (and which theme to use instead)."""
    examples: tuple[str, ...] = ()
    """One or two short made-up excerpts that would carry the theme."""
    patterns: tuple[str, ...] = ()
    """Phrases that suggest the theme: RE2 regular expressions, matched case-insensitively as
    whole words. A theme without patterns is only applied by hand."""
    ignore: tuple[str, ...] = ()
    """Phrases in which a pattern does not count (same syntax): "school" suggests education,
    but not inside "health and school information" handed to caregivers."""
    related: tuple[str, ...] = ()
    """Indicator ids the theme speaks to (V1, Q1.14 ...), for joint displays."""

    def regex(self) -> str | None:
        """The one expression that suggests this theme, or None without patterns."""
        if not self.patterns:
            return None
        return _whole_words(self.patterns)

    def ignore_regex(self) -> str | None:
        """The one expression for the phrases to ignore, or None without any."""
        return _whole_words(self.ignore) if self.ignore else None

    def to_dict(self) -> dict[str, Any]:
        """The theme as plain data (lists for the list fields)."""
        d = asdict(self)
        for k in LIST_FIELDS:
            d[k] = list(d[k])
        return d


@dataclass(frozen=True, eq=False)
class Codebook:
    """The codebook in force: the YAML with the saved changes laid over it."""

    themes: list[Theme]
    """Active themes: the YAML's in file order, then added themes in the order they were added."""
    version: int
    """The codebook's version: the YAML's latest version plus one per saved change."""
    retired: list[Theme] = field(default_factory=list)
    """Themes retired by a saved change, as they were when retired."""
    settings: Mapping[str, Any] = field(default_factory=lambda: dict(SETTINGS))
    """Codebook settings (see `SETTINGS`)."""

    def get(self, code: str) -> Theme | None:
        """The active theme with this code, or None."""
        for t in self.themes:
            if t.code == code:
                return t
        return None

    @property
    def codes(self) -> list[str]:
        """Codes of the active themes, in codebook order."""
        return [t.code for t in self.themes]

    def __iter__(self) -> Iterator[Theme]:
        return iter(self.themes)

    def __len__(self) -> int:
        return len(self.themes)

    def __contains__(self, code: object) -> bool:
        return any(t.code == code for t in self.themes)

    def to_frame(self) -> pl.DataFrame:
        """One row per active theme; list fields joined with newlines."""
        rows = [{k: ("\n".join(v) if k in LIST_FIELDS else v) for k, v in t.to_dict().items()}
                for t in self.themes]
        return pl.DataFrame(rows, schema={k: pl.String for k in THEME_FIELDS})


# ---- validation ---------------------------------------------------------------------------

class BadField(Exception):
    """One field that does not pass; turned into a CodebookError naming where it came from."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


def _text(name: str, v: Any) -> str:
    if v is None:
        return ""
    if not isinstance(v, str):
        raise BadField(name, f"must be text (got {v!r})")
    return v.strip()


def _texts(name: str, v: Any) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, (list, tuple)):
        raise BadField(name, f"must be a list of texts (got {v!r})")
    out = []
    for k, x in enumerate(v, start=1):
        if not isinstance(x, str):
            raise BadField(name, f"entry {k} must be text (got {x!r})")
        if x.strip():
            out.append(x.strip())
    return tuple(out)


_RE2_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _re2() -> duckdb.DuckDBPyConnection:
    # An in-memory database, only to ask RE2 whether a pattern compiles.
    return duckdb.connect()


def _whole_words(patterns: Sequence[str]) -> str:
    return "(?i)\\b(?:" + "|".join(f"(?:{p})" for p in patterns) + ")\\b"


def check_pattern(pattern: str) -> str | None:
    """Why a pattern cannot be used (None when it can): it must compile in Python and in
    DuckDB's RE2, and must not match an empty text (it would suggest the theme everywhere)."""
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        return f"does not compile ({exc})"
    if compiled.fullmatch("") is not None:
        return "matches an empty text, so it would suggest the theme on every excerpt"
    try:
        with _RE2_LOCK:
            _re2().execute("SELECT regexp_matches('', $p)", {"p": "(?i)\\b(?:" + pattern + ")\\b"})
    except duckdb.Error as exc:
        return ("uses something the database's regular expressions do not support (no "
                f"look-arounds or back-references): {str(exc).splitlines()[0]}")
    return None


def build_theme(raw: Mapping[str, Any] | Theme) -> Theme:
    """A validated theme from a mapping (YAML, CSV row, form) or a Theme; raises BadField."""
    if isinstance(raw, Theme):
        raw = asdict(raw)
    unknown = sorted(set(raw) - set(THEME_FIELDS))
    if unknown:
        raise BadField(unknown[0], f"is not a theme field; fields: {', '.join(THEME_FIELDS)}")
    code = _text("code", raw.get("code"))
    if not code:
        raise BadField("code", "cannot be empty")
    if not CODE_RE.match(code):
        raise BadField("code", f"{code!r} must be snake_case: lower-case letters, digits and "
                               "underscores, starting with a letter (at most 60 characters)")
    name = _text("name", raw.get("name"))
    if not name:
        raise BadField("name", "cannot be empty")
    patterns = _texts("patterns", raw.get("patterns"))
    for k, p in enumerate(patterns, start=1):
        why = check_pattern(p)
        if why:
            raise BadField("patterns", f"pattern {k} {p!r} {why}")
    ignore = _texts("ignore", raw.get("ignore"))
    for k, p in enumerate(ignore, start=1):
        why = check_pattern(p)
        if why:
            raise BadField("ignore", f"phrase {k} {p!r} {why}")
    related = _texts("related", raw.get("related"))
    bad = [r for r in related if r not in _indicator_ids()]
    if bad:
        raise BadField("related", f"{bad[0]!r} is not an indicator id (for example V1, Q1.14)")
    return Theme(code=code, name=name, definition=_text("definition", raw.get("definition")),
                 include=_text("include", raw.get("include")),
                 exclude=_text("exclude", raw.get("exclude")),
                 examples=_texts("examples", raw.get("examples")), patterns=patterns,
                 ignore=ignore, related=related)


@lru_cache(maxsize=1)
def _indicator_ids() -> frozenset[str]:
    return frozenset(load_catalog().ids)


def _check_names(themes: Iterable[Theme]) -> None:
    seen: dict[str, str] = {}
    for t in themes:
        key = t.name.casefold()
        if key in seen and seen[key] != t.code:
            raise BadField("name", f"{t.name!r} is already the name of theme {seen[key]!r}")
        seen[key] = t.code


# ---- the YAML -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Base:
    themes: tuple[Theme, ...]
    version: int
    history: tuple[dict, ...]
    settings: Mapping[str, Any]


@lru_cache(maxsize=8)
def _load_yaml(path: str, mtime_ns: int) -> _Base:  # mtime in the key: an edited file reloads
    where = Path(path).name
    try:
        raw = load_yaml(path) or {}
    except CQIError as exc:
        raise ValueError(str(exc)) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("themes"), list):
        raise ValueError(f"{where}: expected a mapping with a list under 'themes'")
    extra = sorted(set(raw) - {"version", "history", "settings", "themes"})
    if extra:
        raise ValueError(f"{where}: unknown top-level key(s) {extra}")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"{where}: version must be a whole number from 1")
    history = raw.get("history") or []
    for k, h in enumerate(history, start=1):
        if not isinstance(h, dict) or set(h) != {"version", "date", "what", "why", "by"}:
            raise ValueError(f"{where}: history entry {k} needs version, date, what, why, by")
    settings = dict(SETTINGS)
    for k, v in (raw.get("settings") or {}).items():
        if k not in SETTINGS:
            raise ValueError(f"{where}: unknown setting {k!r}; settings: {', '.join(SETTINGS)}")
        if not isinstance(v, type(SETTINGS[k])):
            raise ValueError(f"{where}: setting {k} must be {type(SETTINGS[k]).__name__}")
        settings[k] = v
    themes, codes = [], set()
    for k, item in enumerate(raw["themes"], start=1):
        code = item.get("code") if isinstance(item, dict) else None
        label = code if isinstance(code, str) and code else f"#{k}"
        try:
            if not isinstance(item, dict):
                raise BadField("(theme)", "is not a mapping")
            t = build_theme(item)
            if t.code in codes:
                raise BadField("code", "appears twice")
        except BadField as bad:
            raise ValueError(f"{where}: theme {label}, field {bad.field}: {bad}") from None
        codes.add(t.code)
        themes.append(t)
    try:
        _check_names(themes)
    except BadField as bad:
        raise ValueError(f"{where}: field name: {bad}") from None
    return _Base(tuple(themes), version, tuple(history), settings)


def _base(path: str | Path | None = None) -> _Base:
    p = Path(path) if path else CODEBOOK_PATH
    return _load_yaml(str(p.resolve()), p.stat().st_mtime_ns)


# ---- saved changes ------------------------------------------------------------------------

_EXISTS = "SELECT count(*) FROM information_schema.tables WHERE table_name = $t"
_SELECT_EDITS = """SELECT seq, code, action, saved_at, saved_by, why, theme, previous
FROM codebook_changes ORDER BY seq"""
_LAST_SEQ = "SELECT max(seq) FROM codebook_changes"
_INSERT_EDIT = """INSERT INTO codebook_changes (seq, code, action, saved_at, saved_by, why, theme,
                            previous)
VALUES ($seq, $code, $action, $saved_at, $saved_by, $why, $theme, $previous)"""


def table_exists(store: Store, name: str) -> bool:
    """Whether the file has this table (a read-only file may predate it)."""
    return bool(store.scalar(_EXISTS, {"t": name}))


def _edits(store: Store | None) -> list[dict]:
    if store is None or not table_exists(store, "codebook_changes"):
        return []
    return list(store.query(_SELECT_EDITS).iter_rows(named=True))


def _theme_from_json(text: str) -> Theme:
    d = json.loads(text)
    return Theme(**{k: (tuple(d.get(k) or ()) if k in LIST_FIELDS else d.get(k) or "")
                    for k in THEME_FIELDS})


def load_codebook(store: Store | None = None, path: str | Path | None = None) -> Codebook:
    """The codebook in force: codebook.yaml with the changes saved in `store` laid over it.

    Args:
        store: the database whose `codebook_changes` to apply; None for the YAML alone.
        path: another codebook file (tests); default `codebook.yaml` beside this module.

    Raises:
        ValueError: the YAML is not valid (the message names the theme and the field).
    """
    base = _base(path)
    active: dict[str, Theme] = {t.code: t for t in base.themes}
    retired: dict[str, Theme] = {}
    edits = _edits(store)
    for e in edits:
        if e["action"] == "retire":
            gone = active.pop(e["code"], None)
            if gone is not None:
                retired[e["code"]] = gone
        else:
            active[e["code"]] = _theme_from_json(e["theme"])
            retired.pop(e["code"], None)
    return Codebook(themes=list(active.values()), version=base.version + len(edits),
                    retired=list(retired.values()), settings=dict(base.settings))


def check_writable(store: Store, user: Any, reason: Any, what: str,
                   need_reason: bool = True) -> None:
    """Refuse a change that cannot be saved at all, with a message a supervisor reads."""
    if store.read_only:
        raise StoreError("This database is open read-only, so changes cannot be saved here. "
                         "Ask an analyst to make the change.")
    if not isinstance(user, str) or not user.strip():
        raise CodebookError(f"Say who is changing {what}: the name is kept with the change.")
    if need_reason and (not isinstance(reason, str) or not reason.strip()):
        raise CodebookError(f"Say why {what} is changing: the reason is kept with the change.")


def write_changes(store: Store, changes: Sequence[tuple[str, str, Theme | None, Theme | None]],
                  user: str, reason: str) -> None:
    """Append (code, action, theme after, theme before) rows in one transaction.

    `store` is the cursor of the caller's `Store.writing()` block. All rows land or none does.
    """
    cur = store.cursor()
    try:
        with transaction(cur):
            seq = (cur.execute(_LAST_SEQ).fetchall()[0][0] or 0)
            now = datetime.now()
            for code, action, after, before in changes:
                seq += 1
                cur.execute(_INSERT_EDIT, {
                    "seq": seq, "code": code, "action": action, "saved_at": now,
                    "saved_by": user.strip(), "why": reason.strip(),
                    "theme": json.dumps(after.to_dict()) if after else None,
                    "previous": json.dumps(before.to_dict()) if before else None})
    finally:
        cur.close()


def plan_theme(codebook: Codebook, theme: Theme | Mapping[str, Any],
               others: Sequence[Theme] = ()) -> tuple[str, Theme, Theme | None] | None:
    """(action, validated theme, theme before) for saving `theme` into `codebook`, or None
    when it already reads like that; raises BadField. `others` are themes saved alongside."""
    new = build_theme(theme)
    current = codebook.get(new.code)
    pending = {t.code: t for t in others}
    pool = [pending.get(t.code, t) for t in codebook.themes if t.code != new.code]
    pool += [t for c, t in pending.items() if c not in codebook and c != new.code]
    _check_names([*pool, new])
    if current == new:
        return None
    return ("edit" if current else "add"), new, current


def save_theme(store: Store, theme: Theme, user: str, reason: str) -> None:
    """Add a theme, or change one (the code says which), kept as a new codebook version.

    A retired theme's code brings it back with the fields given.

    Args:
        store: a database open for writing.
        theme: the theme as it should read (list fields may be lists or tuples).
        user: who is making the change.
        reason: why, kept with the change.

    Raises:
        CodebookError: a code that is not snake_case, an empty name, a name another theme
            has, a pattern that does not compile (or would match everything), an unknown
            related indicator, no user or reason, or nothing changed.
        StoreError: the database is open read-only.
    """
    check_writable(store, user, reason, "the codebook")
    with store.writing() as con:
        codebook = load_codebook(store)
        try:
            planned = plan_theme(codebook, theme)
        except BadField as bad:
            code = theme.code if isinstance(theme, Theme) else dict(theme).get("code")
            raise CodebookError(f"The theme {code!r} was not saved: {bad.field} {bad}.") from None
        if planned is None:
            raise CodebookError(f"Nothing to save: the theme {theme.code!r} already reads like "
                                "that.")
        action, new, before = planned
        write_changes(con, [(new.code, action, new, before)], user, reason)


def retire_theme(store: Store, code: str, user: str, reason: str) -> None:
    """Take a theme out of use, kept as a new codebook version (saving it again restores it).

    Its suggestions and coding decisions stop counting; the decisions stay stored.

    Raises:
        CodebookError: no active theme with this code, no user or reason.
        StoreError: the database is open read-only.
    """
    check_writable(store, user, reason, f"the theme {code!r}")
    with store.writing() as con:
        codebook = load_codebook(store)
        current = codebook.get(code)
        if current is None:
            known = ", ".join(codebook.codes)
            raise CodebookError(f"There is no theme {code!r} in use to retire. Themes: {known}.")
        write_changes(con, [(code, "retire", None, current)], user, reason)


def codebook_history(store: Store | None, path: str | Path | None = None) -> pl.DataFrame:
    """Every version of the codebook, newest first.

    Columns: version, code (None for the file's own versions), action ("file" for the YAML's
    versions, else add, edit or retire), date, by, why, what (a sentence), changes (JSON of
    the fields that changed: new values), saved_at (saved changes only).
    """
    base = _base(path)
    rows = [{"version": int(h["version"]), "code": None, "action": "file",
             "date": h["date"] if isinstance(h["date"], date)
             else date.fromisoformat(str(h["date"])),
             "by": str(h["by"]), "why": str(h["why"]), "what": str(h["what"]),
             "changes": None, "saved_at": None} for h in base.history]
    for k, e in enumerate(_edits(store), start=1):
        after = json.loads(e["theme"]) if e["theme"] else None
        before = json.loads(e["previous"]) if e["previous"] else None
        if e["action"] == "edit" and after and before:
            changed = {f: after[f] for f in THEME_FIELDS if after.get(f) != before.get(f)}
            what = f"Changed {', '.join(changed)} of {e['code']}."
        elif e["action"] == "add":
            changed = after
            what = f"Added {e['code']}."
        else:
            changed = None
            what = f"Retired {e['code']}."
        rows.append({"version": base.version + k, "code": e["code"], "action": e["action"],
                     "date": e["saved_at"].date(), "by": e["saved_by"], "why": e["why"],
                     "what": what, "changes": json.dumps(changed) if changed else None,
                     "saved_at": e["saved_at"]})
    schema = {"version": pl.Int64, "code": pl.String, "action": pl.String, "date": pl.Date,
              "by": pl.String, "why": pl.String, "what": pl.String, "changes": pl.String,
              "saved_at": pl.Datetime("us")}
    return pl.DataFrame(rows, schema=schema).sort("version", descending=True)
