"""Families and their children.

The generator works family by family, because that is how child welfare data behaves:
reports name siblings together, siblings are removed together and share their caseworker.
A family is one of three kinds: reported only (never in care), in care for the first time
during the history, or already in care on the history start. The last kind is drawn by
rejection (removal dates before the history start whose planned exit is after it), so the
caseload on the first day has the long stays a real caseload has.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cqi_core.synth.agency import Agency
from cqi_core.synth.care import plan_exits
from cqi_core.synth.dates import add_years, from_ymd, seasonal_days
from cqi_core.synth.draws import categorical, named
from cqi_core.synth.plan import Plan

REPORT_ONLY, CARE, STOCK = 0, 1, 2
SEXES = ("female", "male", "unknown")
RACES = ("white", "black", "hispanic", "aian", "asian", "nhpi", "multiracial", "unknown")


@dataclass
class Families:
    """One row per family of a chunk."""

    kind: np.ndarray
    """REPORT_ONLY, CARE or STOCK."""
    unit: np.ndarray
    position: np.ndarray
    """Caseworker position that carries the family's cases."""
    anchor: np.ndarray
    """First report (reported-only families) or first removal (the others)."""
    u_exit: np.ndarray
    z_dur: np.ndarray
    u_ext: np.ndarray
    u_ext2: np.ndarray

    def __len__(self) -> int:
        return len(self.kind)


@dataclass
class Kids:
    """One row per child of a chunk, grouped by family (the first of each is the index child)."""

    family: np.ndarray
    birth: np.ndarray
    sex: np.ndarray
    """Index into SEXES."""
    race: np.ndarray
    """Index into RACES."""
    is_index: np.ndarray
    stay_past_18: np.ndarray
    """Planted youth (born on 29 February) who stays in care past the 18th birthday."""

    def __len__(self) -> int:
        return len(self.family)


def age_days(rng: np.random.Generator, spec: dict[str, float], n: int) -> np.ndarray:
    """Ages in days from bands such as {"0": .2, "1-5": .3} (completed years)."""
    names, idx = named(rng, spec, n)
    lo = np.array([int(b.split("-")[0]) for b in names])
    hi = np.array([int(b.split("-")[-1]) + 1 for b in names])
    start, stop = np.floor(lo[idx] * 365.25), np.floor(hi[idx] * 365.25) - 1
    return (start + np.floor(rng.random(n) * (stop - start + 1))).astype(np.int64)


def build_families(plan: Plan, agency: Agency, rng: np.random.Generator, n_children: int) -> tuple[Families, Kids]:
    """Families of one chunk, with about `n_children` children before filtering."""
    fp = plan["families"]
    s = plan.settings
    hs, as_of = plan.history_start, plan.as_of
    # about 12% of the children drawn never appear in the export (adults, never reported)
    n_fam = int(np.ceil(n_children / (1 + fp["kids"]["mean_extra"]) * 1.13))
    kind = np.where(rng.random(n_fam) < s["care_family_share"],
                    np.where(rng.random(n_fam) < s["stock_share"], STOCK, CARE), REPORT_ONLY)
    unit = categorical(rng, agency.case_weight, n_fam)
    position = agency.pos_start[unit] + np.floor(rng.random(n_fam) * agency.pos_count[unit]).astype(np.int64)
    u_exit, z_dur, u_ext, u_ext2 = rng.random(n_fam), rng.normal(size=n_fam), rng.random(n_fam), rng.random(n_fam)

    age = np.where(kind == REPORT_ONLY, age_days(rng, fp["report_age"], n_fam), age_days(rng, fp["entry_age"], n_fam))
    newborn = (kind != REPORT_ONLY) & (age < 365) & (rng.random(n_fam) < fp["newborn_removal"])
    age = np.where(newborn, rng.integers(0, 7, n_fam), age)
    season = plan["seasonality"]
    anchor = seasonal_days(rng, n_fam, hs, as_of - 1, season["month_weight"], season["annual_trend"])
    fam = Families(kind, unit, position, anchor, u_exit, z_dur, u_ext, u_ext2)
    birth = anchor - age
    _draw_stock(plan, agency, rng, fam, birth)
    stay_past_18 = _plant_leap_day_youth(plan, rng, fam, birth)
    kids = _siblings(plan, rng, fam, birth, stay_past_18)
    return fam, kids


