"""Findings and decks: what a stakeholder meeting is shown, one finding per screen.

A `Finding` names one chart: an indicator's quarterly trend for the agency or a region, or
its breakdown by region, age group, sex or race and ethnicity over a 12-month period, with a
one-line takeaway and speaker notes. Each point of a trend is the 12 months ending with a
quarter, as the scorecard and the federal measures count: one year's figure, updated every
quarter, steadier than a single quarter and far less often hidden for small numbers.

A deck is a saved, named list of findings (tables `decks` and `deck_findings`,
sql/findings_schema.sql), kept apart from the data so it survives re-imports. Analysts and
supervisors make and change decks; every audience the presentation page serves can show
them. `default_deck` needs no setup: the scorecard's headline measures (its outcome
section), each as a trend and by region.

`finding_view` computes what a finding shows through the indicator engine, which
releases it for the handle's viewer (`privacy.release_indicator_rows`), so a public
audience gets suppressed figures whatever page asks. A region is computed together with its units and the other regions, so its rows
are masked exactly as in the full unit-by-region table. A takeaway left empty is written
from the released figures (`finding_words`), so it can never state a hidden number; the
charts are drawn by `finding_charts`.

A saved deck's name, takeaways and speaker notes are staff-written: a public audience reads
one only when an analyst approved that exact text for the deck (`privacy.approve_text`,
kind "deck", fields "name", "takeaway" and "notes"), redacted. Otherwise it reads "Saved
deck 3" for the name, the takeaway written from the figures, and `privacy.NOT_APPROVED` for
notes (the default deck's name and notes, written here, need no approval).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple, Sequence

import polars as pl

from cqi_core import privacy
from cqi_core.charts.base import Figure
from cqi_core.errors import CQIError
from cqi_core.charts.findings import DOCUMENT, PRESENTATION, breakdown_figure, trend_figure
from cqi_core.present.words import (GROUP_TITLES, HIDDEN, few_people, figures_table, group_label,
                            group_order, takeaway)
from cqi_core.indicators.catalog import Catalog, CatalogEntry, load_catalog
from cqi_core.indicators.engine import compute, load_config
from cqi_core.indicators.latest import latest_periods
from cqi_core.periods import consecutive_periods, followup_end, month_ends_before, period_ending
from cqi_core.storage.store import Store
from cqi_core.storage.facts import as_of_date
from cqi_core.privacy.redaction import redact
from cqi_core.storage.statements import statement
from cqi_core.storage.statements import transaction

__all__ = ["BREAKDOWNS", "DEFAULT_DECK", "Deck", "Finding", "FindingView", "GROUP_TITLES",
           "HEADLINE_TYPES", "HIDDEN", "MAX_NOTES", "MAX_TAKEAWAY", "TREND_GROUPS",
           "TREND_QUARTERS", "VIEWS", "create_deck", "deck_approval_items", "default_deck",
           "delete_deck", "finding_notes", "finding_title", "finding_view", "list_decks", "load_deck",
           "reorder_deck", "update_deck", "write_takeaway"]

VIEWS = ("trend", "breakdown")
"""What a finding shows: a quarterly trend, or a breakdown by group for one period."""
TREND_GROUPS = ("all", "region")
"""Whose trend a finding can show: the whole agency or one region."""
BREAKDOWNS = ("region", "age_group", "sex", "race_ethnicity")
"""What a breakdown can be by. Units are left out: a meeting looks at the agency, not at
one office's small numbers."""
HEADLINE_TYPES = ("outcome",)
"""Measure types of the scorecard's headline section, the default deck's measures."""
TREND_QUARTERS = 12
"""Points a trend shows when its period is "latest": three years of quarters."""
MAX_TAKEAWAY = 300
"""Characters a takeaway may have (one line on a slide)."""
MAX_NOTES = 4000
"""Characters speaker notes may have."""
DEFAULT_DECK = "default"
"""The key of `default_deck` wherever a deck is named (the page's ?deck=)."""

