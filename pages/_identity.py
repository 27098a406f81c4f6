"""Who is looking, worked out once per run on the script's thread.

Streamlit's request and session (the proxy's headers, the signed-in user, the "View as"
choice) can be read only on the thread that runs the script. So the identity is read there,
once, at the start of a run (`begin`), and kept for the rest of it; code that runs anywhere
else (a file built when a person clicks, a worker of a thread pool) is handed the store
handle, which carries the viewer, and never asks again.
"""

from __future__ import annotations

import os
import threading

import streamlit as st

from cqi_core import AccessDenied, Viewer, resolve_viewer

_run = threading.local()


def begin(routed: bool) -> None:
    """Start a run on this thread: forget the previous run's identity. `routed` says the run
    goes through the router (app.py) rather than a page started on its own."""
    _run.routed, _run.who = routed, None


def routed() -> bool:
    """True when this thread's run goes through the router."""
    return getattr(_run, "routed", False)


def seen() -> Viewer:
    """The audience the person is seen as this run (their own, or a preview with less detail)."""
    return _current()[1]


def own() -> Viewer:
    """The person's own identity this run, before any preview."""
    return _current()[0]


def _current() -> tuple[Viewer, Viewer]:
    if not hasattr(_run, "who"):
        raise RuntimeError("Who is looking is known only on the script's thread once a run "
                           "has begun: hand this code the store handle (ui.store()) instead.")
    if _run.who is None:
        _run.who = _resolve()
    return _run.who


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: sign-in is not configured
        return False


def _resolve() -> tuple[Viewer, Viewer]:
    """Read the platform's identity and the preview choice; stop the page with the reason
    when it is refused, or with a sign-in button when nobody is signed in."""
    oidc = _oidc_configured()
    given = dict(env=os.environ, headers=dict(st.context.headers or {}),
                 oidc_user=st.user.to_dict() if oidc else None, oidc_configured=oidc)
    units = tuple(st.session_state.get("view_as_units") or ()) or None
    try:
        own_identity = resolve_viewer(**given)
        shown = resolve_viewer(**given, view_as=st.session_state.get("view_as"),
                               view_as_units=units)
    except AccessDenied as exc:
        st.error(str(exc))
        st.stop()
    if own_identity is None or shown is None:
        st.title("CQI dashboard")
        st.write("Sign in to see your agency's figures.")
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()
    return own_identity, shown
