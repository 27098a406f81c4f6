"""Proof by attack: nothing the publication hides can be worked out from what it shows.

The attacker here is written from the problem, not from `cqi_core.publish.audit` (which it
does not import), so a mistake in the audit is not repeated in the check:

- the unknowns are latent quarterly counts x[g, q] >= 0 of every group, for measures that
  add up over time (each published 12-month window is the sum of its four quarters);
  a block whose published figures cannot be such sums (a cohort counted on one day, an
  average) is attacked with per-period relations only;
- every published cell is an equality, and a group missing from a period it is published
  in elsewhere counts as zero (an attacker would read it so; the model without that
  reading is tried when it is inconsistent);
- the hierarchy (units within their region; every grouping within the agency; for themes,
  every grouping of a code to one common latent total) is an equality quarter by quarter
  wherever the published figures never contradict it;
- for every hidden cell the smallest and largest value it can take are found with
  `scipy.optimize.linprog(method="highs")`; a range narrower than 0.5 is a disclosure.

Separately: no published count is from 1 to 10, and no proportion shows both counts when
those without the outcome (denominator − numerator) number 1 to 10.
"""

from __future__ import annotations

import calendar
import csv
import io
import math
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

import cqi_core
from cqi_core import privacy
from cqi_core.analysis import qualitative
from cqi_core.indicators import load_config
from cqi_core.publish import suppress_indicators

ROOT = Path(__file__).resolve().parents[2]
THRESHOLD = privacy.load_policy().threshold
PIN = 0.5
AGENCY = ("all", "all")

Group = tuple[str, str]


# ------------------------------------------------------------------------- the attacker


def quarter_of(end: date) -> int:
    """A quarter end as a running quarter number (year * 4 + quarter index)."""
    assert end.month % 3 == 0, end
    return end.year * 4 + (end.month - 1) // 3


@dataclass
class Block:
    """One measure's one count column over every published period and group.

    `cells[(group, q)]` is the published count of the 12 months ending on quarter q, or
    None when it is hidden. `relations` are (member groups, total group); a total of None
    is a latent total nobody publishes (the members of every such relation with the same
    `latent` key share it)."""

    name: str
    cells: dict[tuple[Group, int], float | None]
    relations: list[tuple[tuple[Group, ...], Group | str]] = field(default_factory=list)
    known: bool = False
    """The relations are known to hold (frames built as sums); otherwise each is used only
    where the published figures show it (`_holds`)."""

    def hidden(self) -> list[tuple[Group, int]]:
        return [k for k, v in self.cells.items() if v is None]


@dataclass
class Attack:
    """What the attacker got out of one block."""

    name: str
    model: str
    """Which model was consistent: 'time' (sums of quarters) or 'period' (per period)."""
    relations_used: int
    hidden: int
    pinned: dict[tuple[Group, int], float]
    """Hidden cells worked out, with the value the attacker finds."""


def _holds(block: Block, members, total) -> bool:
    """Whether the published figures show `members` adding up to `total`: in some period
    everything is published and adds up exactly, and no period contradicts it (what is
    published of the members never exceeds a published total). A grouping of a theme code
    adds up to the code's latent total by construction (every excerpt has one value of
    each grouping, 'unknown' included), which only the linear programme can contradict."""
    if isinstance(total, str):
        return True
    periods = {q for (g, q) in block.cells if g == total}
    seen = False
    for q in periods:
        t = block.cells[(total, q)]
        parts = [block.cells.get((m, q), 0.0) for m in members]
        if t is None:
            continue
        known = sum(p for p in parts if p is not None)
        if all(p is not None for p in parts):
            if abs(known - t) > 1e-6:
                return False
            seen = True
        elif known > t + 1e-6:
            return False
    return seen


