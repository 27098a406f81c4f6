"""Improvement cycles (plan-do-study-act): what a team tried, where and when, and what it decided.

A cycle records the plan (aim, prediction, change idea, the measures and units it is studied
on, who does what), the do (start and end dates, status), the study (notes, and the study
view of `cycle_study`: the SPC chart with the baseline frozen at the start, a segmented
regression, and what people said) and the act (adopt, adapt or abandon). Who took part is
kept by role, so a public view can say that youth and caregivers helped without naming them.

Cycles are the product's own tables (`sql/improvement_schema.sql`): imports never touch
them, and every save appends the whole record to a versions table, so edits are never lost.
A cycle is never deleted; one that will not go ahead is withdrawn with a reason. The dates
of every cycle appear as notes on the trend charts of its measures (`trends.chart_notes`).

Analysts and supervisors record cycles; a supervisor limited to some units records cycles
of those units only. Public audiences read a cycle's dates, status and the roles of those
who took part, never names, the plan or the reason for a withdrawal. Its title, aim, change
idea, prediction, study notes and decision (`APPROVABLE`) they read only once an analyst
approved that exact text (`privacy.approve_text`, kind "cycle"), redacted and with a small
number of people said as "fewer than 11" (`privacy.suppression.few_people`, as for a deck's
takeaway); an edit lapses the approval. Until then they read a neutral placeholder ("An
improvement cycle on …", `privacy.NOT_APPROVED`), or nothing for the prediction and the
study notes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import polars as pl

from cqi_core import privacy
from cqi_core.settings import load
from cqi_core.errors import CQIError, StoreError
from cqi_core.indicators.catalog import load_catalog
from cqi_core.privacy.redaction import redact
from cqi_core.privacy.suppression import few_people
from cqi_core.analysis.qualitative.sharing import agency_words
from cqi_core.storage.store import Store
from cqi_core.storage.facts import unit_list
from cqi_core.storage.statements import statement
from cqi_core.storage.statements import transaction

HERE = Path(__file__).resolve().parent
_SQL_DIR = HERE / "sql" / "improvement"

EDITABLE = ("title", "aim", "prediction", "change_idea", "indicators", "units", "start_date",
            "end_date", "plan", "study_notes", "act_decision", "status", "status_reason",
            "participants")
"""Fields a person can change; the others are kept by the store."""
APPROVABLE = ("title", "aim", "change_idea", "prediction", "study_notes", "act_decision")
"""Staff-written fields a public audience reads only once an analyst approved their text."""
PUBLIC_FIELDS = ("cycle_id", "title", "aim", "change_idea", "indicators", "units", "start_date",
                 "end_date", "act_decision", "status", "approved")
"""What a public audience reads of a cycle (plus the roles of those who took part); the
fields of `APPROVABLE` as `_public` gives them."""
FIELD_WORDS = {"title": "title", "aim": "aim", "prediction": "prediction",
               "change_idea": "change idea", "indicators": "measures", "units": "units",
               "start_date": "start date", "end_date": "end date", "plan": "plan",
               "study_notes": "study notes", "act_decision": "decision", "status": "status",
               "status_reason": "reason for the status", "participants": "who took part"}
"""Each editable field in words (history, messages)."""


@dataclass(frozen=True)
class Participant:
    """Someone who took part in a cycle."""

    name: str
    """Their name or a group's ("Youth advisory board"); may be empty. Never shown publicly."""
    role: str
    """A key of `stakeholder_roles` or `staff_roles` in improvement.yaml (youth, parent …)."""


