"""The Time in care page for each audience: staff see every curve, the exit types and the
placement trajectory; the public see the any-permanency curve of published fiscal years,
tied to the published P1 figure, and no placement trajectory; youth are not served the page."""

from __future__ import annotations

import pytest

from app_support import open_page

PAGE = "time_in_care.py"


@pytest.mark.parametrize("role", ["analyst", "supervisor", "stakeholder"])
def test_the_page_shows_the_cohort_curves_and_ties_month_12_to_p1(monkeypatch, series_db, role):
    at = open_page(monkeypatch, series_db, PAGE, role)
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Time in care"]
    heads = [s.value for s in at.subheader]
    assert heads[0] == "Is this year's cohort leaving earlier?"
    tie = [m.value for m in at.markdown if m.value.startswith("**The 12-month point and P1.**")]
    assert len(tie) == 1 and "permanency in 12 months (P1) is" in tie[0]
    if role == "stakeholder":
        # Public: only the any-permanency curve, no exit types or placement trajectory, and
        # the rule stated.
        assert not any(h.startswith(("How the", "Where the")) for h in heads)
        assert any("public curve" in m.value for m in at.markdown)
        assert not at.radio or all(r.label != "Curve" for r in at.radio)
    else:
        assert any(h.startswith("How the") for h in heads)
        assert any(h.startswith("Where the") for h in heads)
        assert any(r.label == "Curve" for r in at.radio)


def test_youth_are_not_served_the_page(monkeypatch, series_db):
    at = open_page(monkeypatch, series_db, PAGE, "youth", served=False)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "This page is for other people, so it is not part of your view of the dashboard."]
    assert not at.get("vega_lite_chart")
