"""The case-mix-adjusted figures on the pages (AppTest), for every audience each page serves:
the O/E funnel of Compare units, the observed-and-adjusted table of the unit profile and of a
unit's scorecard."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_support import as_viewer, open_page

from pages import _nav

ROOT = Path(__file__).resolve().parents[2]
NEVER = "Race and ethnicity are never adjusted for"


@pytest.fixture(scope="module")
def db(sample_db, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("casemix_pages") / "cqi.duckdb"
    shutil.copy(sample_db, path)
    return path


def _page(monkeypatch, db: Path, page: str, role: str, **params: str) -> AppTest:
    as_viewer(monkeypatch, role)
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "pages" / "views" / page), default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _text(at: AppTest) -> str:
    return " ".join(m.value for m in [*at.markdown, *at.caption, *at.info])


@pytest.mark.parametrize("role", _nav.roles_of("compare.py"))
def test_compare_offers_the_adjusted_funnel_to_every_role_it_serves(monkeypatch, db, role):
    at = _page(monkeypatch, db, "compare.py", role, id="P1", view="adjusted")
    assert not at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert specs, _text(at)
    title = json.dumps(specs[0].get("title"))
    assert "adjusted for case mix" in title
    assert NEVER in _text(at)
    assert at.query_params["view"] in ("adjusted", ["adjusted"])


def test_a_measure_that_is_not_adjusted_says_so(monkeypatch, db):
    at = _page(monkeypatch, db, "compare.py", "analyst", id="V1", view="adjusted")
    assert not at.exception
    assert any("seven federal measures" in i.value for i in at.info)


@pytest.mark.parametrize("role", _nav.roles_of("unit_profile.py"))
def test_the_unit_profile_shows_observed_and_adjusted(monkeypatch, db, role):
    at = _page(monkeypatch, db, "unit_profile.py", role, unit="U001")
    assert not at.exception
    assert any(h.value == "Observed and adjusted for case mix" for h in at.subheader)
    assert NEVER in _text(at)


@pytest.mark.parametrize("role", _nav.roles_of("scorecard.py"))
def test_a_units_scorecard_shows_observed_and_adjusted(monkeypatch, db, role):
    at = open_page(monkeypatch, db, "scorecard.py", role)  # through the router: it links pages
    next(s for s in at.selectbox if s.label == "Whose figures").select("One unit").run()
    assert not at.exception
    assert any(h.value == "Observed and adjusted for case mix" for h in at.subheader)
    assert NEVER in _text(at)
