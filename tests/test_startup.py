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


def test_the_first_figures_need_no_scipy_statistics():
    """Exact Poisson intervals (what `compute` gives rates) come from scipy.special alone: a
    95% Garwood interval for 2 events over an exposure of 1 is 0.2422 to 7.2247 (Garwood
    1936; the standard tables)."""
    loaded = _loaded_after("from cqi_core.indicators.intervals import garwood\n"
                           "lo, hi = garwood([2], [1.0])\n"
                           "assert abs(lo[0] - 0.2422) < 1e-4 and abs(hi[0] - 7.2247) < 1e-4")
    assert "scipy.stats" not in loaded


def test_a_statistic_still_loads_what_it_needs():
    """The deferred import is really made where the method runs: the exact interval of a
    ratio of two Poisson rates, 2 events over 1 and 2 over 1, is the Clopper-Pearson interval
    of 2 in 4 (0.06759 to 0.93241, the standard tables) turned into p / (1 - p): 0.0725 to
    13.795."""
    loaded = _loaded_after("from cqi_core.indicators.intervals import poisson_ratio\n"
                           "lo, hi = poisson_ratio(2, 1.0, 2, 1.0)\n"
                           "assert abs(lo - 0.0725) < 1e-3 and abs(hi - 13.795) < 1e-2, (lo, hi)")
    assert "scipy.stats" in loaded


def test_the_chi_square_quantile_is_scipys_to_the_last_bit():
    import numpy as np
    from scipy.stats import chi2

    from cqi_core.indicators.intervals import _chi2_quantile

    df = np.concatenate([np.arange(1, 3000, dtype=float), [0.5, 2.5, 1e5]])
    for p in (0.001, 0.025, 0.05, 0.5, 0.95, 0.975, 0.999):
        assert np.array_equal(_chi2_quantile(p, df), chi2.ppf(p, df))


def test_the_written_out_normal_quantile_is_scipys():
    from scipy.stats import norm

    from cqi_core.indicators.intervals import Z95

    assert Z95 == float(norm.ppf(0.975))
