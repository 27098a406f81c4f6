"""Stable name: `cqi_core.compare`, fair comparison of units with funnel plots.

Kept so that code written against earlier releases (`compare.funnel`, `compare.units`)
keeps working. The statistics live in `cqi_core.methods.funnel`, the comparison of units
over the store in `cqi_core.analysis.compare`.

`funnel` is the statistics on plain sequences; `units` computes an indicator by unit or
region for a period, draws its funnel by the rules of `compare.yaml` and says what it shows.
"""

from cqi_core.methods.funnel.choose import AutoFunnel, auto_funnel, choose_method
from cqi_core.methods.funnel.funnel import (COLUMNS, METHODS, OVERDISPERSION, FunnelResult, aggregate, funnel,
                     with_curve_over)
from cqi_core.methods.funnel.limits import limits, outliers
from cqi_core.methods.funnel.settings import FLAGS, KINDS, CompareSettings, load_settings
from cqi_core.analysis.compare import GROUPINGS, Comparison, comparable, periods, units

__all__ = ["COLUMNS", "FLAGS", "GROUPINGS", "KINDS", "METHODS", "OVERDISPERSION", "AutoFunnel",
           "CompareSettings", "Comparison", "FunnelResult", "aggregate", "auto_funnel",
           "choose_method", "comparable", "funnel", "limits", "load_settings", "outliers",
           "periods", "units", "with_curve_over"]
