"""The refresh's copy of the latest figures: read instead of computed, and the same figures.

The expected figures are the ones `latest_figures` computes with no copy kept (through
`compute`, whose rules the federal and practice tests check by hand); the copy must give
exactly those, and must not be read for a public audience, another grouping or other data.
"""

from __future__ import annotations

import pytest

from cqi_core import open_store
from cqi_core.indicators import latest
from cqi_core.privacy import Handle, NotPublished, Viewer
from cqi_core.storage.facts import unit_list

GROUPS_OF = ("all", "unit", "region")


def _groups(store) -> list[tuple[str, str]]:
    units = unit_list(store)
    return ([("all", "all")] + [("unit", u) for u in units["unit_id"].to_list()[:3]]
            + [("region", r) for r in sorted(set(units["region"].to_list()))[:2]])


def _no_compute(*args, **kwargs):
    raise AssertionError("computed although the refresh kept the figures")


@pytest.fixture
def store(sample_db_copy):
    s = open_store(sample_db_copy)
    yield s
    s.close()


def test_the_kept_figures_are_the_computed_ones_and_nothing_is_computed(store, monkeypatch):
    groups = _groups(store)
    computed = {}
    for g in groups:  # one grouping per call, as the scorecard and the unit profile ask
        computed.update(latest.latest_figures(store, [g]))
    assert latest.build_latest(store) > 0
    monkeypatch.setattr(latest, "compute", _no_compute)
    kept = {}
    for g in groups:
        kept.update(latest.latest_figures(store, [g]))
    assert kept.keys() == computed.keys()
    assert kept == computed


def test_a_public_audience_and_other_groupings_never_read_the_copy(store, monkeypatch):
    latest.build_latest(store)
    monkeypatch.setattr(latest, "_read_kept", _no_compute)
    # Sex is not a kept grouping: computed as before.
    figures = latest.latest_figures(store, [("sex", "female")], ["P1"])
    assert figures[("P1", "sex", "female")].denominator > 0
    # A stakeholder's figures come from the publication, never from the staff copy.
    # (Without a publication in this copy the public figures are refused, never read from
    # the staff copy: _read_kept would raise AssertionError, not NotPublished.)
    public = Handle(store, Viewer("stakeholder", "test", None, "pinned"))
    try:
        latest.latest_figures(public, [("all", "all")], ["P1"])
    except NotPublished:
        pass


def test_new_data_is_not_read_from_the_copy_of_the_old(store, monkeypatch):
    latest.build_latest(store)
    before = latest._kept_file(store, 12)
    assert before.exists()
    # A saved catalog edit changes the data version: the copy's name no longer matches.
    monkeypatch.setattr(latest, "content_version", lambda s: "another version")
    assert latest._read_kept(store, 12) is None