@dataclass(frozen=True)
class Cycle:
    """One plan-do-study-act cycle."""

    title: str
    """A short name ("Visit huddles in North Metro")."""
    aim: str
    """What the team wants to improve, by how much and by when."""
    start_date: date
    """The day the change started (or will start); the study's baseline ends before it."""
    indicators: tuple[str, ...]
    """Catalog ids of the measures the cycle is studied on (at least one)."""
    units: tuple[str, ...] = ()
    """Unit ids where the change is tried; empty means the whole agency."""
    end_date: date | None = None
    """The day the test ended (None while open-ended)."""
    prediction: str = ""
    """What the team expects to see, written before the start."""
    change_idea: str = ""
    """What is tried."""
    plan: str = ""
    """Who does what, when, and how it is measured."""
    study_notes: str = ""
    """What the team saw when it studied the results."""
    act_decision: str | None = None
    """adopt, adapt or abandon; None until decided (only while studying or done)."""
    status: str = "planned"
    """planned, running, studying, done or withdrawn."""
    status_reason: str = ""
    """Why the cycle was withdrawn (required then)."""
    participants: tuple[Participant, ...] = ()
    """Who took part, with their roles."""
    cycle_id: int | None = None
    """Given by the store on creation."""
    version: int = 0
    """1 on creation, one more per saved edit (0 before the first save)."""
    created_by: str = ""
    """Who created it."""
    created_at: datetime | None = None
    """When it was created."""
    updated_by: str = ""
    """Who saved the current version."""
    updated_at: datetime | None = None
    """When the current version was saved."""
    approved: tuple[str, ...] = ()
    """Fields of `APPROVABLE` a public audience reads as written (redacted): their current
    text is approved, or they are empty. Filled when the cycle is read; never stored."""

    @property
    def agency_wide(self) -> bool:
        """True when the cycle has no units: the change is tried across the agency."""
        return not self.units


@dataclass(frozen=True)
class CycleSettings:
    """The words and settings of improvement.yaml."""

    statuses: dict[str, str]
    """Status → words, in order."""
    act_decisions: dict[str, str]
    """Decision → words."""
    stakeholder_roles: dict[str, str]
    """Roles of people the agency serves and works with → words."""
    staff_roles: dict[str, str]
    """Roles of agency staff → words."""
    baseline_periods: dict[str, int]
    """Per grain: periods before the start used as the study's baseline."""
    heard_months_before: int
    """"You said" reads feedback from this many months before the start."""
    themes: int
    """Themes listed in "you said"."""
    quotes: int
    """Quotes per theme."""

    @property
    def roles(self) -> dict[str, str]:
        """Every participant role → words (stakeholders first)."""
        return {**self.stakeholder_roles, **self.staff_roles}


@lru_cache(maxsize=1)
def load_settings() -> CycleSettings:
    """The settings in improvement.yaml, checked.

    Raises:
        CQIError: a missing or malformed setting.
    """
    raw = load("improvement") or {}
    try:
        study = raw["study"]
        settings = CycleSettings(
            statuses=dict(raw["statuses"]), act_decisions=dict(raw["act_decisions"]),
            stakeholder_roles=dict(raw["stakeholder_roles"]), staff_roles=dict(raw["staff_roles"]),
            baseline_periods={k: int(v) for k, v in study["baseline_periods"].items()},
            heard_months_before=int(study["heard_months_before"]), themes=int(study["themes"]),
            quotes=int(study["quotes"]))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CQIError(f"improvement.yaml does not match the expected settings: {exc!r}") from exc
    expected = ("planned", "running", "studying", "done", "withdrawn")
    if tuple(settings.statuses) != expected:
        raise CQIError(f"improvement.yaml: statuses must be {', '.join(expected)}, in that order.")
    if set(settings.act_decisions) != {"adopt", "adapt", "abandon"}:
        raise CQIError("improvement.yaml: act_decisions must be adopt, adapt and abandon.")
    if set(settings.stakeholder_roles) & set(settings.staff_roles):
        raise CQIError("improvement.yaml: a role cannot be both a stakeholder and a staff role.")
    if set(settings.baseline_periods) != {"month", "quarter"} or \
            min(settings.baseline_periods.values()) < 3:
        raise CQIError("improvement.yaml: baseline_periods needs month and quarter, each 3 or "
                       "more.")
    return settings


def _sql(name: str) -> str:
    return statement(_SQL_DIR, name)


# --------------------------------------------------------------------------- checks


