"""Statistical process control: run and control charts, and the NHS "Making Data Count" rules.

Two exact, small functions that the trends views build on:

- `qic` follows qicharts2 0.8.1 (Anhøj): chart types run, i, mr, p, u, c, pp (Laney P'),
  up (Laney U'), t and g; baseline freeze, parts, excluded points, screened moving ranges,
  three-sigma signals and the Anhøj runs rules (longest run, number of crossings).
- `mdc` follows NHSRplotthedots 0.2.2: the XmR chart with the four Making Data Count rules,
  rebased groups, and the variation and assurance icons.

Both take plain sequences and return Polars frames, so they can be checked against the
published cases of the packages they follow (METHODS.md section 1; tests/test_spc.py). The
constants below are the ones those packages use; they differ on purpose (3/1.128 against
2.66) and are kept per method.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime
from typing import Any

import numpy as np
import polars as pl

CHARTS = ("run", "i", "mr", "p", "u", "c", "pp", "up", "t", "g")
"""Chart types `qic` draws."""

D2 = 1.128
"""Bias constant of the moving range of two points: sigma = mean moving range / d2."""
D4 = 3.267
"""Upper limit factor for moving ranges of two points (moving-range screening, MR chart)."""
MDC_LIMIT = 2.66
"""Making Data Count's rounded 3/d2, used for the process limits of `mdc`."""
MDC_SHORT_GROUP = 13
"""A Making Data Count group with fewer points than this carries trial limits."""
T_POWER = 3.6
"""T charts plot y^(1/3.6), which makes exponential times between events nearly normal."""


@dataclass(frozen=True)
class QicResult:
    """A run or control chart computed by `qic`.

    `points` and `runs` are built on first use from the arrays in `columns`, so code that
    scans thousands of charts can read the arrays without paying for data frames.
    """

    columns: dict
    """The point columns as arrays or lists, in `points` order."""
    runs_rows: tuple
    """The runs analysis, one dict per part."""
    chart: str
    """The chart type drawn."""

    @cached_property
    def points(self) -> pl.DataFrame:
        """One row per subgroup, ordered by x: x, y, n, cl, lcl, ucl, lcl_95, ucl_95, part,
        baseline, include, sigma_signal (plus y_sum and runs_signal)."""
        c = self.columns
        floats = {k: _nulls(c[k]) for k in
                  ("y_sum", "n", "y", "cl", "lcl", "ucl", "lcl_95", "ucl_95")}
        return pl.DataFrame({
            "x": c["x"], **{k: floats[k] for k in ("y_sum", "n", "y", "cl", "lcl", "ucl",
                                                  "lcl_95", "ucl_95")},
            "part": c["part"].tolist(), "baseline": c["baseline"].tolist(),
            "include": c["include"].tolist(), "sigma_signal": c["sigma_signal"].tolist(),
            "runs_signal": c["runs_signal"]})

    @cached_property
    def runs(self) -> pl.DataFrame:
        """One row per part: part, n_obs, n_useful, longest_run, longest_run_max,
        n_crossings, n_crossings_min, runs_signal."""
        return pl.DataFrame(list(self.runs_rows), schema={
            "part": pl.Int64, "n_obs": pl.Int64, "n_useful": pl.Int64,
            "longest_run": pl.Int64, "longest_run_max": pl.Int64, "n_crossings": pl.Int64,
            "n_crossings_min": pl.Int64, "runs_signal": pl.Boolean})


@dataclass(frozen=True)
class MdcResult:
    """An XmR chart with the Making Data Count rules, computed by `mdc`."""

    points: pl.DataFrame
    """One row per point, ordered by x: x, y, rebase_group, mean, lpl, upl, nlpl, nupl,
    outside_limits, relative_to_mean, close_to_limits, special_cause_type, point_type,
    short_group_warning (plus fix_y, special_cause_flag and target)."""
    variation: str
    """The variation icon: the point type of the last point."""
    assurance: str | None
    """consistent_pass, consistent_fail or inconsistent; None without a target or when
    the direction of improvement is neutral."""


# --------------------------------------------------------------------------- helpers


