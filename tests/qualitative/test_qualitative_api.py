"""The public names: what outside checks and pages call, and where they live."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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
    import cqi_core
    modules = {p.stem for p in (ROOT / "cqi_core").glob("*.py")} | {
        p.name for p in (ROOT / "cqi_core").iterdir() if (p / "__init__.py").exists()}
    assert not set(cqi_core._PUBLIC["analysis.qualitative"]) & modules
