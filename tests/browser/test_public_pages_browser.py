"""Every page a public audience is served, in Chromium, scanned for what must never reach it.

For each public audience (stakeholder, youth) one `streamlit run` is pinned to it with
`CQI_AUDIENCE`, on a copy of the sample database seeded through the core with staff-written
text: improvement cycles and saved decks whose titles, aims, names, takeaways and notes
carry the marker `HIDDEN` and are not approved, and one cycle title, one cycle aim and one
deck takeaway that an analyst approved (`cqi_core.approve_text`). Every page of
`pages/_nav.served(role)` is opened from the navigation at 1280x720 (a shared screen),
and, for a stakeholder, the two cycles and the two decks by their links (?cycle=, ?deck=).
Each page is then scanned, and a screenshot kept in test-results/public/.

What the browser received is read from Streamlit's own websocket: Playwright reports every
frame (`page.on("websocket")`, `framereceived`), each one a serialized `ForwardMsg` that the
installed streamlit's protobuf classes decode. A chart (`st.altair_chart`) arrives as a
`vega_lite_chart` element: its Vega-Lite spec as JSON and its data sets as Arrow IPC
streams, exactly what vega-embed draws from; a table (`st.dataframe`) arrives the same way
and is drawn on a canvas, out of reach of the page's text. A message the browser was sent
before in the session comes again only as a `ref_hash`, resolved here from the frames
already seen. The end of each run is the `script_finished` message (success), which is
also what every wait here waits on, never a delay.

The rules:

- Visible text (the body's innerText, without the charts' SVG and the icons' ligature
  names): no count from 1 to 10 of people, cases or events (`public_scan.people_counts`:
  a number followed, within two words, by children, families, cases, reports, visits,
  moves, events ...; not a share or rate, a percentage, a decimal, a date, a rank or
  position such as "Item 1" or "1 of 12", a threshold such as "fewer than 10 events", an
  age, or the suppression rule's range "1 to 10"). A metric whose label counts people
  (`names_people`) may not show a whole number from 1 to 10. The youth pages, which
  promise shares and words instead of numbers, are held to the stricter
  `public_scan.small_counts` (any 1 to 10 outside a share), as their own test does.
  Axis ticks and legends are left out of the text: they are scale values, not counts, and
  the data the marks are drawn from is scanned field by field instead.
- The text of every element received (headings, Markdown, captions, alerts, metrics,
  collapsed expanders, chart titles and descriptions for screen readers) is held to the
  same people-count rule.
- Chart and table data: a field that counts (numerator, denominator, children, count ...,
  or a field whose title in the chart or whose column name counts people) holds no whole
  number from 1 to 10; no field is named for a person's, case's or event's id; no value
  anywhere has the shape of a record id of the export (C0000123, W00123, RV000123 ...,
  every format in data/sample) or a reviewer's label.
- No record id in the page's text, no exception element, no "Traceback", no error box.
- Staff-written text: `HIDDEN` never arrives in any frame nor shows in the page; the
  approved Markdown, `**bold**`, an image and a link to 127.0.0.1:9 and `<b>x</b>`, reads
  literally, no <strong> or <b> comes from it, no element of the body points to another
  host than the app's (an <img>, or an <a> such as the renderer's own link of a bare
  address), and the browser never requests anything from 127.0.0.1:9 (Playwright's
  request events, for the whole visit).

The servers run with Streamlit's file watcher off: the test reads the app as it is when
it starts, and an edit saved in the working tree meanwhile must not turn a page into a
"source file changed" prompt halfway through the scan.
"""

from __future__ import annotations

import io
import json
import re
import time
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

import pyarrow as pa
import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

import cqi_core
from browser_support import SHOTS, open_from_navigation, serve, settle
from cqi_core.analysis.improvement import Participant
from cqi_core.present.findings import Finding
from db_support import copy_with_series
from pages._nav import served
from pages._text import JOINER
from public_scan import names_people, people_counts, small_counts

pytestmark = pytest.mark.browser

SCREEN = {"width": 1280, "height": 720}
OUT = SHOTS / "public"
WAIT = 180_000
HIDDEN = "qqunapprovedqq"
"""In every staff-written text no analyst approved."""
TRAP_HOST = "127.0.0.1:9"
APPROVED = (f"**bold** ![t](http://{TRAP_HOST}/track.png) <b>x</b> "
            f"[here](http://{TRAP_HOST}/link) qqapprovedqq")
