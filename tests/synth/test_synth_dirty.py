"""`dirty=True`: a small, documented share of invalid rows, and nothing else changed."""

from __future__ import annotations

import polars as pl
import pytest

from cqi_core.synth import generate

BIG = ("children", "episodes", "placements", "reports", "visits")


@pytest.fixture(scope="module")
def dirty_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dirty")
    return folder, generate("tiny", folder, dirty=True)


def _text(folder, table) -> pl.DataFrame:
    return pl.read_csv(folder / f"{table}.csv", infer_schema=False)


def test_a_small_share_of_rows_is_spoiled_in_each_big_table(dirty_run, tiny_run):
    folder, summary = dirty_run
    clean_rows = tiny_run[1].rows
    for table in BIG:
        spoiled = sum(n for kind, n in summary.dirty_rows.items() if kind.startswith(f"{table}:"))
        assert 0 < spoiled <= 0.03 * clean_rows[table] + 8, table


def test_dirty_rows_include_unreadable_dates_unknown_codes_and_duplicate_keys(dirty_run):
    folder, _ = dirty_run
    visits = _text(folder, "visits")
    parsed = visits["visit_date"].str.to_date("%Y-%m-%d", strict=False)
    assert (parsed.is_null() & visits["visit_date"].is_not_null()).sum() >= 1, "unreadable dates"
    assert visits["visit_date"].null_count() >= 1, "missing required dates"
    assert not set(visits["location"].drop_nulls()) <= {"residence", "other"}, "unknown codes"
    assert visits["visit_id"].is_duplicated().any(), "duplicate keys"
    ep = _text(folder, "episodes").with_columns(pl.col("removal_date", "discharge_date").str.to_date(strict=False))
    assert (ep["discharge_date"] < ep["removal_date"]).any(), "discharge before removal"
    placements = _text(folder, "placements")
    assert not set(placements["episode_id"]) <= set(_text(folder, "episodes")["episode_id"]), "unknown episodes"


def test_dirty_rows_leave_the_rest_of_the_data_as_the_clean_run(dirty_run, tiny_run):
    clean = _text(tiny_run[0], "visits")
    dirty = _text(dirty_run[0], "visits").unique("visit_id", keep="first")
    same = clean.join(dirty, on="visit_id", suffix="_d").filter(
        pl.all_horizontal(pl.col(c).eq_missing(pl.col(f"{c}_d")) for c in clean.columns if c != "visit_id"))
    assert same.height >= 0.97 * clean.height


def test_the_readme_documents_every_kind_of_problem(dirty_run):
    folder, summary = dirty_run
    text = (folder / "README.md").read_text(encoding="utf-8")
    assert "Invalid rows added" in text
    for kind in summary.dirty_rows:
        table, description = kind.split(": ", 1)
        assert f"| {description} | {table} |" in text
    assert "flagged only" in text and "rejected" in text
