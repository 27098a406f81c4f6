"""cqi_core: the whole domain of the CQI dashboard, as a library.

Data flows one way: export files → `ingest` → DuckDB `store` → queries (`analysis`,
`quality`, `indicators`) → `charts` → `present`, `exports` → pages. This package never
imports streamlit; the app and the command line (`python -m cqi_core`) are thin clients of
the names below, and pages use nothing else (tests/test_boundary.py checks it).

Every name is imported here explicitly, so `__all__` is the whole public surface and a
reader sees where each name lives. A few module-level names that are too generic on their
own (`load_settings`, `periods`, `search`, ...) are published under a longer name saying
what they belong to. No name here is also the name of a submodule of `cqi_core`.
"""

from __future__ import annotations

# Errors and storage
from cqi_core.errors import CQIError, ImportRefused, StoreError
from cqi_core.storage.contract import Contract, load_contract
from cqi_core.storage.facts import (as_of_date, data_version, format_status, import_history,
                                    rejected_rows, status, unit_list)
from cqi_core.storage.store import Store, default_db_path, open_store, table_counts

# Ingest and the privacy gate
from cqi_core.ingest import (ImportPlan, ImportResult, MappingProfile, format_report, import_files,
                             list_mappings, load_mapping, plan_import, save_mapping)
from cqi_core.ingest.bootstrap import ensure_database, needs_sample
from cqi_core.privacy import (AUDIENCES, AccessDenied, Handle, NotPublished, PublicationInfo,
                              Viewer, home_unit, period_ends, publication, resolve_viewer,
                              suppression_words)
from cqi_core.privacy import PUBLIC as PUBLIC_AUDIENCES
from cqi_core.privacy import (NOT_APPROVED, ApprovalItem, approvals_version, approve_text,
                              approved_text, revoke_text)
from cqi_core.methods.readability import check_text, grade_level
from cqi_core.methods.funnel.settings import load_settings as compare_settings

# Indicators and data quality
from cqi_core.indicators import compute, indicator_ids
from cqi_core.indicators import checked_period, compute_checked
from cqi_core.errors import PeriodRefused
from cqi_core.periods import PeriodCheck
from cqi_core.indicators import load_config as indicator_config
from cqi_core.indicators.engine import f1_favourable_words
from cqi_core.indicators.catalog import (MEASURE_TYPES, Catalog, CatalogEntry,
                                         check_catalog_complete, due_for_review, history,
                                         load_catalog, save_edit, youth_text)
from cqi_core.indicators.display import UNIT_WORDS, format_value, how_to_read
from cqi_core.indicators.scorecard import build_scorecard, latest_complete_period, period_ending
from cqi_core.indicators.display import (CHANGE_WORDS, TOO_FEW, VERDICT_WORDS,
                                         change_verdict_words, verdict_words)
from cqi_core.indicators.latest import (CHANGES, VERDICTS, LatestFigure, latest_figure,
                                        latest_figures, min_denominator)
from cqi_core.indicators.series import indicator_series
from cqi_core.indicators.values import (VALUE_KINDS, AgencyValue, load_values, review_items,
                                        save_value_edit, value_history)
from cqi_core.quality.checks import (check_results, checks_by_unit, checks_over_time,
                                     entry_timeliness, failing_records, list_checks, run_checks)

# Analysis
from cqi_core.analysis.bright_spots import BrightSpot, bright_spot_table, bright_spots
from cqi_core.analysis.bright_spots import load_settings as bright_spot_settings
from cqi_core.analysis.compare import comparable
from cqi_core.analysis.compare import periods as compare_periods
from cqi_core.analysis.compare import units as compare_units
from cqi_core.analysis.conjoint import (agreement_cells, agreement_table, case_measures,
                                        disagreements, item_comparison)
from cqi_core.analysis.disparities import GROUPING_WORDS, disparities
from cqi_core.analysis.disparities import GROUP_WORDS as DISPARITY_GROUP_WORDS
from cqi_core.analysis.disparities import describe as describe_disparities
from cqi_core.analysis.disparities import group_label as disparity_group_label
from cqi_core.analysis.disparities import groupings as disparity_groupings
from cqi_core.analysis.disparities import indicators as disparity_indicators
from cqi_core.analysis.improvement import (Cycle, create_cycle, cycle_history, update_cycle)
from cqi_core.analysis.improvement import approval_items as cycle_approval_items
from cqi_core.analysis.improvement import cycle as load_cycle
from cqi_core.analysis.improvement import cycles as list_cycles
from cqi_core.analysis.improvement import load_settings as improvement_settings
from cqi_core.analysis.cycle_study import study as cycle_study
from cqi_core.analysis.cycle_views import (approval_words, cycle_table, decision_words,
                                           may_edit_cycle, participants_text)
