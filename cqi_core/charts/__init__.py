"""Charts: Altair figures drawn for people, one module per family of pages.

Every builder returns a `base.Figure` (the chart, its title in words, a text alternative and
a "how to read this" line) and never renders. Colours survive colour blindness and a
projector, and nothing is told by colour alone. Charts draw what analysis hands them; they
never read the store or decide what an audience may see.
"""
