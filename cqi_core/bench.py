"""The benchmark: generate an agency, import it, and time each step with its peak memory.

Each step runs in its own Python process so that its peak resident memory is its own.
Generated data is cached outside git (default `.bench/`), so a second run measures the
import and the queries without generating again. Results go to `docs/BENCHMARKS.md`
together with the machine they were measured on; tests never assert timings.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# Targets for a state-size agency on a 2-core machine (issue 16; docs/ARCHITECTURE.md,
# "Performance targets"). The import's target is a multiple of the same-run floor: DuckDB's
# bare read_csv of the same files, measured in the same run on the same machine.
TARGETS = {"import": "<= 4x the bare read of the same files", "indicators": "<= 3 s",
           "refresh": "<= 60 s", "page first": "<= 3 s", "page warm": "<= 2 s", "peak": "<= 4 GB"}
IMPORT_FLOOR_TIMES = 4.0
PEAK_MB = 4096.0
PAGE_FIRST_S = 3.0
PAGE_WARM_S = 2.0
_STEP_LIMITS = {"indicators: one 12-month period, all groupings": 3.0}
"""Step name (or its start, before the first colon of the refresh step) -> seconds allowed;
the import's limit is set once the floor of the same run is measured."""
_REFRESH_STEP = "refresh after an import"
_FLOOR_STEP = "floor: bare DuckDB read_csv of the same CSV files"
_IMPORT_STEP = "import (snapshot, fresh database)"

_LOAD_AT_START: list[float] = []
"""The 1-minute load average when the run began (said beside the figures: on a machine busy
with other work every step is slower)."""

_STEP = r"""
import json, resource, sys, time
t0 = time.perf_counter()
{body}
peak = sum(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print("BENCH " + json.dumps({{"seconds": time.perf_counter() - t0, "peak_mb": peak / 1024,
    "note": note}}))
"""


@dataclass(frozen=True)
class StepResult:
    """One measured step."""

    step: str
    """What was measured."""
    seconds: float
    """Wall-clock seconds inside the step's process (interpreter start excluded)."""
    peak_mb: float
    """Peak resident memory of the step's process, in MB, plus that of the largest process
    it started (the refresh's scan runs in one beside it): an upper bound of both at once."""
    note: str
    """What the step produced (row counts, outcome)."""


def _run_step(name: str, body: str) -> StepResult:
    code = _STEP.format(body=body)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark step {name!r} failed:\n{out.stderr[-3000:]}")
    line = next(l for l in out.stdout.splitlines() if l.startswith("BENCH "))
    data = json.loads(line[6:])
    r = StepResult(name, data["seconds"], data["peak_mb"], str(data["note"]))
    print(f"{name:<34} {r.seconds:8.2f} s {r.peak_mb:8.0f} MB   {verdict(r) or 'no target'}   "
          f"{r.note}", flush=True)
    return r


def _limit(step: str) -> float | None:
    if step.startswith(_REFRESH_STEP):
        return 60.0
    return _STEP_LIMITS.get(step)


def verdict(r: StepResult) -> str:
    """The step's figures beside their targets: '' for a step without a time target whose
    memory is within the target; MISSED wherever a figure is over."""
    parts = []
    limit = _limit(r.step)
    if limit is not None:
        floor = f" ({IMPORT_FLOOR_TIMES:g}x the floor)" if r.step == _IMPORT_STEP else ""
        parts.append(f"<= {limit:.1f} s{floor}: " + ("met" if r.seconds <= limit else "MISSED"))
    if r.peak_mb > PEAK_MB:
        parts.append("peak <= 4 GB: MISSED")
    elif parts:
        parts.append("peak met")
    return "; ".join(parts)