def _floats(values: Any, length: int | None = None) -> np.ndarray:
    """A float array with NaN for missing values (None, NaN, null)."""
    if values is None:
        return np.full(length or 0, np.nan)
    if isinstance(values, pl.Series):
        values = values.to_list()
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _x_values(x: Any, length: int) -> tuple[list, bool]:
    """The x values and whether they are ordered (numbers or dates) rather than categories.

    ISO date strings count as dates: qicharts2 is given R dates in the published cases,
    which the fixtures write as text.
    """
    if x is None:
        return list(range(1, length + 1)), True
    values = x.to_list() if isinstance(x, pl.Series) else list(x)
    if len(values) != length:
        raise ValueError(f"x has {len(values)} values but y has {length}")
    present = [v for v in values if v is not None]
    if all(isinstance(v, (int, float, date, datetime, np.integer, np.floating))
           and not isinstance(v, bool) for v in present):
        return values, True
    if all(isinstance(v, str) and _is_iso_date(v) for v in present):
        return values, True
    return values, False


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return False
    return len(text) == 10 or text[10] in " T"


def _sort_key(value: Any):
    return (value is None, value)


def _mean(values: np.ndarray) -> float:
    """Mean of the present values, computed as R does (sum, then one correction pass).

    The correction makes the mean of a constant series equal that constant exactly, so a
    flat line never sits a rounding error away from its own centre line.
    """
    finite = values[~np.isnan(values)]
    if not finite.size:
        return math.nan
    first = math.fsum(finite) / finite.size
    return first + math.fsum(finite - first) / finite.size


def _median(values: np.ndarray) -> float:
    finite = values[~np.isnan(values)]
    return float(np.median(finite)) if finite.size else math.nan


def _mean_moving_range(values: np.ndarray, screen: bool) -> float:
    """Mean of the moving ranges of consecutive values; a missing value breaks two ranges.

    Screening (Nelson 1982) drops ranges at or above D4 times the first mean and
    recomputes it.
    """
    mr = np.abs(np.diff(values))
    amr = _mean(mr)
    if screen and not math.isnan(amr):
        mr = mr[mr < D4 * amr]
        amr = _mean(mr)
    return amr


def _power(values: np.ndarray, exponent: float) -> np.ndarray:
    """values ** exponent with NaN for negative bases (as R gives for non-integer powers)."""
    with np.errstate(invalid="ignore"):
        return np.where(values < 0, np.nan, np.abs(values) ** exponent)


def qbinom_05(size: int) -> int:
    """Smallest k with P(X <= k) >= 0.05 for X ~ Binomial(size, 1/2), in exact integers.

    This is the Anhøj lower limit for the number of crossings (Chen 2010); it equals R's
    `qbinom(0.05, size, 0.5)`. 0.05 is never an exact binomial tail here, so no rounding
    question arises.
    """
    total = 2 ** size
    cumulative = 0
    for k in range(size + 1):
        cumulative += math.comb(size, k)
        if cumulative * 20 >= total:
            return k
    return size


def longest_run_limit(n_useful: int) -> int:
    """Anhøj upper limit for the longest run: round(log2(n)) + 3 (Schilling 2012)."""
    return round(math.log2(n_useful)) + 3


def runs_analysis(y: np.ndarray, cl: np.ndarray) -> dict:
    """Anhøj runs analysis of values against their centre line.

    Points on the centre line and missing points neither break nor extend a run; n_obs
    counts every point given (missing ones too), n_useful the points that are left.
    """
    sides = np.sign(y - cl)
    sides = sides[~np.isnan(sides) & (sides != 0)]
    n_useful = int(sides.size)
    result = {"n_obs": int(y.size), "n_useful": n_useful, "longest_run": None,
              "longest_run_max": None, "n_crossings": None, "n_crossings_min": None,
              "runs_signal": False}
    if n_useful == 0:
        return result
    changes = np.flatnonzero(np.diff(sides) != 0)
    boundaries = np.concatenate(([-1], changes, [n_useful - 1]))
    longest = int(np.diff(boundaries).max())
    crossings = int(changes.size)
    longest_max = longest_run_limit(n_useful)
    crossings_min = qbinom_05(max(n_useful - 1, 0))
    result.update(longest_run=longest, longest_run_max=longest_max, n_crossings=crossings,
                  n_crossings_min=crossings_min,
                  runs_signal=bool(longest > longest_max or crossings < crossings_min))
    return result


