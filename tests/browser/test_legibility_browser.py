"""Every page, for every audience it serves, legible on a shared screen (1280×720 and 1440×900).

One `streamlit run` behind a trusted proxy's headers (as `test_proxy_signin_browser`), on the
session's shared sample database with its series (`series_db`), serves all four audiences,
each a browser context of its own. Every page of `_nav.served(role)` is opened from the
navigation as a person would (a run is over when the server says so on the app's websocket)
and checked at 1280×720; then the window is resized to 1440×900 (the charts follow their
container) and checked again, for every role but the supervisor, whose pages are the
analyst's with their own unit's figures. A screenshot of each page and size goes to
test-results/legibility/; with CQI_REFRESH_SCREENSHOTS=1 the 1280×720 ones go to
docs/screenshots/ too (`browser_support.doc_shot`), in 256 colours to keep them small.

What is checked, from the rendered page:

- Charts (Streamlit draws Vega-Lite as SVG: Vega's scenegraph written out as elements, each
  mark group carrying its role, `role-axis-label`, `role-legend-label`, `role-title-text`):
  no text under 12 px (20 px on the presentation page, where the chart is read across a
  room), no axis or legend label cut by `labelLimit` (Vega ends a cut label with "…"), no
  label running out of its chart, and no two labels of a chart overprinting each other.
- Tables (`st.dataframe` is drawn on a canvas; the grid also writes each drawn row into an
  accessible table for screen readers, which is what is read here): no cell reads "None",
  "nan" or "null", no column header is raw snake_case (`ci_low`), no header is cut at its
  column's edge, and a table that nearly fits the page is not cut at the page's edge
  (measured from the grid's own columns and fonts; see `_MEASURE`).
- The menu: folded away on the presentation page (a screen share), open on every other
  page at 1280 px.
- No exception on any page.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser_support import SHOTS, doc_shot, open_from_navigation, running, settle
from db_support import copy_with_series
from pages import _nav
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

pytestmark = pytest.mark.browser

WAIT = 180_000
MEASURABLE_MS = 30_000
"""How long a shown table may take to draw its column headers before it is measured."""
SIZES = ({"width": 1280, "height": 720}, {"width": 1440, "height": 900})
OUT = SHOTS / "legibility"
PROXY = {"CQI_PROXY_USER_HEADER": "X-Forwarded-User",
         "CQI_PROXY_ROLE_HEADER": "X-Forwarded-Role",
         "CQI_PROXY_UNITS_HEADER": "X-Forwarded-Units",
         "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none", "STREAMLIT_SERVER_RUN_ON_SAVE": "false"}
PEOPLE = {
    "analyst": {"X-Forwarded-User": "ana.lopez@agency.example", "X-Forwarded-Role": "analyst"},
    "supervisor": {"X-Forwarded-User": "sam.rivera@agency.example",
                   "X-Forwarded-Role": "supervisor", "X-Forwarded-Units": "U012"},
    "stakeholder": {"X-Forwarded-User": "pat.lee@partner.example",
                    "X-Forwarded-Role": "stakeholder"},
    "youth": {"X-Forwarded-User": "board@partner.example", "X-Forwarded-Role": "youth"},
}
PRESENTATION = "present.py"
MIN_PX, PRESENT_PX = 12, 20

# Every fact the checks need, measured in the page. Text boxes come from the browser's own
# layout of the SVG (getBoundingClientRect), so a wrapped label is one box of its lines.
_MEASURE = r"""() => {
  const visible = e => { const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'
      && getComputedStyle(e).opacity !== '0'; };
  // shown: laid out, and not in a folded expander (whose content keeps its layout box)
  const shown = e => e.offsetParent !== null && !e.closest('details:not([open])');
  const charts = [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]
    .filter(c => shown(c) && c.querySelector('svg'));
  const out = charts.map(c => {
    const svg = c.querySelector('svg');
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].filter(visible).filter(t => t.textContent.trim());
    const role = t => { const g = t.closest('g[class*="role-"]');
      const m = g && g.getAttribute('class').match(/role-([a-z-]+)/); return m ? m[1] : 'mark'; };
    const items = texts.map(t => { const r = t.getBoundingClientRect();
      return {text: t.textContent, role: role(t), size: parseFloat(getComputedStyle(t).fontSize),
              left: r.left, right: r.right, top: r.top, bottom: r.bottom,
              axis: (t.closest('g.role-axis') || {}).outerHTML ? [...svg.querySelectorAll('g.role-axis')].indexOf(t.closest('g.role-axis')) : -1}; });
    return {title: c.getAttribute('aria-label') ? c.getAttribute('aria-label').slice(0, 80) : '',
            box: {left: box.left, right: box.right, top: box.top, bottom: box.bottom}, items};
  });
  // A header is cut when its text, drawn after the cell's left padding, runs past its
  // column's edge (the grid clips it there). A table whose columns nearly fit (up to a
  // quarter wider than the grid) has its last ones cut at the edge, where nobody looks for
  // a sideways scroll; a table of many columns (a catalog) scrolls sideways by design. The grid's columns (title, width,
  // grow), its width and theme are the props of its React component, found from the
  // accessible table up the component tree; a column grows by its share of the room the
  // columns leave free, as the grid lays them out.
  const canvas = document.createElement('canvas').getContext('2d');
  const cutHeaders = d => {
    const table = d.querySelector('table[role=grid]');
    const key = table && Object.keys(table).find(k => k.startsWith('__reactFiber$'));
    let f = key ? table[key] : null, props = null;
    for (let depth = 0; f && depth < 60 && !props; depth++, f = f.return) {
      const p = f.memoizedProps;
      if (p && p.theme && Array.isArray(p.columns) && p.columns.length
          && typeof p.columns[0].width === 'number') props = p;
    }
    if (!props) return null;
    const cols = props.columns, used = cols.reduce((a, c) => a + c.width, 0);
    const grow = cols.reduce((a, c) => a + (c.grow || 0), 0);
    const free = Math.max(0, props.width - used);
    canvas.font = props.theme.headerFontFull;
    return cols.filter(c => c.title).map(c => ({title: c.title,
        width: c.width + (grow ? free * (c.grow || 0) / grow : 0),
        needs: canvas.measureText(c.title).width + props.theme.cellHorizontalPadding}))
      .filter(c => c.needs > c.width + 0.5)
      .map(c => `${c.title} (${Math.round(c.needs)} px in ${Math.round(c.width)})`)
      .concat(used > props.width + 1 && used <= 1.25 * props.width
              ? [`the columns are ${used} px wide in a table of ${props.width} px: the last `
                 + `ones are cut at its edge`] : []);
  };
  const grids = [...document.querySelectorAll('[data-testid=stDataFrame]')]
    .filter(shown).map(d => ({
    headers: [...d.querySelectorAll('table th, [role=columnheader]')].map(h => h.textContent.trim()),
    cells: [...d.querySelectorAll('table td, [role=gridcell]')].map(h => h.textContent.trim()),
    cut: cutHeaders(d),
  }));
  return {charts: out, grids,
          exceptions: [...document.querySelectorAll('[data-testid=stException]')].map(e => e.innerText.slice(0, 300))};
}"""
_REDRAWN = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"
_COLLAPSED = ("() => document.querySelector('[data-testid=stSidebar]')"
              ".getAttribute('data-collapsed')")
LABELS = {"axis-label", "legend-label"}


def _overlap(a: dict, b: dict, slack: float = 1.0) -> bool:
    return (min(a["right"], b["right"]) - max(a["left"], b["left"]) > slack
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack)


def problems_of(measured: dict, minimum: int) -> list[str]:
    """What makes a measured page hard to read (see the module docstring)."""
    out = [f"an exception: {e}" for e in measured["exceptions"]]
    for chart in measured["charts"]:
        name = chart["title"] or "a chart"
        box = chart["box"]
        for t in chart["items"]:
            if t["size"] < minimum - 0.01:
                out.append(f"{name}: {t['role']} {t['text']!r} is {t['size']:g} px (< {minimum})")
            if t["role"] in LABELS and t["text"].endswith("…"):
                out.append(f"{name}: {t['role']} {t['text']!r} is cut")
            if t["role"] in LABELS | {"title-text"} and (
                    t["left"] < box["left"] - 1 or t["right"] > box["right"] + 1):
                out.append(f"{name}: {t['role']} {t['text']!r} runs out of the chart")
        labels = [t for t in chart["items"] if t["role"] in LABELS]
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                if _overlap(a, b):
                    out.append(f"{name}: labels {a['text']!r} and {b['text']!r} overlap")
    for grid in measured["grids"]:
        bad = sorted({c for c in grid["cells"] if c in ("None", "nan", "null", "NaN")})
        if bad:
            out.append(f"a table shows {bad} in its cells (headers {grid['headers'][:8]})")
        raw = [h for h in grid["headers"] if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", h)]
        if raw:
            out.append(f"a table has raw column headers {raw}")
        if grid["cut"] is None:
            out.append(f"a table's columns could not be measured (headers {grid['headers'][:8]})")
        elif grid["cut"]:
            out.append(f"a table's column headers are cut: {grid['cut']}")
    return out


@pytest.fixture(scope="module")
def server(series_db, tmp_path_factory):
    db = copy_with_series(series_db, tmp_path_factory.mktemp("legibility_browser"))
    with running(db, env=PROXY) as s:
        yield s


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _drawn(page) -> None:
    """Wait for the run to end and every shown chart and table to be drawn (a table with its
    column headers: the grid draws its frame first, and on a busy machine a measure taken
    between the two finds no headers)."""
    settle(page, WAIT)
    page.wait_for_function(
        "() => { const shown = e => e.offsetParent !== null && !e.closest('details:not([open])');"
        " return [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].filter(shown)"
        ".every(c => c.querySelector('svg, canvas'))"
        " && [...document.querySelectorAll('[data-testid=stDataFrame]')].filter(shown)"
        ".every(d => d.querySelector('table[role=grid] th, table[role=grid] [role=columnheader]')); }",
        timeout=WAIT)
    page.evaluate(_REDRAWN)


def _finished(frame) -> bool:
    """A message from the server saying a run of the whole page finished (not a rerun cut
    short, not a fragment's run): Streamlit's own protocol, read from its websocket."""
    if isinstance(frame, str):
        return False
    msg = ForwardMsg.FromString(frame)
    return (msg.WhichOneof("type") == "script_finished"
            and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY)


def _open(page, socket, title: str) -> None:
    """Open a page from the menu (unfolding the menu first if the last page folded it) and
    wait for its run to finish (the server says so on the app's websocket: a quick run can
    start and end between two frames of the page, so the page alone cannot be watched) and
    its charts to be drawn."""
    if page.evaluate(_COLLAPSED) == "true":
        page.get_by_test_id("stExpandSidebarButton").click()
        page.wait_for_function(f"() => ({_COLLAPSED})() === 'false'", timeout=WAIT)
    with socket.expect_event("framereceived", predicate=_finished, timeout=WAIT):
        open_from_navigation(page, title)
    _drawn(page)


def _wide(role: str) -> bool:
    """Whether a role's pages are checked at 1440×900 too. A supervisor is served the
    analyst's pages, each with their own unit's figures: those are checked at 1280×720, where
    space is shortest, and the analyst's at both sizes (the test stays within its budget)."""
    return role != "supervisor"


def _compact(png: bytes) -> bytes:
    """A screenshot in 256 colours (a third of the size; text stays sharp), so the committed
    screenshots of every page and audience stay small."""
    from PIL import Image  # Streamlit's own dependency

    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").quantize(
        colors=256, method=Image.Quantize.FASTOCTREE).save(out, "PNG", optimize=True)
    return out.getvalue()


