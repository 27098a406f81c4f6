"""One chunk of families, simulated end to end and turned into contract tables.

The state-size agency is generated a chunk of families at a time so that memory stays
bounded; the demo is one chunk. Within a chunk everything is arrays indexed by child,
episode, placement, visit or report row; ids are given at the end, in chronological
order, continuing the counters of earlier chunks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from cqi_core.synth.agency import Agency
from cqi_core.synth.care import REASONS, Episodes, build_episodes
from cqi_core.synth.draws import stream
from cqi_core.synth.people import RACES, SEXES, Families, Kids, build_families
from cqi_core.synth.placements import SETTINGS, Placements, build_placements
from cqi_core.synth.plan import Plan
from cqi_core.synth.reports import DISPOSITIONS, PERPETRATORS, ReportRows, build_reports
from cqi_core.synth.visits import Visits, build_visits


@dataclass
class Counters:
    """Ids already used by earlier chunks."""

    child: int = 0
    episode: int = 0
    placement: int = 0
    report: int = 0
    visit: int = 0
    entries: dict[tuple[int, int], int] = field(default_factory=dict)
    """(region number, year) → removals in the history (sizes the population table)."""


@dataclass
class Chunk:
    """Everything simulated for one chunk, plus the ids the export gives it."""

    index: int
    fam: Families
    kids: Kids
    eps: Episodes
    places: Placements
    visits: Visits
    reports: ReportRows
    child_id: np.ndarray
    """Child id number of each kid (-1 when the kid is not in the export)."""
    in_children: np.ndarray
    """Kid is written to the children table."""
    episode_out: np.ndarray
    """Episode is in the export (open, or discharged on or after the history start)."""
    episode_id: np.ndarray
    """Episode id number (-1 when not exported)."""
    report_id: np.ndarray
    """Report id number of each report row."""


def simulate_chunk(plan: Plan, agency: Agency, seed: int, index: int, n_children: int,
                   counters: Counters) -> Chunk:
    """Families → episodes → placements → visits → reports of one chunk, with ids."""
    def rng(part: str) -> np.random.Generator:
        return stream(seed, plan.size, index, part)

    fam, kids = build_families(plan, agency, rng("families"), n_children)
    eps = build_episodes(plan, agency, rng("episodes"), fam, kids)
    places = build_placements(plan, agency, rng("placements"), eps, kids.birth[eps.kid])
    visits = build_visits(plan, agency, rng("visits"), eps, places)
    reports = build_reports(plan, agency, rng("reports"), fam, kids, eps)
    return _give_ids(plan, agency, index, fam, kids, eps, places, visits, reports, counters)


def _give_ids(plan, agency, index, fam, kids, eps, places, visits, reports, counters) -> Chunk:
    hs = plan.history_start
    big = np.iinfo(np.int64).max
    episode_out = (eps.discharge < 0) | (eps.discharge >= hs)
    first_seen = np.full(len(kids), big)
    np.minimum.at(first_seen, eps.kid[episode_out], eps.removal[episode_out])
    np.minimum.at(first_seen, reports.kid, reports.date)
    referenced = first_seen < big
    in_children = referenced.copy()
    # a few children named only on the latest reports are not in the children table yet
    in_care = np.zeros(len(kids), dtype=bool)
    in_care[eps.kid[episode_out]] = True
    pool = np.flatnonzero(referenced & ~in_care)
    late = pool[np.argsort(-first_seen[pool], kind="stable")][: plan["reports"]["not_in_children"]]
    in_children[late] = False

    order = np.lexsort((np.arange(len(kids)), first_seen))
    order = order[referenced[order]]
    child_id = _numbers(order, len(kids), counters.child)
    counters.child += len(order)

    ep_order = np.flatnonzero(episode_out)
    ep_order = ep_order[np.lexsort((eps.kid[ep_order], eps.removal[ep_order]))]
    episode_id = _numbers(ep_order, len(eps), counters.episode)
    counters.episode += len(ep_order)

    ev = np.unique(reports.event)
    first_row = np.searchsorted(reports.event, ev)
    ev_order = np.lexsort((ev, reports.date[first_row]))
    report_id = _numbers(ev_order, len(ev), counters.report)[np.searchsorted(ev, reports.event)]
    counters.report += len(ev)

    ok = episode_out & (eps.removal >= hs)
    region = agency.unit_region[eps.unit[ok]]
    year = eps.removal[ok].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    if ok.any():
        keys, counts = np.unique(np.c_[region, year], axis=0, return_counts=True)
        for (r, y), n in zip(keys, counts):
            counters.entries[(int(r), int(y))] = counters.entries.get((int(r), int(y)), 0) + int(n)
    return Chunk(index, fam, kids, eps, places, visits, reports, child_id, in_children, episode_out,
                 episode_id, report_id)


def _numbers(order: np.ndarray, n: int, offset: int) -> np.ndarray:
    """Id numbers offset+1, offset+2 … in `order`; -1 for the rest."""
    out = np.full(n, -1, dtype=np.int64)
    out[order] = offset + 1 + np.arange(len(order))
    return out


def ids(prefix: str, numbers: np.ndarray, width: int) -> pl.Series:
    """Formatted ids (`C0000123`); numbers below 1 give missing values."""
    s = pl.Series(np.asarray(numbers, dtype=np.int64))
    return pl.select(pl.when(s > 0).then(pl.lit(prefix) + s.cast(pl.String).str.zfill(width))
                     .otherwise(None)).to_series()


def dates(days: np.ndarray) -> pl.Series:
    """Day numbers as a Date series; negative numbers are missing."""
    s = pl.Series(np.asarray(days, dtype=np.int64)).cast(pl.Int32)
    return pl.select(pl.when(s >= 0).then(s).otherwise(None).cast(pl.Date)).to_series()


def codes(names, idx: np.ndarray) -> pl.Series:
    """Code names for indices; negative indices are missing."""
    idx = np.asarray(idx, dtype=np.int64)
    cat = pl.Series(np.where(idx < 0, 0, idx)).cast(pl.UInt32)
    s = pl.select(pl.lit(pl.Series(list(names), dtype=pl.String)).gather(cat)).to_series()
    return pl.select(pl.when(pl.Series(idx) >= 0).then(s).otherwise(None)).to_series()


def tables(plan: Plan, agency: Agency, c: Chunk, counters: Counters) -> dict[str, pl.DataFrame]:
    """The chunk's rows of children, episodes, placements, reports and visits."""
    k = c.kids
    rows = np.flatnonzero(c.in_children)
    rows = rows[np.argsort(c.child_id[rows], kind="stable")]
    children = pl.DataFrame({
        "child_id": ids("C", c.child_id[rows], 7),
        "birth_date": dates(k.birth[rows]),
        "sex": codes(SEXES, k.sex[rows]),
        "race_ethnicity": codes(RACES, k.race[rows]),
    })

    e = c.eps
    out = np.flatnonzero(c.episode_out)
    out = out[np.argsort(c.episode_id[out], kind="stable")]
    last_day = np.minimum(np.where(e.discharge < 0, plan.as_of, e.discharge - 1), plan.as_of)
    last_day = np.maximum(last_day, plan.history_start)
    assigned = agency.incumbent[e.position, last_day - plan.history_start]
    episodes = pl.DataFrame({
        "episode_id": ids("E", c.episode_id[out], 7),
        "child_id": ids("C", c.child_id[e.kid[out]], 7),
        "removal_date": dates(e.removal[out]),
        "discharge_date": dates(e.discharge[out]),
        "discharge_reason": codes(REASONS, e.reason[out]),
        "unit_id": ids("U", e.unit[out] + 1, 3),
        "worker_id": ids("W", assigned[out] + 1, 5),
    })

    p = c.places
    keep = np.flatnonzero(c.episode_out[p.episode])
    keep = keep[np.lexsort((c.episode_id[p.episode[keep]], p.start[keep]))]
    placements = pl.DataFrame({
        "placement_id": ids("P", counters.placement + 1 + np.arange(len(keep)), 8),
        "episode_id": ids("E", c.episode_id[p.episode[keep]], 7),
        "child_id": ids("C", c.child_id[e.kid[p.episode[keep]]], 7),
        "start_date": dates(p.start[keep]),
        "end_date": dates(p.end[keep]),
        "setting": codes(SETTINGS, p.setting[keep]),
    })
    counters.placement += len(keep)

    v = c.visits
    vo = np.lexsort((c.child_id[e.kid[v.episode]], v.day))
    visits = pl.DataFrame({
        "visit_id": ids("V", counters.visit + 1 + np.arange(len(vo)), 8),
        "child_id": ids("C", c.child_id[e.kid[v.episode[vo]]], 7),
        "worker_id": ids("W", v.worker[vo] + 1, 5),
        "visit_date": dates(v.day[vo]),
        "location": codes(("other", "residence"), v.residence[vo].astype(np.int64)),
        "entered_date": dates(v.entered[vo]),
    })
    counters.visit += len(vo)

    r = c.reports
    ro = np.lexsort((c.child_id[r.kid], c.report_id))
    reports = pl.DataFrame({
        "report_id": ids("R", c.report_id[ro], 7),
        "child_id": ids("C", c.child_id[r.kid[ro]], 7),
        "report_date": dates(r.date[ro]),
        "incident_date": dates(r.incident[ro]),
        "response_priority": pl.Series(r.priority[ro], dtype=pl.Int64),
        "first_contact_date": dates(r.contact[ro]),
        "disposition": codes(DISPOSITIONS, r.disposition[ro]),
        "maltreatment_type": codes(r.maltreatment_names, r.maltreatment[ro]),
        "perpetrator_relationship": codes(PERPETRATORS, r.perpetrator[ro]),
        "unit_id": ids("U", r.unit[ro] + 1, 3),
        "entered_date": dates(r.entered[ro]),
    })
    # episodes first: the dirty mode looks up removal dates when it spoils children
    return {"episodes": episodes, "children": children, "placements": placements,
            "reports": reports, "visits": visits}
