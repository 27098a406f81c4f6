"""docs/INDICATORS.md, written from the catalog, the engine's configuration and the SQL.

Each indicator's rule is set in one place: what it means and the choices behind it in
`catalog.yaml` (where the methodology and its rationale are written by hand), how it is
computed and reported in `config.yaml`, the rule itself in `sql/<id>.sql` with the shared
rules in `sql/_macros.sql`. This module restates them in one readable document, so the
document cannot drift from them: tests/test_docs.py fails when the committed file differs
from what `render_indicators_markdown` writes. Regenerate it with

    .venv/bin/python -m cqi_core.indicators.indicator_doc

The document shows the catalog as shipped; wording and standards an analyst changes in the
app are kept in the database as new versions (the Indicator catalog page shows them).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from cqi_core.indicators.catalog import CatalogEntry, load_catalog
from cqi_core.indicators.display import format_value
from cqi_core.indicators.engine import SQL_DIR, IndicatorConfig, load_config
from cqi_core.settings import PACKAGE, entry, load

DOC_PATH = PACKAGE.parent / "docs" / "INDICATORS.md"
REGENERATE = ".venv/bin/python -m cqi_core.indicators.indicator_doc"

FOLLOWUP_WORDS = {
    "end": "final once the data reach the period's last day",
    "end_plus_12": "final once the data reach 12 months after the period's last day",
    "start_plus_12": "final once the data reach 12 months after the period's first day",
}
"""Each follow-up rule of config.yaml in words (a test checks every rule used has words)."""
INTERVAL_WORDS = {
    "wilson": "95% Wilson score interval",
    "poisson": "95% exact Poisson interval (Garwood) on the numerator count",
    "none": "no interval",
}
KIND_WORDS = {
    "proportion": "a proportion (0-1, shown as a percent)",
    "rate": "a rate: count ÷ exposure × multiplier",
    "ratio": "a ratio",
}
GROUPING_WORDS = {
    "all": "the whole agency",
    "unit": "the unit the record belongs to",
    "region": "that unit's region",
    "age_group": "the child's age group on the indicator's anchor date",
    "sex": "the child's sex",
    "race_ethnicity": "the child's race/ethnicity",
    "source_group": "who gave the feedback",
}
_MACRO = re.compile(r"CREATE OR REPLACE TEMP MACRO (\w+)")


def _esc(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def sql_header(name: str) -> str:
    """The comment block at the top of `sql/<name>.sql`, without the comment marks."""
    lines = []
    for line in (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].removeprefix(" "))
    return "\n".join(lines).strip()


def shared_rules() -> list[tuple[str, str]]:
    """(macro name, the comment above it) for every helper in `sql/_macros.sql`."""
    out: list[tuple[str, str]] = []
    comment: list[str] = []
    lines = (SQL_DIR / "_macros.sql").read_text(encoding="utf-8").splitlines()
    for k, line in enumerate(lines):
        if line.startswith("--"):
            comment.append(line[2:].strip())
        elif m := _MACRO.match(line):
            words = " ".join(comment).strip() or "a companion of the helper above."
            body = [line]
            for more in lines[k + 1:]:
                if body[-1].rstrip().endswith(";"):
                    break
                body.append(more)
            rule = "\n".join(body).split(" AS", 1)[1].strip().rstrip(";")
            if not rule.startswith("TABLE"):  # a scalar rule reads best as itself
                words += ("\n\n  ```sql\n  " + "\n  ".join(rule.splitlines()) + "\n  ```"
                          if "\n" in rule else f" `{rule}`")
            out.append((m.group(1), words))
            comment = []
        elif not line.strip():
            comment = []
    return out


def _param_help() -> dict[str, str]:
    """Each indicator parameter's help text, from the settings registry."""
    prefix = "indicators.*.params."
    return {s.name[len(prefix):]: s.help for s in entry("indicator_config").settings
            if s.name.startswith(prefix)}


def _standard(e: CatalogEntry) -> str:
    if e.standard is None:
        return "none set"
    strict = " (strictly better than)" if e.standard_strict else ""
    return format_value(e, e.standard) + strict


def _facts(e: CatalogEntry, cfg: IndicatorConfig) -> list[str]:
    kind = KIND_WORDS[cfg.kind]
    if cfg.kind == "rate":
        kind += f" (× {cfg.multiplier:,.0f})"
    better = {"higher": "higher", "lower": "lower"}.get(cfg.better or "", "neither (context)")
    national = "none" if e.national is None else format_value(e, e.national)
    rows = [
        ("Measure type", e.measure_type),
        ("Value", kind),
        ("Better", better),
        ("Interval", INTERVAL_WORDS[cfg.interval]),
        ("Follow-up", f"`{cfg.followup}`: {FOLLOWUP_WORDS[cfg.followup]}"),
        ("Groupings", ", ".join(["all", *cfg.groupings])),
        ("Standard", _standard(e)),
        ("Where the standard comes from", e.standard_note),
        ("National reference (CFSR Round 4)", national),
    ]
    if e.label:
        rows.append(("Label", e.label))
    help_of = _param_help()
    for name, value in (cfg.params or {}).items():
        rows.append((f"Parameter `{name}`", f"{value} ({help_of.get(name, '')})"))
    rows += [("Owner", e.owner), ("Next review", f"{e.review_date:%Y-%m-%d}"),
             ("Serves the values", ", ".join(e.value_ids) or "none")]
    return ["| | |", "|---|---|", *[f"| {k} | {_esc(v)} |" for k, v in rows], ""]


