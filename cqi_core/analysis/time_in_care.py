"""Time in care: for children who entered care in a period, the share who have left, month by
month since removal, by how they left (the Time in care page and `python -m cqi_core survival`).

Children still in care on the as-of date are censored there, and the kinds of exit compete
(a child adopted can no longer be reunified), so each exit type's curve is the Aalen–Johansen
cumulative incidence, the pooled permanency curve is the Aalen–Johansen cumulative incidence
of the four permanency exits together (other exits compete with them), and the curve of
leaving care for any reason is one minus the Kaplan–Meier survival (with one kind of event
there is no competing risk). The estimators are statsmodels' (`_curves` says why not
lifelines', which give the same figures); intervals are 95% on the log(-log) scale, with
Greenwood-type variances.
The cohort rules are in sql/time_in_care/cohort.sql; exit types, months and the public rules
in time_in_care.yaml.

Public audiences get curves only where every count they rest on passes the publication
rules (`public_rule_words`).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Iterator
from pathlib import Path

import numpy as np
import polars as pl

from cqi_core import privacy
from cqi_core.errors import CQIError
from cqi_core.indicators.engine import prepare_cursor
from cqi_core.periods import plus_months
from cqi_core.privacy.publication import UNPUBLISHED
from cqi_core.settings import load_yaml
from cqi_core.storage.facts import as_of_date, data_version
from cqi_core.storage.statements import statement
from cqi_core.storage.store import Store

PATH = Path(__file__).with_name("time_in_care.yaml")
_SQL_DIR = Path(__file__).with_name("sql") / "time_in_care"

GROUPINGS = ("all", "unit", "region", "age_group", "sex", "race_ethnicity")
"""What `survival` may group by."""
COLUMNS = ("group_by", "group_value", "month", "at_risk", "exit_type", "cumulative", "ci_low",
           "ci_high")
"""The columns of `survival`, in order."""
POOLED = ("any_permanency", "any_exit")
"""The two pooled curves after the exit types: every permanency exit (Aalen–Johansen), and
leaving care for any reason (Kaplan–Meier)."""
ENTRIES = ("all", "first", "p1")
"""Which entries a cohort holds: every entry in the period, first entries into care only, or
P1's cohort (each child's earliest entry in the period)."""
TRAJECTORY_COLUMNS = ("month", "state", "children", "share")
MEDIAN_COLUMNS = ("group_by", "group_value", "children", "median_permanency", "median_exit")


@dataclass(frozen=True)
class TimeInCareSettings:
    """time_in_care.yaml, checked."""

    months: int
    """Months since removal reported, 1 to this."""
    exit_types: dict[str, tuple[str, ...]]
    """Exit type -> the discharge reasons it holds, in display order."""
    permanency: tuple[str, ...]
    """The exit types that are permanency."""
    exit_words: dict[str, str]
    """Words for each exit type and pooled curve."""
    setting_words: dict[str, str]
    """Words for each placement setting and trajectory state."""
    min_cohort: int
    """Staff pages draw a group's curve only from this many children."""
    fiscal_year_start_month: int
    """Public cohorts are whole fiscal years starting in this month."""
    public_months: tuple[int, ...]
    """The months reported to public audiences."""
    public_curve: str
    """The one curve public audiences get."""

    @property
    def reason_type(self) -> dict[str, str]:
        """Discharge reason -> exit type."""
        return {r: t for t, reasons in self.exit_types.items() for r in reasons}

    @property
    def curves(self) -> tuple[str, ...]:
        """Every exit_type value of `survival`, in order."""
        return (*self.exit_types, *POOLED)


def load_settings(path: str | Path | None = None) -> TimeInCareSettings:
    """time_in_care.yaml (or `path`), checked.

    Raises:
        CQIError: a reason in two exit types, a permanency type that is not an exit type,
            months out of range.
    """
    return _load(str(path or PATH))


