"""Analysis: what the pages say about practice, built from indicators, reviews and voices.

Trends and signals (`trends`), units compared on funnel plots (`compare`) and groups as
ratios (`disparities`), case review roll-ups (`reviews`) and reviews joined to records
(`conjoint`), the unit profile with its joint display (`unit_profile`, `joint_pairs`,
`joint_display`), bright spots, stakeholder voices and quotes (`voices`, `quotes`), the
qualitative core (`qualitative`: excerpts, codebook, coding, sharing), improvement cycles and
their study (`improvement`, `cycle_study`, `cycle_views`), mission alignment, the youth view
and the agency overview. Modules here read the store, compute in full and release once for
the viewer of the handle they are given (`cqi_core.privacy`); they never draw.
"""
