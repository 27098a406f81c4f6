"""Improvement cycles as the app shows them: who may see the forms, who took part in words,
and the list of cycles as one readable table.

These were rules and wording inside the page; they live here so that the page only lays
them out, and so that they are tested without Streamlit. Editing itself is still checked by
`improvement.create_cycle` / `update_cycle` (a form hidden here would be refused there too).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import polars as pl

from cqi_core.analysis.improvement import Cycle, load_settings
from cqi_core.privacy.viewer import Viewer

__all__ = ["cycle_table", "may_edit_cycle", "participants_text"]


def may_edit_cycle(viewer: Viewer, cycle: Cycle | None = None) -> bool:
    """Whether to offer the forms: analysts, and supervisors for their own units (any cycle
    when they are not limited to units, and a new cycle, whose units they then choose)."""
    if viewer.role == "analyst":
        return True
    if viewer.role != "supervisor":
        return False
    if viewer.units is None or cycle is None:
        return True
    return bool(cycle.units) and set(cycle.units) <= set(viewer.units)


def participants_text(roles: Sequence[str], counted: bool = True) -> str:
    """Participants' roles in words: "2 youth, 1 caregiver (foster or kin)", or without the
    numbers ("youth, caregiver (foster or kin)") for a public audience, where a small number
    of people in a unit is not given."""
    words = load_settings().roles
    counts: dict[str, int] = {}
    for r in roles:
        counts[r] = counts.get(r, 0) + 1
    return ", ".join(f"{n} {words.get(r, r).lower()}" if counted else words.get(r, r).lower()
                     for r, n in counts.items()) or "not recorded"


def cycle_table(frame: pl.DataFrame, measures: Mapping[str, str], units: Mapping[str, str],
                public: bool) -> pl.DataFrame:
    """The cycles of `improvement.cycles` as the list shows them: number, title, status in
    words, dates, measure and unit names ("Whole agency" for none), the decision and who took
    part (without counts for a public audience)."""
    settings = load_settings()

    def named(column: str, names: Mapping[str, str]) -> pl.Expr:
        return (pl.col(column).list.eval(pl.element().replace_strict(dict(names),
                                                                      default=pl.element()))
                .list.join("; "))

    return frame.select(
        pl.col("cycle_id").alias("Cycle"), pl.col("title").alias("Title"),
        pl.col("status").replace_strict(settings.statuses).alias("Status"),
        pl.col("start_date").alias("Starts"), pl.col("end_date").alias("Ends"),
        named("indicators", measures).alias("Measures"),
        named("units", units).replace("", "Whole agency").alias("Units"),
        pl.col("act_decision").replace_strict(settings.act_decisions, default="not yet")
        .alias("Decision"),
        pl.col("participant_roles").map_elements(lambda r: participants_text(r.to_list(), not public),
                                                 return_dtype=pl.String)
        .alias("Who took part"))
