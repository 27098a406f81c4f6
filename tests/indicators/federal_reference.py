"""A second, deliberately plain implementation of the federal indicators (S1, S2, P1-P5,
E1) in Python loops, written from INDICATORS.md and not from the SQL files. The tests run
both on the sample agency and compare them group by group, so a slip in either one shows.

Each function takes the store's tables as lists of dicts and returns analysis rows
(dicts with the engine's row columns), like the SQL files. The project's choices where the
rules leave one open (see the SQL headers) are followed here too.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, timedelta

from cqi_core.storage.store import Store

PERMANENCY = {"reunification", "relative", "adoption", "guardianship"}
P4_EXITS = {"reunification", "relative", "guardianship"}
VICTIM = {"substantiated", "indicated"}
NOT_COUNTED_SETTINGS = {"trial_home_visit", "runaway"}


def add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    y, mo = d.year + m // 12, m % 12 + 1
    return date(y, mo, min(d.day, calendar.monthrange(y, mo)[1]))


def birthday18(b: date) -> date:
    return add_months(b, 18 * 12)


def age_group(b: date, on: date) -> str | None:
    years = on.year - b.year
    if add_months(b, 12 * years) > on:
        years -= 1
    if years < 0 or years >= 18:
        return None
    if years < 1:
        return "<1"
    for top, label in ((5, "1-5"), (10, "6-10"), (15, "11-15"), (17, "16-17")):
        if years <= top:
            return label
    return None


def load(store: Store) -> dict[str, list[dict]]:
    """The tables the federal indicators read, as lists of dicts."""
    return {t: store.query(f"SELECT * FROM {t}").to_dicts()
            for t in ("units", "children", "episodes", "placements", "reports", "population")}


class _Data:
    def __init__(self, tables: dict[str, list[dict]]) -> None:
        self.region = {u["unit_id"]: u["region"] for u in tables["units"]}
        self.child = {c["child_id"]: c for c in tables["children"]}
        self.episodes = tables["episodes"]
        self.placements = defaultdict(list)
        for p in tables["placements"]:
            self.placements[p["episode_id"]].append(p)
        self.reports = tables["reports"]
        self.population = tables["population"]

    def row(self, ind: str, unit: str | None, c: dict | None, anchor: date | None,
            num: float, den: float) -> dict:
        return {"indicator_id": ind, "unit_id": unit,
                "region": self.region.get(unit) if unit else None,
                "age_group": age_group(c["birth_date"], anchor) if c and anchor else None,
                "sex": c["sex"] if c else None,
                "race_ethnicity": c["race_ethnicity"] if c else None,
                "source_group": None, "numerator": float(num), "denominator": float(den)}


def _short(e: dict) -> bool:
    return e["discharge_date"] is not None and (e["discharge_date"] - e["removal_date"]).days < 8


def _adjusted_exit(data: _Data, e: dict) -> date | None:
    places = data.placements.get(e["episode_id"], [])
    if e["discharge_reason"] == "reunification" and places and e["discharge_date"]:
        last = max(places, key=lambda p: (p["start_date"], p["placement_id"]))
        if last["setting"] == "trial_home_visit" and \
                (e["discharge_date"] - last["start_date"]).days > 30:
            return last["start_date"] + timedelta(days=30)
    return e["discharge_date"]


def p1(tables, start: date, end: date) -> list[dict]:
    data = _Data(tables)
    first: dict[str, dict] = {}
    for e in data.episodes:
        if _short(e) or not (start <= e["removal_date"] <= end) or e["child_id"] not in data.child:
            continue
        k = (e["removal_date"], e["episode_id"])
        if e["child_id"] not in first or k < (first[e["child_id"]]["removal_date"],
                                                first[e["child_id"]]["episode_id"]):
            first[e["child_id"]] = e
    rows = []
    for cid, e in first.items():
        c = data.child[cid]
        b18 = birthday18(c["birth_date"])
        if e["removal_date"] >= b18:
            continue
        adj = _adjusted_exit(data, e)
        ok = (e["discharge_reason"] in PERMANENCY and adj is not None
              and adj < add_months(e["removal_date"], 12) and e["discharge_date"] < b18)
        rows.append(data.row("P1", e["unit_id"], c, e["removal_date"], ok, 1))
    return rows


def _in_care_long(tables, start: date, lo: int, hi: int | None, ind: str) -> list[dict]:
    data = _Data(tables)
    rows = []
    for e in data.episodes:
        c = data.child.get(e["child_id"])
        if c is None:
            continue
        r, dis = e["removal_date"], e["discharge_date"]
        if not (r <= start and (dis is None or dis > start)):
            continue
        b18 = birthday18(c["birth_date"])
        if not start < b18:
            continue
        if not add_months(r, lo) <= start or (hi is not None and not start < add_months(r, hi)):
            continue
        adj = _adjusted_exit(data, e)
        ok = (e["discharge_reason"] in PERMANENCY and adj is not None
              and adj < add_months(start, 12) and dis < b18)
        rows.append(data.row(ind, e["unit_id"], c, start, ok, 1))
    return rows


def p2(tables, start: date, end: date) -> list[dict]:
    return _in_care_long(tables, start, 12, 24, "P2")


def p3(tables, start: date, end: date) -> list[dict]:
    return _in_care_long(tables, start, 24, None, "P3")


def p4(tables, start: date, end: date) -> list[dict]:
    data = _Data(tables)
    # Short stays leave the exit cohort only; a re-entry counts however short it is.
    by_child = defaultdict(list)
    for e in data.episodes:
        by_child[e["child_id"]].append(e)
    rows = []
    for cid, eps in by_child.items():
        c = data.child.get(cid)
        if c is None:
            continue
        exits = sorted((e for e in eps if not _short(e)
                        and e["discharge_date"] and start <= e["discharge_date"] <= end
                        and e["discharge_reason"] in P4_EXITS),
                       key=lambda e: (e["discharge_date"], e["episode_id"]))
        if not exits:
            continue
        e = exits[0]
        dis = e["discharge_date"]
        if dis >= birthday18(c["birth_date"]):
            continue
        back = any(o is not e and dis < o["removal_date"] < add_months(dis, 12) for o in eps)
        rows.append(data.row("P4", e["unit_id"], c, dis, back, 1))
    return rows


def p5(tables, start: date, end: date) -> list[dict]:
    data = _Data(tables)
    rows = []
    for e in data.episodes:
        c = data.child.get(e["child_id"])
        if c is None or _short(e) or not (start <= e["removal_date"] <= end):
            continue
        b18 = birthday18(c["birth_date"])
        if e["removal_date"] >= b18:
            continue
        ends = [end + timedelta(days=1), b18] + ([e["discharge_date"]] if e["discharge_date"] else [])
        window_end = min(ends)
        counted = sorted((p for p in data.placements.get(e["episode_id"], [])
                          if p["setting"] not in NOT_COUNTED_SETTINGS),
                         key=lambda p: (p["start_date"], p["placement_id"]))
        moves = sum(1 for p in counted[1:] if p["start_date"] < window_end)
        rows.append(data.row("P5", e["unit_id"], c, e["removal_date"], moves,
                             (window_end - e["removal_date"]).days))
    return rows


def _victim_dates(data: _Data) -> dict[str, list[date]]:
    dates = defaultdict(set)
    for r in data.reports:
        if r["disposition"] in VICTIM:
            dates[r["child_id"]].add(r["report_date"])
    return {cid: sorted(ds) for cid, ds in dates.items()}


def s1(tables, start: date, end: date) -> list[dict]:
    data = _Data(tables)
    countable = defaultdict(list)
    for cid, ds in _victim_dates(data).items():
        for i, day in enumerate(ds):
            if start <= day <= end and not (i > 0 and (day - ds[i - 1]).days == 1):
                countable[cid].append(day)
    rows = []
    for e in data.episodes:
        c = data.child.get(e["child_id"])
        if c is None or _short(e):
            continue
        lo = max(e["removal_date"], start)
        ends = [end + timedelta(days=1), birthday18(c["birth_date"])]
        if e["discharge_date"]:
            ends.append(e["discharge_date"])
        hi = min(ends)
        days = (hi - lo).days
        if days <= 0:
            continue
        n = sum(1 for day in countable.get(e["child_id"], [])
                if lo <= day < hi and (day - e["removal_date"]).days >= 8)
        rows.append(data.row("S1", e["unit_id"], c, lo, n, days))
    return rows


def s2(tables, start: date, end: date) -> list[dict]:
    data = _Data(tables)
    victims = defaultdict(list)
    for r in data.reports:
        if r["disposition"] in VICTIM:
            victims[r["child_id"]].append(r)
    rows = []
    for cid, reps in victims.items():
        c = data.child.get(cid)
        if c is None:
            continue
        b, b18 = c["birth_date"], birthday18(c["birth_date"])
        eligible = [r["report_date"] for r in reps
                    if start <= r["report_date"] <= end and b <= r["report_date"] < b18]
        if not eligible:
            continue
        index = min(eligible)
        on_index = sorted((r for r in reps if r["report_date"] == index),
                          key=lambda r: r["report_id"])
        incidents = {r["incident_date"] for r in on_index if r["incident_date"] is not None}
        recur = any(index + timedelta(days=14) < r["report_date"] < add_months(index, 12)
                    and not (r["incident_date"] is not None and r["incident_date"] in incidents)
                    for r in reps)
        rows.append(data.row("S2", on_index[0]["unit_id"], c, index, recur, 1))
    return rows


def e1(tables, start: date, end: date) -> list[dict]:
    data = _Data(tables)
    pop = defaultdict(int)
    for p in data.population:
        if p["year"] == end.year:
            pop[p["region"]] += p["child_population"]
    first: dict[str, dict] = {}
    for e in data.episodes:
        c = data.child.get(e["child_id"])
        if c is None or not (start <= e["removal_date"] <= end) \
                or e["removal_date"] >= birthday18(c["birth_date"]):
            continue
        cur = first.get(e["child_id"])
        if cur is None or (e["removal_date"], e["episode_id"]) < (cur["removal_date"], cur["episode_id"]):
            first[e["child_id"]] = e
    rows = []
    for e in first.values():
        region = data.region.get(e["unit_id"])
        if region in pop:
            row = data.row("E1", e["unit_id"], None, None, 1, 0)
            rows.append(row)
    for region, n in pop.items():
        rows.append({"indicator_id": "E1", "unit_id": None, "region": region, "age_group": None,
                     "sex": None, "race_ethnicity": None, "source_group": None,
                     "numerator": 0.0, "denominator": float(n)})
    return rows


REFERENCE = {"P1": p1, "P2": p2, "P3": p3, "P4": p4, "P5": p5, "S1": s1, "S2": s2, "E1": e1}
