"""The agency: regions, units, the workforce over time, and each unit's practice habits.

Workers are modelled as positions: each caseworker position in a unit is held by a chain
of incumbents (hire, separation, a vacancy, a replacement). A case belongs to a position,
so its assigned worker changes when the incumbent leaves, and a vacancy is covered by a
colleague of the same unit. `incumbent[position, day]` answers "who visited" for millions
of visits with one lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from cqi_core.synth.dates import month_index
from cqi_core.synth.draws import expit, logit, stream
from cqi_core.synth.plan import Plan


@dataclass(frozen=True)
class Agency:
    """Units, their habits and their workforce, as arrays indexed by unit or position."""

    unit_id: list[str]
    """Unit ids, `U001` …; the index is the unit number used everywhere else."""
    unit_name: list[str]
    """Office / supervisory unit names."""
    region: list[str]
    """Region names (distinct, in plan order)."""
    unit_region: np.ndarray
    """Region number of each unit."""
    case_weight: np.ndarray
    """Share of families each unit serves (sums to 1)."""
    visit_p: np.ndarray
    """[unit, month - first month]: probability that a child in care is visited that month."""
    residence_p: np.ndarray
    """Share of a unit's visits in the child's residence."""
    contact_timely_p: np.ndarray
    """Share of a unit's investigations started within the priority's window."""
    entry_timely_p: np.ndarray
    """Share of a unit's visits entered within 3 days."""
    duration_mult: np.ndarray
    """Multiplier of the time to exit for the unit's cases."""
    moves_mult: np.ndarray
    """Multiplier of the placement move rate for the unit's cases."""
    survey_shift: np.ndarray
    """Shift of the unit's staff survey scores."""
    pos_unit: np.ndarray
    """Unit number of each caseworker position."""
    pos_start: np.ndarray
    """First position number of each unit (positions are contiguous per unit)."""
    pos_count: np.ndarray
    """Number of caseworker positions of each unit."""
    incumbent: np.ndarray
    """[position, day - history_start]: worker number holding (or covering) the position."""
    workers: pl.DataFrame
    """The workers table (worker_id, unit_id, role, hire_date, separation_date)."""
    worker_id: np.ndarray
    """Worker id of each worker number."""
    overdispersed: int
    """Unit number of the large, over-dispersed unit."""
    visit_drop_unit: int
    """Unit number of the unit whose visits drop."""
    improving_region: int
    """Region number whose reunifications speed up."""
    first_month: int
    """Month index of the history start (column 0 of visit_p)."""


def unit_catalog(plan: Plan) -> list[tuple[str, str]]:
    """(unit name, region) pairs of this size's agency, in plan order."""
    spec = plan["agencies"][plan.settings["agency"]]
    if isinstance(spec, list):
        return [(u, block["region"]) for block in spec for u in block["units"]]
    out: list[tuple[str, str]] = []
    offices = iter(spec["offices"])
    for region in spec["regions"]:
        for _ in range(spec["offices_per_region"]):
            office = next(offices)
            types = spec["unit_types"]
            for i, kind in enumerate(types):
                n_same = types.count(kind)
                number = f" {types[:i + 1].count(kind)}" if n_same > 1 else ""
                out.append((f"{office} {kind}{number}", region))
    return out


def build_agency(plan: Plan, seed: int) -> Agency:
    """Draw the units' habits and simulate the workforce from history start to as-of."""
    rng = stream(seed, plan.size, "agency")
    catalog = unit_catalog(plan)
    names = [n for n, _ in catalog]
    regions = list(dict.fromkeys(r for _, r in catalog))
    unit_region = np.array([regions.index(r) for _, r in catalog])
    n = len(catalog)
    var = plan["agencies"]["unit_variation"]
    pl_spec = plan["planted"]
    try:
        over = names.index(plan.planted_name("overdispersed_unit"))
        drop = names.index(plan.planted_name("visit_drop"))
        improving = regions.index(plan.planted_name("permanency_improvement"))
    except ValueError as exc:
        raise ValueError(f"plan.yaml: a planted change names a unit or region that the "
                         f"{plan.settings['agency']!r} agency does not have ({exc}).") from None
    od = pl_spec["overdispersed_unit"]

    weight = np.exp(rng.normal(0, var["cases_log"], n))
    weight[over] = od["cases"]
    staff = plan.settings["caseworkers_per_unit"] * np.exp(rng.normal(0, 0.12, n))
    staff[over] = plan.settings["caseworkers_per_unit"] * od["staff"]
    pos_count = np.maximum(2, np.round(staff)).astype(np.int64)

    v = plan["visits"]
    base = logit(v["completion"]) + rng.normal(0, var["visit_logit"], n)
    base[drop] = logit(pl_spec["visit_drop"]["before"])
    base[over] = logit(od["visit_base"])
    months = np.arange(month_index(plan.history_start), month_index(plan.as_of) + 1)
    noise = rng.normal(0, 0.12, (n, len(months)))
    noise[over] = rng.normal(0, od["visit_month_logit_sd"], len(months))
    visit_p = expit(base[:, None] + noise)
    y, m = str(pl_spec["visit_drop"]["from_month"]).split("-")
    drop_from = (int(y) - 1970) * 12 + int(m) - 1 - months[0]
    visit_p[drop, drop_from:] = expit(logit(pl_spec["visit_drop"]["after"]) + noise[drop, drop_from:])

    timely = expit(logit(plan["reports"]["contact_timely"]) + rng.normal(0, var["contact_timely_logit"], n))
    timely[over] = od["contact_timely"]
    lag = plan["visits"]["entry_lag"]
    entry = expit(logit(lag["0"] + lag["1-3"]) + rng.normal(0, var["entry_timely_logit"], n))
    turnover_mult = np.exp(rng.normal(0, var["turnover_log"], n))
    shift = rng.normal(0, 0.25, n)
    shift[over] += od["survey_shift"]
    shift[drop] -= 0.3

    workers, pos_unit, pos_start, incumbent, wid = _workforce(plan, rng, names, pos_count, turnover_mult, over)
    return Agency(
        unit_id=[f"U{i + 1:03d}" for i in range(n)], unit_name=names, region=regions,
        unit_region=unit_region, case_weight=weight / weight.sum(), visit_p=visit_p,
        residence_p=expit(logit(v["residence"]) + rng.normal(0, var["residence_logit"], n)),
        contact_timely_p=timely, entry_timely_p=entry,
        duration_mult=np.exp(rng.normal(0, var["duration_log"], n)),
        moves_mult=np.exp(rng.normal(0, var["moves_log"], n)), survey_shift=shift,
        pos_unit=pos_unit, pos_start=pos_start, pos_count=pos_count, incumbent=incumbent,
        workers=workers, worker_id=wid, overdispersed=over, visit_drop_unit=drop,
        improving_region=improving, first_month=int(months[0]))