@lru_cache(maxsize=4)
def _load(path: str) -> TimeInCareSettings:
    raw = load_yaml(path) or {}
    try:
        types = {str(t): tuple(str(r) for r in reasons) for t, reasons in raw["exit_types"].items()}
        public = raw["public"]
        s = TimeInCareSettings(
            months=int(raw["months"]), exit_types=types,
            permanency=tuple(str(t) for t in raw["permanency"]),
            exit_words={str(k): str(v) for k, v in raw["exit_words"].items()},
            setting_words={str(k): str(v) for k, v in raw["setting_words"].items()},
            min_cohort=int(raw["min_cohort"]),
            fiscal_year_start_month=int(public["fiscal_year_start_month"]),
            public_months=tuple(sorted(int(m) for m in public["months"])),
            public_curve=str(public["curve"]))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CQIError(f"{path}: a setting is missing or not valid ({exc}).") from None
    reasons = [r for rs in types.values() for r in rs]
    if len(reasons) != len(set(reasons)):
        raise CQIError(f"{path}: a discharge reason is in two exit types.")
    if not set(s.permanency) <= set(types) or "other" in s.permanency:
        raise CQIError(f"{path}: permanency must list exit types other than 'other'.")
    if not 1 <= s.months <= 120 or not s.public_months or \
            not all(1 <= m <= s.months for m in s.public_months):
        raise CQIError(f"{path}: months must be 1 to 120 and public months within them.")
    if not 1 <= s.fiscal_year_start_month <= 12:
        raise CQIError(f"{path}: fiscal_year_start_month must be 1 to 12.")
    if s.public_curve not in s.curves:
        raise CQIError(f"{path}: public curve {s.public_curve!r} is not a curve.")
    missing = [c for c in s.curves if c not in s.exit_words]
    if missing:
        raise CQIError(f"{path}: exit_words has no words for {missing[0]!r}.")
    return s


# --------------------------------------------------------------------------- the cohort

_SHARED: ContextVar[dict | None] = ContextVar("time_in_care_cohorts", default=None)


@contextmanager
def shared_cohorts() -> Iterator[None]:
    """While open, each cohort is read once per data version and shared by every curve,
    median and trajectory asked for in the same thread (one visit of the Time in care page
    asks for the same entry year up to four times). Outside it nothing is kept: data
    written without an import would not change the data version."""
    token = _SHARED.set({} if _SHARED.get() is None else _SHARED.get())
    try:
        yield
    finally:
        _SHARED.reset(token)


def cohort_rows(store: Store, start: date, end: date, as_of: date | None = None) -> pl.DataFrame:
    """One row per entry into care in [start, end] (cohort.sql), with `exit_type` added.

    Case-level (episode and child ids): for the core and tests, never released.

    Returns:
        Columns episode_id, child_id, removal_date, entry ('first' or 're-entry'),
        p1_cohort, exit_reason (None while censored), exit_type (None while censored),
        month (of the exit, or the whole months watched when censored), unit, region,
        age_group, sex, race_ethnicity (None groups as 'unknown').
    """
    as_of = as_of or as_of_date(store)
    if as_of is None:
        return _empty_cohort()
    kept = _SHARED.get()
    if kept is None:
        return _cohort_rows(store, start, end, as_of)
    key = (data_version(store), start, end, as_of)
    if key not in kept:
        kept[key] = _cohort_rows(store, start, end, as_of)
    return kept[key]


def _cohort_rows(store: Store, start: date, end: date, as_of: date) -> pl.DataFrame:
    settings = load_settings()
    cur = store.cursor()
    try:
        prepare_cursor(cur)
        cur.execute(statement(_SQL_DIR, "macros"))
        rows = cur.sql(statement(_SQL_DIR, "cohort"),
                       params={"start": start, "end": end, "as_of": as_of}).pl()
    finally:
        cur.close()
    known = settings.reason_type
    strange = sorted(set(rows["exit_reason"].drop_nulls().to_list()) - set(known))
    if strange:
        raise CQIError(f"time_in_care.yaml puts the discharge reason {strange[0]!r} in no exit type.")
    return rows.with_columns(
        pl.col("exit_reason").replace_strict(known, default=None).alias("exit_type"),
        *[pl.col(g).fill_null("unknown") for g in GROUPINGS[1:]])


