"""Approvals of staff-written text for public audiences (issue 13): an analyst approves one
exact text, an edit lapses it, a revoke withdraws it, nobody else may decide; a public
audience reads a cycle's and a deck's text only once approved, and a placeholder (or words
the core writes) before. Every expected text is written out by hand."""

from __future__ import annotations

from datetime import date

import pytest

import cqi_core
from cqi_core import privacy
from cqi_core.analysis import improvement as imp
from cqi_core.errors import CQIError, StoreError
from cqi_core.present import findings
from cqi_core.present.findings import Finding
from cqi_core.privacy import AccessDenied, Viewer

STAKEHOLDER = Viewer("stakeholder", "public", (), "pinned")
SUPERVISOR = Viewer("supervisor", "sam@agency.example", None, "oidc")
ANALYST = Viewer("analyst", "ana@agency.example", None, "oidc")
TRACKER = "![t](http://host/track.png) Madison Smith called 555-123-4567"


@pytest.fixture
def empty(tmp_path):
    s = cqi_core.open_store(tmp_path / "cqi.duckdb")
    yield s
    s.close()


@pytest.fixture
def store(sample_db_copy):
    s = cqi_core.open_store(sample_db_copy)
    yield s
    s.close()


# ------------------------------------------------------------------ the mechanism


def test_an_approval_holds_for_the_exact_text_only(empty):
    assert not privacy.approved_text(empty, "cycle", 1, "aim", "Visits at 95%")
    privacy.approve_text(empty, "cycle", 1, "aim", "Visits at 95%", "ana", reason="checked")
    assert privacy.approved_text(empty, "cycle", 1, "aim", "Visits at 95%")
    assert privacy.approved_text(empty, "cycle", "1", "aim", "Visits at 95%")  # item as text
    # an edit, however small, lapses it: the hash no longer matches
    assert not privacy.approved_text(empty, "cycle", 1, "aim", "Visits at 95%.")
    assert not privacy.approved_text(empty, "cycle", 1, "aim", "visits at 95%")
    # it is for this field of this item only
    assert not privacy.approved_text(empty, "cycle", 1, "title", "Visits at 95%")
    assert not privacy.approved_text(empty, "cycle", 2, "aim", "Visits at 95%")
    assert not privacy.approved_text(empty, "deck", 1, "aim", "Visits at 95%")
    row = privacy.text_approvals(empty, "cycle", 1).row(0, named=True)
    assert (row["field"], row["decided_by"], row["reason"]) == ("aim", "ana", "checked")
    assert row["text_hash"] == privacy.text_hash("Visits at 95%")


def test_the_hash_is_the_sha256_of_the_text():
    assert privacy.text_hash("abc") == ("ba7816bf8f01cfea414140de5dae2223"
                                        "b00361a396177a9cb410ff61f20015ad")


def test_a_revoke_withdraws_one_text_or_every_text_of_a_field(empty):
    privacy.approve_text(empty, "deck", 7, "takeaway", "Permanency rose.", "ana")
    privacy.approve_text(empty, "deck", 7, "takeaway", "Visits held.", "ana")
    privacy.revoke_text(empty, "deck", 7, "takeaway", "ana", text="Permanency rose.")
    assert not privacy.approved_text(empty, "deck", 7, "takeaway", "Permanency rose.")
    assert privacy.approved_text(empty, "deck", 7, "takeaway", "Visits held.")
    before = privacy.approvals_version(empty)
    privacy.revoke_text(empty, "deck", 7, "takeaway", "bo", reason="changed our mind")
    assert not privacy.approved_text(empty, "deck", 7, "takeaway", "Visits held.")
    assert privacy.text_approvals(empty, "deck", 7).is_empty()
    assert privacy.approvals_version(empty) != before
    # the decisions stay on record, with who revoked
    kept = empty.query("SELECT text_hash, approved, decided_by FROM text_approvals "
                       "ORDER BY decided_by")
    assert kept["approved"].to_list() == [False, False]
    assert kept["decided_by"].to_list() == ["ana", "bo"]


