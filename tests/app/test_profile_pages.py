"""The Unit profile, Reviews and data, and Bright spots pages under real Streamlit (AppTest).

Each page is started from its own file (it guards its own access, so it refuses the roles it
does not serve however it is opened). The monthly series are built once, beside the session's
sample database, as the Trends page would, so the pages are quick.
Expected counts come from the sample's case_reviews.xlsx read here, not from the core.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from app_support import as_viewer

import cqi_core

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
SERVES = {"pages/views/unit_profile.py": ("analyst", "supervisor"),
          "pages/views/conjoint.py": ("analyst",),
          "pages/views/bright_spots.py": ("analyst", "supervisor")}
ROLES = ("analyst", "supervisor", "stakeholder", "youth")
REFUSED = "This page is for other people, so it is not part of your view of the dashboard."


@pytest.fixture(scope="module")
def db(series_db):
    # Nothing here writes to the database.
    yield series_db
    cqi_core.open_store(series_db).close()  # the pages' handle: later modules open it read-only


def _page(monkeypatch, db: Path, page: str, role: str = "analyst",
          units: tuple[str, ...] | None = None, **params: str) -> AppTest:
    as_viewer(monkeypatch, role, units)
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / page), default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(SERVES))
def test_every_page_serves_its_roles_and_refuses_the_others(monkeypatch, db, page, role):
    at = _page(monkeypatch, db, page, role)
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    if role in SERVES[page]:
        assert at.title and REFUSED not in errors
    else:
        assert errors == [REFUSED]
        # The refusal names the page, and nothing of the page itself is drawn.
        assert not at.dataframe and not at.get("vega_lite_chart") and not at.metric


def _findings(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**") and " · " in m.value]


def test_the_unit_profile_opens_the_unit_in_the_link(monkeypatch, db):
    at = _page(monkeypatch, db, "pages/views/unit_profile.py", unit="U012")
    assert at.selectbox(key="profile_unit").value == "U012"
    assert at.subheader[0].value == "Alder Creek Family Services 2 · River Valley"
    # One finding per pair of joint_pairs.yaml, each with its fit in words.
    findings = _findings(at)
    assert len(findings) == 6
    assert all(any(w in f for w in ("Confirming", "Expanding", "Discordant", "Not enough data"))
               for f in findings)
    assert sum(int(m.value) for m in at.metric) == 6
    titles = [json.loads(c.proto.spec)["title"] for c in at.get("vega_lite_chart")]
    assert "The unit's measures and case reviews side by side" in titles


def test_switching_units_changes_the_profile_and_the_link(monkeypatch, db):
    at = _page(monkeypatch, db, "pages/views/unit_profile.py", unit="U012")
    at.selectbox(key="profile_unit").set_value("U003").run()
    assert not at.exception
    assert at.subheader[0].value.startswith("North Metro Permanency 2")
    assert at.query_params["unit"] == "U003"


def test_a_supervisor_opens_only_their_own_units(monkeypatch, db):
    at = _page(monkeypatch, db, "pages/views/unit_profile.py", "supervisor", ("U007", "U003"), unit="U012")
    box = at.selectbox(key="profile_unit")
    # Their units only, by name; the first is opened instead of the one in the link.
    assert box.options == ["North Metro Permanency 2 (U003)", "South Metro Permanency 1 (U007)"]
    assert box.value == "U003"
    assert any("The unit in the link (“U012”) could not be used: it is not one you can open here"
               in w.value for w in at.warning)
    assert not at.exception


def _fy2026_first_reviews() -> pl.DataFrame:
    reviews = pl.read_excel(SAMPLE / "case_reviews.xlsx", sheet_name="reviews", engine="openpyxl")
    return reviews.with_columns(pl.col("review_date").cast(pl.Date)).filter(
        pl.col("review_date").is_between(date(2025, 10, 1), date(2026, 9, 30))
        & pl.col("qa_of_review_id").is_null())


def test_reviews_and_data_counts_the_first_reviews_of_the_year(monkeypatch, db):
    at = _page(monkeypatch, db, "pages/views/conjoint.py")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # Every first review of FY2026 rates at least one paired item (items 1, 3 and 17 apply to
    # every case), so each is in the join.
    assert metrics["Reviews"] == f"{_fy2026_first_reviews().height:,}"
    assert int(metrics["Where they disagree"].replace(",", "")) > 0
    tables = [d.value for d in at.dataframe]
    assert any("What the records say" in t.columns or "data_text" in t.columns for t in tables)


def test_bright_spots_share_a_summary_per_unit(monkeypatch, db):
    # A state has dozens of bright spots: their summaries and charts are drawn a few at a
    # time. Two at a time here, so the sample agency's five make three parts.
    from pages import _bright_widgets as bw
    monkeypatch.setattr(bw, "SPOTS_PER_PAGE", 2)
    at = _page(monkeypatch, db, "pages/views/bright_spots.py")
    assert not at.exception
    summaries = [m.value for m in at.markdown if m.value.startswith("## Bright spot:")]
    assert summaries, "the sample agency has units with sustained improvements"
    assert all("**What improved, and has held**" in s for s in summaries)
    total = len(at.dataframe[0].value)  # the table lists every bright spot
    assert total == 5 and len(summaries) == 2
    # The summaries leave as Markdown files: all of them at once, or one per unit.
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count("Download every bright spot (Markdown)") == 1
    assert labels.count("Download this summary (Markdown)") == len(summaries)
    assert at.selectbox(key="bright_part").options == ["1 to 2 of 5", "3 to 4 of 5", "5 of 5"]
    seen = list(summaries)
    for k in (1, 2):  # the next part, then the last one (a single spot)
        at.selectbox(key="bright_part").set_value(k).run()
        more = [m.value for m in at.markdown if m.value.startswith("## Bright spot:")]
        assert len(more) == (2 if k == 1 else 1) and not set(more) & set(seen)
        seen += more
    assert len(seen) == total


def test_a_supervisor_reads_quotes_of_their_own_unit_only(monkeypatch, db):
    at = _page(monkeypatch, db, "pages/views/bright_spots.py", "supervisor", ("U011",))
    summaries = {m.value.splitlines()[0]: m.value for m in at.markdown
                 if m.value.startswith("## Bright spot:")}
    own = summaries["## Bright spot: Alder Creek Family Services 1 (River Valley)"]
    assert "In the reviewers' words" in own
    others = [s for head, s in summaries.items() if "Alder Creek Family Services 1" not in head]
    assert others and not any("In the reviewers' words" in s for s in others)   # none approved