def machine() -> str:
    """A one-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines()
                      if l.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB memory"
    except (OSError, StopIteration):
        pass
    import duckdb
    import polars
    return (f"{os.cpu_count()} cores ({cpu}){mem}; Python {platform.python_version()}, "
            f"DuckDB {duckdb.__version__}, Polars {polars.__version__}")


def _generator_fingerprint() -> str:
    """A hash of the generator's code and plans: data cached in `.bench/` is used again only
    while it is what the generator would write today (a stale cache once showed an older
    sample's row counts)."""
    synth = Path(__file__).resolve().parent / "synth"
    digest = hashlib.sha256()
    for path in sorted([*synth.glob("*.py"), *synth.glob("*.yaml")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def run_bench(size: str = "demo", seed: int = 20261121, out: str | Path = "docs/BENCHMARKS.md",
              cache: str | Path = ".bench") -> list[StepResult]:
    """Measure every step for one size and record the figures in `out`."""
    _LOAD_AT_START[:] = [os.getloadavg()[0]]
    data = Path(cache).resolve() / f"{size}-{seed}"
    db = Path(cache).resolve() / f"{size}-{seed}.duckdb"
    results: list[StepResult] = []
    stamp = data / ".generated.json"
    made_by = _generator_fingerprint()
    cached = json.loads(stamp.read_text()) if stamp.exists() else {}
    if cached.pop("generator", None) != made_by:  # none yet, or the generator has changed
        shutil.rmtree(data, ignore_errors=True)
        r = _run_step("generate", f"from cqi_core.synth import generate\n"
                      f"s = generate({size!r}, {str(data)!r}, seed={seed})\n"
                      f"note = ', '.join(f'{{k}} {{v:,}}' for k, v in s.rows.items())")
        stamp.write_text(json.dumps({**r.__dict__, "generator": made_by}))
        results.append(r)
    else:
        prev = StepResult(**cached)
        results.append(StepResult("generate (cached; time of first run)", prev.seconds,
                                  prev.peak_mb, prev.note))
        print(f"generate: cached in {data}")
    results.append(_run_step(_FLOOR_STEP, _FLOOR_STEP_BODY.format(data=str(data))))
    _STEP_LIMITS[_IMPORT_STEP] = IMPORT_FLOOR_TIMES * results[-1].seconds
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)
    # a fresh database: no archive, and nothing kept beside it from an earlier run (its data
    # version would match, and the steps below would read figures instead of computing them)
    for folder in (".archive", ".cache"):
        shutil.rmtree(Path(str(db) + folder), ignore_errors=True)
    imp = (f"from cqi_core import open_store, import_files\n"
           f"r = import_files(open_store({str(db)!r}), [{str(data)!r}])\n"
           f"note = f'{{r.outcome}}: ' + f'{{sum(f.rows_accepted for f in r.files):,}} rows accepted, '"
           f" + f'{{sum(f.rows_rejected for f in r.files):,}} rejected'")
    results.append(_run_step(_IMPORT_STEP, imp))
    results.append(_run_step("import again (same files)", imp))
    results.append(_run_step("publish: every public figure on the grid, suppressed together",
                             f"import cqi_core\n"
                             f"info = cqi_core.build_publication(cqi_core.open_store({str(db)!r}))\n"
                             f"note = f'{{len(info.period_ends)}} periods, {{info.cells:,}} counts, "
                             f"{{info.masked:,}} hidden (target: 60 s at state size, once per import)'"))
    results.append(_run_step("status", f"from cqi_core import open_store, status\n"
                             f"s = status(open_store({str(db)!r}, read_only=True))\nnote = 'ok'"))
    results.append(_run_step("home page figures", f"import cqi_core\n"
                             f"st = cqi_core.open_store({str(db)!r}, read_only=True)\n"
                             f"s = cqi_core.agency_summary(st)\n"
                             f"from datetime import date\n"
                             f"f = cqi_core.monthly_flow(st, date(s.as_of.year - 3, s.as_of.month, 1), s.as_of)\n"
                             f"note = f'{{s.children_in_care:,}} in care, {{len(f)}} months'"))
    results.append(_run_step("data quality checks (all)", f"import cqi_core\n"
                             f"st = cqi_core.open_store({str(db)!r}, read_only=True)\n"
                             f"c = cqi_core.run_checks(st)\n"
                             f"note = f'{{len(c)}} checks, {{int(c[\"failing\"].sum()):,}} failing records'"))
    results.append(_run_step("indicators: one 12-month period, all groupings", f"import cqi_core\n"
                             f"from cqi_core.indicators.scorecard import latest_complete_period\n"
                             f"st = cqi_core.open_store({str(db)!r}, read_only=True)\n"
                             f"start, end = latest_complete_period('end', cqi_core.as_of_date(st))\n"
                             f"t0 = time.perf_counter()\n"
                             f"r = cqi_core.compute(st, start, end)\n"
                             f"t1 = time.perf_counter()\n"
                             f"r = cqi_core.compute(st, start, end)\n"
                             f"warm = time.perf_counter() - t1\n"
                             f"t0 += warm\n"
                             f"note = f'{{r.height:,}} rows for {{start}} to {{end}}; first run shown, "
                             f"a second run in the same process took {{warm:.2f}} s'"))
    results.append(_run_step("indicators for a public audience: one published period, all "
                             "groupings", f"import cqi_core\nfrom cqi_core import privacy\n"
                             f"from cqi_core.indicators.scorecard import latest_complete_period\n"
                             f"st = cqi_core.open_store({str(db)!r}, read_only=True)\n"
                             f"pub = privacy.Handle(st, privacy.Viewer('stakeholder', 'bench', (), 'pinned'))\n"
                             f"start, end = privacy.publication(st).periods()[-1]\n"
                             f"t0 = time.perf_counter()\n"
                             f"p = cqi_core.compute(pub, start, end)\n"
                             f"note = f'{{p.height:,}} rows read from the publication, "
                             f"{{int(p[\"suppressed\"].sum()):,}} with a masked cell'"))
    results.append(_run_step("scorecard (agency, both periods)", f"import cqi_core\n"
                             f"st = cqi_core.open_store({str(db)!r}, read_only=True)\n"
                             f"t0 = time.perf_counter()\n"
                             f"r = cqi_core.build_scorecard(st)\n"
                             f"note = f'{{r.height}} measures'"))
    shutil.rmtree(Path(str(db) + ".cache"), ignore_errors=True)
    results.append(_run_step("refresh after an import: theme suggestions, every trend series (48 "
                             "months and 16 quarters, every indicator x agency/unit/region), the "
                             "publication with the recent changes beside it, latest figures",
                             f"import cqi_core\n"
                             f"info = cqi_core.refresh(cqi_core.open_store({str(db)!r}))\n"
                             f"steps = ', '.join(f'{{k}} {{v:.1f}} s' for k, v in info.seconds.items())\n"
                             f"rows = ', '.join(f'{{v:,}} {{k}}ly points' for k, v in info.series_rows.items())\n"
                             f"note = f'{{steps}} (the recent changes in a process of their own, beside the "
                             f"public figures); {{rows}} (target: 60 s at state size)'"))
    results.append(_run_step("what changed: scan every series (cached months)",
                             f"import cqi_core\nfrom cqi_core.analysis import trends\n"
                             f"st = cqi_core.open_store({str(db)!r}, read_only=True)\n"
                             f"s = trends.build_series(st, 'month')\n"
                             f"t0 = time.perf_counter()\n"
                             f"r = trends.scan(s, cqi_core.load_catalog(st), 'month')\n"
                             f"n = s.select('indicator_id', 'group_by', 'group_value').unique().height\n"
                             f"note = f'{{n:,}} series scanned, {{r.height}} recent signals'"))
    results.append(_run_step("theme suggestion: every narrative and comment x codebook (as "
                             "the refresh keeps it)",
                             f"from cqi_core import open_store, qualitative\n"
                             f"st = open_store({str(db)!r}, read_only=True)\n"
                             f"t0 = time.perf_counter()\n"
                             f"qualitative.build_suggestions(st)\n"
                             f"s = qualitative.suggest_themes(st)\n"
                             f"t1 = time.perf_counter()\n"
                             f"n = qualitative.excerpts(st).height\n"
                             f"t0 += time.perf_counter() - t1\n"
                             f"note = f'{{s.height:,}} suggestions of "
                             f"{{len(qualitative.load_codebook(st))}} themes on {{n:,}} excerpts "
                             f"({{s[\"excerpt_id\"].n_unique():,}} with a theme)'"))
    results.append(_run_step("compare units: funnel of every comparable measure by unit",
                             _COMPARE_STEP.format(db=str(db))))
    results.append(_run_step("unit profile of one unit, monthly series already built",
                             _PROFILE_STEP.format(db=str(db))))
    results.append(_run_step("reviews and data: every first review joined to its records",
                             _CONJOINT_STEP.format(db=str(db))))
    results.append(_run_step("case-mix adjusted figures, all seven indicators by unit, one "
                             "12-month period",
                             f"import cqi_core\nfrom cqi_core.analysis.casemix import adjusted\n"
                             f"from cqi_core.indicators.scorecard import latest_complete_period\n"
                             f"st = cqi_core.open_store({str(db)!r}, read_only=True)\n"
                             f"start, end = latest_complete_period('end_plus_12', cqi_core.as_of_date(st))\n"
                             f"import statsmodels.genmod.generalized_linear_model  # once per process\n"
                             f"t0 = time.perf_counter()\n"
                             f"r = adjusted(st, start, end, by='unit')\n"
                             f"note = f'{{r.height:,}} rows for {{start}} to {{end}} (target: 5 s at "
                             f"state size)'"))
    results.append(_run_step("time to exit curves for every unit, one entry year",
                             f"import cqi_core\n"
                             f"st = cqi_core.open_store({str(db)!r}, read_only=True)\n"
                             f"start, end = [c for c in cqi_core.time_in_care_cohorts(st) "
                             f"if cqi_core.plus_months_followed(c[1], cqi_core.as_of_date(st)) >= 12][-1]\n"
                             f"t0 = time.perf_counter()\n"
                             f"r = cqi_core.survival(st, start, end, by='unit')\n"
                             f"note = f'{{r[\"group_value\"].n_unique()}} units, {{r.height:,}} rows, "
                             f"entries {{start}} to {{end}} (target: 5 s at state size)'"))
    pages = run_pages(db)
    _write_markdown(Path(out), size, seed, results, pages)
    return results


_FLOOR_STEP_BODY = """import duckdb
from pathlib import Path
files = sorted(Path({data!r}).glob("*.csv"))
con = duckdb.connect()
t0 = time.perf_counter()
rows = 0
for i, f in enumerate(files):
    con.execute(f"CREATE TABLE t{{i}} AS SELECT * FROM read_csv('{{f}}')")
    rows += con.execute(f"SELECT count(*) FROM t{{i}}").fetchone()[0]
note = (f"{{len(files)}} CSV files, {{rows:,}} rows read into memory by DuckDB alone (no "
        f"checks, no mapping): the import's floor")
"""
# The floor the import is held to: every CSV file of the export read by DuckDB into in-memory
# tables with its own type detection and nothing else, in the same run. (The case reviews
# workbook is not a CSV file, so the floor leaves it out.)

PAGES_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench_pages.py"
"""The page-render step: it drives the app, so it lives outside this package."""


@dataclass(frozen=True)
class PageResult:
    """One page rendered for one audience: first after a refresh, then warm."""

    page: str
    """The page's title in the menu (pages/_nav.py)."""
    role: str
    """The audience it was rendered for."""
    first: float
    """Seconds of the first render in a new process with nothing cached."""
    warm: float
    """Seconds of the same page rendered again in that process."""
    peak_mb: float
    """Peak resident memory of the audience's process so far, in MB."""
    problem: str
    """The page's error, if it raised one ('' when it rendered)."""

    @property
    def verdict(self) -> str:
        """Both times beside their targets; MISSED where one is over."""
        if self.problem:
            return "FAILED: " + self.problem
        miss = []
        if self.first > PAGE_FIRST_S:
            miss.append(f"first {self.first:.2f} s > {PAGE_FIRST_S:g} s")
        if self.warm > PAGE_WARM_S:
            miss.append(f"warm {self.warm:.2f} s > {PAGE_WARM_S:g} s")
        if self.peak_mb > PEAK_MB:
            miss.append("peak over 4 GB")
        return "MISSED: " + ", ".join(miss) if miss else "met"


def run_pages(db: str | Path) -> list[PageResult]:
    """Render every page for every audience it serves with Streamlit's AppTest on `db` (after
    its refresh): one process and one session through the router per audience; in it, for
    each page, the cache is emptied, the page rendered once (the first visit after a refresh),
    then again (a warm visit)."""
    out: list[PageResult] = []
    print(f"{'page':<34} {'audience':<11} {'first s':>8} {'warm s':>7}   targets: first "
          f"<= {PAGE_FIRST_S:g} s, warm <= {PAGE_WARM_S:g} s", flush=True)
    for role in ("analyst", "supervisor", "stakeholder", "youth"):
        with tempfile.TemporaryFile("w+") as err:
            proc = subprocess.Popen([sys.executable, str(PAGES_SCRIPT),
                                     json.dumps({"role": role, "db": str(db)})],
                                    stdout=subprocess.PIPE, stderr=err, text=True,
                                    cwd=Path(__file__).resolve().parent.parent)
            done = 0
            for line in proc.stdout:  # each page as it is measured
                if not line.startswith("PAGE "):
                    continue
                d = json.loads(line[5:])
                r = PageResult(d["page"], role + (f" (unit {d['unit']})" if d["unit"] else ""),
                               d["first"], d["warm"], d["peak_mb"], "; ".join(d["problems"]))
                print(f"{r.page:<34} {r.role:<11} {r.first:8.2f} {r.warm:7.2f}   {r.verdict}",
                      flush=True)
                out.append(r)
                done += 1
            if proc.wait() != 0 or not done:
                err.seek(0)
                raise RuntimeError(f"page renders for {role} failed:\n{err.read()[-3000:]}")
    return out


_COMPARE_STEP = """import cqi_core
from cqi_core.analysis import compare
st = cqi_core.open_store({db!r}, read_only=True)
ids = compare.comparable("unit")
rows = 0
for i in ids:
    start, end = compare.periods(st, i, count=1)[0]
    rows += compare.units(st, i, start, end).result.units.height
note = f"{{len(ids)}} measures, {{rows:,}} unit rows (latest complete 12 months each)"
"""

_PROFILE_STEP = """import cqi_core
from cqi_core.analysis import trends
from cqi_core.analysis.unit_profile import unit_profile
st = cqi_core.open_store({db!r}, read_only=True)
series = trends.build_series(st, "month")
unit = cqi_core.unit_list(st)["unit_id"][0]
t0 = time.perf_counter()
p = unit_profile(st, unit, series=series)
note = f"{{p.indicators.height}} measures, {{p.items.height}} items, {{p.joint.height}} pairs (series built first, not timed)"
"""

_CONJOINT_STEP = """import cqi_core
from cqi_core.analysis import conjoint
st = cqi_core.open_store({db!r}, read_only=True)
rows = conjoint.item_comparison(st)
table = conjoint.agreement_table(rows)
note = f"{{rows['review_id'].n_unique():,}} reviews, {{int(rows['compared'].sum()):,}} ratings compared"
"""


def _write_markdown(path: Path, size: str, seed: int, results: list[StepResult],
                    pages: list[PageResult] | None = None) -> None:
    header = "# Benchmarks\n\nMeasured by `python -m cqi_core bench [--size state]`. Each step runs " \
             "in its own process; peak memory is that process's peak resident set, plus the largest of " \
             "any process it started (the refresh looks for recent changes in one of its own).\n" \
             f"Targets for a state-size agency on 2 cores (issue 16): import {TARGETS['import']} " \
             f"(the floor step of the same run), all indicators for a 12-month period with every " \
             f"grouping {TARGETS['indicators']}, the refresh after an import {TARGETS['refresh']}, " \
             f"every page's first render after a refresh {TARGETS['page first']} and a warm render " \
             f"{TARGETS['page warm']} for every audience it serves, peak memory {TARGETS['peak']}. " \
             "The target column says met or MISSED; it is empty for a step with no time target.\n" \
             "Pages are rendered by Streamlit's AppTest against the benchmark's database after its " \
             "refresh, one process per audience: for each page the cache is emptied and the page " \
             "rendered (first), then rendered again in the same process (warm). One session per " \
             "audience goes through the router from page to page, with the app's modules " \
             "already imported.\n" \
             "Query steps open the database read-only in a new process, so their figures include " \
             "a cold start; in the app every result is cached per data version, so a page shown " \
             "again with the same filters does not recompute. Generated data is cached in " \
             "`.bench/`; a cached generation shows the time of its first run.\n"
    sections: dict[str, str] = {}
    if path.exists():
        text = path.read_text(encoding="utf-8")
        for block in text.split("\n## ")[1:]:
            title = block.split("\n", 1)[0]
            sections[title] = "## " + block.rstrip() + "\n"
    title = f"Size `{size}` (seed {seed})"
    rows = "\n".join(f"| {r.step} | {r.seconds:.2f} | {verdict(r)} | {r.peak_mb:,.0f} | {r.note} |"
                     for r in results)
    load = ""
    if _LOAD_AT_START:
        began, ended, cores = _LOAD_AT_START[0], os.getloadavg()[0], os.cpu_count() or 1
        busy = (f"above {cores}, other work shared the cores and every figure is slower than "
                "the machine alone would give" if max(began, ended) > cores else
                f"not above {cores}, so the benchmark had the cores to itself")
        load = (f" Load average (1 minute) {began:.1f} when the run began and {ended:.1f} when "
                f"it ended: {busy}.")
    sections[title] = (f"## {title}\n\nMeasured {datetime.now():%Y-%m-%d %H:%M} on {machine()}.{load}\n\n"
                       f"| step | seconds | target | peak MB | result |\n|---|---:|---|---:|---|\n{rows}\n")
    if pages:
        missed = [p for p in pages if p.verdict != "met"]
        lines = "\n".join(f"| {p.page} | {p.role} | {p.first:.2f} | {p.warm:.2f} | {p.verdict} |"
                           for p in pages)
        sections[title] += (f"\n### Pages: first render after the refresh <= {PAGE_FIRST_S:g} s, "
                            f"warm <= {PAGE_WARM_S:g} s\n\n{len(pages) - len(missed)} of "
                            f"{len(pages)} page renders met both targets.\n\n"
                            f"| page | audience | first s | warm s | target |\n|---|---|---:|---:|---|\n"
                            f"{lines}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "\n".join(sections[k] for k in sorted(sections)),
                    encoding="utf-8")