def _entry_section(e: CatalogEntry, cfg: IndicatorConfig, level: str) -> list[str]:
    lines = [f"{level} {e.id}: {e.name}", "", e.definition, ""]
    lines += _facts(e, cfg)
    lines += ["**Rule.** " + e.methodology, ""]
    if e.choices:
        lines += ["**Choices made where the rule leaves one open:**", ""]
        lines += [f"- {c}" for c in e.choices] + [""]
    if not e.choices_confirmed:
        lines += ["*These choices have not yet been checked against the SQL.*", ""]
    return lines


def _sql_block(name: str) -> list[str]:
    return [f"From `cqi_core/indicators/sql/{name}.sql`:", "", "```text", sql_header(name),
            "```", ""]


def _summary(catalog, config: dict[str, IndicatorConfig]) -> list[str]:
    lines = ["| id | name | type | better | follow-up | groupings besides all | standard |",
             "|---|---|---|---|---|---|---|"]
    for cfg in config.values():
        for iid in cfg.ids:
            e = catalog.entry(iid)
            lines.append(f"| [{iid}](#{_anchor(e)}) | {_esc(e.name)} | {e.measure_type} | "
                         f"{cfg.better or 'context'} | `{cfg.followup}` | "
                         f"{', '.join(cfg.groupings)} | {_esc(_standard(e))} |")
    return lines + [""]


def _anchor(e: CatalogEntry) -> str:
    """The heading anchor a Markdown renderer makes for an entry's heading."""
    text = f"{e.id}: {e.name}".lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def render_indicators_markdown() -> str:
    """The whole of docs/INDICATORS.md."""
    catalog = load_catalog()
    config = load_config()
    order = load("indicator_config")["grouping_order"]
    lines = [
        "# Indicator rules", "",
        "> Generated from `cqi_core/indicators/catalog.yaml` (definitions, rules and the "
        "choices behind them), `config.yaml` (how each is computed and reported) and "
        "`sql/*.sql` (the rules as run). Do not edit by hand: change those files and run "
        f"`{REGENERATE}`. `tests/test_docs.py` fails when this file and the generator "
        "disagree. It shows the catalog as shipped; an analyst's edits made in the app are "
        "stored in the database as new versions and shown on the Indicator catalog page.", "",
        "## How every indicator is reported", "",
        "- A period is given by its first and last day, both included. The value is the "
        "numerator divided by the denominator; a rate is then multiplied (per 1,000 or per "
        "100,000).",
        "- Each indicator names a follow-up rule: the day from which a period's figure is "
        "final, because the outcomes it waits for (a return to care, a permanent home) have had "
        "their time to happen. A period whose follow-up day is after the data's as-of date is "
        "reported with `followup_complete` false, and the scorecard shows the latest period "
        "whose follow-up is complete.",
        *[f"  - `{k}`: {v}." for k, v in FOLLOWUP_WORDS.items()],
        "- Intervals: " + "; ".join(f"`{k}` is {v}" for k, v in INTERVAL_WORDS.items()) + ".",
        "- Groupings, in the order the output lists them: "
        + "; ".join(f"`{g}` ({GROUPING_WORDS[g]})" for g in order)
        + ". An indicator is computed only for the groupings it allows.",
        "- The federal statewide data indicators are observed figures, not risk-adjusted: "
        "the national reference is a yardstick, not a federal conformity decision.",
        "- Public audiences see these figures only from the publication, with small counts "
        "hidden (see [METHODS.md](METHODS.md)).", "",
        "## All indicators", "",
    ]
    lines += _summary(catalog, config)
    lines += ["## Shared rules", "",
              "Every indicator's SQL uses these helpers of `sql/_macros.sql`, so each common "
              "term is written once:", ""]
    lines += [f"- `{name}`: {words}" for name, words in shared_rules()] + [""]
    for cfg in config.values():
        if cfg.members:
            lines += [f"## {cfg.id}: a family of {len(cfg.members)} measures", ""]
            lines += _sql_block(cfg.id)
            for iid in cfg.members:
                lines += _entry_section(catalog.entry(iid), cfg, "###")
        else:
            lines += _entry_section(catalog.entry(cfg.id), cfg, "##")
            lines += _sql_block(cfg.id)
    return "\n".join(lines).rstrip("\n") + "\n"


def write(path: Path = DOC_PATH) -> Path:
    """Write the document (what `python -m cqi_core.indicators.indicator_doc` does)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_indicators_markdown(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"wrote {write(Path(sys.argv[1]) if len(sys.argv) > 1 else DOC_PATH)}")
