"""Settings tables inside the hand-written docs, filled from the YAML files themselves.

docs/METHODS.md explains the methods in words; the values it depends on (thresholds, limits,
windows) live in the registered YAML files (`cqi_core/settings.py`). A block such as

    <!-- settings: trends -->
    <!-- end settings -->

is filled with a table of every documented key of that file, its value as shipped and the
registry's help; `<!-- settings: reviews small_n agreement.low_kappa -->` lists only the keys
named. The text between the markers is never written by hand, so a value in the prose can
always be checked against the table beside it. tests/test_docs.py fails when a committed
block differs from what `fill_settings_blocks` writes. Refill the blocks with

    .venv/bin/python -m cqi_core.methods.settings_doc
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from cqi_core.settings import PACKAGE, documented, entry

DOCS = PACKAGE.parent / "docs"
FILES_WITH_BLOCKS = ("METHODS.md",)
"""Documents in docs/ that hold settings blocks."""
BLOCK = re.compile(r"(<!-- settings: ([\w.]+)((?: [\w.*]+)*) -->\n)(.*?)(<!-- end settings -->)",
                   re.S)


def _value(v: Any) -> str:
    """A setting's value, short enough for a table cell."""
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "; ".join(f"{k}: {_value(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return ", ".join(_value(x) for x in v)
    return str(v)


def settings_table(name: str, keys: tuple[str, ...] = ()) -> str:
    """A Markdown table of a registered file's documented keys (all leaves, or `keys`)."""
    rows = documented(name)
    names = [k for k, _, _ in rows]
    unknown = [k for k in keys if k not in names]
    if unknown:
        raise KeyError(f"{entry(name).path} documents no key {', '.join(unknown)}")
    lines = [f"Settings in `cqi_core/{entry(name).path}` (as shipped):", "",
             "| key | value | what it decides |", "|---|---|---|"]
    for key, value, help_text in rows:
        if keys and key not in keys:
            continue
        if not keys and any(n.startswith(key + ".") for n in names):
            continue  # a section: its keys have their own rows
        cell = _value(value).replace("|", "\\|")
        lines.append(f"| `{key}` | {cell} | {help_text} |")
    return "\n".join(lines) + "\n"


def fill_settings_blocks(text: str) -> str:
    """`text` with every settings block refilled from the YAML files."""
    def fill(m: re.Match) -> str:
        keys = tuple(m.group(3).split())
        return m.group(1) + "\n" + settings_table(m.group(2), keys) + "\n" + m.group(5)

    return BLOCK.sub(fill, text)


def write(paths: tuple[Path, ...] = tuple(DOCS / f for f in FILES_WITH_BLOCKS)) -> list[Path]:
    """Refill the blocks of each document in place."""
    for path in paths:
        path.write_text(fill_settings_blocks(path.read_text(encoding="utf-8")), encoding="utf-8")
    return list(paths)


if __name__ == "__main__":
    targets = tuple(Path(p) for p in sys.argv[1:]) or tuple(DOCS / f for f in FILES_WITH_BLOCKS)
    for p in write(targets):
        print(f"refilled {p}")
