"""Indicators: the federal statewide indicators and the agency's practice measures.

One SQL file per indicator in `sql/`, computed for any period and grouping by `engine`;
intervals in `intervals`; how each is computed and reported in `config.yaml`; the case
review roll-up rules in `review_rollup.yaml`.
"""

from __future__ import annotations

from cqi_core.indicators.engine import (GROUPINGS, OUTPUT_COLUMNS, IndicatorConfig, analysis_rows,
                                       checked_period, compute, compute_checked, indicator_ids,
                                       load_config, plus_months)

__all__ = ["GROUPINGS", "OUTPUT_COLUMNS", "IndicatorConfig", "analysis_rows", "checked_period",
           "compute", "compute_checked", "indicator_ids", "load_config", "plus_months"]
