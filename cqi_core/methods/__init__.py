"""Methods: the statistics, pure and exact to their published references.

Statistical process control (`spc`: qicharts2's charts and Anhøj rules, Making Data Count),
interrupted time series (`its`), funnel plots and over-dispersion (`funnel`), agreement and
coding statistics (`agreement`: Cohen's kappa, frequency, co-occurrence) and readability
(`readability`). Functions take plain sequences or frames and their settings; none of them
touches the store or the privacy gate, so each can be checked against its published cases.
"""
