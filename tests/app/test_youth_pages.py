"""The youth pages under real Streamlit (AppTest), for every audience.

Each page renders for every role. Under the public audiences (youth, stakeholder) nothing on
the page, charts included, shows a count from 1 to 10 or an identifier, and every text it
shows reads at grade 8 or below without jargon. Young people's own words (approved quotes)
and the agency's area names are theirs, not ours, and are left out of the grade check.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from app_support import as_viewer
from cqi_core import open_store
from cqi_core.analysis import qualitative
from cqi_core.analysis import youth
from cqi_core.methods.readability import check_text
from public_scan import small_counts

ROOT = Path(__file__).resolve().parents[2]
TEXT = youth.load_youth_text()
PAGES = {"pages/views/youth_home.py": TEXT["home"]["title"],
         "pages/views/youth_voices.py": TEXT["voices"]["title"],
         "pages/views/youth_words.py": TEXT["words"]["title"]}
ROLES = ("analyst", "supervisor", "stakeholder", "youth")
PUBLIC = ("stakeholder", "youth")
IDENTIFIER = re.compile(r"\b[A-Z]{1,2}\d{3,}\b")  # C0000001, E…, W00036, RV000001, U001 …
TEXT_TYPES = {"title", "header", "subheader", "markdown", "caption", "info", "warning",
              "error", "success", "text"}


def _app(monkeypatch, db: Path, page: str, role: str) -> AppTest:
    monkeypatch.setenv("CQI_DB", str(db))
    monkeypatch.chdir(ROOT)
    as_viewer(monkeypatch, role)
    return AppTest.from_file(str(ROOT / page), default_timeout=120)


def _elements(node) -> list:
    out = []
    for child in (getattr(node, "children", None) or {}).values():
        out.append(child)
        out.extend(_elements(child))
    return out


def _plain(markdown: str) -> str:
    """The words a reader sees: Markdown's emphasis, heading and list marks taken out."""
    return re.sub(r"^\s*(?:#+|[-*]|>)\s+", "", re.sub(r"[*_`]", "", markdown), flags=re.M)


def _shown(at: AppTest) -> tuple[list[str], list[str], list[str]]:
    """(our words, other words, chart data values as text) on the page's main area."""
    ours, theirs, data = [], [], []
    for e in _elements(at.main):
        kind = getattr(e, "type", "")
        if kind in TEXT_TYPES:
            value = str(e.value)
            (theirs if value.startswith("> ") else ours).append(_plain(value))  # quotes: theirs
        elif kind == "expander":
            ours.append(e.label)
        elif kind == "selectbox":
            ours.append(e.label)
            theirs.extend(str(e.format_func(o)) for o in e.options)  # area names
        elif kind == "vega_lite_chart":
            spec = json.loads(e.proto.spec)
            title = spec.get("title", {}).get("text", "")
            ours.append(" ".join(title) if isinstance(title, list) else title)
            ours.append(spec.get("description", ""))
            for ds in e.proto.datasets:
                table = pa.ipc.open_stream(io.BytesIO(ds.data.data)).read_all()
                data.extend(str(v) for col in table.columns for v in col.to_pylist())
    return ours, theirs, data


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_every_youth_page_renders_for_every_role(monkeypatch, sample_db_copy, page, role):
    at = _app(monkeypatch, sample_db_copy, page, role).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == PAGES[page]


@pytest.mark.parametrize("role", PUBLIC)
@pytest.mark.parametrize("page", PAGES)
def test_public_pages_show_no_small_count_no_identifier_and_only_plain_words(
        monkeypatch, sample_db_copy, page, role):
    at = _app(monkeypatch, sample_db_copy, page, role).run()
    assert not at.exception
    ours, theirs, data = _shown(at)
    assert len(ours) > 3
    for words in [*ours, *theirs]:
        assert small_counts(words) == [], words
        assert not IDENTIFIER.search(words), words
    for words in ours:
        check = check_text(words)
        assert check.ok, (words, check.problems())
    # chart data: icon positions are half steps and states are words, never a small count
    assert not [v for v in data if re.fullmatch(r"(?:[1-9]|10)(?:\.0)?", v)]


def test_an_area_with_small_numbers_says_they_are_hidden(monkeypatch, sample_db_copy):
    at = _app(monkeypatch, sample_db_copy, "pages/views/youth_home.py", "youth").run()
    areas = at.selectbox[0].options
    hidden_somewhere = False
    for area in areas[1:]:
        at.selectbox[0].set_value(area).run()
        assert not at.exception
        assert any(area in m.value for m in at.markdown)  # "These numbers are for the … area."
        shown = [m.value for m in at.markdown]
        hidden_somewhere |= any(TEXT.hidden in v for v in shown)
        for words in shown:
            assert small_counts(words) == [], words
    assert hidden_somewhere


