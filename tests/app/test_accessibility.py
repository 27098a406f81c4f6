"""Every chart and every table has an accessible description.

Each page is opened as an analyst (the audience that sees the most tables) through the router,
as a person would open it. A table is described by a caption that starts with "**Table:**",
written just before it by `ui.show_table` / `ui.edit_table`; a chart has a title in words and a
"How to read this" line under it. A static check keeps pages from calling the table elements
directly, so a new table cannot skip its description.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_support import open_page

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(p.name for p in (ROOT / "pages" / "views").glob("*.py"))
TABLE_CAPTION = "**Table:**"
HOW_TO_READ = "How to read this"
# A direct call of a table element, on `st` or on a container (`col.dataframe(...)`).
DIRECT_TABLE = re.compile(r"\.(dataframe|data_editor)\(|\bst\.table\(")


@pytest.fixture(scope="module")
def db(series_db) -> Path:
    return series_db


def _open_as_analyst(monkeypatch, db: Path, page: str) -> AppTest:
    return open_page(monkeypatch, db, page, "analyst")


def _title(spec: dict) -> str:
    """The chart's title in words: its own, or (for a layered or joined chart) a part's."""
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    if title and str(title).strip():
        return str(title)
    for key in ("layer", "concat", "hconcat", "vconcat"):
        for part in spec.get(key) or []:
            found = _title(part)
            if found:
                return found
    return ""


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if isinstance(c.value, str)]


@pytest.mark.parametrize("page", PAGES)
def test_every_table_and_chart_on_a_page_is_described(monkeypatch, db, page):
    at = _open_as_analyst(monkeypatch, db, page)
    assert not at.exception, [e.value for e in at.exception]
    captions = _captions(at)
    described = sum(c.startswith(TABLE_CAPTION) for c in captions)
    assert described >= len(at.dataframe), (
        f"{page}: {len(at.dataframe)} tables but {described} table descriptions")
    charts = at.get("vega_lite_chart")
    untitled = [i for i, chart in enumerate(charts) if not _title(json.loads(chart.proto.spec))]
    assert untitled == [], f"{page}: charts {untitled} have no title"
    how_to_read = sum(HOW_TO_READ in c for c in captions)
    assert how_to_read >= len(charts), (
        f"{page}: {len(charts)} charts but {how_to_read} 'How to read this' lines")


def test_the_check_counts_tables_and_charts_on_a_page_that_has_both(monkeypatch, db):
    # The case reviews page has charts and tables for an analyst: the check above is not
    # passing because it found nothing to count.
    at = _open_as_analyst(monkeypatch, db, "case_reviews.py")
    assert len(at.dataframe) >= 2
    assert len(at.get("vega_lite_chart")) >= 1
    first = next(c for c in _captions(at) if c.startswith(TABLE_CAPTION))
    assert len(first) > len(TABLE_CAPTION) + 20  # a sentence, not an empty label


def test_no_page_calls_a_table_element_directly():
    direct = [f"{path.name}:{n}" for path in sorted((ROOT / "pages").rglob("*.py"))
              if path.name != "_shared.py"
              for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
              if DIRECT_TABLE.search(line)]
    assert direct == [], "use ui.show_table / ui.edit_table with a description: " + ", ".join(direct)


def test_the_static_check_recognises_a_direct_call():
    assert DIRECT_TABLE.search('    st.dataframe(table, hide_index=True)')
    assert DIRECT_TABLE.search('left.data_editor(rows)')
    assert DIRECT_TABLE.search('st.table(frame)')
    assert not DIRECT_TABLE.search('ui.show_table(p.fit.table(), "One row per term.")')
    assert not DIRECT_TABLE.search('pl.DataFrame(rows)')
