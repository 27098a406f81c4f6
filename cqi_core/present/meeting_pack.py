"""The meeting pack: a deck as one HTML file that opens anywhere, offline, and prints well.

Everything is inside the file: each chart drawn offline as SVG (vl-convert) with its title,
takeaway, "how to read this", speaker notes and the figures behind it after suppression,
then a Definitions section from the indicator catalog. There is no script, no external
link, font or image, so the file opens from an e-mail attachment or a USB stick on a
locked-down machine, and a partner can forward it without the dashboard. Every text is
HTML-escaped, including the text inside the charts. Each chart is a <figure> whose SVG has
role="img" and an aria-label with the chart's description, and a <figcaption> that says the
takeaway, so a screen reader reads what a sighted reader sees.

The figures come from `findings.finding_view`, so a public audience's pack holds only what
that audience may see; each chart's data is checked again before it is drawn, and the pack
is recorded in the export log.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from html import escape
from typing import Sequence

import polars as pl

from cqi_core import privacy
from cqi_core.charts.base import Figure
from cqi_core.errors import CQIError
from cqi_core.present.findings import Deck, Finding, FindingView, finding_notes, finding_view
from cqi_core.indicators.catalog import Catalog, CatalogEntry, load_catalog
from cqi_core.indicators.display import UNIT_WORDS
from cqi_core.storage.store import Store
from cqi_core.storage.facts import as_of_date
from cqi_core.charts.findings import value_text
from cqi_core.exports import check_chart
from cqi_core.exports import log_export

SVG_WIDTH = 880
"""Width of a chart in the pack, labels included (its column is about 900 px wide)."""

_STYLE = """
:root { color: #000; background: #fff; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       font-size: 17px; line-height: 1.5; max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 2rem; margin-bottom: .25rem; }
h2 { font-size: 1.45rem; margin-top: 2.5rem; border-top: 3px solid #000; padding-top: 1rem; }
h3 { font-size: 1.1rem; margin-bottom: .25rem; }
.meta, .privacy { color: #222; }
.privacy { border-left: 6px solid #0072B2; padding: .5rem 1rem; background: #F2F7FB; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption .takeaway { font-size: 1.3rem; font-weight: 700; margin: .75rem 0 .25rem; }
.how { font-style: italic; }
.notes { background: #FFF8E5; border-left: 6px solid #E69F00; padding: .5rem 1rem; }
table { border-collapse: collapse; margin: .75rem 0; font-size: .95rem; }
caption { text-align: left; font-weight: 700; padding-bottom: .25rem; }
th, td { border: 1px solid #555; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #EDEDED; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
dt { font-weight: 700; margin-top: 1rem; }
dd { margin-left: 0; }
a { color: #00518A; }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; }
  nav { display: none; }
  section.finding { break-before: page; }
  section.finding:first-of-type { break-before: auto; }
  figure, table { break-inside: avoid; }
  a { color: #000; text-decoration: none; }
}
"""


def meeting_pack(store: Store | privacy.Handle, deck_or_findings: Deck | Sequence[Finding], title: str,
                 subtitle: str = "", include_notes: bool = True,
                 catalog: Catalog | None = None) -> bytes:
    """One self-contained HTML file of the chosen findings, for the handle's viewer.

    Args:
        store: the database, or a handle whose viewer decides what is released (and who is
            logged).
        deck_or_findings: a deck, or findings in the order to show.
        title: the pack's title ("Partners' meeting, March").
        subtitle: a line under the title (optional).
        include_notes: put each finding's speaker notes in the pack.
        catalog: the catalog, when the caller has it already.

    Returns:
        The HTML document, UTF-8.

    Raises:
        CQIError: no findings, no title, no data, or chart data that must not leave the
            dashboard for this audience.
    """
    findings = tuple(deck_or_findings.findings if isinstance(deck_or_findings, Deck)
                     else deck_or_findings)
    title = (title or "").strip()
    if not title:
        raise CQIError("Give the meeting pack a title.")
    if not findings:
        raise CQIError("Choose at least one finding for the meeting pack.")
    catalog = catalog or load_catalog(privacy.full(store))
    deck_id = deck_or_findings.deck_id if isinstance(deck_or_findings, Deck) else None
    sections, contents = [], []
    for n, finding in enumerate(findings, start=1):
        view = finding_view(store, finding, presentation=False, catalog=catalog, deck_id=deck_id)
        _check(store, view.figure)
        notes = finding_notes(store, finding, catalog, deck_id) if include_notes else ""
        sections.append(_section(n, view, notes))
        contents.append(f'<li><a href="#finding-{n}">{escape(view.title)}</a></li>')
    ids = list(dict.fromkeys(f.indicator_id for f in findings))
    html = _document(store, title, subtitle, contents, sections,
                     _definitions([catalog.entry(i) for i in ids]))
    _log(store, f"Meeting pack: {title}", len(findings))
    return html.encode("utf-8")


def svg_figure(figure: Figure, width: int = SVG_WIDTH) -> str:
    """A chart drawn offline as inline SVG, ready to sit in an HTML page: no namespace URLs
    (HTML gives inline SVG its namespace), role="img" and the description as its label."""
    import vl_convert  # imported here: only the pack and downloads need it

    spec = figure.chart.to_dict()
    if spec.get("width") in (None, "container"):
        spec["width"] = width
    svg = vl_convert.vegalite_to_svg(json.dumps(spec))
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg, count=2)
    svg = re.sub(r"^\s*<\?xml[^>]*>\s*", "", svg)
    label = escape(f"{figure.title}. {figure.description}", quote=True)
    return svg.replace("<svg", f'<svg role="img" aria-label="{label}"', 1)


def _check(store: Store | privacy.Handle, figure: Figure) -> None:
    check_chart(store, figure)


def _log(store: Store | privacy.Handle, what: str, findings: int) -> None:
    log_export(store, what, "html", None, f"{findings} findings")


def _section(n: int, view: FindingView, notes: str) -> str:
    parts = [f'<section class="finding" id="finding-{n}">',
             f"<h2>{n}. {escape(view.title)}</h2>",
             "<figure>", svg_figure(view.figure),
             "<figcaption>",
             f'<p class="takeaway">{escape(view.takeaway)}</p>',
             f'<p class="how"><strong>How to read this:</strong> {escape(view.figure.how_to_read)}</p>',
             "</figcaption>", "</figure>"]
    if view.note:
        parts.append(f'<p class="privacy">{escape(view.note)}</p>')
    if notes:
        parts.append('<div class="notes"><h3>Speaker notes</h3>'
                     + "".join(f"<p>{escape(p)}</p>" for p in notes.split("\n") if p.strip())
                     + "</div>")
    parts.append(_table(view.table, f"The figures behind the chart: {view.title}"))
    parts.append("</section>")
    return "\n".join(parts)


def _table(table: pl.DataFrame, caption: str) -> str:
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in table.columns)
    body = []
    for row in table.iter_rows():
        cells = [f'<th scope="row">{escape(str(row[0]))}</th>']
        cells += [f'<td class="num">{escape(str(v))}</td>' if _numeric(v) else
                  f"<td>{escape(str(v))}</td>" for v in row[1:]]
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def _numeric(v) -> bool:
    return bool(re.fullmatch(r"[\d,.%]+", str(v)))


def _definitions(entries: list[CatalogEntry]) -> str:
    """Each indicator shown, from the catalog, then the words the pack uses.

    The catalog's definition says who is counted (the denominator) and what counts as
    success (the numerator); its rule says both exactly."""
    better = {"higher": "Higher is better.", "lower": "Lower is better.",
              "none": "Context: neither higher nor lower is better."}
    items = []
    for e in entries:
        standard = "none set yet" if e.standard is None else _standard_text(e)
        items.append(
            f'<dt id="def-{escape(e.id, quote=True)}">{escape(e.name)}</dt><dd>'
            f"<p><strong>What it measures:</strong> {escape(e.definition)}</p>"
            f"<p><strong>Which way is better:</strong> {escape(better[e.direction])} "
            f"<strong>Agency standard:</strong> {escape(standard)}"
            + (f" <strong>Federal measure:</strong> {escape(e.label)}." if e.label else "")
            + f"</p><p><strong>The exact rule:</strong> {escape(e.methodology)}</p></dd>")
    threshold = privacy.load_policy().threshold
    glossary = (
        "<dt>Numerator and denominator</dt><dd><p>A figure is a fraction. The denominator "
        "(the bottom) is how many were counted: the children, visits, reviews or days the "
        "definition names. The numerator (the top) is how many of them met the measure.</p></dd>"
        "<dt>95% interval</dt><dd><p>The range the true figure most likely lies in, given how "
        "many were counted. When two intervals overlap a lot, the difference between them may "
        "be chance.</p></dd>"
        "<dt>Hidden to protect privacy</dt><dd><p>Figures for public audiences leave out any "
        f"count from 1 to {threshold} (zero is shown), every rate worked out from such a count, "
        "and any other figure that would let a hidden one be worked out by subtraction.</p></dd>"
        "<dt>12 months ending</dt><dd><p>Each point of a trend is one year of figures, the 12 "
        "months ending with that quarter, as the federal measures are counted.</p></dd>")
    return ('<section id="definitions"><h2>Definitions</h2><dl>' + "".join(items) + glossary
            + "</dl></section>")


def _standard_text(e: CatalogEntry) -> str:

    words = {"higher": "at least", "lower": "at most"}.get(e.direction, "")
    text = f"{words} {value_text(e, e.standard)}".strip()
    if e.unit in UNIT_WORDS and UNIT_WORDS[e.unit]:
        text += UNIT_WORDS[e.unit]
    return f"{text}. {e.standard_note}".strip() if e.standard_note else f"{text}."


def _document(store: Store | privacy.Handle, title: str, subtitle: str, contents: list[str],
              sections: list[str], definitions: str) -> str:
    viewer = privacy.viewer_of(store)
    as_of = as_of_date(privacy.full(store))
    meta = (f"Figures as of {as_of:%B %-d, %Y}. " if as_of else "") + \
        f"Prepared {datetime.now():%B %-d, %Y}."
    notice = ("" if not viewer.public else
              '<p class="privacy">Prepared for a public audience: only figures for groups of '
              "children are shown, small numbers are hidden to protect privacy, and nothing in "
              "it identifies a child, a family or a worker.</p>")
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        f"<title>{escape(title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
        "<header>", f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(subtitle)}</p>' if subtitle.strip() else "",
        f'<p class="meta">{escape(meta)}</p>', notice, "</header>",
        '<nav aria-label="Contents"><h2>Contents</h2><ol>', *contents,
        '<li><a href="#definitions">Definitions</a></li>', "</ol></nav>",
        "<main>", *sections, definitions, "</main>",
        '<footer><p class="meta">Made with the CQI dashboard. Opens without a network '
        "connection; print it from the browser for paper copies.</p></footer>",
        "</body>", "</html>", ""])
