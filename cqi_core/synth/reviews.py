"""Qualitative case reviews (OSRI style): which cases, how they are rated, what is written.

The review programme is scheduled for the whole agency first (about 8-12 reviews per unit
and fiscal year, foster care and in-home cases, on weekdays), and each review slot is
given to a chunk. When the chunk is simulated, the slot picks a case of its unit that was
open during the period under review, reads the case's facts and rates items 1-18 (with
12A-12C and the derived item 12) from them: many moves make item 4 an area needing
improvement more often, missed visit months do the same for item 14, a late first
contact for item 1, a long stay without permanency for items 5 and 6. The permanency
items do not apply to in-home cases.

Some cases then get a quality-assurance (QA) review: a second, independent review of the
same case file and period by a QA reviewer a few weeks later, with its own review_id and
`qa_of_review_id` pointing at the first. The two disagree at the rates published for
reviews of case files (plan.yaml, reviews.qa, cites the studies): rarely where the record
settles the rating (the date of first contact, placement moves, visit dates), one item in
eight to one in four where it rests on judgement (needs and services, involvement in case
planning), so agreement and kappa differ from item to item. QA reviews draw from their own
random streams after every first review is written, so they leave the first reviews, their
ids, ratings and narratives exactly as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cqi_core.synth.agency import Agency
from cqi_core.synth.casefacts import Lookup, foster_facts, in_home_facts
from cqi_core.synth.dates import add_months, month_index, to_date, to_day
from cqi_core.synth.draws import expit, logit, stream
from cqi_core.synth.narratives import Narrator
from cqi_core.synth.people import REPORT_ONLY
from cqi_core.synth.plan import Plan
from cqi_core.synth.reports import D

ITEMS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "12A", "12B", "12C",
         "13", "14", "15", "16", "17", "18")
PERMANENCY_ITEMS = ("4", "5", "6", "7", "8", "9", "10", "11")
S, ANI, NA = "strength", "area_needing_improvement", "not_applicable"


@dataclass(frozen=True)
class Slot:
    unit: int
    day: int
    case_type: str
    reviewer: str
    chunk: int


@dataclass(frozen=True)
class Review:
    child: int
    """Child id number."""
    unit: int
    day: int
    case_type: str
    reviewer: str
    period_start: int
    period_end: int
    ratings: tuple[tuple[str, str, str], ...]
    """(item, rating, narrative)."""
    facts: dict = field(default_factory=dict, compare=False, repr=False)
    """The case facts the narratives were written from (a QA review writes from them too)."""


class ReviewBook:
    """Schedules the reviews, fills them chunk by chunk, and lays out the two sheets."""

    def __init__(self, plan: Plan, agency: Agency, seed: int, n_chunks: int) -> None:
        self.plan, self.agency, self.seed = plan, agency, seed
        self.narrator = Narrator()
        self.reviews: list[Review] = []
        self.slots = self._schedule(n_chunks)
        q = logit(agency.contact_timely_p) + logit(agency.visit_p.mean(axis=1))
        self.quality = (q - q.mean()) / 2
        self.quality[agency.overdispersed] -= 0.6

    def _schedule(self, n_chunks: int) -> list[Slot]:
        plan, agency = self.plan, self.agency
        rng = stream(self.seed, plan.size, "review-schedule")
        per_year = plan.settings["reviews_per_unit_year"]
        rp = plan["reviews"]
        start = to_day(str(plan["dates"]["reviews_start"]))
        slots = []
        fy = start
        while fy < plan.as_of - 30:
            end = min(int(add_months(np.array([fy]), 12)[0]) - 1, plan.as_of - 14)
            for u in range(len(agency.unit_id)):
                n = int(rng.integers(per_year - 2, per_year + 3))
                days = np.sort(rng.integers(fy, end + 1, n))
                weekday = (days + 3) % 7           # 1970-01-01 was a Thursday; 0 = Monday
                days = days - np.where(weekday >= 5, weekday - 4, 0)
                for d in days:
                    kind = "foster_care" if rng.random() < rp["foster_care_share"] else "in_home"
                    reviewer = f"CQI reviewer {int(rng.integers(1, rp['reviewers'] + 1)):02d}"
                    slots.append(Slot(u, int(d), kind, reviewer, int(rng.integers(n_chunks))))
            fy = end + 1
        return slots

    def add_chunk(self, chunk) -> None:
        """Fill the slots given to this chunk with its cases."""
        plan, agency = self.plan, self.agency
        rng = stream(self.seed, plan.size, chunk.index, "reviews")
        eps, r, kids = chunk.eps, chunk.reports, chunk.kids
        ok_ep = chunk.episode_out & (chunk.child_id[eps.kid] > 0) & chunk.in_children[eps.kid]
        ro_rows = (chunk.fam.kind[r.family] == REPORT_ONLY) & (r.disposition <= D["alternative_response"]) \
            & (r.unit >= 0) & chunk.in_children[r.kid] & (kids.birth[r.kid] <= r.date)
        taken: set[int] = set()
        look = Lookup(chunk)
        min_days = plan["reviews"]["min_days_in_care"]
        for slot in (s for s in self.slots if s.chunk == chunk.index):
            pe = slot.day - 1
            ps = int(add_months(np.array([slot.day]), -plan["reviews"]["period_months"])[0])
            # the scheduled kind of case, or the other kind when the unit has none to review
            other = "in_home" if slot.case_type == "foster_care" else "foster_care"
            for case_type in (slot.case_type, other):
                if case_type == "foster_care":
                    end = np.where(eps.discharge < 0, pe + 1, np.minimum(eps.discharge, pe + 1))
                    days = end - np.maximum(eps.removal, ps)
                    cand = np.flatnonzero(ok_ep & (eps.unit == slot.unit) & (days >= min_days)
                                          & (kids.birth[eps.kid] + 18 * 365 > ps))
                    cand = cand[~np.isin(eps.kid[cand], list(taken))]
                else:
                    # an in-home case opened early in the period, so most of it is under review
                    cand = np.flatnonzero(ro_rows & (r.unit == slot.unit) & (r.date >= ps) & (r.date <= ps + 120))
                    cand = cand[~np.isin(r.kid[cand], list(taken))]
                if len(cand):
                    break
            else:
                continue
            pick = int(rng.choice(cand))
            if case_type == "foster_care":
                kid = int(eps.kid[pick])
                facts = foster_facts(plan, agency, look, pick, ps, pe, slot.day, self.narrator.pools, rng)
            else:
                kid = int(r.kid[pick])
                facts = in_home_facts(plan, agency, look, int(r.event[pick]), kid, ps, pe, slot.day,
                                      self.narrator.pools, rng)
            taken.add(kid)
            q = self.quality[slot.unit]
            if slot.unit == agency.visit_drop_unit and month_index(pe) - agency.first_month >= _drop_month(plan, agency):
                q -= 0.5
            ratings = rate(facts, q, rng)
            text = [(item, rating, self.narrator.write(item, rating, facts | _item12(ratings, facts), rng))
                    for item, rating in ratings]
            self.reviews.append(Review(int(chunk.child_id[kid]), slot.unit, slot.day, case_type,
                                       slot.reviewer, ps, pe, tuple(text), facts))

    def sheets(self) -> tuple[list[tuple], list[tuple]]:
        """Rows of the `reviews` and `ratings` sheets: first reviews numbered by date
        (RV…), then the QA reviews (QA…), each pointing at its first review."""
        order = sorted(self.reviews, key=lambda v: (v.day, v.unit, v.child))
        reviews, ratings = [], []

        def put(rid: str, v: Review, qa_of: str | None) -> None:
            reviews.append((rid, f"C{v.child:07d}", self.agency.unit_id[v.unit], to_date(v.day), v.case_type,
                            v.reviewer, to_date(v.period_start), to_date(v.period_end), qa_of))
            ratings.extend((rid, item, rating, text) for item, rating, text in v.ratings)

        for i, v in enumerate(order, start=1):
            put(f"RV{i:06d}", v, None)
        for j, (i, v) in enumerate(self._qa_reviews(order), start=1):
            put(f"QA{j:06d}", v, f"RV{i + 1:06d}")
        return reviews, ratings

    def _qa_reviews(self, order: list[Review]) -> list[tuple[int, Review]]:
        """(index of the first review in `order`, its QA review) for a share of the reviews.

        Which reviews get one, when and by whom is drawn first, from its own stream; the
        ratings and narratives of each QA review then come from a stream of their own, so
        a change to the plan's disagreement rates changes the QA ratings only."""
        qa = self.plan["reviews"]["qa"]
        rng = stream(self.seed, self.plan.size, "qa-reviews")
        lo, hi = qa["lag_days"]
        picked = []
        for i, v in enumerate(order):
            if rng.random() >= qa["share"]:
                continue
            day = min(v.day + int(rng.integers(lo, hi + 1)), self.plan.as_of)
            weekday = (day + 3) % 7                # 1970-01-01 was a Thursday; 0 = Monday
            day -= max(weekday - 4, 0)
            picked.append((i, day, f"QA reviewer {int(rng.integers(1, qa['reviewers'] + 1)):02d}"))
        out = []
        for i, day, reviewer in picked:
            v = order[i]
            rated_rng = stream(self.seed, self.plan.size, "qa-ratings", i)
            rated = rerate([(item, rating) for item, rating, _ in v.ratings], v.case_type, qa, rated_rng)
            text = tuple((item, rating, self.narrator.write(item, rating, v.facts | _item12(rated, v.facts),
                                                            rated_rng))
                         for item, rating in rated)
            out.append((i, Review(v.child, v.unit, day, v.case_type, reviewer, v.period_start, v.period_end,
                                  text, v.facts)))
        return out


