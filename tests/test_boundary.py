"""The core never imports the UI framework (the dependency arrow points one way)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_importing_cqi_core_and_every_public_name_does_not_import_streamlit():
    code = (
        "import sys, cqi_core\n"
        "for name in cqi_core.__all__: getattr(cqi_core, name)\n"
        "import cqi_core.cli, cqi_core.charts.base, cqi_core.synth\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_module_in_cqi_core_mentions_streamlit_imports():
    offenders = [p.name for p in (ROOT / "cqi_core").rglob("*.py")
                 if "import streamlit" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_pages_run_no_sql():
    """Pages are thin: no SQL text in a page (the shared glue may ask the store for a version)."""
    pages = sorted((ROOT / "pages" / "views").glob("*.py"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8").upper()
        assert "SELECT " not in text and ".QUERY(" not in text, page.name


def _core_imports(path: Path) -> list[str]:
    """Every way `path` reaches into cqi_core other than its public names, one line each:
    an import of a submodule (`import cqi_core.x`, `from cqi_core.x import y`,
    `from cqi_core import x` when x is a module) or of a name not in `cqi_core.__all__`."""
    import ast
    import importlib.util

    import cqi_core

    public = set(cqi_core.__all__)
    wrong = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            wrong += [f"line {node.lineno}: import {a.name}" for a in node.names
                      if a.name.startswith("cqi_core.")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "cqi_core":
            if node.module != "cqi_core":
                wrong.append(f"line {node.lineno}: from {node.module} import ...")
                continue
            for a in node.names:
                is_module = importlib.util.find_spec(f"cqi_core.{a.name}") is not None \
                    if a.name != "*" else False
                if a.name not in public or is_module:
                    wrong.append(f"line {node.lineno}: from cqi_core import {a.name}")
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == "cqi_core" and node.attr not in public):
            wrong.append(f"line {node.lineno}: cqi_core.{node.attr}")
    return wrong


def test_the_app_uses_only_the_public_names_of_cqi_core():
    """STYLE.md: pages call only the public names of cqi_core, which are its `__all__`."""
    files = [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py"))]
    wrong = {str(p.relative_to(ROOT)): w for p in files if (w := _core_imports(p))}
    assert wrong == {}


def test_the_public_name_check_sees_a_deep_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import cqi_core\nimport cqi_core.cli\nfrom cqi_core.analysis import trends\n"
                   "from cqi_core import privacy, CQIError, not_a_name\n"
                   "x = cqi_core.build_series\ny = cqi_core.analysis\n")
    assert _core_imports(bad) == [
        "line 2: import cqi_core.cli", "line 3: from cqi_core.analysis import ...",
        "line 4: from cqi_core import privacy", "line 4: from cqi_core import not_a_name",
        "line 6: cqi_core.analysis"]


def test_every_public_name_is_imported_explicitly_and_shadows_no_submodule():
    """`__all__` is exactly the names bound in cqi_core/__init__.py by its imports (no table
    read at run time), and none of them is also a submodule of the package."""
    import ast

    import cqi_core

    tree = ast.parse((ROOT / "cqi_core" / "__init__.py").read_text(encoding="utf-8"))
    bound = {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom)
             and n.module != "__future__" for a in n.names}
    assert sorted(cqi_core.__all__) == sorted(bound)
    assert len(cqi_core.__all__) == len(set(cqi_core.__all__))
    assert not hasattr(cqi_core, "__getattr__")
    submodules = {p.stem for p in (ROOT / "cqi_core").glob("*.py")} | {
        p.name for p in (ROOT / "cqi_core").iterdir() if (p / "__init__.py").exists()}
    assert not set(cqi_core.__all__) & submodules