from cqi_core.analysis.joint_pairs import LABEL_WORDS, load_joint_settings
from cqi_core.analysis.mission import alignment, value_status
from cqi_core.analysis.overview import agency_summary, monthly_flow
from cqi_core.analysis.qualitative import (SOURCE_TYPES, Theme, approve_for_sharing,
                                           code_by_descriptor, code_frequency, codebook_history,
                                           coded_excerpts, coding_version, cohen_kappa,
                                           cooccurrence, excerpts_for, export_codebook_csv,
                                           export_coded_csv, export_qdc, import_codebook_csv,
                                           import_qdc, load_codebook, percent_agreement,
                                           record_decision, redact, retire_theme, save_theme,
                                           suggest_themes, text_for_audience)
from cqi_core.analysis.qualitative import excerpts as load_excerpts
from cqi_core.analysis.quotes import exemplars, page_count, page_of, pattern_counts
from cqi_core.analysis.quotes import keep as keep_rows
from cqi_core.analysis.quotes import search as search_text
from cqi_core.analysis.reviews import (CASE_TYPE_WORDS, RATING_WORDS, ReviewPeriod,
                                       filter_reviews, item_names, item_rates, item_series,
                                       item_trend, item_unit_table, outcome_names, outcome_rates,
                                       periods_between, qa_pairs, rated_items, rated_outcomes,
                                       review_periods)
from cqi_core.analysis.reviews import ITEMS as REVIEW_ITEMS
from cqi_core.analysis.reviews import agreement as review_agreement
from cqi_core.analysis.reviews import load_settings as review_settings
from cqi_core.analysis.reviews import theme_shares as review_theme_shares
from cqi_core.analysis.quotes import review_narratives
from cqi_core.analysis.trends import (TrendChart, add_note, build_series, chart_notes,
                                      chart_phases, control_chart, period_label, remove_note,
                                      series_for, series_ready)
from cqi_core.analysis.trends import load_settings as trend_settings
from cqi_core.analysis.trends import recent_changes
from cqi_core.analysis.trends import scan as scan_changes
from cqi_core.analysis.unit_profile import UnitProfile, profile_units, unit_profile
from cqi_core.analysis.casemix import (AdjustedComparison, adjuster_words, compare_adjusted,
                                      group_adjusted, never_words)
from cqi_core.analysis.casemix import INDICATORS as CASEMIX_INDICATORS
from cqi_core.analysis.casemix import adjusted as casemix_adjusted
from cqi_core.analysis.casemix import load_settings as casemix_settings
from cqi_core.analysis.time_in_care import (median_time, placement_trajectory, public_rule_words,
                                           shared_cohorts, survival)
from cqi_core.analysis.time_in_care import cohorts as time_in_care_cohorts
from cqi_core.analysis.time_in_care import followed_months as plus_months_followed
from cqi_core.analysis.time_in_care import load_settings as time_in_care_settings
from cqi_core.analysis.voices import (CHANNEL_WORDS, SOURCE_TYPE_WORDS, favourable,
                                      favourable_trend, filter_voices, rating_distribution,
                                      selection_coded, theme_presence, theme_trend, what_we_heard,
                                      what_we_heard_markdown)
from cqi_core.analysis.voices import GROUP_WORDS as VOICE_GROUP_WORDS
from cqi_core.analysis.voices import SOURCE_TYPES as VOICE_SOURCE_TYPES
from cqi_core.analysis.voices import voices as load_voices
from cqi_core.analysis.youth import (YouthFact, YouthText, YouthVoices, load_youth_text,
                                     youth_facts, youth_regions, youth_voices)
from cqi_core.analysis.youth import fill as fill_youth_text
from cqi_core.analysis.youth import glossary as youth_glossary

# The publication and the refresh after each import
from cqi_core.publish import (RefreshInfo, RefreshStatus, build_publication, import_and_publish,
                              import_and_refresh, refresh, refresh_status)

