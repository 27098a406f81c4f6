"""The README written next to a generated export: what it is and what was planted in it."""

from __future__ import annotations

from cqi_core.synth.plan import Plan

EDGE_CASES = (
    "short stays (discharged within 7 days), including same-day discharges",
    "trial home visits longer than 30 days before a reunification",
    "re-entries within 12 months, including same-day re-entries (removal on the day of the previous discharge)",
    "youth in care on their 18th birthday, including some born on 29 February; emancipation exits at 18 to 20",
    "reports in the first week of care (fewer than 8 days after removal)",
    "victim reports about the same child a day apart, and repeat reports within 14 days",
    "the same incident reported twice (same incident date on two reports)",
    "reports that name two or more children (same report_id, one row per child)",
    "prenatal reports (report date before the child's birth)",
    "late data entry (entered_date weeks after the visit or report)",
    "runaway placements and runaway exits",
    "a few children named on the latest reports who are not in children.csv yet",
    "a few discharged episodes with no discharge reason (flagged, not rejected)",
)


def readme_text(plan: Plan, summary, spoil) -> str:
    """Plain-language description of a generated export."""
    lines = [
        f"# Synthetic child welfare agency ({summary.size})",
        "",
        "Every person, case, unit and comment in this folder is made up by the generator in",
        "`cqi_core/synth` (`python -m cqi_core generate`). The files follow the canonical export",
        "format described in the repository's docs/DATA_CONTRACT.md and can be imported "
        "as they are.",
        "",
        f"- Seed: {summary.seed} (the same seed and size give byte-identical files)",
        f"- Size: {summary.size}",
        f"- History starts: {summary.history_start.isoformat()} (reports and visits from this day; "
        "episodes still open on it are included in full, with their earlier placements)",
        f"- As-of date (extraction date): {summary.as_of.isoformat()}; no event is later. Records entered "
        "after the as-of date are not in the files yet, so the last days are a little thin, as in a real extract.",
        "",
        "## Rows",
        "",
        "| table | rows |",
        "|---|---:|",
    ]
    lines += [f"| {t} | {n:,} |" for t, n in summary.rows.items()]
    lines += ["", "(`reviews` and `ratings` are the two sheets of `case_reviews.xlsx`. About "
              f"{plan['reviews']['qa']['share']:.0%} of the reviewed cases also have a quality-assurance "
              "review: a second, independent review of the same case, with a review_id starting QA and "
              "`qa_of_review_id` naming the first review. The case review measures count first "
              "reviews only; the pairs show how often reviewers agree. As published studies of case "
              "file reviews find, agreement is well below perfect: the QA reviewer rates about 1 "
              "item in 20 the other way where the record settles it (dates of first contact, "
              "moves, visits) and 1 in 8 to 1 in 4 where the rating is a judgement (needs and "
              "services, involvement in case planning), so Cohen's kappa differs from item to "
              "item. The rates and the studies behind them "
              "(Oltmans & Chor 2025, Child Abuse & Neglect; Camacho & Rubin 1996, Cadernos de "
              "Saúde Pública; Liddy, Wiens & Hogg 2011, Annals of Family Medicine) are in "
              "`cqi_core/synth/plan.yaml` under reviews.qa.)", "",
              "## Planted changes", "",
              "These are real changes built into the data; the dashboard should find them.", ""]
    lines += [f"{i}. {c.description}" for i, c in enumerate(summary.planted, start=1)]
    lines += ["", "Rates otherwise aim near the national references listed in the repository's "
              "docs/INDICATORS.md (P1 about 35%, "
              "P4 about 6%, P5 about 4.5 moves per 1,000 days, S2 about 10%; monthly visits, which have "
              "none, about 94%), "
              "with unit-to-unit variation and more reports (and removals) in the school months than "
              "in summer and December.", "",
              "## Edge cases present on purpose", ""]
    lines += [f"- {e}" for e in EDGE_CASES]
    if spoil is not None:
        lines += ["", "## Invalid rows added (`--dirty`)", "",
                  "About 0.5-1% of the rows were spoiled to demonstrate the validation report. "
                  "The importer should reject the first kinds and only flag the last ones.", "",
                  "| problem | table | rows | expected outcome |", "|---|---|---:|---|"]
        lines += [f"| {k.description} | {k.table} | {k.count:,} | {k.outcome} |" for k in spoil.kinds()]
    return "\n".join(lines) + "\n"