_SQL_DIR = Path(__file__).with_name("sql")


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Finding:
    """One chart of a deck, with what to say about it."""

    indicator_id: str
    """The indicator's output id (P1, V2, Q1.4 …)."""
    view: str = "trend"
    """trend (the 12 months to each quarter end) or breakdown (by group, for one period)."""
    group_by: str = "all"
    """A trend: all or region. A breakdown: region, age_group, sex or race_ethnicity."""
    group_value: str = "all"
    """The region of a region's trend; otherwise 'all'."""
    period_start: date | None = None
    """A breakdown: the period's first day. A trend: the earliest end of a point shown.
    None (with period_end None) for the latest complete period."""
    period_end: date | None = None
    """A breakdown: the period's last day. A trend: the latest end of a point shown."""
    takeaway: str = ""
    """One line in plain words; empty to have it written from the figures when shown."""
    notes: str = ""
    """Speaker notes (shown only when the presenter opens them)."""

    def __post_init__(self) -> None:
        if self.view not in VIEWS:
            raise CQIError(f"A finding is a trend or a breakdown, not {self.view!r}.")
        allowed = TREND_GROUPS if self.view == "trend" else BREAKDOWNS
        if self.group_by not in allowed:
            words = ", ".join(GROUP_TITLES[g].lower() for g in allowed)
            raise CQIError(f"A {self.view} can show {words}; not {self.group_by!r}.")
        if self.view == "trend" and self.group_by == "region":
            if not str(self.group_value).strip() or self.group_value == "all":
                raise CQIError("Name the region whose trend to show.")
        elif self.group_value != "all":
            raise CQIError("Only a region's trend names a group; leave the group empty.")
        if (self.period_start is None) != (self.period_end is None):
            raise CQIError("Give both the first and the last day of the period, or neither "
                           "(for the latest complete period).")
        if self.period_start is not None and self.period_start > self.period_end:
            raise CQIError("The period ends before it starts.")
        for name, limit in (("takeaway", MAX_TAKEAWAY), ("notes", MAX_NOTES)):
            text = getattr(self, name)
            if not isinstance(text, str):
                object.__setattr__(self, name, "" if text is None else str(text))
            object.__setattr__(self, name, getattr(self, name).strip())
            if len(getattr(self, name)) > limit:
                raise CQIError(f"The {name} is too long: keep it under {limit} characters.")

    @property
    def latest(self) -> bool:
        """True when the finding follows the data: its period is the latest complete one."""
        return self.period_start is None


@dataclass(frozen=True)
class Deck:
    """A named list of findings, shown in order."""

    deck_id: int | None
    """The saved deck's number; None for the default deck."""
    name: str
    """What the deck is called."""
    findings: tuple[Finding, ...]
    """The findings, in slide order."""
    updated_by: str = ""
    """Who saved it last ('' for the default deck)."""
    updated_at: datetime | None = None
    """When it was saved last (None for the default deck)."""

    @property
    def key(self) -> str:
        """How the deck is named in a link: its number, or 'default'."""
        return DEFAULT_DECK if self.deck_id is None else str(self.deck_id)


class FindingView(NamedTuple):
    """What one finding shows, as its audience may see it."""

    figure: Figure
    """The chart, with its title, description and "how to read this"."""
    takeaway: str
    """The one-line takeaway (the finding's own, or written from the figures)."""
    table: pl.DataFrame
    """The figures behind the chart as text, masked cells in words."""
    note: str
    """What was left out and why ('' when nothing was)."""
    title: str
    """The chart's title."""
    rows: pl.DataFrame
    """The released indicator rows the chart was drawn from."""


# --------------------------------------------------------------------------- decks


def default_deck(store: Store) -> Deck:
    """The deck presentation mode opens with: every headline measure of the scorecard as
    the agency's quarterly trend, then by region, with its definition as speaker notes."""
    family = _families()
    findings = []
    for entry in load_catalog(store):
        if entry.measure_type not in HEADLINE_TYPES:
            continue
        notes = _catalog_notes(entry)
        findings.append(Finding(entry.id, "trend", notes=notes))
        if "region" in family[entry.id].groupings:
            findings.append(Finding(entry.id, "breakdown", "region", notes=notes))
    return Deck(None, "Headline measures", tuple(findings))


def _catalog_notes(entry: CatalogEntry) -> str:
    """The default deck's speaker notes for a measure, written from the catalog."""
    notes = f"What it measures: {entry.definition}"
    return notes + (f" A federal measure: {entry.label}." if entry.label else "")


