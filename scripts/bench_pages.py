"""Page render times for the benchmark (`python -m cqi_core bench`): one visitor of one
audience opens every page the router serves them, each first with nothing cached and then
again warm, against a database given on the command line. It drives the app, so it lives
outside `cqi_core` (which never imports the app's framework); `cqi_core.bench` runs it in a
process of its own and reads the PAGE lines it prints.

Usage: python scripts/bench_pages.py '{"role": "analyst", "db": "path/to.duckdb"}'
"""
import importlib, json, os, resource, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
args = json.loads(sys.argv[1])
role, db = args["role"], args["db"]
os.environ["CQI_DB"] = db
os.environ.pop("CQI_AUDIENCE", None)
if role in ("stakeholder", "youth"):
    os.environ["CQI_AUDIENCE"] = role  # as a public deployment pins it
import streamlit as st
from streamlit.testing.v1 import AppTest
import cqi_core
from cqi_core.privacy import Viewer
from pages import _nav, _shared
# a running app has its modules imported already: the visitor pays for rendering, not imports
for m in sorted(Path("pages").glob("_*.py")):
    importlib.import_module(f"pages.{m.stem}")
store = cqi_core.open_store(db)
unit = None
if role == "supervisor":  # a supervisor of one unit: the first unit by id
    unit = sorted(cqi_core.unit_list(store)["unit_id"].to_list())[0]
if role in ("analyst", "supervisor"):  # a signed-in person, as the app tests stand one in
    who = Viewer(role, f"bench {role}", (unit,) if unit else None, "oidc")
    _shared.viewer = lambda: who
# One visitor's session through the router, as a person moves from page to page: it lands
# (not timed), then opens every page that serves this audience in the menu's order.
at = AppTest.from_file(str(Path("app.py").resolve()), default_timeout=900).run()
for page, title in [(f, title) for ps in _nav.PAGES.values() for f, title, *_ in ps
                    if role in _nav.roles_of(f)]:
    st.cache_data.clear()  # the first visit after a refresh: nothing cached for this data yet
    times, problems = [], []
    for _ in range(2):  # the first render, then the same page again in the same process
        t0 = time.perf_counter()
        at.switch_page(_nav.script(page)).run()
        times.append(time.perf_counter() - t0)
        problems += [str(e.message)[:200] for e in at.exception]
    print("PAGE " + json.dumps({"page": title, "role": role, "unit": unit, "first": times[0],
                                "warm": times[1], "problems": problems[:1],
                                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}),
          flush=True)
