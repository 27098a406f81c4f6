"""The Case reviews, Voices and Codebook pages under real Streamlit (AppTest).

Expected figures are counted here straight from the sample files (case_reviews.xlsx,
feedback.csv, staff_survey.csv) with the plain rules (first reviews have no
qa_of_review_id; F1 = rated feedback rated 4 or 5), independently of the core's SQL. The
pages open on the latest fiscal year, FY2026 (October 2025 to September 2026).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from app_support import as_viewer

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
FY2026 = (date(2025, 10, 1), date(2026, 9, 30))
PAGES = ["pages/views/case_reviews.py", "pages/views/voices.py", "pages/views/codebook.py"]
PLANTED = "Maria Lopez (phone 612-555-0199, maria.lopez@example.org) said the visits at 1423 Elm Street helped."
LEAKS = ["Lopez", "612-555-0199", "maria.lopez", "1423 Elm"]


def _app(monkeypatch, db: Path, role: str = "analyst") -> AppTest:
    as_viewer(monkeypatch, role)
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)


def _open(monkeypatch, db: Path, page: str, role: str = "analyst") -> AppTest:
    at = _app(monkeypatch, db, role).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _reviews() -> pl.DataFrame:
    return pl.read_excel(SAMPLE / "case_reviews.xlsx", sheet_name="reviews", engine="openpyxl").with_columns(
        pl.col("review_date").cast(pl.Date))


def _everything_shown(at: AppTest) -> str:
    """Every piece of text the page put on screen, tables and chart specs included."""
    parts = []
    for kind in ("markdown", "caption", "text", "info", "success", "warning", "error", "title",
                 "subheader", "header", "metric"):
        parts += [str(getattr(e, "value", "")) for e in at.get(kind)]
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [c.proto.spec for c in at.get("vega_lite_chart")]
    for box in at.selectbox:
        parts += [str(o) for o in box.options]
    return "\n".join(parts)


@pytest.mark.parametrize("page", PAGES)
def test_every_review_page_renders_for_the_analyst(monkeypatch, sample_db, page):
    at = _open(monkeypatch, sample_db, page)
    assert at.title


@pytest.mark.parametrize("page", PAGES[:2])
def test_case_reviews_and_voices_render_for_a_supervisor(monkeypatch, sample_db, page):
    at = _open(monkeypatch, sample_db, page, role="supervisor")
    assert at.title and not at.error


def test_the_codebook_is_for_analysts_only(monkeypatch, sample_db):
    # Not in a supervisor's navigation, and refused when the file is started directly.
    at = _app(monkeypatch, sample_db, "supervisor").run()
    with pytest.raises(ValueError):
        at.switch_page("pages/views/codebook.py")
    at = AppTest.from_file(str(ROOT / "pages" / "views" / "codebook.py"), default_timeout=120).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["This page is for other people, so it is not part of your view of the dashboard."]
    assert not at.dataframe


def test_case_reviews_counts_first_reviews_and_their_qa_reviews(monkeypatch, sample_db):
    rv = _reviews()
    first = rv.filter(pl.col("qa_of_review_id").is_null() & pl.col("review_date").is_between(*FY2026))
    qa = rv.filter(pl.col("qa_of_review_id").is_in(first["review_id"].to_list()))
    at = _open(monkeypatch, sample_db, "pages/views/case_reviews.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Cases reviewed"] == f"{first.height:,}"
    assert metrics["With a second (quality-assurance) review"] == f"{qa.height:,}"
    assert metrics["Units"] == f"{first['unit_id'].n_unique()}"


def test_case_reviews_draws_the_heatmap_with_n_and_pages_the_narratives(monkeypatch, sample_db):
    at = _open(monkeypatch, sample_db, "pages/views/case_reviews.py")
    specs = {json.loads(c.proto.spec)["title"]: json.loads(c.proto.spec) for c in at.get("vega_lite_chart")}
    heat = specs["Share of reviews rated a strength, by item and unit"]
    assert heat["description"].startswith("Table chart of the share of case reviews")
    texts = [layer.get("encoding", {}).get("text", {}).get("field") for layer in heat["layer"]]
    assert "bottom" in texts                                   # the n=… line of every cell
    narratives = next(d.value for d in at.dataframe if "Narrative" in " ".join(map(str, d.value.columns))
                      or "text" in d.value.columns)
    assert 0 < len(narratives) <= 20                           # one page, never all of them
    assert any("How to read this" in c.value for c in at.caption)


def test_choosing_a_unit_narrows_the_case_reviews(monkeypatch, sample_db):
    at = _open(monkeypatch, sample_db, "pages/views/case_reviews.py")
    units = at.multiselect[0]
    assert units.label == "Units"
    id_of = dict(pl.read_csv(SAMPLE / "units.csv").select("unit_name", "unit_id").iter_rows())
    unit = id_of[units.options[0]]                           # options show names; values are ids
    units.select(unit).run()
    assert not at.exception
    rv = _reviews()
    first = rv.filter(pl.col("qa_of_review_id").is_null() & pl.col("review_date").is_between(*FY2026))
    want = first.filter(pl.col("unit_id") == unit).height
    assert 0 < want < first.height
    assert {m.label: m.value for m in at.metric}["Cases reviewed"] == f"{want:,}"


def test_reviewer_agreement_explains_kappa_and_lists_items(monkeypatch, sample_db):
    at = _open(monkeypatch, sample_db, "pages/views/case_reviews.py")
    assert any("Cohen's kappa" in m.value and "chance" in m.value for m in at.markdown)
    table = next(d.value for d in at.dataframe if "kappa" in d.value.columns)
    assert len(table) >= 10 and (table["pairs"] > 0).all()


def test_an_analyst_adds_a_theme_to_a_narrative_and_the_decision_is_kept(monkeypatch, sample_db_copy):
    from cqi_core import open_store
    from cqi_core.analysis.qualitative import decisions, load_codebook
    at = _open(monkeypatch, sample_db_copy, "pages/views/case_reviews.py")
    excerpt = at.selectbox(key="cr_code_pick").value
    add = next(m for m in at.multiselect if m.label == "Add themes")
    code_of = {t.name: t.code for t in load_codebook().themes}
    code = code_of[add.options[0]]                            # options show names; values are codes
    add.select(code)
    at.text_input(key="cr_code_name").input("Test Analyst")
    next(b for b in at.button if b.label == "Save my coding").click().run()
    assert not at.exception, [e.value for e in at.exception]
    kept = decisions(open_store(sample_db_copy)).filter(pl.col("excerpt_id") == excerpt)
    assert kept.select("code", "decision", "decided_by").rows() == [(code, "add", "Test Analyst")]


def test_an_analyst_approves_a_comment_for_sharing(monkeypatch, sample_db_copy):
    from cqi_core import open_store
    at = _open(monkeypatch, sample_db_copy, "pages/views/voices.py")
    excerpt = at.selectbox(key="vo_share_pick").value
    at.text_input(key="vo_share_name").input("Test Analyst")
    at.button(key="vo_share_approve").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Approved for sharing" in m.value for m in at.success)
    kept = open_store(sample_db_copy).query(
        "SELECT source_type || ':' || source_id || ':' || item AS excerpt_id, approved, decided_by "
        "FROM sharing_approvals")
    assert kept.rows() == [(excerpt, True, "Test Analyst")]


def test_voices_f1_for_the_year_matches_the_feedback_file(monkeypatch, sample_db):
    fb = pl.read_csv(SAMPLE / "feedback.csv", try_parse_dates=True).filter(
        pl.col("received_date").is_between(*FY2026) & pl.col("rating").is_not_null())
    survey = pl.read_csv(SAMPLE / "staff_survey.csv", try_parse_dates=True).filter(
        pl.col("survey_date").is_between(*FY2026) & (pl.col("comment").fill_null("").str.strip_chars() != ""))
    texts = pl.read_csv(SAMPLE / "feedback.csv", try_parse_dates=True).filter(
        pl.col("received_date").is_between(*FY2026)).height + survey.height
    at = _open(monkeypatch, sample_db, "pages/views/voices.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Feedback with a rating"] == f"{fb.height:,}"
    assert metrics["Rated 4 or 5 (F1)"] == f"{(fb['rating'] >= 4).mean():.0%}"
    assert metrics["Comments and answers"] == f"{texts:,}"
    heard = [m.value for m in at.markdown if m.value.startswith("### What we heard")]
    assert heard and "raised by" in heard[0] and "> " in heard[0]


def test_codebook_lists_every_theme_and_previews_pattern_matches(monkeypatch, sample_db):
    from cqi_core.analysis.qualitative import load_codebook
    at = _open(monkeypatch, sample_db, "pages/views/codebook.py")
    themes = at.dataframe[0].value
    assert len(themes) == len(load_codebook().themes)
    preview = at.dataframe[1].value
    assert list(preview.columns) == ["pattern", "excerpts", "problem"] and (preview["excerpts"] >= 0).all()


def _plant(db: Path) -> None:
    """Put a name, phone, e-mail and street address into the newest first review's item 1
    narrative and into the newest feedback comment."""
    con = duckdb.connect(str(db))
    rid = con.execute("SELECT review_id FROM reviews WHERE qa_of_review_id IS NULL "
                      "ORDER BY review_date DESC, review_id LIMIT 1").fetchone()[0]
    con.execute("UPDATE ratings SET comment = $t WHERE review_id = $r AND item = '1'", {"t": PLANTED, "r": rid})
    fid = con.execute("SELECT feedback_id FROM feedback ORDER BY received_date DESC, feedback_id LIMIT 1").fetchone()[0]
    con.execute("UPDATE feedback SET text = $t WHERE feedback_id = $f", {"t": PLANTED, "f": fid})
    con.close()


@pytest.mark.parametrize("page", PAGES[:2])
def test_a_supervisor_never_sees_a_planted_name_or_phone(monkeypatch, sample_db_copy, page):
    _plant(sample_db_copy)
    at = _open(monkeypatch, sample_db_copy, page, role="supervisor")
    shown = _everything_shown(at)
    assert "[phone]" in shown                                  # the planted text is on screen, redacted
    for leak in LEAKS:
        assert leak not in shown, leak
    # The same page for an analyst shows the text as written: the check above could fail.
    at = _open(monkeypatch, sample_db_copy, page, role="analyst")
    assert "612-555-0199" in _everything_shown(at)


def test_an_analyst_adds_a_theme_to_the_codebook_as_a_new_version(monkeypatch, sample_db_copy):
    from cqi_core import open_store
    from cqi_core.analysis.qualitative import load_codebook
    at = _open(monkeypatch, sample_db_copy, "pages/views/codebook.py")
    before = load_codebook(open_store(sample_db_copy)).version

    def field(label):
        return next(w for w in [*at.text_input, *at.text_area] if w.label == label)
    field("Code (lower case, words joined by _)").input("bus_passes")
    field("Name").input("Bus passes")
    field("Definition").input("Getting and using bus passes to reach school, visits and services.")
    field("Patterns (one per line: words, phrases or regular expressions)").input("bus pass(es)?")
    field("Why this change (kept with the version)").input("Youth board asked us to track it")
    at.text_input(key="cb_edit_name").input("Test Analyst")
    next(b for b in at.button if b.label == "Save as a new version").click().run()
    assert not at.exception, [e.value for e in at.exception]
    book = load_codebook(open_store(sample_db_copy))
    assert book.version == before + 1
    assert book.get("bus_passes").patterns == ("bus pass(es)?",)


def _narratives_that_applied(item: str | None = None) -> int:
    """First reviews of FY2026: their narratives of items rated a strength or an area needing
    improvement, counted from the sample workbook."""
    first = _reviews().filter(pl.col("qa_of_review_id").is_null() & pl.col("review_date").is_between(*FY2026))
    ratings = pl.read_excel(SAMPLE / "case_reviews.xlsx", sheet_name="ratings", engine="openpyxl",
                            infer_schema_length=0)
    rows = ratings.filter(pl.col("review_id").is_in(first["review_id"].to_list())
                          & pl.col("rating").is_in(["strength", "area_needing_improvement"])
                          & pl.col("comment").is_not_null())
    return rows.filter(pl.col("item") == item).height if item else rows.height


def test_themes_are_a_share_of_narratives_and_an_items_own_topic_is_not_drawn(monkeypatch, sample_db):
    at = _open(monkeypatch, sample_db, "pages/views/case_reviews.py")

    def themes_spec():
        specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
        return next(s for s in specs if s["title"].startswith("Themes in the narratives"))

    spec = themes_spec()
    assert spec["title"] == "Themes in the narratives of all items"
    bars = spec["layer"][0]
    assert bars["encoding"]["x"]["title"] == f"Share of the {_narratives_that_applied():,} narratives"
    drawn = spec["description"].split(" In nearly every")[0]
    shares = [int(p) for p in re.findall(r": (\d+)% \(", drawn)]
    # Per narrative no theme comes near every one (per review five of them were at 100%).
    assert shares and max(shares) < 90
    at.selectbox(key="cr_theme_item").select("14").run()
    assert not at.exception
    spec = themes_spec()
    assert spec["title"] == "Themes in the narratives of item 14"
    assert spec["layer"][0]["encoding"]["x"]["title"] == f"Share of the {_narratives_that_applied('14'):,} narratives"
    # Item 14 is about caseworker visits: every narrative of it carries the theme, so it is
    # named, not drawn as a bar at 100%.
    assert "not drawn: Caseworker visits" in spec["description"]


def test_the_codebook_prepares_every_coded_excerpt_only_when_asked(monkeypatch, sample_db):
    # Every coded excerpt of every source is a large table at state size: the Codebook page
    # opens without building it, and builds it (with its downloads) when the toggle is on.
    at = _open(monkeypatch, sample_db, "pages/views/codebook.py")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the coded excerpts (CSV)" not in labels
    assert {"Codebook (REFI-QDA .qdc)", "Codebook (CSV)"} <= set(labels)
    at.toggle(key="cb_coded").set_value(True).run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the coded excerpts (CSV)" in labels
    assert "Download the coded excerpts (Excel, with definitions)" in labels
