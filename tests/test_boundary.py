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
    for page in (ROOT / "pages").glob("*.py"):
        if page.name.startswith("_"):
            continue
        text = page.read_text(encoding="utf-8").upper()
        assert "SELECT " not in text and ".QUERY(" not in text, page.name
