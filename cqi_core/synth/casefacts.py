"""The facts of one reviewed case, read from the simulated chunk.

A case review rates what happened in a case during its period under review (PUR). This
module looks the case up in the chunk's arrays (placements, visits, reports, siblings,
caseworkers) and returns a flat dict: numbers the ratings use (moves, months missed,
days to first contact…) and words the narratives use ("two moves", "a relative foster
home", "March 2024"). A fact that does not apply is None, so templates that need it are
skipped.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cqi_core.synth.care import R
from cqi_core.synth.dates import add_years, month_index, month_start, to_date
from cqi_core.synth.placements import S, SETTINGS
from cqi_core.synth.reports import D, K

_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve")
SETTING_WORDS = {
    "pre_adoptive_home": "a pre-adoptive home", "relative_foster_home": "a relative foster home",
    "nonrelative_foster_home": "a non-relative foster home", "group_home": "a group home",
    "institution": "a residential treatment facility",
    "supervised_independent_living": "a supervised independent living apartment",
    "runaway": "runaway status", "trial_home_visit": "a trial home visit with the parent",
}
GOALS = {R["reunification"]: "reunification", R["relative"]: "permanent placement with relatives",
         R["adoption"]: "adoption", R["emancipation"]: "another planned permanent living arrangement",
         R["guardianship"]: "guardianship", R["transfer"]: "reunification",
         R["runaway"]: "reunification", R["death"]: "reunification"}
EXITS = {R["reunification"]: "was reunified with {parent} in {month}",
         R["relative"]: "went to live permanently with {relative} in {month}",
         R["adoption"]: "was adopted in {month}",
         R["guardianship"]: "achieved permanency through guardianship with {relative} in {month}",
         R["emancipation"]: "left care at {age} in {month}, with an independent living plan"}
GRADES = ("kindergarten", "first grade", "second grade", "third grade", "fourth grade", "fifth grade",
          "sixth grade", "seventh grade", "eighth grade", "ninth grade", "tenth grade",
          "eleventh grade", "twelfth grade")
MALTREATMENT_WORDS = {"neglect": "neglect", "physical_abuse": "physical abuse", "sexual_abuse": "sexual abuse",
                      "psychological": "emotional abuse", "medical_neglect": "medical neglect",
                      "sex_trafficking": "sex trafficking", "other": "a safety concern", "unknown": "maltreatment"}


class Lookup:
    """Sorted views of a chunk, so a review finds its case's rows without scanning."""

    def __init__(self, chunk) -> None:
        self.chunk = chunk
        r = chunk.reports
        self.r_by_kid = np.argsort(r.kid, kind="stable")
        self.r_kid = r.kid[self.r_by_kid]
        self.r_by_family = np.argsort(r.family, kind="stable")
        self.r_family = r.family[self.r_by_family]

    def reports_of_kid(self, kid: int) -> np.ndarray:
        lo, hi = np.searchsorted(self.r_kid, [kid, kid + 1])
        return self.r_by_kid[lo:hi]

    def reports_of_family(self, fam: int) -> np.ndarray:
        lo, hi = np.searchsorted(self.r_family, [fam, fam + 1])
        return self.r_by_family[lo:hi]

    def report_rows(self, event: int) -> np.ndarray:
        lo, hi = np.searchsorted(self.chunk.reports.event, [event, event + 1])
        return np.arange(lo, hi)

    def kids_of_family(self, fam: int) -> np.ndarray:
        lo, hi = np.searchsorted(self.chunk.kids.family, [fam, fam + 1])
        return np.arange(lo, hi)

    def episodes_of_kids(self, kids: np.ndarray) -> np.ndarray:
        eps_kid = self.chunk.eps.kid
        return np.concatenate([np.arange(*np.searchsorted(eps_kid, [k, k + 1])) for k in kids] or [np.zeros(0, dtype=np.int64)])