def test_only_an_analyst_approves_or_revokes(empty):
    for viewer in (SUPERVISOR, STAKEHOLDER, Viewer("youth", "public", (), "pinned")):
        handle = privacy.Handle(empty, viewer)
        with pytest.raises(AccessDenied, match="Only an analyst"):
            privacy.approve_text(handle, "cycle", 1, "title", "Huddles", "sam")
        with pytest.raises(AccessDenied, match="Only an analyst"):
            privacy.revoke_text(handle, "cycle", 1, "title", "sam")
    privacy.approve_text(privacy.Handle(empty, ANALYST), "cycle", 1, "title", "Huddles", "ana")
    assert privacy.approved_text(privacy.Handle(empty, STAKEHOLDER), "cycle", 1, "title", "Huddles")


def test_an_approval_needs_a_known_kind_a_text_and_a_name(empty):
    with pytest.raises(CQIError, match="not a 'quote'"):
        privacy.approve_text(empty, "quote", 1, "title", "Huddles", "ana")
    with pytest.raises(CQIError, match="no text to approve"):
        privacy.approve_text(empty, "cycle", 1, "title", "  ", "ana")
    with pytest.raises(CQIError, match="Say who approves"):
        privacy.approve_text(empty, "cycle", 1, "title", "Huddles", " ")
    assert not privacy.approved_text(empty, "cycle", 1, "title", "")  # empty: never approved


def test_a_read_only_database_cannot_record_an_approval(empty, tmp_path):
    path = empty.path
    empty.close()
    ro = cqi_core.open_store(path, read_only=True)
    try:
        with pytest.raises(StoreError, match="read-only"):
            privacy.approve_text(ro, "cycle", 1, "title", "Huddles", "ana")
    finally:
        ro.close()


# ------------------------------------------------------------------ cycles


def _cycle(**changes) -> imp.Cycle:
    base = dict(title=TRACKER, aim="Monthly visits at 95% by June", start_date=date(2025, 3, 10),
                indicators=("V1",), units=("U001",), change_idea="A weekly huddle",
                prediction="Visits rise", study_notes="Huddles helped Maria Lopez",
                status="studying", act_decision="adopt")
    return imp.Cycle(**(base | changes))


def test_a_public_audience_reads_placeholders_until_each_text_is_approved(store):
    c = imp.create_cycle(store, _cycle(), "analyst one")
    public = privacy.Handle(store, STAKEHOLDER)
    seen = imp.cycle(public, c.cycle_id)
    assert seen.title == "An improvement cycle on Monthly caseworker visits"
    assert seen.aim == "Not yet approved for sharing."
    assert seen.change_idea == "Not yet approved for sharing."
    assert (seen.prediction, seen.study_notes, seen.act_decision) == ("", "", None)
    assert seen.approved == ()
    assert cqi_core.decision_words(seen) == "Not yet approved for sharing."
    row = imp.cycles(public).row(0, named=True)
    assert (row["title"], row["aim"], row["act_decision"]) == (
        "An improvement cycle on Monthly caseworker visits", "Not yet approved for sharing.", None)
    # staff read everything, and which fields the public reads as written
    staff = imp.cycle(privacy.Handle(store, SUPERVISOR), c.cycle_id)
    assert (staff.title, staff.aim, staff.approved) == (TRACKER, c.aim, ())
    for item in imp.approval_items(staff):
        privacy.approve_text(store, item.kind, item.item, item.field, item.text, "ana")
    seen = imp.cycle(public, c.cycle_id)
    # approved text is still redacted for the public
    assert seen.title == "![t](http://host/track.png) [name] called [phone]"
    assert (seen.aim, seen.change_idea, seen.prediction) == (
        "Monthly visits at 95% by June", "A weekly huddle", "Visits rise")
    assert seen.study_notes == "Huddles helped [name]"
    assert seen.act_decision == "adopt" and cqi_core.decision_words(seen).startswith("Adopt")
    assert set(seen.approved) == set(imp.APPROVABLE)
    assert imp.cycle(store, c.cycle_id).approved == imp.APPROVABLE  # the mark staff see
    # an edit lapses the approval of that field only
    imp.update_cycle(store, c.cycle_id, {"aim": "Monthly visits at 96% by June"}, "analyst one")
    seen = imp.cycle(public, c.cycle_id)
    assert seen.aim == "Not yet approved for sharing."
    assert seen.change_idea == "A weekly huddle"
    assert "aim" not in imp.cycle(store, c.cycle_id).approved
    # going back to the very text approved makes it approved again
    imp.update_cycle(store, c.cycle_id, {"aim": "Monthly visits at 95% by June"}, "analyst one")
    assert imp.cycle(public, c.cycle_id).aim == "Monthly visits at 95% by June"
    privacy.revoke_text(store, "cycle", c.cycle_id, "title", "ana")
    assert imp.cycle(public, c.cycle_id).title == "An improvement cycle on Monthly caseworker visits"


