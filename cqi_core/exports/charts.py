"""Charts as PNG and SVG files, drawn offline with vl-convert.

A chart that follows its container's width on screen gets the export width. The SVG
carries the chart's title and description (with its "how to read this" line) as <title>
and <desc>, referenced by `aria-labelledby`, so a screen reader announces it; the PNG
carries the same words as international text chunks (iTXt), where image tools show them.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from html import escape
from typing import Mapping

from cqi_core.charts.base import Figure
from cqi_core.exports.log import log_export
from cqi_core.exports.safety import _check_chart_data

EXPORT_WIDTH, EXPORT_HEIGHT = 900, 380
"""Size of an exported chart whose width or height follows its container on screen."""


def chart_png(store, fig: Figure, what: str) -> bytes:
    """A chart as a PNG image (twice the pixel density), drawn offline.

    The image carries the chart's title and description as text chunks.

    Raises:
        CQIError: a public viewer and chart data holding an identifier or a small count.
    """
    import vl_convert  # imported here: only downloads need it

    png = vl_convert.vegalite_to_png(_export_spec(store, fig), scale=2)
    png = _png_with_text(png, {"Title": fig.title, "Description": _desc(fig)})
    log_export(store, what, "png", None, fig.title)
    return png


def chart_svg(store, fig: Figure, what: str) -> bytes:
    """A chart as an SVG drawing with <title> and <desc> for screen readers.

    Raises:
        CQIError: a public viewer and chart data holding an identifier or a small count.
    """
    import vl_convert

    svg = vl_convert.vegalite_to_svg(_export_spec(store, fig))
    head = re.search(r"<svg\b[^>]*>", svg)
    if head is None:  # vl-convert always returns an <svg> root; anything else is a bug
        raise RuntimeError("The chart renderer returned no SVG drawing.")
    opening = head.group(0)[:-1] + ' role="img" aria-labelledby="chart-title chart-desc">'
    inserted = (f'<title id="chart-title">{escape(fig.title)}</title>'
                f'<desc id="chart-desc">{escape(_desc(fig))}</desc>')
    svg = svg[:head.start()] + opening + inserted + svg[head.end():]
    log_export(store, what, "svg", None, fig.title)
    return svg.encode("utf-8")


def _desc(fig: Figure) -> str:
    return f"{fig.description} How to read this: {fig.how_to_read}".strip()


def _export_spec(store, fig: Figure) -> str:
    spec = fig.chart.to_dict()
    _check_chart_data(store, spec)
    _fixed_size(spec, EXPORT_WIDTH)
    spec.setdefault("config", {})["background"] = "#FFFFFF"
    return json.dumps(spec)


def _fixed_size(node: dict, width: int) -> None:
    """Give a size to a chart that follows its container on screen (a file has none)."""
    if node.get("width") == "container":
        node["width"] = width
    if node.get("height") == "container":
        node["height"] = EXPORT_HEIGHT
    for key in ("layer", "hconcat", "vconcat", "concat", "spec"):
        child = node.get(key)
        parts = child if isinstance(child, list) else [child] if isinstance(child, dict) else []
        share = width // len(parts) if key in ("hconcat", "concat") and parts else width
        for part in parts:
            if isinstance(part, dict):
                _fixed_size(part, share)


def _png_with_text(png: bytes, text: Mapping[str, str]) -> bytes:
    """Add international text chunks (iTXt, UTF-8) right after the PNG header chunk."""
    ihdr_end = 8 + 8 + struct.unpack(">I", png[8:12])[0] + 4  # signature, IHDR, its CRC
    chunks = b""
    for key, value in text.items():
        body = key.encode("latin-1") + b"\x00\x00\x00\x00\x00" + value.encode("utf-8")
        chunks += (struct.pack(">I", len(body)) + b"iTXt" + body
                   + struct.pack(">I", zlib.crc32(b"iTXt" + body) & 0xFFFFFFFF))
    return png[:ihdr_end] + chunks + png[ihdr_end:]