class _Programme:
    """The attacker's equalities for one block under one model."""

    def __init__(self, block: Block, time: bool, relations, absent_zero: bool) -> None:
        self.time = time
        groups = sorted({g for g, _ in block.cells}
                        | {m for ms, _ in relations for m in ms}
                        | {t for _, t in relations if not isinstance(t, str)}
                        | {("\x00latent", t) for _, t in relations if isinstance(t, str)})
        ends = sorted({q for _, q in block.cells})
        # the latent steps: quarters (time) or the published periods themselves
        self.steps = list(range(ends[0] - 3, ends[-1] + 1)) if time else ends
        self.var = {(g, s): i for i, (g, s) in enumerate(
            (g, s) for g in groups for s in self.steps)}
        rows, cols, vals, rhs = [], [], [], []

        def equal(terms, value):
            r = len(rhs)
            for j, v in terms:
                rows.append(r), cols.append(j), vals.append(v)
            rhs.append(value)

        published_groups = {g for g, _ in block.cells}
        for (g, q), v in block.cells.items():
            if v is not None:
                equal([(j, 1.0) for j in self.window(g, q)], float(v))
        if absent_zero:
            for g in published_groups:
                for q in ends:
                    if (g, q) not in block.cells:
                        equal([(j, 1.0) for j in self.window(g, q)], 0.0)
        for members, total in relations:
            tot = ("\x00latent", total) if isinstance(total, str) else total
            for s in self.steps:
                equal([(self.var[(m, s)], 1.0) for m in members] + [(self.var[(tot, s)], -1.0)],
                      0.0)
        self.a = coo_matrix((vals, (rows, cols)), shape=(len(rhs), len(self.var))).tocsr()
        self.b = np.array(rhs, dtype=float)
        # A ceiling far above every published figure keeps each optimum finite; a cell
        # that can reach it is nowhere near pinned.
        self.cap = 100.0 * max([1.0, *(v for v in block.cells.values() if v is not None)]) + 1000

    def window(self, g: Group, q: int) -> list[int]:
        if self.time:
            return [self.var[(g, s)] for s in range(q - 3, q + 1)]
        return [self.var[(g, q)]]

    def objective(self, weights: dict[tuple[Group, int], float]) -> np.ndarray:
        c = np.zeros(len(self.var))
        for (g, q), w in weights.items():
            for j in self.window(g, q):
                c[j] += w
        return c

    def solve(self, c: np.ndarray) -> np.ndarray | None:
        res = linprog(c, A_eq=self.a, b_eq=self.b, bounds=(0, self.cap), method="highs")
        return res.x if res.status == 0 else None

    def value(self, x: np.ndarray, cell: tuple[Group, int]) -> float:
        return float(sum(x[j] for j in self.window(*cell)))


def _ranges(p: _Programme, hidden: list[tuple[Group, int]], seed: int) -> dict:
    """Hidden cells whose smallest and largest possible values differ by less than PIN,
    with that value. Shared objectives first rule out cells seen at two values far enough
    apart; each remaining cell then gets its own minimum and maximum."""
    lo = {c: math.inf for c in hidden}
    hi = {c: -math.inf for c in hidden}

    def record(x):
        for c in hidden:
            v = p.value(x, c)
            lo[c], hi[c] = min(lo[c], v), max(hi[c], v)

    rng = np.random.default_rng(seed)
    for w in ([1.0] * len(hidden), [-1.0] * len(hidden),
              *(rng.choice([-1.0, 1.0], len(hidden)) for _ in range(2))):
        x = p.solve(p.objective(dict(zip(hidden, w))))
        assert x is not None, "a consistent programme has a bounded optimum"
        record(x)
    for c in hidden:
        if hi[c] - lo[c] >= PIN:
            continue
        for sign in (1.0, -1.0):
            x = p.solve(p.objective({c: sign}))
            assert x is not None
            record(x)
            if hi[c] - lo[c] >= PIN:
                break
    return {c: lo[c] for c in hidden if hi[c] - lo[c] < PIN}


