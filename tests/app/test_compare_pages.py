"""Compare units and Disparities under real Streamlit (AppTest), for every audience.

The audiences each page serves come from the app's page table (`pages/_nav.py`); a page
opened directly refuses the others, so both cases are checked for all four.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_support import as_viewer

from pages import _nav

ROOT = Path(__file__).resolve().parents[2]
PAGES = {"pages/views/compare.py": "Compare units", "pages/views/disparities.py": "Disparities"}
ROLES = ["analyst", "supervisor", "stakeholder", "youth"]
COUNT_COLUMNS = {"numerator", "denominator"}


def served(page: str) -> tuple[str, ...]:
    return _nav.roles_of(Path(page).name) or tuple(ROLES)


PUBLIC_SERVED = [r for r in ("stakeholder", "youth") if r in served("pages/views/compare.py")]


@pytest.fixture(scope="module")
def db(sample_db, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("compare") / "cqi.duckdb"
    shutil.copy(sample_db, path)
    return path


def _page(monkeypatch, db: Path, page: str, role: str = "analyst", **params: str) -> AppTest:
    as_viewer(monkeypatch, role)
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _spec(at: AppTest) -> dict:
    return json.loads(at.get("vega_lite_chart")[0].proto.spec)


def _number(v) -> float:
    """A table cell as a number: tables show counts as text in words ("1,234"; "hidden")."""
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v).replace(",", ""))
    except ValueError:
        return float("nan")


def _small_counts(at: AppTest) -> list[tuple[str, float]]:
    """Every value from 1 to 10 in a count column of any table on the page."""
    found = []
    for table in at.dataframe:
        frame = table.value
        for col in frame.columns:
            if str(col).lower() in COUNT_COLUMNS:
                found += [(col, v) for v in frame[col].dropna() if 1 <= _number(v) <= 10]
    return found


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_both_pages_render_for_every_role_they_serve_and_refuse_the_others(monkeypatch, db,
                                                                          page, role):
    at = _page(monkeypatch, db, page, role)
    assert not at.exception, [e.value for e in at.exception]
    if role not in served(page):
        assert [e.value for e in at.error] == ["This page is for other people, so it is not part of your view of the dashboard."]
        assert not at.get("vega_lite_chart") and not at.dataframe
        return
    assert at.title[0].value == PAGES[page]
    assert not at.error
    assert at.get("vega_lite_chart"), "the chart is drawn"
    assert at.dataframe, "the table is shown"


@pytest.mark.parametrize("role", PUBLIC_SERVED)
@pytest.mark.parametrize("page, params", [
    ("pages/views/compare.py", {"id": "P1"}),
    ("pages/views/compare.py", {"id": "V1", "by": "region"}),
    ("pages/views/disparities.py", {"id": "P1", "by": "race_ethnicity"}),
    ("pages/views/disparities.py", {"id": "V1", "by": "age_group", "ref": "<1"}),
])
def test_public_viewers_see_no_small_count_and_no_link_to_cases(monkeypatch, db, page, params,
                                                                role):
    at = _page(monkeypatch, db, page, role, **params)
    assert not at.exception
    assert _small_counts(at) == []
    assert all("Trend" not in t.value.columns for t in at.dataframe)
    assert not any("trends?" in m.value for m in at.markdown)


def test_the_p1_unit_table_hides_small_units_for_the_public(monkeypatch, db):
    # P1 by unit has units with fewer than 11 children leaving care: the analyst sees them,
    # the public sees them hidden
    with monkeypatch.context() as m:  # the analyst's viewer is undone before the public run
        analyst = _page(m, db, "pages/views/compare.py", "analyst", id="P1")
    public = _page(monkeypatch, db, "pages/views/compare.py", PUBLIC_SERVED[0], id="P1")
    assert _small_counts(analyst)
    where = public.dataframe[0].value["Where it lies"].tolist()
    assert "hidden (small numbers)" in where


def test_analysts_get_links_from_units_to_their_trend(monkeypatch, db):
    at = _page(monkeypatch, db, "pages/views/compare.py", "analyst", id="V1")
    table = at.dataframe[0].value
    assert list(table["Id"]) == sorted(table["Id"])  # sorted by unit, never ranked
    assert all(link == f"trends?id=V1&by=unit&group={u}"
               for link, u in zip(table["Trend"], table["Id"]))
    # V1 has bright spots and concerns in the sample agency; each is linked to its trend
    text = "\n".join(m.value for m in at.markdown)
    assert "**Open the trend of** [" in text and "(trends?id=V1&by=unit&group=U" in text


def test_region_links_are_url_encoded(monkeypatch, db):
    at = _page(monkeypatch, db, "pages/views/compare.py", "supervisor", id="V1", by="region")
    table = at.dataframe[0].value
    assert all(" " not in link and link.startswith("trends?id=V1&by=region&group=")
               for link in table["Trend"])
    assert "trends?id=V1&by=region&group=River%20Valley" in list(table["Trend"])


def test_query_params_choose_what_is_compared_and_changes_go_back_to_the_url(monkeypatch, db):
    at = _page(monkeypatch, db, "pages/views/compare.py", "analyst", id="P5", by="region",
               method="exact", od="none")
    assert not at.exception
    radios = {r.label: r.value for r in at.radio}
    assert radios == {"Compare": "region", "Limits": "exact", "Over-dispersion": "none",
                      "Figures": "observed"}  # observed unless ?view=adjusted
    assert next(s for s in at.selectbox if s.label == "Measure").value == "P5"
    spec = _spec(at)
    assert spec["title"]["text"].startswith("Placement stability: each region against the agency")
    next(r for r in at.radio if r.label == "Limits").set_value("normal").run()
    assert at.query_params["method"] == "normal"
    assert "Normal limits" in _spec(at)["title"]["subtitle"]


def test_the_funnel_chart_says_how_to_read_it_and_draws_limits_by_dash(monkeypatch, db):
    at = _page(monkeypatch, db, "pages/views/compare.py", "analyst", id="V1")
    spec = _spec(at)
    assert spec["description"].startswith("Funnel plot of Monthly caseworker visits")
    dashes = [layer["encoding"]["strokeDash"]["scale"]["range"] for layer in spec["layer"]
              if "strokeDash" in layer.get("encoding", {})]
    assert dashes and len({tuple(d) for d in dashes[0]}) == 3  # solid, dashed, dotted
    assert any("How to read this" in c.value for c in at.caption)


def test_disparities_reference_group_comes_from_the_url(monkeypatch, db):
    at = _page(monkeypatch, db, "pages/views/disparities.py", "analyst", id="P5", by="sex",
               ref="female")
    assert not at.exception
    assert next(s for s in at.selectbox if s.label == "Compare with").value == "female"
    table = at.dataframe[0].value
    female = table[table["Group"] == "Female"].iloc[0]
    assert female["Ratio"] == "1" and female["Reading"] == "The reference group."
    assert at.query_params["ref"] == "female"
