"""`generate`: write a whole synthetic agency in the canonical export format.

Order of work: the agency (units, workforce), then chunks of families (children,
episodes, placements, visits, reports, and the case reviews drawn from them), then the
agency-wide tables (population, staff survey, feedback), the review workbook and a
README that states the seed, the as-of date and the planted changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from cqi_core.synth.agency import Agency, build_agency
from cqi_core.synth.chunk import Counters, simulate_chunk, tables
from cqi_core.synth.dirty import Spoiler
from cqi_core.synth.draws import stream
from cqi_core.synth.plan import Plan, load_plan
from cqi_core.synth.readme import readme_text
from cqi_core.synth.reviews import ReviewBook
from cqi_core.synth.voices import Caseload, feedback_table, staff_survey_table
from cqi_core.synth.writer import RATING_COLUMNS, REVIEW_COLUMNS, TABLE_COLUMNS, CsvTables, write_workbook

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class PlantedChange:
    """A real change built into the data, for the dashboard to find."""

    kind: str
    """visit_drop, permanency_improvement or overdispersed_unit."""
    where: str
    """The unit name or region it applies to."""
    unit_id: str | None
    """The unit's id (None for a region)."""
    start: date | None
    """First month or first entry date the change applies to (None: all along)."""
    description: str
    """The change in plain words."""


@dataclass(frozen=True)
class GenerateSummary:
    """What `generate` wrote."""

    out: Path
    """The folder with the export."""
    size: str
    """tiny, demo or state."""
    seed: int
    """The seed: the same seed and size give byte-identical files."""
    as_of: date
    """Extraction date: no event is later."""
    history_start: date
    """First day of reports and visits."""
    rows: dict[str, int]
    """Rows per table (`reviews` and `ratings` are the two sheets of case_reviews.xlsx)."""
    planted: tuple[PlantedChange, ...]
    """The planted changes."""
    dirty: bool
    """Invalid rows were added for validation demos."""
    dirty_rows: dict[str, int] = field(default_factory=dict)
    """Rows made invalid or suspicious, per kind of problem."""


