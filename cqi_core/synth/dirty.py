"""`--dirty`: spoil a realistic share of rows to demonstrate the validation report.

About 0.7% of the rows of each table (plan.yaml `dirty`) get one problem the importer
must reject (unreadable dates, unknown codes, missing required values, duplicate keys,
dates out of order, references to unknown episodes or units, overlapping episodes), and
a smaller share get a problem it must only flag (age over 21, missing discharge reason,
entry before the event, a visit outside care). Every kind is counted for the README.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from cqi_core.synth.draws import stream
from cqi_core.synth.plan import Plan

BAD_DATES = ("31/02/2024", "2024-13-01", "yesterday", "2023-02-30", "13/25/2022", "2021-00-10", "N/A", "20240315x")
REJECT, FLAG = "rejected", "flagged only"


@dataclass
class Kind:
    """One kind of problem in one table."""

    description: str
    table: str
    outcome: str
    count: int = 0


def _str(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.all().cast(pl.String))


class Spoiler:
    """Applies the dirty kinds table by table and counts them."""

    def __init__(self, plan: Plan, seed: int, agency) -> None:
        self.plan = plan
        self.rng = stream(seed, plan.size, "dirty")
        self.share = plan["dirty"]["share"]
        self.flag_share = plan["dirty"]["flagged_only"]
        self._kinds: dict[tuple[str, str], Kind] = {}
        self._episodes: pl.DataFrame | None = None
        self._serial = 0
        self.spoiled = np.zeros(0, dtype=bool)

    # -- bookkeeping -------------------------------------------------------------------
    def kinds(self) -> list[Kind]:
        return [k for k in self._kinds.values() if k.count]

    @property
    def counts(self) -> dict[str, int]:
        return {f"{k.table}: {k.description}": k.count for k in self.kinds()}

    def _count(self, table: str, description: str, outcome: str, n: int) -> None:
        key = (table, description)
        self._kinds.setdefault(key, Kind(description, table, outcome)).count += n

    def _rows(self, n_rows: int, shares: list[float]) -> list[np.ndarray]:
        """Disjoint random row sets, one per kind, of about share × n_rows rows each."""
        per = [max(1, int(round(sh * n_rows))) for sh in shares]
        take = min(n_rows, sum(per))
        idx = self.rng.choice(n_rows, take, replace=False) if n_rows else np.zeros(0, dtype=np.int64)
        bounds = np.r_[0, np.cumsum(per)]
        return [np.sort(idx[bounds[i]:bounds[i + 1]]) for i in range(len(per))]

    def _new_id(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}9{self._serial:06d}"

    # -- the tables --------------------------------------------------------------------
    def table(self, name: str, frame: pl.DataFrame) -> pl.DataFrame:
        """The table with its share of spoiled rows (as text columns)."""
        if frame.height == 0:
            return frame
        if name == "episodes":
            self._episodes = frame
        f = _str(frame)
        rules = [(d, REJECT, a) for d, _, a in _RULES.get(name, [])]
        flags = [(d, FLAG, a) for d, a in _FLAGS.get(name, [])]
        shares = ([self.share / len(rules)] * len(rules) if rules else []) + \
                 ([self.flag_share / len(flags)] * len(flags) if flags else [])
        cols = {c: f[c].to_numpy().astype(object) for c in f.columns}
        extra: list[dict] = []
        chosen = self._rows(f.height, shares)
        self.spoiled = np.zeros(f.height, dtype=bool)
        for idx in chosen:
            self.spoiled[idx] = True
        for (desc, outcome, apply), idx in zip(rules + flags, chosen):
            if len(idx):
                n = apply(self, cols, idx, extra)
                self._count(name, desc, outcome, n if n is not None else len(idx))
        out = pl.DataFrame({c: pl.Series(c, v.tolist(), dtype=pl.String) for c, v in cols.items()})
        if extra:
            out = pl.concat([out, pl.DataFrame(extra, schema={c: pl.String for c in out.columns})])
        return out

    def reviews(self, reviews: list[tuple], ratings: list[tuple]) -> tuple[list[tuple], list[tuple]]:
        """The review workbook rows with a few bad ratings and reviews."""
        ratings = [list(r) for r in ratings]
        reviews = [list(r) for r in reviews]
        a, b, c = self._rows(len(ratings), [self.share / 3] * 3)
        for i in a:
            ratings[i][2] = ("Partially", "Good", "n.a.", "maybe")[i % 4]
        for i in b:
            ratings[i][0] = self._new_id("RV")
        for i in c:
            ratings[i][1] = ("19", "12D", "Item 0", "")[i % 4]
        self._count("ratings", "unknown rating code", REJECT, len(a))
        self._count("ratings", "rating of a review that does not exist", REJECT, len(b))
        self._count("ratings", "unknown item", REJECT, len(c))
        d, e = self._rows(len(reviews), [self.share] * 2)
        for i in d:
            reviews[i][1] = None
        for i in e:
            reviews[i][4] = "kinship"
        self._count("reviews", "missing child_id", REJECT, len(d))
        self._count("reviews", "unknown case type", REJECT, len(e))
        return [tuple(r) for r in reviews], [tuple(r) for r in ratings]


# Each rule changes `cols` (column → object array) at rows `idx`, may append rows to
# `extra`, and returns how many rows it spoiled (None: len(idx)).
Rule = Callable[[Spoiler, dict, np.ndarray, list], int | None]


def _set(column: str, values) -> Rule:
    def apply(sp: Spoiler, cols: dict, idx: np.ndarray, extra: list) -> None:
        vals = values if isinstance(values, tuple) else (values,)
        for j, i in enumerate(idx):
            cols[column][i] = vals[j % len(vals)]
    return apply


def _duplicate(sp: Spoiler, cols: dict, idx: np.ndarray, extra: list) -> None:
    for i in idx:
        extra.append({c: v[i] for c, v in cols.items()})


def _shift_back(start: str, end: str) -> Rule:
    def apply(sp: Spoiler, cols: dict, idx: np.ndarray, extra: list) -> int:
        n = 0
        for i in idx:
            if cols[start][i] and cols[end][i]:
                d = np.datetime64(cols[start][i]) - np.timedelta64(int(sp.rng.integers(1, 40)), "D")
                cols[end][i] = str(d)
                n += 1
        return n
    return apply


def _overlap(sp: Spoiler, cols: dict, idx: np.ndarray, extra: list) -> int:
    n = 0
    for i in idx:
        if cols["discharge_date"][i]:
            row = {c: v[i] for c, v in cols.items()}
            row["episode_id"] = sp._new_id("E")
            row["removal_date"] = str(np.datetime64(row["removal_date"]) + np.timedelta64(3, "D"))
            extra.append(row)
            n += 1
    return n


def _age_over_21(sp: Spoiler, cols: dict, idx: np.ndarray, extra: list) -> int:
    """As many children with an episode get a birth date making them 23 at removal."""
    eps = sp._episodes
    if eps is None:
        return 0
    removal = dict(zip(eps["child_id"].to_list(), eps["removal_date"].cast(pl.String).to_list()))
    ok = [i for i, (c, b) in enumerate(zip(cols["child_id"], cols["birth_date"]))
          if removal.get(c) and b and len(b) == 10 and b[4] == "-" and not sp.spoiled[i]]
    n = 0
    for i in sp.rng.choice(ok, min(len(idx), len(ok)), replace=False) if ok else []:
        r = removal[cols["child_id"][i]]
        cols["birth_date"][i] = f"{int(r[:4]) - 23}{r[4:].replace('-02-29', '-02-28')}"
        n += 1
    return n


def _no_reason(sp: Spoiler, cols: dict, idx: np.ndarray, extra: list) -> int:
    n = 0
    for i in idx:
        if cols["discharge_date"][i] and cols["discharge_reason"][i]:
            cols["discharge_reason"][i] = None
            n += 1
    return n


def _entered_before(sp: Spoiler, cols: dict, idx: np.ndarray, extra: list) -> int:
    return _shift_back("visit_date", "entered_date")(sp, cols, idx, extra)


_RULES: dict[str, list[tuple[str, str, Rule]]] = {
    "workers": [
        ("unreadable hire date", REJECT, _set("hire_date", BAD_DATES)),
        ("unknown role", REJECT, _set("role", ("intern", "manager"))),
    ],
    "children": [
        ("unreadable birth date", REJECT, _set("birth_date", BAD_DATES)),
        ("unknown sex code", REJECT, _set("sex", ("X", "boy"))),
        ("missing race_ethnicity", REJECT, _set("race_ethnicity", None)),
        ("duplicate child_id", REJECT, _duplicate),
    ],
    "episodes": [
        ("unreadable removal date", REJECT, _set("removal_date", BAD_DATES)),
        ("unknown discharge reason", REJECT, _set("discharge_reason", ("went_home", "closed", "99x"))),
        ("missing unit_id", REJECT, _set("unit_id", None)),
        ("unit not in units", REJECT, _set("unit_id", ("U999", "U998"))),
        ("discharge before removal", REJECT, _shift_back("removal_date", "discharge_date")),
        ("duplicate episode_id", REJECT, _duplicate),
        ("episode overlapping another of the same child", REJECT, _overlap),
    ],
    "placements": [
        ("unreadable start date", REJECT, _set("start_date", BAD_DATES)),
        ("unknown setting code", REJECT, _set("setting", ("shelter", "foster", "hotel"))),
        ("missing setting", REJECT, _set("setting", None)),
        ("end date before start date", REJECT, _shift_back("start_date", "end_date")),
        ("episode not in episodes", REJECT, _set("episode_id", ("E9999990", "E9999991", "E0000000"))),
        ("duplicate placement_id", REJECT, _duplicate),
    ],
    "reports": [
        ("unreadable report date", REJECT, _set("report_date", BAD_DATES)),
        ("unknown disposition code", REJECT, _set("disposition", ("pending", "screened_out", "founded"))),
        ("missing disposition", REJECT, _set("disposition", None)),
        ("unit not in units", REJECT, _set("unit_id", ("U997",))),
        ("duplicate (report_id, child_id)", REJECT, _duplicate),
    ],
    "visits": [
        ("unreadable visit date", REJECT, _set("visit_date", BAD_DATES)),
        ("missing visit date", REJECT, _set("visit_date", None)),
        ("unknown location code", REJECT, _set("location", ("school", "office", "phone"))),
        ("duplicate visit_id", REJECT, _duplicate),
    ],
    "staff_survey": [
        ("unit not in units", REJECT, _set("unit_id", ("U996",))),
        ("score that is not a number", REJECT, _set("score", ("four", "n/a", "3.5"))),
    ],
    "feedback": [
        ("unknown source group", REJECT, _set("source_group", ("parent/guardian", "teacher"))),
        ("unknown channel", REJECT, _set("channel", ("email", "text"))),
        ("missing text", REJECT, _set("text", None)),
    ],
}

_FLAGS: dict[str, list[tuple[str, Rule]]] = {
    "children": [("age over 21 at removal", _age_over_21)],
    "episodes": [("missing discharge reason", _no_reason)],
    "visits": [("entered before the visit", _entered_before)],
}
