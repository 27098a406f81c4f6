"""Who is looking: sign-in, proxy header, demo, the pinned public audience, previews."""

from __future__ import annotations

import pytest

from cqi_core import privacy
from cqi_core.privacy import AccessDenied, Viewer, resolve_viewer

POLICY = privacy.load_policy()


def test_the_local_demo_runs_as_analyst():
    v = resolve_viewer(env={})
    assert (v.role, v.source, v.units) == ("analyst", "demo", None)


@pytest.mark.parametrize("pinned", ["stakeholder", "youth", "YOUTH "])
def test_a_pinned_deployment_ignores_identity_and_previews(pinned):
    v = resolve_viewer(env={"CQI_AUDIENCE": pinned, "CQI_PROXY_USER_HEADER": "X-User"},
                       headers={"X-User": "ana", "X-Roles": "analyst"},
                       oidc_user={"email": "a@x.org", "roles": ["analyst"]}, oidc_configured=True,
                       view_as="analyst")
    assert (v.role, v.source, v.units) == (pinned.strip().lower(), "pinned", ())
    assert v.public


@pytest.mark.parametrize("pinned", ["analyst", "supervisor", "everyone"])
def test_pinning_to_anything_but_a_public_audience_is_refused(pinned):
    with pytest.raises(AccessDenied, match="public audience"):
        resolve_viewer(env={"CQI_AUDIENCE": pinned})


def test_sign_in_maps_roles_to_the_most_detailed_audience():
    v = resolve_viewer(env={}, oidc_configured=True,
                       oidc_user={"email": "s@agency.gov", "roles": ["youth", "Supervisor"],
                                  "units": "U001, U002"})
    assert (v.role, v.name, v.units, v.source) == ("supervisor", "s@agency.gov",
                                                  ("U001", "U002"), "oidc")


def test_a_signed_in_person_without_a_listed_role_gets_the_default_public_audience():
    v = resolve_viewer(env={}, oidc_configured=True, oidc_user={"email": "p@x.org", "roles": []})
    assert v.role == POLICY.default_audience == "stakeholder"


def test_nobody_signed_in_asks_for_sign_in():
    assert resolve_viewer(env={}, oidc_configured=True, oidc_user={"is_logged_in": False}) is None


def test_a_proxy_header_counts_only_when_configured():
    headers = {"X-Forwarded-User": "boss", "X-Forwarded-Groups": "analyst"}
    assert resolve_viewer(env={}, headers=headers).source == "demo"
    v = resolve_viewer(env={"CQI_PROXY_USER_HEADER": "X-Forwarded-User",
                            "CQI_PROXY_ROLE_HEADER": "X-Forwarded-Groups"},
                       headers={"x-forwarded-user": "sup", "x-forwarded-groups": "cqi-supervisor"})
    assert (v.role, v.name, v.source, v.units) == ("supervisor", "sup", "proxy", None)


def test_a_configured_proxy_without_its_header_is_refused_not_demo():
    with pytest.raises(AccessDenied, match="X-User"):
        resolve_viewer(env={"CQI_PROXY_USER_HEADER": "X-User"}, headers={})


@pytest.mark.parametrize("own, asked, seen", [
    ("analyst", "youth", "youth"), ("analyst", "supervisor", "supervisor"),
    ("supervisor", "stakeholder", "stakeholder"), ("supervisor", "analyst", "supervisor"),
    ("stakeholder", "analyst", "stakeholder"), ("stakeholder", "supervisor", "stakeholder"),
    ("youth", "stakeholder", "youth"), ("analyst", "nobody", "analyst")])
def test_a_preview_can_take_detail_away_but_never_add_it(own, asked, seen):
    v = resolve_viewer(env={}, oidc_configured=True,
                       oidc_user={"email": "x", "roles": [own]}, view_as=asked)
    assert v.role == seen


def test_a_limited_supervisor_previewing_keeps_their_limits():
    v = resolve_viewer(env={}, oidc_configured=True, view_as="supervisor",
                       oidc_user={"email": "x", "roles": ["supervisor"], "units": ["U001"]},
                       view_as_units=("U001", "U009"))
    assert v.units == ("U001",)


def test_case_access_follows_the_viewer(tmp_path):
    import cqi_core

    store = cqi_core.open_store(tmp_path / "x.duckdb")
    privacy.require_case_access(privacy.viewer_of(store), "U009")  # a plain store: analyst
    sup = privacy.Handle(store, Viewer("supervisor", "s", ("U001",), "oidc"))
    privacy.require_case_access(sup.viewer, "U001")
    with pytest.raises(AccessDenied, match="U009"):
        privacy.require_case_access(sup.viewer, "U009")
    assert privacy.case_units(sup.viewer) == ("U001",)
    youth = privacy.Handle(store, Viewer("youth", "y", (), "pinned"))
    with pytest.raises(AccessDenied, match="youth"):
        privacy.require_case_access(youth.viewer)
    assert privacy.case_units(youth.viewer) == ()
    assert privacy.full(youth) is store
    assert privacy.viewer_of(privacy.full(youth)) == privacy.ANALYST
    store.close()


def test_the_policy_file_is_complete_and_valid():
    assert POLICY.threshold == 10
    assert set(POLICY.roles.values()) == set(privacy.AUDIENCES)
    for col in ("child_id", "report_id", "worker_id", "review_id", "reviewer"):
        assert col in POLICY.identifier_columns


def test_text_for_audience_is_bounded_by_the_stores_viewer(sample_db):
    import cqi_core
    from cqi_core.analysis import qualitative

    store = cqi_core.open_store(sample_db, read_only=True)
    frame = qualitative.excerpts(store, source_types=["case_review"]).head(400)
    assert frame["unit_id"].n_unique() > 1
    sup = privacy.Handle(store, Viewer("supervisor", "s", ("U001",), "oidc"))
    seen = qualitative.text_for_audience(frame, "analyst", sup)  # asks for more than it may
    assert set(seen["unit_id"]) == {"U001"}
    assert seen.height == frame.filter(frame["unit_id"] == "U001").height
    youth = privacy.Handle(store, Viewer("youth", "y", (), "pinned"))
    public = qualitative.text_for_audience(frame, "analyst", youth)
    assert "review_id" not in public.columns and "source_id" not in public.columns
    store.close()
