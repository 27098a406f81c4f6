"""Maltreatment reports: family events first, then one row per report and child.

A report is an event of a family (first contact, earlier reports, the report that led to
a removal, reports during care, follow-ups, prenatal reports, the same incident reported
twice). Each event lists some of the family's children, so a report often has two or
three child rows that share the report's date, incident date, priority and unit. The
disposition is drawn per child. Everything is arrays: the family × children cross join
is done with `explode`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cqi_core.synth.agency import Agency
from cqi_core.synth.care import Episodes
from cqi_core.synth.dates import add_years, ymd
from cqi_core.synth.draws import categorical, explode, lag_days, named
from cqi_core.synth.people import REPORT_ONLY, Families, Kids
from cqi_core.synth.plan import Plan

KINDS = ("first", "prior", "removal", "reentry", "in_care", "first_week", "followup", "prenatal",
         "duplicate", "day_apart")
K = {name: i for i, name in enumerate(KINDS)}
DISPOSITIONS = ("substantiated", "indicated", "alternative_response_victim", "alternative_response",
                "unsubstantiated", "no_finding", "other", "unknown")
D = {name: i for i, name in enumerate(DISPOSITIONS)}
PERPETRATORS = ("parent", "relative", "foster_parent", "facility_staff", "other", "unknown")


@dataclass
class ReportRows:
    """One row per report and child of a chunk (before ids are given)."""

    event: np.ndarray
    """Report number within the chunk (rows of one report share it); sorted by it."""
    kid: np.ndarray
    date: np.ndarray
    incident: np.ndarray
    """-1 when unknown."""
    priority: np.ndarray
    contact: np.ndarray
    """First contact day, -1 when missing."""
    disposition: np.ndarray
    maltreatment: np.ndarray
    perpetrator: np.ndarray
    unit: np.ndarray
    """-1 when missing."""
    entered: np.ndarray
    kind: np.ndarray
    family: np.ndarray
    maltreatment_names: list[str]

    def __len__(self) -> int:
        return len(self.kid)


@dataclass
class _Events:
    family: np.ndarray
    date: np.ndarray
    kind: np.ndarray
    subject: np.ndarray    # kid always listed (-1: none)
    solo: np.ndarray       # list the subject only
    victim: np.ndarray     # the investigation found victims
    origin: np.ndarray     # the report first made about the same incident (itself if none)


def _events(rng: np.random.Generator, plan: Plan, parts: list[tuple]) -> _Events:
    fam, date, kind, subject, solo = (np.concatenate([np.asarray(p[i]) for p in parts]).astype(np.int64)
                                      for i in range(5))
    share = plan["reports"]["victim_share"]
    victim = rng.random(len(kind)) < np.array([share.get(k, share["followup"]) for k in KINDS])[kind]
    return _Events(fam, date, kind, subject, solo.astype(bool), victim, np.arange(len(kind)))


def build_reports(plan: Plan, agency: Agency, rng: np.random.Generator, fam: Families, kids: Kids,
                  eps: Episodes) -> ReportRows:
    rp = plan["reports"]
    hs, as_of = plan.history_start, plan.as_of
    intensity = plan.settings["report_intensity"]
    first_kid = np.r_[0, np.flatnonzero(kids.family[1:] != kids.family[:-1]) + 1]
    n_kids = np.diff(np.r_[first_kid, len(kids)])
    parts: list[tuple] = []

    weight = np.asarray(plan["seasonality"]["month_weight"])

    def part(f, date, kind, subject=None, solo=False, seasonal=False):
        if seasonal:   # thin by calendar month: fewer reports in summer and December
            _, month, _ = ymd(date)
            keep = rng.random(len(date)) < weight[month - 1] / weight.max()
            f, date = f[keep], date[keep]
            subject = None if subject is None else subject[keep]
        n = len(f)
        subject = np.full(n, -1) if subject is None else subject
        parts.append((f, date, np.full(n, K[kind]), subject, np.full(n, solo)))

    ro = np.flatnonzero(fam.kind == REPORT_ONLY)
    part(ro, fam.anchor[ro], "first", first_kid[ro])
    care = np.flatnonzero(fam.kind != REPORT_ONLY)
    f, _ = explode(rng.poisson(rp["prior_reports_mean"] * intensity, len(care)))
    part(care[f], fam.anchor[care[f]] - rng.integers(30, 900, len(f)), "prior", seasonal=True)

    g0 = eps.gen == 0
    first_removal = np.flatnonzero(g0 & np.r_[True, eps.family[1:] != eps.family[:-1]])
    lag = lag_days(rng, rp["removal_lag_days"], len(first_removal))
    removal_date = eps.removal[first_removal] - lag
    part(eps.family[first_removal], removal_date, "removal")
    # a first removal on another day than the family's (a baby removed after birth): its own report
    family_day = np.zeros(len(fam), dtype=np.int64)
    family_day[eps.family[first_removal]] = eps.removal[first_removal]
    own = np.flatnonzero(g0 & (eps.removal != family_day[eps.family]))
    if len(own):
        part(eps.family[own], eps.removal[own] - lag_days(rng, rp["removal_lag_days"], len(own)),
             "removal", eps.kid[own], True)
    re = np.flatnonzero(eps.gen > 0)
    part(eps.family[re], eps.removal[re] - lag_days(rng, rp["removal_lag_days"], len(re)), "reentry", eps.kid[re], True)

    end = np.where(eps.discharge < 0, as_of + 1, eps.discharge)
    lo = np.maximum(eps.removal + 8, hs)
    days = np.maximum(0, end - lo)
    rate = rp["in_care_victim_per_100k_days"] / 1e5 / rp["victim_share"]["in_care"]
    e, _ = explode(rng.poisson(rate * days))
    part(eps.family[e], lo[e] + np.floor(rng.random(len(e)) * days[e]).astype(np.int64), "in_care", eps.kid[e], True)
    fw = np.flatnonzero((rng.random(len(eps)) < rp["first_week_of_care"]) & (eps.removal >= hs) & (end - eps.removal > 7))
    part(eps.family[fw], eps.removal[fw] + rng.integers(1, 8, len(fw)), "first_week", eps.kid[fw], True)

    _followups(plan, rng, fam, eps, part, intensity)
    _prenatal(plan, rng, fam, kids, part)
    ev = _events(rng, plan, parts)

    rows_event, rows_kid = _list_children(plan, rng, ev, kids, first_kid, n_kids, eps)
    ev, rows_event, rows_kid = _repeat_reports(plan, rng, ev, rows_event, rows_kid)
    return _fill(plan, agency, rng, fam, kids, ev, rows_event, rows_kid)


def _followups(plan, rng, fam, eps, part, intensity) -> None:
    """Later reports of reported-only families, and of care families after they leave care."""
    rp = plan["reports"]
    ro = np.flatnonzero(fam.kind == REPORT_ONLY)
    start = fam.anchor[ro]
    mean = np.full(len(ro), rp["followup_mean"]["report_only"] * intensity)
    # care families: after the last discharge of their first removal, if all have left
    g0 = eps.gen == 0
    last = np.full(len(fam), -1)
    np.maximum.at(last, eps.family[g0], np.where(eps.discharge[g0] < 0, 10**7, eps.discharge[g0]))
    cf = np.flatnonzero((fam.kind != REPORT_ONLY) & (last >= 0) & (last < 10**7))
    fams = np.r_[ro, cf]
    start = np.r_[start, last[cf]]
    mean = np.r_[mean, np.full(len(cf), rp["followup_mean"]["care"] * intensity)]
    count = rng.poisson(mean)
    owner, rank = explode(count)
    gap = np.round(rp["followup_gap_median_days"] * np.exp(rng.normal(0, 1.0, len(owner)))).astype(np.int64) + 3
    csum = np.cumsum(gap)
    base = np.r_[0, np.cumsum(count)[:-1]]
    before = np.where(base[owner] > 0, csum[np.maximum(base[owner] - 1, 0)], 0)
    offset = csum - before
    part(fams[owner], start[owner] + offset, "followup", seasonal=True)


def _prenatal(plan, rng, fam, kids, part) -> None:
    """Reports received before a later-born child's birth, listing the unborn child."""
    later = np.flatnonzero(~kids.is_index & (kids.birth > fam.anchor[kids.family])
                           & (kids.birth > plan.history_start + 120))
    pick = later[rng.random(len(later)) < plan["reports"]["prenatal"]]
    want = plan.settings["edge_minimum"] - len(pick)
    if want > 0:
        rest = np.setdiff1d(later, pick)
        pick = np.r_[pick, rng.choice(rest, min(want, len(rest)), replace=False)].astype(np.int64)
    part(kids.family[pick], kids.birth[pick] - rng.integers(1, 121, len(pick)), "prenatal", pick)