def deck_approval_items(store: Store | privacy.Handle,
                        deck: Deck) -> tuple[privacy.ApprovalItem, ...]:
    """A saved deck's name, then its takeaways and speaker notes slide by slide (a text
    repeated on later slides is listed once), that an analyst may approve for public
    audiences; none for the default deck, whose words are written by the core."""
    if deck.deck_id is None:
        return ()
    have = {(f, h) for f, h in privacy.text_approvals(store, "deck", deck.deck_id)
            .select("field", "text_hash").iter_rows()}
    out, seen = [privacy.ApprovalItem("deck", str(deck.deck_id), "name", "Deck name", deck.name,
                                      ("name", privacy.text_hash(deck.name)) in have)], set()
    for n, finding in enumerate(deck.findings, start=1):
        for field, words in (("takeaway", "takeaway"), ("notes", "speaker notes")):
            text = getattr(finding, field)
            key = (field, privacy.text_hash(text))
            if text and key not in seen:
                seen.add(key)
                out.append(privacy.ApprovalItem("deck", str(deck.deck_id), field,
                                                f"Slide {n}: {words}", text, key in have))
    return tuple(out)


def list_decks(store: Store) -> pl.DataFrame:
    """Saved decks, last saved first: deck_id, name, findings, updated_by, updated_at (the
    name as the store's viewer may read it, see `load_deck`)."""
    decks = store.query(_sql("list_decks"))
    if decks.is_empty() or not privacy.viewer_of(store).public:
        return decks
    return decks.with_columns(pl.Series("name", [
        _deck_name(store, i, n) for i, n in decks.select("deck_id", "name").iter_rows()]))


def _deck_name(store: Store | privacy.Handle, deck_id: int, name: str) -> str:
    """A saved deck's name for the viewer: staff read it as written, a public audience only
    once an analyst approved it (redacted), and "Saved deck 3" until then."""
    if not _shareable(store, deck_id, "name", name):
        return f"Saved deck {deck_id}"
    return _own_words(store, name, load_catalog(privacy.full(store)))


def load_deck(store: Store, key: int | str | None) -> Deck:
    """A saved deck by number, or the default deck for None or 'default' (a saved deck's
    name as the store's viewer may read it: for a public audience, only once approved).

    Raises:
        CQIError: there is no such deck.
    """
    if key is None or str(key) == DEFAULT_DECK:
        return default_deck(store)
    try:
        deck_id = int(key)
    except ValueError:
        raise CQIError(f"There is no deck called {key!r}.") from None
    head = store.query("SELECT name, updated_by, updated_at FROM decks WHERE deck_id = $id",
                       {"id": deck_id})
    if head.is_empty():
        raise CQIError(f"There is no saved deck number {deck_id}: it may have been deleted.")
    rows = store.query(_sql("deck_findings"), {"deck_id": deck_id})
    name, by, at = head.row(0)
    return Deck(deck_id, _deck_name(store, deck_id, name),
                tuple(Finding(**r) for r in rows.iter_rows(named=True)), by, at)


def create_deck(store: Store | privacy.Handle, name: str, findings: Sequence[Finding]) -> Deck:
    """Save a new deck (analysts and supervisors).

    Raises:
        AccessDenied: a public audience.
        CQIError: no name, a name in use, no findings, or a finding the data cannot show.
    """
    user = _editor(store)
    name, findings = _checked(store, name, findings)
    now = datetime.now()
    with store.writing() as cur:
        try:
            with transaction(cur):
                _refuse_taken(cur, name, None)
                deck_id = cur.execute(_sql("insert_deck"), {"name": name, "user": user,
                                                            "at": now}).fetchall()[0][0]
                _write_findings(cur, deck_id, findings)
        finally:
            cur.close()
    return load_deck(store, deck_id)


def update_deck(store: Store | privacy.Handle, deck_id: int, name: str | None = None,
                findings: Sequence[Finding] | None = None) -> Deck:
    """Rename a deck and/or replace its findings (analysts and supervisors).

    Raises:
        AccessDenied: a public audience.
        CQIError: no such deck, or what `create_deck` refuses.
    """
    user = _editor(store)
    current = load_deck(store, deck_id)
    if current.deck_id is None:
        raise CQIError("The default deck cannot be changed: save a copy under a new name.")
    name, findings = _checked(store, current.name if name is None else name,
                              current.findings if findings is None else findings)
    with store.writing() as cur:
        try:
            with transaction(cur):
                _refuse_taken(cur, name, current.deck_id)
                cur.execute(_sql("touch_deck"), {"name": name, "user": user, "at": datetime.now(),
                                                 "deck_id": current.deck_id})
                cur.execute("DELETE FROM deck_findings WHERE deck_id = $id", {"id": current.deck_id})
                _write_findings(cur, current.deck_id, findings)
        finally:
            cur.close()
    return load_deck(store, current.deck_id)


