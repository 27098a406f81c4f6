"""A built agency for the case-mix tests: children entering care in 2024 (P1's entry cohort
for the 12 months to 2024-12-31), by unit and age group, each leaving to permanency within
12 months or not, written as export files and imported (so the publication can be built).

Every child enters care on 2024-01-01 (the first day with data: a published period starts
on or after it). Babies are born 2023-12-01 (age 0 on entry: '<1'), teenagers 2011-06-01
(age 12: '11-15'). A child counted in P1's numerator is reunified on
2024-09-01 (within 12 months); the others are reunified on 2025-12-31 (after 12 months), which
also makes 2025-12-31 the data's as-of date, so the 12 months to 2024-12-31 are a published
period (the grid is the 12 months to each of the last 16 quarter ends).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

ENTRY = "2024-01-01"
BIRTH = {"<1": "2023-12-01", "11-15": "2011-06-01"}
START, END = date(2024, 1, 1), date(2024, 12, 31)


def write_agency(folder: Path, plan: dict[str, dict[str, tuple[int, int]]],
                 regions: dict[str, str]) -> Path:
    """Export files for `plan`: unit → age group → (children, of whom reach permanency)."""
    folder.mkdir(parents=True, exist_ok=True)
    units = ["unit_id,unit_name,region"] + [f"{u},Unit {u},{regions[u]}" for u in plan]
    children = ["child_id,birth_date,sex,race_ethnicity"]
    episodes = ["episode_id,child_id,removal_date,discharge_date,discharge_reason,unit_id"]
    for unit, ages in plan.items():
        for age, (n, perm) in ages.items():
            for k in range(n):
                cid = f"{unit}-{age.replace('<', 'lt')}-{k:03d}"
                children.append(f"{cid},{BIRTH[age]},{'female' if k % 2 else 'male'},white")
                out = "2024-09-01" if k < perm else "2025-12-31"
                episodes.append(f"E{cid},{cid},{ENTRY},{out},reunification,{unit}")
    for name, lines in (("units", units), ("children", children), ("episodes", episodes)):
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def build_store(tmp_path: Path, plan: dict[str, dict[str, tuple[int, int]]],
                regions: dict[str, str], publish: bool = False):
    """A store holding the agency of `plan` (and its publication when `publish`)."""
    from cqi_core import import_files, open_store
    from cqi_core.publish import build_publication

    folder = write_agency(tmp_path / "export", plan, regions)
    store = open_store(tmp_path / "cqi.duckdb")
    result = import_files(store, [folder], user="tests")
    assert result.outcome == "landed", result.message
    if publish:
        assert build_publication(store) is not None
    return store


# One unit (U2) differs from the others only by its age mix: in every unit babies reach
# permanency 60% of the time and teenagers 20%.
#   U1: 60 babies (36) + 60 teenagers (12) = 48 of 120 = 40%
#   U2: 15 babies (9) + 105 teenagers (21) = 30 of 120 = 25%
#   U3: 105 babies (63) + 15 teenagers (3) = 66 of 120 = 55%
#   U4: 5 babies (3) + 5 teenagers (1) = 4 of 10 (a count of 1-10: suppressed in public)
#   agency: 185 babies (111, 60%) + 185 teenagers (37, 20%) = 148 of 370 = 40%
AGE_ONLY = {"U1": {"<1": (60, 36), "11-15": (60, 12)},
            "U2": {"<1": (15, 9), "11-15": (105, 21)},
            "U3": {"<1": (105, 63), "11-15": (15, 3)},
            "U4": {"<1": (5, 3), "11-15": (5, 1)}}
AGE_ONLY_REGIONS = {"U1": "North", "U2": "South", "U3": "North", "U4": "South"}
