"""How app tests choose who is looking.

Public audiences are set the way a deployment pins them (`CQI_AUDIENCE`), so the whole
identity path runs; analysts and supervisors stand in for a signed-in person by replacing
`pages._shared.viewer`, the one place the app asks who is looking.
"""

from __future__ import annotations

from cqi_core.audience import PUBLIC, Viewer


def as_viewer(monkeypatch, role: str, units: tuple[str, ...] | None = None) -> None:
    """Make every page of the next AppTest run see `role` (a supervisor limited to `units`)."""
    from pages import _shared

    monkeypatch.delenv("CQI_AUDIENCE", raising=False)
    if role in PUBLIC:
        monkeypatch.setenv("CQI_AUDIENCE", role)
        return
    viewer = Viewer(role, f"test {role}", units if role == "supervisor" else None, "oidc")
    monkeypatch.setattr(_shared, "viewer", lambda: viewer)
