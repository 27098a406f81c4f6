"""Placements: the living arrangements that tile each episode.

Each episode gets a list of change points (day offsets from removal) of different kinds:
the first placement, moves (a Poisson process whose rate fades after the first months),
runaway spells and returns, a trial home visit before a reunification, a pre-adoptive home
before an adoption, supervised independent living after 18. Sorting the change points per
episode and pairing each with the next gives contiguous placements from removal to
discharge: the last one is open while the episode is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cqi_core.synth.agency import Agency
from cqi_core.synth.care import R, Episodes
from cqi_core.synth.dates import add_years
from cqi_core.synth.draws import categorical_rows, explode
from cqi_core.synth.plan import Plan

SETTINGS = ("pre_adoptive_home", "relative_foster_home", "nonrelative_foster_home", "group_home",
            "institution", "supervised_independent_living", "runaway", "trial_home_visit")
S = {name: i for i, name in enumerate(SETTINGS)}
# change-point kinds; a higher number wins when two fall on the same day
START, MOVE, RETURN, THV_BACK, RUN, SIL, THV, PREADOPT, RUN_EXIT = range(9)
_FIXED = {RUN: S["runaway"], RUN_EXIT: S["runaway"], THV: S["trial_home_visit"],
          PREADOPT: S["pre_adoptive_home"], SIL: S["supervised_independent_living"]}
_AGE_TABLES = ("0-5", "6-12", "13-17", "18+")


@dataclass
class Placements:
    """Placements of one chunk, sorted by episode and start."""

    episode: np.ndarray
    """Episode number within the chunk."""
    start: np.ndarray
    end: np.ndarray
    """-1 while current."""
    setting: np.ndarray
    """Index into SETTINGS."""

    def __len__(self) -> int:
        return len(self.episode)


def build_placements(plan: Plan, agency: Agency, rng: np.random.Generator, eps: Episodes,
                     birth: np.ndarray) -> Placements:
    pp = plan["placements"]
    n = len(eps)
    closed = eps.discharge >= 0
    span = np.where(closed, eps.discharge, plan.as_of + 1) - eps.removal
    age0 = eps.removal - birth
    reason = np.where(eps.reason >= 0, eps.reason, eps.planned)
    ep_idx, t, kind = [np.arange(n)], [np.zeros(n, dtype=np.int64)], [np.full(n, START)]

    def add(e, at, k, from_day=1):
        ok = (at >= from_day) & (at < span[e])
        ep_idx.append(e[ok])
        t.append(at[ok].astype(np.int64))
        kind.append(np.full(ok.sum(), k))

    # moves: early/1000 a day fading with tau, plus late/1000 a day reached after the ramp
    mv = pp["moves"]
    grid = np.arange(0, int(span.max()) + 2, dtype=float)
    ramp = mv["late_ramp_days"]   # the late rate builds up: long stays see more disruptions
    late = np.where(grid < ramp, grid ** 2 / (2 * ramp), grid - ramp / 2)
    cum = (mv["early_per_1000"] * mv["tau_days"] * (1 - np.exp(-grid / mv["tau_days"]))
           + mv["late_per_1000"] * late) / 1000
    mult = agency.moves_mult[eps.unit] * np.where(age0 >= 13 * 365.25, mv["teen_factor"], 1.0)
    total = np.interp(span, grid, cum)
    e, _ = explode(rng.poisson(total * mult))
    add(e, np.round(np.interp(rng.random(len(e)) * total[e], cum, grid)), MOVE)

    # runaway spells of teens
    teen = np.flatnonzero((age0 >= 12 * 365.25) & (rng.random(n) < pp["runaway_teen"]) & (span > 20))
    e, _ = explode(1 + np.minimum(rng.poisson(0.5, len(teen)), 2))
    e = teen[e]
    at = np.floor(rng.random(len(e)) * span[e])
    lo, hi = pp["runaway_days"]
    add(e, at, RUN)
    add(e, at + rng.integers(lo, hi + 1, len(e)), RETURN)

    # a trial home visit that did not last
    back = np.flatnonzero((rng.random(n) < pp["thv_failed"]) & (span > 150))
    lo = np.maximum(30, np.floor(pp["thv_failed_from"] * span[back]))   # tried as exit nears
    at = lo + np.floor(rng.random(len(back)) * (span[back] - 90 - lo))
    add(back, at, THV)
    add(back, at + rng.integers(14, 61, len(back)), THV_BACK)

    # how the episode ends shapes its last placement
    cut = np.full(n, np.iinfo(np.int64).max)
    reun = np.flatnonzero(closed & (reason == R["reunification"]) & (span >= 30) & (rng.random(n) < pp["trial_home_visit"]))
    long = rng.random(len(reun)) < pp["thv_over_30"]
    length = np.where(long, rng.integers(31, 181, len(reun)), rng.integers(7, 31, len(reun)))
    length = np.minimum(length, span[reun] - 1)
    cut[reun] = span[reun] - length
    adopt = np.flatnonzero(closed & (reason == R["adoption"]))
    lo, hi = pp["preadoptive_days"]
    cut[adopt] = np.maximum(0, span[adopt] - rng.integers(lo, hi + 1, len(adopt)))
    ran = np.flatnonzero(closed & (reason == R["runaway"]))
    cut[ran] = np.maximum(0, span[ran] - rng.integers(7, 61, len(ran)))
    b18 = add_years(birth, 18) - eps.removal
    sil = np.flatnonzero((reason == R["emancipation"]) & (span - b18 > 90) & (b18 > 0)
                   & (rng.random(n) < pp["sil_after_18"]))
    cut[sil] = b18[sil] + rng.integers(0, 61, len(sil))
    add(reun, cut[reun], THV)
    add(adopt, cut[adopt], PREADOPT, from_day=0)
    add(ran, cut[ran], RUN_EXIT, from_day=0)
    add(sil, cut[sil], SIL)

    ep_a, t_a, k_a = np.concatenate(ep_idx), np.concatenate(t), np.concatenate(kind)
    keep = (t_a < cut[ep_a]) | ((t_a == cut[ep_a]) & (k_a >= SIL))
    ep_a, t_a, k_a = ep_a[keep], t_a[keep], k_a[keep]
    order = np.lexsort((-k_a, t_a, ep_a))
    ep_a, t_a, k_a = ep_a[order], t_a[order], k_a[order]
    first = np.r_[True, (ep_a[1:] != ep_a[:-1]) | (t_a[1:] != t_a[:-1])]   # one change a day
    ep_a, t_a, k_a = ep_a[first], t_a[first], k_a[first]
    again = np.r_[False, (ep_a[1:] == ep_a[:-1]) & (k_a[1:] == RUN) & (k_a[:-1] == RUN)]
    ep_a, t_a, k_a = ep_a[~again], t_a[~again], k_a[~again]

    last = np.r_[ep_a[1:] != ep_a[:-1], True]
    nxt = np.r_[t_a[1:], 0]
    end = np.where(last, np.where(closed[ep_a], eps.discharge[ep_a], -1), eps.removal[ep_a] + nxt)
    start = eps.removal[ep_a] + t_a

    age = (start - birth[ep_a]) / 365.25
    band = np.where(age < 6, 0, np.where(age < 13, 1, np.where(age < 18, 2, 3)))
    table = np.array([[pp["setting_by_age"][g].get(s, 0.0) for s in SETTINGS] for g in _AGE_TABLES])
    setting = categorical_rows(rng, table, band)
    for k, code in _FIXED.items():
        setting[k_a == k] = code
    # children who leave to relatives mostly live with them at the end
    regular = ~np.isin(k_a, list(_FIXED))
    idx = np.flatnonzero(regular)
    is_last = np.r_[ep_a[idx][1:] != ep_a[idx][:-1], True]
    lr = idx[is_last]
    kin = np.isin(reason[ep_a[lr]], [R["relative"], R["guardianship"]]) & (rng.random(len(lr)) < 0.65)
    setting[lr[kin]] = S["relative_foster_home"]
    return Placements(episode=ep_a, start=start, end=end, setting=setting)