def words(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def plural(n: int, one: str, many: str) -> str:
    return f"{words(n)} {one if n == 1 else many}"


def day_words(d: int) -> str:
    x = to_date(d)
    return f"{x:%B} {x.day}, {x.year}"


def month_words(d: int) -> str:
    return f"{to_date(d):%B %Y}"


def years(birth: int, on: int) -> int:
    """Completed years on a day."""
    b, d = to_date(birth), to_date(on)
    return d.year - b.year - ((d.month, d.day) < (b.month, b.day))


def describe_child(age: int, sex: int, rng: np.random.Generator) -> tuple[str, str]:
    """A full and a short way to name the child ('the 7-year-old girl', 'the child')."""
    noun = ("girl", "boy", "child")[sex] if age < 13 else ("young woman", "young man", "youth")[sex] if age >= 16 else "youth"
    if age < 1:
        options, short = ["the infant", "the baby", "the target child (an infant)"], "the infant"
    elif age < 3:
        options, short = [f"the {age}-year-old", "the toddler", f"the {age}-year-old {noun}"], "the toddler"
    elif age < 12:
        options, short = [f"the {age}-year-old {noun}", f"the {age}-year-old", f"the target child (age {age})"], "the child"
    elif age < 18:
        options, short = [f"the {age}-year-old", f"the {age}-year-old {noun}", "the youth", f"the youth (now {age})"], "the youth"
    else:
        options, short = [f"the {age}-year-old young adult", "the young adult", f"the youth (now {age})"], "the young adult"
    return options[int(rng.integers(len(options)))], short


def common(plan, agency, chunk, kid: int, ps: int, pe: int, review_day: int, position: int,
           case_type: str, narrator_pools: dict[str, list[str]], rng: np.random.Generator) -> dict[str, Any]:
    """Facts every case has: the child, the period, the workers, the pools' picks."""
    kids = chunk.kids
    age = years(int(kids.birth[kid]), pe)
    full, short = describe_child(age, int(kids.sex[kid]), rng)
    hs = plan.history_start
    a, b = max(ps, hs) - hs, min(pe, plan.as_of) - hs
    workers = len(np.unique(agency.incumbent[position, a:b + 1]))
    pick = lambda pool: narrator_pools[pool][int(rng.integers(len(narrator_pools[pool])))]  # noqa: E731
    s1, s2 = rng.choice(len(narrator_pools["services"]), 2, replace=False)
    months = np.sort(rng.integers(ps, pe + 1, 5))
    parent = ("the mother", "the father", "the mother", "the birth mother", "the custodial father")[int(rng.integers(5))]
    relative = pick("relatives")
    return {
        "case_type": case_type, "in_home": case_type == "in_home", "foster": case_type == "foster_care",
        "case_words": "foster care" if case_type == "foster_care" else "in-home",
        "child": full, "child_short": short, "age": age,
        "age_words": f"{age} years old" if age != 1 else "one year old" if age else "under a year old",
        "grade": GRADES[age - 5] if 5 <= age <= 17 else None,
        "parent": parent, "relative_words": relative,
        "carers": parent if case_type == "in_home" else "the caregivers",
        "workers_pool": ["the caseworker", "the assigned caseworker", "the ongoing caseworker", "the worker"],
        "ps_day": day_words(ps), "pe_day": day_words(pe), "review_day": day_words(review_day),
        "pur_span": f"{month_words(ps)} to {month_words(pe)}",
        "workers": workers, "workers_words": plural(workers, "caseworker", "caseworkers"),
        "worker_changes": workers > 1,
        "service": narrator_pools["services"][s1], "service2": narrator_pools["services"][s2],
        "child_service": pick("child_services_young" if age < 6 else "child_services_school" if age < 13
                              else "child_services_teen"),
        "child_need": pick("child_needs"),
        "parent_need": pick("parent_needs"), "caregiver_service": pick("caregiver_services"),
        "barrier": pick("barriers"),
        "assessment_point": pick("assessment_points_in_home" if case_type == "in_home" else "assessment_points"),
        "meeting_month": month_words(int(months[0])), "health_month": month_words(int(months[1])),
        "assessment_month": month_words(int(months[2])), "visit_month": month_words(int(months[3])),
        "court_month": month_words(int(months[4])),
        "service_delay": int(rng.integers(3, 11)), "family_visits": int(rng.integers(2, 7)),
        "parent_visits": int(rng.integers(1, 6)),
        "school_or_family": ("the child's school", "the siblings", "the parents' home", "relatives")[int(rng.integers(4))],
        "parents_unknown": bool(rng.random() < 0.03),
    }


def report_facts(plan, chunk, rows: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    """Facts of the latest report among report rows `rows` (empty: no report)."""
    if not len(rows):
        return {"report": False, "report_day": None, "report_month": None, "priority": None,
                "contact_days": None, "contact_words": None, "window_words": None, "late": False,
                "no_contact": False, "maltreatment_words": None}
    r = chunk.reports
    last = rows[np.argmax(r.date[rows])]
    same = rows[r.event[rows] == r.event[last]]
    contacts = r.contact[same][r.contact[same] >= 0]
    prio = int(r.priority[last])
    window = plan["reports"]["window_days"][prio - 1]
    days = int(contacts.min() - r.date[last]) if len(contacts) else None
    malt = r.maltreatment_names[int(r.maltreatment[last])]
    return {
        "report": True, "report_day": day_words(int(r.date[last])), "report_month": month_words(int(r.date[last])),
        "priority": prio, "window_words": {1: "24 hours", 3: "three days"}.get(window, f"{window} days"),
        "contact_days": days if days is not None and days > window else None,
        "contact_words": None if days is None or days > window else
        ("on the day of the report" if days == 0 else "the day after the report" if days == 1
         else f"{words(days)} days after the report"),
        "late": days is None or days > window, "no_contact": days is None,
        "maltreatment_words": MALTREATMENT_WORDS.get(malt, "maltreatment"),
    }


def foster_facts(plan, agency, look: Lookup, e: int, ps: int, pe: int, review_day: int, pools, rng) -> dict[str, Any]:
    chunk = look.chunk
    eps, kids, places, visits, r = chunk.eps, chunk.kids, chunk.places, chunk.visits, chunk.reports
    kid = int(eps.kid[e])
    f = common(plan, agency, chunk, kid, ps, pe, review_day, int(eps.position[e]), "foster_care", pools, rng)
    removal, dis = int(eps.removal[e]), int(eps.discharge[e])
    last_in = min(dis - 1 if dis >= 0 else pe, pe)
    f["months_in_care"] = max(0, int((last_in - removal) / 30.44))
    f["removal_month"] = month_words(removal)
    f["removed_in_pur"] = ps <= removal <= pe
    f["reentry"] = bool(eps.gen[e] > 0) and f["removed_in_pur"]

    p0, p1 = np.searchsorted(places.episode, [e, e + 1])
    st, en, se = places.start[p0:p1], places.end[p0:p1], places.setting[p0:p1]
    en_ = np.where(en < 0, pe + 1, en)
    counted = ~np.isin(se, [S["runaway"], S["trial_home_visit"]])
    first_counted = np.flatnonzero(counted)[:1]
    moved = counted & (st >= ps) & (st <= pe)
    moved[first_counted] = False
    moves = int(moved.sum())
    cur = int(np.flatnonzero(st <= last_in)[-1]) if (st <= last_in).any() else 0
    in_pur = (st <= pe) & (en_ > ps)
    f["moves"] = moves
    f["moves_words"] = plural(moves, "move", "moves") if moves else None
    f["no_moves"], f["one_move"] = moves == 0, moves == 1
    f["placements_words"] = plural(int(counted.sum()), "placement", "placements")
    f["setting"] = SETTING_WORDS[SETTINGS[se[cur]]]
    f["setting_short"] = SETTING_WORDS[SETTINGS[se[cur]]].split(" ", 1)[1]
    f["setting_since"] = month_words(int(st[cur]))
    seq = [SETTING_WORDS[SETTINGS[x]] for x in se[in_pur & counted]]
    f["settings_list"] = (", then ".join(seq) if len(seq) > 1 else None)
    f["last_move_month"] = month_words(int(st[moved][-1])) if moves else None
    runs = int(((se == S["runaway"]) & (st >= ps) & (st <= pe)).sum())
    f["runaways"] = runs
    f["runaways_words"] = (("once", "twice")[runs - 1] if runs <= 2 else f"{words(runs)} times") if runs else None
    f["relative_placed"] = bool(((se == S["relative_foster_home"]) & in_pur).any())
    f["preadoptive"] = se[cur] == S["pre_adoptive_home"]
    f["congregate"] = se[cur] in (S["group_home"], S["institution"], S["supervised_independent_living"])
    thv = (se == S["trial_home_visit"]) & in_pur
    f["thv_days"] = int((en_[thv] - st[thv]).max()) if thv.any() else None

    reason = int(eps.reason[e]) if eps.reason[e] >= 0 else int(eps.planned[e])
    planned = int(eps.planned[e])
    f["goal"] = GOALS[planned]
    key = {R["adoption"]: "adoption", R["guardianship"]: "guardianship", R["relative"]: "relatives",
           R["emancipation"]: "appla"}.get(planned, "reunification")
    f["progress_words"] = pools[f"progress_{key}"][int(rng.integers(len(pools[f"progress_{key}"])))]
    f["goal2"] = "guardianship" if planned == R["adoption"] else "adoption"
    exited = 0 <= dis <= pe
    f["exited"], f["still_in_care"] = exited, not exited
    f["permanency_exit"] = exited and reason in (R["reunification"], R["relative"], R["adoption"], R["guardianship"])
    f["reunified"] = exited and reason == R["reunification"] and f["thv_days"] is not None
    f["exit_month"] = month_words(dis) if exited else None
    f["exit_words"] = (EXITS[reason].format(parent=f["parent"], relative=f["relative_words"], month=month_words(dis),
                                            age=years(int(kids.birth[kid]), dis))
                       if exited and reason in EXITS else None)
    f["tpr"] = planned == R["adoption"] and (pe - removal) > 450
    f["tpr_infant"] = f["tpr"] and f["age"] < 2

    v0, v1 = np.searchsorted(visits.episode, [e, e + 1])
    vd, vr = visits.day[v0:v1], visits.residence[v0:v1]
    vin = (vd >= ps) & (vd <= pe)
    m_lo = month_index(max(ps, removal))
    m_hi = month_index(last_in)
    full = [m for m in range(int(m_lo), int(m_hi) + 1)
            if month_start(m) >= max(ps, removal) and month_start(m + 1) - 1 <= last_in]
    seen = set(month_index(vd[vin]).tolist())
    visited = sum(1 for m in full if m in seen)
    f["months"], f["visited"] = len(full), visited
    f["missed"] = len(full) - visited
    f["missed_words"] = plural(f["missed"], "month", "months") if f["missed"] else None
    f["no_missed"], f["one_missed"] = f["missed"] == 0 and f["months"] > 0, f["missed"] == 1
    f["visits"] = int(vin.sum())
    f["visits_words"] = words(f["visits"])
    res = int(vr[vin].sum())
    f["residence_words"] = (f"{words(res)} of the {words(f['visits'])} visits in the child's residence"
                            if f["visits"] else None)

    mine = look.reports_of_kid(kid)
    mine = np.sort(mine[(r.date[mine] >= ps) & (r.date[mine] <= pe)])
    f.update(report_facts(plan, chunk, mine, rng))
    in_care = mine[np.isin(r.kind[mine], [K["in_care"], K["day_apart"]]) & (r.disposition[mine] <= D["indicated"])]
    f["incare_report_day"] = day_words(int(r.date[in_care][0])) if len(in_care) else None
    f["recurrence_month"] = None

    fam = int(eps.family[e])
    family = look.kids_of_family(fam)
    sib = family[(family != kid) & (kids.birth[family] <= pe) & (add_years(kids.birth[family], 18) > ps)]
    sib_eps = look.episodes_of_kids(sib)
    sib_eps = sib_eps[(eps.removal[sib_eps] <= pe) & ((eps.discharge[sib_eps] < 0) | (eps.discharge[sib_eps] > ps))]
    in_care_sibs = np.unique(eps.kid[sib_eps])
    n = len(in_care_sibs)
    if n == 1:
        f["siblings_in_care_words"] = ("a sister", "a brother", "a sibling")[int(kids.sex[in_care_sibs[0]])]
    else:
        f["siblings_in_care_words"] = plural(n, "sibling", "siblings") if n else None
    f["siblings"] = len(sib)
    return f


def in_home_facts(plan, agency, look: Lookup, event: int, kid: int, ps: int, pe: int, review_day: int, pools,
                  rng) -> dict[str, Any]:
    chunk = look.chunk
    r, kids, fam_ = chunk.reports, chunk.kids, chunk.fam
    fam = int(kids.family[kid])
    f = common(plan, agency, chunk, kid, ps, pe, review_day, int(fam_.position[fam]), "in_home", pools, rng)
    rows = look.report_rows(event)
    f.update(report_facts(plan, chunk, rows, rng))
    start = int(r.date[rows[0]])
    later = look.reports_of_family(fam)
    later = np.sort(later[(r.date[later] > start + 14) & (r.date[later] <= pe) & (r.disposition[later] <= D["indicated"])])
    f["recurrence"] = len(later) > 0
    f["recurrence_month"] = month_words(int(r.date[later[0]])) if len(later) else None
    unit = int(fam_.unit[fam])
    months = list(range(int(month_index(start)) + 1, int(month_index(pe))))
    p = agency.visit_p[unit, np.asarray(months, dtype=np.int64) - agency.first_month] if months else np.zeros(0)
    seen = rng.random(len(months)) < p
    f["months"], f["visited"] = len(months), int(seen.sum())
    f["missed"] = len(months) - int(seen.sum())
    f["missed_words"] = plural(f["missed"], "month", "months") if f["missed"] else None
    f["no_missed"], f["one_missed"] = f["missed"] == 0 and f["months"] > 0, f["missed"] == 1
    f["visits"] = int(seen.sum()) + int(rng.integers(0, 3))
    f["visits_words"] = words(f["visits"])
    f["residence_words"] = "all but a few in the family home" if f["visits"] else None
    for key in ("setting", "setting_short", "settings_list", "moves_words", "thv_days", "exit_words",
                "siblings_in_care_words", "incare_report_day", "last_move_month", "runaways_words",
                "exit_month", "setting_since"):
        f[key] = None
    f.update({"months_in_care": 0, "removal_month": None, "removed_in_pur": False, "reentry": False,
              "moves": 0, "goal": "maintaining the child safely at home", "goal2": None, "tpr": False,
              "tpr_infant": False, "exited": False, "still_in_care": False, "reunified": False,
              "relative_placed": False, "preadoptive": False, "congregate": False, "runaways": 0,
              "progress_words": None,
              "permanency_exit": False, "siblings": int((kids.birth[look.kids_of_family(fam)] <= pe).sum()) - 1})
    return f
