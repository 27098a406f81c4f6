"""The public publication: built once per data version, read by every public view.

`build_publication(store)` computes every indicator and theme on a fixed grid of periods,
suppresses small cells across all of it together (periods, groupings, the unit → region →
agency hierarchy, numerators and denominators) and stores it. `cqi_core.privacy.publication`
reads it; public audiences never receive anything else.
"""

from cqi_core.publish.build import (QUARTERS, build_publication, grid, import_and_publish,
                                    suppress_indicators, suppress_themes)

__all__ = ["QUARTERS", "build_publication", "grid", "import_and_publish", "suppress_indicators",
           "suppress_themes"]