# --------------------------------------------------------------------------- rare events


@dataclass(frozen=True)
class EventGaps:
    """Gaps between periods with an event, the y of a g chart (see `event_gaps`)."""

    positions: tuple[int, ...]
    """Index of the period each gap ends at: the next period with an event, or the last
    period for the gap still running."""
    gaps: tuple[int, ...]
    """Periods without an event in each gap."""
    open_last: bool
    """True when the last gap is still running (the last period had no event)."""


def event_gaps(events: Sequence[float]) -> EventGaps:
    """The number of periods without an event between one period with an event and the next.

    A g chart counts opportunities between events (Benneyan 2001, "Number-between g-type
    statistical quality control charts", Health Care Manag Sci 4:305; qicharts2 chart "g").
    Here each period is one opportunity: a period with at least one event ends a gap, and
    the gap is the number of event-free periods since the previous period with an event
    (0 when two periods in a row have one). Periods before the first event are left out:
    when that gap started is not known. When the last period has no event, the gap still
    running is returned last (`open_last`): it can only grow, so it is drawn but not judged.

    Args:
        events: events per period, oldest first.
    """
    hits = [i for i, e in enumerate(events) if e is not None and not math.isnan(e) and e > 0]
    positions = list(hits[1:])
    gaps = [b - a - 1 for a, b in zip(hits, hits[1:])]
    last = len(events) - 1
    open_last = bool(hits) and hits[-1] < last
    if open_last:
        positions.append(last)
        gaps.append(last - hits[-1])
    return EventGaps(positions=tuple(positions), gaps=tuple(gaps), open_last=open_last)


# --------------------------------------------------------------------------- qic


def _aggregate(x: list, y: np.ndarray, n: np.ndarray, got_n: bool):
    """One subgroup per distinct x, in x order (qicharts2 `qic.agg`)."""
    present = [v for v in x if v is not None]
    if len(present) == len(x) and all(a < b for a, b in zip(x, x[1:])):
        # Already one row per x, in order: the same sums without the per-group loop.
        if got_n:
            n_out = np.where(np.isnan(n), 0.0, n)
            with np.errstate(divide="ignore", invalid="ignore"):
                y_out = np.where(np.isnan(y), 0.0, y) / n_out  # R: 0/0 is NaN, k/0 is Inf
        else:
            n_out, y_out = n.copy(), y.copy()
        return list(x), y.copy(), n_out, y_out
    groups: dict[Any, list[int]] = {}
    for i, value in enumerate(x):
        if value is not None:
            groups.setdefault(value, []).append(i)
    keys = sorted(groups, key=_sort_key)
    xs, y_sum, n_out, y_out = [], [], [], []
    for key in keys:
        idx = groups[key]
        ys, ns = y[idx], n[idx]
        # R's sum(y, na.rm = length(y) > 1): a lone missing value stays missing
        s = float(np.nansum(ys)) if len(idx) > 1 else float(ys[0])
        total_n = float(np.nansum(ns)) if got_n else (float(ns.sum()) if len(idx) else math.nan)
        if got_n:
            with np.errstate(divide="ignore", invalid="ignore"):
                value = float(np.float64(np.nansum(ys)) / np.float64(total_n))
        else:
            value = _mean(ys)
        xs.append(key)
        y_sum.append(s)
        n_out.append(total_n)
        y_out.append(value)
    return xs, np.array(y_sum, dtype=float), np.array(n_out, dtype=float), \
        np.array(y_out, dtype=float)


def _limits_i(y: np.ndarray, base: np.ndarray, screen: bool = True):
    cl = _mean(y[base])
    sigma = _mean_moving_range(y[base], screen) / D2
    return np.full(y.size, cl), np.full(y.size, sigma)


def laney_sigma_z(y: np.ndarray, cl: np.ndarray, sigma: np.ndarray, base: np.ndarray,
                  ordered: bool) -> float:
    """Laney's sigma-z: the spread of the base points' z-scores (1 = as chance predicts).

    Ordered points use the screened mean moving range / d2; categories use the standard
    deviation.
    """
    z = (y[base] - cl[base]) / sigma[base]
    if not ordered:
        return float(np.std(z, ddof=1)) if z.size > 1 and not np.isnan(z).any() else math.nan
    return _mean_moving_range(z, screen=True) / D2


