"""Facts about the committed sample agency, computed straight from its CSV files with the
plain rules of INDICATORS.md, independently of the core's SQL. Tests compare the app with
these."""

from __future__ import annotations

from pathlib import Path

import polars as pl

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def expected_home_figures(sample: Path = SAMPLE) -> dict:
    """as_of = latest date in the event tables; in_care = distinct children with an episode
    where removal_date <= as_of and (discharge_date is missing or after as_of)."""
    ep = pl.read_csv(sample / "episodes.csv", infer_schema=False).with_columns(
        pl.col("removal_date").str.to_date(), pl.col("discharge_date").str.to_date())
    dates = [ep["removal_date"].max(), ep["discharge_date"].max()]
    for table, col in [("placements", "start_date"), ("placements", "end_date"),
                       ("reports", "report_date"), ("visits", "visit_date")]:
        dates.append(pl.read_csv(sample / f"{table}.csv", columns=[col], infer_schema=False)
                     [col].str.to_date().max())
    as_of = max(d for d in dates if d is not None)
    in_care = ep.filter((pl.col("removal_date") <= as_of)
                        & (pl.col("discharge_date").is_null() | (pl.col("discharge_date") > as_of)))
    return {"as_of": as_of, "in_care": in_care["child_id"].n_unique()}


def sample_row_counts(sample: Path = SAMPLE) -> dict[str, int]:
    """Data rows per table in the sample files (header rows not counted)."""
    from openpyxl import load_workbook

    counts = {p.stem: pl.read_csv(p, infer_schema=False).height for p in sample.glob("*.csv")}
    wb = load_workbook(sample / "case_reviews.xlsx", read_only=True)
    for sheet in ("reviews", "ratings"):
        counts[sheet] = sum(1 for row in wb[sheet].iter_rows(min_row=2, values_only=True)
                            if any(v is not None for v in row))
    return counts


def same_day_discharges(sample: Path = SAMPLE) -> int:
    """Episodes whose discharge_date equals their removal_date."""
    ep = pl.read_csv(sample / "episodes.csv", infer_schema=False)
    return ep.filter(pl.col("discharge_date") == pl.col("removal_date")).height