def _workforce(plan: Plan, rng: np.random.Generator, names: list[str], pos_count: np.ndarray,
               turnover_mult: np.ndarray, over: int):
    """Chains of incumbents per position; returns the workers table and the lookup."""
    wf = plan["workforce"]
    hs, as_of = plan.history_start, plan.as_of
    n_days = as_of - hs + 1
    vac_lo, vac_hi = wf["vacancy_days"]
    rows: list[tuple[int, str, int, int, int]] = []   # unit, role, hire, separation (-1), position
    slots: list[tuple[int, str]] = []
    for u, count in enumerate(pos_count):
        slots += [(u, "caseworker")] * int(count)
        slots += [(u, "supervisor")] * wf["supervisors_per_unit"]
        if rng.random() < wf["other_staff_share"]:
            slots.append((u, "other"))
    cw_slot = 0
    for slot, (u, role) in enumerate(slots):
        rate = wf["turnover"][role] * turnover_mult[u]
        if u == over and role == "caseworker":
            rate = plan["planted"]["overdispersed_unit"]["turnover"]
        hire = hs - 30 - int(rng.exponential(wf["prior_tenure_years_mean"] * 365.25))
        t = hs + int(rng.exponential(365.25 / rate))     # memoryless: the incumbent's exit
        pos = cw_slot if role == "caseworker" else -1
        while True:
            sep = t if t <= as_of else -1
            rows.append((u, role, hire, sep, pos))
            if sep < 0:
                break
            hire = sep + int(rng.integers(vac_lo, vac_hi + 1))
            if hire > as_of:
                break
            # new staff leave sooner in their first year
            t = hire + 1 + int(rng.exponential(365.25 / (rate * 1.3)))
        if role == "caseworker":
            cw_slot += 1

    unit = np.array([r[0] for r in rows])
    role = np.array([r[1] for r in rows])
    hire = np.array([r[2] for r in rows], dtype=np.int64)
    sep = np.array([r[3] for r in rows], dtype=np.int64)
    pos = np.array([r[4] for r in rows], dtype=np.int64)
    order = np.lexsort((pos, unit, hire))
    number = np.empty(len(rows), dtype=np.int64)
    number[order] = np.arange(len(rows))
    wid = np.array([f"W{i + 1:05d}" for i in range(len(rows))])

    pos_unit = np.repeat(np.arange(len(pos_count)), pos_count)
    pos_start = np.r_[0, np.cumsum(pos_count)[:-1]]
    incumbent = np.full((len(pos_unit), n_days), -1, dtype=np.int32)
    for i in np.flatnonzero(pos >= 0):
        a = max(hire[i], hs) - hs
        b = (sep[i] if sep[i] >= 0 else as_of + 1) - hs
        if b > a:
            incumbent[pos[i], a:b] = number[i]
    sup = np.full((len(pos_count), n_days), -1, dtype=np.int32)
    for i in np.flatnonzero(role == "supervisor"):
        a = max(hire[i], hs) - hs
        b = (sep[i] if sep[i] >= 0 else as_of + 1) - hs
        sup[unit[i], a:b] = number[i]
    for u, count in enumerate(pos_count):
        block = incumbent[pos_start[u]:pos_start[u] + count]
        for k in range(1, count):           # a vacancy is covered by the next colleague
            hole = block < 0
            if not hole.any():
                break
            block[hole] = np.roll(block, -k, axis=0)[hole]
        hole = block < 0                    # nobody in the unit: the supervisor visits
        block[hole] = np.broadcast_to(sup[u], block.shape)[hole]
        for row in block:                   # no supervisor either: the last worker seen
            gaps = np.flatnonzero(row < 0)
            if len(gaps):
                idx = np.where(row >= 0, np.arange(n_days), 0)
                np.maximum.accumulate(idx, out=idx)
                row[:] = row[idx]
                row[row < 0] = row[row >= 0][0] if (row >= 0).any() else 0

    workers = pl.DataFrame({
        "worker_id": wid[number],
        "unit_id": [f"U{u + 1:03d}" for u in unit],
        "role": role,
        "hire_date": hire.astype("datetime64[D]"),
        "separation_date": np.where(sep >= 0, sep, 0).astype("datetime64[D]"),
        "_sep": sep,
    }).with_columns(
        pl.when(pl.col("_sep") >= 0).then(pl.col("separation_date")).otherwise(None).alias("separation_date")
    ).drop("_sep").sort("worker_id")
    return workers, pos_unit, pos_start, incumbent, wid