def _list_children(plan, rng, ev, kids, first_kid, n_kids, eps):
    """The children named on each report: family × children, thinned, subjects kept."""
    rp = plan["reports"]
    n_ev = len(ev.date)
    count = np.where(ev.solo, 1, n_kids[ev.family])
    owner, rank = explode(count)
    kid = np.where(ev.solo[owner], ev.subject[owner], first_kid[ev.family[owner]] + rank)
    date = ev.date[owner]
    born = kids.birth[kid] <= date
    adult = add_years(kids.birth[kid], 18) <= date
    subject = kid == ev.subject[owner]
    took = np.zeros(len(kids), dtype=bool)
    took[eps.kid[eps.gen == 0]] = True
    removed = (ev.kind[owner] == K["removal"]) & took[kid]   # the removed are named on it
    listed = ((born & (rng.random(len(kid)) < rp["listed_sibling"])) | subject | removed) & ~adult
    has = np.zeros(n_ev, dtype=bool)
    has[owner[listed]] = True
    # a report whose thinning named nobody names its first child born by then
    cand = np.flatnonzero(born & ~adult & ~has[owner])
    first = cand[np.r_[True, owner[cand][1:] != owner[cand][:-1]]] if len(cand) else cand
    listed[first] = True
    return owner[listed], kid[listed]