"""An approved cycle title and deck takeaway: Markdown, an image, a link and HTML that a
public reader must see as typed."""
APPROVED_AIM = "Visit 4 children in their homes every week"
"""An approved aim stating a small number of people, as staff write by mistake."""
# Record ids in the export's shapes (data/sample: C0000001, E0000001, R0000001, P00000001,
# V00000001, W00001, F000001, SR0000001, RV000001 and QA000001), and reviewers' labels.
RECORD_ID = re.compile(r"(?<![\w-])(?:RV|QA|SR|[CEPRVWF])\d{5,10}(?![\w-])|\bCQI reviewer \d+")
ID_FIELD = re.compile(r"(?i)(?:^|_)(?:child|worker|caseworker|episode|report|placement|visit"
                      r"|review|reviewer|feedback|response|excerpt|person|case)_?id$")
COUNT_FIELD = re.compile(r"(?i)^(?:numerator|denominator|n|count|counts|n_\w+|\w+_count"
                         r"|children|young_people|people|families|cases|events|entries|exits"
                         r"|reports|visits|moves|placements|removals|in_care)$")
ENDED = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)

# The page's text without the charts (axis ticks, legends) and the icons' ligature names
# ("diversity_3" of the navigation), and what a scan needs of the DOM besides: every address
# in the body that points to another host than the app's (the head holds only Streamlit's
# own favicon link).
_DOM = r"""() => {
  const away = [...document.querySelectorAll(
      '[data-testid=stVegaLiteChart], [data-testid=stIconMaterial]')];
  const display = away.map(e => e.style.display);
  away.forEach(e => { e.style.display = 'none'; });
  const text = document.body.innerText;
  away.forEach((e, i) => { e.style.display = display[i]; });
  const refs = [...document.body.querySelectorAll('img, a, image, iframe, source, video, audio, link')]
      .map(e => e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('xlink:href')
                || '')
      .filter(u => /^\s*(https?:)?\/\//i.test(u))
      .filter(u => { try { return new URL(u, location.href).host !== location.host; }
                     catch (err) { return true; } });
  return {
    text,
    all: document.body.textContent,
    metrics: [...document.querySelectorAll('[data-testid=stMetric]')].map(m => [
        m.querySelector('[data-testid=stMetricLabel]')?.innerText || '',
        m.querySelector('[data-testid=stMetricValue]')?.innerText || '']),
    exceptions: document.querySelectorAll('[data-testid=stException]').length,
    errors: [...document.querySelectorAll('[data-testid=stAlertContentError]')]
        .map(e => e.innerText),
    elsewhere: refs,
    emphasis: [...document.querySelectorAll('strong, b, em')].map(e => e.innerText.trim())
        .filter(t => t === 'bold' || t === 'x'),
  };
}"""


@dataclass
class Seeded:
    """What the fixture wrote through the core."""

    hidden_cycle: int
    approved_cycle: int
    hidden_deck: int
    approved_deck: int


@pytest.fixture(scope="module")
def seeded(sample_db, tmp_path_factory):
    """A copy of the sample database with staff-written text, approved and not, written
    and approved through the core as the pages do (a plain store answers as analyst)."""
    db = copy_with_series(sample_db, tmp_path_factory.mktemp("public_pages"))
    store = cqi_core.open_store(db)
    try:
        hidden = cqi_core.create_cycle(store, cqi_core.Cycle(
            title=f"Visit huddles {HIDDEN}", aim=f"Aim {HIDDEN}", start_date=date(2025, 3, 1),
            indicators=("V1",), prediction=f"Prediction {HIDDEN}",
            change_idea=f"Change {HIDDEN}", plan=f"Plan {HIDDEN}",
            study_notes=f"Notes {HIDDEN}", status="running",
            participants=(Participant(f"Jordan {HIDDEN}", "youth"),)), "browser test")
        shown = cqi_core.create_cycle(store, cqi_core.Cycle(
            title=APPROVED, aim=APPROVED_AIM, start_date=date(2025, 6, 1), indicators=("V1",),
            change_idea=f"Change {HIDDEN}", status="running"), "browser test")
        for name, text in (("title", APPROVED), ("aim", APPROVED_AIM)):
            cqi_core.approve_text(store, "cycle", shown.cycle_id, name, text, "browser test")
        deck = cqi_core.create_deck(store, f"Deck {HIDDEN}", [
            Finding("P1", takeaway=f"Takeaway {HIDDEN}", notes=f"Notes {HIDDEN}")])
        approved_deck = cqi_core.create_deck(store, "Partners meeting", [
            Finding("P1", takeaway=APPROVED, notes=f"Speaker notes {HIDDEN}")])
        cqi_core.approve_text(store, "deck", approved_deck.deck_id, "takeaway", APPROVED,
                              "browser test")
    finally:
        store.close()
    return db, Seeded(hidden.cycle_id, shown.cycle_id, deck.deck_id, approved_deck.deck_id)