def test_a_year_with_few_comments_names_the_themes_without_numbers(monkeypatch, sample_db_copy):
    # The sample's latest published 12 months (October 2025 to September 2026) has no youth
    # theme with more than ten comments, so every theme is named without a number; the 12
    # months a year earlier has themes large enough to show as shares.
    at = _app(monkeypatch, sample_db_copy, "pages/views/youth_voices.py", "youth").run()
    assert not at.exception
    assert [s.value for s in at.subheader] == [TEXT["voices"]["names_only"]]
    assert not any("This came up in" in m.value for m in at.markdown)
    assert not any(getattr(e, "type", "") == "vega_lite_chart" for e in _elements(at.main))
    at.selectbox[0].set_value(1).run()
    assert not at.exception
    assert any("This came up in" in m.value for m in at.markdown)


def test_the_words_page_lists_the_glossary(monkeypatch, sample_db_copy):
    at = _app(monkeypatch, sample_db_copy, "pages/views/youth_words.py", "youth").run()
    lines = [m.value for m in at.markdown]
    for word, means in youth.glossary():
        assert f"**{word}:** {means}" in lines


def test_young_people_see_an_approved_quote_and_no_other_text(monkeypatch, sample_db_copy):
    store = open_store(sample_db_copy)
    coded = qualitative.coded_excerpts(store, source_types=["feedback"])
    youth_texts = coded.filter(coded["source_group"] == "youth")
    # the year before the latest published one, whose education theme is shown as a share
    year = youth_texts.filter(pl.col("date").is_between(date(2024, 10, 1), date(2025, 9, 30)))
    pick = year.filter(year["code"] == "education").sort("date").row(-1, named=True)
    qualitative.approve_for_sharing(store, pick["excerpt_id"], pick["text_hash"], "test analyst")
    quote = qualitative.redact(pick["text"], qualitative.sharing.agency_words(store))
    store.close()
    at = _app(monkeypatch, sample_db_copy, "pages/views/youth_voices.py", "youth").run()
    at.selectbox[0].set_value(1).run()
    assert not at.exception
    quotes = [m.value for m in at.markdown if m.value.startswith("> ")]
    assert quotes == [f"> {quote}"]
    # no comment that was not approved (a short one may repeat a sentence of the quote)
    others = {t for t in youth_texts["text"] if t not in pick["text"]}
    page = "\n".join(m.value for m in at.markdown)
    assert not [t for t in others if t in page]


def _icons(spec: dict, at_data) -> int | None:
    """How many icons a pictogram draws (None for a picture in words)."""
    if "layer" not in spec:
        return None
    table = pa.ipc.open_stream(io.BytesIO(at_data[0].data.data)).read_all()
    return table.num_rows


@pytest.mark.parametrize("page, pick", [("pages/views/youth_home.py", None),
                                        ("pages/views/youth_voices.py", 1)])
def test_every_picture_of_a_page_has_the_same_number_of_icons(monkeypatch, sample_db_copy,
                                                               page, pick):
    # youth.yaml pictures.out_of is 100: every drawn card is 100 icons (a share of 100, or
    # S1's times for every 100 years); P5, "about 16 times for every 10 years", is a box in
    # words, never 16 houses. The voices page is shown for the year before the latest,
    # whose themes have numbers.
    at = _app(monkeypatch, sample_db_copy, page, "youth").run()
    if pick is not None:
        at.selectbox[0].set_value(pick).run()
    assert not at.exception
    charts = [e for e in _elements(at.main) if getattr(e, "type", "") == "vega_lite_chart"]
    icons = [_icons(json.loads(c.proto.spec), c.proto.datasets) for c in charts]
    assert charts and {n for n in icons if n is not None} == {100}, icons
    captions = [c.value for c in at.caption]
    assert "Every picture on this page has 100 small drawings, so you can compare them." \
        in captions
    if page.endswith("youth_home.py"):
        assert icons.count(None) == 1  # P5 (every agency figure is shown in the sample)
        words = [json.loads(c.proto.spec) for c in charts if "layer" not in json.loads(c.proto.spec)]
        # the title, wrapped at 32 characters (a Vega-Lite title does not wrap on its own)
        assert words[0]["title"]["text"] == ["How often do young people new to",
                                             "care have to move?"]
    else:
        assert not any("Each speech bubble is one comment" in c for c in captions)
        assert all("speech bubbles stand for all" in c for c in captions
                   if "How to read this" in c)
