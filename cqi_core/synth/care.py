"""Removal episodes: who is removed, how long they stay, how they leave, who comes back.

An episode's exit is drawn once, as a planned exit reason and a time to exit, from the
age group at removal (plan.yaml `episodes`). Siblings removed together usually share the
draw (their uniforms come from the family). A youth still in care on the 18th birthday
either leaves within two weeks or stays in extended care, always leaving before 21.
Episodes that would end after the as-of date are open. Re-entries are drawn in
generations: each permanency exit may lead to a new removal, sometimes the same day.
Where the plan says so, babies born after their family's first removal are removed in
their first weeks too (a first removal on a day of their own, with its own report).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cqi_core.synth.agency import Agency
from cqi_core.synth.dates import add_years, to_day
from cqi_core.synth.plan import Plan

REASONS = ("reunification", "relative", "adoption", "emancipation", "guardianship", "transfer",
           "runaway", "death")
R = {name: i for i, name in enumerate(REASONS)}
AGE_GROUPS = ("0-5", "6-12", "13-17")


@dataclass
class Episodes:
    """Episodes of one chunk, sorted by child and removal date (arrays of equal length)."""

    kid: np.ndarray
    """Child number within the chunk."""
    family: np.ndarray
    removal: np.ndarray
    discharge: np.ndarray
    """Discharge day, -1 while open."""
    reason: np.ndarray
    """Index into REASONS, -1 while open or when deliberately missing."""
    planned: np.ndarray
    """Exit reason as drawn (kept when the reason is left missing)."""
    unit: np.ndarray
    position: np.ndarray
    gen: np.ndarray
    """0 for the family's first removal, 1 for the first re-entry, …"""
    short: np.ndarray
    """Drawn as a short stay (under 8 days)."""

    def __len__(self) -> int:
        return len(self.kid)


def age_group(age_days: np.ndarray) -> np.ndarray:
    """0-5 → 0, 6-12 → 1, 13-17 → 2 (completed years)."""
    years = age_days / 365.25
    return np.where(years < 6, 0, np.where(years < 13, 1, 2))


