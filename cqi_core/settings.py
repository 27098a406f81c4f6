"""Every YAML file of the package, what it configures, and one reader for all of them.

Rules and words the agency may change are data (YAML) next to the module that reads them;
this registry lists each file once, says what it is for and documents its keys, so a key
cannot be added to a file without saying what it does (tests/test_settings.py checks that
every key in every file is documented here, and every documented key is in its file).

The files stay the one place a value is set: the registry holds each key's help, and a
key's default is read from the file the package ships (`documented`). Settings files
(thresholds, windows) document the keys inside their sections too, with `*` standing for
any key at that level (`indicators.*.params.d1_days`); data catalogs (the indicator
catalog, the codebook, the synthetic agency's plan) document their top-level keys only.

Every module reads its YAML through `load_yaml` (a file of its own, or one a test or a
user gives) or `load` (a registered file by name): UTF-8, parsed once per content, a
fresh copy for each caller, and a file that is not valid YAML raises `CQIError` naming
the file and the line. Each module still checks what it reads.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cqi_core.errors import CQIError

PACKAGE = Path(__file__).resolve().parent
"""The cqi_core folder: registered paths are relative to it."""


@dataclass(frozen=True)
class Setting:
    """One documented key of a settings file."""

    name: str
    """The key; a key inside a section is dotted (`agreement.low_kappa`), `*` any key."""
    help: str
    """What it decides, in a sentence."""


@dataclass(frozen=True)
class SettingsFile:
    """One YAML file of the package."""

    name: str
    """Short name for `load` ("trends")."""
    path: str
    """Path relative to the cqi_core folder ("analysis/trends.yaml")."""
    help: str
    """What the file configures and which module reads it."""
    settings: tuple[Setting, ...]
    """Its documented keys."""

    @property
    def file(self) -> Path:
        """The file in the installed package."""
        return PACKAGE / self.path


def _s(*pairs: tuple[str, str]) -> tuple[Setting, ...]:
    return tuple(Setting(name, text) for name, text in pairs)


FILES: tuple[SettingsFile, ...] = (
    # ---------------------------------------------------------------- storage
    SettingsFile("contract", "storage/contract.yaml",
                 "The data contract: tables, columns, types, codes, keys and references of the "
                 "canonical export (storage.contract).", _s(
        ("version", "Version of the contract."),
        ("tables", "Each table of the export: its columns, types, codes and keys."),
        ("date_formats", "Date formats the importer accepts besides ISO dates."))),
    # ---------------------------------------------------------------- privacy
    SettingsFile("audiences", "privacy/audiences.yaml",
                 "Who sees what: the small-number threshold, roles and audiences, sign-in "
                 "claims and headers (privacy.viewer).", _s(
        ("threshold", "Counts from 1 to this number are masked for public audiences."),
        ("roles", "Identity role → the audience it gets."),
        ("default_audience", "Audience of a signed-in person none of whose roles is listed."),
        ("role_claim", "Sign-in claim holding the person's roles or groups."),
        ("units_claim", "Sign-in claim listing a supervisor's units."),
        ("proxy_user_header", "Header a trusted proxy names the user in (null: no proxy)."),
        ("proxy_role_header", "Header a trusted proxy passes the roles in."),
        ("proxy_units_header", "Header a trusted proxy passes a supervisor's units in."),
        ("supervisor_units", "User → units, for supervisors whose identity does not carry them."),
        ("identifier_columns", "Columns that point at a person or case: never sent to the public."),
        ("text_columns", "Free-text columns: sent to the public only approved and redacted."))),
    SettingsFile("redaction", "privacy/redaction.yaml",
                 "What redaction masks in text shown outside the analyst role "
                 "(privacy.redaction).", _s(
        ("labels", "What replaces each kind of thing found (name, phone, e-mail …)."),
        ("birth_words", "Words that make a nearby date a date of birth."),
        ("birth_window", "Most characters between a birth word and the date it masks."),
        ("street_suffixes", "Street words that end an address (Street, Ave …)."),
        ("unit_words", "Words of a unit inside an address (Apt, Suite …)."),
        ("titles", "Titles before a name (Mr, Ms, Dr …)."),
        ("roles", "Relation or role words a name may follow (caseworker, therapist …)."),
        ("role_owners", "Words before a role word (my, our, the …)."),
        ("cues", "Words that say a name follows (named, called, known as …)."),
        ("allow", "Capitalised words that are not names (months, places, programmes)."),
        ("patterns", "Regular expressions for identifiers: e-mail, record ids, SSNs, phone "
                     "numbers, addresses in any case, PO boxes, lone apartments."),
        ("ordinary_words", "Names that are also ordinary words: masked as names only where "
                           "they cannot be the ordinary word."))),
    # ---------------------------------------------------------------- methods
    SettingsFile("funnel", "methods/funnel/compare.yaml",
                 "Funnel plots comparing units: control limits, minimum sizes, "
                 "overdispersion and how flags are drawn (methods.funnel.settings).", _s(
        ("levels", "The two control limits, as coverage."),
        ("levels.alert", "Coverage of the inner (alert) limit."),
        ("levels.alarm", "Coverage of the outer (alarm) limit."),
        ("min_denominator", "Smallest denominator a unit needs to be compared, by measure kind."),
        ("min_denominator.proportion", "Smallest denominator for a proportion."),
        ("min_denominator.rate", "Smallest exposure for a rate."),
        ("min_denominator.sr", "Smallest expected count for a standardised ratio."),
        ("exact_below_expected", "Exact limits below this expected count, else the normal approximation."),
        ("winsorise", "Share of z-scores winsorised at each end before estimating overdispersion."),
        ("overdispersion_alpha", "Significance level of the overdispersion test."),
        ("overdispersion_min_units", "Units needed before overdispersion is estimated."),
        ("overdispersion_auto", "Overdispersion model applied when detected (additive or multiplicative)."),
        ("display", "How the funnel is drawn."),
        ("display.curve_points", "Points along each limit curve."),
        ("display.dash", "Dash pattern of each limit line."),
        ("display.flags", "Label, shape and marker of each flag."),
        ("display.below_minimum", "Label, shape and marker of a unit too small to compare."),
        ("display.sort_table_by", "Column the funnel table is sorted by."))),
    SettingsFile("jargon", "methods/jargon.yaml",
                 "Words and acronyms the youth view must not use (methods.readability).", _s(
        ("banned", "Each banned term, what to say instead, and whether a gloss allows it."),)),
    # ---------------------------------------------------------------- synthetic data
    SettingsFile("plan", "synth/plan.yaml",
                 "The synthetic agency: sizes, rates, planted changes and dates (synth.plan).", _s(
        ("version", "Version of the plan."),
        ("dates", "History start, as-of date, burn-in and review start."),
        ("seasonality", "Monthly weights and the annual trend."),
        ("sizes", "Agency sizes (tiny, demo, state)."),
        ("agencies", "Units and regions of each size, and how units differ."),
        ("planted", "Changes planted for the dashboard to find."),
        ("workforce", "Supervisors, staff, turnover and vacancies."),
        ("families", "Children per family and their characteristics."),
        ("episodes", "Removal episodes: stays, exits and re-entry."),
        ("placements", "Placement settings, moves and trial home visits."),
        ("reports", "Maltreatment reports and investigations."),
        ("visits", "Caseworker visits."),
        ("population", "Child population and entries per 1,000."),
        ("reviews", "Case reviews: case mix, reviewers and quality assurance."),
        ("voices", "Staff surveys and stakeholder feedback."),
        ("dirty", "Share of records spoiled for the import tests."))),
    SettingsFile("narratives", "synth/narratives.yaml",
                 "Templates of synthetic reviewer narratives (synth.narratives).", _s(
        ("items", "Lead, detail and closing sentences for each review item."),
        ("pools", "Word pools the templates pick from."))),
    SettingsFile("voices", "synth/voices.yaml",
                 "Fragments of synthetic feedback and staff survey comments (synth.voices).", _s(
        ("feedback", "Stakeholder feedback: sources, channels, themes and sentence parts."),
        ("staff_survey", "Staff survey: questions, weights and sentence parts."))),
    # ---------------------------------------------------------------- indicators
    SettingsFile("indicator_config", "indicators/config.yaml",
                 "How the engine computes and reports each indicator (indicators.engine).", _s(
        ("indicators", "One entry per indicator id (families list their members)."),
        ("indicators.*", "How one indicator is computed and reported."),
        ("indicators.*.kind", "proportion, rate or ratio."),
        ("indicators.*.multiplier", "Rate multiplier (per 1,000 or 100,000)."),
        ("indicators.*.interval", "wilson, poisson or none."),
        ("indicators.*.followup", "end, end_plus_12 or start_plus_12: when events stop counting."),
        ("indicators.*.better", "higher, lower or null (a context measure)."),
        ("indicators.*.national", "National performance shown as a reference; null when none."),
        ("indicators.*.groupings", "Groupings allowed besides the whole agency."),
        ("indicators.*.members", "For a family: the ids it computes, in order."),
        ("indicators.*.by_month", "true when a period's figures are its calendar months' added "
                                  "up (V1, V2): overlapping periods count each month once."),
        ("indicators.*.params", "Values bound into the indicator's SQL."),
        ("indicators.*.params.t1_window_1", "T1: days for the first response priority."),
        ("indicators.*.params.t1_window_2", "T1: days for the second response priority."),
        ("indicators.*.params.t1_window_3", "T1: days for the third response priority."),
        ("indicators.*.params.d1_days", "D1: days after the event an entry is still timely; "
                                            "the data quality checks call a later entry late."),
        ("indicators.*.params.f1_favourable", "F1: the lowest rating counted as favourable."),
        ("grouping_order", "Order of groupings in the output."))),
    SettingsFile("review_rollup", "indicators/review_rollup.yaml",
                 "Which case review items make each outcome and how it is rated "
                 "(indicators.engine).", _s(
        ("outcomes", "Each outcome's items and whether it is a single-item outcome."),
        ("sub_items", "Items rated from sub-items (item 12 from 12A-12C)."))),
    SettingsFile("catalog", "indicators/catalog.yaml",
                 "The indicator catalog: what each measure means, its standard and owner "
                 "(indicators.catalog).", _s(
        ("_shared", "Texts shared by many entries (methods, owners, review dates)."),
        ("entries", "One entry per output id, in the order the app shows them."))),
    SettingsFile("values", "indicators/values.yaml",
                 "The agency's values and practice standards, tied to measures and items "
                 "(indicators.values).", _s(
        ("_shared", "Fields shared by every value (its first version)."),
        ("values", "Each value: its words and the measures and items that speak to it."))),
    # ---------------------------------------------------------------- quality
    SettingsFile("checks", "quality/checks.yaml",
                 "Data quality checks: what each looks for and why it matters (quality.checks).", _s(
        ("version", "Version of the checks."),
        ("checks", "Each check: its question, severity, table and SQL file."))),
    # ---------------------------------------------------------------- analysis
    SettingsFile("trends", "analysis/trends.yaml",
                 "How trend charts pick their chart type and rules, and how the what-changed "
                 "scan ranks signals (analysis.trends).", _s(
        ("preset", "Rule preset: anhoej or mdc."),
        ("min_points_control", "Fewer points than this and the chart is a run chart."),
        ("trial_below", "A phase with fewer points than this has trial limits, by preset."),
        ("trial_below.anhoej", "Trial limits below this many points (anhoej preset)."),
        ("trial_below.mdc", "Trial limits below this many points (mdc preset)."),
        ("min_points_runs", "Runs rules need at least this many useful points."),
        ("overdispersion_sigma_z", "Laney's sigma-z above which P' / U' charts are used."),
        ("history_months", "Months of history kept for trends and the scan."),
        ("recent_periods", "The scan reports a signal touching one of the last periods, by grain."),
        ("recent_periods.month", "Recent months the scan looks at."),
        ("recent_periods.quarter", "Recent quarters the scan looks at."),
        ("min_denominator", "Smallest denominator plotted for a unit or region."),
        ("strength", "Weight of each rule when ranking signals."),
        ("strength.outside_limits", "Weight of a point outside the limits."),
        ("strength.shift", "Weight of a long run on one side."),
        ("strength.trend", "Weight of a steady trend."),
        ("strength.two_in_three", "Weight of two of three points near a limit."),
        ("strength.few_crossings", "Weight of too few crossings."),
        ("provisional_days", "A period ending fewer days than this before the as-of date is provisional."),
        ("context_weight", "Factor ranking context measures' signals lower."),
        ("rare_events_per_period", "Median events per period below which a measure is "
                                   "charted as gaps between events (g chart)."),
        ("rare_min_gaps", "Judged gaps a g chart needs; fewer and no signal is judged."),
        ("what_changed_top", "Cards What changed shows first, by kind."),
        ("what_changed_top.concern", "Concerns shown first."),
        ("what_changed_top.improvement", "Improvements shown first."),
        ("what_changed_top.neutral", "Changes with no better direction shown first."))),
    SettingsFile("reviews", "analysis/reviews.yaml",
                 "Thresholds and choices of the case review views (analysis.reviews).", _s(
        ("version", "Version of the settings."),
        ("small_n", "Groups with fewer applicable reviews are greyed out."),
        ("agreement", "Reviewer agreement settings."),
        ("agreement.low_kappa", "Cohen's kappa below this is flagged as low agreement."),
        ("agreement.min_pairs", "Agreement on fewer paired reviews is shown but not judged."),
        ("agreement.count_both_not_applicable", "Whether pairs both not applicable count."),
        ("control_chart_min_periods", "Periods with reviews before an item trend is a control chart."),
        ("fiscal_year_start_month", "First month of the fiscal year (10: October)."),
        ("exemplar_words", "Preferred length of an exemplar quote in words (shortest, longest)."),
        ("themes", "How themes of the review narratives are counted."),
        ("themes.everywhere_share", "A theme in this share of the narratives is named, not drawn."))),
    SettingsFile("bright_spots", "analysis/bright_spots.yaml",
                 "Which improvements count as bright spots and what is shown about them "
                 "(analysis.bright_spots).", _s(
        ("version", "Version of the settings."),
        ("grain", "month or quarter: the charts read."),
        ("rules", "Signal kinds that can make a bright spot."),
        ("min_points", "Periods a signal must cover."),
        ("max_periods_ago", "How close to the latest judged period the signal must reach."),
        ("min_events", "Events a measure's chart needs before it can make a bright spot."),
        ("hold_points", "Latest judged periods that must lie on the better side."),
        ("skip_measure_types", "Measure types whose signals never make a bright spot."),
        ("review_months", "Months of first reviews read for themes and quotes."),
        ("top_themes", "Themes shown per bright spot."),
        ("quotes", "Exemplar quotes shown per bright spot."))),
    SettingsFile("casemix", "analysis/casemix.yaml",
                 "Which adjusters the case-mix adjustment of each federal measure uses, and "
                 "which it never uses (analysis.casemix).", _s(
        ("version", "Version of the settings."),
        ("indicators", "One entry per adjusted indicator (P1-P5, S1, S2)."),
        ("indicators.*", "How one indicator is adjusted."),
        ("indicators.*.adjusters", "Columns of its analysis rows the model adjusts for."),
        ("indicators.*.age_at", "The day its age group is taken, in words."),
        ("indicators.*.source", "The Children's Bureau's adjusters for it, and where they are named."),
        ("never", "Columns never adjusted for (race and ethnicity)."),
        ("never_why", "Why they are never adjusted for, in the words the pages show."),
        ("age_words", "Each age group in words, for the sentences."),
        ("age_words.*", "One age group in words."),
        ("level", "Coverage of the O/E interval (exact Poisson on the observed count)."))),
    SettingsFile("improvement", "analysis/improvement.yaml",
                 "Words and settings of improvement cycles (analysis.improvement, "
                 "analysis.cycle_study).", _s(
        ("statuses", "Where a cycle stands, in order, with the words shown."),
        ("act_decisions", "What the team decided after studying the results."),
        ("stakeholder_roles", "Roles of stakeholders who took part."),
        ("staff_roles", "Roles of staff who took part."),
        ("study", "How a cycle's results are studied."),
        ("study.baseline_periods", "Periods before the start used as baseline, by grain."),
        ("study.heard_months_before", "Months before the start from which feedback is read."),
        ("study.themes", "Themes shown."),
        ("study.quotes", "Quotes shown per theme."))),
    SettingsFile("joint_pairs", "analysis/joint_pairs.yaml",
                 "Joint displays: which measure goes with which review item, and how a pair "
                 "is labelled (analysis.joint_pairs).", _s(
        ("version", "Version of the settings."),
        ("pairs", "Each pair: its indicator, review items, case-level measure and words."),
        ("default_period_months", "Months before a review when it gives no period."),
        ("measures", "Case-level measures a review is checked against."),
        ("labels", "The labelling rule's thresholds."),
        ("labels.confidence", "Confidence level of the review side's interval."),
        ("labels.spc_signal_counts", "Whether a chart signal makes the data side clear."),
        ("labels.lean_points", "Difference in shares that leans a way."),
        ("labels.lean_relative", "Relative difference in rates that leans a way."),
        ("labels.min_ratings", "Fewer ratings than this is not enough data."),
        ("labels.theme_min_reviews", "Reviews a theme must be raised in to stand out."),
        ("labels.theme_share_above", "How far above the agency's share a theme must be."),
        ("profile", "The unit profile's window and how much it shows."),
        ("profile.review_months", "Months of first reviews read."),
        ("profile.top_themes", "Themes shown."),
        ("profile.quotes_per_pair", "Quotes shown per pair."))),
    SettingsFile("time_in_care", "analysis/time_in_care.yaml",
                 "Exit types, months and the public rules of the time-in-care curves "
                 "(analysis.time_in_care).", _s(
        ("version", "Version of the settings."),
        ("months", "Months since removal reported, 1 to this many."),
        ("exit_types", "Each exit type and the discharge reasons it holds."),
        ("permanency", "The exit types that are permanency."),
        ("exit_words", "Words for each exit type and the two pooled curves."),
        ("setting_words", "Words for each placement setting and trajectory state."),
        ("min_cohort", "Staff pages draw a curve only from this many children (entered, and "
                       "still followed)."),
        ("public", "What public audiences get."),
        ("public.fiscal_year_start_month", "Public cohorts are whole fiscal years starting in "
                                           "this month."),
        ("public.months", "The months reported to public audiences."),
        ("public.curve", "The one curve public audiences get."))),
    SettingsFile("youth", "analysis/youth.yaml",
                 "Every word the youth view shows (analysis.youth).", _s(
        ("home", "The youth home page."), ("voices", "The What young people said page."),
        ("words", "The Words we use page."), ("labels", "Labels around charts."),
        ("shares", "How a share is said."), ("amounts", "How a rate is said."),
        ("change", "How a change is said."), ("hidden", "What a hidden number says."),
        ("no_number", "What a missing number says."), ("picture", "Picture-in-words sentences."),
        ("pictures", "The one scale of every picture on a youth page."),
        ("pictures.out_of", "How many drawings every picture has (10 or 100)."),
        ("chart_hidden", "A hidden bar's label."), ("chart_none", "A missing bar's label."),
        ("measures", "The measures shown to young people, in their words."),
        ("themes", "Theme names in young people's words."),
        ("glossary", "Words that cannot be avoided, explained."))),
    SettingsFile("codebook", "analysis/qualitative/codebook.yaml",
                 "The starter codebook of themes (analysis.qualitative.codebook).", _s(
        ("version", "Version of the codebook."),
        ("history", "What changed in each version."),
        ("settings", "How coding behaves."),
        ("settings.suggest_on_not_applicable", "Whether narratives of not applicable items get suggestions."),
        ("themes", "Each theme: code, name, definition, use when, patterns."))),
    # ---------------------------------------------------------------- exports
    SettingsFile("exports", "exports/exports.yaml",
                 "What exports check and explain in every downloaded table (exports.safety).", _s(
        ("count_columns", "Columns holding counts, checked for small numbers."),
        ("count_prefixes", "Column name beginnings that mark a count."),
        ("count_suffixes", "Column name endings that mark a count."),
        ("column_definitions", "Plain definitions of shared columns for the Definitions sheet."))),
)
BY_NAME = {f.name: f for f in FILES}


def entry(name: str) -> SettingsFile:
    """The registered file called `name`."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no settings file named {name!r}; known: {', '.join(BY_NAME)}") from None


