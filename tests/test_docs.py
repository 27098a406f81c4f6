"""The documents in docs/ say what the code does, and cannot drift from it.

Where a document restates data (the contract, the catalog, the settings), it is written by a
generator in the core, and the committed file must be exactly what the generator writes
today: change the data, regenerate, commit both. The hand-written documents are checked for
the facts they share with the code (layers, pages, targets, constants). The command line's
commands and options must appear in the README, in `cli.py`'s docstring and in its help.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cqi_core import bench, cli
from cqi_core.indicators import indicator_doc
from cqi_core.indicators.catalog import load_catalog
from cqi_core.indicators.engine import load_config
from cqi_core.ingest import contract_doc
from cqi_core.methods import its, settings_doc, spc
from cqi_core.periods import FOLLOWUPS
from cqi_core.publish import build
from cqi_core.settings import load
from pages import _nav

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _flat(text: str) -> str:
    """Text with every run of white space as one space (prose wraps anywhere)."""
    return re.sub(r"\s+", " ", text)


# --------------------------------------------------------------------------- generated files

@pytest.mark.parametrize("name, render, command", [
    ("DATA_CONTRACT.md", contract_doc.render_contract_markdown, contract_doc.REGENERATE),
    ("INDICATORS.md", indicator_doc.render_indicators_markdown, indicator_doc.REGENERATE),
])
def test_a_generated_document_is_what_its_generator_writes(name, render, command):
    committed = _read(name)
    assert committed == render(), f"docs/{name} is out of date: run {command}"
    # The reader is told, in the first lines, how the file is made.
    assert command in "\n".join(committed.splitlines()[:4])


def test_methods_settings_tables_are_the_yaml_values():
    text = _read("METHODS.md")
    assert text == settings_doc.fill_settings_blocks(text), \
        "a settings table in docs/METHODS.md is out of date: run " \
        ".venv/bin/python -m cqi_core.methods.settings_doc"
    names = re.findall(r"<!-- settings: ([\w.]+)", text)
    assert {"trends", "funnel", "audiences", "reviews", "improvement"} <= set(names)
    assert text.count("<!-- end settings -->") == len(names)


def test_a_settings_block_is_filled_from_its_file():
    """An empty block gets a table whose value is the file's (audiences.yaml threshold)."""
    threshold = load("audiences")["threshold"]
    filled = settings_doc.fill_settings_blocks(
        "x\n<!-- settings: audiences threshold -->\nstale\n<!-- end settings -->\ny\n")
    assert "stale" not in filled
    assert f"| `threshold` | {threshold} |" in filled
    assert filled.startswith("x\n") and filled.endswith("<!-- end settings -->\ny\n")


def test_a_settings_block_naming_an_unknown_key_fails():
    with pytest.raises(KeyError, match="no_such_key"):
        settings_doc.fill_settings_blocks("<!-- settings: trends no_such_key -->\n"
                                          "<!-- end settings -->")


# --------------------------------------------------------------------------- the contract

def test_every_code_is_listed_with_its_federal_numeric_alias():
    text = _read("DATA_CONTRACT.md")
    # AFCARS codes sex 1 = male, 2 = female; NCANDS disposition 1 = substantiated.
    assert "| `female` | `2` | `f` |" in text
    assert "| `male` | `1` | `m` |" in text
    assert "| `substantiated` | `1` | none |" in text
    # Every code of every column with aliases, read from the YAML directly, has its row (a
    # column with none, such as workers.role, lists its codes in the column table).
    raw = load("contract")["tables"]
    for table, spec in raw.items():
        for column, col in spec["columns"].items():
            codes = col.get("codes") or {}
            if not any(codes.values()):
                assert ", ".join(f"`{c}`" for c in codes) in text, f"{table}.{column}"
                continue
            for code, aliases in codes.items():
                federal = [str(a) for a in aliases or [] if str(a).isdigit()]
                want = ", ".join(f"`{a}`" for a in federal) or "none"
                assert f"| `{code}` | {want} |" in text, f"{table}.{column}: {code}"


def test_the_contract_says_what_is_rejected_and_what_is_only_flagged():
    text = _read("DATA_CONTRACT.md")
    rejected = text[text.index("**A row is rejected**"):text.index("**Only flagged**")]
    flagged = text[text.index("**Only flagged**"):text.index("## Tables")]
    raw = load("contract")["tables"]
    for table, spec in raw.items():
        for column, target in (spec.get("references") or {}).items():
            assert f"`{table}.{column}` → `{target}`" in rejected
        for column, target in (spec.get("flag_references") or {}).items():
            assert f"`{table}.{column}` → `{target}`" in flagged
        assert f"### {table}: " in text
    for check in load("checks")["checks"]:
        assert f"(`{check['id']}`)" in flagged
    # The shipped mapping profile is listed with its headers.
    assert "### federal_numeric" in text and "| episodes | `LatRemDt` | `removal_date` |" in text


# --------------------------------------------------------------------------- the indicators