# --------------------------------------------------------------------------- the websocket


class Traffic:
    """Every ForwardMsg the browser received over Streamlit's websocket, decoded, with its
    raw bytes; and every URL the page requested."""

    def __init__(self, page):
        self.received: list[tuple[ForwardMsg, bytes]] = []
        self.requests: list[str] = []
        self.unresolved: list[str] = []
        self._by_hash: dict[str, tuple[ForwardMsg, bytes]] = {}
        self._socket = None
        page.on("websocket", self._opened)
        page.on("request", lambda request: self.requests.append(request.url))

    def _opened(self, ws) -> None:
        if "/_stcore/stream" in ws.url:
            self._socket = ws
            ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        if isinstance(payload, str):
            return
        payload = bytes(payload)
        msg = ForwardMsg.FromString(payload)
        if msg.WhichOneof("type") == "ref_hash":  # sent in full earlier in the session
            if msg.ref_hash not in self._by_hash:
                self.unresolved.append(msg.ref_hash)
                return
            msg, payload = self._by_hash[msg.ref_hash]
        elif msg.hash:
            self._by_hash[msg.hash] = (msg, payload)
        self.received.append((msg, payload))

    def mark(self) -> int:
        """Where the next run's messages will start."""
        return len(self.received)

    def _ended(self, mark: int) -> bool:
        return any(m.WhichOneof("type") == "script_finished" and m.script_finished in ENDED
                   for m, _ in self.received[mark:])

    def wait_for_run(self, mark: int) -> None:
        """Block until a run that started after `mark` has finished (not one cut short by a
        rerun), waiting on the socket's frames: each wait ends with the next frame."""
        deadline = time.monotonic() + WAIT / 1000
        while not self._ended(mark):
            left = deadline - time.monotonic()
            assert left > 0 and self._socket is not None, "the app's run did not finish"
            self._socket.wait_for_event("framereceived", timeout=left * 1000)

    def since(self, mark: int) -> list[tuple[ForwardMsg, bytes]]:
        return self.received[mark:]


def _arrow(data: bytes) -> list[dict]:
    """The rows of an Arrow IPC stream (empty for none)."""
    if not data:
        return []
    return pa.ipc.open_stream(io.BytesIO(data)).read_all().to_pylist()


# The keys of a decoded element or a Vega-Lite spec that hold words a person reads (not ids,
# colours, tags, formats or stylesheets), and the keys that hold data, scanned as data.
READABLE = {"body", "label", "help", "placeholder", "caption", "title", "subtitle",
            "description", "text", "options", "delta", "alt"}
DATA_KEYS = {"data", "datasets", "values", "arrowData", "spec"}


def _strings(value, readable: bool = False):
    """The words inside a decoded element or a spec (what `READABLE` names), but its data."""
    if isinstance(value, str):
        if readable and not value.lstrip().startswith("<style"):
            yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in DATA_KEYS:
                yield from _strings(v, k in READABLE or (readable and isinstance(v, list)))
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, readable)


def _titles(spec) -> dict[str, str]:
    """Field -> the titles a chart gives it (axes, legends, tooltips), in every layer."""
    out: dict[str, str] = {}

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("field"), str):
                title = node.get("title")
                title = " ".join(title) if isinstance(title, list) else str(title or "")
                out[node["field"]] = f"{out.get(node['field'], '')} {title}".strip()
            for k, v in node.items():
                if k not in ("data", "datasets"):
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    return out


def _whole_small(value) -> bool:
    """A whole number from 1 to 10, as a number or as the text of one ("4", "7.0")."""
    if isinstance(value, str):
        value = value.replace(",", "").strip()
        if not re.fullmatch(r"\d+(?:\.0+)?", value):
            return False
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return float(value).is_integer() and 1 <= value <= 10


def _data_problems(what: str, rows: list[dict], counting: set[str]) -> list[str]:
    """Small counts in counting fields, id fields, and values shaped like a record id."""
    out = []
    names = {k for r in rows for k in r}
    out += [f"{what}: an id field {k!r}" for k in sorted(names) if ID_FIELD.search(k)]
    for r in rows:
        for k, v in r.items():
            if k in counting and _whole_small(v):
                out.append(f"{what}: {k}={v!r} counts fewer than 11 ({r})")
            if isinstance(v, str) and RECORD_ID.search(v):
                out.append(f"{what}: {k}={v!r} is a record id")
    return out


