"""Who is looking, worked out once per run on the script's thread.

Streamlit's request and session (the proxy's headers, the signed-in user, the "View as"
choice) can be read only on the thread that runs the script. So the identity is read there,
once, at the start of a run (`begin`), and kept for the rest of it; code that runs anywhere
else (a file built when a person clicks, a worker of a thread pool) is handed the store
handle, which carries the viewer, and never asks again.

The "View as" choice lives in the link too (`?view_as=stakeholder`), so a preview survives a
reload and a shared link: the sidebar's choice (session state) wins within a session, the
link's value starts a new one, and every run writes the preview back to the link (and takes
it out when the person sees their own view). A link can only make the view less detailed
than the person's own: `?view_as=analyst` for a stakeholder is ignored with a note, like
every other unusable value of a link (`pages/_params.py`).
"""

from __future__ import annotations

import os
import threading

import streamlit as st

from cqi_core import AUDIENCES, PUBLIC_AUDIENCES, AccessDenied, Viewer, resolve_viewer
from pages import _params as params

_run = threading.local()
PARAM = "view_as"
"""The query parameter, and the session key of the sidebar's "View as" picker."""
_WRITTEN = "_view_as_in_link"
"""Session key: the value the previous run wrote to the link (None: none)."""


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
        if own_identity is None:
            shown = None
        else:
            asked = _asked(own_identity)
            shown = resolve_viewer(**given, view_as=asked, view_as_units=units)
    except AccessDenied as exc:
        st.error(str(exc))
        st.stop()
    if own_identity is None or shown is None:
        st.title("CQI dashboard")
        st.write("Sign in to see your agency's figures.")
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()
    _keep_in_link(own_identity, shown)
    return own_identity, shown


def previews(own: Viewer) -> list[str]:
    """The audiences `own` may be seen as: their own, then those with less detail (none for
    a public audience, whose view is already the least detailed)."""
    if own.role in PUBLIC_AUDIENCES or own.source == "pinned":
        return [own.role]
    return list(AUDIENCES)[list(AUDIENCES).index(own.role):]


def _asked(own: Viewer) -> str | None:
    """The preview asked for: the link's `?view_as=` when it says something the previous run
    did not write there (a link opened, a reload), if it names a view this person may have
    (a note says when it does not); else the sidebar's choice this session."""
    allowed = previews(own)
    raw = params.raw_param(PARAM)
    if raw is not None and raw != st.session_state.get(_WRITTEN):
        picked = params.choice_param(PARAM, allowed, None, what="view", quiet=True)
        if picked is None:
            more = raw.casefold() in AUDIENCES
            params.unusable("view", raw, "your own view is shown",
                            ": a link can only show your own view or one with less detail"
                            if more else ": it is not one of the views")
            picked = own.role
        if len(allowed) > 1:  # the sidebar's picker shows what the link chose
            st.session_state[PARAM] = picked
        return picked
    chosen = st.session_state.get(PARAM)
    return chosen if chosen in allowed else None


def _keep_in_link(own: Viewer, shown: Viewer) -> None:
    """The preview in the link, so a reload or a shared link keeps it; no parameter when the
    person sees their own view."""
    if shown.role != own.role:
        if st.query_params.get(PARAM) != shown.role:
            st.query_params[PARAM] = shown.role
        st.session_state[_WRITTEN] = shown.role
    else:
        if PARAM in st.query_params:
            del st.query_params[PARAM]
        st.session_state[_WRITTEN] = None