def _check(page, role: str, title: str, size: dict, minimum: int) -> list[str]:
    """Screenshot the page at `size` and say what makes it hard to read."""
    if page.viewport_size != size:
        page.set_viewport_size(size)
        _drawn(page)
    page.mouse.move(size["width"] - 5, size["height"] - 5)  # no tooltip
    page.evaluate(_REDRAWN)
    name = f"{role}-{_slug(title)}"
    page.screenshot(path=str(OUT / f"{name}-{size['width']}x{size['height']}.png"))
    if size is SIZES[0]:
        doc_shot(f"{name}.png").write_bytes(_compact(page.screenshot()))
    try:  # a table is measured once the grid has drawn its headers (busy machines draw late)
        page.wait_for_function(f"() => ({_MEASURE})().grids.every(g => g.headers.length "
                               "&& g.cut !== null)", timeout=MEASURABLE_MS)
    except PlaywrightTimeout:
        pass  # measured as it is: the problem is then reported below
    return [f"{role} / {title} at {size['width']}: {p}"
            for p in problems_of(page.evaluate(_MEASURE), minimum)]


@pytest.mark.parametrize("role", list(PEOPLE))
def test_every_page_is_legible_at_1280_and_1440(server, browser, role):
    context = browser.new_context(extra_http_headers=PEOPLE[role], viewport=SIZES[0])
    page = context.new_page()
    with page.expect_websocket(timeout=WAIT) as connected:
        page.goto(server.url, timeout=WAIT)
    socket = connected.value
    page.get_by_test_id("stSidebarNav").wait_for(timeout=WAIT)
    _drawn(page)
    OUT.mkdir(parents=True, exist_ok=True)
    found, seen = [], []
    for pages in _nav.served(role).values():
        for file, title, *_ in pages:
            page.set_viewport_size(SIZES[0])
            _open(page, socket, title)
            presenting = file == PRESENTATION
            # The presentation folds the menu away for the screen share; other pages keep it.
            if page.evaluate(_COLLAPSED) != ("true" if presenting else "false"):
                found.append(f"{role} / {title}: the menu is "
                             + ("open while presenting" if presenting else "folded"))
            minimum = PRESENT_PX if presenting else MIN_PX
            for size in SIZES if _wide(role) else SIZES[:1]:
                found += _check(page, role, title, size, minimum)
            seen.append(title)
    context.close()
    assert len(seen) == sum(len(p) for p in _nav.served(role).values())
    assert not found, "\n".join(found)
