"""The agency's values and practice standards, and how the measures line up with them.

A CQI system is only as useful as its link to what the agency stands for: the same
standard should show up in what staff are taught, what is reviewed in case files and what is
reported. `values.yaml` lists the agency's values and practice standards with the case
review items that speak to each; the indicator catalog says which values each measure
serves. `alignment` puts the two together (a value with no measure stands out), and
`value_status` says how each value's measures are doing against their standards.

The values themselves, and their edits, are `cqi_core.indicators.values`.
"""

from __future__ import annotations

import math

import polars as pl

from cqi_core.indicators.catalog import Catalog
# The values themselves (data, loading and edits) live with the catalog that names them;
# these names stay importable from here for the pages and older callers.
from cqi_core.indicators.values import (VALUE_EDITABLE, VALUE_KINDS, VALUES_PATH, AgencyValue,
                                        AgencyValues, load_values, review_items,
                                        save_value_edit, value_history, value_ids)

__all__ = ["ALIGNMENT_SCHEMA", "STATUS_SCHEMA", "VALUE_EDITABLE", "VALUE_KINDS", "VALUES_PATH",
           "VALUE_STATUS_SCHEMA", "AgencyValue", "AgencyValues", "alignment", "check_values",
           "load_values", "measure_status", "review_items", "save_value_edit", "value_history",
           "value_ids", "value_status"]

ALIGNMENT_SCHEMA = {"value_id": pl.String, "value_name": pl.String, "measure_id": pl.String,
                    "measure_name": pl.String, "measure_kind": pl.String}
STATUS_SCHEMA = {"measure_id": pl.String, "measure_name": pl.String, "value": pl.Float64,
                 "standard": pl.Float64, "direction": pl.String, "status": pl.String}
VALUE_STATUS_SCHEMA = {"value_id": pl.String, "value_name": pl.String, "measures": pl.Int64,
                       "with_value": pl.Int64, "meeting": pl.Int64, "not_meeting": pl.Int64,
                       "no_standard": pl.Int64, "no_data": pl.Int64,
                       "not_meeting_ids": pl.List(pl.String)}
_REVIEW_FAMILY = "Q1"


def _item_of(measure_id: str) -> str | None:
    family, _, item = measure_id.partition(".")
    return item if family == _REVIEW_FAMILY and item else None


def alignment(catalog: Catalog, values: AgencyValues) -> pl.DataFrame:
    """One row per value × measure that serves it; a value with no measure has one row of nulls.

    Measures are catalog entries whose value_ids name the value (measure_kind "indicator")
    and the case review items the value lists (measure_kind "review_item", measure_id the
    item: "13", "12A"). A review item's strength rate (Q1.13) named by the catalog for the
    same value is shown once, as the review item.

    Columns: value_id, value_name, measure_id, measure_name, measure_kind.
    """
    rows = []
    for v in values:
        mine = []
        for e in catalog:
            if v.id in e.value_ids and _item_of(e.id) not in v.review_items:
                mine.append((e.id, e.name, "indicator"))
        for item in v.review_items:
            rid = f"{_REVIEW_FAMILY}.{item}"
            mine.append((item, catalog.entry(rid).name if rid in catalog else f"Item {item}",
                         "review_item"))
        for mid, mname, kind in mine or [(None, None, None)]:
            rows.append({"value_id": v.id, "value_name": v.name, "measure_id": mid,
                         "measure_name": mname, "measure_kind": kind})
    return pl.DataFrame(rows, schema=ALIGNMENT_SCHEMA)


def _latest_all(results: pl.DataFrame) -> dict[str, float | None]:
    r = results
    if "group_by" in r.columns:
        r = r.filter(pl.col("group_by") == "all")
    if "period_end" in r.columns:
        r = r.sort("period_end")
    out: dict[str, float | None] = {}
    for iid, value in zip(r["indicator_id"].to_list(), r["value"].to_list()):
        out[iid] = None if value is None or (isinstance(value, float) and math.isnan(value)) \
            else float(value)
    return out


