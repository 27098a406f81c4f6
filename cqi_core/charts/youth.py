"""Pictograms for the youth view: "about 45 out of 100" drawn as 100 people, 45 filled in.

Every picture of a page has the same number of icons (the pages' one scale, `pictures.out_of`
in `analysis/youth.yaml`), so a bigger number always looks bigger: 100 in a square of ten by
ten, or 10 in two rows of five. The icons a share counts are filled in solid and the rest
are only outlined, so the picture reads without colour (in grey, on a projector, or for a
colour-blind reader). A rate is drawn only on the same grid, each icon one year in care
("about 3 times for every 100 years": 3 of 100 filled); a number the grid cannot show
honestly (hidden, missing, or a rate for every 10 years) is said in words in a box of the
same size. Every picture is 320 pixels wide, so two fit side by side on a 1280-pixel
screen. Every figure carries a title, a "how to read this" line and a text alternative, all
written in `youth.yaml`.

Icon positions are stored as half steps (0.5, 1.5 …) so the chart's data never holds a
small whole number that could be read as a count.
"""

from __future__ import annotations

import math
import textwrap

import altair as alt
import polars as pl

from cqi_core.charts.base import PALETTE, Figure

ICON_PATHS = {
    "person": ("M 0,-0.95 C 0.18,-0.95 0.32,-0.81 0.32,-0.63 C 0.32,-0.45 0.18,-0.31 0,-0.31 "
               "C -0.18,-0.31 -0.32,-0.45 -0.32,-0.63 C -0.32,-0.81 -0.18,-0.95 0,-0.95 Z "
               "M -0.62,0.95 L -0.62,0.3 Q -0.62,-0.18 -0.17,-0.18 L 0.17,-0.18 "
               "Q 0.62,-0.18 0.62,0.3 L 0.62,0.95 Z"),
    "home": ("M 0,-0.95 L 0.95,-0.1 L 0.7,-0.1 L 0.7,0.95 L -0.7,0.95 L -0.7,-0.1 "
             "L -0.95,-0.1 Z M -0.2,0.95 L -0.2,0.35 L 0.2,0.35 L 0.2,0.95"),
    "calendar": ("M -0.85,-0.7 L 0.85,-0.7 L 0.85,0.9 L -0.85,0.9 Z M -0.85,-0.3 L 0.85,-0.3 "
                 "M -0.45,-0.95 L -0.45,-0.5 M 0.45,-0.95 L 0.45,-0.5"),
    "comment": ("M -0.9,-0.75 L 0.9,-0.75 L 0.9,0.45 L -0.1,0.45 L -0.55,0.95 L -0.5,0.45 "
                "L -0.9,0.45 Z"),
}
"""SVG paths of the icons, in the [-1, 1] square Vega-Lite scales custom shapes from."""
FILLED = {"fill": PALETTE[0], "stroke": "#00365a", "strokeWidth": 1.5}
EMPTY = {"fill": "#ffffff", "stroke": "#3d3d3d", "strokeWidth": 2}
_LAYOUT = {10: (5, 64), 100: (10, 32)}
"""Icons per row and pixels per icon: 10 (two rows of five), 100 (a square)."""
_WIDTH = 320
_PAD = alt.AutoSizeParams(type="pad")  # the title adds to the picture, never squeezes it