def _chart_part(chart: str, y: np.ndarray, y_sum: np.ndarray, n: np.ndarray,
                base: np.ndarray, ordered: bool):
    """Centre line, limits and plotted y for one part. Returns y, cl, lcl, ucl, lcl95, ucl95."""
    size = y.size
    nan = np.full(size, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        if chart == "run":
            return y, np.full(size, _median(y[base])), nan, nan, nan, nan
        if chart == "i":
            cl, sigma = _limits_i(y, base)
            return y, cl, cl - 3 * sigma, cl + 3 * sigma, cl - 2 * sigma, cl + 2 * sigma
        if chart == "mr":
            mr = np.concatenate(([np.nan], np.abs(np.diff(y))))
            cl = np.full(size, _mean(mr[base]))
            zero = np.zeros(size)
            return mr, cl, zero, D4 * cl, zero, (D4 / 3) * 2 * cl
        if chart == "t":
            if np.nanmin(y) <= 0:
                raise ValueError("Times between events must be greater than zero for a T chart")
            yt = _power(y, 1 / T_POWER)
            cl, sigma = _limits_i(yt, base)
            back = [_power(v, T_POWER) for v in
                    (yt, cl, cl - 3 * sigma, cl + 3 * sigma, cl - 2 * sigma, cl + 2 * sigma)]
            yb, clb, lcl, ucl, lcl95, ucl95 = back
            lcl = np.where(np.isnan(lcl) | (lcl < 0), 0.0, lcl)
            return yb, clb, lcl, ucl, lcl95, ucl95
        if chart == "g":
            m = _mean(y[base])
            sigma = math.sqrt(m * (m + 1)) if not math.isnan(m) else math.nan
            lcl, lcl95 = max(m - 3 * sigma, 0.0), max(m - 2 * sigma, 0.0)
            if math.isnan(m):
                lcl = lcl95 = math.nan
            full = lambda v: np.full(size, v)  # noqa: E731
            return (y, full(_median(y[base])), full(lcl), full(m + 3 * sigma), full(lcl95),
                    full(m + 2 * sigma))
        if chart == "c":
            y = y_sum
            cl = np.full(size, _mean(y[base]))
            sigma = np.sqrt(cl)
            return (y, cl, np.maximum(cl - 3 * sigma, 0), cl + 3 * sigma,
                    np.maximum(cl - 2 * sigma, 0), cl + 2 * sigma)
        # p, pp, u, up: a pooled centre line from the base subgroups
        cl_value = float(np.nansum(y_sum[base])) / float(np.nansum(n[base]))
        cl = np.full(size, cl_value)
        sigma = np.sqrt(cl * (1 - cl) / n) if chart in ("p", "pp") else np.sqrt(cl / n)
        if chart in ("pp", "up"):
            sigma = sigma * laney_sigma_z(y, cl, sigma, base, ordered)
        lcl, ucl = cl - 3 * sigma, cl + 3 * sigma
        lcl95, ucl95 = cl - 2 * sigma, cl + 2 * sigma
        lcl = np.where(np.isfinite(lcl) & (lcl < 0), 0.0, lcl)
        lcl95 = np.where(np.isfinite(lcl95) & (lcl95 < 0), 0.0, lcl95)
        if chart in ("p", "pp"):
            ucl = np.where(np.isfinite(ucl) & (ucl > 1), 1.0, ucl)
            ucl95 = np.where(np.isfinite(ucl95) & (ucl95 > 1), 1.0, ucl95)
        return y, cl, lcl, ucl, lcl95, ucl95


def _positions(values: Sequence[int] | int | None, name: str) -> list[int]:
    if values is None:
        return []
    if isinstance(values, (int, np.integer)):
        return [int(values)]
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise ValueError(f"{name} takes 1-based positions (whole numbers); got {v!r}")
        out.append(int(v))
    return out


def _parts(part: list[int], count: int) -> np.ndarray:
    """Part number (1-based) of each subgroup; the chart splits after each given position."""
    cuts = sorted({0, *part})
    cuts = [c for c in cuts if 0 <= c < count]
    labels = np.empty(count, dtype=int)
    for number, (start, stop) in enumerate(zip(cuts, [*cuts[1:], count]), start=1):
        labels[start:stop] = number
    return labels


def qic(y: Sequence[float | None], n: Sequence[float | None] | None = None,
        x: Sequence[Any] | None = None, chart: str = "run", freeze: int | None = None,
        part: Sequence[int] | int | None = None, exclude: Sequence[int] | int | None = None,
        multiply: float = 1) -> QicResult:
    """A run or control chart as qicharts2 computes it (METHODS.md 1.1).

    Args:
        y: values (counts or measures); None or NaN for a missing subgroup.
        n: denominators for p, pp, u and up charts (and ratios on other charts).
        x: subgroup labels (numbers, dates or ISO date strings; other text is treated as
            categories: points are not connected and no runs analysis signals). Rows that
            share an x are added together. Defaults to 1, 2, 3, ...
        chart: one of `CHARTS`.
        freeze: number of leading subgroups that make the baseline for the centre line
            and limits, which then extend to later points. Ignored when `part` is given.
        part: 1-based positions after which the chart splits; each part has its own
            centre line, limits and runs analysis.
        exclude: 1-based positions left out of the centre line, the limits and the runs
            analysis (still plotted and still tested against the limits).
        multiply: factor applied to y, centre line and limits after everything else.

    Returns:
        A `QicResult` with `.points` and `.runs`.
    """
    if chart not in CHARTS:
        raise ValueError(f"chart must be one of {', '.join(CHARTS)}; got {chart!r}")
    y_arr = _floats(y)
    got_n = n is not None
    n_arr = _floats(n, len(y_arr)) if got_n else np.full(len(y_arr), np.nan)
    if got_n and n_arr.size != y_arr.size:
        raise ValueError(f"n has {n_arr.size} values but y has {y_arr.size}")
    if chart in ("p", "pp", "u", "up") and not got_n:
        raise ValueError(f"A {chart} chart needs denominators (n)")
    xs, ordered = _x_values(x, len(y_arr))
    if got_n:
        missing = np.isnan(y_arr) | np.isnan(n_arr)
        y_arr, n_arr = np.where(missing, np.nan, y_arr), np.where(missing, np.nan, n_arr)
    xs, y_sum, n_agg, y_agg = _aggregate(xs, y_arr, n_arr, got_n)
    count = len(xs)

    part_pos = _positions(part, "part")
    freeze_at = math.inf if freeze is None or part_pos else int(freeze)
    parts = _parts(part_pos, count)
    position = np.arange(1, count + 1)
    baseline = position <= freeze_at
    include = ~np.isin(position, _positions(exclude, "exclude"))

    cols = {k: np.full(count, np.nan) for k in ("y", "cl", "lcl", "ucl", "lcl_95", "ucl_95")}
    runs_rows = []
    for number in np.unique(parts):
        sel = parts == number
        base = (baseline & include)[sel]
        values = _chart_part(chart, y_agg[sel], y_sum[sel], n_agg[sel], base, ordered)
        for key, value in zip(cols, values):
            cols[key][sel] = value
        runs = runs_analysis(cols["y"][sel][include[sel]], cols["cl"][sel][include[sel]])
        if not ordered or chart == "mr":
            runs["runs_signal"] = False
        runs_rows.append({"part": int(number), **runs})

    for key in cols:
        cols[key] = cols[key] * multiply
    for key in ("lcl", "ucl", "lcl_95", "ucl_95"):
        cols[key] = np.where(np.isfinite(cols[key]), cols[key], np.nan)
    with np.errstate(invalid="ignore"):
        signal = (cols["y"] > cols["ucl"]) | (cols["y"] < cols["lcl"])
    runs_by_part = {r["part"]: r["runs_signal"] for r in runs_rows}

    columns = {"x": xs, "y_sum": y_sum, "n": n_agg, **cols, "part": parts,
               "baseline": baseline, "include": include, "sigma_signal": signal,
               "runs_signal": [runs_by_part[int(p)] for p in parts]}
    return QicResult(columns=columns, runs_rows=tuple(runs_rows), chart=chart)


def _nulls(values: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(values, dtype=float), nan_to_null=True)


# --------------------------------------------------------------------------- mdc

_DIRECTIONS = {"increase": 1, "decrease": -1, "neutral": 0}


def _seven_one_side(sides: np.ndarray) -> np.ndarray:
    """1 where a point ends seven in a row with the same non-zero side of the mean."""
    out = np.zeros(sides.size)
    for i in range(6, sides.size):
        window = sides[i - 6:i + 1]
        if sides[i] != 0 and np.all(window == sides[i]):
            out[i] = 1
    return out


def _seven_trend(y: np.ndarray) -> np.ndarray:
    """+1/-1 where a point ends seven points each strictly higher/lower than the last."""
    out = np.zeros(y.size)
    for i in range(6, y.size):
        steps = np.sign(np.diff(y[i - 6:i + 1]))
        if np.all(steps == 1):
            out[i] = 1
        elif np.all(steps == -1):
            out[i] = -1
    return out


def _part_of_seven(ends: np.ndarray) -> np.ndarray:
    """Every point of a run of seven, given where such runs end."""
    out = np.zeros(ends.size, dtype=bool)
    for i in range(ends.size):
        out[i] = bool(np.any(np.abs(ends[i:i + 7]) == 1))
    return out


def _two_in_three(close: np.ndarray, sides: np.ndarray) -> np.ndarray:
    """Close points in a window of three with two or more close and all on one side."""
    size = close.size
    c = np.concatenate(([0, 0], close, [0, 0]))
    s = np.concatenate(([0, 0], sides, [0, 0]))
    flagged = np.zeros(size, dtype=bool)
    for i in range(size):
        for start in (i, i + 1, i + 2):
            if c[start:start + 3].sum() >= 2 and abs(s[start:start + 3].sum()) == 3:
                flagged[i] = True
                break
    return flagged & (close == 1)


def _special_cause_types(y: np.ndarray, sides: np.ndarray, close: np.ndarray,
                         outside: np.ndarray) -> list[str]:
    trend = _part_of_seven(_seven_trend(y))
    two_in_three = _two_in_three(close, sides)
    one_side = _part_of_seven(_seven_one_side(sides))
    steps = np.sign(np.diff(y)) if y.size > 1 else np.zeros(0)
    labels = []
    for i in range(y.size):
        above = "Above" if sides[i] > 0 else "Below"
        if outside[i]:
            labels.append("Above UCL" if sides[i] == 1 else "Below LCL")
        elif trend[i]:
            next_in_trend = i + 1 < y.size and trend[i + 1]
            if next_in_trend:
                step = steps[i]
            else:
                step = steps[i - 1] if i > 0 else 0
            labels.append(f"7 Point Trend ({'In' if step == 1 else 'De'}creasing)")
        elif two_in_three[i]:
            labels.append(f"2 in 3 {above} CL")
        elif one_side[i]:
            labels.append(f"7 Points {above} CL")
        else:
            labels.append("Common Cause")
    return labels


def _point_type(label: str, direction: int) -> str:
    if "Above" in label or "Increasing" in label:
        v = 1
    elif "Below" in label or "Decreasing" in label:
        v = -1
    else:
        return "common_cause"
    if direction == 0:
        return "special_cause_neutral_high" if v > 0 else "special_cause_neutral_low"
    return "special_cause_improvement" if v * direction > 0 else "special_cause_concern"


def mdc(y: Sequence[float | None], x: Sequence[Any], improvement: str = "increase",
        target: float | None = None, rebase: Sequence[Any] | None = None,
        fix_after_n_points: int | None = None, screen_outliers: bool = True) -> MdcResult:
    """An XmR chart with the Making Data Count rules, as NHSRplotthedots computes it.

    Args:
        y: the values; x: their dates (or any ordered labels). Points are sorted by x.
        improvement: "increase", "decrease" or "neutral": which way is better.
        target: optional target for the assurance icon.
        rebase: x values where a new group starts (own mean and limits; rules and moving
            ranges do not cross the boundary).
        fix_after_n_points: compute the mean and limits from the first n points of each
            group only (all points when None).
        screen_outliers: drop moving ranges at or above 3.267 times their mean before the
            limits are computed (Making Data Count's Excel tool does not screen).

    Returns:
        An `MdcResult` with `.points`, `.variation` and `.assurance`.
    """
    if improvement not in _DIRECTIONS:
        raise ValueError(f"improvement must be increase, decrease or neutral; got {improvement!r}")
    direction = _DIRECTIONS[improvement]
    values = _floats(y)
    xs = x.to_list() if isinstance(x, pl.Series) else list(x)
    if len(xs) != values.size:
        raise ValueError(f"x has {len(xs)} values but y has {values.size}")
    order = sorted(range(len(xs)), key=lambda i: _sort_key(xs[i]))
    xs = [xs[i] for i in order]
    values = values[order]
    rebase_set = set(rebase or [])
    groups = np.cumsum([1 if v in rebase_set else 0 for v in xs]).astype(int)

    size = values.size
    cols = {k: np.full(size, np.nan) for k in ("fix_y", "mean", "lpl", "upl", "nlpl", "nupl")}
    outside = np.zeros(size, dtype=bool)
    close = np.zeros(size, dtype=bool)
    sides = np.zeros(size)
    labels: list[str] = [""] * size
    short = np.zeros(size, dtype=bool)
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        yg = values[idx]
        fix = yg.copy()
        if fix_after_n_points is not None:
            fix[int(fix_after_n_points):] = np.nan
        mean = _mean(fix)
        amr = _mean_moving_range(fix, screen_outliers)
        lpl, upl = mean - MDC_LIMIT * amr, mean + MDC_LIMIT * amr
        nlpl, nupl = mean - 2 * MDC_LIMIT / 3 * amr, mean + 2 * MDC_LIMIT / 3 * amr
        with np.errstate(invalid="ignore"):
            out_g = (yg > upl) | (yg < lpl)
            close_g = ~out_g & ((yg < nlpl) | (yg > nupl))
            sides_g = np.nan_to_num(np.sign(yg - mean))
        cols["fix_y"][idx] = fix
        for key, value in (("mean", mean), ("lpl", lpl), ("upl", upl), ("nlpl", nlpl),
                           ("nupl", nupl)):
            cols[key][idx] = value
        outside[idx], close[idx], sides[idx] = out_g, close_g, sides_g
        for i, label in zip(idx, _special_cause_types(yg, sides_g, close_g.astype(int),
                                                      out_g)):
            labels[i] = label
        short[idx] = idx.size < MDC_SHORT_GROUP

    point_types = [_point_type(label, direction) for label in labels]
    relative = [None if math.isnan(v) else int(s) for v, s in zip(values, sides)]
    points = pl.DataFrame({
        "x": xs,
        "y": _nulls(values),
        "rebase_group": groups.tolist(),
        "fix_y": _nulls(cols["fix_y"]),
        "mean": _nulls(cols["mean"]),
        "lpl": _nulls(cols["lpl"]),
        "upl": _nulls(cols["upl"]),
        "nlpl": _nulls(cols["nlpl"]),
        "nupl": _nulls(cols["nupl"]),
        "outside_limits": outside.tolist(),
        "relative_to_mean": relative,
        "close_to_limits": close.tolist(),
        "special_cause_type": labels,
        "special_cause_flag": [label != "Common Cause" for label in labels],
        "point_type": point_types,
        "short_group_warning": short.tolist(),
        "target": [target] * size,
    }, schema_overrides={"y": pl.Float64, "fix_y": pl.Float64, "mean": pl.Float64,
                         "lpl": pl.Float64, "upl": pl.Float64, "nlpl": pl.Float64,
                         "nupl": pl.Float64, "relative_to_mean": pl.Int64,
                         "target": pl.Float64})
    variation = point_types[-1] if point_types else "common_cause"
    assurance = None
    if target is not None and direction != 0 and size:
        upl, lpl = cols["upl"][-1], cols["lpl"][-1]
        if target > upl:
            assurance = "consistent_fail" if direction > 0 else "consistent_pass"
        elif target < lpl:
            assurance = "consistent_pass" if direction > 0 else "consistent_fail"
        else:
            assurance = "inconsistent"
    return MdcResult(points=points, variation=variation, assurance=assurance)
