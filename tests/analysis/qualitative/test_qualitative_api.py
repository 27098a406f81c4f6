"""The public names: what outside checks and pages call, and where they live."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_qualitative_is_a_submodule_with_the_named_functions():
    code = ("from cqi_core import qualitative\n"
            "import cqi_core\n"
            "assert qualitative.__name__ == 'cqi_core.qualitative'\n"
            "for n in ('code_frequency', 'cooccurrence', 'cohen_kappa'):\n"
            "    assert callable(getattr(qualitative, n))\n"
            "assert all(hasattr(qualitative, n) for n in qualitative.__all__)\n"
            "assert 'qualitative' not in cqi_core.__all__\n"
            "assert cqi_core.code_frequency is qualitative.code_frequency\n"
            "import sys; print('streamlit' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_top_level_names_do_not_shadow_submodules():
    """The qualitative names published at the top are the stable module's own functions, and
    none of them (nor any other public name) hides a submodule such as `qualitative`."""
    import cqi_core
    from cqi_core import qualitative

    modules = {p.stem for p in (ROOT / "cqi_core").glob("*.py")} | {
        p.name for p in (ROOT / "cqi_core").iterdir() if (p / "__init__.py").exists()}
    published = {n for n in cqi_core.__all__ if n in qualitative.__all__
                 and getattr(cqi_core, n) is getattr(qualitative, n)}
    assert {"code_frequency", "cooccurrence", "cohen_kappa", "load_codebook"} <= published
    assert not set(cqi_core.__all__) & modules
    assert "qualitative" in modules and cqi_core.qualitative is qualitative