def _drop_month(plan: Plan, agency: Agency) -> int:
    y, m = (int(x) for x in str(plan["planted"]["visit_drop"]["from_month"]).split("-"))
    return (y - 1970) * 12 + m - 1 - agency.first_month


def _item12(ratings: list[tuple[str, str]], facts: dict) -> dict:
    names = {"12A": "the child's needs (12A)", "12B": "the parents' needs (12B)", "12C": "the caregivers' needs (12C)"}
    sub = [(i, r) for i, r in ratings if i in names and r != NA]
    ani = [names[i] for i, r in sub if r == ANI]
    ok = [names[i] for i, r in sub if r == S]
    return {"subitems_rated": ", ".join(i for i, _ in sub) or None,
            "subitems_ani": " and ".join(ani) or None,
            "subitems_ok_words": (" and ".join(ok) + (" was met" if len(ok) == 1 else " were met")) if ok else None}


def rerate(first: list[tuple[str, str]], case_type: str, qa: dict,
           rng: np.random.Generator) -> list[tuple[str, str]]:
    """A QA reviewer's ratings of a case: the first review's, with the plan's chance per item
    of rating an applicable item the other way or of judging its applicability the other
    way. Item 12 is derived from 12A-12C as in `rate`; permanency items stay not applicable
    for in-home cases."""
    flip, scope = qa["flip"], qa["applicability"]
    out: dict[str, str] = {}
    for item, rating in first:
        fixed = case_type == "in_home" and item in PERMANENCY_ITEMS
        if item != "12" and not fixed and rng.random() < scope.get(item, 0.0):
            rating = (S if rng.random() < 0.5 else ANI) if rating == NA else NA
        elif rating != NA and rng.random() < flip.get(item, flip["default"]):
            rating = ANI if rating == S else S
        out[item] = rating
    sub = [out[i] for i in ("12A", "12B", "12C") if out[i] != NA]
    out["12"] = NA if not sub else (S if all(x == S for x in sub) else ANI)
    return [(item, out[item]) for item in ITEMS]


