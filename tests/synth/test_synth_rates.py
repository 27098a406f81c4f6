"""The committed sample looks like an agency: rates near the national figures, seasonality,
and the three planted changes. Simple versions of the indicator rules, computed here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"

PERMANENCY = ["reunification", "relative", "adoption", "guardianship"]
FY = (date(2021, 10, 1), date(2024, 9, 30))   # three complete fiscal years, follow-up complete


def _episodes(demo) -> pl.DataFrame:
    return demo["episodes"].join(demo["children"].select("child_id", "birth_date"), on="child_id").with_columns(
        b18=pl.col("birth_date").dt.offset_by("18y"),
        short=(pl.col("discharge_date") - pl.col("removal_date")).dt.total_days() < 8)


def _p1(ep: pl.DataFrame, start: date, end: date) -> float:
    cohort = (ep.filter(~pl.col("short").fill_null(False) & pl.col("removal_date").is_between(start, end))
              .sort("removal_date", "episode_id").group_by("child_id").first()
              .filter(pl.col("removal_date") < pl.col("b18")))
    hit = (pl.col("discharge_reason").is_in(PERMANENCY)
           & (pl.col("discharge_date") < pl.col("removal_date").dt.offset_by("12mo"))
           & (pl.col("discharge_date") < pl.col("b18")))
    return cohort.select(hit.fill_null(False).mean()).item()


def test_the_sample_is_small_enough_to_commit():
    size = sum(p.stat().st_size for p in SAMPLE.iterdir() if p.is_file())
    assert size <= 15 * 1024 * 1024


def test_the_sample_is_about_8000_children_over_seven_years_in_20_units(demo):
    assert 7000 <= demo["children"].height <= 9000
    assert demo["units"].height == 20 and demo["units"]["region"].n_unique() == 4
    assert demo["reports"]["report_date"].min() == date(2019, 10, 1)
    cw = demo["workers"].filter(pl.col("role") == "caseworker")
    assert cw["separation_date"].null_count() < cw.height, "caseworkers leave"
    assert cw.filter(pl.col("hire_date") > date(2020, 1, 1)).height > 50, "and are replaced"


def test_many_children_appear_only_in_reports(demo):
    in_care = set(demo["episodes"]["child_id"])
    only_reported = demo["children"].filter(~pl.col("child_id").is_in(list(in_care)))
    assert only_reported.height > 0.25 * demo["children"].height


def test_permanency_in_12_months_for_entries_is_near_the_national_35_percent(demo):
    assert 0.25 <= _p1(_episodes(demo), *FY) <= 0.45


def test_re_entry_within_12_months_is_near_the_national_6_percent(demo):
    ep = _episodes(demo)
    exits = (ep.filter(~pl.col("short").fill_null(True) & pl.col("discharge_date").is_between(*FY)
                       & pl.col("discharge_reason").is_in(["reunification", "relative", "guardianship"]))
             .sort("discharge_date", "episode_id").group_by("child_id").first()
             .filter(pl.col("discharge_date") < pl.col("b18")))
    nxt = ep.select("child_id", pl.col("removal_date").alias("again"))
    back = (exits.join(nxt, on="child_id")
            .filter((pl.col("again") > pl.col("discharge_date"))
                    & (pl.col("again") < pl.col("discharge_date").dt.offset_by("12mo")))["child_id"].n_unique())
    assert 0.02 <= back / exits.height <= 0.10


def test_monthly_visits_and_visits_at_home_are_near_the_national_practice(demo):
    v = demo["visits"].filter(pl.col("visit_date").is_between(*FY))
    assert 0.6 <= (v["location"] == "residence").mean() <= 0.8
    assert 0.8 <= ((v["entered_date"] - v["visit_date"]).dt.total_days() <= 3).mean() <= 0.95


def test_about_a_fifth_to_a_quarter_of_report_rows_are_victims(demo):
    victim = demo["reports"]["disposition"].is_in(["substantiated", "indicated"]).mean()
    assert 0.18 <= victim <= 0.28


def test_more_reports_in_school_months_than_in_summer(demo):
    month = demo["reports"]["report_date"].dt.month()
    summer = month.is_in([6, 7, 8]).sum() / 3
    autumn = month.is_in([9, 10, 11]).sum() / 3
    assert autumn > 1.15 * summer


def _unit(demo, name: str) -> str:
    return demo["units"].filter(pl.col("unit_name") == name)["unit_id"].item()


def _child_months_visited(demo, unit: str, start: date, end: date) -> float:
    ep = demo["episodes"].filter(pl.col("unit_id") == unit)
    months = pl.date_range(start, end, "1mo", eager=True).alias("m").to_frame()
    cm = ep.join(months, how="cross").filter(
        (pl.col("removal_date") <= pl.col("m"))
        & (pl.col("discharge_date").is_null() | (pl.col("discharge_date") > pl.col("m").dt.month_end())))
    seen = demo["visits"].select("child_id", pl.col("visit_date").dt.month_start().alias("m")).unique()
    return cm.join(seen.with_columns(v=pl.lit(1)), on=["child_id", "m"], how="left")["v"].is_not_null().mean()


def test_planted_visit_drop_in_alder_creek_family_services_2_from_march_2025(demo):
    unit = _unit(demo, "Alder Creek Family Services 2")
    before = _child_months_visited(demo, unit, date(2023, 3, 1), date(2025, 2, 1))
    after = _child_months_visited(demo, unit, date(2025, 3, 1), date(2026, 8, 1))
    assert before > 0.92 and after < 0.86


def test_planted_reunification_speed_up_in_high_plains_from_july_2024(demo):
    ep = _episodes(demo).join(demo["units"].select("unit_id", "region"), on="unit_id")
    plains = ep.filter(pl.col("region") == "High Plains")
    before = _p1(plains, date(2022, 7, 1), date(2024, 6, 30))
    after = _p1(plains, date(2024, 7, 1), date(2025, 9, 30))
    assert after > before + 0.08


def test_planted_large_unit_carries_a_much_larger_caseload(demo):
    day = date(2025, 6, 30)
    ep = demo["episodes"].filter((pl.col("removal_date") <= day)
                                 & (pl.col("discharge_date").is_null() | (pl.col("discharge_date") > day)))
    w = demo["workers"].filter((pl.col("role") == "caseworker") & (pl.col("hire_date") <= day)
                               & (pl.col("separation_date").is_null() | (pl.col("separation_date") > day)))
    load = (ep.group_by("unit_id").len().join(w.group_by("unit_id").len(), on="unit_id", suffix="_cw")
            .with_columns(ratio=pl.col("len") / pl.col("len_cw")))
    big = load.filter(pl.col("unit_id") == _unit(demo, "South Metro Permanency 1"))["ratio"].item()
    assert big > 1.5 * load["ratio"].median()
