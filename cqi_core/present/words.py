"""The words of a finding: group names, the one-line takeaway and the table of figures.

Everything here is written from figures already released for the audience, so a takeaway
or a table can only say what the audience may see; a masked cell is said in words
("hidden to protect privacy"), never as a number. The takeaway borrows the catalog's youth
sentence for each measure, the plain sentence the catalog keeps for every indicator, and
writes whole numbers up to ten in words as plain-language style has it: "about four out of
every ten young people" cannot be mistaken for a count of four people.
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl

from cqi_core.charts.findings import value_text
from cqi_core.indicators.catalog import PER_HUNDRED, CatalogEntry, youth_text
from cqi_core.indicators.latest import change_verdict, standard_verdict
from cqi_core.periods import is_months_long, plus_months
from cqi_core.privacy.suppression import few_people  # noqa: F401  (findings use it)

GROUP_TITLES = {"all": "Whole agency", "region": "Region", "age_group": "Age group",
                "sex": "Sex", "race_ethnicity": "Race and ethnicity"}
"""What each grouping is called in a chart, a table or an editor."""
HIDDEN = "hidden to protect privacy"
"""What a masked cell says, in words (never a number)."""

_LABELS = {
    "age_group": {"<1": "Under 1", "1-5": "Ages 1 to 5", "6-10": "Ages 6 to 10",
                  "11-15": "Ages 11 to 15", "16-17": "Ages 16 and 17"},
    "sex": {"female": "Girls", "male": "Boys"},
    "race_ethnicity": {"aian": "American Indian or Alaska Native", "asian": "Asian",
                       "black": "Black", "hispanic": "Hispanic or Latino",
                       "multiracial": "More than one race",
                       "nhpi": "Native Hawaiian or Pacific Islander", "white": "White"},
}
_PHRASES = {
    "age_group": {"<1": "for babies under 1", "1-5": "for children aged 1 to 5",
                  "6-10": "for children aged 6 to 10", "11-15": "for children aged 11 to 15",
                  "16-17": "for young people aged 16 and 17"},
    "sex": {"female": "for girls", "male": "for boys"},
}
_SMALL_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_SMALL_NUMBER = re.compile(r"(?<![\w.,$])(10|[1-9])(?![\w%]|[.,]\d)")


def group_label(group_by: str, value: str) -> str:
    """A group as a chart or table names it ("Ages 1 to 5", "Girls", "North Metro")."""
    if group_by == "all":
        return GROUP_TITLES["all"]
    if value == "unknown":
        return "Not recorded"
    return _LABELS.get(group_by, {}).get(value, value)


def group_phrase(group_by: str, value: str) -> str:
    """A group inside a sentence ("in North Metro", "for girls", "for Black children")."""
    if group_by == "region":
        return f"in {value}"
    if group_by in _PHRASES and value in _PHRASES[group_by]:
        return _PHRASES[group_by][value]
    if group_by == "race_ethnicity" and value != "unknown":
        if value == "multiracial":
            return "for children of more than one race"
        return f"for {group_label(group_by, value)} children"
    return f"for {group_label(group_by, value).lower()}"


def group_order(group_by: str, values: pl.Series) -> dict[str, int]:
    """Where each group goes in a chart or table: ages youngest first, the others
    alphabetically, "not recorded" last."""
    known = _LABELS.get(group_by)
    present = set(values.to_list())
    if known:
        ordered = [v for v in known if v in present] + sorted(
            v for v in present if v not in known and v != "unknown")
    else:
        ordered = sorted(v for v in present if v != "unknown")
    return {v: i for i, v in enumerate([*ordered, "unknown"])}


def figures_table(rows: pl.DataFrame, entry: CatalogEntry, first: str) -> pl.DataFrame:
    """Released rows (label, value, ci_low, ci_high, numerator, denominator, suppressed) as
    the text a table shows: masked cells in words, never as numbers."""
    out = {first: [], "Figure": [], "95% interval": [], "Numerator": [], "Denominator": []}
    for r in rows.iter_rows(named=True):
        masked = bool(r.get("suppressed"))
        out[first].append(r["label"])
        if r.get("value") is not None:
            out["Figure"].append(value_text(entry, r["value"]))
        else:
            out["Figure"].append(HIDDEN if masked else "no one counted")
        if r.get("ci_low") is not None:
            out["95% interval"].append(f"{value_text(entry, r['ci_low'])} to "
                                       f"{value_text(entry, r['ci_high'])}")
        else:
            out["95% interval"].append(HIDDEN if masked else "—")
        out["Numerator"].append(_count_text(r.get("numerator"), masked))
        out["Denominator"].append(_count_text(r.get("denominator"), masked))
    return pl.DataFrame(out, schema={c: pl.String for c in out})


def _count_text(v: float | None, masked: bool) -> str:
    if v is None:
        return HIDDEN if masked else "—"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def takeaway(entry: CatalogEntry, view: str, group_by: str, group_value: str,
             rows: pl.DataFrame) -> str:
    """A one-line takeaway in plain words, written from released figures only.

    Args:
        entry: the indicator's catalog entry (its youth sentence gives the plain words).
        view: trend or breakdown.
        group_by, group_value: whose trend (all, or region and its name), or what the
            breakdown is by.
        rows: a trend's rows of one group, one per period, oldest first (period_start,
            period_end, value, ci_low, ci_high); or a breakdown's rows (group_by,
            group_value, value, ci_low, ci_high, with the 'all' row). Masked values are null.

    Whole numbers from one to ten are written in words. A trend's takeaway says the latest
    12 months shown and compares them with the 12 months before as every page does
    (`latest.change_verdict`): "close to" unless the 95% interval of the change leaves out
    no change, else better or not as good (higher or lower for measures with no better
    direction), then the standard judged on the latest 95% interval (meets it, does not
    meet it yet, or we can't tell yet). A
    breakdown's says the agency's figure and the highest and lowest groups (groups not
    recorded are left out), noting when their intervals overlap.
    """
    if view == "trend":
        text = _trend(entry, group_by, group_value, rows)
    else:
        text = _breakdown(entry, group_by, rows)
    return _SMALL_NUMBER.sub(lambda m: _SMALL_WORDS[int(m.group(1)) - 1], text)


def period_words(start: date, end: date) -> str:
    """A period in words: "the 12 months to September 2025", or its first and last days."""
    if is_months_long(start, end, 12):
        return f"the 12 months to {end:%B %Y}"
    return f"{start:%B %-d, %Y} to {end:%B %-d, %Y}"


def _core(entry: CatalogEntry, value: float) -> str:
    text = youth_text(entry, value).strip().rstrip(".")
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _tiny(entry: CatalogEntry, change: float) -> bool:
    """True when a difference disappears at the precision shown (0.1 point, or 0.01)."""
    return abs(change) < (0.0005 if entry.unit in PER_HUNDRED else 0.005)


def _trend(entry: CatalogEntry, group_by: str, group_value: str, rows: pl.DataFrame) -> str:
    where = "" if group_by == "all" else f" in the {group_value} region"
    shown = rows.filter(pl.col("value").is_not_null())
    if shown.is_empty():
        if "suppressed" in rows.columns and rows["suppressed"].any():
            return f"The figures{where} are {HIDDEN}: the numbers are small."
        return f"There are no figures{where} for these periods yet."
    last = shown.row(-1, named=True)
    year_before = plus_months(last["period_start"], -12)
    before = shown.filter(pl.col("period_start") == year_before)
    clause = _comparison(entry, last, before.row(0, named=True) if before.height else None,
                         "the year before")
    when = period_words(last["period_start"], last["period_end"])
    judged = _STANDARD_WORDS.get(standard_verdict(entry, last["value"], last.get("ci_low"),
                                                  last.get("ci_high")), "")
    return (f"In {when}{where}, {_core(entry, last['value'])}" + (f", {clause}" if clause else "")
            + (f"; {judged}." if judged else "."))


_STANDARD_WORDS = {"meets": "it meets the standard",
                   "does not meet": "it does not meet the standard yet",
                   "can't tell yet": "we can't tell yet whether it meets the standard"}
"""The standard judged on the latest figure's 95% interval, as a takeaway's last clause."""


def _comparison(entry: CatalogEntry, now: dict, before: dict | None, then: str) -> str:
    """How the latest figure compares with `then`, as every page says it
    (`latest.change_verdict`): better or worse only when the change is more than chance."""
    verdict, _, _ = change_verdict(entry, now, before)
    if verdict is None:
        return ""
    return {"about the same": f"close to {then}", "better": f"better than {then}",
            "worse": f"not as good as {then}", "higher": f"higher than {then}",
            "lower": f"lower than {then}"}[verdict]


def _breakdown(entry: CatalogEntry, group_by: str, rows: pl.DataFrame) -> str:
    agency = rows.filter(pl.col("group_by") == "all")
    if agency.is_empty() or agency["value"][0] is None:
        masked = bool(agency.height and "suppressed" in rows.columns
                      and agency["suppressed"].any())
        return (f"The agency's figure for this period is {HIDDEN}." if masked
                else "There are no figures for this period yet.")
    a = agency.row(0, named=True)
    text = _core(entry, a["value"])
    if "period_start" in agency.columns:
        text = f"In {period_words(a['period_start'], a['period_end'])}, {text}"
    named = rows.filter((pl.col("group_by") == group_by) & (pl.col("group_value") != "unknown"))
    groups = named.filter(pl.col("value").is_not_null()).sort("value")
    hidden = named.height - groups.height
    # With a group hidden, "highest" or "lowest" could be false (the hidden one may be
    # either), so the sentence speaks only of the groups shown and says so.
    if groups.height >= 2:
        lo, hi = groups.row(0, named=True), groups.row(-1, named=True)
        if _tiny(entry, hi["value"] - lo["value"]):
            text += "; it was about the same in every group shown"
        else:
            text += (f"; {'of the groups shown, ' if hidden else ''}it was highest "
                     f"{group_phrase(group_by, hi['group_value'])} and "
                     f"lowest {group_phrase(group_by, lo['group_value'])}")
            if hi.get("ci_low") is not None and lo.get("ci_high") is not None \
                    and hi["ci_low"] <= lo["ci_high"]:
                text += " (a gap that may be chance)"
    if hidden:
        text += (". One group's figure is " if hidden == 1 else ". Some groups' figures are ") \
            + HIDDEN
    return text + "."
