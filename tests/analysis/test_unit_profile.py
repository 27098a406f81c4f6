"""The unit profile and its joint display (cqi_core.analysis.unit_profile) on a hand-built agency.

tests/fixtures/joint/ holds two units built so that the fit of every pair of
joint_pairs.yaml is known before anything is computed (its README has the table). The
profiles here are built without monthly series (no chart signals) unless a test hands one
in, so the labels follow from the comparison with the agency alone.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
import yaml

from cqi_core import import_files, open_store
from cqi_core import privacy
from cqi_core.privacy import AccessDenied, Viewer
from cqi_core.errors import CQIError
from cqi_core.analysis.joint_pairs import PATH as PAIRS_PATH
from cqi_core.analysis.joint_pairs import load_joint_settings
from cqi_core.analysis.joint_display import Side, data_side, label_pair
from cqi_core.analysis.unit_profile import profile_units, unit_profile
from cqi_core.indicators import latest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "joint"
NO_SERIES = pl.DataFrame()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_store(tmp_path_factory.mktemp("joint") / "cqi.duckdb")
    result = import_files(s, [FIXTURE], user="tests")
    assert result.outcome == "landed", result.message
    yield s
    s.close()


@pytest.fixture(scope="module")
def harbor(store):
    return unit_profile(store, "U1", series=NO_SERIES)


@pytest.fixture(scope="module")
def ridge(store):
    return unit_profile(store, "U2", series=NO_SERIES)


def _labels(profile) -> dict[str, str]:
    return dict(profile.joint.select("pair_id", "label").iter_rows())


def test_every_pair_of_harbor_gets_the_label_built_into_the_agency(harbor):
    assert _labels(harbor) == {
        # P5 8.22 vs 4.11 per 1,000 days, interval 4.60-13.56 leaves 4.11 out; item 4 5/10 = 50%.
        "stability": "expanding",
        # V1 60/60 (interval 0.94-1) vs 50%; items 14+15 0/20 (interval 0-0.16) vs 20/40.
        "visits": "discordant",
        # P1 2/4: fewer than the 5 counted (trends.yaml min_denominator) a unit's figure needs
        # to be shown, as on every page (cqi_core.indicators.latest): no figure.
        "permanency": "not_enough",
        # T1 10/10 (0.72-1) vs 50%; item 1 10/10 (0.72-1) vs 10/20.
        "investigations": "confirming",
        # P4 has no exit home in its period: no figure.
        "reentry": "not_enough",
        # S1 0 vs 0; item 3 5/10 vs 10/20; transportation in 10 of 10 U1 narratives vs 10/20.
        "safety": "expanding",
    }


def test_the_mirror_unit_gets_the_mirror_labels(ridge):
    assert _labels(ridge) == {
        "stability": "expanding",      # P5 0 (0-2.02) vs 4.11: clearly better; item 4 50%
        "visits": "discordant",        # V1 0/60 vs 50%; items 14+15 20/20 (0.84-1) vs 50%
        "permanency": "not_enough",    # P1 from 4 children: too few to show
        "investigations": "confirming",  # both clearly worse: T1 0/10, item 1 0/10
        "reentry": "not_enough",
        "safety": "confirming",        # transportation in none of its narratives: nothing stands out
    }


def test_the_two_sides_read_as_built(harbor):
    joint = {r["pair_id"]: r for r in harbor.joint.iter_rows(named=True)}
    visits = joint["visits"]
    assert (visits["review_strengths"], visits["review_n"]) == (0, 20)   # items 14 and 15 pooled
    assert visits["agency_review_rate"] == pytest.approx(0.5)            # 20 of 40
    assert (visits["data_direction"], visits["data_clear"]) == ("better than the agency", True)
    assert (visits["review_direction"], visits["review_clear"]) == ("worse than the agency", True)
    stability = joint["stability"]
    assert (stability["data_direction"], stability["review_direction"]) == (
        "worse than the agency", "close to the agency")
    assert joint["safety"]["theme"] == "Transportation"
    assert "Transportation (100%, 10 of 10 reviews; agency 50%)" in joint["safety"]["sentence"]
    assert joint["reentry"]["data_direction"] is None


def test_the_measures_are_the_scorecards_figures_beside_the_agency(harbor):
    ind = {r["indicator_id"]: r for r in harbor.indicators.iter_rows(named=True)}
    # 3 moves x 5 episodes over 5 x 365 days; the agency adds 5 x 365 days without a move.
    assert ind["P5"]["value"] == pytest.approx(1000 * 15 / 1825)
    assert ind["P5"]["agency_value"] == pytest.approx(1000 * 15 / 3650)
    assert (ind["P5"]["period_start"], ind["P5"]["period_end"]) == (date(2025, 7, 1), date(2026, 6, 30))
    assert ind["P1"]["period_end"] == date(2025, 6, 30)   # follow-up of 12 months must have ended
    assert (ind["V1"]["value"], ind["V1"]["agency_value"]) == (1.0, 0.5)
    assert [ind[i]["versus_agency"] for i in ("P5", "V1", "T1", "S1")] == [
        "worse", "better", "better", "close"]
    assert ind["P4"]["value"] is None
    # P1 counts 4 children (2 left care for permanency), below the 5 a unit's figure needs:
    # not shown, judged or compared, as on the scorecard.
    p1 = ind["P1"]
    assert (p1["denominator"], p1["value"], p1["versus_agency"], p1["value_text"]) == (
        4, None, None, "too few to show")


def test_item_rates_beside_the_agency_with_wilson_intervals(harbor):
    items = {r["item"]: r for r in harbor.items.iter_rows(named=True)}
    one = items["1"]
    assert (one["strengths"], one["n"], one["agency_strengths"], one["agency_n"]) == (10, 10, 10, 20)
    # Wilson 10 of 10 at z = 1.96: (1 + 1.92/10) / (1 + 3.84/10) minus the half-width = 0.7225.
    assert one["ci_low"] == pytest.approx(0.7224672, abs=1e-6)
    assert one["versus_agency"] == "better"
    assert items["4"]["versus_agency"] == "close"
    assert "12" not in items            # no review rated item 12


def test_top_themes_count_texts_beside_the_agency(harbor):
    review = harbor.themes.filter(pl.col("source_type") == "case_review")
    # 10 reviews x 8 rated items = 80 narratives; 10 raise transportation. Agency: 10 of 160.
    assert review.select("theme", "texts", "texts_total").rows() == [("Transportation", 10, 80)]
    assert review["agency_share"][0] == pytest.approx(10 / 160)


def test_exemplar_quotes_come_from_the_units_narratives_of_each_pair(harbor):
    safety = harbor.quotes.filter(pl.col("pair_id") == "safety")
    assert safety["rating"].to_list() == ["strength", "area_needing_improvement"]
    assert all("transportation" in t for t in safety["text"].to_list())
    assert set(harbor.quotes["pair_id"].to_list()) <= {p.id for p in load_joint_settings().pairs}


def test_a_signal_on_the_units_own_chart_makes_the_measure_clear(store, monkeypatch):
    # Harbor's P1 counts 4 children: the small-denominator rule is switched off here so that
    # the figure (2/4) is shown and the chart's signal is what decides.
    monkeypatch.setattr(latest, "min_denominator", lambda: 1)
    # P1 for Harbor: 12 months at 5 of 20, then 12 at 15 of 20: the last 12 are a run above the
    # centre line (longer than the 8 Anhøj allows for 24 points), reaching the latest month.
    months = [date(2023 + (6 + k) // 12, (6 + k) % 12 + 1, 1) for k in range(24)]
    series = pl.DataFrame({
        "indicator_id": "P1", "period_start": months,
        "period_end": [date(m.year + m.month // 12, m.month % 12 + 1, 1) for m in months],
        "group_by": "unit", "group_value": "U1",
        "numerator": [5.0] * 12 + [15.0] * 12, "denominator": [20.0] * 24, "value": None,
        "followup_complete": True, "provisional": False})
    series = series.with_columns((pl.col("period_end") - pl.duration(days=1)).alias("period_end"),
                                 (pl.col("numerator") / pl.col("denominator")).alias("value"))
    profile = unit_profile(store, "U1", series=series)
    p1 = profile.indicators.filter(pl.col("indicator_id") == "P1").row(0, named=True)
    assert p1["variation"] == "special_cause_improvement"
    assert "in a row above" in p1["signal"]
    permanency = profile.joint.filter(pl.col("pair_id") == "permanency").row(0, named=True)
    # The figure itself is level with the agency (2/4 vs 4/8), so the signal decides the side;
    # the reviews of items 5 and 6 are level too: one clear side, one close -> expanding.
    assert (permanency["data_basis"], permanency["label"]) == ("signal", "expanding")
    assert permanency["data_direction"].startswith("improving")


def test_a_signal_against_the_units_lean_does_not_count():
    s = load_joint_settings()
    row = {"indicator_id": "V1", "direction": "higher", "unit": "percent", "value": 0.80,
           "agency_value": 0.90, "versus_agency": "close", "variation": "special_cause_improvement"}
    # 10 points below the agency leans worse (margin 5 points): an improving chart does not
    # make it better than the agency.
    assert data_side(row, s) == (Side(-1, False), None)
    assert data_side({**row, "value": 0.88}, s) == (Side(1, True), "signal")   # 2 points: close
    assert data_side({**row, "value": 0.99, "versus_agency": "better"}, s) == (Side(1, True), "interval")
    # Rates lean by a share of the agency's figure: 4.0 vs 4.48 is 10.7% better (P5 lower).
    rate = {"indicator_id": "P5", "direction": "lower", "unit": "per_1000_days", "value": 4.0,
            "agency_value": 4.48, "versus_agency": "close", "variation": "common_cause"}
    assert data_side(rate, s) == (Side(1, False), None)


@pytest.mark.parametrize(("data", "review", "theme", "expected"), [
    (Side(1, True), Side(1, True), False, "confirming"),
    (Side(1, True), Side(1, False), False, "confirming"),    # the other leans the same way
    (Side(-1, True), Side(1, True), False, "discordant"),
    (Side(1, False), Side(-1, True), False, "discordant"),   # the other leans the opposite way
    (Side(1, True), Side(0, False), False, "expanding"),
    (Side(0, False), Side(-1, True), True, "expanding"),
    (Side(0, False), Side(0, False), True, "expanding"),     # only the words add something
    (Side(1, False), Side(-1, False), False, "confirming"),  # neither clearly different
    (Side(0, False, enough=False), Side(1, True), False, "not_enough"),
    (Side(1, True), Side(0, False, enough=False), True, "not_enough"),
])
def test_the_labelling_rule(data, review, theme, expected):
    assert label_pair(data, review, theme) == expected


def test_a_topic_theme_never_stands_out(store, tmp_path):
    # Say that item 3 is about transportation anyway: Harbor's narratives no longer add
    # anything the figures do not, and the safety pair confirms.
    raw = yaml.safe_load(PAIRS_PATH.read_text(encoding="utf-8"))
    for pair in raw["pairs"]:
        if pair["id"] == "safety":
            pair["topic_themes"] = ["safety", "transportation"]
    path = tmp_path / "pairs.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    profile = unit_profile(store, "U1", series=NO_SERIES, settings=load_joint_settings(str(path)))
    assert _labels(profile)["safety"] == "confirming"


def test_a_supervisor_opens_only_their_own_units(store):
    ridge_only = privacy.Handle(store, Viewer("supervisor", "s", ("U2",), "oidc"))
    with pytest.raises(AccessDenied):
        unit_profile(ridge_only, "U1", series=NO_SERIES)
    assert unit_profile(ridge_only, "U2", series=NO_SERIES).unit_name == "Ridge Unit"
    assert profile_units(ridge_only)["unit_id"].to_list() == ["U2"]
    assert profile_units(store)["unit_id"].to_list() == ["U1", "U2"]


def test_a_public_viewer_is_refused_a_unit_profile(store):
    # A unit profile serves staff pages only; public audiences read the publication, which
    # holds no per-unit review items, quotes or joint display.
    public = privacy.Handle(store, Viewer("stakeholder", "public", (), "pinned"))
    with pytest.raises(privacy.AccessDenied, match="for agency staff"):
        unit_profile(public, "U1", series=NO_SERIES)


def test_an_unknown_unit_is_a_message_not_a_crash(store):
    with pytest.raises(CQIError, match="no unit 'U9'"):
        unit_profile(store, "U9", series=NO_SERIES)


@pytest.mark.parametrize(("change", "message"), [
    (lambda raw: raw["pairs"][1]["items"].append("4"), "already in pair"),
    (lambda raw: raw["pairs"][0].update(indicator="E1"), "not an indicator computed by unit"),
    (lambda raw: raw["pairs"][0].update(measure="distance"), "unknown measure"),
    (lambda raw: raw["labels"].update(lean_points=5), "from 0 to 1"),
])
def test_the_pairs_file_is_checked_when_loaded(tmp_path, change, message):
    raw = yaml.safe_load(PAIRS_PATH.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "pairs.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(CQIError, match=message):
        load_joint_settings(str(path))