def reorder_deck(store: Store | privacy.Handle, deck_id: int, order: Sequence[int]) -> Deck:
    """Put a deck's findings in a new order.

    Args:
        order: the current positions (0 = first slide) in their new order.

    Raises:
        CQIError: `order` does not name every slide exactly once.
    """
    current = load_deck(store, deck_id)
    if sorted(order) != list(range(len(current.findings))):
        raise CQIError("A new order must name every slide of the deck exactly once.")
    return update_deck(store, deck_id, findings=[current.findings[i] for i in order])


def delete_deck(store: Store | privacy.Handle, deck_id: int) -> None:
    """Delete a saved deck and its findings (analysts and supervisors).

    Raises:
        AccessDenied: a public audience.
        CQIError: no such deck.
    """
    _editor(store)
    current = load_deck(store, deck_id)
    if current.deck_id is None:
        raise CQIError("The default deck cannot be deleted.")
    with store.writing() as cur:
        try:
            with transaction(cur):
                cur.execute("DELETE FROM deck_findings WHERE deck_id = $id", {"id": current.deck_id})
                cur.execute("DELETE FROM decks WHERE deck_id = $id", {"id": current.deck_id})
        finally:
            cur.close()


def _sql(name: str) -> str:
    return statement(_SQL_DIR, name)


def _editor(store: Store | privacy.Handle) -> str:
    viewer = privacy.viewer_of(store)
    if viewer.public:
        raise privacy.AccessDenied("Decks are made and changed by analysts and supervisors.")
    return viewer.name


def _families() -> dict:
    return {i: c for c in load_config().values() for i in c.ids}


def _checked(store: Store, name: str, findings: Sequence[Finding]) -> tuple[str, tuple[Finding, ...]]:
    name = (name or "").strip()
    if not name:
        raise CQIError("Give the deck a name.")
    if len(name) > 120:
        raise CQIError("Keep the deck's name under 120 characters.")
    findings = tuple(findings)
    if not findings:
        raise CQIError("A deck needs at least one finding.")
    catalog, family = load_catalog(store), _families()
    regions = set(_regions(store))
    for n, f in enumerate(findings, start=1):
        if not isinstance(f, Finding):
            raise CQIError(f"Slide {n} is not a finding.")
        if f.indicator_id not in catalog:
            raise CQIError(f"Slide {n}: there is no indicator {f.indicator_id!r} in the catalog.")
        if f.group_by != "all" and f.group_by not in family[f.indicator_id].groupings:
            raise CQIError(f"Slide {n}: {catalog.entry(f.indicator_id).name} is not reported "
                           f"by {GROUP_TITLES[f.group_by].lower()}.")
        if f.view == "trend" and f.group_by == "region" and f.group_value not in regions:
            raise CQIError(f"Slide {n}: there is no region called {f.group_value!r}.")
    return name, findings


def _refuse_taken(cur, name: str, deck_id: int | None) -> None:
    taken = cur.execute("SELECT count(*) FROM decks WHERE lower(name) = lower($name) "
                        "AND deck_id IS DISTINCT FROM $id", {"name": name, "id": deck_id}).fetchall()
    if taken[0][0]:
        raise CQIError(f"There is already a deck called {name!r}: choose another name.")


def _write_findings(cur, deck_id: int, findings: tuple[Finding, ...]) -> None:
    for position, f in enumerate(findings, start=1):
        cur.execute(_sql("insert_finding"), {
            "deck_id": deck_id, "position": position, "indicator_id": f.indicator_id,
            "view": f.view, "group_by": f.group_by, "group_value": f.group_value,
            "period_start": f.period_start, "period_end": f.period_end,
            "takeaway": f.takeaway, "notes": f.notes})


def _regions(store: Store) -> list[str]:
    return store.query("SELECT DISTINCT region FROM units WHERE region IS NOT NULL "
                       "ORDER BY region")["region"].to_list()


# --------------------------------------------------------------------------- views


