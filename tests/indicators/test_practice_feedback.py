"""F1 (stakeholder feedback rating) on hand-built rows; expected values worked out below."""

from __future__ import annotations

from practice_fixtures import add, new_store, sums

Q1_2025 = ("2025-01-01", "2025-03-31")


def _feedback(fid: str, received: str, rating: int | None, unit: str | None,
              region: str | None, source: str) -> dict:
    return {"feedback_id": fid, "received_date": received, "source_group": source,
            "channel": "survey", "unit_id": unit, "region": region, "rating": rating,
            "text": "comment"}


def test_f1_share_rated_4_or_5_by_unit_region_and_source_group(tmp_path):
    store = new_store(tmp_path)
    add(store, "feedback", [
        _feedback("F1", "2025-01-05", 5, "U1", None, "youth"),       # region from U1: North
        _feedback("F2", "2025-01-06", 4, "U1", "South", "parent"),   # own region column wins
        _feedback("F3", "2025-02-01", 3, "U2", None, "parent"),      # South (from U2)
        _feedback("F4", "2025-02-02", None, "U2", None, "parent"),   # no rating: out
        _feedback("F5", "2025-02-03", 1, None, None, "youth"),       # unit and region unknown
        _feedback("F6", "2025-04-01", 5, "U1", None, "youth"),       # after the period: out
        _feedback("F7", "2025-03-31", 4, "U2", None, "caregiver"),   # last day: in, South
    ])
    # Counted F1, F2, F3, F5, F7 = 5; rated 4 or 5: F1, F2, F7 = 3.
    # Unit: U1 F1, F2 → 2 / 2; U2 F3, F7 → 1 / 2; unknown F5 → 0 / 1.
    # Region: North F1 → 1 / 1; South F2, F3, F7 → 2 / 3; unknown F5 → 0 / 1.
    # Source: youth F1, F5 → 1 / 2; parent F2, F3 → 1 / 2; caregiver F7 → 1 / 1.
    got = sums(store, "F1", *Q1_2025, by=("unit", "region", "source_group", "sex"))
    assert got[("F1", "all", "all")] == (3, 5)
    assert got[("F1", "unit", "U1")] == (2, 2)
    assert got[("F1", "unit", "U2")] == (1, 2)
    assert got[("F1", "unit", "unknown")] == (0, 1)
    assert got[("F1", "region", "North")] == (1, 1)
    assert got[("F1", "region", "South")] == (2, 3)
    assert got[("F1", "region", "unknown")] == (0, 1)
    assert got[("F1", "source_group", "youth")] == (1, 2)
    assert got[("F1", "source_group", "parent")] == (1, 2)
    assert got[("F1", "source_group", "caregiver")] == (1, 1)
    # sex is not an F1 grouping
    assert not any(k[1] == "sex" for k in got)