def _received_problems(traffic: Traffic, mark: int, youth: bool) -> tuple[list[str], int]:
    """What the browser received since `mark`: the marker, exceptions, chart and table data,
    and the words of every element. Also returns how many charts came."""
    out, charts = [], 0
    for msg, raw in traffic.since(mark):
        if HIDDEN.encode() in raw:
            out.append(f"unapproved text reached the browser in a {msg.WhichOneof('type')} "
                       "message")
        if msg.WhichOneof("type") != "delta":
            continue
        delta = msg.delta
        if delta.WhichOneof("type") == "add_block":
            words = list(_strings(MessageToDict(delta.add_block)))
        elif delta.WhichOneof("type") == "new_element":
            element = delta.new_element
            kind = element.WhichOneof("type")
            if kind == "exception":
                out.append(f"an exception: {element.exception.type}: "
                           f"{element.exception.message}")
            words = [] if kind == "html" else list(_strings(MessageToDict(element)))
            if kind == "vega_lite_chart":
                charts += 1
                chart = element.vega_lite_chart
                spec = json.loads(chart.spec)
                title = spec.get("title")
                name = f"chart {json.dumps(title)[:80]}"
                titles = _titles(spec)
                counting = {f for f, t in titles.items() if names_people(t)}
                sets = [_arrow(d.data.data) for d in chart.datasets]
                sets += [_arrow(chart.data.data)] if chart.HasField("data") else []
                sets += list((spec.get("datasets") or {}).values())
                sets += [spec["data"]["values"]] if isinstance(spec.get("data"), dict) \
                    and "values" in spec["data"] else []
                for rows in sets:
                    fields = {k for r in rows for k in r}
                    out += _data_problems(name, rows, counting | {
                        f for f in fields if COUNT_FIELD.match(f)})
                words += list(_strings(spec))
            elif kind == "dataframe":
                rows = _arrow(element.dataframe.arrow_data.data)
                fields = {k for r in rows for k in r}
                out += _data_problems("table", rows, {
                    f for f in fields if COUNT_FIELD.match(f) or names_people(str(f))})
        else:
            continue
        for text in words:
            found = small_counts(text) if youth else people_counts(text)
            if found:
                out.append(f"received text counts fewer than 11: {found} in {text[:160]!r}")
            if RECORD_ID.search(text):
                out.append(f"received text holds a record id: {text[:160]!r}")
    return out, charts


# --------------------------------------------------------------------------- the pages


@dataclass
class Visit:
    """One public audience's visit: the page, what it received, and what was found."""

    role: str
    page: object
    traffic: Traffic
    problems: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)

    def opened(self, label: str, mark: int, show: str | None = None) -> dict:
        """Wait for the run since `mark` and the page to be drawn, then scan it and keep a
        screenshot of the screen (scrolled to the element `show` selects, when given; the
        app scrolls inside its main block, so a "full page" shot would be the screen too);
        the DOM facts of the scan come back for the caller's own checks."""
        self.traffic.wait_for_run(mark)
        settle(self.page, WAIT)
        self.page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]"
            ".filter(c => c.offsetParent !== null).every(c => c.querySelector('svg, canvas'))",
            timeout=WAIT)
        if show:
            self.page.locator(show).scroll_into_view_if_needed()
        self.page.mouse.move(1275, 715)  # no tooltip or hover over the content
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        OUT.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(OUT / f"{self.role}-{slug}.png"))
        dom = self.page.evaluate(_DOM)
        found, charts = _received_problems(self.traffic, mark, self.role == "youth")
        found += self._dom_problems(dom)
        self.problems += [f"{self.role} / {label}: {p}" for p in found]
        self.seen.append(f"{label} ({charts} charts)")
        return dom

    def _dom_problems(self, dom: dict) -> list[str]:
        out = []
        text = dom["text"]
        counts = small_counts(text) if self.role == "youth" else people_counts(text)
        if counts:
            lines = [ln for ln in text.splitlines()
                     if (small_counts(ln) if self.role == "youth" else people_counts(ln))]
            out.append(f"the page shows counts fewer than 11: {counts} in {lines[:5]}")
        out += [f"the metric {label!r} shows {value!r}" for label, value in dom["metrics"]
                if names_people(label) and _whole_small(value)]
        for what, found in (("a record id", RECORD_ID.findall(dom["all"])),
                            ("unapproved text", [HIDDEN] if HIDDEN in dom["all"] else []),
                            ("a Traceback", ["Traceback"] if "Traceback" in dom["all"] else []),
                            ("an exception box", ["stException"] * dom["exceptions"]),
                            ("an error box", dom["errors"]),
                            ("a link or an image to another site", dom["elsewhere"]),
                            ("Markdown or HTML rendered from approved text", dom["emphasis"])):
            if found:
                out.append(f"the page shows {what}: {found[:5]}")
        return out

    def navigate(self, title: str) -> dict:
        """Open a page from the navigation, as a person would."""
        mark = self.traffic.mark()
        open_from_navigation(self.page, title)
        return self.opened(title, mark)

    def goto(self, url: str, label: str) -> dict:
        """Open a link (a cycle's or a deck's) in a new session, as a shared link is."""
        mark = self.traffic.mark()
        with self.page.expect_websocket(timeout=WAIT):
            self.page.goto(url)
        self.traffic.wait_for_run(mark)
        return self.opened(label, mark)