def finding_title(finding: Finding, catalog: Catalog) -> str:
    """The chart's title in words (the period is said in the takeaway and the table)."""
    name = catalog.entry(finding.indicator_id).name
    if finding.view == "trend":
        who = "the whole agency" if finding.group_by == "all" else f"the {finding.group_value} region"
        return f"{name}: {who}, each quarter"
    return f"{name}, by {GROUP_TITLES[finding.group_by].lower()}"


def finding_view(store: Store | privacy.Handle, finding: Finding, presentation: bool = True,
                 catalog: Catalog | None = None, deck_id: int | None = None) -> FindingView:
    """What a finding shows, for the handle's viewer: chart, takeaway, table and note.

    Args:
        store: the database, or a handle whose viewer decides what is released.
        finding: the finding.
        presentation: large type for a screen share (True) or document sizes (False).
        catalog: the catalog, when the caller has it already.
        deck_id: the saved deck the finding is a slide of (None: the default deck or no
            deck), whose approvals decide whether a public audience reads its takeaway.

    Raises:
        CQIError: no data is loaded, or the period has no complete figures yet.
    """
    catalog = catalog or load_catalog(privacy.full(store))
    entry = catalog.entry(finding.indicator_id)
    as_of = as_of_date(privacy.full(store))
    if as_of is None:
        raise CQIError("No data is loaded yet, so there is nothing to show.")
    style = PRESENTATION if presentation else DOCUMENT
    title = finding_title(finding, catalog)
    threshold = privacy.load_policy().threshold
    hidden_words = (f"figures from fewer than {threshold + 1} children or records, and any figure "
                    "that would let them be worked out, are not shown")
    if finding.view == "trend":
        rows, left_out = _trend_rows(store, finding, as_of)
        where = "the whole agency" if finding.group_by == "all" else f"the {finding.group_value} region"
        figure = trend_figure(rows, entry, title, where, style)
        labelled = rows.with_columns(pl.col("period_end").dt.strftime("%B %Y").alias("label"))
        table = figures_table(labelled, entry, "12 months ending")
        notes = []
        if rows["suppressed"].any():
            notes.append(f"Some points are hidden to protect privacy: {hidden_words}.")
        if left_out:
            notes.append("Recent periods are left out: the children counted in them are still "
                         "being followed, so their figures are not final.")
    else:
        rows = _breakdown_rows(store, finding, as_of)
        agency = rows.filter(pl.col("group_by") == "all")
        groups = rows.filter(pl.col("group_by") == finding.group_by)
        figure = breakdown_figure(groups, entry, title, GROUP_TITLES[finding.group_by],
                                  agency["value"][0] if agency.height else None, style)
        table = figures_table(pl.concat([agency, groups]), entry, GROUP_TITLES[finding.group_by])
        notes = [f"Some groups are hidden to protect privacy: {hidden_words}."] \
            if rows["suppressed"].any() else []
    takeaway = _own_words(store, finding.takeaway, catalog) \
        if finding.takeaway and _shareable(store, deck_id, "takeaway", finding.takeaway) \
        else write_takeaway(entry, finding, rows)
    return FindingView(figure, takeaway, table, " ".join(notes), title, rows)


def finding_notes(store: Store | privacy.Handle, finding: Finding, catalog: Catalog | None = None,
                  deck_id: int | None = None) -> str:
    """The finding's speaker notes as its audience may read them (for a public audience,
    `privacy.NOT_APPROVED` unless `deck_id`'s approvals hold this exact text or the notes
    are the default deck's, written from the catalog)."""
    catalog = catalog or load_catalog(privacy.full(store))
    if finding.notes and not _shareable(store, deck_id, "notes", finding.notes) \
            and finding.notes != _catalog_notes(catalog.entry(finding.indicator_id)):
        return privacy.NOT_APPROVED
    return _own_words(store, finding.notes, catalog)


def _shareable(store: Store | privacy.Handle, deck_id: int | None, field: str, text: str) -> bool:
    """Staff read every text; a public audience only text approved for a saved deck."""
    if not privacy.viewer_of(store).public:
        return True
    return deck_id is not None and privacy.approved_text(privacy.full(store), "deck", deck_id,
                                                         field, text)


def _own_words(store: Store | privacy.Handle, text: str, catalog: Catalog) -> str:
    """Staff-written text for the viewer. Public audiences get it with names, phone numbers
    and addresses redacted, and a small number of people ("4 children", "two families")
    said as "fewer than 11", in case a takeaway or a note gives one away by mistake."""
    if not text or not privacy.viewer_of(store).public:
        return text
    db = privacy.full(store)
    keep = [*_regions(db), *db.query("SELECT unit_name FROM units")["unit_name"].to_list(),
            *(e.name for e in catalog)]
    return few_people(redact(text, keep=keep) or "", privacy.load_policy().threshold)


