"""The layer contract of `cqi_core`, read from the source (an AST walk, no import).

The arrow points one way: errors → periods/settings → storage → ingest, privacy, methods, synth
→ indicators, quality → analysis → publish → charts → exports → present → bench → cli. A package imports only
from layers below it (and from itself); packages that share a layer stay independent of
each other. Methods and charts never touch the store or the privacy gate, indicators never
reach up into analysis, there are no import cycles, and none is hidden in a function body
(only the command line imports lazily, so `generate` does not pay for the importer).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cqi_core"

LAYERS = [
    # The project's exceptions sit below everything: periods and settings raise them.
    {"errors"},
    {"periods", "settings"},
    {"storage"},
    {"ingest", "privacy", "methods", "synth"},
    {"indicators", "quality"},
    {"analysis"},
    {"publish"},  # the public publication: every indicator and theme, suppressed together
    {"charts"},
    {"exports"},
    {"present"},  # the meeting pack checks and logs its charts as every export does
    {"bench"},
    {"cli"},
    # The top: the package's public names, `python -m cqi_core`, and the stable names of
    # earlier releases (`cqi_core.spc`, `cqi_core.compare`, `cqi_core.qualitative`), which
    # only re-export.
    {"__init__", "__main__", "spc", "compare", "qualitative"},
]
LAYER_OF = {part: k for k, parts in enumerate(LAYERS) for part in parts}
NEVER = {"methods": {"storage", "privacy"}, "charts": {"storage", "privacy"}}
LAZY_ALLOWED = {"cli", "bench", "__main__"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _top(module: str) -> str:
    return module.split(".")[0]


def _imports(path: Path, module: str) -> list[tuple[str, int, bool]]:
    """(imported cqi_core module, line, inside a function body) for every import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int, bool]] = []

    def target(name: str) -> str | None:
        # The longest known module that `name` starts with (a name may be a function).
        parts = name.split(".")
        for k in range(len(parts), 0, -1):
            candidate = ".".join(parts[:k])
            if candidate in MODULES:
                return candidate
        return None

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("cqi_core."):
                        t = target(alias.name[len("cqi_core."):])
                        if t:
                            found.append((t, child.lineno, in_function))
            elif isinstance(child, ast.ImportFrom):
                assert child.level == 0, f"{module}: relative import on line {child.lineno}"
                if child.module == "cqi_core":
                    for alias in child.names:
                        t = target(alias.name)
                        found.append((t or "__init__", child.lineno, in_function))
                elif child.module and child.module.startswith("cqi_core."):
                    base = child.module[len("cqi_core."):]
                    for alias in child.names:
                        t = target(f"{base}.{alias.name}") or target(base)
                        if t:
                            found.append((t, child.lineno, in_function))
            visit(child, nested)

    visit(tree, False)
    return found


GRAPH = {m: _imports(p, m) for m, p in MODULES.items()}


def test_every_top_level_part_of_the_package_has_a_layer():
    assert {_top(m) for m in MODULES} <= set(LAYER_OF)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down_the_layers(module):
    here = _top(module)
    wrong = []
    for target, line, _ in GRAPH[module]:
        there = _top(target)
        if there == here:
            continue
        if LAYER_OF[there] >= LAYER_OF[here] or there in NEVER.get(here, set()):
            wrong.append(f"line {line}: {module} ({here}) imports {target} ({there})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _top(m) not in LAZY_ALLOWED))
def test_no_import_is_hidden_in_a_function(module):
    hidden = [f"line {line}: {target}" for target, line, inside in GRAPH[module] if inside]
    assert not hidden, f"{module} imports inside a function:\n" + "\n".join(hidden)


def test_the_module_graph_has_no_cycles():
    edges = {m: {t for t, _, _ in GRAPH[m] if t != m and t in MODULES} for m in MODULES}
    # A package's __init__ re-exports its modules: importing the package is importing them,
    # so an edge into a package is not an edge back out of its own modules.
    for m in MODULES:
        edges[m] = {t for t in edges[m] if not m.startswith(t + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(edges[m]):
            if state.get(t) == 1:
                cycles.append(stack[stack.index(t):] + [t])
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)
    assert not cycles, "\n".join(" → ".join(c) for c in cycles)


def test_a_broken_import_is_caught(tmp_path):
    """The walk sees what it must: a made-up methods module importing the store."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from cqi_core.storage.store import Store\n")
    found = _imports(bad, "methods.bad")
    assert found == [("storage.store", 2, True)]


def test_the_readme_architecture_names_every_part_of_the_package():
    """The README's architecture section is the map a newcomer reads: every package and
    top-level module of cqi_core appears in it, so it cannot drift from the code."""
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Architecture"):]
    section = section[:section.index("\n## ", 3)] if "\n## " in section[3:] else section
    parts = {p.name + "/" for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    parts |= {p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    missing = sorted(p for p in parts if p not in section)
    assert not missing, f"README's architecture does not mention {missing}"