def _plain(text: str) -> str:
    """Text as a reader sees it: white space as single spaces, and without the invisible word
    joiners `pages._text.plain` puts inside an address so the renderer cannot link it."""
    return " ".join(text.replace(JOINER, "").split())


def _visit(browser, url: str, role: str) -> Visit:
    page = browser.new_page(viewport=SCREEN)
    visit = Visit(role, page, Traffic(page))
    mark = visit.traffic.mark()
    with page.expect_websocket(timeout=WAIT):
        page.goto(url)
    visit.traffic.wait_for_run(mark)
    settle(page, WAIT)
    for pages in served(role).values():
        for _file, title, *_ in pages:
            visit.navigate(title)
    return visit


def _finish(visit: Visit, expected_pages: int) -> None:
    """The request events of the whole visit, then everything found, at once."""
    trapped = [u for u in visit.traffic.requests if urlsplit(u).netloc == TRAP_HOST]
    visit.problems += [f"{visit.role}: the browser requested {u}" for u in trapped]
    if visit.traffic.unresolved:
        visit.problems.append(f"{visit.role}: messages sent by reference to a message the "
                              f"test never saw: {visit.traffic.unresolved}")
    visit.page.close()
    assert len(visit.seen) == expected_pages, visit.seen
    assert not visit.problems, "\n".join(visit.problems)


def _server_env(role: str) -> dict[str, str]:
    return {"CQI_AUDIENCE": role, "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
            "STREAMLIT_SERVER_RUN_ON_SAVE": "false"}


def test_a_stakeholder_meets_no_small_count_id_or_unapproved_text(seeded, browser):
    db, s = seeded
    pages = [title for p in served("stakeholder").values() for _f, title, *_ in p]
    with serve(db, env=_server_env("stakeholder")) as url:
        visit = _visit(browser, url, "stakeholder")

        # the cycle nobody approved: its title is the core's neutral words
        dom = visit.goto(f"{url}/improvement?cycle={s.hidden_cycle}", "cycle not approved")
        assert f"Cycle {s.hidden_cycle}: An improvement cycle on" in dom["text"]
        assert cqi_core.NOT_APPROVED in dom["text"]

        # the approved cycle: its title as typed, characters and all
        dom = visit.goto(f"{url}/improvement?cycle={s.approved_cycle}", "cycle approved")
        assert f"Cycle {s.approved_cycle}: {APPROVED}" in _plain(dom["text"]), dom["text"]
        # approved, yet a small number of people in it is said in words, as on a deck
        assert "Aim: Visit fewer than 11 children in their homes every week" in dom["text"]

        dom = visit.goto(f"{url}/present?deck={s.hidden_deck}", "deck not approved")
        assert "In the 12 months to" in dom["text"]  # the takeaway the core writes instead
        assert f"Saved deck {s.hidden_deck}" in dom["text"]  # its name was not approved

        dom = visit.goto(f"{url}/present?deck={s.approved_deck}", "deck approved")
        takeaway = visit.page.locator(".st-key-takeaway").inner_text()
        assert _plain(takeaway) == APPROVED, takeaway
        # the speaker notes, opened: not approved, so the placeholder
        mark = visit.traffic.mark()
        visit.page.get_by_text("Speaker notes", exact=True).click()
        visit.opened("deck approved, speaker notes", mark, show=".st-key-speaker-notes")
        assert cqi_core.NOT_APPROVED in visit.page.locator(".st-key-speaker-notes").inner_text()
    _finish(visit, len(pages) + 5)


def test_a_young_person_meets_no_small_count_id_or_unapproved_text(seeded, browser):
    db, _ = seeded
    pages = [title for p in served("youth").values() for _f, title, *_ in p]
    with serve(db, env=_server_env("youth")) as url:
        visit = _visit(browser, url, "youth")
    _finish(visit, len(pages))