def attack(block: Block, seed: int = 7) -> Attack:
    """Every hidden cell of the block the attacker can pin down."""
    hidden = block.hidden()
    relations = [(m, t) for m, t in block.relations if block.known or _holds(block, m, t)]
    tried = [("time", True, relations, True), ("time", True, relations, False),
             ("time", True, [], False),
             ("period", False, relations, True), ("period", False, relations, False)]
    pinned: dict = {}
    model, used = "none", 0
    found_time = False
    for name, time, rels, zero in tried:
        if not hidden:
            model = "nothing hidden"
            break
        if name == "period" and found_time and used:
            break  # the time model held with the relations: it implies the per-period one
        p = _Programme(block, time, rels, zero)
        if p.solve(np.zeros(len(p.var))) is None:
            continue  # not consistent with these figures: the attacker cannot assume it
        pinned.update(_ranges(p, hidden, seed))
        if name == "time":
            found_time, model, used = True, "time", len(rels)
            if rels:
                break
            # sums over time held only without the hierarchy: try the hierarchy per period
            continue
        model, used = ("time+period" if found_time else "period"), len(rels)
        break
    return Attack(block.name, model, used, len(hidden), pinned)


# ---------------------------------------------------------------- the sample's publication


SAMPLED = ("S1", "P4", "W2", "Q1.4", "F1", "P1", "V1", "Q2.WB1", "Q1.12A", "T1")
"""Indicators attacked in full (every grouping, units included), a fixed list with the rare
ones. Every other indicator is attacked without its unit rows (agency, regions, sex, age,
race and source group), and every theme code in full: that is about 45 s on two shared
cores, where every unit-level block of every indicator would take minutes."""


def _indicator_blocks(store, unit_region: dict[str, str]) -> list[Block]:
    rows = store.query(
        "SELECT indicator_id, period_start, period_end, group_by, group_value, numerator, "
        "denominator FROM publication_indicators")
    blocks = []
    for (ind,), g in rows.group_by(["indicator_id"], maintain_order=True):
        if ind not in SAMPLED:
            g = g.filter(pl.col("group_by") != "unit")
        regions = set(g.filter(pl.col("group_by") == "region")["group_value"].to_list())
        units = set(g.filter(pl.col("group_by") == "unit")["group_value"].to_list())
        rels = []
        for (by,), members in g.filter(pl.col("group_by") != "all").group_by(["group_by"]):
            rels.append((tuple((by, v) for v in sorted(set(members["group_value"]))), AGENCY))
        for region in sorted(regions):
            inside = tuple(("unit", u) for u in sorted(units) if unit_region.get(u) == region)
            if inside:
                rels.append((inside, ("region", region)))
        for col in ("numerator", "denominator"):
            cells = {((r["group_by"], r["group_value"]), quarter_of(r["period_end"])): r[col]
                     for r in g.iter_rows(named=True)}
            blocks.append(Block(f"{ind}.{col}", cells, rels))
    return blocks


def _theme_blocks(store, unit_region: dict[str, str]) -> list[Block]:
    rows = store.query("SELECT code, period_end, group_by, group_value, excerpts, sources "
                       "FROM publication_themes")
    blocks = []
    for (code,), g in rows.group_by(["code"], maintain_order=True):
        rels = []
        for (by,), members in g.group_by(["group_by"]):
            rels.append((tuple((by, v) for v in sorted(set(members["group_value"]))), "total"))
        regions = set(g.filter(pl.col("group_by") == "region")["group_value"].to_list())
        units = set(g.filter(pl.col("group_by") == "unit")["group_value"].to_list())
        for region in sorted(regions):
            inside = tuple(("unit", u) for u in sorted(units) if unit_region.get(u) == region)
            if inside:
                rels.append((inside, ("region", region)))
        for col in ("excerpts", "sources"):
            cells = {((r["group_by"], r["group_value"]), quarter_of(r["period_end"])): r[col]
                     for r in g.iter_rows(named=True)}
            blocks.append(Block(f"theme {code}.{col}", cells, rels))
    return blocks


@pytest.fixture(scope="module")
def published(sample_db):
    store = cqi_core.open_store(sample_db, read_only=True)
    try:
        info = privacy.publication(store)
        assert info is not None, "the sample database is published by conftest"
        ind = store.query("SELECT * FROM publication_indicators")
        thm = store.query("SELECT * FROM publication_themes")
        unit_region = privacy.unit_regions(store)
        blocks = _indicator_blocks(store, unit_region) + _theme_blocks(store, unit_region)
    finally:
        store.close()
    return info, ind, thm, blocks


