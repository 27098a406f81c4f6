"""The shape of the app, read from its files (no Streamlit run): a short router, page scripts
in a folder Streamlit does not discover, every page named in the page table and guarded by
its own name, small files, and no reaching into Streamlit's internals."""

from __future__ import annotations

import ast
from pathlib import Path

from pages import _nav

ROOT = Path(__file__).resolve().parents[2]
VIEWS = ROOT / "pages" / "views"
TABLE = {file for pages in _nav.PAGES.values() for file, *_ in pages}


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_files_are_short():
    """STYLE.md: a page, with its widgets, under ~150 lines; app.py a router of ~60."""
    long = {str(p.relative_to(ROOT)): _lines(p) for p in sorted((ROOT / "pages").rglob("*.py"))
            if p.name != "_shared.py" and _lines(p) > 160}
    assert long == {}
    assert _lines(ROOT / "pages" / "_shared.py") <= 250
    assert _lines(ROOT / "app.py") <= 70


def test_page_scripts_live_only_in_views_and_match_the_table():
    # Streamlit's older multipage style runs any pages/*.py beside the main script on its
    # own; only the underscore glue may be there, never a page.
    assert [p.name for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_")] == []
    assert {p.name for p in VIEWS.glob("*.py")} == TABLE
    assert all(_nav.script(f) == f"pages/views/{f}" and (ROOT / _nav.script(f)).exists()
               for f in TABLE)


def test_every_page_guards_itself_with_its_own_name():
    for path in sorted(VIEWS.glob("*.py")):
        calls = [n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and n.func.attr == "require_router"]
        assert len(calls) == 1, path.name
        assert [a.value for a in calls[0].args] == [path.name], path.name


def test_no_file_reaches_into_streamlit_internals_or_the_call_stack():
    files = [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py"))]
    wrong = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            wrong += [f"{path.name}: {n}" for n in names
                      if n == "inspect" or (n.startswith("streamlit.")
                                            and not n.startswith("streamlit.testing"))]
    assert wrong == []
