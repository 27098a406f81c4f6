"""The public publication: built once per data version, read by every public view.

`build_publication(store)` computes every indicator and theme on a fixed grid of periods,
suppresses small cells across all of it together (periods, groupings, the unit → region →
agency hierarchy, numerators and denominators) and stores it. `cqi_core.privacy.publication`
reads it; public audiences never receive anything else.
"""

from cqi_core.publish.build import (QUARTERS, build_publication, grid, import_and_publish,
                                    suppress_indicators, suppress_themes)
from cqi_core.publish.refresh import (RefreshInfo, RefreshStatus, import_and_refresh, refresh,
                                      refresh_status)

__all__ = ["QUARTERS", "RefreshInfo", "RefreshStatus", "build_publication", "grid",
           "import_and_publish", "import_and_refresh", "refresh", "refresh_status",
           "suppress_indicators", "suppress_themes"]