def generate(size: str, out: str | Path, seed: int = 20261121, dirty: bool = False,
             progress: Progress | None = None) -> GenerateSummary:
    """Write a synthetic agency into `out` in the canonical export format.

    Args:
        size: "demo" (about 8,000 children, the committed sample) or "state" (about
            200,000 children, millions of rows; generated in chunks).
        out: folder to write; created when missing. Files of the same name are replaced.
        seed: random seed; the same seed and size give byte-identical files.
        dirty: add a realistic share of invalid rows (bad dates, unknown codes,
            duplicates, overlaps…) for demonstrations of the validation report.
        progress: called with (message, fraction done from 0 to 1).

    Returns:
        Row counts, dates and the planted changes.

    Raises:
        ValueError: `size` is not a known size.
    """
    plan = load_plan(size)
    report = progress or (lambda message, fraction: None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    report("Building the agency and its workforce", 0.0)
    agency = build_agency(plan, seed)
    csv = CsvTables(out)
    spoil = Spoiler(plan, seed, agency) if dirty else None

    def put(table: str, frame: pl.DataFrame) -> None:
        csv.append(table, spoil.table(table, frame) if spoil else frame)

    put("units", pl.DataFrame({"unit_id": agency.unit_id, "unit_name": agency.unit_name,
                               "region": [agency.region[r] for r in agency.unit_region]}))
    put("workers", agency.workers)

    total = plan.settings["children"]
    per_chunk = plan.settings["chunk_children"]
    n_chunks = max(1, math.ceil(total / per_chunk))
    book = ReviewBook(plan, agency, seed, n_chunks)
    counters = Counters()
    caseload = Caseload(plan, agency)
    for i in range(n_chunks):
        n = min(per_chunk, total - i * per_chunk)
        report(f"Simulating families, part {i + 1} of {n_chunks}", 0.05 + 0.8 * i / n_chunks)
        chunk = simulate_chunk(plan, agency, seed, i, n, counters)
        book.add_chunk(chunk)
        caseload.add(chunk)
        for table, frame in tables(plan, agency, chunk, counters).items():
            put(table, frame)
        del chunk

    report("Writing population, staff survey and feedback", 0.87)
    put("population", population_table(plan, agency, seed, counters))
    put("staff_survey", staff_survey_table(plan, agency, seed, caseload))
    put("feedback", feedback_table(plan, agency, seed))

    report("Writing the case review workbook", 0.92)
    review_sheet, rating_sheet = book.sheets()
    if spoil:
        review_sheet, rating_sheet = spoil.reviews(review_sheet, rating_sheet)
    write_workbook(out / "case_reviews.xlsx", {"reviews": (REVIEW_COLUMNS, review_sheet),
                                               "ratings": (RATING_COLUMNS, rating_sheet)}, plan.as_of_date)
    rows = {t: csv.rows[t] for t in TABLE_COLUMNS}
    rows["reviews"], rows["ratings"] = len(review_sheet), len(rating_sheet)
    summary = GenerateSummary(out=out, size=size, seed=seed, as_of=plan.as_of_date,
                              history_start=plan.history_start_date, rows=rows,
                              planted=planted_changes(plan, agency), dirty=dirty,
                              dirty_rows=dict(spoil.counts) if spoil else {})
    (out / "README.md").write_text(readme_text(plan, summary, spoil), encoding="utf-8")
    report("Done", 1.0)
    return summary


def planted_changes(plan: Plan, agency: Agency) -> tuple[PlantedChange, ...]:
    """The planted changes of this size, in plain words."""
    p = plan["planted"]
    vd, pi, od = p["visit_drop"], p["permanency_improvement"], p["overdispersed_unit"]
    drop = agency.unit_name[agency.visit_drop_unit]
    over = agency.unit_name[agency.overdispersed]
    region = agency.region[agency.improving_region]
    y, m = (int(x) for x in str(vd["from_month"]).split("-"))
    since = date.fromisoformat(str(pi["entries_from"]))
    return (
        PlantedChange("visit_drop", drop, agency.unit_id[agency.visit_drop_unit], date(y, m, 1),
                      f"Monthly caseworker visits in {drop} ({agency.unit_id[agency.visit_drop_unit]}) drop "
                      f"from about {vd['before']:.0%} of children visited each month to about "
                      f"{vd['after']:.0%} from {date(y, m, 1):%B %Y} onward."),
        PlantedChange("permanency_improvement", region, None, since,
                      f"In the {region} region, children who enter care on or after {since:%B} {since.day}, {since.year} "
                      f"go home (reunification, or to relatives) about "
                      f"{1 - pi['reunification_time_factor']:.0%} sooner, so permanency in 12 months (P1) rises "
                      f"for entry cohorts from then on."),
        PlantedChange("overdispersed_unit", over, agency.unit_id[agency.overdispersed], None,
                      f"{over} ({agency.unit_id[agency.overdispersed]}) serves about {od['cases']:.1f} times the "
                      f"families of an ordinary unit with only {od['staff']:.1f} times the caseworkers: much "
                      f"larger caseloads, more staff turnover, lower and far more variable month-to-month "
                      f"visit completion, slower investigation starts and lower staff survey scores."),
    )


def population_table(plan: Plan, agency: Agency, seed: int, counters: Counters) -> pl.DataFrame:
    """Child population per region and year, sized so the entry rate is near the plan's."""
    pp = plan["population"]
    rng = stream(seed, plan.size, "population")
    years = list(range(plan.history_start_date.year, plan.as_of_date.year + 1))
    full = [y for y in years if date(y, 1, 1) >= plan.history_start_date and date(y, 12, 31) <= plan.as_of_date]
    rows = []
    for r, region in enumerate(agency.region):
        entries = [counters.entries.get((r, y), 0) for y in full] or [1]
        base = max(np.mean(entries), 1.0) / pp["entries_per_1000"] * 1000
        for y in years:
            drift = (1 + pp["yearly_change"]) ** (y - years[0])
            rows.append((region, y, int(round(base * drift * (1 + rng.normal(0, pp["noise"])), -1))))
    return pl.DataFrame(rows, schema={"region": pl.String, "year": pl.Int64, "child_population": pl.Int64},
                        orient="row")
