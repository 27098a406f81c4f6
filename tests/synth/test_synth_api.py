"""The public face of the generator: its signature, summary, progress and README."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cqi_core.synth import GenerateSummary, PlantedChange, generate


def test_generate_rejects_an_unknown_size_with_the_choices(tmp_path):
    with pytest.raises(ValueError, match="demo, state"):
        generate("huge", tmp_path)
    assert not any(tmp_path.iterdir()), "nothing is written for a bad size"


def test_summary_counts_every_table_and_both_review_sheets(tiny_run):
    folder, summary, _ = tiny_run
    assert isinstance(summary, GenerateSummary)
    assert summary.out == Path(folder) and summary.size == "tiny" and summary.seed == 20261121
    assert summary.as_of == date(2026, 9, 30) and summary.history_start == date(2019, 10, 1)
    expected = {"units", "workers", "children", "episodes", "placements", "reports", "visits",
                "population", "staff_survey", "feedback", "reviews", "ratings"}
    assert set(summary.rows) == expected
    for table in expected - {"reviews", "ratings"}:
        lines = (folder / f"{table}.csv").read_text(encoding="utf-8").count("\n")
        assert summary.rows[table] == lines - 1, table


def test_summary_is_frozen(tiny_run):
    with pytest.raises(AttributeError):
        tiny_run[1].seed = 1


def test_summary_lists_the_three_planted_changes(tiny_run):
    planted = tiny_run[1].planted
    assert [p.kind for p in planted] == ["visit_drop", "permanency_improvement", "overdispersed_unit"]
    assert all(isinstance(p, PlantedChange) and p.description for p in planted)
    assert planted[0].start == date(2025, 3, 1) and planted[1].start == date(2024, 7, 1)


def test_progress_goes_from_zero_to_one_without_going_back(tiny_run):
    fractions = [f for _, f in tiny_run[2]]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert all(isinstance(m, str) and m for m, _ in tiny_run[2])


def test_readme_states_seed_as_of_date_and_each_planted_change(tiny_run):
    folder, summary, _ = tiny_run
    text = (folder / "README.md").read_text(encoding="utf-8")
    assert "20261121" in text and "2026-09-30" in text and "tiny" in text
    for change in summary.planted:
        assert change.where in text and change.description in text


def test_a_size_overrides_knobs_of_the_plan_for_itself_only():
    from cqi_core.synth.plan import load_plan

    state, demo = load_plan("state"), load_plan("demo")
    assert state["episodes"]["later_born_removed"] > 0 and demo["episodes"]["later_born_removed"] == 0
    assert state["placements"]["moves"]["late_per_1000"] != demo["placements"]["moves"]["late_per_1000"]
    assert state["placements"]["moves"]["tau_days"] == demo["placements"]["moves"]["tau_days"]


def test_an_override_of_a_knob_the_plan_does_not_have_is_an_error(tmp_path):
    import yaml

    from cqi_core.synth.plan import PLAN_PATH, load_plan

    raw = yaml.safe_load(PLAN_PATH.read_text(encoding="utf-8"))
    raw["sizes"]["tiny"]["overrides"] = {"episodes.reentry.latr": 0.3}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="episodes.reentry.latr"):
        load_plan("tiny", path)
