"""E1 — foster care entry rate per 1,000 children, on hand-made rows. Expected values are
worked out in the comments. Period: calendar 2024, so the 2024 population is used."""

from __future__ import annotations

from federal_fixtures import analysis, base_store, child, episode, insert, result, totals

PERIOD = ("2024-01-01", "2024-12-31")


def _population(s) -> None:
    insert(s, "units", ["unit_id", "unit_name", "region"], [("U3", "Unit three", "East")])
    insert(s, "population", ["region", "year", "child_population"],
           [("North", 2024, 1000), ("South", 2024, 2000), ("North", 2023, 5000)])


def test_each_child_enters_once_in_the_region_of_its_earliest_entry(tmp_path):
    s = base_store(tmp_path)
    _population(s)
    for c in "ABCDEGH":
        child(s, c, "2015-01-01")
    child(s, "F", "2006-03-01")   # 18 on 2024-03-01
    # A: two entries in U1 (North): counted once.
    episode(s, "EA1", "A", "2024-02-01", "2024-03-01", "reunification", unit="U1")
    episode(s, "EA2", "A", "2024-06-01", unit="U1")
    # B: one entry in U2 (South).
    episode(s, "EB", "B", "2024-05-01", unit="U2")
    # C: entered in 2023, still in care: not an entry in 2024.
    episode(s, "EC", "C", "2023-11-01", unit="U1")
    # D: entries in U2 (2024-01-05, a 5-day stay: short stays count) and later U1: South.
    episode(s, "ED1", "D", "2024-01-05", "2024-01-10", "reunification", unit="U2")
    episode(s, "ED2", "D", "2024-04-01", unit="U1")
    # F: entered on the 18th birthday: not under 18.
    episode(s, "EF", "F", "2024-03-01", unit="U1")
    # G: entry in U1 (North).
    episode(s, "EG", "G", "2024-12-31", unit="U1")
    # H: entry in U3 (East has no population loaded): left out everywhere.
    episode(s, "EH", "H", "2024-07-01", unit="U3")
    rows = analysis(s, "E1", *PERIOD)
    # Entries: North {A, G} = 2, South {B, D} = 2; population North 1,000 + South 2,000.
    assert totals(rows) == (4, 3000)
    assert totals(rows, region="North") == (2, 1000)
    assert totals(rows, region="South") == (2, 2000)
    assert totals(rows, region="East") == (0, 0)
    out = result(s, "E1", *PERIOD, by="region")
    assert {k: v["value"] for k, v in out.items()} == {"North": 2.0, "South": 1.0}
    assert abs(result(s, "E1", *PERIOD)["all"]["value"] - 4000 / 3000) < 1e-9


def test_no_population_for_the_year_gives_no_rows(tmp_path):
    s = base_store(tmp_path)
    _population(s)
    child(s, "A", "2015-01-01")
    episode(s, "EA", "A", "2025-02-01", unit="U1")
    assert analysis(s, "E1", "2025-01-01", "2025-12-31").height == 0