def _repeat_reports(plan, rng, ev, rows_event, rows_kid):
    """The same incident reported again: a second report 1-40 days later, or the next day."""
    rp = plan["reports"]
    n_ev = len(ev.date)
    # reports around a removal or during care are screened as duplicates, not investigated again
    dup = (rng.random(n_ev) < rp["duplicate"]) & ~np.isin(ev.kind, [K["removal"], K["reentry"], K["in_care"], K["first_week"]])
    day = ~dup & ev.victim & (rng.random(n_ev) < rp["day_apart"])
    shift = np.where(day, 1, np.where(rng.random(n_ev) < 0.5, rng.integers(1, 15, n_ev), rng.integers(15, 41, n_ev)))
    src = np.flatnonzero(dup | day)
    remap = np.full(n_ev, -1)
    remap[src] = n_ev + np.arange(len(src))
    take = remap[rows_event] >= 0
    again = np.where(rng.random(len(src)) < 0.85, ev.victim[src], rng.random(len(src)) < 0.2) | day[src]
    ev2 = _Events(np.r_[ev.family, ev.family[src]], np.r_[ev.date, ev.date[src] + shift[src]],
                  np.r_[ev.kind, ev.kind[src]], np.r_[ev.subject, ev.subject[src]],
                  np.r_[ev.solo, ev.solo[src]], np.r_[ev.victim, again],
                  np.r_[np.arange(n_ev), src])
    return ev2, np.r_[rows_event, remap[rows_event[take]]], np.r_[rows_kid, rows_kid[take]]