def plan_exits(plan: Plan, agency: Agency, removal: np.ndarray, birth: np.ndarray, unit: np.ndarray,
               u_exit: np.ndarray, z_dur: np.ndarray, u_ext: np.ndarray, u_ext2: np.ndarray,
               stay_past_18: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exit reason and discharge day of episodes that are not short stays.

    Deterministic in its uniforms, so families already in care on history_start can be
    drawn by rejection and then rebuilt exactly. Discharge days may lie after as_of.
    """
    ep = plan["episodes"]
    n = len(removal)
    mix = np.array([[ep["exit_mix"][g].get(r, 0.0) for r in REASONS] for g in AGE_GROUPS])
    cdf = np.cumsum(mix / mix.sum(axis=1, keepdims=True), axis=1)
    group = age_group(removal - birth)
    reason = np.minimum((u_exit[:, None] >= cdf[group]).sum(axis=1), len(REASONS) - 1)

    median = np.array([ep["duration"].get(r, [365, 0.5])[0] for r in REASONS], dtype=float)
    sigma = np.array([ep["duration"].get(r, [365, 0.5])[1] for r in REASONS], dtype=float)
    days = median[reason] * np.exp(sigma[reason] * z_dur) * agency.duration_mult[unit]
    pi = plan["planted"]["permanency_improvement"]
    faster = ((agency.unit_region[unit] == agency.improving_region)
              & (removal >= to_day(str(pi["entries_from"])))
              & np.isin(reason, [R["reunification"], R["relative"]]))
    days = np.where(faster, days * pi["reunification_time_factor"], days)
    discharge = removal + np.maximum(8, np.round(days)).astype(np.int64)

    b18 = add_years(birth, 18)
    b21 = add_years(birth, 21)
    at18 = ep["at_18"]
    lo, hi = at18["stay_days"]
    stay = lo + np.floor(u_ext2 * (hi - lo + 1)).astype(np.int64)
    leave = u_ext < at18["leave_at_18"]
    if stay_past_18 is not None:
        leave &= ~stay_past_18
    ext = np.where(leave, np.floor(u_ext2 * 15).astype(np.int64), stay)
    ages_out = (reason == R["emancipation"]) | (discharge >= b18)
    if stay_past_18 is not None:
        ages_out |= stay_past_18
    out_day = np.minimum(b18 + ext, b21 - 1 - (u_ext2 * 20).astype(np.int64))
    discharge = np.where(ages_out, np.maximum(out_day, removal + 8), discharge)
    reason = np.where(ages_out, R["emancipation"], reason)
    return reason, discharge


def build_episodes(plan: Plan, agency: Agency, rng: np.random.Generator, fam, kids) -> Episodes:
    """All episodes of a chunk: first removals of care families, then re-entries."""
    ep = plan["episodes"]
    # first removal: the index child, and each sibling born and under 18 on the day
    anchor = fam.anchor[kids.family]
    eligible = (kids.birth <= anchor) & (add_years(kids.birth, 18) > anchor) & (fam.kind[kids.family] > 0)
    removed = eligible & (kids.is_index | (rng.random(len(kids.birth)) < ep["removed_sibling"]))
    k = np.flatnonzero(removed)
    f = kids.family[k]
    shared = kids.is_index[k] | (rng.random(len(k)) < ep["sibling_shared"])
    u_exit = np.where(shared, fam.u_exit[f], rng.random(len(k)))
    z_dur = np.where(shared, fam.z_dur[f], rng.normal(size=len(k)))
    u_ext = np.where(shared, fam.u_ext[f], rng.random(len(k)))
    u_ext2 = np.where(shared, fam.u_ext2[f], rng.random(len(k)))
    short = (rng.random(len(k)) < ep["short_stay"]) & (fam.kind[f] == 1) & ~kids.stay_past_18[k]
    gen0 = _episode_batch(plan, agency, rng, k, f, anchor[k], kids, fam.position[f],
                          u_exit, z_dur, u_ext, u_ext2, short, 0)
    _ensure_same_day_discharges(plan, rng, gen0)
    babies = _newborn_removals(plan, agency, rng, fam, kids)
    if babies is not None:
        gen0 = Episodes(*[np.r_[getattr(gen0, name), getattr(babies, name)]
                          for name in Episodes.__dataclass_fields__])
    batches = [gen0]
    for g in range(1, ep["reentry"]["max_episodes"]):
        nxt = _reentries(plan, agency, rng, batches[-1], kids, g)
        if not len(nxt.kid):
            break
        batches.append(nxt)
    out = Episodes(*[np.concatenate([getattr(b, name) for b in batches])
                     for name in Episodes.__dataclass_fields__])
    order = np.lexsort((out.removal, out.kid))
    out = Episodes(*[getattr(out, name)[order] for name in Episodes.__dataclass_fields__])
    _leave_some_reasons_missing(plan, rng, out)
    return out


def _episode_batch(plan, agency, rng, k, f, removal, kids, position, u_exit, z_dur, u_ext, u_ext2,
                   short, gen) -> Episodes:
    ep = plan["episodes"]
    unit = agency.pos_unit[position]
    reason, discharge = plan_exits(plan, agency, removal, kids.birth[k], unit, u_exit, z_dur,
                                   u_ext, u_ext2, kids.stay_past_18[k])
    same_day = rng.random(len(k)) < ep["same_day_of_short"]
    short_len = np.where(same_day, 0, rng.integers(1, 8, len(k)))
    discharge = np.where(short, removal + short_len, discharge)
    reason = np.where(short, np.where(rng.random(len(k)) < 0.85, R["reunification"], R["relative"]), reason)
    planned = reason.copy()
    is_open = discharge > plan.as_of
    return Episodes(kid=k, family=f, removal=removal, discharge=np.where(is_open, -1, discharge),
                    reason=np.where(is_open, -1, reason), planned=planned, unit=unit,
                    position=position, gen=np.full(len(k), gen), short=short)


def _newborn_removals(plan: Plan, agency: Agency, rng: np.random.Generator, fam, kids) -> Episodes | None:
    """Babies born after their family's first removal, removed in their first weeks of life.

    A baby born to parents whose children are (or were recently) in care is often removed
    soon after birth. The share is `episodes.later_born_removed` (0 turns this off and
    draws nothing, so the other episodes stay exactly as they were).
    """
    share = plan["episodes"]["later_born_removed"]
    if share <= 0:
        return None
    anchor = fam.anchor[kids.family]
    later = (~kids.is_index & (kids.birth > anchor) & (fam.kind[kids.family] > 0)
             & (kids.birth < plan.as_of - 1))
    k = np.flatnonzero(later & (rng.random(len(kids)) < share))
    f = kids.family[k]
    lo, hi = plan["episodes"]["newborn_removal_days"]
    removal = np.minimum(kids.birth[k] + rng.integers(lo, hi + 1, len(k)), plan.as_of - 1)
    short = rng.random(len(k)) < plan["episodes"]["short_stay"]
    return _episode_batch(plan, agency, rng, k, f, removal, kids, fam.position[f], rng.random(len(k)),
                          rng.normal(size=len(k)), rng.random(len(k)), rng.random(len(k)), short, 0)


def _ensure_same_day_discharges(plan: Plan, rng: np.random.Generator, e: Episodes) -> None:
    """Make sure a few removals end the day they start (a same-day return home)."""
    want = plan.settings["edge_minimum"] - int(((e.discharge == e.removal) & (e.removal >= plan.history_start)).sum())
    pool = np.flatnonzero((e.reason == R["reunification"]) & ~e.short & (e.removal >= plan.history_start))
    if want > 0 and len(pool):
        pick = rng.choice(pool, min(want, len(pool)), replace=False)
        e.discharge[pick] = e.removal[pick]
        e.short[pick] = True


def _reentries(plan: Plan, agency: Agency, rng: np.random.Generator, prev: Episodes, kids, gen: int) -> Episodes:
    """New removals after permanency exits of `prev`."""
    re = plan["episodes"]["reentry"]
    eligible_reason = np.isin(prev.reason, [R[r] for r in re["eligible"]])
    b18 = add_years(kids.birth[prev.kid], 18)
    ok = eligible_reason & (prev.discharge >= 0) & (prev.discharge < b18)
    u = rng.random(len(ok))
    within = ok & (u < re["within_12_months"])
    later = ok & ~within & (u < re["within_12_months"] + re["later"])
    same = within & (rng.random(len(ok)) < re["same_day_share"])
    gap = np.where(same, 0, np.where(within, 1 + np.floor(363 * rng.beta(1.1, 1.8, len(ok))),
                                     rng.integers(366, 1461, len(ok)))).astype(np.int64)
    if gen == 1:   # a few same-day re-entries within the history, whatever the draws said
        n_same = int((same & (prev.discharge >= plan.history_start)).sum())
        want = plan.settings["edge_minimum"] - n_same
        pool = np.flatnonzero(ok & ~within & ~later & (prev.discharge >= plan.history_start)
                              & (prev.discharge < plan.as_of - 30))
        if want > 0 and len(pool):
            pick = rng.choice(pool, min(want, len(pool)), replace=False)
            within[pick] = True
            gap[pick] = 0
    again = (within | later)
    new_removal = prev.discharge + gap
    again &= (new_removal < b18) & (new_removal <= plan.as_of - 1)
    i = np.flatnonzero(again)
    k, f = prev.kid[i], prev.family[i]
    short = rng.random(len(i)) < plan["episodes"]["short_stay"]
    return _episode_batch(plan, agency, rng, k, f, new_removal[i], kids, prev.position[i],
                          rng.random(len(i)), rng.normal(size=len(i)), rng.random(len(i)),
                          rng.random(len(i)), short, gen)


def _leave_some_reasons_missing(plan: Plan, rng: np.random.Generator, e: Episodes) -> None:
    """A handful of discharged episodes carry no reason (the importer only flags these)."""
    pool = np.flatnonzero((e.discharge >= plan.history_start) & (e.reason >= 0))
    n = max(2, int(round(plan["episodes"]["missing_reason"] * len(pool))))
    if len(pool):
        e.reason[rng.choice(pool, min(n, len(pool)), replace=False)] = -1