def _followup_end(followup: str, start: date, end: date) -> date:
    return followup_end(followup, start, end)


def _flagged(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows `compute` released for the handle's viewer, with the `suppressed` column every
    audience's table has (all False for staff, whose figures are never masked)."""
    if privacy.SUPPRESSED not in frame.columns:
        frame = frame.with_columns(pl.lit(False).alias(privacy.SUPPRESSED))
    return frame


def _trend_rows(store: Store | privacy.Handle, finding: Finding, as_of: date) -> tuple[pl.DataFrame, bool]:
    """The released rows of one group, one per 12 months ending on a quarter end (for the
    latest period: ending on the measure's latest period end, as on the scorecard, and every
    3 months before it), a group with no rows in a period having no value; and whether
    periods were left out for incomplete follow-up."""
    cfg = _families()[finding.indicator_id]
    if finding.latest:
        # The latest point is the measure's latest figure on every page (`latest_periods`,
        # the scorecard's period), and the points before it every 3 months back from it.
        latest_end = latest_periods(store, cfg, as_of)[0][1]
        ends = month_ends_before(latest_end, 3 * TREND_QUARTERS)[::3][::-1]
    else:
        ends = [q[1] for q in consecutive_periods(finding.period_start,
                                                  min(as_of, finding.period_end), "quarter")]
    periods = [period_ending(e, 12) for e in ends]
    complete = [p for p in periods if _followup_end(cfg.followup, *p) <= as_of]
    if privacy.viewer_of(store).public:  # public figures exist only on the publication's grid
        published = set(privacy.published_periods(store, cfg.followup, as_of))
        complete = [p for p in complete if p in published]
    if finding.latest:
        complete = complete[-TREND_QUARTERS:]
    if not complete:
        raise CQIError("No period in this range has complete figures yet.")
    # A region is computed with every unit and region, so it is masked as in the full table.
    # `compute` releases for the handle's viewer: the one place figures are masked.
    by = ["unit", "region"] if finding.group_by == "region" else []
    frames = [compute(store, s, e, by=by, indicators=[finding.indicator_id], as_of=as_of)
              for s, e in complete]
    rows = _flagged(pl.concat(frames, how="diagonal_relaxed")).filter(
        (pl.col("group_by") == finding.group_by) & (pl.col("group_value") == finding.group_value))
    spine = pl.DataFrame({"period_start": [p[0] for p in complete],
                          "period_end": [p[1] for p in complete]})
    rows = spine.join(rows.drop("period_end"), on="period_start", how="left").with_columns(
        pl.col("suppressed").fill_null(False))
    return rows, len(complete) < len(periods) and not finding.latest


def _breakdown_rows(store: Store | privacy.Handle, finding: Finding, as_of: date) -> pl.DataFrame:
    """The released agency row and group rows for the finding's period, groups labelled and
    in the order shown."""
    cfg = _families()[finding.indicator_id]
    start, end = ((finding.period_start, finding.period_end) if not finding.latest
                  else latest_periods(store, cfg, as_of)[0])
    by = [finding.group_by, *(["unit"] if finding.group_by == "region" else [])]
    rows = _flagged(compute(store, start, end, by=by, indicators=[finding.indicator_id],
                            as_of=as_of))
    rows = rows.filter(pl.col("group_by").is_in(["all", finding.group_by]))
    order = group_order(finding.group_by, rows.filter(pl.col("group_by") != "all")["group_value"])
    return rows.with_columns(
        pl.struct("group_by", "group_value").map_elements(
            lambda r: group_label(r["group_by"], r["group_value"]), return_dtype=pl.String).alias("label"),
        pl.col("group_value").replace_strict({**order, "all": -1}, default=len(order),
                                             return_dtype=pl.Int64).alias("_order"),
    ).sort("_order").drop("_order")


def write_takeaway(entry: CatalogEntry, finding: Finding, rows: pl.DataFrame) -> str:
    """A finding's takeaway written from its released rows (`finding_words.takeaway`)."""
    return takeaway(entry, finding.view, finding.group_by, finding.group_value, rows)