def _empty_cohort() -> pl.DataFrame:
    schema = {"episode_id": pl.String, "child_id": pl.String, "removal_date": pl.Date,
              "entry": pl.String, "p1_cohort": pl.Boolean, "exit_reason": pl.String,
              "month": pl.Int32, **{g: pl.String for g in GROUPINGS[1:]}, "exit_type": pl.String}
    return pl.DataFrame(schema=schema)


def _entries(rows: pl.DataFrame, entries: str) -> pl.DataFrame:
    if entries not in ENTRIES:
        raise CQIError(f"entries must be one of {', '.join(ENTRIES)}; got {entries!r}.")
    if entries == "first":
        return rows.filter(pl.col("entry") == "first")
    if entries == "p1":
        return rows.filter(pl.col("p1_cohort"))
    return rows


# --------------------------------------------------------------------------- estimators

_Z = 1.959963984540054
"""The normal quantile of a 95% interval."""


def _loglog_bounds(f: np.ndarray, se: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 95% interval of a probability f with standard error se on the log(-log) scale
    (so it stays between 0 and 1), as lifelines and Collett give it: f's interval is
    exp(-exp(log(-log f) -/+ z se / (f |log f|))); undefined (NaN) where f is 0 or 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.log(-np.log(f))
        s = se / (f * np.abs(np.log(f)))
        return np.exp(-np.exp(t + _Z * s)), np.exp(-np.exp(t - _Z * s))


def _finite(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _at(times: np.ndarray, values: np.ndarray, months: np.ndarray, before: float) -> np.ndarray:
    """A step function (values at `times`, sorted) read at each month: the value at the
    latest time <= month, `before` for a month before the first time."""
    pos = np.searchsorted(np.asarray(times, dtype=float), months, side="right") - 1
    out = np.full(len(months), before, dtype=float)
    ok = pos >= 0
    out[ok] = np.asarray(values, dtype=float)[pos[ok]]
    return out


def _curves(durations: np.ndarray, codes: np.ndarray, settings: TimeInCareSettings) -> list[dict]:
    """Every curve of one group: rows month, at_risk, exit_type, cumulative, ci_low, ci_high.

    durations: months (exit month, or whole months watched when censored), already capped at
    `settings.months` (a later exit censored there); codes: 0 censored, i + 1 the i-th exit
    type of the settings.

    The estimators are statsmodels' (`statsmodels.duration.survfunc`): `CumIncidenceRight`,
    the Aalen–Johansen cumulative incidence of each cause with its delta-method standard
    error, and `SurvfuncRight`, the Kaplan–Meier survival with Greenwood's standard error.
    They are the same estimators and variances as lifelines' `AalenJohansenFitter` and
    `KaplanMeierFitter` (tests/analysis/test_time_in_care.py checks it), handle tied months
    exactly (lifelines jitters ties between exit types at random) and take a fraction of a
    millisecond per group, where lifelines takes tens: a state's hundreds of units stay
    within seconds.
    """
    from statsmodels.duration.survfunc import CumIncidenceRight, SurvfuncRight

    months = np.arange(1, settings.months + 1)
    at_risk = np.array([(durations >= m).sum() for m in months])
    types = list(settings.exit_types)
    perm = [types.index(t) + 1 for t in settings.permanency]
    out = []

    def emit(name: str, est: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
        for i, m in enumerate(months):
            known = at_risk[i] > 0
            out.append({"month": int(m), "at_risk": int(at_risk[i]), "exit_type": name,
                        "cumulative": _finite(est[i]) if known else None,
                        "ci_low": _finite(low[i]) if known else None,
                        "ci_high": _finite(high[i]) if known else None})

    none = np.full(len(months), np.nan)
    if len(durations) == 0 or not (durations > 0).any():
        for name in settings.curves:
            emit(name, none, none, none)
        return out
    t = durations.astype(float)
    pooled = np.where(np.isin(codes, perm), 1, np.where(codes > 0, 2, 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        by_type = CumIncidenceRight(t, codes.astype(float)) if (codes > 0).any() else None
        by_pool = CumIncidenceRight(t, pooled.astype(float)) if (codes > 0).any() else None
    for name, fit, k in [*[(n, by_type, i) for i, n in enumerate(types)],
                         ("any_permanency", by_pool, 0)]:
        if fit is None or k >= len(fit.cinc) or not fit.cinc[k].any():
            emit(name, np.zeros(len(months)), none, none)  # no such exit yet
            continue
        est = _at(fit.times, fit.cinc[k], months, 0.0)
        se = _at(fit.times, fit.cinc_se[k], months, np.nan)
        emit(name, est, *_loglog_bounds(est, se))
    if not (codes > 0).any():
        emit("any_exit", np.zeros(len(months)), none, none)
        return out
    with np.errstate(divide="ignore", invalid="ignore"):
        km = SurvfuncRight(t, (codes > 0).astype(float))
    surv = _at(km.surv_times, km.surv_prob, months, 1.0)
    se = _at(km.surv_times, km.surv_prob_se, months, np.nan)
    s_low, s_high = _loglog_bounds(surv, se)
    emit("any_exit", 1 - surv, 1 - s_high, 1 - s_low)
    return out


def _durations(rows: pl.DataFrame, settings: TimeInCareSettings) -> tuple[np.ndarray, np.ndarray]:
    code_of = {t: i + 1 for i, t in enumerate(settings.exit_types)}
    months = rows["month"].cast(pl.Int64).to_numpy()
    codes = rows["exit_type"].replace_strict(code_of, default=0, return_dtype=pl.Int64).to_numpy()
    late = months > settings.months  # watched past the last month reported: censored there
    return np.minimum(months, settings.months), np.where(late, 0, codes)


# --------------------------------------------------------------------------- public

def survival(handle: Store | privacy.Handle, start: date, end: date, by: str = "all",
             entries: str = "all") -> pl.DataFrame:
    """Cumulative share of a cohort that has left care, by exit type and month since removal.

    Args:
        handle: the store (full figures) or a handle whose viewer decides what is released.
        start, end: the entry period, both days included (ending on or before the as-of
            date; `check_period` first for a period a person typed).
        by: all, unit, region, age_group, sex or race_ethnicity.
        entries: all (every entry in the period, first entries and re-entries), first (first
            entries into care only) or p1 (P1's cohort: each child's earliest entry in the
            period). Public audiences always get P1's cohort.

    Returns:
        Columns group_by, group_value, month, at_risk, exit_type, cumulative, ci_low,
        ci_high. For each group, months 1 to the yaml's `months` and every exit type
        (reunification, relative, guardianship, adoption, other: Aalen–Johansen), then
        any_permanency (Aalen–Johansen, the permanency exits together) and any_exit (one
        minus Kaplan–Meier). at_risk: entries still in care and watched at the start of the
        month; cumulative: the share who left by the end of it; no figure where nobody is
        at risk. For a public viewer only the reported months that pass the rules
        (`public_rule_words`).

    Raises:
        CQIError: an unknown grouping or entries value, or a period that ends before it
            starts.
        NotPublished: a public viewer asked for a cohort that is not a published fiscal year.
    """
    if by not in GROUPINGS:
        raise CQIError(f"Unknown grouping {by!r}; choose from {', '.join(GROUPINGS)}.")
    if end < start:
        raise CQIError(f"The period ends ({end}) before it starts ({start}).")
    store, viewer = privacy.full(handle), privacy.viewer_of(handle)
    settings = load_settings()
    if viewer.public:
        return _public_survival(store, start, end, by, settings)
    rows = _entries(cohort_rows(store, start, end), entries)
    return _survival_frame(rows, by, settings)


def _groups(rows: pl.DataFrame, by: str):
    if by == "all":
        yield "all", rows
        return
    for value in sorted(rows[by].unique().to_list()):
        yield value, rows.filter(pl.col(by) == value)


def _survival_frame(rows: pl.DataFrame, by: str, settings: TimeInCareSettings) -> pl.DataFrame:
    out = []
    for value, g in _groups(rows, by):
        d, c = _durations(g, settings)
        out += [{"group_by": by, "group_value": value, **r} for r in _curves(d, c, settings)]
    schema = {"group_by": pl.String, "group_value": pl.String, "month": pl.Int64,
              "at_risk": pl.Int64, "exit_type": pl.String, "cumulative": pl.Float64,
              "ci_low": pl.Float64, "ci_high": pl.Float64}
    return pl.DataFrame(out, schema=schema, orient="row").select(COLUMNS)


def public_cohorts(handle: Store | privacy.Handle) -> list[tuple[date, date]]:
    """The entry cohorts a public audience may be shown, oldest first: the whole fiscal years
    (time_in_care.yaml) that are periods of the publication of the current data.

    Raises:
        NotPublished: no publication for the current data.
    """
    info = privacy.publication(privacy.full(handle))
    if info is None:
        raise privacy.NotPublished(UNPUBLISHED)
    month = load_settings().fiscal_year_start_month
    return [(s, e) for s, e in info.periods() if s.month == month]


def cohorts(handle: Store | privacy.Handle, count: int = 5) -> list[tuple[date, date]]:
    """Entry cohorts to compare, oldest first: the last `count` fiscal years up to the as-of
    date (the latest may be cut at the as-of date) for staff; the published ones for a
    public audience (`public_cohorts`)."""
    store = privacy.full(handle)
    if privacy.viewer_of(handle).public:
        return public_cohorts(handle)[-count:]
    as_of = as_of_date(store)
    if as_of is None:
        return []
    month = load_settings().fiscal_year_start_month
    first = date(as_of.year if as_of.month >= month else as_of.year - 1, month, 1)
    out = []
    for k in range(count):
        s = plus_months(first, -12 * k)
        out.append((s, min(plus_months(s, 12) - timedelta(days=1), as_of)))
    return out[::-1]


def followed_months(end: date, as_of: date) -> int:
    """Whole months every entry of a cohort ending on `end` was watched by `as_of`: the
    largest m with end + m months <= as_of + 1 day (0 when none)."""
    m = 0
    while plus_months(end, m + 1) <= as_of + timedelta(days=1):
        m += 1
    return m


def _public_survival(store: Store, start: date, end: date, by: str,
                     settings: TimeInCareSettings) -> pl.DataFrame:
    if (start, end) not in public_cohorts(store):
        raise privacy.NotPublished(
            f"Public time-in-care curves are shown only for children entering care in a whole "
            f"published fiscal year; {start:%d %b %Y} to {end:%d %b %Y} is not one of them.")
    as_of = as_of_date(store)
    rows = _entries(cohort_rows(store, start, end, as_of), "p1")
    reported = [m for m in settings.public_months if m <= followed_months(end, as_of)]
    frame = _survival_frame(rows, by, settings).filter(
        (pl.col("exit_type") == settings.public_curve) & pl.col("month").is_in(reported))
    if not reported:
        return frame
    threshold = privacy.load_policy().threshold
    # Groups whose P1 counts the publication hides for this period: the curve's cohort and
    # its month-12 point would undo that.
    p1 = privacy.indicator_rows(store, start, end, by=[by] if by != "all" else [],
                                indicators=["P1"]).filter(pl.col("group_by") == by)
    hidden_p1 = set(p1.filter(pl.col("numerator").is_null() | pl.col("denominator").is_null())
                    ["group_value"].to_list())
    types = list(settings.exit_types)
    counted = [types.index(t) + 1 for t in _curve_types(settings)]
    last: dict[str, int] = {}
    at_risk: dict[str, dict[int, int]] = {}
    for value, g in _groups(rows, by):
        d, c = _durations(g, settings)
        at_risk[value] = {m: int((d >= m).sum()) for m in reported}
        last[value] = 0 if value in hidden_p1 else _passing_through(d, c, reported, threshold,
                                                                     counted)
    # Complementary: at every reported month, never exactly one group of several hidden
    # (the agency's curve, published with by=all, would give it away by subtraction).
    if by != "all" and len(last) > 1:
        for i, m in enumerate(reported):
            hidden = [v for v, k in last.items() if k < m]
            shown = sorted((at_risk[v][m], v) for v, k in last.items() if k >= m)
            if len(hidden) == 1 and shown:
                last[shown[0][1]] = reported[i - 1] if i else 0
    keep = pl.DataFrame({"group_value": list(last), "_last": list(last.values())},
                        schema={"group_value": pl.String, "_last": pl.Int64})
    return (frame.join(keep, on="group_value").filter(pl.col("month") <= pl.col("_last"))
            .drop("_last").select(COLUMNS))


def _curve_types(settings: TimeInCareSettings) -> list[str]:
    """The exit types whose exits the public curve counts."""
    if settings.public_curve == "any_permanency":
        return list(settings.permanency)
    if settings.public_curve == "any_exit":
        return list(settings.exit_types)
    return [settings.public_curve]


def _passing_through(d: np.ndarray, c: np.ndarray, reported: list[int], threshold: int,
                     counted: list[int]) -> int:
    """The last reported month up to which every count the public curve rests on is 0 or
    above `threshold` (0: none).

    In the months reported every child was followed (no censoring), so the rows reveal: the
    cohort's size; at each reported month m the children still in care at its start
    (at_risk); from the at_risk of two reported months, the children leaving (in any way)
    from the earlier one up to the month before m; and from the curve's shares, the
    children leaving the curve's way from after the earlier month to the end of m. Each of
    these counts must be 0 or above the threshold; sums of them then are too.

    d: months (exit month, or months watched); c: 0 censored, k the k-th exit type;
    counted: the codes of the exit types the curve counts."""
    def ok(n: int) -> bool:
        return n == 0 or n > threshold

    if not ok(len(d)):
        return 0
    passed, prev = 0, 0
    left, mine = c > 0, np.isin(c, counted)
    for m in reported:
        counts = [int((d >= m).sum()),
                  int(((d >= max(prev, 1)) & (d < m) & left).sum()),
                  int(((d > prev) & (d <= m) & mine).sum())]
        if not all(ok(n) for n in counts):
            return passed
        passed, prev = m, m
    return passed


def public_rule_words() -> str:
    """The public rule for time-in-care curves, in plain words (numbers as digits are months,
    never people)."""
    s = load_settings()
    months = ", ".join(str(m) for m in s.public_months)
    return (f"The public curve is the share of children who reached permanency "
            f"({s.exit_words[s.public_curve].lower()}), for children entering care in a whole "
            f"fiscal year that the public figures cover, counting each child's first entry in "
            f"the year (as permanency in 12 months does). It is shown at months {months} "
            f"since removal, only for months every child in the cohort has been followed. "
            f"{privacy.suppression_words()} So a group's curve stops before the first month "
            f"at which the children still in care, or the children leaving since the last "
            f"month shown, are that few; a group whose permanency-in-12-months counts are "
            f"hidden is not shown; and when only one group would be hidden at a month, the "
            f"next smallest is hidden too, so no curve can be worked out from the others.")


# --------------------------------------------------------------------------- medians

def median_time(handle: Store | privacy.Handle, start: date, end: date, by: str = "all",
                entries: str = "all") -> pl.DataFrame:
    """The median time to permanency and to leaving care, per group, read off `survival`.

    Returns:
        Columns group_by, group_value, children (entries in the cohort; None for a public
        audience), median_permanency (the first month by whose end at least half the cohort
        had left to permanency, Aalen–Johansen), median_exit (the same for leaving care for
        any reason, Kaplan–Meier). None when the curve does not reach one half in the months
        it shows. Public audiences: read off the released curves only.
    """
    frame = survival(handle, start, end, by, entries)
    public = privacy.viewer_of(handle).public
    out = []
    for value in frame["group_value"].unique(maintain_order=True).to_list():
        g = frame.filter(pl.col("group_value") == value)

        def first_half(curve: str) -> int | None:
            hit = g.filter((pl.col("exit_type") == curve) & (pl.col("cumulative") >= 0.5))
            return int(hit["month"].min()) if hit.height else None

        first = g.filter(pl.col("month") == 1)
        out.append({"group_by": by, "group_value": value,
                    "children": None if public or not first.height else int(first["at_risk"][0]),
                    "median_permanency": first_half("any_permanency"),
                    "median_exit": first_half("any_exit")})
    schema = {"group_by": pl.String, "group_value": pl.String, "children": pl.Int64,
              "median_permanency": pl.Int64, "median_exit": pl.Int64}
    return pl.DataFrame(out, schema=schema, orient="row")


# --------------------------------------------------------------------------- placements

def placement_trajectory(handle: Store | privacy.Handle, start: date, end: date,
                         entries: str = "all") -> pl.DataFrame:
    """Where a cohort's children are at the end of each month since removal: the share in
    each placement setting and the share who have left care (trajectory.sql).

    Args:
        handle, start, end, entries: as `survival` (public audiences: P1's cohort of a
            published fiscal year).

    Returns:
        Columns month, state (a placement setting, no_placement, left_permanency or
        left_other; words in `load_settings().setting_words`), children, share (of the
        children whose state that day is known: censored stays drop out after their last
        whole month).

    Raises:
        NotPublished: a public viewer (not released to public audiences: the running counts
            of children who have left give away small month-to-month changes).
    """
    store, viewer = privacy.full(handle), privacy.viewer_of(handle)
    settings = load_settings()
    as_of = as_of_date(store)
    months = settings.months
    if viewer.public:
        # Month by month, the children who have left are a running count: two months side by
        # side give the children leaving in between, often fewer than the threshold, which
        # no per-month suppression can protect. Not published until the publication holds it.
        raise privacy.NotPublished(
            "Where children lived month by month is shown to staff only: month-to-month "
            "changes could reveal how a handful of children left care.")
    rows = _entries(cohort_rows(store, start, end, as_of), entries)
    schema = {"month": pl.Int64, "state": pl.String, "children": pl.Int64, "share": pl.Float64}
    if rows.is_empty() or months < 1:
        return pl.DataFrame(schema=schema)
    cur = store.cursor()
    try:
        prepare_cursor(cur)
        cur.execute(statement(_SQL_DIR, "macros"))
        tic = rows.select("episode_id", "removal_date", "exit_reason", "month").to_arrow()
        cur.register("tic_rows", tic)
        cur.execute("CREATE OR REPLACE TEMP TABLE tic_cohort AS SELECT * FROM tic_rows")
        counts = cur.sql(statement(_SQL_DIR, "trajectory"), params={"months": months}).pl()
        cur.execute("DROP TABLE tic_cohort")
    finally:
        cur.close()
    perm_reasons = [r for t in settings.permanency for r in settings.exit_types[t]]
    state = (pl.when(pl.col("state") == "in_care").then(pl.col("code"))
             .when(pl.col("code").is_in(perm_reasons)).then(pl.lit("left_permanency"))
             .otherwise(pl.lit("left_other")))
    order = {s: i for i, s in enumerate(settings.setting_words)}
    frame = (counts.with_columns(state.alias("state"))
             .group_by("month", "state").agg(pl.col("children").sum())
             .with_columns((pl.col("children") / pl.col("children").sum().over("month"))
                           .alias("share"))
             .with_columns(pl.col("state").replace_strict(order, default=len(order)).alias("_o"))
             .sort("month", "_o").drop("_o")
             .select(pl.col("month").cast(pl.Int64), "state", pl.col("children").cast(pl.Int64),
                     "share"))
    return frame
