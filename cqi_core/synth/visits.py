"""Caseworker visits: one draw per child and month in care.

Each month a child spends in care (from the history start) is visited with the unit's
probability for that month (plan and agency: unit habits, month-to-month noise, the
planted drop); the month of removal and months on the run are visited less. A visited
month has one to three visits on random days inside the time in care. The visiting
worker is whoever holds (or covers) the case's position that day. Visits entered after
the as-of date are not in the export yet, as in a real extract.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cqi_core.synth.agency import Agency
from cqi_core.synth.care import Episodes
from cqi_core.synth.dates import month_index, month_start
from cqi_core.synth.draws import categorical, explode, lag_days
from cqi_core.synth.placements import S, Placements
from cqi_core.synth.plan import Plan


@dataclass
class Visits:
    """Visits of one chunk, sorted by episode and date."""

    episode: np.ndarray
    day: np.ndarray
    worker: np.ndarray
    """Worker number (index into agency.worker_id)."""
    residence: np.ndarray
    entered: np.ndarray
    """-1 when not recorded."""

    def __len__(self) -> int:
        return len(self.episode)


def build_visits(plan: Plan, agency: Agency, rng: np.random.Generator, eps: Episodes,
                 places: Placements) -> Visits:
    vp = plan["visits"]
    hs, as_of = plan.history_start, plan.as_of
    a = np.maximum(eps.removal, hs)
    b = np.minimum(np.where(eps.discharge < 0, as_of + 1, eps.discharge), as_of + 1)
    live = np.flatnonzero(b > a)
    m0, m1 = month_index(a[live]), month_index(b[live] - 1)
    owner, rank = explode(m1 - m0 + 1)
    ep = live[owner]
    month = m0[owner] + rank
    lo = np.maximum(a[ep], month_start(month))
    hi = np.minimum(b[ep], month_start(month + 1))

    p = agency.visit_p[eps.unit[ep], month - agency.first_month]
    p = np.where(month == month_index(eps.removal[ep]), p * vp["first_month_factor"], p)
    run = places.setting == S["runaway"]
    r_ep = places.episode[run]
    r_lo = month_index(np.maximum(places.start[run], hs))
    r_hi = month_index(np.where(places.end[run] < 0, as_of, np.maximum(places.end[run] - 1, places.start[run])))
    o, k = explode(np.maximum(r_hi - r_lo + 1, 0))
    away = np.isin(ep * 10_000 + month, r_ep[o] * 10_000 + r_lo[o] + k)
    p = np.where(away, p * vp["runaway_factor"], p)
    seen = rng.random(len(ep)) < p

    cm = np.flatnonzero(seen)
    count = 1 + categorical(rng, plan.settings["visits_extra"], len(cm))
    o, _ = explode(count)
    cm = cm[o]
    day = lo[cm] + np.floor(rng.random(len(cm)) * (hi[cm] - lo[cm])).astype(np.int64)
    v_ep = ep[cm]
    key = np.unique(v_ep * 100_000 + (day - hs))           # one visit per child per day
    v_ep, day = key // 100_000, key % 100_000 + hs

    unit = eps.unit[v_ep]
    worker = agency.incumbent[eps.position[v_ep], day - hs]
    residence = rng.random(len(day)) < agency.residence_p[unit]
    lag = vp["entry_lag"]
    on_time = lag_days(rng, {"0": lag["0"], "1-3": lag["1-3"]}, len(day))
    late = lag_days(rng, {"4-10": lag["4-10"], "11-90": lag["11-90"]}, len(day))
    entered = day + np.where(rng.random(len(day)) < agency.entry_timely_p[unit], on_time, late)
    entered = np.where(rng.random(len(day)) < vp["entry_missing"], -1, entered)
    keep = entered <= as_of
    return Visits(episode=v_ep[keep], day=day[keep], worker=worker[keep], residence=residence[keep],
                  entered=entered[keep])
