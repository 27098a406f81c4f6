"""cqi_core: the whole domain of the CQI dashboard, as a library.

Data flows one way: export files → `ingest` → DuckDB `store` → queries (`summary`,
`quality`, `flow`) → `charts` → pages. This package never imports streamlit; the app and
the command line (`python -m cqi_core`) are thin clients of the names below.

Names are loaded on first use (PEP 562), so `python -m cqi_core generate` does not pay
for the importer and the importer does not pay for the generator.
"""

from __future__ import annotations

import importlib

_PUBLIC = {
    "ingest.bootstrap": ["ensure_database", "needs_sample"],
    "storage.contract": ["Contract", "load_contract"],
    "errors": ["CQIError", "ImportRefused", "StoreError"],
    "analysis.overview": ["agency_summary", "monthly_flow"],
    "ingest": ["ImportPlan", "ImportResult", "MappingProfile", "format_report", "import_files",
               "list_mappings", "load_mapping", "plan_import", "save_mapping"],
    "indicators": ["compute", "indicator_ids"],
    "indicators.catalog": ["load_catalog", "save_edit", "history", "check_catalog_complete",
                           "youth_text"],
    "analysis.mission": ["load_values", "save_value_edit", "alignment", "value_status"],
    "indicators.scorecard": ["build_scorecard", "latest_complete_period"],
    # unit_profile() and bright_spots() share their modules' names: import those modules.
    "analysis.unit_profile": ["UnitProfile", "profile_units"],
    "analysis.joint_pairs": ["load_joint_settings"],
    "analysis.conjoint": ["case_measures", "item_comparison", "agreement_table", "disagreements"],
    "analysis.bright_spots": ["BrightSpot", "bright_spot_table"],
    "analysis.qualitative": ["code_frequency", "cooccurrence", "cohen_kappa", "percent_agreement",
                    "code_by_descriptor", "excerpts_for", "load_codebook", "save_theme",
                    "retire_theme", "codebook_history", "export_qdc", "import_qdc",
                    "export_codebook_csv", "import_codebook_csv", "suggest_themes",
                    "coded_excerpts", "record_decision", "export_coded_csv",
                    "approve_for_sharing", "text_for_audience", "redact"],
    "methods.readability": ["check_text", "grade_level"],
    "analysis.youth": ["youth_facts", "youth_voices"],
    # meeting_pack() shares its module's name: import cqi_core.present.meeting_pack.
    "present.findings": ["Deck", "Finding", "create_deck", "default_deck", "delete_deck",
                 "finding_view", "list_decks", "load_deck", "reorder_deck", "update_deck"],
    "quality.checks": ["checks_by_unit", "checks_over_time", "entry_timeliness", "failing_records",
                "list_checks", "run_checks"],
    "storage.store": ["Store", "default_db_path", "open_store", "table_counts"],
    "storage.facts": ["as_of_date", "data_version", "format_status", "import_history",
                "unit_list",
                "rejected_rows", "status"],
}
_WHERE = {name: module for module, names in _PUBLIC.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'cqi_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