def rate(f: dict, quality: float, rng: np.random.Generator) -> list[tuple[str, str]]:
    """Item ratings that follow the facts of the case; `quality` > 0 means a stronger unit."""
    def ani(p: float) -> bool:
        return bool(rng.random() < expit(logit(min(max(p, 0.01), 0.99)) - quality))

    def sa(p_ani: float) -> str:
        return ANI if ani(p_ani) else S

    out: dict[str, str] = {}
    home = f["in_home"]
    out["1"] = NA if not f["report"] else (ANI if f["late"] else sa(0.04))
    if home:
        out["2"] = sa(0.22 + 0.35 * f.get("recurrence", False))
    else:
        out["2"] = sa(0.3 + 0.3 * f["reentry"]) if f["removed_in_pur"] else NA
    out["3"] = sa(0.15 + 0.4 * (f["incare_report_day"] is not None) + 0.35 * bool(f.get("recurrence"))
                  + 0.12 * min(f["missed"], 3))
    if home:
        out.update({i: NA for i in PERMANENCY_ITEMS})
    else:
        moves, runs = f["moves"], f["runaways"]
        out["4"] = sa({0: 0.07, 1: 0.3}.get(moves, 0.7) + 0.3 * (runs > 0))
        long_stay = f["months_in_care"] >= 15 and f["still_in_care"]
        out["5"] = sa(0.12 + 0.35 * long_stay)
        if f["permanency_exit"]:
            out["6"] = sa(0.08 + 0.5 * (f["months_in_care"] > 18))
        else:
            out["6"] = sa(0.2 + 0.45 * (f["months_in_care"] >= 12))
        out["7"] = sa(0.3) if f["siblings_in_care_words"] else NA
        out["8"] = NA if f["tpr"] and not f["siblings_in_care_words"] else sa(0.33)
        out["9"] = sa(0.22)
        out["10"] = NA if f["preadoptive"] and rng.random() < 0.5 else (S if f["relative_placed"] and not ani(0.1) else sa(0.45))
        out["11"] = NA if f["tpr"] else sa(0.35)
    out["12A"] = sa(0.22)
    out["12B"] = NA if f["tpr"] else sa(0.45)
    out["12C"] = NA if home or f["congregate"] else sa(0.2)
    sub = [out[i] for i in ("12A", "12B", "12C") if out[i] != NA]
    out["12"] = NA if not sub else (S if all(x == S for x in sub) else ANI)
    out["13"] = NA if f["tpr_infant"] else sa(0.38)
    if f["months"] == 0:
        out["14"] = NA
    else:
        out["14"] = sa({0: 0.07, 1: 0.4}.get(f["missed"], 0.88))
    out["15"] = NA if f["tpr"] or f["parents_unknown"] else sa(0.45 + 0.1 * (f["workers"] > 2))
    out["16"] = NA if f["age"] < 5 else sa(0.25 + 0.15 * (f["moves"] >= 2))
    out["17"] = sa(0.14)
    out["18"] = NA if f["age"] < 3 or rng.random() < 0.25 else sa(0.3)
    return [(item, out[item]) for item in ITEMS]