def test_the_approval_list_of_a_cycle_leaves_out_empty_fields(store):
    c = imp.create_cycle(store, _cycle(prediction="", study_notes="", act_decision=None,
                                       status="running"), "analyst one")
    items = imp.approval_items(c)
    assert [(i.field, i.label, i.text) for i in items] == [
        ("title", "Title", TRACKER), ("aim", "Aim", "Monthly visits at 95% by June"),
        ("change_idea", "Change idea", "A weekly huddle")]
    assert not any(i.approved for i in items)
    # no decision yet: nothing withheld, the public reads "not yet"
    seen = imp.cycle(privacy.Handle(store, STAKEHOLDER), c.cycle_id)
    assert cqi_core.decision_words(seen) == "not yet"


# ------------------------------------------------------------------ decks


def test_a_public_deck_shows_written_takeaways_until_the_staff_text_is_approved(store):
    staff = privacy.Handle(store, SUPERVISOR)
    deck = findings.create_deck(staff, "Board", [Finding("P1", takeaway=TRACKER,
                                                         notes="Call Maria Lopez first.")])
    public = privacy.Handle(store, STAKEHOLDER)
    (finding,) = deck.findings
    written = findings.write_takeaway(cqi_core.load_catalog(store).entry("P1"), finding,
                                      findings.finding_view(public, Finding("P1")).rows)
    view = findings.finding_view(public, finding, deck_id=deck.deck_id)
    assert view.takeaway == written and TRACKER not in view.takeaway
    assert findings.finding_notes(public, finding, deck_id=deck.deck_id) == \
        "Not yet approved for sharing."
    assert findings.load_deck(public, deck.deck_id).name == f"Saved deck {deck.deck_id}"
    # staff read their own words, and a supervisor cannot approve them
    assert findings.finding_view(staff, finding, deck_id=deck.deck_id).takeaway == TRACKER
    with pytest.raises(AccessDenied):
        privacy.approve_text(staff, "deck", deck.deck_id, "takeaway", TRACKER, "sam")
    items = findings.deck_approval_items(staff, deck)
    assert [(i.field, i.label, i.text, i.approved) for i in items] == [
        ("name", "Deck name", "Board", False),
        ("takeaway", "Slide 1: takeaway", TRACKER, False),
        ("notes", "Slide 1: speaker notes", "Call Maria Lopez first.", False)]
    for item in items:
        privacy.approve_text(store, item.kind, item.item, item.field, item.text, "ana")
    view = findings.finding_view(public, finding, deck_id=deck.deck_id)
    assert view.takeaway == "![t](http://host/track.png) [name] called [phone]"
    assert findings.finding_notes(public, finding, deck_id=deck.deck_id) == "Call [name] first."
    assert findings.load_deck(public, deck.deck_id).name == "Board"
    # the same text outside that deck (or with no deck) is not approved
    assert findings.finding_view(public, finding).takeaway == written
    # an edit lapses it
    edited = findings.update_deck(staff, deck.deck_id, findings=[
        Finding("P1", takeaway=TRACKER + ".", notes="Call Maria Lopez first.")])
    assert findings.finding_view(public, edited.findings[0],
                                 deck_id=deck.deck_id).takeaway == written
    assert [i.approved for i in findings.deck_approval_items(staff, edited)] == [True, False, True]


def test_the_default_deck_needs_no_approval_for_its_catalog_notes(store):
    deck = findings.default_deck(store)
    public = privacy.Handle(store, STAKEHOLDER)
    notes = findings.finding_notes(public, deck.findings[0])
    assert notes.startswith("What it measures: ")
    assert findings.deck_approval_items(store, deck) == ()
