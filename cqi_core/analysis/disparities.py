"""Disparities: how each group of children fares on one indicator, as a ratio to a reference.

`disparities` computes the indicator by a grouping of the engine (race/ethnicity, sex, age
group …) for one period and sets each group's figure against a reference: the whole agency
or one group. The ratio carries a 95% interval on the log scale, and every row reads in
plain words ("1.8 times the agency rate; the interval excludes 1"). `describe` says what
the table shows in a few sentences. Public audiences get the table through
`privacy.release`: small groups masked, and the groups add up to the agency row.

Intervals for the ratio R = group value / reference value, exp(log R ± 1.96·sqrt(V)):
    a group against another group (independent samples)
        proportions, the Katz log risk-ratio interval: V = 1/a − 1/n + 1/c − 1/m;
        rates, the log rate-ratio interval: V = 1/a + 1/c
        (a, c events; n, m children or days).
    a group against the whole agency, which contains it
        the two figures share the group's own children, so the independent-samples formulas
        overstate V. We use the delta method with the group and the rest of the agency as
        the independent parts (b = A − a events, m' = N − n): for proportions
        V = (1/a − 1/A)²·a(1 − a/n) + b(1 − b/m')/A², and for rates V = 1/a − 1/A. A group
        that is most of the agency gets a narrow interval around 1, as it should. (The
        agency row against a reference group uses the same formula: log(A/N ÷ c/m) is minus
        the group's.)
A group with no events has ratio 0 and no interval (the log scale has no room for it).
"""

from __future__ import annotations

import math
from datetime import date

import polars as pl

from cqi_core import privacy
from cqi_core.errors import CQIError
from cqi_core.indicators.catalog import CatalogEntry, load_catalog
from cqi_core.indicators.display import format_value
from cqi_core.indicators.engine import IndicatorConfig, compute, load_config
from cqi_core.indicators.intervals import Z95
from cqi_core.storage.store import Store
from cqi_core.analysis.voices import GROUP_WORDS as SOURCE_WORDS

GROUPINGS = ("race_ethnicity", "sex", "age_group", "source_group")
"""Groupings a disparity table can use (the engine's groupings of children or sources)."""
GROUPING_WORDS = {"race_ethnicity": "Race/ethnicity", "sex": "Sex", "age_group": "Age group",
                  "source_group": "Who gave feedback"}
GROUP_WORDS = {
    "race_ethnicity": {"white": "White", "black": "Black", "hispanic": "Hispanic",
                       "aian": "American Indian or Alaska Native", "asian": "Asian",
                       "nhpi": "Native Hawaiian or Pacific Islander",
                       "multiracial": "Two or more races", "unknown": "Not recorded"},
    "sex": {"female": "Female", "male": "Male", "unknown": "Not recorded"},
    "age_group": {"<1": "Under 1", "1-5": "Ages 1-5", "6-10": "Ages 6-10",
                  "11-15": "Ages 11-15", "16-17": "Ages 16-17", "unknown": "Not recorded"},
    "source_group": {**SOURCE_WORDS, "unknown": "Not recorded"},
}
"""How each group value is named on screen."""
AGENCY = "all"
"""group_value of the agency row (the total the groups add up to)."""
COLUMNS = ("group_by", "group_value", "numerator", "denominator", "value", "ci_low", "ci_high",
           "reference_value", "ratio", "ratio_low", "ratio_high", "reading")
DERIVED = ("value", "ci_low", "ci_high", "reference_value", "ratio", "ratio_low", "ratio_high",
           "reading")
"""Columns computed from the counts: masked with them for public audiences."""
_RATIO = ("reference_value", "ratio", "ratio_low", "ratio_high")


def indicators() -> list[str]:
    """Indicator ids that can be compared across groups: proportions and rates the engine
    breaks down by at least one of `GROUPINGS`, in catalog order."""
    return [i for c in load_config().values() if c.kind in ("proportion", "rate")
            and any(g in c.groupings for g in GROUPINGS) for i in c.ids]


def groupings(indicator_id: str) -> list[str]:
    """The groupings of `GROUPINGS` this indicator is broken down by."""
    cfg = _config(indicator_id)
    return [g for g in GROUPINGS if g in cfg.groupings]


def group_label(by: str, value: str) -> str:
    """A group in words ("American Indian or Alaska Native"); the agency row is "Whole agency"."""
    if value == AGENCY:
        return "Whole agency"
    return GROUP_WORDS.get(by, {}).get(value, value)


def _config(indicator_id: str) -> IndicatorConfig:
    for cfg in load_config().values():
        if indicator_id in cfg.ids:
            return cfg
    raise CQIError(f"There is no indicator {indicator_id!r}.")