def _fill(plan, agency, rng, fam, kids, ev, rows_event, rows_kid) -> ReportRows:
    """Report-level fields, child-level dispositions; keep what the export can contain."""
    rp = plan["reports"]
    hs, as_of = plan.history_start, plan.as_of
    n_ev = len(ev.date)
    origin = ev.origin
    victim_ev = ev.victim
    orig_kind = ev.kind
    ar_ev = ~np.isin(orig_kind, [K["removal"], K["reentry"], K["in_care"], K["first_week"]]) & (rng.random(n_ev) < rp["alternative_response"])

    pr = rp["priority"]
    priority = np.where(victim_ev, categorical(rng, pr["victim"], n_ev), categorical(rng, pr["other"], n_ev)) + 1
    window = np.asarray(rp["window_days"])[priority - 1]
    unit = fam.unit[ev.family]
    other = rng.random(n_ev) < rp["other_unit"]
    # some reports are taken by another unit of the region (after hours, coverage)
    by_region = np.argsort(agency.unit_region, kind="stable")
    count = np.bincount(agency.unit_region, minlength=len(agency.region))
    start = np.r_[0, np.cumsum(count)[:-1]]
    region = agency.unit_region[unit]
    alt = by_region[start[region] + np.floor(rng.random(n_ev) * count[region]).astype(np.int64)]
    unit = np.where(other, alt, unit)
    timely = rng.random(n_ev) < agency.contact_timely_p[unit]
    contact_lag = np.where(timely, np.floor(rng.random(n_ev) * (window + 1)),
                           window + 1 + rng.geometric(1 / 6, n_ev) - 1).astype(np.int64)
    contact = np.where(rng.random(n_ev) < rp["contact_missing"], -1, ev.date + contact_lag)
    unit = np.where(rng.random(n_ev) < rp["unit_missing"], -1, unit)
    inc_lag = lag_days(rng, rp["incident_lag"], n_ev)
    incident = np.where(inc_lag < 0, -1, ev.date - inc_lag)
    same_incident = origin != np.arange(n_ev)
    incident = np.where(same_incident, incident[origin], incident)
    entered = ev.date + lag_days(rng, rp["entry_lag"], n_ev)
    names, malt = named(rng, rp["maltreatment"], n_ev)
    malt = np.where(same_incident, malt[origin], malt)
    in_care = np.isin(orig_kind, [K["in_care"], K["first_week"]])
    perp_home = categorical(rng, [rp["perpetrator_home"].get(p, 0) for p in PERPETRATORS], n_ev)
    perp_care = categorical(rng, [rp["perpetrator_care"].get(p, 0) for p in PERPETRATORS], n_ev)
    perp = np.where(in_care, perp_care, perp_home)

    repeat = np.where(np.arange(n_ev) == origin, -1, np.where(ev.date - ev.date[origin] == 1, K["day_apart"], K["duplicate"]))
    kind = np.where(repeat >= 0, repeat, orig_kind)
    e, kid = rows_event, rows_kid
    n = len(e)
    child_victim = victim_ev[e] & (rng.random(n) < 0.88)
    child_victim |= victim_ev[e] & np.isin(orig_kind[e], [K["removal"], K["reentry"]])
    subst = np.where(rng.random(n) < 0.8, D["substantiated"], D["indicated"])
    negative = categorical(rng, [0.82, 0.13, 0.03, 0.02], n)
    neg_code = np.array([D["unsubstantiated"], D["no_finding"], D["other"], D["unknown"]])[negative]
    ar_code = np.where(victim_ev[e] & (rng.random(n) < 0.5), D["alternative_response_victim"], D["alternative_response"])
    disposition = np.where(ar_ev[e], ar_code, np.where(child_victim, subst, neg_code))
    row_contact = np.where(contact[e] < 0, -1, contact[e] + np.where(rng.random(n) < 0.85, 0, rng.integers(1, 4, n)))
    row_contact = np.where(row_contact > as_of, -1, row_contact)
    row_malt = np.where(rng.random(n) < 0.12, named(rng, rp["maltreatment"], n)[1], malt[e])

    date = ev.date[e]
    keep = (date >= hs) & (date <= as_of) & (entered[e] <= as_of)
    order = np.lexsort((kid[keep], e[keep]))
    idx = np.flatnonzero(keep)[order]
    return ReportRows(event=e[idx], kid=kid[idx], date=date[idx], incident=incident[e][idx],
                      priority=priority[e][idx], contact=row_contact[idx], disposition=disposition[idx],
                      maltreatment=row_malt[idx], perpetrator=perp[e][idx], unit=unit[e][idx],
                      entered=entered[e][idx], kind=kind[e][idx], family=ev.family[e][idx],
                      maltreatment_names=names)