def _text(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CQIError(f"The {what} must be text.")
    return value.strip()


def _ids(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    out: list[str] = []
    for v in value:
        v = str(v).strip()
        if not v:
            raise CQIError(f"An empty entry is not one of the {what}.")
        if v not in out:
            out.append(v)
    return tuple(out)


def _day(value: Any, what: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise CQIError(f"The {what} {value!r} is not a date (use YYYY-MM-DD).") from None


def _participants(value: Any) -> tuple[Participant, ...]:
    roles = load_settings().roles
    out = []
    for p in value or ():
        if isinstance(p, Participant):
            name, role = p.name, p.role
        elif isinstance(p, Mapping):
            name, role = p.get("name"), p.get("role")
        else:
            raise CQIError("Each participant needs a name and a role.")
        name, role = _text(name, "participant's name"), _text(role, "participant's role")
        if role not in roles:
            raise CQIError(f"Unknown role {role!r} for {name or 'a participant'}; choose from "
                           f"{', '.join(roles)}.")
        out.append(Participant(name, role))
    return tuple(out)


def _normalise(c: Cycle) -> Cycle:
    return replace(
        c, title=_text(c.title, "title"), aim=_text(c.aim, "aim"),
        prediction=_text(c.prediction, "prediction"),
        change_idea=_text(c.change_idea, "change idea"),
        plan=_text(c.plan, "plan"), study_notes=_text(c.study_notes, "study notes"),
        status_reason=_text(c.status_reason, "reason"),
        indicators=_ids(c.indicators, "measures"), units=_ids(c.units, "units"),
        start_date=_day(c.start_date, "start date"), end_date=_day(c.end_date, "end date"),
        act_decision=_text(c.act_decision, "decision") or None,
        status=_text(c.status, "status"), participants=_participants(c.participants))


def _validate(store: Store, c: Cycle) -> None:
    """Raise CQIError with a plain message for the first problem found."""
    settings = load_settings()
    if not c.title:
        raise CQIError("Give the cycle a short title.")
    if not c.aim:
        raise CQIError("Say what the cycle aims to improve: the aim cannot be empty.")
    if c.start_date is None:
        raise CQIError("Give the date the change starts.")
    if c.end_date is not None and c.end_date < c.start_date:
        raise CQIError(f"The cycle ends on {c.end_date:%B %-d, %Y}, before it starts on "
                       f"{c.start_date:%B %-d, %Y}.")
    if not c.indicators:
        raise CQIError("Choose at least one measure the cycle is studied on.")
    catalog = load_catalog(store)
    unknown = [i for i in c.indicators if i not in catalog]
    if unknown:
        raise CQIError(f"Unknown measure {unknown[0]!r}: choose measures from the indicator "
                       "catalog.")
    known = set(unit_list(store)["unit_id"].to_list())
    bad = [u for u in c.units if u not in known]
    if bad:
        raise CQIError(f"Unknown unit {bad[0]!r}: choose units of the agency, or none for the "
                       "whole agency.")
    if c.status not in settings.statuses:
        raise CQIError(f"Unknown status {c.status!r}; choose from {', '.join(settings.statuses)}.")
    if c.status == "withdrawn" and not c.status_reason:
        raise CQIError("Say why the cycle is withdrawn: the reason is kept with it.")
    if c.act_decision is not None:
        if c.act_decision not in settings.act_decisions:
            raise CQIError(f"Unknown decision {c.act_decision!r}; choose adopt, adapt or abandon.")
        if c.status not in ("studying", "done"):
            raise CQIError("Decide to adopt, adapt or abandon once the results are studied: set "
                           "the status to studying or done.")


def _check_editor(store: Store | privacy.Handle, user: Any, *unit_sets: tuple[str, ...]) -> str:
    """Who may save: analysts, and supervisors for their own units. Returns the user."""
    if store.read_only:
        raise StoreError("This database is open read-only, so cycles cannot be saved here.")
    v = privacy.viewer_of(store)
    if v.public:
        raise privacy.AccessDenied("Improvement cycles are recorded by analysts and supervisors; "
                                   f"a {v.role} audience can read them only.")
    if v.role == "supervisor" and v.units is not None:
        for units in unit_sets:
            if not units:
                raise privacy.AccessDenied(
                    "A cycle for the whole agency is recorded by an analyst; choose your units "
                    f"({', '.join(v.units)}).")
            outside = [u for u in units if u not in v.units]
            if outside:
                raise privacy.AccessDenied(f"You record cycles for your own units only "
                                           f"({', '.join(v.units)}), not {outside[0]}.")
    if not isinstance(user, str) or not user.strip():
        raise CQIError("Say who is saving the cycle: the name is kept with it.")
    return user.strip()


# --------------------------------------------------------------------------- storage


def _record(c: Cycle) -> dict[str, Any]:
    """The cycle as JSON-ready values."""
    out: dict[str, Any] = {}
    for f in fields(Cycle):
        if f.name == "approved":  # read from the approvals, not part of the record
            continue
        v = getattr(c, f.name)
        if isinstance(v, (date, datetime)):
            v = v.isoformat()
        elif f.name == "participants":
            v = [{"name": p.name, "role": p.role} for p in v]
        elif isinstance(v, tuple):
            v = list(v)
        out[f.name] = v
    return out


def _params(c: Cycle) -> dict[str, Any]:
    rec = _record(c)
    return {**{k: rec[k] for k in EDITABLE}, "start_date": c.start_date, "end_date": c.end_date,
            "participants": json.dumps(rec["participants"], ensure_ascii=False)}


def _from_row(row: Mapping[str, Any]) -> Cycle:
    return Cycle(
        cycle_id=int(row["cycle_id"]), version=int(row["version"]), title=row["title"],
        aim=row["aim"], prediction=row["prediction"], change_idea=row["change_idea"],
        indicators=tuple(row["indicators"] or ()), units=tuple(row["units"] or ()),
        start_date=row["start_date"], end_date=row["end_date"], plan=row["plan"],
        study_notes=row["study_notes"], act_decision=row["act_decision"], status=row["status"],
        status_reason=row["status_reason"],
        participants=tuple(Participant(p["name"], p["role"])
                           for p in json.loads(row["participants"] or "[]")),
        created_by=row["created_by"], created_at=row["created_at"],
        updated_by=row["updated_by"], updated_at=row["updated_at"])


def _write(store: Store, statement: str, saved: Cycle, changed: Sequence[str], user: str,
           at: datetime) -> int:
    """Run the insert or update and append the version, in one transaction; the cycle id."""
    cur = store.cursor()
    try:
        with transaction(cur):
            params = {**_params(saved), "user": user, "at": at}
            if saved.cycle_id is not None:
                params |= {"cycle_id": saved.cycle_id, "version": saved.version}
            rows = cur.execute(_sql(statement), params).fetchall()
            if not rows:
                raise CQIError("Someone else saved this cycle at the same moment; reload it and "
                               "make your change again.")
            cycle_id = int(rows[0][0])
            record = _record(replace(saved, cycle_id=cycle_id))
            cur.execute(_sql("insert_version"), {
                "cycle_id": cycle_id, "version": saved.version, "user": user, "at": at,
                "changed": list(changed), "record": json.dumps(record, ensure_ascii=False)})
        return cycle_id
    finally:
        cur.close()


def create_cycle(store: Store | privacy.Handle, cycle: Cycle, user: str) -> Cycle:
    """Record a new cycle (version 1).

    Args:
        store: a store handle open for writing (its viewer must be an analyst, or a
            supervisor recording a cycle of their own units).
        cycle: the cycle; its id, version and audit fields are ignored.
        user: who records it (kept with every version).

    Returns:
        The stored cycle, with its id.

    Raises:
        CQIError: an empty title or aim, no measure, an unknown measure, unit, role, status
            or decision, an end before the start, a withdrawal without a reason, or no user.
        privacy.AccessDenied: a public viewer, or a supervisor outside their units.
        StoreError: the database is open read-only.
    """
    c = _normalise(replace(cycle, cycle_id=None, version=1))
    user = _check_editor(store, user, c.units)
    _validate(store, c)
    now = datetime.now()
    with store.writing() as con:
        cycle_id = _write(con, "insert_cycle", c, EDITABLE, user, now)
    return _cycle(store, cycle_id)


def update_cycle(store: Store | privacy.Handle, cycle_id: int, changes: Mapping[str, Any], user: str,
                 base_version: int | None = None) -> Cycle:
    """Save changes to a cycle as its next version.

    Args:
        store: a store handle open for writing (analyst, or a supervisor of the units the
            cycle had and will have).
        cycle_id: the cycle.
        changes: field → new value, for fields of `EDITABLE` (participants as
            `Participant`s or {"name", "role"} dicts; dates as dates or YYYY-MM-DD).
        user: who saves.
        base_version: the version the person edited; when another save came in between,
            nothing is saved and CQIError says so.

    Returns:
        The cycle as saved (unchanged, with no new version, when nothing differs).

    Raises:
        CQIError: no such cycle, a field that cannot be changed, a stale base version, or any
            problem `create_cycle` refuses.
        privacy.AccessDenied: a public viewer, or a supervisor outside their units.
        StoreError: the database is open read-only.
    """
    fixed = sorted(set(changes) - set(EDITABLE))
    if fixed:
        raise CQIError(f"{fixed[0]!r} cannot be changed; editable fields are "
                       f"{', '.join(EDITABLE)}.")
    with store.writing() as con:
        before = _cycle(store, cycle_id)
        if base_version is not None and base_version != before.version:
            raise CQIError(f"{before.updated_by} saved this cycle (version {before.version}) "
                           "after you opened it; reload it and make your change again.")
        after = _normalise(replace(before, **dict(changes)))
        user = _check_editor(store, user, before.units, after.units)
        _validate(store, after)
        changed = [f for f in EDITABLE if getattr(before, f) != getattr(after, f)]
        if not changed:
            return before
        _write(con, "update_cycle", replace(after, version=before.version + 1), changed, user,
               datetime.now())
    return _cycle(store, cycle_id)


def withdraw_cycle(store: Store | privacy.Handle, cycle_id: int, reason: str, user: str) -> Cycle:
    """Withdraw a cycle that will not go ahead (it is kept, with the reason)."""
    return update_cycle(store, cycle_id, {"status": "withdrawn", "status_reason": reason}, user)


# --------------------------------------------------------------------------- reading


def _all(store: Store) -> list[Cycle]:
    return [_from_row(r) for r in store.query(_sql("cycles")).iter_rows(named=True)]


def _cycle(store: Store, cycle_id: int) -> Cycle:
    for c in _all(store):
        if c.cycle_id == cycle_id:
            return _with_approvals(c, store)
    raise CQIError(f"There is no improvement cycle {cycle_id}.")


def approval_items(cycle: Cycle) -> tuple[privacy.ApprovalItem, ...]:
    """The cycle's texts an analyst may approve for public audiences, as they are now
    (the decision as stored, "adopt", with its words in the label); empty fields are left
    out."""
    settings = load_settings()
    out = []
    for f in APPROVABLE:
        text = getattr(cycle, f)
        if text:
            label = FIELD_WORDS[f].capitalize()
            if f == "act_decision":
                label += f" ({settings.act_decisions.get(text, text)})"
            out.append(privacy.ApprovalItem("cycle", str(cycle.cycle_id), f, label, text,
                                            f in cycle.approved))
    return tuple(out)


def _with_approvals(c: Cycle, store: Store) -> Cycle:
    ok = privacy.approved_fields(store, "cycle", c.cycle_id,
                                 {f: getattr(c, f) for f in APPROVABLE})
    return replace(c, approved=tuple(f for f in APPROVABLE if f in ok or not getattr(c, f)))


def _placeholder_title(c: Cycle, store: Store) -> str:
    catalog = load_catalog(store)
    names = [catalog.entry(i).name if i in catalog else i for i in c.indicators]
    return f"An improvement cycle on {' and '.join(names) or 'a measure'}"


def _public(c: Cycle, store: Store) -> Cycle:
    """What a public audience reads: no names, no plan; staff-written text only where its
    exact text is approved, redacted (small numbers of people in words, "fewer than 11"),
    and otherwise a neutral placeholder (nothing for the
    prediction and the study notes, which a public page never needed)."""
    keep, threshold = agency_words(store), privacy.load_policy().threshold
    c = _with_approvals(c, store)

    def shown(field: str, placeholder: str) -> str:
        text = getattr(c, field)
        return few_people(redact(text, keep) or "", threshold) if field in c.approved \
            else placeholder

    return Cycle(
        cycle_id=c.cycle_id, version=c.version,
        title=shown("title", _placeholder_title(c, store)),
        aim=shown("aim", privacy.NOT_APPROVED),
        change_idea=shown("change_idea", privacy.NOT_APPROVED),
        prediction=shown("prediction", ""), study_notes=shown("study_notes", ""),
        indicators=c.indicators, units=c.units, start_date=c.start_date, end_date=c.end_date,
        act_decision=c.act_decision if "act_decision" in c.approved else None, status=c.status,
        participants=tuple(Participant("", p.role) for p in c.participants), approved=c.approved)


def cycle(store: Store | privacy.Handle, cycle_id: int) -> Cycle:
    """One cycle as the store's viewer may read it, with `approved` filled (public
    audiences: `PUBLIC_FIELDS` as `_public` gives them and the participants' roles; the
    other fields empty).

    Raises:
        CQIError: no such cycle (a withdrawn cycle does not exist for a public audience).
    """
    c = _cycle(store, cycle_id)
    if privacy.viewer_of(store).public:
        if c.status == "withdrawn":
            raise CQIError(f"There is no improvement cycle {cycle_id}.")
        return _public(c, store)
    return c


CYCLE_COLUMNS = {
    "cycle_id": pl.Int64, "version": pl.Int64, "title": pl.String, "aim": pl.String,
    "prediction": pl.String, "change_idea": pl.String, "indicators": pl.List(pl.String),
    "units": pl.List(pl.String), "start_date": pl.Date, "end_date": pl.Date, "plan": pl.String,
    "study_notes": pl.String, "act_decision": pl.String, "status": pl.String,
    "status_reason": pl.String, "participant_names": pl.List(pl.String),
    "participant_roles": pl.List(pl.String), "stakeholders": pl.Int64, "created_by": pl.String,
    "created_at": pl.Datetime("us"), "updated_by": pl.String, "updated_at": pl.Datetime("us"),
    "approved": pl.List(pl.String)}
"""Columns of `cycles()` for analysts and supervisors."""


def cycles(store: Store | privacy.Handle, status: Sequence[str] | None = None, unit: str | None = None,
           indicator: str | None = None) -> pl.DataFrame:
    """Every cycle as its viewer may read it, newest start first.

    Args:
        store: the database (read-only is fine).
        status: keep these statuses (default all; public audiences never see withdrawn ones).
        unit: keep cycles tried in this unit, and agency-wide ones.
        indicator: keep cycles studied on this measure.

    Returns:
        `CYCLE_COLUMNS`: one row per cycle; participant_names and participant_roles in the
        same order; stakeholders = how many participants have a stakeholder role; approved =
        the fields of `APPROVABLE` a public audience reads as written. Public audiences get
        only `PUBLIC_FIELDS` (as `cycle` gives them), participant_roles and stakeholders.
    """
    stakeholder = load_settings().stakeholder_roles
    public = privacy.viewer_of(store).public
    rows = []
    for c in _all(store):
        if public and c.status == "withdrawn":
            continue
        if status and c.status not in status:
            continue
        if unit is not None and c.units and unit not in c.units:
            continue
        if indicator is not None and indicator not in c.indicators:
            continue
        c = _public(c, store) if public else _with_approvals(c, store)
        rec = {f: getattr(c, f) for f in CYCLE_COLUMNS if hasattr(c, f)}
        rec |= {"indicators": list(c.indicators), "units": list(c.units),
                "approved": list(c.approved),
                "participant_names": [p.name for p in c.participants],
                "participant_roles": [p.role for p in c.participants],
                "stakeholders": sum(p.role in stakeholder for p in c.participants)}
        rows.append(rec)
    out = pl.DataFrame(rows, schema=CYCLE_COLUMNS, orient="row") if rows else \
        pl.DataFrame(schema=CYCLE_COLUMNS)
    if public:
        return out.select(*PUBLIC_FIELDS, "participant_roles", "stakeholders")
    return out


def cycle_history(store: Store | privacy.Handle, cycle_id: int) -> pl.DataFrame:
    """Every saved version of a cycle, oldest first: version, saved_by, saved_at, changed
    (field names), what (the changes in words, "status: running → studying").

    Raises:
        privacy.AccessDenied: a public viewer (the history names people).
        CQIError: no such cycle.
    """
    v = privacy.viewer_of(store)
    if v.public:
        raise privacy.AccessDenied("The history of a cycle names the people who edited it; it "
                                   "is not shown to a public audience.")
    _cycle(store, cycle_id)
    rows = store.query(_sql("versions"), {"cycle_id": cycle_id})
    words, before = [], None
    for changed, record in zip(rows["changed"].to_list(), rows["record"].to_list()):
        after = json.loads(record)
        if before is None:
            words.append("Recorded the cycle.")
        else:
            words.append("; ".join(f"{FIELD_WORDS[f]}: {_show(before.get(f))} → "
                                   f"{_show(after.get(f))}" for f in changed))
        before = after
    return rows.select("version", "saved_by", "saved_at", "changed").with_columns(
        pl.Series("what", words, dtype=pl.String))


def _show(value: Any) -> str:
    if value in (None, "", []):
        return "(none)"
    if isinstance(value, list):
        return ", ".join(f"{p['name']} ({p['role']})" if isinstance(p, dict) else str(p)
                         for p in value)
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"
