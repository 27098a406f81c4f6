"""A second, deliberately plain implementation of the practice indicators (V1, V2, T1, D1,
W1, W2, Q1, Q2, F1) in Python loops, written from INDICATORS.md and not from the SQL files.
The sample tests run both and compare them group by group, so a slip in either one shows.

Each function takes the store's tables as lists of dicts plus the period and returns
analysis rows (dicts with the engine's row columns), like the SQL files. The project's
choices where the rules leave one open (see the SQL headers) are followed here too: V1 looks
at every day of the month; V1's unit is the episode in care on the month's last day; a
recorded item-12 strength gives way to an area-needing-improvement sub-item; F1's region
falls back to the unit's.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, timedelta

from cqi_core.storage.store import Store

ITEMS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "12A", "12B", "12C",
         "13", "14", "15", "16", "17", "18"]
OUTCOMES = {"S1": (["1"], True), "S2": (["2", "3"], False), "P1": (["4", "5", "6"], False),
            "P2": (["7", "8", "9", "10", "11"], False), "WB1": (["12", "13", "14", "15"], False),
            "WB2": (["16"], True), "WB3": (["17", "18"], False)}
TABLES = ("units", "workers", "children", "episodes", "reports", "visits", "reviews", "ratings",
          "feedback")


def load(store: Store) -> dict[str, list[dict]]:
    """The tables the practice indicators read, as lists of dicts."""
    return {t: store.query(f"SELECT * FROM {t}").to_dicts() for t in TABLES}


def _birthday18(b: date) -> date:
    y = b.year + 18
    return date(y, b.month, min(b.day, calendar.monthrange(y, b.month)[1]))


def _age_group(b: date, on: date) -> str | None:
    years = on.year - b.year
    if date(on.year, b.month, min(b.day, calendar.monthrange(on.year, b.month)[1])) > on:
        years -= 1
    if years < 0 or years >= 18:
        return None
    if years < 1:
        return "<1"
    return next(label for top, label in ((5, "1-5"), (10, "6-10"), (15, "11-15"),
                                         (17, "16-17")) if years <= top)


def _in_care(e: dict, day: date) -> bool:
    return e["removal_date"] <= day and (e["discharge_date"] is None or e["discharge_date"] > day)


def _row(indicator, unit, region, num, den, age=None, sex=None, race=None, source=None) -> dict:
    return {"indicator_id": indicator, "unit_id": unit, "region": region, "age_group": age,
            "sex": sex, "race_ethnicity": race, "source_group": source,
            "numerator": float(num), "denominator": float(den)}


def _region(t) -> dict:
    return {u["unit_id"]: u["region"] for u in t["units"]}


def v1(t, start: date, end: date) -> list[dict]:
    region = _region(t)
    children = {c["child_id"]: c for c in t["children"]}
    eps = defaultdict(list)
    for e in t["episodes"]:
        eps[e["child_id"]].append(e)
    visited = {(v["child_id"], v["visit_date"].year, v["visit_date"].month)
               for v in t["visits"] if start <= v["visit_date"] <= end}
    months = []
    y, m = start.year, start.month
    while date(y, m, 1) <= end:
        first, last = date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])
        if first >= start and last <= end:
            months.append((first, last))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    out = []
    for cid, ce in eps.items():
        c = children.get(cid)
        if c is None:
            continue
        for first, last in months:
            if not last < _birthday18(c["birth_date"]):
                continue
            days = [first + timedelta(k) for k in range((last - first).days + 1)]
            if not all(any(_in_care(e, day) for e in ce) for day in days):
                continue
            at_end = max((e for e in ce if _in_care(e, last)),
                         key=lambda e: (e["removal_date"], e["episode_id"]))
            out.append(_row("V1", at_end["unit_id"], region.get(at_end["unit_id"]),
                            (cid, first.year, first.month) in visited, 1,
                            _age_group(c["birth_date"], first), c["sex"], c["race_ethnicity"]))
    return out


def v2(t, start: date, end: date) -> list[dict]:
    region = _region(t)
    children = {c["child_id"]: c for c in t["children"]}
    eps = defaultdict(list)
    for e in t["episodes"]:
        eps[e["child_id"]].append(e)
    out = []
    for v in t["visits"]:
        day, c = v["visit_date"], children.get(v["child_id"])
        if not (start <= day <= end) or c is None or not day < _birthday18(c["birth_date"]):
            continue
        now = [e for e in eps[v["child_id"]] if _in_care(e, day)]
        if not now:
            continue
        e = max(now, key=lambda e: (e["removal_date"], e["episode_id"]))
        out.append(_row("V2", e["unit_id"], region.get(e["unit_id"]),
                        v["location"] == "residence", 1, _age_group(c["birth_date"], day),
                        c["sex"], c["race_ethnicity"]))
    return out


def t1(t, start: date, end: date, windows=(1, 3, 10)) -> list[dict]:
    region = _region(t)
    by_report = defaultdict(list)
    for r in t["reports"]:
        by_report[r["report_id"]].append(r)
    out = []
    for rows in by_report.values():
        day = min(r["report_date"] for r in rows)
        priorities = [r["response_priority"] for r in rows if r["response_priority"] is not None]
        if not (start <= day <= end) or not priorities:
            continue
        units = [r["unit_id"] for r in rows if r["unit_id"] is not None]
        unit = min(units) if units else None
        contacts = [r["first_contact_date"] for r in rows if r["first_contact_date"] is not None]
        timely = bool(contacts) and (min(contacts) - day).days <= windows[min(priorities) - 1]
        out.append(_row("T1", unit, region.get(unit), timely, 1))
    return out


def d1(t, start: date, end: date, limit: int = 3) -> list[dict]:
    region = _region(t)
    unit_of = {w["worker_id"]: w["unit_id"] for w in t["workers"]}
    out = []
    for v in t["visits"]:
        if start <= v["visit_date"] <= end and v["entered_date"] is not None:
            unit = unit_of.get(v["worker_id"])
            out.append(_row("D1", unit, region.get(unit),
                            (v["entered_date"] - v["visit_date"]).days <= limit, 1))
    return out


def _employed(w: dict, day: date) -> bool:
    return w["hire_date"] <= day and (w["separation_date"] is None or w["separation_date"] > day)


def w1(t, start: date, end: date) -> list[dict]:
    region = _region(t)
    out = []
    y, m = start.year, start.month
    while date(y, m, 1) <= end:
        last = date(y, m, calendar.monthrange(y, m)[1])
        if start <= last <= end:
            open_eps, workers = defaultdict(int), defaultdict(int)
            for e in t["episodes"]:
                if _in_care(e, last):
                    open_eps[e["unit_id"]] += 1
            for w in t["workers"]:
                if w["role"] == "caseworker" and _employed(w, last):
                    workers[w["unit_id"]] += 1
            for unit in set(open_eps) | set(workers):
                out.append(_row("W1", unit, region.get(unit), open_eps[unit], workers[unit]))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def w2(t, start: date, end: date) -> list[dict]:
    region = _region(t)
    out = []
    for w in t["workers"]:
        if w["role"] != "caseworker":
            continue
        sep = w["separation_date"] is not None and start <= w["separation_date"] <= end
        den = (_employed(w, start) + _employed(w, end)) / 2
        if sep or den:
            out.append(_row("W2", w["unit_id"], region.get(w["unit_id"]), sep, den))
    return out


def _effective(t, start: date, end: date) -> tuple[dict, dict]:
    """First reviews in the period (id → unit) and their item ratings with item 12 settled.
    A quality-assurance second review (qa_of_review_id set) does not count."""
    reviews = {r["review_id"]: r["unit_id"] for r in t["reviews"]
               if start <= r["review_date"] <= end and r.get("qa_of_review_id") is None}
    given = defaultdict(dict)
    for r in t["ratings"]:
        if r["review_id"] in reviews:
            given[r["review_id"]][r["item"]] = r["rating"]
    for items in given.values():
        subs = [items[s] for s in ("12A", "12B", "12C") if s in items]
        weak = "area_needing_improvement" in subs
        if "12" in items:
            if items["12"] == "strength" and weak:
                items["12"] = "area_needing_improvement"
        elif subs:
            if all(s == "not_applicable" for s in subs):
                items["12"] = "not_applicable"
            else:
                items["12"] = "area_needing_improvement" if weak else "strength"
    return reviews, given


def q1(t, start: date, end: date) -> list[dict]:
    region = _region(t)
    reviews, given = _effective(t, start, end)
    return [_row("Q1." + item, reviews[rid], region.get(reviews[rid]), rating == "strength", 1)
            for rid, items in given.items() for item, rating in items.items()
            if rating != "not_applicable"]


def q2(t, start: date, end: date) -> list[dict]:
    region = _region(t)
    reviews, given = _effective(t, start, end)
    out = []
    for rid, items in given.items():
        for outcome, (members, _single) in OUTCOMES.items():
            rated = [items[i] for i in members
                     if items.get(i, "not_applicable") != "not_applicable"]
            if rated:
                out.append(_row("Q2." + outcome, reviews[rid], region.get(reviews[rid]),
                                all(r == "strength" for r in rated), 1))
    return out


def f1(t, start: date, end: date) -> list[dict]:
    region = _region(t)
    out = []
    for f in t["feedback"]:
        if start <= f["received_date"] <= end and f["rating"] is not None:
            own = (f["region"] or "").strip()
            out.append(_row("F1", f["unit_id"], own or region.get(f["unit_id"]),
                            f["rating"] >= 4, 1, source=f["source_group"]))
    return out


REFERENCE = {"V1": v1, "V2": v2, "T1": t1, "D1": d1, "W1": w1, "W2": w2, "Q1": q1, "Q2": q2,
             "F1": f1}
