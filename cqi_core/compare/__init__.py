"""Fair comparison of units: funnel plots (METHODS.md section 3).

`funnel` is the statistics on plain sequences; `units` computes an indicator by unit or
region for a period, draws its funnel by the rules of `compare.yaml` and says what it shows.
"""

from .choose import AutoFunnel, auto_funnel, choose_method
from .funnel import (COLUMNS, METHODS, OVERDISPERSION, FunnelResult, aggregate, funnel,
                     with_curve_over)
from .limits import limits, outliers
from .settings import FLAGS, KINDS, CompareSettings, load_settings
from .units import GROUPINGS, Comparison, comparable, periods, units

__all__ = ["COLUMNS", "FLAGS", "GROUPINGS", "KINDS", "METHODS", "OVERDISPERSION", "AutoFunnel",
           "CompareSettings", "Comparison", "FunnelResult", "aggregate", "auto_funnel",
           "choose_method", "comparable", "funnel", "limits", "load_settings", "outliers",
           "periods", "units", "with_curve_over"]
