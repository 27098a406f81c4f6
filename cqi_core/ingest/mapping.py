"""Header matching: which table a file feeds and which header feeds which column.

A header is used only when it matches a canonical column exactly, after normalisation
(case, spaces and punctuation: "Child ID", " child_id ", "CHILD_ID" all read child_id), or
through a mapping profile. Anything else is at most a *proposal*, scored by name similarity
(difflib on normalised names) and a short synonym list, shown to the user and never applied
on its own: an unmapped required column refuses the batch and names the closest headers.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
import unicodedata
from pathlib import Path
from typing import Sequence

from cqi_core.storage.contract import Table, load_contract
from cqi_core.ingest.model import ColumnMatch, FilePlan, MappingProfile, MissingColumn

#: Proposals below this similarity are not shown; candidates for a missing column go lower.
PROPOSAL_MIN = 0.75
CANDIDATE_MIN = 0.45

#: Other names agencies use for canonical columns (normalised). Only ever proposals.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "child_id": ("client_id", "person_id", "youth_id", "chid", "recnumbr", "afcarsid"),
    "birth_date": ("dob", "date_of_birth", "birthdate", "birth_dt"),
    "sex": ("gender", "chsex"),
    "race_ethnicity": ("race", "ethnicity", "race_eth", "raceethn"),
    "removal_date": ("entry_date", "date_of_removal", "removal_dt", "latremdt"),
    "discharge_date": ("exit_date", "date_of_discharge", "discharge_dt", "dodfcdt"),
    "discharge_reason": ("exit_reason", "disreasn"),
    "setting": ("placement_setting", "placement_type", "curplset"),
    "start_date": ("placement_start", "begin_date"),
    "end_date": ("placement_end", "stop_date"),
    "report_id": ("referral_id", "intake_id", "rptid"),
    "report_date": ("referral_date", "intake_date", "rptdt"),
    "first_contact_date": ("contact_date", "investigation_start", "invdate"),
    "incident_date": ("inciddt",),
    "disposition": ("finding", "rptdisp"),
    "response_priority": ("priority",),
    "maltreatment_type": ("chmal1", "allegation_type"),
    "unit_id": ("office", "office_id", "unit", "team_id"),
    "worker_id": ("caseworker_id", "staff_id", "caseworker"),
    "hire_date": ("start_date_of_employment", "date_hired"),
    "separation_date": ("termination_date", "end_date_of_employment"),
    "visit_date": ("contact_date", "date_of_visit"),
}


def norm(header: str) -> str:
    """A header reduced to lower-case words joined by `_` ("Child ID " → "child_id")."""
    h = unicodedata.normalize("NFKC", str(header)).replace("\ufeff", "").strip().lower()
    return re.sub(r"[^0-9a-z]+", "_", h).strip("_")


def _squash(header: str) -> str:
    return norm(header).replace("_", "")


def _profile_columns(profile: MappingProfile | None, table: str) -> dict[str, str]:
    return {_squash(src): dst for src, dst in ((profile.columns.get(table) if profile else None)
                                               or {}).items()}


def match_headers(headers: Sequence[str], table: Table, profile: MappingProfile | None
                  ) -> tuple[dict[str, int], list[ColumnMatch], list[str]]:
    """Apply exact, normalised and profile matches of `headers` to `table`.

    Returns (canonical column → header position, matches applied, ignored headers).
    A profile entry wins over a header that only happens to be spelt like the column, and
    the first header wins among equals; the losers are reported as ignored.
    """
    by_profile = _profile_columns(profile, table.name)
    squashed = {c.replace("_", ""): c for c in table.column_names}
    found: dict[str, tuple[int, int, str]] = {}  # column -> (rank, position, method)
    for i, h in enumerate(headers):
        if not h:
            continue
        options = []
        if _squash(h) in by_profile:
            options.append((0, by_profile[_squash(h)], "profile"))
        if h in table.column_names:
            options.append((1, h, "exact"))
        elif _squash(h) in squashed:
            options.append((2, squashed[_squash(h)], "normalised"))
        for rank, col, method in options[:1]:
            if col not in found or rank < found[col][0]:
                found[col] = (rank, i, method)
    column_map = {c: v[1] for c, v in sorted(found.items(),
                                             key=lambda kv: table.column_names.index(kv[0]))}
    used = set(column_map.values())
    matches = [ColumnMatch(column=c, source=headers[i], score=1.0, method=found[c][2],
                           applied=True) for c, i in column_map.items()]
    ignored = [h if h else f"(column {i + 1}, no header)"
               for i, h in enumerate(headers) if i not in used]
    return column_map, matches, ignored


def repeated_headers(headers: Sequence[str], table: Table, profile: MappingProfile | None
                     ) -> dict[str, tuple[int, ...]]:
    """Canonical columns that two or more headers claim equally, with their positions.

    "child_id" and "Child ID" both read child_id by name; keeping either one silently could
    load the wrong column, so such a file is refused. A profile entry still wins over a
    header that only happens to be spelt like the column (that is a choice, not a tie).
    """
    by_profile = _profile_columns(profile, table.name)
    squashed = {c.replace("_", ""): c for c in table.column_names}
    claims: dict[str, dict[int, list[int]]] = {}  # column -> rank class -> positions
    for i, h in enumerate(headers):
        if not h:
            continue
        if _squash(h) in by_profile:
            rank, col = 0, by_profile[_squash(h)]
        elif _squash(h) in squashed:
            rank, col = 1, squashed[_squash(h)]
        else:
            continue
        claims.setdefault(col, {}).setdefault(rank, []).append(i)
    out = {}
    for col, ranks in claims.items():
        best = ranks[min(ranks)]
        if len(best) > 1:
            out[col] = tuple(best)
    return out


def _column_label(i: int, letters: bool) -> str:
    if not letters:
        return str(i + 1)
    name, n = "", i + 1
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return name


def repeated_header_error(headers: Sequence[str], repeated: dict[str, tuple[int, ...]],
                          letters: bool = False) -> str | None:
    """The refusal for repeated headers (reads after the file name), or None.

    Args:
        letters: name sheet columns by letter (A, B, ...) instead of by number.
    """
    if not repeated:
        return None
    parts = []
    for col, pos in repeated.items():
        where = [_column_label(i, letters) for i in pos]
        listed = ", ".join(where[:-1]) + " and " + where[-1]
        shown = " and ".join(f'"{headers[i]}"' for i in pos)
        parts.append(f"columns {listed} are both {col} (headers {shown})" if len(pos) == 2
                     else f"columns {listed} are all {col} (headers {shown})")
    return (f"has a repeated column: {'; '.join(parts)}. Keep one of them and import "
            f"again.")


def similarity(header: str, column: str) -> float:
    """How alike a header and a canonical column name are (0 to 1), synonyms scoring 0.9."""
    h = norm(header)
    score = difflib.SequenceMatcher(None, h, column).ratio()
    if h in SYNONYMS.get(column, ()) or h.replace("_", "") in SYNONYMS.get(column, ()):
        score = max(score, 0.9)
    for word in (column, *SYNONYMS.get(column, ())):
        if len(word) > 3 and (word in h.split("_") or h == word.replace("_", "")):
            score = max(score, 0.8)
    return round(score, 2)


def propose(headers: Sequence[str], table: Table, column_map: dict[str, int]
            ) -> tuple[list[ColumnMatch], list[MissingColumn]]:
    """Similarity proposals for unmatched columns, and the required columns still missing."""
    used = set(column_map.values())
    free = [h for i, h in enumerate(headers) if i not in used and h]
    proposals: list[ColumnMatch] = []
    missing: list[MissingColumn] = []
    for col in table.columns:
        if col.name in column_map:
            continue
        scored = sorted(((similarity(h, col.name), h) for h in free), key=lambda s: -s[0])
        if scored and scored[0][0] >= PROPOSAL_MIN:
            proposals.append(ColumnMatch(column=col.name, source=scored[0][1],
                                         score=scored[0][0], method="similarity", applied=False))
        if col.required:
            missing.append(MissingColumn(col.name, tuple(h for s, h in scored[:3]
                                                         if s >= CANDIDATE_MIN)))
    return proposals, missing


def header_score(headers: Sequence[str], profile: MappingProfile | None = None) -> float:
    """How well a row of cells reads as the header of some table (for finding the header row)."""
    best = 0.0
    for t in load_contract().tables.values():
        cmap, _, _ = match_headers(headers, t, profile)
        best = max(best, len(cmap))
    return best


def table_for_name(name: str, profile: MappingProfile | None) -> str | None:
    """The table a file or sheet name designates, if any (profile patterns first)."""
    tables = load_contract().tables
    if profile:
        for pattern, table in profile.files.items():
            for candidate in (name, Path(name).stem):
                if fnmatch.fnmatch(candidate.lower(), pattern.lower()):
                    return table
    stem = norm(Path(name).stem if Path(name).suffix else name)
    return stem if stem in tables else None


def workbook_tables(name: str) -> list[str]:
    """Tables kept as sheets of the workbook `name` (case_reviews → reviews, ratings)."""
    stem = norm(Path(name).stem)
    return [t.name for t in load_contract().tables.values() if t.workbook == stem]


def table_by_headers(headers: Sequence[str], profile: MappingProfile | None
                     ) -> tuple[str | None, str]:
    """The table whose columns the headers match best, with a note saying how it was chosen."""
    scored = []
    for t in load_contract().tables.values():
        cmap, _, _ = match_headers(headers, t, profile)
        if not any(k in cmap for k in t.key) or len(cmap) < 2:
            continue
        req = sum(c in cmap for c in t.required_columns)
        scored.append(((req, len(cmap), req / max(len(t.required_columns), 1)), t.name))
    if not scored:
        return None, ("not imported: its headers do not match any table of the export "
                      "(name the file after its table, e.g. children.csv, or use a mapping "
                      "profile)")
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None, (f"not imported: its headers fit {scored[0][1]} and {scored[1][1]} "
                      f"equally well; name the file after its table")
    return scored[0][1], f"table chosen from its headers ({scored[0][0][1]} columns match)"


def plan_for_headers(file: str, sheet: str | None, kind: str, headers: Sequence[str],
                     table: str | None, note: str, profile: MappingProfile | None,
                     **extra) -> FilePlan:
    """A FilePlan for a file whose headers are known and whose table is decided (or None)."""
    headers = tuple(headers)
    if table is None:
        return FilePlan(file=file, sheet=sheet, table=None, column_map={}, proposals=(),
                        missing_required=(), ignored_columns=(), note=note, kind=kind,
                        headers=headers, **extra)
    t = load_contract().table(table)
    positions, matches, ignored = match_headers(headers, t, profile)
    repeated = repeated_header_error(headers, repeated_headers(headers, t, profile),
                                     letters=kind == "xlsx")
    if repeated and not extra.get("error"):
        extra["error"] = repeated
    proposals, missing = propose(headers, t, positions)
    return FilePlan(file=file, sheet=sheet, table=table,
                    column_map={c: headers[i] for c, i in positions.items()},
                    proposals=tuple(matches + proposals), missing_required=tuple(missing),
                    ignored_columns=tuple(ignored), note=note, kind=kind, headers=headers,
                    **extra)


def positions(plan: FilePlan, profile: MappingProfile | None) -> dict[str, int]:
    """Canonical column → position of its header, for a planned file (same rules as the plan)."""
    t = load_contract().table(plan.table)
    return match_headers(plan.headers, t, profile)[0]
