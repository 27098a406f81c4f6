"""One figure per question: a measure's latest figure reads the same on every page.

Each page is run under real Streamlit (AppTest) on the sample agency, as an analyst, and
the latest value, its period and the verdict against the standard are read from what the
page shows. The scorecard, the unit profile, the presentation and the youth view take them
from one function (`cqi_core.indicators.latest`), so they must agree; the expected figures
are worked out by hand from the sample's counts, stated beside each check.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_support import as_viewer, open_page

import cqi_core

ROOT = Path(__file__).resolve().parents[2]
UNIT = "U012"


@pytest.fixture(scope="module")
def db(series_db):
    # Nothing here writes to the database.
    yield series_db
    cqi_core.open_store(series_db).close()


def _page(monkeypatch, db: Path, page: str, role: str = "analyst", **params: str) -> AppTest:
    as_viewer(monkeypatch, role)
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "pages" / "views" / page), default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _row(at: AppTest, column: str, value: str, having: str | None = None) -> dict:
    """The one row of the page's tables whose `column` is `value` (of the tables with a
    `having` column when given: the scorecard's own tables have a Status)."""
    rows = [r for t in at.dataframe for r in t.value.to_dict("records")
            if r.get(column) == value and (having is None or having in r)]
    assert len(rows) == 1, (column, value, len(rows))
    return rows[0]


def _scorecard(monkeypatch, db, unit: str | None = None) -> AppTest:
    at = open_page(monkeypatch, db, "scorecard.py", "analyst")   # links to pages: the router
    assert not at.exception, [e.value for e in at.exception]
    if unit:
        at.selectbox[0].set_value("One unit").run()
        label = next(o for o in at.selectbox[1].options if o.endswith(f"({unit})"))
        at.selectbox[1].set_value(label).run()
    return at


def _takeaway(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("In the 12 months to"))


@pytest.fixture(scope="module")
def catalog():
    return cqi_core.load_catalog()


def test_turnover_for_one_unit_is_the_same_on_the_scorecard_and_the_unit_profile(
        monkeypatch, db, catalog):
    name = catalog.entry("W2").name
    card = _row(_scorecard(monkeypatch, db, UNIT), "Measure", name, having="Status")
    # The profile's table keeps its column names (its headings are labels over them).
    profile = _row(_page(monkeypatch, db, "unit_profile.py", unit=UNIT), "measure", name)
    # U012, October 2025 to September 2026: 2 caseworkers left; 5 employed on the first day
    # and 6 on the last, mean 5.5: 2 / 5.5 = 0.364, 36.4 per 100 caseworkers. A rate, not a
    # share: its exact Poisson range, chi²(0.025; 4)/2 = 0.242 and chi²(0.975; 6)/2 = 7.225
    # leavers over 5.5, is 4.4 to 131.4 per 100 and is shown as such, never as a percent.
    # The scorecard writes the unit beside the value, in one column that fits a shared screen.
    assert profile["value_text"] == "36.4"
    assert card["Value"] == "36.4 per 100 caseworkers"
    assert card["95% interval"] == profile["interval_text"] == "4.4 to 131.4"
    assert card["Period"].replace(" – ", " to ") == profile["period"] == "Oct 2025 to Sep 2026"
    # The agency has set no turnover standard: the same words on both pages.
    assert card["Status"] == profile["status"] == "no standard set yet"
    # 1 leaver of 5.5 the year before: given 3 leavers in the two years, 2 in the latest; the
    # exact interval of the rate ratio (0.10 to 118) holds 1: the rise may be chance.
    # (The scorecard's column header says "from the 12 months before"; its help says a small
    # change may be chance.)
    assert card["Change from the 12 months before"].endswith("(about the same)")
    assert profile["change"] == (
        "about the same as the 12 months before (any difference may be chance)")
    # The Trends page of the same unit and measure shows its latest month as a point, and
    # beside it the same 12-month figure, in the same words.
    trend = _page(monkeypatch, db, "trends.py", id="W2", by="unit", group=UNIT)
    captions = [c.value for c in trend.caption]
    assert "12 months to September 2026, as on the scorecard" in captions
    assert any(m.value == "**36.4 per 100 caseworkers**: no standard set yet; about the same "
               "as the 12 months before (any difference may be chance)" for m in trend.markdown), \
        [m.value for m in trend.markdown if "36" in m.value]