def test_every_indicator_has_its_section_rule_and_sql():
    text = _read("INDICATORS.md")
    catalog = load_catalog()
    for cfg in load_config().values():
        assert f"From `cqi_core/indicators/sql/{cfg.id}.sql`:" in text
        for iid in cfg.ids:
            assert re.search(rf"^#{{2,3}} {re.escape(iid)}: ", text, re.M), iid
            assert _flat(catalog.entry(iid).methodology) in _flat(text), iid


def test_every_follow_up_rule_has_words():
    assert set(indicator_doc.FOLLOWUP_WORDS) == set(FOLLOWUPS)


# --------------------------------------------------------------------------- methods

def test_methods_quotes_the_constants_of_the_code():
    text = _flat(_read("METHODS.md"))
    assert f"the last {build.QUARTERS} quarter ends" in text
    assert f"at most {build.ROUNDS} rounds" in text
    assert f"process limits at {spc.MDC_LIMIT} times the mean moving range" in text
    # Anhøj: longest run above round(log2 n) + 3; the function gives 7 for 16 points
    # (log2 16 = 4, + 3).
    assert spc.longest_run_limit(16) == 7 and "round(log₂ n) + 3" in text
    assert f"fewer than {its.MIN_POINTS} periods on either side" in text
    assert f"warning below {its.WARN_POINTS}" in text
    lo, hi = its.DW_BAND
    assert f"outside {lo}-{hi}" in text


# --------------------------------------------------------------------------- architecture

def _layers() -> list[set[str]]:
    tree = ast.parse((ROOT / "tests" / "test_layers.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "LAYERS":
            return ast.literal_eval(node.value)
    raise AssertionError("tests/test_layers.py has no LAYERS")


def test_architecture_names_every_layer_and_page_and_the_targets():
    text = _read("ARCHITECTURE.md")
    table = text[text.index("## The layers of the core"):text.index("## Storage")]
    for layer in _layers():
        for part in layer:
            assert f"`{part}`" in table, part
    pages = text[text.index("## The pages"):text.index("## Performance targets")]
    for section, rows in _nav.PAGES.items():
        line = next(l for l in pages.splitlines() if l.startswith(f"| {section} |"))
        assert [r[1] for r in rows] == line.split("|")[2].strip().split(", "), section
    for target in bench.TARGETS.values():
        assert f"`{target}`" in text
    for mode in ("single", "shared", "replica"):
        assert f"| `{mode}`" in text


# --------------------------------------------------------------------------- the guide

WORDS = {"analyst": "analysts", "supervisor": "supervisors", "stakeholder": "stakeholders"}


def test_the_guide_reads_every_page_for_the_right_audiences():
    text = _read("FOR_AGENCIES.md")
    rows = {l.split("|")[1].strip(): l.split("|")[2] for l in text.splitlines()
            if l.startswith("| ") and l.count("|") == 4}
    for pages in _nav.PAGES.values():
        for _, title, _, _, roles in pages:
            assert title in rows, title
            who = rows[title]
            if roles == _nav.EVERYONE:
                assert who.strip() == "everyone", title
                continue
            for role, word in WORDS.items():
                assert (word in who) == (role in roles), (title, role)


def test_the_guide_states_the_threshold_and_the_commands_it_names():
    text = _flat(_read("FOR_AGENCIES.md"))
    assert f"means 1 to {load('audiences')['threshold']} people" in text
    assert "python -m cqi_core import" in text and "python -m cqi_core refresh" in text
    assert "federal_numeric" in text and (ROOT / "data/mappings/federal_numeric.yaml").exists()


# --------------------------------------------------------------------------- references

# BENCHMARKS.md is written by `python -m cqi_core bench` (its header comes from bench.py,
# which is checked here instead).
SOURCES = ["README.md", "data/sample/README.md", "cqi_core/synth/readme.py", "cqi_core/bench.py",
           *(f"docs/{p.name}" for p in sorted(DOCS.glob("*.md")) if p.name != "BENCHMARKS.md")]


@pytest.mark.parametrize("source", SOURCES)
def test_every_document_a_file_points_to_exists(source):
    text = (ROOT / source).read_text(encoding="utf-8")
    named = set(re.findall(r"\bdocs/[\w./-]+\.(?:md|png)", text))
    named |= {f"docs/{m}" for m in re.findall(r"\]\(([A-Z_]+\.md)\)", text)}
    assert "DESIGN.md" not in text
    missing = sorted(n for n in named if not (ROOT / n).exists())
    assert not missing, f"{source} points to {missing}"


# --------------------------------------------------------------------------- command line

def _commands():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sub.choices


def test_every_command_is_in_the_cli_docstring():
    doc = _flat(cli.__doc__)
    for name in _commands():
        assert re.search(rf"\b{name}\b", doc), name


def test_every_option_and_choice_is_in_the_help_and_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, p in _commands().items():
        usage = f"python -m cqi_core {name}"
        row = next((l for l in readme.splitlines() if l.startswith(f"| `{usage}")), None)
        assert row is not None, f"README has no row for {usage}"
        helptext = p.format_help()
        for action in p._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt != "--help":
                    assert opt in helptext and opt in row, f"{name} {opt}"
            for choice in action.choices or ():
                assert str(choice) in helptext and str(choice) in row, f"{name} {choice}"
