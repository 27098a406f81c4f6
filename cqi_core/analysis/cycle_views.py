"""Improvement cycles as the app shows them: who may see the forms, who took part in words,
and the list of cycles as one readable table.

These were rules and wording inside the page; they live here so that the page only lays
them out, and so that they are tested without Streamlit. Editing itself is still checked by
`improvement.create_cycle` / `update_cycle` (a form hidden here would be refused there too).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import polars as pl

from cqi_core.analysis.improvement import APPROVABLE, FIELD_WORDS, Cycle, load_settings
from cqi_core.privacy.approvals import NOT_APPROVED
from cqi_core.privacy.viewer import Viewer

__all__ = ["approval_words", "cycle_table", "decision_words", "may_edit_cycle",
           "participants_text"]


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


def decision_words(cycle: Cycle) -> str:
    """The decision in words: "Adopt …", "not yet", or for a public audience a decision whose
    approval is missing, `NOT_APPROVED`."""
    # A cycle read from the store has `approved` filled, counting an empty field as approved,
    # so a missing decision not counted there was withheld.
    if cycle.act_decision is None and cycle.cycle_id is not None \
            and "act_decision" not in cycle.approved:
        return NOT_APPROVED
    return load_settings().act_decisions.get(cycle.act_decision, "not yet")


def approval_words(cycle: Cycle) -> str:
    """For staff: which texts public audiences read as written, in one sentence."""
    shared = [FIELD_WORDS[f] for f in APPROVABLE if f in cycle.approved and getattr(cycle, f)]
    waiting = [FIELD_WORDS[f] for f in APPROVABLE if f not in cycle.approved]
    return (("Approved for public audiences: " + ", ".join(shared) + ". " if shared else "")
            + ("Public audiences read a placeholder for: " + ", ".join(waiting) + "."
               if waiting else "Every text is approved for public audiences."))


def cycle_table(frame: pl.DataFrame, measures: Mapping[str, str], units: Mapping[str, str],
                public: bool) -> pl.DataFrame:
    """The cycles of `improvement.cycles` as the list shows them: number, title, status in
    words, dates, measure and unit names ("Whole agency" for none), the decision (for a
    public audience, `NOT_APPROVED` when its approval is missing) and who took part (without
    counts for a public audience)."""
    settings = load_settings()
    decision = pl.col("act_decision").replace_strict(settings.act_decisions, default="not yet")
    if public and "approved" in frame.columns:
        withheld = (pl.col("act_decision").is_null()
                    & ~pl.col("approved").list.contains("act_decision"))
        decision = pl.when(withheld).then(pl.lit(NOT_APPROVED)).otherwise(decision)

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
        decision.alias("Decision"),
        pl.col("participant_roles").map_elements(lambda r: participants_text(r.to_list(), not public),
                                                 return_dtype=pl.String)
        .alias("Who took part"))