def test_entries_going_home_is_the_same_on_the_scorecard_the_deck_and_the_youth_view(
        monkeypatch, db, catalog):
    name = catalog.entry("P1").name
    card = _row(_scorecard(monkeypatch, db), "Measure", name, having="Status")
    # P1's follow-up runs 12 months past the period: the latest complete 12 months end in
    # September 2025. 229 of 514 children went home within 12 months: 44.6%. Wilson's lower
    # end, (0.4455 + 1.96²/1028 - 1.96·sqrt(0.4455·0.5545/514 + 1.96²/4·514²)) / (1 + 1.96²/514)
    # = 0.403, is above the 35.2% standard: it meets it.
    assert (card["Period"], card["Value"], card["Status"]) == (
        "Oct 2024 – Sep 2025", "44.6%", "✓ meets")
    # Slide 5 of the default deck is P1's trend (S1, S2 take two slides each before it).
    deck = _page(monkeypatch, db, "present.py", deck="default", slide="5")
    assert _takeaway(deck).startswith("In the 12 months to September 2025, out of every ten")
    assert _takeaway(deck).endswith("; it meets the standard.")
    figures = deck.dataframe[-1].value
    assert figures["Figure"].iloc[-1] == card["Value"]
    youth = _page(monkeypatch, db, "youth_home.py", role="youth")
    # The youth card says the same 12 months and 44.55 in 100, rounded: "about 45 out of 100"
    # (every picture on the youth page has 100 drawings).
    texts = [m.value for m in youth.markdown] + [c.value for c in youth.caption]
    assert "Time: from October 2024 to September 2025." in texts
    assert any("about 45 out of 100" in t for t in texts)


def test_a_measure_followed_from_the_period_start_ends_in_the_same_month_on_every_slide(
        monkeypatch, db, catalog):
    # P2 is followed for 12 months from the period's start: its latest complete 12 months
    # end in August 2026 (the as-of date, September 30 2026, is 12 months after September 1
    # 2025). The trend (slide 7) and the breakdown (slide 8) end there, as the scorecard does.
    card = _row(_scorecard(monkeypatch, db), "Measure", catalog.entry("P2").name, having="Status")
    assert card["Period"] == "Sep 2025 – Aug 2026"
    trend = _page(monkeypatch, db, "present.py", deck="default", slide="7")
    breakdown = _page(monkeypatch, db, "present.py", deck="default", slide="8")
    for slide in (trend, breakdown):
        assert _takeaway(slide).startswith("In the 12 months to August 2026")
    assert trend.dataframe[-1].value["Figure"].iloc[-1] == card["Value"]
    agency = breakdown.dataframe[-1].value.iloc[0]
    assert agency["Figure"] == card["Value"]


def test_the_verdict_is_said_in_words_from_the_interval(monkeypatch, db):
    at = _scorecard(monkeypatch, db, UNIT)
    statuses = {r["Status"] for t in at.dataframe for r in t.value.to_dict("records")
                if "Status" in r}
    # U012's maltreatment in care: 1 victimization over 12,005 days, 8.33 per 100,000 days;
    # Garwood's range chi²(0.025; 2)/2 = 0.0253 and chi²(0.975; 4)/2 = 5.572 over 12,005 days
    # is 0.21 to 46.41: it reaches both sides of the 9.07 standard.
    s1 = _row(at, "Measure", cqi_core.load_catalog().entry("S1").name, having="Status")
    assert (s1["Value"], s1["95% interval"]) == ("8.33 per 100,000 days", "0.21 to 46.41")
    assert s1["Status"].startswith("? can't tell yet")
    assert statuses <= {"✓ meets", "✗ does not meet", "? can't tell yet",
                        "no standard set yet", "context (no standard)", "too few to show",
                        "hidden to protect privacy", "no data for this period"}
    summary = next(m.value for m in at.markdown if "meet their standard" in m.value)
    assert re.search(r"that do not meet it yet: \*\*\d+\*\*; where we can't tell yet: \*\*\d+\*\*",
                     summary)