def _draw_stock(plan: Plan, agency: Agency, rng: np.random.Generator, fam: Families, birth: np.ndarray) -> None:
    """Removal dates before the history start for families still in care on it."""
    hs = plan.history_start
    earliest = hs - int(plan["dates"]["burn_in_years"] * 365.25)
    todo = np.flatnonzero(fam.kind == STOCK)
    for _ in range(400):
        if not len(todo):
            break
        n = len(todo)
        removal = rng.integers(earliest, hs, n)
        b = removal - age_days(rng, plan["families"]["entry_age"], n)
        u = [rng.random(n), rng.normal(size=n), rng.random(n), rng.random(n)]
        _, discharge = plan_exits(plan, agency, removal, b, fam.unit[todo], *u)
        ok = discharge > hs
        hit = todo[ok]
        fam.anchor[hit], birth[hit] = removal[ok], b[ok]
        fam.u_exit[hit], fam.z_dur[hit], fam.u_ext[hit], fam.u_ext2[hit] = (x[ok] for x in u)
        todo = todo[~ok]
    fam.kind[todo] = CARE


def _plant_leap_day_youth(plan: Plan, rng: np.random.Generator, fam: Families, birth: np.ndarray) -> np.ndarray:
    """A few teens born on 29 February who are in care on their 18th birthday."""
    hs, as_of = plan.history_start, plan.as_of
    flag = np.zeros(len(fam), dtype=bool)
    pool = np.flatnonzero((fam.kind == CARE) & (fam.anchor - birth > 12 * 365))
    want = min(plan["families"]["leap_day_youth"], len(pool))
    for i, f in enumerate(rng.choice(pool, want, replace=False) if want else []):
        year = (2004, 2008)[i % 2]
        b = int(from_ymd(np.array([year]), np.array([2]), np.array([29]))[0])
        b18 = int(add_years(np.array([b]), 18)[0])
        lo, hi = max(hs, b18 - 4 * 365), min(as_of - 400, b18 - 60)
        if hi <= lo:
            continue
        birth[f] = b
        fam.anchor[f] = int(rng.integers(lo, hi))
        flag[f] = True
    return flag


def _siblings(plan: Plan, rng: np.random.Generator, fam: Families, index_birth: np.ndarray,
              stay_past_18: np.ndarray) -> Kids:
    fp = plan["families"]
    n_fam = len(fam)
    extra = np.minimum(rng.poisson(fp["kids"]["mean_extra"], n_fam), fp["kids"]["max"] - 1)
    family = np.repeat(np.arange(n_fam), 1 + extra)
    is_index = np.r_[True, family[1:] != family[:-1]]
    n = len(family)
    later = rng.random(n) < fp["later_born"]
    twin = rng.random(n) < fp["twins"]
    sign = np.where(rng.random(n) < 0.5, -1, 1)
    birth = np.where(later, fam.anchor[family] + rng.integers(60, 1100, n),
                     np.where(twin, index_birth[family], index_birth[family] + sign * rng.integers(330, 2200, n)))
    birth = np.where(is_index, index_birth[family], birth)
    keep = is_index | ((birth <= plan.as_of - 1) & (add_years(birth, 18) > fam.anchor[family]))
    family, birth, is_index = family[keep], birth[keep], is_index[keep]
    n = len(family)
    sex = categorical(rng, list(fp["sex"].values()), n)
    race_p = [fp["race_ethnicity"][r] for r in RACES]
    fam_race = categorical(rng, race_p, n_fam)
    race = np.where(rng.random(n) < 0.9, fam_race[family], categorical(rng, race_p, n))
    return Kids(family=family, birth=birth, sex=sex, race=race, is_index=is_index,
                stay_past_18=stay_past_18[family] & is_index)
