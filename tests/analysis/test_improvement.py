"""Improvement cycles: create, edit, history, validation, who may save, what the public reads,
restart and re-import, the notes on trend charts, and the study view."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

import cqi_core
from cqi_core import privacy
from cqi_core.analysis import improvement as imp
from cqi_core.analysis import trends
from cqi_core.privacy import AccessDenied, Viewer
from cqi_core.analysis import cycle_study
from cqi_core.analysis.cycle_study import verdict
from cqi_core.errors import CQIError, StoreError
from cqi_core.indicators.engine import plus_months

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"


def _cycle(**changes) -> imp.Cycle:
    base = dict(title="Visit huddles", aim="Monthly visits at 95% by June",
                start_date=date(2025, 3, 10), end_date=date(2025, 6, 30),
                indicators=("V1",), units=("U001",), prediction="Visits rise within two months",
                change_idea="A weekly ten-minute huddle on the visits due",
                participants=(imp.Participant("Pat Example", "supervisor"),
                              imp.Participant("", "youth"), imp.Participant("", "caregiver")))
    return imp.Cycle(**(base | changes))


@pytest.fixture
def store(sample_db_copy):
    s = cqi_core.open_store(sample_db_copy)
    yield s
    s.close()


def test_a_cycle_is_stored_with_version_one_and_read_back(store):
    saved = imp.create_cycle(store, _cycle(), "analyst one")
    assert saved.cycle_id is not None and saved.version == 1
    assert saved.created_by == saved.updated_by == "analyst one"
    again = imp.cycle(store, saved.cycle_id)
    assert again == saved
    assert again.participants[0] == imp.Participant("Pat Example", "supervisor")
    row = imp.cycles(store).row(0, named=True)
    assert row["title"] == "Visit huddles" and row["units"] == ["U001"]
    assert row["participant_roles"] == ["supervisor", "youth", "caregiver"]
    assert row["stakeholders"] == 2  # youth and caregiver; a supervisor is staff
    history = imp.cycle_history(store, saved.cycle_id)
    assert history["version"].to_list() == [1] and history["what"][0] == "Recorded the cycle."


def test_an_edit_is_a_new_version_and_the_history_says_what_changed(store):
    c = imp.create_cycle(store, _cycle(), "analyst one")
    edited = imp.update_cycle(store, c.cycle_id, {"status": "running",
                                                  "end_date": "2025-07-31"}, "analyst two",
                              base_version=1)
    assert edited.version == 2 and edited.status == "running"
    assert edited.end_date == date(2025, 7, 31) and edited.updated_by == "analyst two"
    assert edited.created_by == "analyst one"
    history = imp.cycle_history(store, c.cycle_id)
    assert history["saved_by"].to_list() == ["analyst one", "analyst two"]
    assert history["changed"][1].to_list() == ["end_date", "status"]
    assert history["what"][1] == "end date: 2025-06-30 → 2025-07-31; status: planned → running"
    # Saving the same values again is not a new version.
    same = imp.update_cycle(store, c.cycle_id, {"status": "running"}, "analyst two")
    assert same.version == 2 and imp.cycle_history(store, c.cycle_id).height == 2


def test_a_save_based_on_an_old_version_is_refused(store):
    c = imp.create_cycle(store, _cycle(), "one")
    imp.update_cycle(store, c.cycle_id, {"plan": "Huddle on Mondays"}, "two", base_version=1)
    with pytest.raises(CQIError, match="saved this cycle \\(version 2\\) after you opened it"):
        imp.update_cycle(store, c.cycle_id, {"plan": "Huddle on Fridays"}, "three",
                         base_version=1)
    assert imp.cycle(store, c.cycle_id).plan == "Huddle on Mondays"


@pytest.mark.parametrize("changes, message", [
    ({"end_date": date(2025, 3, 1)}, "ends on March 1, 2025, before it starts on March 10, 2025"),
    ({"indicators": ("V1", "NOPE")}, "Unknown measure 'NOPE'"),
    ({"indicators": ()}, "at least one measure"),
    ({"units": ("U999",)}, "Unknown unit 'U999'"),
    ({"aim": "   "}, "the aim cannot be empty"),
    ({"title": ""}, "short title"),
    ({"participants": ({"name": "A", "role": "wizard"},)}, "Unknown role 'wizard'"),
    ({"act_decision": "adopt"}, "set the status to studying or done"),
    ({"act_decision": "keep", "status": "done"}, "Unknown decision 'keep'"),
    ({"status": "withdrawn"}, "Say why the cycle is withdrawn"),
    ({"status": "paused"}, "Unknown status 'paused'"),
    ({"start_date": "10 March"}, "is not a date"),
])
def test_problems_are_refused_with_a_plain_message(store, changes, message):
    with pytest.raises(CQIError, match=message):
        imp.create_cycle(store, _cycle(**changes), "analyst")
    assert imp.cycles(store).is_empty()


def test_only_editable_fields_change_and_a_user_is_required(store):
    c = imp.create_cycle(store, _cycle(), "analyst")
    with pytest.raises(CQIError, match="'created_by' cannot be changed"):
        imp.update_cycle(store, c.cycle_id, {"created_by": "someone else"}, "analyst")
    with pytest.raises(CQIError, match="Say who is saving"):
        imp.update_cycle(store, c.cycle_id, {"plan": "x"}, "  ")
    with pytest.raises(CQIError, match="no improvement cycle 999"):
        imp.update_cycle(store, 999, {"plan": "x"}, "analyst")


def test_withdrawing_keeps_the_cycle_with_its_reason(store):
    c = imp.create_cycle(store, _cycle(), "analyst")
    gone = imp.withdraw_cycle(store, c.cycle_id, "The unit merged with another", "analyst")
    assert gone.status == "withdrawn" and gone.status_reason == "The unit merged with another"
    assert imp.cycles(store, status=["withdrawn"]).height == 1


def test_a_cycle_survives_closing_and_reopening_the_database(sample_db_copy):
    s = cqi_core.open_store(sample_db_copy)
    c = imp.create_cycle(s, _cycle(), "analyst")
    imp.update_cycle(s, c.cycle_id, {"status": "running"}, "analyst")
    s.close()
    again = cqi_core.open_store(sample_db_copy)
    try:
        assert imp.cycle(again, c.cycle_id).status == "running"
        assert imp.cycle_history(again, c.cycle_id).height == 2
        # the next cycle gets a new number (the sequence is stored too)
        assert imp.create_cycle(again, _cycle(title="Second"), "analyst").cycle_id > c.cycle_id
    finally:
        again.close()


def test_a_snapshot_re_import_replaces_the_data_and_keeps_the_cycles(store, tmp_path):
    c = imp.create_cycle(store, _cycle(), "analyst")
    folder = tmp_path / "export"
    shutil.copytree(SAMPLE, folder)
    lines = (folder / "feedback.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "feedback.csv").write_text("".join(lines[:-1]), encoding="utf-8")  # one row fewer
    before = store.scalar("SELECT count(*) FROM feedback")
    result = cqi_core.import_files(store, [folder], mode="snapshot", user="tests")
    assert result.outcome == "landed", result.message
    assert store.scalar("SELECT count(*) FROM feedback") == before - 1  # the table was replaced
    assert imp.cycle(store, c.cycle_id) == c


def test_cycles_show_as_notes_on_the_trend_charts_of_their_measures_and_units(store):
    unit = imp.create_cycle(store, _cycle(), "analyst")
    agency = imp.create_cycle(store, _cycle(title="Agency texts", units=(), end_date=None,
                                            indicators=("V1", "P5")), "analyst")
    notes = trends.chart_notes(store, "V1", "unit", "U001")
    mine = notes.filter(pl.col("source") == f"cycle:{unit.cycle_id}")
    assert mine.select("note_date", "kind", "text").rows() == [
        (date(2025, 3, 10), "cycle", f"Cycle {unit.cycle_id} began: Visit huddles"),
        (date(2025, 6, 30), "cycle", f"Cycle {unit.cycle_id} ended: Visit huddles")]
    # another unit's chart shows only the agency-wide cycle (which has no end date yet)
    other = trends.chart_notes(store, "V1", "unit", "U002")
    assert other["source"].to_list() == [f"cycle:{agency.cycle_id}"]
    assert trends.chart_notes(store, "P5", "all", "all")["text"].to_list() == [
        f"Cycle {agency.cycle_id} began: Agency texts"]
    assert trends.chart_notes(store, "T1", "all", "all").is_empty()  # not its measure
    # an edited date moves the note; a withdrawn cycle leaves the charts
    imp.update_cycle(store, unit.cycle_id, {"start_date": date(2025, 4, 1)}, "analyst")
    moved = trends.chart_notes(store, "V1", "unit", "U001")["note_date"].to_list()
    assert date(2025, 4, 1) in moved
    imp.withdraw_cycle(store, unit.cycle_id, "Not going ahead", "analyst")
    assert trends.chart_notes(store, "V1", "unit", "U001")["source"].to_list() == [
        f"cycle:{agency.cycle_id}"]
    # the notes do not freeze or split the Trends chart
    assert trends.chart_phases(trends.chart_notes(store, "V1", "all", "all")) == (None, ())


def test_supervisors_save_cycles_of_their_own_units_only(store):
    mine = privacy.Handle(store, Viewer("supervisor", "sup", ("U001", "U002"), "oidc"))
    saved = imp.create_cycle(mine, _cycle(units=("U001",)), "sup")
    with pytest.raises(AccessDenied, match="not U003"):
        imp.create_cycle(mine, _cycle(units=("U001", "U003")), "sup")
    with pytest.raises(AccessDenied, match="whole agency is recorded by an analyst"):
        imp.create_cycle(mine, _cycle(units=()), "sup")
    with pytest.raises(AccessDenied, match="not U003"):
        imp.update_cycle(mine, saved.cycle_id, {"units": ("U003",)}, "sup")
    everyone = privacy.Handle(store, Viewer("supervisor", "all units", None, "oidc"))
    assert imp.create_cycle(everyone, _cycle(units=()), "all units").agency_wide


def test_public_audiences_read_roles_not_names_and_cannot_save(store):
    c = imp.create_cycle(store, _cycle(plan="Pat Example runs the huddle",
                                       study_notes="Working notes"), "analyst one")
    gone = imp.create_cycle(store, _cycle(title="Dropped"), "analyst one")
    imp.withdraw_cycle(store, gone.cycle_id, "No staff", "analyst one")
    public = privacy.Handle(store, Viewer("stakeholder", "public", (), "pinned"))
    frame = imp.cycles(public)
    assert frame.columns == [*imp.PUBLIC_FIELDS, "participant_roles", "stakeholders"]
    assert frame["cycle_id"].to_list() == [c.cycle_id]  # the withdrawn one is not listed
    assert frame["participant_roles"][0].to_list() == ["supervisor", "youth", "caregiver"]
    seen = imp.cycle(public, c.cycle_id)
    assert [p.name for p in seen.participants] == ["", "", ""]
    assert (seen.plan, seen.study_notes, seen.prediction, seen.created_by) == ("", "", "", "")
    # staff-written text only once an analyst approved it (issue 13)
    assert (seen.aim, seen.change_idea) == ("Not yet approved for sharing.",) * 2
    for field in ("aim", "change_idea"):
        privacy.approve_text(store, "cycle", c.cycle_id, field, getattr(c, field), "analyst one")
    seen = imp.cycle(public, c.cycle_id)
    assert (seen.plan, seen.study_notes, seen.prediction, seen.created_by) == ("", "", "", "")
    assert seen.aim == c.aim and seen.change_idea == c.change_idea
    with pytest.raises(CQIError, match="no improvement cycle"):
        imp.cycle(public, gone.cycle_id)
    with pytest.raises(AccessDenied):
        imp.cycle_history(public, c.cycle_id)
    with pytest.raises(AccessDenied, match="can read them only"):
        imp.create_cycle(public, _cycle(), "someone")


def test_a_read_only_database_cannot_save(sample_db_copy):
    ro = cqi_core.open_store(sample_db_copy, read_only=True)
    try:
        with pytest.raises(StoreError, match="read-only"):
            imp.create_cycle(ro, _cycle(), "analyst")
    finally:
        ro.close()


# --------------------------------------------------------------------------- study


def _series(numerators, denominator=50, first=date(2023, 3, 1)) -> pl.DataFrame:
    count = len(numerators)
    starts = [plus_months(first, i) for i in range(count)]
    return pl.DataFrame({
        "indicator_id": ["V1"] * count, "period_start": starts,
        "period_end": [plus_months(s, 1) - timedelta(days=1) for s in starts],
        "group_by": ["all"] * count, "group_value": ["all"] * count,
        "numerator": [float(v) for v in numerators], "denominator": [float(denominator)] * count,
        "value": [v / denominator for v in numerators],
        "followup_complete": [True] * count, "provisional": [False] * count})


@pytest.fixture(scope="module")
def v1(sample_db):
    s = cqi_core.open_store(sample_db, read_only=True)
    try:
        return cqi_core.load_catalog(s).entry("V1")  # higher is better
    finally:
        s.close()


def test_the_verdict_says_yes_when_the_frozen_baseline_shows_an_improvement(v1):
    # 24 months at 40/50 (80%), then 12 at 48/50 (96%) from March 2025. Frozen P chart:
    # centre 0.8, sigma sqrt(0.8*0.2/50) = 0.0566, upper limit 0.97; 0.96 is inside, but the
    # 12 months in a row above the centre exceed the longest-run limit round(log2 36)+3 = 8.
    chart = trends.control_chart(_series([40] * 24 + [48] * 12), v1, freeze_at=date(2025, 3, 1))
    words, improved = verdict(chart, v1, date(2025, 3, 1), "month")
    assert improved is True
    assert words.startswith("Yes: a signal of improvement appeared after the cycle began. "
                            "12 months in a row above the average (March 2025 to February 2026)")


def test_the_verdict_reports_a_concern_or_no_signal_in_words(v1):
    worse = trends.control_chart(_series([45] * 24 + [35] * 12), v1, freeze_at=date(2025, 3, 1))
    words, improved = verdict(worse, v1, date(2025, 3, 1), "month")
    assert improved is False and words.startswith("No sign of improvement since the cycle began; "
                                                  "instead:")
    # alternating 40/41 before and after: no run, no point beyond the limits
    flat = trends.control_chart(_series([40, 41] * 15), v1, freeze_at=date(2025, 3, 1))
    words, improved = verdict(flat, v1, date(2025, 3, 1), "month")
    assert improved is False
    assert words == ("No signal of improvement yet: the 6 months since March 2025 are within "
                     "what the baseline gives by chance.")
    early, _ = verdict(flat, v1, date(2026, 1, 1), "month")
    assert early.startswith("Too early to tell")


def test_the_study_freezes_the_baseline_at_the_start_month_and_fits_both_segments(store):
    c = imp.create_cycle(store, _cycle(indicators=("V1",), units=("U001",)), "analyst")
    study = cycle_study.study(store, c.cycle_id)
    assert study.first_post == date(2025, 3, 1)  # the month holding March 10
    assert study.as_of == date(2026, 9, 30)
    (panel,) = study.panels
    assert (panel.indicator_id, panel.group_by, panel.group_value) == ("V1", "unit", "U001")
    pts = panel.chart.points
    # the baseline is the 24 months before March 2025 (trends: freeze = number of them)
    assert pts.filter(pl.col("baseline"))["period_start"].max() == date(2025, 2, 1)
    assert pts["cl"].n_unique() == 1  # the baseline centre line carries on
    assert panel.periods[panel.fit.change_at] == date(2025, 3, 1)
    assert panel.periods[0] == date(2023, 3, 1) and panel.fit.family == "binomial"
    assert panel.fit_words[0].startswith("In March 2025, the first month of the cycle")
    notes = panel.notes.rows()
    assert (date(2025, 3, 1), "freeze", "Baseline ends") in notes
    assert (date(2025, 3, 10), "cycle", f"Cycle {c.cycle_id} began") in notes
    assert "Time after the change counts the first month of the cycle as month 1" in \
        study.parametrisation


def test_you_said_lists_themes_linked_to_the_measures_with_text_for_the_audience(store):
    c = imp.create_cycle(store, _cycle(indicators=("V1",), units=("U001",)), "analyst")
    study = cycle_study.study(store, c.cycle_id)
    assert study.heard_related  # the codebook links caseworker_visits to V1
    assert "caseworker_visits" in study.heard["code"].to_list()
    assert study.heard["related"].all()
    assert (study.heard_from, study.heard_to) == (date(2024, 3, 10), date(2025, 6, 30))
    public = privacy.Handle(store, Viewer("stakeholder", "public", (), "pinned"))
    seen = cycle_study.study(public, c.cycle_id)
    # no comment was approved for sharing, so the public reads themes, no quotes; counts over
    # the cycle's own dates are not published, so none is shown
    assert seen.heard["quotes"].list.len().sum() == 0
    assert privacy.SUPPRESSED in seen.heard.columns and seen.heard[privacy.SUPPRESSED].all()
    assert seen.heard["sources"].null_count() == seen.heard.height


def test_the_public_study_draws_no_chart_from_months_that_are_not_published(store):
    # Public figures exist only as the publication's 12-month periods; a month-by-month chart
    # (or a fit) for a public audience would publish figures outside it, so none is drawn and
    # the panel says where the published figures are.
    c = imp.create_cycle(store, _cycle(indicators=("P5",), units=("U001",)), "analyst")
    public = privacy.Handle(store, Viewer("stakeholder", "public", (), "pinned"))
    (panel,) = cycle_study.study(public, c.cycle_id).panels
    assert panel.chart is None and panel.fit is None
    assert "12-month periods" in panel.problem and "Indicators page" in panel.problem
    (full,) = cycle_study.study(store, c.cycle_id).panels
    assert full.chart is not None