def test_every_published_period_is_12_months_ending_on_a_quarter_end(published):
    info, ind, thm, _ = published
    assert len(info.period_ends) >= 8
    for start, end in info.periods():
        # 12 whole months: the first day of the month eleven months before the end month
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        assert (start.day, months, end.month % 3) == (1, 12, 0), (start, end)
    for frame in (ind, thm):
        assert set(frame.select("period_start", "period_end").unique().iter_rows()) == \
            set(info.periods())


def test_no_published_count_is_small_and_masked_cells_are_empty(published):
    _, ind, thm, _ = published
    for frame, counts in ((ind, ("numerator", "denominator")), (thm, ("excerpts", "sources"))):
        for c in counts:
            small = frame.filter(pl.col(c).is_between(1, THRESHOLD))
            assert small.is_empty(), small
        masked = pl.any_horizontal(*(pl.col(c).is_null() for c in counts))
        assert frame.filter(masked != pl.col("suppressed")).is_empty()
    kind = {i: load_config()[i.split(".")[0]].kind for i in ind["indicator_id"].unique()}
    proportions = ind.filter(pl.col("indicator_id").replace_strict(kind) == "proportion")
    rest = proportions.filter((pl.col("denominator") - pl.col("numerator")).is_between(1, THRESHOLD))
    assert rest.is_empty(), rest
    hidden = ind.filter(pl.col("suppressed"))
    assert hidden.height > 1000 and hidden["value"].null_count() == hidden.height
    assert hidden["ci_low"].null_count() == hidden["ci_high"].null_count() == hidden.height


def _truth(store, name: str, group: Group, q: int, periods: dict) -> float:
    """The full (analyst's) figure of a cell, computed afresh: only for cells the attacker
    claims to have worked out, to tell a disclosure from an assumption that does not hold."""
    start, end = periods[q]
    if name.startswith("theme "):
        code, col = name.removeprefix("theme ").rsplit(".", 1)
        rows = qualitative.themes(store, start, end, group[0])
        if code == privacy.ALL_TEXT:
            return math.nan  # every excerpt of a group: no such row to compare, count it
        rows = rows.filter((pl.col("code") == code) & (pl.col("group_value") == group[1]))
    else:
        ind, col = name.rsplit(".", 1)
        rows = cqi_core.compute(store, start, end, indicators=[ind],
                                by=[] if group[0] == "all" else [group[0]])
        rows = rows.filter((pl.col("indicator_id") == ind) & (pl.col("group_by") == group[0])
                           & (pl.col("group_value") == group[1]))
    return float(rows[col][0]) if rows.height else 0.0


def test_no_hidden_cell_of_the_publication_can_be_worked_out(published, sample_db):
    info, _, _, blocks = published
    results = [attack(b) for b in blocks]
    checked = sum(r.hidden for r in results)
    # The attack ran on real material: many hidden cells, most blocks with something hidden
    # additive over time (the windows overlap) and with the hierarchy.
    attacked = [r for r in results if r.hidden]
    assert checked > 10_000
    assert sum(r.model.startswith("time") for r in attacked) > len(attacked) // 2
    assert sum(r.relations_used > 0 for r in attacked) > len(attacked) // 2
    claims = {(r.name, g, q): v for r in results for (g, q), v in r.pinned.items()}
    if not claims:
        return
    # A cell the attacker pins at a value it does not have only shows that one of the
    # relations it assumed does not hold; a cell pinned at its true value is a disclosure.
    periods = {quarter_of(e): (s, e) for s, e in info.periods()}
    store = cqi_core.open_store(sample_db, read_only=True)
    try:
        truth = {k: _truth(store, k[0], k[1], k[2], periods) for k in claims}
    finally:
        store.close()
    disclosed = {k: v for k, v in claims.items() if not abs(truth[k] - v) >= PIN}
    assert not disclosed, "\n".join(
        f"{name} {g} 12 months to {q // 4}Q{q % 4 + 1}: worked out as {v:.2f}"
        for (name, g, q), v in sorted(disclosed.items())[:40])


# -------------------------------------------- the outside check: differencing on the CLI


