"""Page caches are keyed by the data version and the viewer (pages/_shared.py).

A page shown again asks the database nothing: its results, and the keys that say they are
current, are kept until a change is saved or another file is swapped in. A saved change makes
new keys, so it shows at once without clearing any cache; and one viewer's cached figures
never reach another viewer.

The database work of a render is counted at its one door: every query, in the core or a
page, takes a cursor from `Store.cursor`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app_support import as_viewer, open_page

import cqi_core
from cqi_core.privacy import Viewer
from cqi_core.storage import store as stores

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def db(series_db, tmp_path_factory):
    """A private copy of the sample with its trend series (one test saves a catalog edit)."""
    from db_support import copy_with_series

    path = copy_with_series(series_db, tmp_path_factory.mktemp("page_cache"))
    yield path
    cqi_core.open_store(path).close()


@pytest.fixture
def cursors(monkeypatch):
    """Counts cursors taken from any store from now on (each query takes one)."""
    taken = []
    real = stores.Store.cursor

    def counted(self):
        taken.append(self.path)
        return real(self)

    monkeypatch.setattr(stores.Store, "cursor", counted)
    return taken


# The pages that show the agency's figures, each for an audience it serves. (The pages that
# list what people saved, such as imports, the export log, decks, notes and cycles, read
# their lists on each visit, so a save by someone else shows at once.)
FIGURE_PAGES = [("scorecard.py", "analyst"), ("home.py", "analyst"),
                ("indicator.py", "analyst"), ("compare.py", "analyst"),
                ("disparities.py", "analyst"), ("what_changed.py", "analyst"),
                ("unit_profile.py", "analyst"), ("bright_spots.py", "analyst"),
                ("data_quality.py", "analyst"), ("scorecard.py", "stakeholder"),
                ("indicator.py", "stakeholder"), ("youth_home.py", "youth")]


@pytest.mark.parametrize("page,role", FIGURE_PAGES)
def test_a_warm_render_asks_the_database_nothing(monkeypatch, db, cursors, page, role):
    first = open_page(monkeypatch, db, page, role)
    assert not first.exception, [e.value for e in first.exception]
    assert cursors, "the first render reads the database"  # the counter does count
    cursors.clear()
    again = open_page(monkeypatch, db, page, role)
    assert not again.exception, [e.value for e in again.exception]
    assert cursors == [], f"{page} for {role} took {len(cursors)} cursors when shown again"


def _open_as(monkeypatch, db, page: str, role: str, units: tuple[str, ...] | None = None):
    """`open_page` for a supervisor of `units`: through the router, as a person opens it."""
    from streamlit.testing.v1 import AppTest

    as_viewer(monkeypatch, role, units)
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    return at.switch_page(f"pages/views/{page}").run()


def _unit_choices(at) -> list[str]:
    return list(next(s for s in at.selectbox if s.label == "Unit").options)


def test_two_supervisors_each_get_their_own_units(monkeypatch, db):
    """Supervisors of different units render the same page in one process, one after the
    other: each is offered only their own unit, the second is not handed the first one's
    cached list, and the first one's list is the same when they come back."""
    units = cqi_core.unit_list(cqi_core.open_store(db)).sort("unit_id")
    (a, b), names = units["unit_id"].head(2).to_list(), dict(units.select("unit_id", "unit_name").iter_rows())

    def as_supervisor(unit):
        return _open_as(monkeypatch, db, "unit_profile.py", "supervisor", (unit,))

    def only(unit):  # how the unit selectbox labels a unit: "name (id)"
        return [f"{names[unit]} ({unit})"]

    assert _unit_choices(as_supervisor(a)) == only(a)
    assert _unit_choices(as_supervisor(b)) == only(b)
    assert _unit_choices(as_supervisor(a)) == only(a)


def test_the_analyst_and_a_stakeholder_each_get_figures_computed_for_them(monkeypatch, db):
    """The agency strip's summary is computed by the core for whoever the handle names. Shown
    alternately to an analyst and a stakeholder in one process, it is computed once for each
    of them, through a handle bound to that very audience; coming back, each is served their
    own cached summary, and nobody's render computes it for someone else."""
    import streamlit as st

    from cqi_core import privacy

    computed_for = []
    real = cqi_core.agency_summary

    def spy(handle):
        computed_for.append(privacy.viewer_of(handle).role)
        return real(handle)

    from pages import _shared

    asks_the_app = _shared.viewer

    def render(role):
        # as_viewer stands an analyst in by replacing `viewer`; a public audience is pinned
        # by the environment, read by the app's own `viewer`, so that one is put back first
        monkeypatch.setattr(_shared, "viewer", asks_the_app)
        at = open_page(monkeypatch, db, "home.py", role)
        assert not at.exception, [e.value for e in at.exception]

    monkeypatch.setattr(cqi_core, "agency_summary", spy)
    st.cache_data.clear()  # start with nothing cached: this test counts the computations
    for role in ("analyst", "stakeholder"):
        render(role)
    assert computed_for == ["analyst", "stakeholder"]
    for role in ("analyst", "stakeholder"):
        render(role)
    assert computed_for == ["analyst", "stakeholder"]  # both served from their own entries


def test_the_viewer_part_of_a_cache_key_cannot_be_mistaken():
    """A unit's name can never make one viewer's key read as another's: a unit called "all"
    is not every unit, a unit with a comma in its id is not two units, and no units differ
    from every unit."""
    from pages._shared import _viewer_key

    def key(units):
        return _viewer_key(Viewer("supervisor", "s", units, "oidc"))

    keys = [key(None), key(()), key(("all",)), key(("none",)), key(("a,b",)), key(("a", "b"))]
    assert len(set(keys)) == len(keys)
    assert _viewer_key(Viewer("analyst")) != _viewer_key(Viewer("supervisor"))


def test_a_saved_change_shows_at_once_without_clearing_any_cache(monkeypatch, db, cursors):
    """The scorecard is shown (and shown again, from its cache); then the measure P1 is
    renamed through the core, as the catalog page saves it. The next render reads the new
    data version, so it shows the new name: nothing cleared a cache."""
    def measures():
        at = open_page(monkeypatch, db, "scorecard.py", "analyst")
        assert not at.exception, [e.value for e in at.exception]
        return {name for df in at.dataframe for name in df.value.get("Measure", [])}

    before = measures()
    measures()  # from the cache
    renamed = "Permanency in 12 months (renamed for this test)"
    assert renamed not in before
    cqi_core.save_edit(cqi_core.open_store(db), "P1", {"name": renamed},
                       why="test of the page caches", by="tester")
    cursors.clear()
    after = measures()
    assert renamed in after
    assert cursors, "the render after the change read the database again"
