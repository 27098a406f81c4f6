"""Findings and decks: the default deck, saved decks, takeaways, and what a public audience
sees of a finding."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import cqi_core
from cqi_core import privacy
from cqi_core.present import findings
from cqi_core.charts.base import PALETTE
from cqi_core.errors import CQIError
from cqi_core.present.findings import Finding
from cqi_core.indicators import plus_months

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
STAKEHOLDER = privacy.Viewer("stakeholder", "public", (), "pinned")
SUPERVISOR = privacy.Viewer("supervisor", "sam@agency.example", None, "oidc")


@pytest.fixture
def store(sample_db_copy):
    s = cqi_core.open_store(sample_db_copy)
    yield privacy.Handle(s, SUPERVISOR)
    s.close()


@pytest.fixture(autouse=True)
def _close_sample(request):
    # Some tests here open the shared sample database for writing; close it after each one
    # so later modules can open it read-only (DuckDB refuses mixed connections).
    yield
    if "sample_db" in request.fixturenames:
        cqi_core.open_store(request.getfixturevalue("sample_db")).close()


# --------------------------------------------------------------------------- the default deck


def test_default_deck_shows_each_headline_measure_as_a_trend_then_by_region(sample_db):
    s = cqi_core.open_store(sample_db)
    deck = findings.default_deck(s)
    # catalog.yaml: the outcome measures, in catalog order, are S1, S2, P1, P2, P3, P4; every
    # one of them is reported by region (indicators/config.yaml), so each gives two slides.
    assert [(f.indicator_id, f.view, f.group_by) for f in deck.findings] == [
        (i, v, g) for i in ("S1", "S2", "P1", "P2", "P3", "P4")
        for v, g in (("trend", "all"), ("breakdown", "region"))]
    assert deck.key == "default" and deck.deck_id is None
    assert all(f.latest and not f.takeaway for f in deck.findings)
    assert deck.findings[4].notes.startswith("What it measures: Children under 18 who came "
                                             "into foster care")


def test_the_default_deck_cannot_be_changed_or_deleted(store):
    with pytest.raises(CQIError, match="default deck"):
        findings.delete_deck(store, "default")


# --------------------------------------------------------------------------- saved decks


def test_a_saved_deck_survives_closing_the_database_and_a_reimport(sample_db_copy, tmp_path):
    s = cqi_core.open_store(sample_db_copy)
    mine = [Finding("P1", "trend", takeaway="Permanency held steady.", notes="Thank the teams."),
            Finding("V1", "trend", "region", "North Metro"),
            Finding("P4", "breakdown", "age_group", period_start=date(2024, 10, 1),
                    period_end=date(2025, 9, 30))]
    made = findings.create_deck(privacy.Handle(s, SUPERVISOR), "Partners, March", mine)
    s.close()

    again = cqi_core.open_store(sample_db_copy)
    assert findings.load_deck(again, made.deck_id).findings == tuple(mine)
    # a snapshot of a changed units file lands and replaces the units table; decks stay
    folder = tmp_path / "delivery"
    folder.mkdir()
    text = (SAMPLE / "units.csv").read_text(encoding="utf-8")
    (folder / "units.csv").write_text(text.replace("Willow Bend Kinship Services",
                                                   "Willow Bend Kinship Team"), encoding="utf-8")
    assert cqi_core.import_files(again, [folder], user="tests").outcome == "landed"
    deck = findings.load_deck(again, str(made.deck_id))
    assert deck.name == "Partners, March" and deck.findings == tuple(mine)
    assert deck.updated_by == SUPERVISOR.name
    listed = findings.list_decks(again)
    assert listed.select("name", "findings").rows() == [("Partners, March", 3)]
    again.close()


def test_decks_are_renamed_reordered_changed_and_deleted(store):
    a, b, c = Finding("P1"), Finding("S1", "breakdown", "sex"), Finding("P2")
    deck = findings.create_deck(store, "Board", [a, b, c])
    assert findings.reorder_deck(store, deck.deck_id, [2, 0, 1]).findings == (c, a, b)
    changed = findings.update_deck(store, deck.deck_id, name="Board, April",
                                   findings=[replace(a, takeaway="Better than last year.")])
    assert changed.name == "Board, April"
    assert changed.findings == (Finding("P1", takeaway="Better than last year."),)
    findings.delete_deck(store, deck.deck_id)
    assert findings.list_decks(store).is_empty()
    with pytest.raises(CQIError, match="no saved deck"):
        findings.load_deck(store, deck.deck_id)


def test_a_new_order_must_name_every_slide_once(store):
    deck = findings.create_deck(store, "Board", [Finding("P1"), Finding("P2")])
    with pytest.raises(CQIError, match="every slide"):
        findings.reorder_deck(store, deck.deck_id, [0, 0])


def test_deck_names_are_unique_whatever_the_case(store):
    findings.create_deck(store, "Board", [Finding("P1")])
    with pytest.raises(CQIError, match="already a deck"):
        findings.create_deck(store, "  board ", [Finding("P2")])
    with pytest.raises(CQIError, match="name"):
        findings.create_deck(store, "   ", [Finding("P2")])
    with pytest.raises(CQIError, match="at least one finding"):
        findings.create_deck(store, "Empty", [])


def test_a_public_audience_cannot_make_or_change_decks(sample_db_copy):
    s = cqi_core.open_store(sample_db_copy)
    deck = findings.create_deck(s, "Board", [Finding("P1")])
    public = privacy.Handle(s, STAKEHOLDER)
    with pytest.raises(privacy.AccessDenied):
        findings.create_deck(public, "Mine", [Finding("P1")])
    with pytest.raises(privacy.AccessDenied):
        findings.update_deck(public, deck.deck_id, name="Theirs")
    with pytest.raises(privacy.AccessDenied):
        findings.delete_deck(public, deck.deck_id)
    # showing is allowed, the name (staff-written) only once an analyst approved it
    assert findings.load_deck(public, deck.deck_id).name == f"Saved deck {deck.deck_id}"
    s.close()


@pytest.mark.parametrize("kwargs, message", [
    ({"view": "map"}, "trend or a breakdown"),
    ({"view": "breakdown", "group_by": "unit"}, "breakdown can show"),
    ({"view": "trend", "group_by": "region"}, "Name the region"),
    ({"view": "breakdown", "group_by": "sex", "group_value": "female"}, "leave the group empty"),
    ({"period_start": date(2025, 1, 1)}, "both the first and the last day"),
    ({"period_start": date(2025, 1, 2), "period_end": date(2025, 1, 1)}, "ends before"),
    ({"takeaway": "x" * 301}, "too long"),
])
def test_a_finding_says_what_is_wrong_with_it(kwargs, message):
    with pytest.raises(CQIError, match=message):
        Finding("P1", **kwargs)


def test_a_deck_refuses_a_breakdown_the_measure_is_not_reported_by(store):
    # indicators/config.yaml: W1 (caseload) is reported by unit and region only
    with pytest.raises(CQIError, match="Slide 2: Average caseload is not reported by age group"):
        findings.create_deck(store, "Board", [Finding("P1"), Finding("W1", "breakdown", "age_group")])
    with pytest.raises(CQIError, match="no region called 'Atlantis'"):
        findings.create_deck(store, "Board", [Finding("P1", "trend", "region", "Atlantis")])


# --------------------------------------------------------------------------- takeaways


def _entry(**changes):
    return replace(cqi_core.load_catalog().entry("P1"),
                   youth_sentence="Out of every 10 children, about {n10} went home.", **changes)


def _trend(values, cis):
    """Rows of 12-month periods ending on consecutive quarter ends, the last in Sep 2025."""
    ends = [date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31), date(2025, 3, 31),
            date(2025, 6, 30), date(2025, 9, 30)][-len(values):]
    starts = [plus_months(date(e.year, e.month, 1), -11) for e in ends]
    return pl.DataFrame({"period_start": starts, "period_end": ends, "value": values,
                         "ci_low": [c[0] if c else None for c in cis],
                         "ci_high": [c[1] if c else None for c in cis],
                         "suppressed": [v is None for v in values]},
                        schema_overrides={"value": pl.Float64, "ci_low": pl.Float64,
                                          "ci_high": pl.Float64})


def test_a_trend_takeaway_says_the_latest_year_and_compares_it_with_the_year_before():
    entry, trend = _entry(), Finding("P1")
    # 12 months to Sep 2024: 0.40; 12 months to Sep 2025: 0.42 with interval 0.38-0.46.
    # 0.40 lies inside the interval, so the change may be chance: "close to".
    # 0.42 × 10 = 4.2 children out of 10, said as "about four" (numbers to ten in words).
    rows = _trend([0.40, 0.41, 0.39, 0.40, 0.42], [(0.36, 0.44)] * 4 + [(0.38, 0.46)])
    # P1's standard is 35.2% (higher is better): the whole interval 0.38-0.46 is above it.
    assert findings.write_takeaway(entry, trend, rows) == (
        "In the 12 months to September 2025, out of every ten children, about four went home, "
        "close to the year before; it meets the standard.")
    # 0.50 (0.46-0.54) against 0.40: outside the interval and higher, and higher is better
    rows = _trend([0.40, 0.41, 0.39, 0.40, 0.50], [(0.36, 0.44)] * 4 + [(0.46, 0.54)])
    assert findings.write_takeaway(entry, trend, rows).endswith(
        "about five went home, better than the year before; it meets the standard.")
    # the same figures for a measure where lower is better: 0.46-0.54 is all above 0.352
    assert findings.write_takeaway(_entry(direction="lower"), trend, rows).endswith(
        "not as good as the year before; it does not meet the standard yet.")
    # an interval 0.30-0.40 reaches both sides of 0.352: no verdict either way
    rows = _trend([0.40, 0.41, 0.39, 0.40, 0.35], [(0.36, 0.44)] * 4 + [(0.30, 0.40)])
    assert findings.write_takeaway(entry, trend, rows).endswith(
        "; we can't tell yet whether it meets the standard.")
    # a region's trend says where
    assert findings.write_takeaway(entry, Finding("P1", "trend", "region", "North Metro"),
                                   rows).startswith("In the 12 months to September 2025 in the "
                                                    "North Metro region, out of every ten")


def test_a_trend_takeaway_never_uses_a_hidden_figure():
    entry, trend = _entry(), Finding("P1")
    # the latest year is hidden: the takeaway speaks of the latest one shown (Jun 2025) and
    # has no figure a year before it to compare with (Jun 2024 is not in the rows)
    rows = _trend([0.41, 0.39, 0.40, 0.30, None], [(0.36, 0.44)] * 4 + [None])
    assert findings.write_takeaway(entry, trend, rows) == (
        "In the 12 months to June 2025, out of every ten children, about three went home; "
        "it meets the standard.")   # its interval as given, 0.36-0.44, is all above 0.352
    rows = _trend([None, None], [None, None])
    assert findings.write_takeaway(entry, trend, rows) == (
        "The figures are hidden to protect privacy: the numbers are small.")


def test_a_breakdown_takeaway_names_the_highest_and_lowest_groups():
    entry = _entry()
    by_sex = Finding("P1", "breakdown", "sex")
    rows = pl.DataFrame({
        "period_start": [date(2024, 10, 1)] * 4, "period_end": [date(2025, 9, 30)] * 4,
        "group_by": ["all", "sex", "sex", "sex"],
        "group_value": ["all", "female", "male", "unknown"],
        "value": [0.40, 0.30, 0.55, 0.90], "ci_low": [0.37, 0.20, 0.45, 0.5],
        "ci_high": [0.43, 0.40, 0.65, 1.0]})
    # girls 0.30 (up to 0.40) and boys 0.55 (from 0.45): the intervals do not overlap; the
    # "not recorded" group is left out of highest and lowest
    assert findings.write_takeaway(entry, by_sex, rows) == (
        "In the 12 months to September 2025, out of every ten children, about four went home; "
        "it was highest for boys and lowest for girls.")
    overlapping = rows.with_columns(pl.Series("ci_low", [0.37, 0.20, 0.35, 0.5]))
    assert findings.write_takeaway(entry, by_sex, overlapping).endswith(
        "highest for boys and lowest for girls (a gap that may be chance).")
    hidden = rows.with_columns(pl.Series("value", [None, 0.30, 0.55, 0.90]),
                               pl.Series("suppressed", [True, True, False, False]))
    assert findings.write_takeaway(entry, by_sex, hidden) == (
        "The agency's figure for this period is hidden to protect privacy.")


# --------------------------------------------------------------------------- what is released


def _counts(view) -> list[float]:
    return [v for c in ("numerator", "denominator") if c in view.rows.columns
            for v in view.rows[c].to_list() if v is not None]


def _table_numbers(view) -> list[float]:
    out = []
    for col in ("Numerator", "Denominator"):
        for cell in view.table[col].to_list():
            if re.fullmatch(r"[\d,.]+", cell):
                out.append(float(cell.replace(",", "")))
    return out


SHOWN = [Finding(i, v, g) for i in ("S1", "P4") for v, g in
         (("trend", "all"), ("breakdown", "region"), ("breakdown", "age_group"),
          ("breakdown", "race_ethnicity"))] + [Finding("P4", "trend", "region", "High Plains")]


def test_a_public_audience_never_gets_a_count_from_1_to_10(sample_db):
    s = cqi_core.open_store(sample_db)
    catalog = cqi_core.load_catalog(s)
    small_for_analyst = 0
    for finding in SHOWN:
        analyst = findings.finding_view(s, finding, catalog=catalog)
        small_for_analyst += sum(1 <= v <= 10 for v in _counts(analyst))
        public = findings.finding_view(privacy.Handle(s, STAKEHOLDER), finding, catalog=catalog)
        assert not [v for v in _counts(public) if 1 <= v <= 10], finding
        assert not [v for v in _table_numbers(public) if 1 <= v <= 10], finding
        spec = str(public.figure.chart.to_dict())
        assert "numerator" not in spec and "denominator" not in spec
        if public.rows["suppressed"].any():
            assert "hidden to protect privacy" in public.note
            assert "hidden to protect privacy" in " ".join(public.table["Figure"].to_list())
    # the same findings hold small counts for an analyst, so the test could fail
    assert small_for_analyst > 0


def test_a_public_audience_gets_staff_text_without_names_or_small_numbers(sample_db_copy):
    s = cqi_core.open_store(sample_db_copy)
    finding = Finding("P1", takeaway="North Metro did well, thanks to Maria Lopez.",
                      notes="Call Maria Lopez on 555-201-3344 first: 4 children and two "
                            "families moved, 12 workers helped.")
    public = privacy.Handle(s, STAKEHOLDER)
    # staff text reaches the public only once approved for a saved deck (issue 13) ...
    deck = findings.create_deck(s, "Board", [finding])
    assert findings.finding_view(public, finding, deck_id=deck.deck_id).takeaway.startswith(
        "In the 12 months to ")  # written from the released figures
    assert findings.finding_notes(public, finding, deck_id=deck.deck_id) == \
        "Not yet approved for sharing."
    for item in findings.deck_approval_items(s, deck):
        privacy.approve_text(s, item.kind, item.item, item.field, item.text, "ana")
    # ... and then redacted, small numbers said as "fewer than 11"
    assert findings.finding_view(public, finding, deck_id=deck.deck_id).takeaway == \
        "North Metro did well, thanks to [name]."
    notes = findings.finding_notes(public, finding, deck_id=deck.deck_id)
    assert "Maria" not in notes and "555" not in notes
    assert notes.endswith("fewer than 11 children and fewer than 11 families moved, 12 workers "
                          "helped.")
    assert findings.finding_view(s, finding).takeaway == finding.takeaway
    assert findings.finding_notes(s, finding) == finding.notes


def test_a_finding_view_has_words_for_every_chart(sample_db):
    s = cqi_core.open_store(sample_db)
    view = findings.finding_view(s, Finding("P1", "breakdown", "sex"))
    assert view.title == "Permanency in 12 months for children entering care, by sex"
    assert view.figure.description and view.figure.how_to_read
    assert view.table.columns == ["Sex", "Figure", "95% interval", "Numerator", "Denominator"]
    assert view.table["Sex"].to_list()[:3] == ["Whole agency", "Girls", "Boys"]
    spec = view.figure.chart.to_dict()
    assert spec["title"]["fontSize"] >= 20


def _walk(node, key):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _walk(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v, key)


@pytest.mark.parametrize("finding", [Finding("P1"), Finding("P1", "breakdown", "age_group")])
def test_presentation_charts_read_across_a_room_without_colour(sample_db, finding):
    s = cqi_core.open_store(sample_db)
    spec = findings.finding_view(s, finding, presentation=True).figure.chart.to_dict()
    sizes = [v for k in ("fontSize", "labelFontSize", "titleFontSize") for v in _walk(spec, k)]
    assert sizes and min(sizes) >= 20
    marks = [m if isinstance(m, dict) else {"type": m} for m in _walk(spec, "mark")]
    assert max(m.get("strokeWidth", 0) for m in marks) >= 4  # thick line or interval bars
    colours = {m["color"] for m in marks if "color" in m}
    assert colours <= set(PALETTE) | {"#000000", "#444444"}
    # shapes and dashes, not colour, tell the figure from the reference lines
    assert any(m.get("filled") and m.get("shape") in ("circle", "diamond") for m in marks)
    dashes = [d for enc in _walk(spec, "strokeDash") for d in _walk(enc, "range")]
    assert dashes and all(len(set(map(tuple, d))) == len(d) for d in dashes)
    document = findings.finding_view(s, finding, presentation=False).figure.chart.to_dict()
    assert max(_walk(document, "labelFontSize")) < 20