def measure_status(results: pl.DataFrame, catalog: Catalog) -> pl.DataFrame:
    """Each catalog measure against its standard.

    Args:
        results: the engine's output (rows with group_by 'all' are used; with several
            periods, the latest period_end of each indicator).
        catalog: the catalog.

    Returns:
        Columns measure_id, measure_name, value, standard, direction, status; status is
        "meeting", "not_meeting", "no_standard" (a value but no standard or no direction)
        or "no_data" (no row or no value). A value exactly at the standard meets it unless
        the standard is strict.
    """
    values = _latest_all(results)
    rows = []
    for e in catalog:
        value = values.get(e.id)
        ok = e.meets(value)
        status = ("no_data" if value is None else "no_standard" if ok is None
                  else "meeting" if ok else "not_meeting")
        rows.append({"measure_id": e.id, "measure_name": e.name, "value": value,
                     "standard": e.standard, "direction": e.direction, "status": status})
    return pl.DataFrame(rows, schema=STATUS_SCHEMA)


def value_status(alignment: pl.DataFrame, results: pl.DataFrame, catalog: Catalog) -> pl.DataFrame:
    """For each value, how its measures are doing against their standards.

    A review item counts through its strength rate (item 13 → Q1.13); each measure counts
    once per value.

    Args:
        alignment: the frame from `alignment`.
        results: the engine's output filtered to group_by 'all'.
        catalog: the catalog (standards and directions).

    Returns:
        One row per value, in alignment order: value_id, value_name, measures, with_value,
        meeting, not_meeting, no_standard (a value but nothing to compare it with), no_data,
        not_meeting_ids. measures = with_value + no_data; with_value = meeting + not_meeting
        + no_standard. A value with no measure has zeros everywhere.
    """
    status = dict(zip(*measure_status(results, catalog).select("measure_id", "status")
                      .to_dict(as_series=False).values()))
    per_value: dict[str, tuple[str, list[str]]] = {}
    for r in alignment.iter_rows(named=True):
        name, ids = per_value.setdefault(r["value_id"], (r["value_name"], []))
        mid = r["measure_id"]
        if mid is None:
            continue
        mid = f"{_REVIEW_FAMILY}.{mid}" if r["measure_kind"] == "review_item" else mid
        if mid not in ids:
            ids.append(mid)
    rows = []
    for vid, (name, ids) in per_value.items():
        s = [status.get(i, "no_data") for i in ids]
        rows.append({"value_id": vid, "value_name": name, "measures": len(ids),
                     "with_value": sum(x != "no_data" for x in s),
                     "meeting": s.count("meeting"), "not_meeting": s.count("not_meeting"),
                     "no_standard": s.count("no_standard"), "no_data": s.count("no_data"),
                     "not_meeting_ids": [i for i, x in zip(ids, s) if x == "not_meeting"]})
    return pl.DataFrame(rows, schema=VALUE_STATUS_SCHEMA)


def check_values(catalog: Catalog, values: AgencyValues) -> list[str]:
    """Where the catalog and the values disagree (empty when they agree).

    A catalog entry naming an unknown value; a review item's strength rate (Q1.N) whose
    value_ids differ from the values that list item N.
    """
    problems = []
    known = set(values.ids)
    for e in catalog:
        for vid in e.value_ids:
            if vid not in known:
                problems.append(f"Catalog entry {e.id} serves {vid!r}, which is not an "
                                "agency value.")
        item = _item_of(e.id)
        if item is None:
            continue
        listed = {v.id for v in values if item in v.review_items}
        for vid in sorted(set(e.value_ids) - listed):
            problems.append(f"Catalog entry {e.id} serves {vid}, but value {vid} does not list "
                            f"review item {item}.")
        for vid in sorted(listed - set(e.value_ids)):
            problems.append(f"Value {vid} lists review item {item}, but catalog entry {e.id} "
                            f"does not name {vid}.")
    return problems
