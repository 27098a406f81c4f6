"""Audiences: who is looking, and what the core may release to them.

DESIGN.md: the role decides what the core returns, not the page. Pages are given a
`Handle(store, viewer)`, never a bare store; every core function that returns aggregates
computes on the full store (`full`) and passes its result through `release` (or
`release_indicator_rows`) once, for `viewer_of(handle)`, before returning, and every
function that returns case-level rows calls `require_case_access` first. Public audiences
(stakeholder, youth) therefore get aggregates only, with small cells suppressed, no
identifiers and no unapproved free text, whatever page asks. The rules are in
`audiences.yaml`.
"""

from cqi_core.privacy.publication import (ALL_TEXT, NotPublished, PublicationInfo, indicator_rows,
                                         latest_period, period_ends, publication, published_periods,
                                         theme_rows, window_start)
from cqi_core.privacy.suppression import (SUPPRESSED, Margin, Relation, complement, release,
                                         suppress, suppression_words)
from cqi_core.privacy.tables import (INDICATOR_COUNTS, INDICATOR_DERIVED, grouping_relations,
                                     indicator_relations, masked_as_released,
                                     release_indicator_rows, unit_regions)
from cqi_core.privacy.handle import Handle, full, viewer_of
from cqi_core.privacy.approvals import (NOT_APPROVED, ApprovalItem, approvals_version, approve_text,
                                      approved_fields, approved_text, revoke_text,
                                      text_approvals, text_hash)
from cqi_core.privacy.viewer import (ANALYST, AUDIENCES, PUBLIC, AccessDenied, Policy, Viewer, case_units,
                     home_unit, load_policy, require_case_access, resolve_viewer)

__all__ = [
    "NOT_APPROVED", "ApprovalItem", "approvals_version", "approve_text", "approved_fields", "approved_text",
    "revoke_text", "text_approvals", "text_hash",
    "ALL_TEXT", "ANALYST", "AUDIENCES", "AccessDenied", "INDICATOR_COUNTS", "INDICATOR_DERIVED", "Margin",
    "Handle", "NotPublished", "PUBLIC", "Policy", "PublicationInfo", "Relation", "SUPPRESSED",
    "Viewer", "case_units", "home_unit", "complement", "full", "grouping_relations", "indicator_relations", "indicator_rows", "latest_period",
    "load_policy", "masked_as_released", "period_ends", "publication", "published_periods", "release", "release_indicator_rows",
    "require_case_access", "resolve_viewer", "suppress", "suppression_words", "theme_rows",
    "unit_regions", "viewer_of", "window_start",
]