# --------------------------------------------------------------------------- reading

_PARSED: dict[tuple[str, str], Any] = {}
_LOCK = threading.Lock()
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The safe loader, in C (libyaml) when PyYAML has it: the codebook and the catalog parse
about ten times faster than in pure Python, into the same data."""


def _where(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PACKAGE))
    except ValueError:
        return str(path)


def load_yaml(path: str | Path) -> Any:
    """The YAML document in `path` (UTF-8), parsed once per content; a copy the caller
    may change.

    Raises:
        CQIError: the file is not UTF-8 or not valid YAML (the message names the file
            and, for YAML, the line).
        OSError: the file cannot be read (missing, no permission), as `open` raises it.
    """
    path = Path(path)
    data = path.read_bytes()
    key = (str(path.resolve()), hashlib.sha1(data).hexdigest())
    with _LOCK:
        hit = key in _PARSED
        parsed = _PARSED.get(key)
    if not hit:
        try:
            parsed = yaml.load(data.decode("utf-8"), Loader=_LOADER)
        except UnicodeDecodeError as exc:
            raise CQIError(f"{_where(path)} is not UTF-8 text (byte {exc.start}).") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise CQIError(f"{_where(path)} is not valid YAML{at}: {problem}.") from None
        with _LOCK:
            _PARSED[key] = parsed
    # A copy: callers build their own objects from it and some change it as they go.
    return copy.deepcopy(parsed)


def load(name: str) -> Any:
    """The registered file `name`, as `load_yaml` reads it."""
    return load_yaml(entry(name).file)


# --------------------------------------------------------------------------- documentation

def _matches(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    return len(pattern) == len(path) and all(p in ("*", k) for p, k in zip(pattern, path))


def keys_in_file(name: str) -> list[str]:
    """The keys the shipped file holds, in the registry's form: top-level keys, and the keys
    inside a section whose keys are documented (`*` where the registry has it)."""
    f = entry(name)
    documented = [tuple(s.name.split(".")) for s in f.settings]
    found: list[str] = []

    def walk(node: Any, path: tuple[str, ...]) -> None:
        for k, v in node.items():
            here = (*path, str(k))
            pattern = next((d for d in documented if _matches(d, here)), here)
            found.append(".".join(pattern))
            inner = any(len(d) > len(here) and _matches(d[:len(here)], here) for d in documented)
            if inner and isinstance(v, dict):
                walk(v, here)

    raw = load(name)
    if isinstance(raw, dict):
        walk(raw, ())
    return list(dict.fromkeys(found))


def _values(node: Any, pattern: tuple[str, ...], path: tuple[str, ...] = ()) -> dict[str, Any]:
    if not pattern:
        return {".".join(path): node}
    if not isinstance(node, dict):
        return {}
    head, rest = pattern[0], pattern[1:]
    keys = [k for k in node if head in ("*", str(k))]
    out: dict[str, Any] = {}
    for k in keys:
        out.update(_values(node[k], rest, (*path, str(k))))
    return out


def documented(name: str) -> list[tuple[str, Any, str]]:
    """(key, default, help) for each documented key of a file; the default is the value
    the shipped file holds (for a `*` key, a dict of each concrete key's value)."""
    f = entry(name)
    raw = load(name)
    rows = []
    for s in f.settings:
        values = _values(raw, tuple(s.name.split(".")))
        default = values.get(s.name) if "*" not in s.name else values
        rows.append((s.name, default, s.help))
    return rows