def _cli(db: Path, start: date, end: date) -> list[dict] | None:
    out = subprocess.run(
        [sys.executable, "-m", "cqi_core", "indicators", "--db", str(db), "--start",
         start.isoformat(), "--end", end.isoformat(), "--by", "unit,region", "--audience",
         "stakeholder"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    if out.returncode == 1:
        assert "error:" in out.stderr and out.stdout == "", out.stderr
        return None
    assert out.returncode == 0, out.stderr
    return list(csv.DictReader(io.StringIO(out.stdout)))


def test_differencing_the_periods_the_cli_returns_recovers_nothing(sample_db, tmp_path):
    db = tmp_path / "cqi.duckdb"
    shutil.copy(sample_db, db)
    store = cqi_core.open_store(db, read_only=True)
    try:
        periods = privacy.publication(store).periods()
    finally:
        store.close()
    year_start, year_end = periods[-1]  # the latest year: Oct 2025 to Sep 2026
    assert (year_start, year_end) == (date(2025, 10, 1), date(2026, 9, 30))
    quarters = [(date(2025, 10, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 3, 31)),
                (date(2026, 4, 1), date(2026, 6, 30)), (date(2026, 7, 1), date(2026, 9, 30))]
    halves = [(date(2025, 10, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 9, 30))]
    asked = [*quarters, *halves, *periods[-4:]]
    answers = {p: _cli(db, *p) for p in asked}
    # Periods off the grid are refused, not computed; the published ones are answered.
    assert [p for p, rows in answers.items() if rows is None] == [*quarters, *halves]
    cells = {}
    for (start, end), rows in answers.items():
        for r in rows or []:
            for c in ("numerator", "denominator"):
                cells[(r["indicator_id"], r["group_by"], r["group_value"], c, start, end)] = \
                    float(r[c]) if r[c] != "" else None
    assert sum(v is None for v in cells.values()) > 1000
    recovered = []
    keys = {k[:4] for k in cells}
    for key in keys:
        mine = [(k[4], k[5], v) for k, v in cells.items() if k[:4] == key]
        for a_start, a_end, a in mine:
            for b_start, b_end, b in mine:
                if (a_start, a_end) == (b_start, b_end):
                    continue
                if not (a_start <= b_start and b_end <= a_end):
                    continue  # A must contain B
                if a is None or b is None:
                    continue
                d = a - b  # the count of A outside B
                rest = ((b_end + timedelta(days=1), a_end) if a_start == b_start else
                        (a_start, b_start - timedelta(days=1)) if a_end == b_end else None)
                if 1 <= d <= THRESHOLD or (rest and cells.get((*key, *rest), 0) is None):
                    recovered.append((key, (a_start, a_end), (b_start, b_end), d))
    assert recovered == []


# -------------------------------------------------- random small agencies, by hypothesis


def _frame(units: dict[str, str], num: dict[str, list[int]], den: dict[str, list[int]],
           first_q: int) -> pl.DataFrame:
    """Indicator rows in the publication's shape: P1 for the 12 months ending on each
    quarter end from the fourth on, by unit, region and for the agency (sums)."""
    n = len(next(iter(num.values())))
    rows = []
    for q in range(3, n):
        qq = first_q + q
        year, idx = divmod(qq, 4)
        end = date(year, idx * 3 + 3, calendar.monthrange(year, idx * 3 + 3)[1])
        start = privacy.window_start(end)
        sums: dict[Group, list[int]] = {}
        for u, region in units.items():
            a, b = sum(num[u][q - 3:q + 1]), sum(den[u][q - 3:q + 1])
            for g in (("unit", u), ("region", region), AGENCY):
                s = sums.setdefault(g, [0, 0])
                s[0] += a
                s[1] += b
        for (by, value), (a, b) in sums.items():
            rows.append({"indicator_id": "P1", "period_start": start, "period_end": end,
                         "group_by": by, "group_value": value, "numerator": float(a),
                         "denominator": float(b), "value": a / b if b else None,
                         "ci_low": None, "ci_high": None})
    return pl.DataFrame(rows, schema_overrides={"value": pl.Float64, "ci_low": pl.Float64,
                                                "ci_high": pl.Float64})


def _blocks_of(frame: pl.DataFrame, units: dict[str, str]) -> list[Block]:
    regions = sorted(set(units.values()))
    rels = [(tuple(("unit", u) for u in sorted(units)), AGENCY),
            (tuple(("region", r) for r in regions), AGENCY)]
    rels += [(tuple(("unit", u) for u in sorted(units) if units[u] == r), ("region", r))
             for r in regions]
    out = []
    for col in ("numerator", "denominator"):
        cells = {((r["group_by"], r["group_value"]), quarter_of(r["period_end"])): r[col]
                 for r in frame.iter_rows(named=True)}
        out.append(Block(col, cells, rels, known=True))
    return out


@st.composite
def agencies(draw):
    n_regions = draw(st.integers(1, 3))
    units = {}
    for r in range(n_regions):
        for u in range(draw(st.integers(1, 4))):
            units[f"U{r}{u}"] = f"R{r}"
    quarters = draw(st.integers(6, 10))
    small = st.one_of(st.integers(0, 15), st.integers(0, 3), st.just(0), st.integers(10, 40))
    num, den = {}, {}
    for u in units:
        d = draw(st.lists(small, min_size=quarters, max_size=quarters))
        den[u] = d
        num[u] = [draw(st.integers(0, x)) for x in d]
    return units, num, den


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(agencies())
def test_random_small_agencies_keep_their_hidden_cells(agency):
    units, num, den = agency
    frame = _frame(units, num, den, first_q=2024 * 4)
    out = suppress_indicators(frame, units)
    rest = out["denominator"] - out["numerator"]
    assert out.filter(pl.col("numerator").is_between(1, THRESHOLD)
                      | pl.col("denominator").is_between(1, THRESHOLD)).is_empty()
    assert (rest.is_between(1, THRESHOLD).fill_null(False)).sum() == 0
    truth = {((r["group_by"], r["group_value"]), quarter_of(r["period_end"])):
             (r["numerator"], r["denominator"]) for r in frame.iter_rows(named=True)}
    for block in _blocks_of(out, units):
        result = attack(block)
        col = 0 if block.name == "numerator" else 1
        leaks = {c: (v, truth[c][col]) for c, v in result.pinned.items()}
        assert leaks == {}, (block.name, leaks)


def test_the_attacker_recovers_what_primary_suppression_alone_leaves_open():
    # Two regions of two units; four quarters, so one 12-month window. U01 has 3 entries,
    # the rest more than 10: hiding U01 alone leaves U01 = R0 - U00 = 14 - 11 = 3.
    units = {"U00": "R0", "U01": "R0", "U10": "R1", "U11": "R1"}
    den = {"U00": [3, 3, 3, 2], "U01": [1, 1, 1, 0], "U10": [5, 5, 5, 5], "U11": [4, 4, 4, 4]}
    num = {u: [0, 0, 0, 0] for u in units}
    frame = _frame(units, num, den, first_q=2024 * 4)
    primary = frame.with_columns(
        pl.when(pl.col("denominator").is_between(1, THRESHOLD)).then(None)
        .otherwise(pl.col("denominator")).alias("denominator"))
    block = _blocks_of(primary, units)[1]
    assert block.hidden() == [(("unit", "U01"), 2024 * 4 + 3)]
    result = attack(block)
    assert result.pinned == {(("unit", "U01"), 2024 * 4 + 3): pytest.approx(3.0)}
    # and across time: a window hidden between two published ones sharing three quarters
    den = {"U00": [20, 20, 20, 20, 0], "U01": [0, 0, 0, 0, 0]}
    units = {"U00": "R0", "U01": "R0"}
    frame = _frame(units, {u: [0] * 5 for u in units}, den, first_q=2024 * 4)
    # windows: quarters 0-3 = 80, 1-4 = 60; hide the second for U00 only (its region and
    # the agency show it, U01 shows 0): the hierarchy gives it back
    hide = (pl.col("group_value") == "U00") & (pl.col("period_end") == pl.col("period_end").max())
    primary = frame.with_columns(pl.when(hide).then(None).otherwise(pl.col("denominator"))
                                 .alias("denominator"))
    result = attack(_blocks_of(primary, units)[1])
    assert list(result.pinned.values()) == [pytest.approx(60.0)]
