"""Qualitative analysis: case review narratives, stakeholder voices and a shared codebook.

Framework components 2C-2E and 3: the text the agency collects (case review item
narratives, feedback, staff survey comments) becomes excerpts (`excerpts`), themes of a
versioned codebook (`load_codebook`, `save_theme`, REFI-QDA and CSV interchange) are
suggested on them by pattern in one DuckDB statement (`suggest_themes`), analysts confirm,
reject or add themes (`record_decision`), and the coded excerpts (`coded_excerpts`) feed the
statistics: frequency and presence (`code_frequency`), co-occurrence (`cooccurrence`), code
× descriptor with drill-down (`code_by_descriptor`, `excerpts_for`), and reviewer agreement
(`cohen_kappa`, `percent_agreement`). Text leaves the analyst role only through
`text_for_audience`: redacted for supervisors, and for public audiences only when approved
for sharing (`approve_for_sharing`).

Modules: `sources` (the text and its descriptors as excerpts), `codebook` (themes as data,
saved changes), `interchange` (.qdc and CSV), `coding` (suggestions, decisions, themes by
group), `stats` (the statistics), `redaction` and `sharing` (text privacy).
"""

from __future__ import annotations

from cqi_core.analysis.qualitative.codebook import (Codebook, CodebookError, Theme, codebook_history, load_codebook,
                       retire_theme, save_theme)
from cqi_core.analysis.qualitative.coding import (build_suggestions, coded_excerpts, coding_version,
                     decisions, export_coded_csv, record_decision, suggest_themes, themes)
from cqi_core.analysis.qualitative.sources import DESCRIPTORS, SOURCE_TYPES, excerpts, text_hash
from cqi_core.analysis.qualitative.interchange import (ImportSummary, export_codebook_csv, export_qdc, import_codebook_csv,
                          import_qdc)
from cqi_core.privacy.redaction import redact
from cqi_core.analysis.qualitative.sharing import ROLES, approve_for_sharing, text_for_audience
from cqi_core.methods.agreement import (Agreement, agreement, code_by_descriptor, code_frequency, cohen_kappa,
                    cooccurrence, excerpts_for, percent_agreement)

__all__ = [
    "Agreement", "Codebook", "CodebookError", "DESCRIPTORS", "ImportSummary", "ROLES",
    "SOURCE_TYPES", "Theme", "agreement", "approve_for_sharing", "build_suggestions",
    "code_by_descriptor",
    "code_frequency", "codebook_history", "coded_excerpts", "coding_version", "cohen_kappa",
    "cooccurrence", "decisions", "excerpts", "excerpts_for", "export_codebook_csv",
    "export_coded_csv", "export_qdc", "import_codebook_csv", "import_qdc", "load_codebook",
    "percent_agreement", "record_decision", "redact", "retire_theme", "save_theme",
    "suggest_themes", "text_for_audience", "text_hash", "themes",
]