def log_ratio_variance(a: float, n: float, c: float, m: float, kind: str,
                       nested: bool) -> float | None:
    """Variance of log(group value / reference value) (see the module docstring).

    Args:
        a, n: the group's events and denominator.
        c, m: the reference's events and denominator (the whole agency when `nested`).
        kind: proportion or rate.
        nested: the reference contains the group (the whole agency).

    Returns:
        The variance, or None when a count is zero and the log scale has no interval.
    """
    if a <= 0 or c <= 0 or n <= 0 or m <= 0:
        return None
    if not nested:
        return 1 / a - 1 / n + 1 / c - 1 / m if kind == "proportion" else 1 / a + 1 / c
    if kind != "proportion":
        return max(1 / a - 1 / c, 0.0)
    b, rest = c - a, m - n
    own = (1 / a - 1 / c) ** 2 * a * (1 - a / n)
    others = b * (1 - b / rest) / c ** 2 if rest > 0 else 0.0
    return own + others


def _reading(ratio: float | None, low: float | None, high: float | None, ref_words: str,
             kind: str, is_reference: bool, has_data: bool) -> str:
    noun = "rate" if kind == "rate" else "figure"
    if not has_data:
        return "No children counted in this group in the period."
    if is_reference:
        return "The reference group."
    if ratio is None:
        return f"No ratio: {ref_words} has no events to compare with."
    if ratio == 0:
        return f"No events in this group, against some in {ref_words}; no interval on the ratio."
    text = f"{ratio:.2f} times {ref_words} {noun}"
    if low is None:
        return text + "."
    if low > 1 or high < 1:
        return text + f" (95% interval {low:.2f} to {high:.2f}); the interval excludes 1."
    return text + (f" (95% interval {low:.2f} to {high:.2f}); the interval includes 1, so "
                   "the difference may be chance.")


def disparities(store: Store | privacy.Handle, indicator_id: str, start: date, end: date,
                by: str = "race_ethnicity", reference: str = "agency") -> pl.DataFrame:
    """Each group's figure as a ratio to the agency's (or one group's), with a 95% interval.

    Args:
        store: the database, or a handle whose viewer decides what is released.
        indicator_id: a proportion or rate indicator the engine breaks down by `by`.
        start, end: the period, both days included.
        by: race_ethnicity, sex, age_group or source_group.
        reference: "agency" (the whole agency) or one group value of `by`.

    Returns:
        One row per group (the engine's order, "unknown" included: every child is in one
        group), then the agency row (group_value "all", the total the groups add up to):
        group_by, group_value, numerator, denominator, value, ci_low, ci_high (the engine's
        Wilson or exact Poisson interval), reference_value, ratio, ratio_low, ratio_high,
        reading. Values are on the engine's scale. Public audiences get small counts and
        everything computed from them masked, and a `suppressed` column; when the reference
        group itself is masked, no ratio is shown at all.

    Raises:
        CQIError: an unknown indicator, one that is not a proportion or a rate, a grouping
            it does not have, or a reference group with no children in the period.
    """
    db, viewer = privacy.full(store), privacy.viewer_of(store)
    cfg = _config(indicator_id)
    entry = load_catalog(db).entry(indicator_id)
    if cfg.kind not in ("proportion", "rate"):
        raise CQIError(f"{entry.name} is a {cfg.kind}, not a proportion or a rate, so groups "
                       "cannot be compared as ratios.")
    if by not in GROUPINGS or by not in cfg.groupings:
        allowed = [GROUPING_WORDS[g].lower() for g in GROUPINGS if g in cfg.groupings]
        raise CQIError(f"{entry.name} cannot be broken down by {by!r}"
                       + (f"; choose {', '.join(allowed)}." if allowed else "."))
    # Staff: computed in full (every ratio needs its reference's counts). Public: from the
    # publication, so every ratio rests on published counts only.
    rows = compute(store if viewer.public else db, start, end, by=[by], indicators=[indicator_id])
    table = pl.concat([rows.filter(pl.col("group_by") == by),
                       rows.filter(pl.col("group_by") == "all").with_columns(
                           pl.lit(by).alias("group_by"))], how="vertical_relaxed")
    return _release(ratios(table, cfg.kind, reference), viewer, reference)


