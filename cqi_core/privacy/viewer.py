"""Who is looking, and what that person may see at case level.

Identity comes from the platform, never from the page: OpenID Connect (`st.login`) when the
deployment configures it, else a trusted reverse-proxy header when one is named, else the
local demo, which runs as analyst and says so. `CQI_AUDIENCE=stakeholder|youth` pins a
deployment to one public audience before any of that is consulted, so no sign-in, URL or
session state can raise it.

A `Viewer` travels with the store handle a page is given (`privacy.Handle`), so the core
functions that page calls know whom they answer and release only what that audience may see.
A plain store (the CLI, tests, imports) answers as analyst.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

from cqi_core.settings import load_yaml
from cqi_core.errors import CQIError

AUDIENCES = ("analyst", "supervisor", "stakeholder", "youth")
"""Every audience, from most to least detail."""
PUBLIC = ("stakeholder", "youth")
"""Audiences that get aggregates only, with small cells suppressed."""
_RANK = {"analyst": 3, "supervisor": 2, "stakeholder": 1, "youth": 1}
POLICY_FILE = Path(__file__).with_name("audiences.yaml")


class AccessDenied(CQIError):
    """The viewer may not see what was asked for (case-level rows, another unit's cases)."""


@dataclass(frozen=True)
class Policy:
    """The audience rules of `audiences.yaml`."""

    threshold: int
    """Counts from 1 to this number are masked for public audiences."""
    roles: dict[str, str]
    """Identity role (lower case) -> audience."""
    default_audience: str
    """Audience of a signed-in person with no listed role."""
    role_claim: str
    """The OpenID Connect claim holding roles or groups."""
    units_claim: str
    """The OpenID Connect claim holding a supervisor's units."""
    proxy_user_header: str | None
    """Header a trusted proxy puts the signed-in user in (None: no proxy)."""
    proxy_role_header: str | None
    """Header holding the user's roles (comma-separated)."""
    proxy_units_header: str | None
    """Header holding a supervisor's units (comma-separated)."""
    supervisor_units: dict[str, tuple[str, ...]]
    """User (lower case) -> units, for identities that do not carry units."""
    identifier_columns: tuple[str, ...]
    """Columns never sent to a public audience."""
    text_columns: tuple[str, ...]
    """Free-text columns, sent to public audiences only when approved."""


def load_policy(path: str | Path | None = None) -> Policy:
    """Read and check the audience rules (default: the packaged `audiences.yaml`)."""
    return _load_policy(str(path or POLICY_FILE))


@lru_cache(maxsize=4)
def _load_policy(path: str) -> Policy:
    raw = load_yaml(path) or {}
    threshold = raw.get("threshold", 10)
    if not isinstance(threshold, int) or threshold < 0:
        raise CQIError(f"{path}: threshold must be a whole number of 0 or more, not {threshold!r}.")
    roles = {str(k).strip().lower(): str(v) for k, v in (raw.get("roles") or {}).items()}
    default = str(raw.get("default_audience", "stakeholder"))
    for name, aud in [*roles.items(), ("default_audience", default)]:
        if aud not in AUDIENCES:
            raise CQIError(f"{path}: {name} maps to {aud!r}; audiences are {', '.join(AUDIENCES)}.")
    units = {str(k).strip().lower(): _split(v) for k, v in (raw.get("supervisor_units") or {}).items()}
    return Policy(
        threshold=threshold, roles=roles, default_audience=default,
        role_claim=str(raw.get("role_claim") or "roles"),
        units_claim=str(raw.get("units_claim") or "units"),
        proxy_user_header=raw.get("proxy_user_header") or None,
        proxy_role_header=raw.get("proxy_role_header") or None,
        proxy_units_header=raw.get("proxy_units_header") or None,
        supervisor_units=units,
        identifier_columns=tuple(raw.get("identifier_columns") or ()),
        text_columns=tuple(raw.get("text_columns") or ()))


@dataclass(frozen=True)
class Viewer:
    """The person a result is for."""

    role: str
    """The audience: analyst, supervisor, stakeholder or youth."""
    name: str = "demo"
    """Who (e-mail or user name); 'demo' in the local demo, 'public' when pinned."""
    units: tuple[str, ...] | None = None
    """A supervisor's units (case lists only for these); None means every unit."""
    source: str = "demo"
    """Where the identity came from: oidc, proxy, demo, pinned, or internal."""

    def __post_init__(self) -> None:
        if self.role not in AUDIENCES:
            raise CQIError(f"Unknown audience {self.role!r}; choose from {', '.join(AUDIENCES)}.")

    @property
    def public(self) -> bool:
        """True for stakeholder and youth audiences."""
        return self.role in PUBLIC

    def sees_unit(self, unit_id: str | None) -> bool:
        """Whether this viewer may see the case-level records of a unit."""
        if self.public:
            return False
        return self.units is None or unit_id in self.units


ANALYST = Viewer("analyst", "system", None, "internal")
"""Who a plain store answers: the CLI without --audience, imports, tests."""


def resolve_viewer(*, env: Mapping[str, str], headers: Mapping[str, str] | None = None,
                   oidc_user: Mapping[str, Any] | None = None, oidc_configured: bool = False,
                   view_as: str | None = None, view_as_units: tuple[str, ...] | None = None,
                   policy: Policy | None = None) -> Viewer | None:
    """Decide who is looking. Returns None when sign-in is configured and nobody is signed in.

    Args:
        env: the process environment (`CQI_AUDIENCE`, `CQI_PROXY_*_HEADER`).
        headers: the request's headers (only read when a proxy header is configured).
        oidc_user: the signed-in user's claims (`st.user`), when sign-in is configured.
        oidc_configured: whether the deployment configures OpenID Connect.
        view_as: an audience the person asked to preview; honoured only when it has less
            detail than their own (an analyst may preview every audience, a supervisor the
            public ones), never for a pinned deployment.
        view_as_units: the units of a previewed supervisor.
        policy: the audience rules (default `load_policy()`).

    Raises:
        AccessDenied: `CQI_AUDIENCE` names something other than a public audience, or a
            configured proxy sent no user.
    """
    policy = policy or load_policy()
    pinned = (env.get("CQI_AUDIENCE") or "").strip().lower()
    if pinned:
        if pinned not in PUBLIC:
            raise AccessDenied(f"CQI_AUDIENCE={pinned!r} is not a public audience; a deployment "
                               f"can be pinned only to {' or '.join(PUBLIC)}.")
        return Viewer(pinned, "public", (), "pinned")
    user_header = env.get("CQI_PROXY_USER_HEADER") or policy.proxy_user_header
    if oidc_configured:
        if not oidc_user or not oidc_user.get("is_logged_in", True):
            return None
        name = str(oidc_user.get("email") or oidc_user.get("name") or oidc_user.get("sub") or "")
        viewer = _from_roles(name, oidc_user.get(policy.role_claim),
                             oidc_user.get(policy.units_claim), "oidc", policy)
    elif user_header:
        h = {k.lower(): v for k, v in (headers or {}).items()}
        name = (h.get(user_header.lower()) or "").strip()
        if not name:
            raise AccessDenied(f"Sign-in is handled by a proxy, but the request has no "
                               f"{user_header} header. Open the dashboard through the proxy.")
        role_header = env.get("CQI_PROXY_ROLE_HEADER") or policy.proxy_role_header
        units_header = env.get("CQI_PROXY_UNITS_HEADER") or policy.proxy_units_header
        viewer = _from_roles(name, h.get(role_header.lower()) if role_header else None,
                             h.get(units_header.lower()) if units_header else None, "proxy", policy)
    else:
        viewer = Viewer("analyst", "demo", None, "demo")
    return _preview(viewer, view_as, view_as_units)


def _from_roles(name: str, roles: Any, units: Any, source: str, policy: Policy) -> Viewer:
    audiences = [policy.roles[r.lower()] for r in _split(roles) if r.lower() in policy.roles]
    role = max(audiences, key=_RANK.__getitem__) if audiences else policy.default_audience
    if role != "supervisor":
        return Viewer(role, name, None if role == "analyst" else (), source)
    listed = _split(units) or policy.supervisor_units.get(name.lower())
    return Viewer(role, name, tuple(listed) if listed else None, source)


def _preview(viewer: Viewer, view_as: str | None, units: tuple[str, ...] | None) -> Viewer:
    if not view_as or view_as == viewer.role or view_as not in AUDIENCES:
        return viewer
    if _RANK[view_as] >= _RANK[viewer.role]:
        return viewer  # a preview never adds detail
    if view_as == "supervisor":
        if viewer.units is not None:
            units = tuple(u for u in (units or viewer.units) if u in viewer.units)
        return Viewer("supervisor", viewer.name, tuple(units) if units else None, viewer.source)
    return Viewer(view_as, viewer.name, (), viewer.source)


def _split(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(",") if p.strip())
    return tuple(str(p).strip() for p in value if str(p).strip())


def require_case_access(v: Viewer, unit_id: str | None = None) -> None:
    """Refuse case-level rows to public audiences, and other units' cases to supervisors.

    Args:
        v: who asks (`viewer_of(handle)`).
        unit_id: the unit whose cases are asked for (None: cases in general).

    Raises:
        AccessDenied: with a message the person can act on.
    """
    if v.public:
        raise AccessDenied(f"Case-level records are not available to a {v.role} audience: "
                           "only aggregate figures with small numbers hidden are shown.")
    if unit_id is not None and not v.sees_unit(unit_id):
        raise AccessDenied(f"You can see the cases of your own units only "
                           f"({', '.join(v.units or ())}), not {unit_id}.")


def home_unit(v: Viewer, units: Sequence[str]) -> str | None:
    """The unit a supervisor's pages open on (the scorecard, What changed): the first of
    their own units the agency has. None for everyone else, who open on the whole agency:
    analysts, public audiences, and a supervisor whose identity names no unit (they see
    every unit)."""
    if v.role != "supervisor" or not v.units:
        return None
    return next((u for u in v.units if u in set(units)), None)


def case_units(v: Viewer) -> tuple[str, ...] | None:
    """Units whose cases the viewer may list: None for every unit, () for none."""
    if v.public:
        return ()
    return v.units
