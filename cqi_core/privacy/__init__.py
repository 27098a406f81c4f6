"""Audiences: who is looking, and what the core may release to them.

DESIGN.md: the role decides what the core returns, not the page. Pages are given a store
handle bound to their viewer (`bind`); every core function that returns aggregates passes
them through `release` (or `release_indicator_rows`) before returning, and every function
that returns case-level rows calls `require_case_access` first. Public audiences
(stakeholder, youth) therefore get aggregates only, with small cells suppressed, no
identifiers and no unapproved free text, whatever page asks. The rules are in
`audiences.yaml`.
"""

from cqi_core.privacy.suppression import SUPPRESSED, Margin, release, suppress, suppression_words
from cqi_core.privacy.tables import (INDICATOR_COUNTS, INDICATOR_DERIVED, indicator_relations, masked_as_released,
                     release_indicator_rows)
from cqi_core.privacy.viewer import (ANALYST, AUDIENCES, PUBLIC, AccessDenied, Policy, Viewer, bind, case_units,
                     load_policy, plain, require_case_access, resolve_viewer, viewer_of)

__all__ = [
    "ANALYST", "AUDIENCES", "AccessDenied", "INDICATOR_COUNTS", "INDICATOR_DERIVED", "Margin",
    "PUBLIC", "Policy", "SUPPRESSED", "Viewer", "bind", "case_units", "indicator_relations",
    "load_policy", "masked_as_released", "plain", "release", "release_indicator_rows", "require_case_access", "resolve_viewer",
    "suppress", "suppression_words", "viewer_of",
]
