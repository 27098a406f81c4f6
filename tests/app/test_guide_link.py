"""The sidebar leads staff to the guide for agencies (docs/FOR_AGENCIES.md).

Streamlit cannot follow a path inside the repository, so the link goes to where the
deployment publishes docs/ (`CQI_DOCS_URL`); without that setting the sidebar names the file
instead of showing a link that leads nowhere. A deployment pinned to a public audience shows
neither: the guide is for the agency's staff.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def _app(monkeypatch, db: Path) -> AppTest:
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)


def _links(at: AppTest) -> list:
    return [e.proto for e in at.sidebar.get("link_button")]


def test_with_a_docs_address_the_sidebar_links_the_guide(monkeypatch, sample_db_copy):
    monkeypatch.delenv("CQI_AUDIENCE", raising=False)
    monkeypatch.setenv("CQI_DOCS_URL", "https://example.org/cqi/docs/")
    at = _app(monkeypatch, sample_db_copy).run()
    assert not at.exception
    links = _links(at)
    assert [(b.label, b.url) for b in links] == [
        ("Guide for agencies", "https://example.org/cqi/docs/FOR_AGENCIES.md")]
    assert (ROOT / "docs" / "FOR_AGENCIES.md").exists()


def test_without_one_the_sidebar_names_the_file(monkeypatch, sample_db_copy):
    monkeypatch.delenv("CQI_AUDIENCE", raising=False)
    monkeypatch.delenv("CQI_DOCS_URL", raising=False)
    at = _app(monkeypatch, sample_db_copy).run()
    assert not at.exception
    assert not _links(at)
    assert any("docs/FOR_AGENCIES.md" in c.value for c in at.sidebar.caption)


def test_a_public_deployment_shows_no_guide(monkeypatch, sample_db_copy):
    monkeypatch.setenv("CQI_AUDIENCE", "stakeholder")
    monkeypatch.setenv("CQI_DOCS_URL", "https://example.org/cqi/docs")
    at = _app(monkeypatch, sample_db_copy).run()
    assert not at.exception
    assert not _links(at)
    assert not any("FOR_AGENCIES" in c.value for c in at.sidebar.caption)
