"""The Compare units page's rules, in words: how the funnel's limits, small units and
over-dispersion are decided (the settings in compare.yaml, read through the core)."""

import streamlit as st

import cqi_core


def explain() -> None:
    """An expander that says how units are compared, with the settings' current values."""
    s = cqi_core.compare_settings()
    with st.expander("How units are compared (the rules in compare.yaml)"):
        st.markdown(f"""
- **Limits.** The {s.level_words('alert')} limits (dashed) and the {s.level_words('alarm')} limits
  (dotted) are where chance alone would keep a unit of that size. A unit strictly outside a limit
  is flagged; a unit exactly on it is not.
- **Which limits.** *Automatic* uses exact limits (binomial, or Poisson for rates) when any unit
  expects fewer than {s.exact_below_expected:g} events (or, for a percentage, fewer than
  {s.exact_below_expected:g} non-events), and the normal approximation otherwise.
- **Too few to judge.** A unit counting fewer than {s.min_denominator['proportion']:,.0f} (children,
  visits or reviews) for a percentage, or fewer than {s.min_denominator['rate']:,.0f} days for a
  rate, is greyed and never flagged. It still counts in the agency figure.
- **Over-dispersion.** Units often differ more than chance alone allows, for reasons no single unit
  controls. The z-scores are winsorised at the {s.winsorise:.0%} and {1 - s.winsorise:.0%} points,
  φ̂ is their average square, and the spread counts as too wide when a χ² test gives p below
  {s.overdispersion_alpha:g} (tested only with at least {s.overdispersion_min_units} units).
  *Automatic* then widens the limits with the {s.overdispersion_auto} model
  ({'random effects on the arcsine scale' if s.overdispersion_auto == 'additive' else 'limits times √φ̂'});
  *Multiplicative* widens them by √φ̂ when φ̂ is above 1; *Additive* adds the between-unit spread τ̂².
  With exact limits, the additive model uses the normal-scale limits (there is no exact form).
- **Never a league table.** The table is sorted by {s.display['sort_table_by']} id, not by value.
""")