# Charts
from cqi_core.charts.base import (Figure, bar_by_group_chart, in_care_by_region_chart,
                                  line_over_time_chart, monthly_flow_chart)
from cqi_core.charts.compare import disparity_figure, funnel_figure
from cqi_core.charts.casemix import oe_funnel_figure
from cqi_core.charts.convention import DisplayTable, display_table
from cqi_core.charts.indicators import breakdown_chart, trend_chart
from cqi_core.charts.its import segmented_figure
from cqi_core.charts.mission import value_measures, value_status_chart
from cqi_core.charts.profile import (LABEL_SYMBOLS, agreement_chart, item_strength_chart,
                                     joint_display_chart, strength_by_data_chart)
from cqi_core.charts.reviews import (item_trend_chart, item_unit_heatmap, outcome_bars,
                                     rating_distribution_chart, share_trend_chart, theme_bars,
                                     theme_share_bars)
from cqi_core.charts.trends import (RULE_WORDS, VARIATION_ICONS, assurance_icon,
                                    control_chart_figure, display_scale, format_display,
                                    group_label, variation_icon)
from cqi_core.charts.youth import fact_pictogram, theme_pictogram
from cqi_core.charts.time_in_care import (cohort_curves_figure, exit_types_figure,
                                           trajectory_figure)

# Presentation and exports
from cqi_core.present.findings import (DEFAULT_DECK, GROUP_TITLES, MAX_NOTES, MAX_TAKEAWAY, Deck,
                                       Finding, FindingView, create_deck, deck_approval_items,
                                       default_deck, delete_deck, finding_notes, finding_view, list_decks,
                                       load_deck, reorder_deck, update_deck)
from cqi_core.present.meeting_pack import meeting_pack
from cqi_core.exports import (chart_png, chart_svg, check_chart, export_log, log_export,
                              table_csv, table_xlsx)
from cqi_core.exports import MIME as EXPORT_MIME
from cqi_core.exports import file_stem as export_file_stem
from cqi_core.exports import for_viewer as export_for_viewer

