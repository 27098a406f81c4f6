"""Funnel plots (METHODS.md section 3): limits, over-dispersion and the choice of method.

`funnel` is the statistics on plain sequences (FunnelPlotR-compatible), `limits` the
control limits on each scale, `choose` picks exact, normal or arcsine limits for the data,
and `settings` reads `compare.yaml`. Comparing the agency's units over the store is
`cqi_core.analysis.compare`.
"""