def ratios(table: pl.DataFrame, kind: str, reference: str = "agency") -> pl.DataFrame:
    """Each row's ratio to the reference, its 95% interval and its reading.

    Args:
        table: group rows in the engine's shape (group_by, group_value, numerator,
            denominator, value, ci_low, ci_high) and the agency row (group_value "all").
        kind: proportion or rate (which interval).
        reference: "agency" or one group value.

    Raises:
        CQIError: the reference group is not in the table.
    """
    by = table["group_by"][0]
    ref_key = AGENCY if reference == "agency" else reference
    ref = table.filter(pl.col("group_value") == ref_key)
    if ref.height and ref["denominator"][0] is None:
        raise CQIError(f"The {group_label(by, reference)!r} group's figure is hidden to protect "
                       "privacy, so nothing can be compared with it; choose another reference.")
    if ref.is_empty() or not ref["denominator"][0]:
        raise CQIError(f"There are no {group_label(by, reference)!r} children in the period to "
                       "compare with; choose another reference group.")
    c, m, ref_value = (ref.row(0, named=True)[k] for k in ("numerator", "denominator", "value"))
    ref_words = ("the agency" if reference == "agency"
                 else f"the {group_label(by, reference)} group's")
    out = []
    for r in table.iter_rows(named=True):
        is_ref = r["group_value"] == ref_key
        ratio = low = high = None
        if is_ref:
            ratio = 1.0
        elif r["value"] is not None and ref_value:
            ratio = r["value"] / ref_value
            if r["group_value"] == AGENCY:  # the agency against a group it contains
                var = log_ratio_variance(c, m, r["numerator"], r["denominator"], kind, nested=True)
            else:
                var = log_ratio_variance(r["numerator"], r["denominator"], c, m, kind,
                                         nested=reference == "agency")
            if var is not None and ratio > 0:
                half = Z95 * math.sqrt(var)
                low, high = ratio * math.exp(-half), ratio * math.exp(half)
        hidden = r["denominator"] is None or (r["value"] is None and r["numerator"] is None)
        out.append({**{k: r[k] for k in COLUMNS[:7]}, "reference_value": ref_value,
                    "ratio": ratio, "ratio_low": low, "ratio_high": high,
                    "reading": ("hidden to protect privacy" if hidden and not is_ref else
                                _reading(ratio, low, high, ref_words, kind, is_ref,
                                         bool(r["denominator"])))})
    schema = {k: table.schema[k] for k in COLUMNS[:7]}
    return pl.DataFrame(out, schema={**schema, "reference_value": pl.Float64,
                                     "ratio": pl.Float64, "ratio_low": pl.Float64,
                                     "ratio_high": pl.Float64, "reading": pl.String})


def _release(frame: pl.DataFrame, viewer: privacy.Viewer, reference: str) -> pl.DataFrame:
    shown = privacy.release(frame, viewer, counts=["numerator", "denominator"],
                            derived=list(DERIVED),
                            margins=[privacy.Margin(by=(), total=pl.col("group_value") == AGENCY)])
    if privacy.SUPPRESSED not in shown.columns:
        return shown
    ref_value = AGENCY if reference == "agency" else reference
    ref_hidden = shown.filter((pl.col("group_value") == ref_value) & pl.col(privacy.SUPPRESSED))
    if ref_hidden.height:
        shown = shown.with_columns(*[pl.lit(None, dtype=pl.Float64).alias(c) for c in _RATIO],
                                   pl.lit("Not shown: the reference group is too small to "
                                          "publish.").alias("reading"))
    return shown.with_columns(
        pl.when(pl.col(privacy.SUPPRESSED))
        .then(pl.lit("Not shown: too few children to publish (or it could be worked out from "
                     "the groups that are)."))
        .otherwise(pl.col("reading")).alias("reading"))


def describe(frame: pl.DataFrame, entry: CatalogEntry, reference: str = "agency") -> list[str]:
    """What a disparity table shows, in a few plain sentences."""
    if frame.is_empty():
        return ["There are no figures for this period."]
    by = frame["group_by"][0]
    ref_words = "the agency as a whole" if reference == "agency" \
        else f"the {group_label(by, reference)} group"
    ref_value = frame["reference_value"].drop_nulls()
    groups = frame.filter(pl.col("group_value") != AGENCY)
    out = []
    if ref_value.len():
        out.append(f"Each group is compared with {ref_words} "
                   f"({format_value(entry, ref_value[0])}).")
    else:
        out.append(f"The reference, {ref_words}, is too small to publish, so no ratios are "
                   "shown; choose the agency as the reference.")
        return out
    apart = groups.filter(pl.col("ratio_low").is_not_null()
                          & ((pl.col("ratio_low") > 1) | (pl.col("ratio_high") < 1)))
    if apart.height:
        parts = [f"{group_label(by, g)} {r:.2f} times (95% interval {lo:.2f} to {hi:.2f})"
                 for g, r, lo, hi in apart.select("group_value", "ratio", "ratio_low",
                                                  "ratio_high").iter_rows()]
        out.append(f"{apart.height} group{'s' if apart.height != 1 else ''} differ"
                   f"{'' if apart.height != 1 else 's'} from {ref_words} by more than chance "
                   f"alone would explain: {'; '.join(parts)}.")
    else:
        # With a group hidden, "no group differs" would be a claim about the hidden one too.
        hidden = privacy.SUPPRESSED in frame.columns and bool(groups[privacy.SUPPRESSED].any())
        out.append(f"No group {'whose figure is shown ' if hidden else ''}differs from "
                   f"{ref_words} by more than chance alone would explain. Small groups have "
                   "wide intervals, so this does not show that the groups fare the same.")
    way = {"higher": "Higher is better for this measure.",
           "lower": "Lower is better for this measure.",
           "none": "For this measure neither higher nor lower is better."}[entry.direction]
    out.append(way + " A ratio describes a difference; it does not say what causes it.")
    if privacy.SUPPRESSED in frame.columns and frame[privacy.SUPPRESSED].any():
        out.append("Some groups' figures are hidden to protect privacy: they rest on very "
                   "small numbers (or could be worked out from those that do), and nothing "
                   "here is said about them.")
    return out
