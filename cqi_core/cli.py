"""The command line: `python -m cqi_core COMMAND ...`, a thin client of the package.

Commands: generate (a synthetic agency), import (files into the store, then refresh),
publish (the public figures), refresh (the public figures and every trend series of the
current data, so no visitor waits for them), status (what is loaded), indicators and themes (one period's
figures, for an audience), adjusted (one period's federal measures by unit or region, observed and
adjusted for case mix, for an audience), survival (time to exit of the children entering care
in one period, by exit type and month since removal, for an audience) and bench (time and memory of each step). Exit codes: 0 success, 1 an import
batch refused whole (or the database could not be used, or a period starts after the data's
as-of date), 2 usage errors. A period that ends after the as-of date is clipped to end on it,
with a note on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from cqi_core.errors import CQIError, StoreError


def _progress_printer(stream=sys.stderr):
    last = {"msg": None}

    def progress(message: str, fraction: float) -> None:
        if message != last["msg"]:
            print(f"[{fraction:4.0%}] {message}", file=stream, flush=True)
            last["msg"] = message

    return progress


def cmd_generate(args: argparse.Namespace) -> int:
    from cqi_core.synth import generate

    summary = generate(args.size, args.out, seed=args.seed, dirty=args.dirty,
                       progress=None if args.quiet else _progress_printer())
    print(f"Wrote a {args.size} agency (seed {summary.seed}, as of {summary.as_of}) to {args.out}")
    for table, n in summary.rows.items():
        print(f"  {table:<14} {n:>10,} rows")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from cqi_core.ingest import format_report, import_files
    from cqi_core.storage.store import open_store

    # through a copy swapped in: apps reading the file keep running and see the new data
    store = open_store(args.db, mode="shared")
    result = import_files(store, args.paths, mode=args.mode, mapping=args.mapping,
                          user=args.user, progress=None if args.quiet else _progress_printer())
    print(format_report(result))
    if result.outcome == "landed" and not args.no_publish:
        # New data: the public figures of the old data no longer apply (public views refuse
        # them), so the publication is rebuilt at once, then the trend series pages read.
        _refresh(store, args.quiet)
    return result.exit_code


def cmd_refresh(args: argparse.Namespace) -> int:
    from cqi_core.storage.store import default_db_path, open_store

    path = Path(args.db) if args.db else default_db_path()
    if not path.exists():
        raise CQIError(f"There is no database at {path}.")
    return 0 if _refresh(open_store(path, mode="shared"), args.quiet) else 1


def _refresh(store, quiet: bool) -> bool:
    from cqi_core.publish import refresh

    info = refresh(store, progress=None if quiet else _progress_printer())
    if info.publication is None:
        print("Nothing to refresh: the database holds no data yet.", file=sys.stderr)
        return False
    pub = info.publication
    series = ", ".join(f"{rows:,} {grain}ly series points" for grain, rows in info.series_rows.items())
    took = ", ".join(f"{name} {sec:.1f} s" for name, sec in info.seconds.items())
    print(f"Refreshed: the public figures ({len(pub.period_ends)} periods, {pub.cells:,} counts "
          f"of which {pub.masked:,} hidden) and {series}. Took {took} (the recent changes "
          f"are looked for beside the public figures).", file=sys.stderr)
    return True


def cmd_publish(args: argparse.Namespace) -> int:
    from cqi_core.storage.store import default_db_path, open_store

    path = Path(args.db) if args.db else default_db_path()
    if not path.exists():
        raise CQIError(f"There is no database at {path}.")
    return 0 if _publish(open_store(path), args.quiet) else 1


def _publish(store, quiet: bool) -> bool:
    from cqi_core.publish import build_publication

    info = build_publication(store, progress=None if quiet else _progress_printer())
    if info is None:
        print("Nothing to publish: the database holds no data yet.", file=sys.stderr)
        return False
    last = info.period_ends[-1]
    print(f"Published the public figures: {len(info.period_ends)} periods (the 12 months to "
          f"each quarter end, latest {last:%d %b %Y}), {info.cells:,} counts of which "
          f"{info.masked:,} hidden.", file=sys.stderr)
    return True


def cmd_status(args: argparse.Namespace) -> int:
    from cqi_core.storage.store import default_db_path, open_store
    from cqi_core.storage.facts import format_status, status

    path = Path(args.db) if args.db else default_db_path()
    if not path.exists():
        print(f"There is no database at {path} yet. Import data with "
              f"`python -m cqi_core import FOLDER` or start the app to load the sample agency.")
        return 0
    print(format_status(status(open_store(path, read_only=True))))
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    from cqi_core.errors import PeriodRefused
    from cqi_core.privacy import NotPublished
    from cqi_core.indicators import GROUPINGS, compute_checked
    from cqi_core.indicators.output import to_csv, to_json
    from cqi_core.storage.store import default_db_path, open_store

    by = [g.strip() for g in args.by.split(",") if g.strip()]
    bad = [g for g in by if g not in GROUPINGS]
    if bad:
        raise CQIError(f"--by: unknown grouping {bad[0]!r}; choose from {', '.join(GROUPINGS)}.")
    path = Path(args.db) if args.db else default_db_path()
    if not path.exists():
        raise CQIError(f"There is no database at {path}.")
    ids = [i.strip() for i in args.indicators.split(",") if i.strip()] if args.indicators else None
    try:
        frame, check = compute_checked(_for_audience(open_store(path, read_only=True), args.audience),
                                       _date(args.start, "--start"), _date(args.end, "--end"),
                                       by=by, indicators=ids)
    except (PeriodRefused, NotPublished) as exc:
        return _refused(exc)
    _note(check)
    sys.stdout.write(to_json(frame) if args.format == "json" else to_csv(frame))
    return 0


def _period_table(args: argparse.Namespace, produce) -> int:
    """The shared body of the read commands that answer one period for an audience (themes,
    adjusted, survival): check the dates, open the database read-only for the audience,
    refuse or clip the period against the as-of date, then print `produce(handle, start,
    end)` as CSV or JSON. A period a public audience has no published figures for exits 1."""
    from cqi_core.errors import PeriodRefused
    from cqi_core.privacy import NotPublished
    from cqi_core.indicators import checked_period
    from cqi_core.indicators.output import to_csv, to_json
    from cqi_core.storage.store import default_db_path, open_store

    start, end = _date(args.start, "--start"), _date(args.end, "--end")
    if start > end:
        raise CQIError(f"--start {args.start} is after --end {args.end}.")
    path = Path(args.db) if args.db else default_db_path()
    if not path.exists():
        raise CQIError(f"There is no database at {path}.")
    handle = _for_audience(open_store(path, read_only=True), args.audience)
    try:
        check = checked_period(handle, start, end)
    except PeriodRefused as exc:
        return _refused(exc)
    _note(check)
    try:
        frame = produce(handle, check.start, check.end)
    except NotPublished as exc:
        return _refused(exc)
    sys.stdout.write(to_json(frame) if args.format == "json" else to_csv(frame))
    return 0


def cmd_themes(args: argparse.Namespace) -> int:
    from cqi_core.analysis.qualitative import themes

    return _period_table(args, lambda h, start, end: themes(h, start, end, by=args.by))


def cmd_adjusted(args: argparse.Namespace) -> int:
    from cqi_core.analysis.casemix import adjusted

    ids = [i.strip() for i in args.indicators.split(",") if i.strip()] if args.indicators else None
    return _period_table(args, lambda h, start, end: adjusted(h, start, end, indicators=ids,
                                                              by=args.by))


def cmd_survival(args: argparse.Namespace) -> int:
    from cqi_core.analysis.time_in_care import survival

    return _period_table(args, lambda h, start, end: survival(h, start, end, by=args.by))


def _refused(exc: Exception) -> int:
    """A period after the data's as-of date, or one a public audience has no published
    figures for: a refusal (exit 1, as a refused import) rather than a mistyped command
    (exit 2)."""
    print(f"error: {exc}", file=sys.stderr)
    return 1


def _note(check) -> None:
    """Say on stderr that the period was clipped, so stdout stays pure CSV or JSON for
    whatever reads it."""
    if check.note:
        print(f"Note: {check.note[:1].lower()}{check.note[1:]}", file=sys.stderr)


def _for_audience(store, role: str):
    """The store as `--audience` sees it: public audiences get small cells masked (empty)
    and a `suppressed` column; a supervisor is not limited to units here."""
    from cqi_core.privacy import Handle, Viewer

    return Handle(store, Viewer(role, "command line", () if role in ("stakeholder", "youth") else None,
                                "cli"))


def _date(text: str, option: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CQIError(f"{option} {text!r} is not a date in the form YYYY-MM-DD.") from None


def cmd_bench(args: argparse.Namespace) -> int:
    from cqi_core.bench import run_bench

    run_bench(size=args.size, seed=args.seed, out=args.out, cache=args.cache)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the test that every command is documented)."""
    p = argparse.ArgumentParser(prog="python -m cqi_core",
                                description="CQI dashboard core: generate, import and inspect data.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    g = sub.add_parser("generate", help="write a synthetic agency in the canonical export format")
    g.add_argument("--size", choices=["demo", "state", "tiny"], default="demo",
                   help="demo (about 8,000 children) or state (about 200,000)")
    g.add_argument("--seed", type=int, default=20261121, help="random seed (same seed, same files)")
    g.add_argument("--out", required=True, help="folder to write the export into")
    g.add_argument("--dirty", action="store_true", help="add a realistic share of invalid rows")
    g.add_argument("--quiet", action="store_true", help="no progress lines")
    g.set_defaults(func=cmd_generate)

    i = sub.add_parser("import", help="import export files or folders into the database")
    i.add_argument("paths", nargs="+", metavar="PATH", help="files (CSV, XLSX, Parquet) or folders")
    i.add_argument("--db", help="database file (default: $CQI_DB or data/cqi.duckdb)")
    i.add_argument("--mapping", help="mapping profile name in data/mappings/ or a YAML path")
    i.add_argument("--mode", choices=["snapshot", "delta"], default="snapshot",
                   help="snapshot replaces each table present; delta inserts or updates by key")
    i.add_argument("--user", help="who is importing (for the import log)")
    i.add_argument("--quiet", action="store_true", help="no progress lines")
    i.add_argument("--no-publish", "--no-refresh", dest="no_publish", action="store_true",
                   help="do not refresh (the public figures and the trend series) after a "
                        "landed import; run `refresh` later")
    i.set_defaults(func=cmd_import)

    u = sub.add_parser("publish", help="build the public figures (one suppressed publication per import)")
    u.add_argument("--db", help="database file (default: $CQI_DB or data/cqi.duckdb)")
    u.add_argument("--quiet", action="store_true", help="no progress lines")
    u.set_defaults(func=cmd_publish)

    r = sub.add_parser("refresh", help="build everything derived from the current data: the "
                                       "public figures and every trend series")
    r.add_argument("--db", help="database file (default: $CQI_DB or data/cqi.duckdb)")
    r.add_argument("--quiet", action="store_true", help="no progress lines")
    r.set_defaults(func=cmd_refresh)

    s = sub.add_parser("status", help="what is loaded: rows per table, dates, last imports")
    s.add_argument("--db", help="database file (default: $CQI_DB or data/cqi.duckdb)")
    s.set_defaults(func=cmd_status)

    n = sub.add_parser("indicators", help="compute indicators for one period, by group")
    n.add_argument("--db", help="database file (default: $CQI_DB or data/cqi.duckdb)")
    n.add_argument("--start", required=True, help="first day of the period, YYYY-MM-DD")
    n.add_argument("--end", required=True, help="last day of the period, YYYY-MM-DD")
    n.add_argument("--by", default="all",
                   help="groupings, comma-separated: all,unit,region,age_group,sex,"
                        "race_ethnicity,source_group (all is always included)")
    n.add_argument("--indicators", help="indicator ids, comma-separated (default: all), e.g. P1,Q1.4")
    n.add_argument("--format", choices=["csv", "json"], default="csv")
    n.add_argument("--audience", choices=["analyst", "supervisor", "stakeholder", "youth"],
                   default="analyst", help="who the figures are for (default analyst)")
    n.set_defaults(func=cmd_indicators)

    t = sub.add_parser("themes", help="codebook themes of one period's narratives and comments, by group")
    t.add_argument("--db", help="database file (default: $CQI_DB or data/cqi.duckdb)")
    t.add_argument("--start", required=True, help="first day of the period, YYYY-MM-DD")
    t.add_argument("--end", required=True, help="last day of the period, YYYY-MM-DD")
    t.add_argument("--by", choices=["source_type", "unit", "region", "source_group"],
                   default="source_type", help="group by source type (default), unit, region "
                                               "or source group")
    t.add_argument("--format", choices=["csv", "json"], default="csv")
    t.add_argument("--audience", choices=["analyst", "supervisor", "stakeholder", "youth"],
                   default="analyst", help="who the counts are for (default analyst)")
    t.set_defaults(func=cmd_themes)

    a = sub.add_parser("adjusted", help="observed and case-mix-adjusted federal measures for one "
                                        "period, by unit or region")
    a.add_argument("--db", help="database file (default: $CQI_DB or data/cqi.duckdb)")
    a.add_argument("--start", required=True, help="first day of the period, YYYY-MM-DD")
    a.add_argument("--end", required=True, help="last day of the period, YYYY-MM-DD")
    a.add_argument("--indicators", help="indicator ids, comma-separated (default: "
                                        "P1,P2,P3,P4,P5,S1,S2)")
    a.add_argument("--by", choices=["unit", "region"], default="unit",
                   help="adjust by unit (default) or region")
    a.add_argument("--format", choices=["csv", "json"], default="csv")
    a.add_argument("--audience", choices=["analyst", "supervisor", "stakeholder", "youth"],
                   default="analyst", help="who the figures are for (default analyst)")
    a.set_defaults(func=cmd_adjusted)

    v = sub.add_parser("survival", help="time to exit for the children entering care in one "
                                        "period: the share who left, by exit type and month")
    v.add_argument("--db", help="database file (default: $CQI_DB or data/cqi.duckdb)")
    v.add_argument("--start", required=True, help="first day of the entry period, YYYY-MM-DD")
    v.add_argument("--end", required=True, help="last day of the entry period, YYYY-MM-DD")
    v.add_argument("--by", choices=["all", "unit", "region", "age_group", "sex", "race_ethnicity"],
                   default="all", help="one curve per group (default all: the agency)")
    v.add_argument("--format", choices=["csv", "json"], default="csv")
    v.add_argument("--audience", choices=["analyst", "supervisor", "stakeholder", "youth"],
                   default="analyst", help="who the curves are for (default analyst)")
    v.set_defaults(func=cmd_survival)

    b = sub.add_parser("bench", help="generate, import and time each step; writes docs/BENCHMARKS.md")
    b.add_argument("--size", choices=["demo", "state", "tiny"], default="demo")
    b.add_argument("--seed", type=int, default=20261121)
    b.add_argument("--out", default="docs/BENCHMARKS.md", help="markdown file to update")
    b.add_argument("--cache", default=".bench", help="folder for generated data (not in git)")
    b.set_defaults(func=cmd_bench)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return code
    except BrokenPipeError:
        # The reader stopped early (`indicators | head`): that is not an error. Point stdout
        # at devnull so the interpreter's final flush cannot complain either, as the Python
        # documentation on SIGPIPE recommends, and exit as a process ended by SIGPIPE does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except CQIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing was changed by an unfinished import", file=sys.stderr)
        return 130
