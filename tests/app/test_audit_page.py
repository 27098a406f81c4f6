"""The Export log page under real Streamlit (AppTest): analysts read it, nobody else does,
and its own download is logged only when clicked."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest, app_test

import cqi_core
from cqi_core import exports
from cqi_core import privacy
from cqi_core.privacy import Viewer

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "views" / "audit.py")
VIEWERS = {"analyst": Viewer("analyst", "sam.analyst@example.org", None, "oidc"),
           "supervisor": Viewer("supervisor", "pat.lee@example.org", ("U001",), "oidc"),
           "stakeholder": Viewer("stakeholder", "public", (), "pinned"),
           "youth": Viewer("youth", "public", (), "pinned")}


@pytest.fixture
def db(sample_db_copy) -> Path:
    """The sample agency with three exports logged: two by a supervisor, one by the public."""
    store = cqi_core.open_store(sample_db_copy)
    table = pl.DataFrame({"unit": ["U001"], "count": [25]})
    exports.table_csv(privacy.Handle(store, VIEWERS["supervisor"]), table, "Reviews by unit")
    exports.log_export(privacy.Handle(store, VIEWERS["supervisor"]), "Trend chart", "png")
    exports.log_export(privacy.Handle(store, VIEWERS["stakeholder"]), "Scorecard", "xlsx", 12)
    store.close()
    return sample_db_copy


def _page(monkeypatch, db: Path, role: str) -> AppTest:
    from pages import _shared
    monkeypatch.setattr(_shared, "viewer", lambda: VIEWERS[role])
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(PAGE, default_timeout=60).run()


def _logged(db: Path) -> pl.DataFrame:
    return exports.export_log(cqi_core.open_store(db))


def test_an_analyst_reads_who_exported_what_and_when(monkeypatch, db):
    at = _page(monkeypatch, db, "analyst")
    assert not at.exception and not at.error
    assert at.title[0].value == "Export log"
    shown = at.dataframe[0].value
    assert sorted(zip(shown["user_name"], shown["role"], shown["what"], shown["format"])) == [
        ("pat.lee@example.org", "supervisor", "Reviews by unit", "csv"),
        ("pat.lee@example.org", "supervisor", "Trend chart", "png"),
        ("public", "stakeholder", "Scorecard", "xlsx")]
    assert at.subheader[0].value == "3 downloads"


def test_the_filters_narrow_the_log(monkeypatch, db):
    at = _page(monkeypatch, db, "analyst")
    next(s for s in at.selectbox if s.label == "File type").select("png").run()
    assert at.dataframe[0].value["what"].tolist() == ["Trend chart"]
    next(s for s in at.selectbox if s.label == "File type").select("Everyone").run()
    next(s for s in at.selectbox if s.label == "As").select("stakeholder").run()
    assert at.dataframe[0].value["what"].tolist() == ["Scorecard"]


def test_the_log_download_is_built_and_logged_only_when_clicked(monkeypatch, db):
    # AppTest gives each run a media file manager of its own and drops it afterwards;
    # keep it, so the test can do what the browser does on a click.
    managers: list[MediaFileManager] = []

    class Kept(MediaFileManager):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            managers.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Kept)
    at = _page(monkeypatch, db, "analyst")
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert set(buttons) == {"Download this log (CSV)", "Download this log (Excel, with definitions)"}
    assert _logged(db).height == 3  # drawing the page builds no file
    csv = buttons["Download this log (CSV)"]
    url = managers[-1].execute_deferred(csv.deferred_file_id)  # the click
    built = managers[-1]._storage.get_file(url.rsplit("/", 1)[-1].split(".")[0]).content
    assert built.decode("utf-8-sig").splitlines()[0] == \
        '"logged_at","user_name","role","what","format","rows","detail"'
    newest = _logged(db).row(0, named=True)
    assert (newest["user_name"], newest["role"], newest["format"], newest["rows"]) == \
        ("sam.analyst@example.org", "analyst", "csv", 3)
    assert newest["what"].startswith("Export log")


@pytest.mark.parametrize("role", ["supervisor", "stakeholder", "youth"])
def test_everyone_else_is_refused(monkeypatch, db, role):
    at = _page(monkeypatch, db, role)
    assert not at.exception
    assert [e.value for e in at.error] == ["This page is for other people, so it is not part of your view of the dashboard."]
    assert not at.dataframe and not at.get("download_button")
    assert "pat.lee@example.org" not in str([m.value for m in at.markdown])


def test_a_deployment_pinned_to_the_youth_view_is_refused(monkeypatch, db):
    monkeypatch.setenv("CQI_AUDIENCE", "youth")
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert [e.value for e in at.error] == ["This page is for other people, so it is not part of your view of the dashboard."]
    assert not at.dataframe