__all__ = [
    # the public publication
    "NotPublished", "PublicationInfo", "build_publication", "import_and_publish", "period_ends",
    "publication", "RefreshInfo", "RefreshStatus", "import_and_refresh", "refresh",
    "refresh_status",
    # errors and storage
    "CQIError", "ImportRefused", "StoreError", "Contract", "load_contract", "as_of_date",
    "data_version", "format_status", "import_history", "rejected_rows", "status", "unit_list",
    "Store", "default_db_path", "open_store", "table_counts",
    # ingest, privacy, methods
    "ImportPlan", "ImportResult", "MappingProfile", "format_report", "import_files",
    "list_mappings", "load_mapping", "plan_import", "save_mapping", "ensure_database",
    "needs_sample", "AUDIENCES", "AccessDenied", "PUBLIC_AUDIENCES", "Viewer", "Handle",
    "NOT_APPROVED", "ApprovalItem", "approvals_version", "approve_text", "approved_text",
    "revoke_text",
    "resolve_viewer", "home_unit", "suppression_words", "check_text", "grade_level", "compare_settings",
    # indicators and data quality
    "compute", "indicator_ids", "indicator_config", "f1_favourable_words", "MEASURE_TYPES", "Catalog", "CatalogEntry",
    "checked_period", "compute_checked", "PeriodCheck", "PeriodRefused",
    "check_catalog_complete", "due_for_review", "history", "load_catalog", "save_edit",
    "youth_text", "UNIT_WORDS", "format_value", "how_to_read", "build_scorecard",
    "CHANGE_WORDS", "TOO_FEW", "VERDICT_WORDS", "change_verdict_words", "verdict_words",
    "CHANGES", "VERDICTS", "LatestFigure", "latest_figure", "latest_figures", "min_denominator",
    "latest_complete_period", "period_ending", "indicator_series", "VALUE_KINDS", "AgencyValue",
    "load_values", "review_items", "save_value_edit", "value_history", "checks_by_unit",
    "checks_over_time", "entry_timeliness", "failing_records", "list_checks", "run_checks",
    "check_results",
    # analysis
    "BrightSpot", "bright_spot_table", "bright_spots", "bright_spot_settings", "comparable",
    "compare_periods", "compare_units", "agreement_cells", "agreement_table", "case_measures",
    "disagreements", "item_comparison", "GROUPING_WORDS", "disparities", "DISPARITY_GROUP_WORDS",
    "describe_disparities", "disparity_group_label", "disparity_groupings",
    "disparity_indicators", "Cycle", "create_cycle", "cycle_history", "update_cycle",
    "load_cycle", "list_cycles", "improvement_settings", "cycle_study", "cycle_table",
    "may_edit_cycle", "participants_text", "cycle_approval_items", "approval_words",
    "decision_words", "LABEL_WORDS",
    "load_joint_settings", "alignment", "value_status", "agency_summary", "monthly_flow",
    "SOURCE_TYPES", "Theme", "approve_for_sharing", "code_by_descriptor", "code_frequency",
    "codebook_history", "coded_excerpts", "coding_version", "cohen_kappa", "cooccurrence",
    "excerpts_for", "export_codebook_csv", "export_coded_csv", "export_qdc",
    "import_codebook_csv", "import_qdc", "load_codebook", "percent_agreement", "record_decision",
    "redact", "retire_theme", "save_theme", "suggest_themes", "text_for_audience",
    "load_excerpts", "exemplars", "page_count", "page_of", "pattern_counts", "keep_rows",
    "search_text", "review_narratives", "CASE_TYPE_WORDS", "RATING_WORDS", "ReviewPeriod",
    "filter_reviews", "item_names", "item_rates", "item_series", "item_trend", "item_unit_table",
    "outcome_names", "outcome_rates", "periods_between", "qa_pairs", "rated_items",
    "rated_outcomes", "review_periods", "REVIEW_ITEMS", "review_agreement", "review_settings",
    "review_theme_shares",
    "TrendChart", "add_note", "build_series", "chart_notes", "chart_phases", "control_chart",
    "period_label", "remove_note", "series_for", "series_ready", "trend_settings", "scan_changes",
    "recent_changes",
    "survival", "median_time", "placement_trajectory", "public_rule_words", "shared_cohorts",
    "time_in_care_cohorts", "time_in_care_settings", "plus_months_followed",
    "AdjustedComparison", "adjuster_words", "compare_adjusted", "group_adjusted", "never_words",
    "CASEMIX_INDICATORS", "casemix_adjusted", "casemix_settings", "oe_funnel_figure",
    "UnitProfile",
    "profile_units", "unit_profile", "CHANNEL_WORDS", "SOURCE_TYPE_WORDS", "favourable",
    "favourable_trend", "filter_voices", "rating_distribution", "selection_coded",
    "theme_presence", "theme_trend", "what_we_heard", "what_we_heard_markdown",
    "VOICE_GROUP_WORDS", "VOICE_SOURCE_TYPES", "load_voices", "YouthFact", "YouthText",
    "YouthVoices", "load_youth_text", "youth_facts", "youth_regions", "youth_voices",
    "fill_youth_text", "youth_glossary",
    # charts
    "Figure", "DisplayTable", "display_table", "bar_by_group_chart", "in_care_by_region_chart", "line_over_time_chart",
    "monthly_flow_chart", "disparity_figure", "funnel_figure", "breakdown_chart", "trend_chart",
    "segmented_figure", "value_measures", "value_status_chart", "LABEL_SYMBOLS",
    "agreement_chart", "item_strength_chart", "joint_display_chart", "strength_by_data_chart",
    "item_trend_chart", "item_unit_heatmap", "outcome_bars", "rating_distribution_chart",
    "theme_share_bars",
    "share_trend_chart", "theme_bars", "RULE_WORDS", "VARIATION_ICONS", "assurance_icon",
    "control_chart_figure", "display_scale", "format_display", "group_label", "variation_icon",
    "fact_pictogram", "theme_pictogram",
    "cohort_curves_figure", "exit_types_figure", "trajectory_figure",
    # presentation and exports
    "DEFAULT_DECK", "GROUP_TITLES", "MAX_NOTES", "MAX_TAKEAWAY", "Deck", "Finding",
    "FindingView", "create_deck", "deck_approval_items", "default_deck", "delete_deck", "finding_notes", "finding_view",
    "list_decks", "load_deck", "reorder_deck", "update_deck", "meeting_pack", "chart_png",
    "chart_svg", "check_chart", "export_log", "log_export", "table_csv", "table_xlsx",
    "EXPORT_MIME", "export_file_stem", "export_for_viewer",
]
