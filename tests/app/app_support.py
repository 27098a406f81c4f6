"""How app tests choose who is looking.

Public audiences are set the way a deployment pins them (`CQI_AUDIENCE`), so the whole
identity path runs; analysts and supervisors stand in for a signed-in person by replacing
`pages._shared.viewer`, the one place the app asks who is looking.
"""

from __future__ import annotations

from cqi_core.privacy import PUBLIC, Viewer


def as_viewer(monkeypatch, role: str, units: tuple[str, ...] | None = None) -> None:
    """Make every page of the next AppTest run see `role` (a supervisor limited to `units`)."""
    from pages import _shared

    monkeypatch.delenv("CQI_AUDIENCE", raising=False)
    if role in PUBLIC:
        monkeypatch.setenv("CQI_AUDIENCE", role)
        return
    viewer = Viewer(role, f"test {role}", units if role == "supervisor" else None, "oidc")
    monkeypatch.setattr(_shared, "viewer", lambda: viewer)


def open_page(monkeypatch, db, page: str, role: str, served: bool = True):
    """Run `page` (a file name in pages/) for `role` on `db`: through the router when the
    role is served it, as a person would open it; otherwise started on its own, as a typed
    or shared link would start it."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parents[2]
    as_viewer(monkeypatch, role)
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(root)
    if not served:
        return AppTest.from_file(str(root / "pages" / "views" / page), default_timeout=300).run()
    at = AppTest.from_file(str(root / "app.py"), default_timeout=300).run()
    return at.switch_page(f"pages/views/{page}").run()
