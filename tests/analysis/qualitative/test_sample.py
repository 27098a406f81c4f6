"""The starter codebook on the committed sample agency: suggestions are not trivial.

The sample's narratives and comments are written from the themes of CFSR items and of
stakeholder voices, so the codebook should find a theme on nearly every one, and the theme
an item is about on nearly every narrative of that item.
"""

from __future__ import annotations

import polars as pl
import pytest

from cqi_core import open_store
from cqi_core.analysis import qualitative

ITEM_THEME = {
    "1": "investigation_response", "3": "safety", "4": "placement_stability",
    "5": "permanency_planning", "6": "permanency_planning", "7": "relatives_connections",
    "8": "family_time", "10": "relatives_connections", "12C": "caregiver_support",
    "13": "engagement", "14": "caseworker_visits", "15": "caseworker_visits",
    "16": "education", "17": "physical_health", "18": "mental_health",
}
"""OSRI items and the theme their narratives are about (DOMAIN.md section 3.1)."""


@pytest.fixture(scope="module")
def sample(sample_db):
    store = open_store(sample_db, read_only=True)
    try:
        return qualitative.excerpts(store), qualitative.suggest_themes(store)
    finally:
        store.close()   # other tests open the same file for writing


def test_nearly_every_applicable_text_gets_a_theme(sample):
    ex, s = sample
    applicable = ex.filter(pl.col("rating").is_null() | (pl.col("rating") != "not_applicable"))
    themed = applicable.with_columns(
        pl.col("excerpt_id").is_in(s["excerpt_id"].unique().implode()).alias("themed"))
    shares = dict(themed.group_by("source_type").agg(pl.col("themed").mean()).iter_rows())
    assert shares["case_review"] >= 0.95, shares
    assert shares["feedback"] >= 0.95, shares
    assert shares["staff_survey"] >= 0.90, shares


def test_every_starter_theme_is_suggested_somewhere(sample):
    _, s = sample
    assert set(qualitative.load_codebook().codes) <= set(s["code"])


def test_narratives_get_the_theme_of_their_item(sample):
    ex, s = sample
    rated = ex.filter((pl.col("source_type") == "case_review") & (pl.col("rating") != "not_applicable"))
    for item, code in ITEM_THEME.items():
        ids = rated.filter(pl.col("item") == item)["excerpt_id"]
        hit = s.filter(pl.col("code") == code)["excerpt_id"].implode()
        share = ids.is_in(hit).mean()
        assert share >= 0.9, (item, code, share)


def test_not_applicable_narratives_get_no_suggestions(sample):
    ex, s = sample
    na = ex.filter(pl.col("rating") == "not_applicable")["excerpt_id"].implode()
    assert na.list.len().item() > 0
    assert not s["excerpt_id"].is_in(na).any()
