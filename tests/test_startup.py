"""Loading the package stays cheap: every command (an import, a status) starts with it.

scipy's statistics and solvers are loaded by the functions that use them, not by loading
cqi_core (together 1.1 s of every command before they moved). The checks run in a fresh
interpreter, since this test process has loaded them long ago.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _loaded_after(code: str) -> set[str]:
    probe = (f"{code}\nimport sys\n"
             "print(' '.join(m for m in sys.modules if m.startswith(('scipy.', 'highspy'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    return set(out.stdout.split())


def test_loading_cqi_core_loads_neither_scipy_statistics_nor_its_solvers():
    loaded = _loaded_after("import cqi_core")
    assert not {"scipy.stats", "scipy.optimize", "scipy.sparse", "highspy"} & loaded


def test_a_statistic_still_loads_what_it_needs():
    """The deferred import is really made where the method runs (a 95% Garwood interval for
    2 events over an exposure of 1: 0.2422 to 7.2247, Garwood 1936 / standard tables)."""
    loaded = _loaded_after("from cqi_core.indicators.intervals import garwood\n"
                           "lo, hi = garwood([2], [1.0])\n"
                           "assert abs(lo[0] - 0.2422) < 1e-4 and abs(hi[0] - 7.2247) < 1e-4")
    assert "scipy.stats" in loaded


def test_the_written_out_normal_quantile_is_scipys():
    from scipy.stats import norm

    from cqi_core.indicators.intervals import Z95

    assert Z95 == float(norm.ppf(0.975))
