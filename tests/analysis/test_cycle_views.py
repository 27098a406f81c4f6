"""Improvement cycles as the app shows them (`cqi_core.analysis.cycle_views`): who is offered
the forms, who took part in words, and the list of cycles as a table."""

from __future__ import annotations

from datetime import date

import polars as pl

from cqi_core import Cycle, Viewer, cycle_table, may_edit_cycle, participants_text


def _cycle(units: tuple[str, ...]) -> Cycle:
    return Cycle(title="Visits", aim="More visits", start_date=date(2024, 1, 1),
                 indicators=("P1",), units=units)


def test_forms_are_offered_to_analysts_and_to_supervisors_for_their_own_units():
    analyst = Viewer("analyst", "a", None, "oidc")
    limited = Viewer("supervisor", "s", ("U01",), "oidc")
    assert may_edit_cycle(analyst) and may_edit_cycle(analyst, _cycle(("U09",)))
    assert may_edit_cycle(limited)  # a new cycle: they choose its units
    assert may_edit_cycle(limited, _cycle(("U01",)))
    assert not may_edit_cycle(limited, _cycle(("U01", "U02")))
    assert not may_edit_cycle(limited, _cycle(()))  # agency-wide: not theirs alone
    assert may_edit_cycle(Viewer("supervisor", "s", None, "oidc"), _cycle(()))
    for role in ("stakeholder", "youth"):
        assert not may_edit_cycle(Viewer(role, role, None, "pinned"))


def test_participants_in_words_with_counts_only_when_counted():
    roles = ["youth", "caregiver", "youth"]
    assert participants_text(roles) == "2 youth, 1 caregiver (foster or kin)"
    assert participants_text(roles, counted=False) == "youth, caregiver (foster or kin)"
    assert participants_text([]) == "not recorded"


def test_cycle_table_names_measures_units_and_status():
    frame = pl.DataFrame({
        "cycle_id": [1, 2], "title": ["A", "B"], "status": ["running", "done"],
        "start_date": [date(2024, 1, 1), date(2024, 2, 1)], "end_date": [None, date(2024, 6, 1)],
        "indicators": [["P1"], ["P1", "X9"]], "units": [[], ["U01"]],
        "act_decision": [None, "adopt"], "participant_roles": [["youth"], ["youth", "youth"]]})
    table = cycle_table(frame, {"P1": "Permanency"}, {"U01": "North"}, public=True)
    assert table.columns == ["Cycle", "Title", "Status", "Starts", "Ends", "Measures", "Units",
                             "Decision", "Who took part"]
    rows = table.to_dicts()
    assert rows[0]["Status"] == "Running (doing the change)"
    assert rows[0]["Units"] == "Whole agency" and rows[1]["Units"] == "North"
    assert rows[1]["Measures"] == "Permanency; X9"
    assert rows[0]["Decision"] == "not yet" and rows[1]["Decision"].startswith("Adopt")
    assert rows[1]["Who took part"] == "youth"  # no count for a public audience
    counted = cycle_table(frame, {}, {}, public=False).to_dicts()
    assert counted[1]["Who took part"] == "2 youth"