def pictogram_chart(filled: int | None, out_of: int | None, icon: str, title: str,
                    how_to_read: str, description: str, words: str = "",
                    scale: int = 100) -> Figure:
    """`out_of` icons, `filled` of them filled in and the rest outlined.

    Args:
        filled: icons to fill in; None draws `words` instead of icons (a hidden or missing
            number, or one the grid cannot show).
        out_of: 10 (two rows of five) or 100 (ten rows of ten); None with `filled` None.
        icon: one of `ICON_PATHS`.
        title: the chart's title.
        how_to_read: one plain line on reading the picture.
        description: the text alternative (what the picture shows, in words).
        words: what to show instead of icons when `filled` is None.
        scale: the page's scale, for the size of a words box (as tall as its icons).

    Raises:
        ValueError: an unknown icon, out_of other than 10 or 100, or a filled count outside
            0 to out_of.
    """
    if icon not in ICON_PATHS:
        raise ValueError(f"Unknown icon {icon!r}; choose from {', '.join(ICON_PATHS)}.")
    if filled is None:
        return _words_chart(words, title, how_to_read, description, _height(scale))
    if out_of not in _LAYOUT:
        raise ValueError("out_of must be 10 or 100.")
    if not 0 <= filled <= out_of:
        raise ValueError(f"filled must be 0 to {out_of}: each icon is one of {out_of}.")
    n = out_of
    per_row, cell = _LAYOUT[out_of]
    rows = math.ceil(n / per_row)
    grid = pl.DataFrame({"i": range(n)}).with_columns(
        x=(pl.col("i") % per_row).cast(pl.Float64) + 0.5,
        y=(pl.col("i") // per_row).cast(pl.Float64) + 0.5,
        state=pl.when(pl.col("i") < filled).then(pl.lit("filled")).otherwise(pl.lit("empty")),
    ).drop("i")
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, per_row]))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[0, rows], reverse=True))
    size = (cell * 0.78) ** 2
    layers = [alt.Chart(grid).transform_filter(alt.datum.state == state)
              .mark_point(shape=ICON_PATHS[icon], size=size, filled=True, opacity=1, **style)
              .encode(x=x, y=y)
              for state, style in (("filled", FILLED), ("empty", EMPTY))]
    chart = alt.layer(*layers).properties(
        title=_title(title), description=description, width=_WIDTH, height=cell * rows,
        autosize=_PAD)
    return Figure(chart=chart.configure_view(stroke=None), title=title,
                  description=description, how_to_read=how_to_read)


def _title(title: str) -> alt.Title:
    """The title in lines that fit the picture's width (Vega-Lite does not wrap titles)."""
    return alt.Title(textwrap.wrap(title, 32), fontSize=18, anchor="start")


def _height(scale: int) -> int:
    """The height of a grid of `scale` icons, in pixels."""
    per_row, cell = _LAYOUT.get(scale, _LAYOUT[100])
    return cell * math.ceil(scale / per_row)


def _words_chart(words: str, title: str, how_to_read: str, description: str,
                 height: int) -> Figure:
    """The words in a dashed box as tall as the page's icon grids, in lines that fit."""
    lines = "\n".join(textwrap.wrap(words, 22))
    text = alt.Chart(pl.DataFrame({"words": [lines]})).mark_text(
        fontSize=22, fontWeight="bold", color="#3d3d3d", align="center", baseline="middle",
        lineBreak="\n", lineHeight=30, x=_WIDTH / 2, y=height / 2).encode(text="words:N")
    chart = text.properties(title=_title(title), description=description, width=_WIDTH,
                            height=height, autosize=_PAD)
    return Figure(chart=chart.configure_view(stroke="#3d3d3d", strokeDash=[6, 4]),
                  title=title, description=description, how_to_read=how_to_read)


def fact_pictogram(fact, scale: int = 100) -> Figure:
    """The picture of a `youth.YouthFact`, titled with its question; `scale` is the page's
    (`YouthText.out_of`), for a picture in words."""
    return pictogram_chart(fact.filled, fact.out_of, fact.icon, fact.question, fact.how_to_read,
                           fact.description, fact.chart_words, scale)


def theme_pictogram(theme) -> Figure:
    """The picture of a `youth.YouthTheme` (speech bubbles)."""
    title = theme.label[:1].upper() + theme.label[1:]
    return pictogram_chart(theme.filled, theme.out_of, "comment", title, theme.how_to_read,
                           theme.description, scale=theme.out_of)
