"""The chart and table convention: how every chart and table is sized, labelled and worded
so a page stays legible on a shared 1280×720 screen.

A chart's plotting area has a fixed height and its title, legend and axes sit around it
(Streamlit shows the whole chart), so a chart of rows asks only for its rows' room:
`rows_height`, which grows with the rows and with the lines their labels wrap onto. Text is never below `MIN_TEXT_PX` (`PRESENT_TEXT_PX` in presentation mode),
labels are never cut (`labelLimit` 0; long ones wrap over lines, `wrap_label`), and labels
that would overprint are left out by Vega rather than drawn over each other (`labelOverlap`);
`legible` sets all of that as the chart's own configuration, which wins over Streamlit's
theme.

Tables are turned into what people read by `display_table`: column headers in words,
numbers formatted as the measure (percent for shares, the rate's unit in the header), a
missing value as a word ("hidden" where privacy hid it, "not enough data" otherwise), codes
and unit ids as words and names, and the column widths and height the page should give
(plain data: pages turn them into Streamlit's column configuration). No streamlit here.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import altair as alt
import polars as pl

from cqi_core.indicators.catalog import CatalogEntry
from cqi_core.indicators.display import UNIT_WORDS, format_value

# --------------------------------------------------------------------------- charts

MIN_TEXT_PX = 12
"""The smallest text a chart draws on a page (axis labels, legends, value labels)."""
PRESENT_TEXT_PX = 20
"""The smallest text a chart draws in presentation mode (read across a meeting room)."""
ROW_PX = 32
"""Room for one row (bar, dot, interval, heatmap row) of a chart of rows: two lines of 12 px
text fit, so a wrapped label never runs into the next row."""
PRESENT_ROW_PX = 53
"""Room for one row in presentation mode (20 px text, two lines)."""
LINE_PX = 14
"""One line of a wrapped 12 px label (Vega's line height: the font size plus 2); a row holds
its label's lines and 4 px more (the last line's descent, and air between rows)."""
MIN_ROWS = 3
"""A chart of rows is never drawn smaller than this many rows (one or two rows would sit in
a strip too thin to read)."""
LABEL_CHARACTERS = 34
"""Longest line of a label on the row axis before it wraps onto a second line."""
WRAP_EXPR = "split(datum.label, '\\n')"
"""`labelExpr` drawing a label's lines (`wrap_label` joins them with a newline)."""


def rows_height(rows: int, *, lines: int = 2, presentation: bool = False,
                row_px: int | None = None, extra: int = 0) -> int:
    """The height of a chart's plotting area for `rows` rows drawn one under the other: each
    row's room, for at least `MIN_ROWS` rows.

    Charts are drawn with the plotting area's height fixed and the title, legend and axes
    around it (`autosize` "fit-x" in `charts.base._finish`), so their room is not counted
    here: a chart asks only for its rows.

    Args:
        rows: bars, dots or bands drawn one under the other.
        lines: the most lines a row's label wraps onto (`label_lines`); a row is tall enough
            for them (two fit in the convention's row).
        presentation: sized for presentation mode's larger text.
        row_px: room for one row, when a chart's rows need more than the convention's.
        extra: room for anything else drawn inside the plotting area (in pixels).
    """
    per_row = row_px or (PRESENT_ROW_PX if presentation else ROW_PX)
    scale = PRESENT_TEXT_PX / MIN_TEXT_PX if presentation else 1.0
    per_row = max(per_row, round((lines * LINE_PX + 4) * scale))
    return int(max(rows, MIN_ROWS) * per_row + extra)


def label_lines(labels) -> int:
    """The most lines any of `labels` (wrapped by `wrap_label`) takes; 1 when there are none."""
    return max((str(label).count("\n") + 1 for label in labels), default=1)


def wrap_label(text: str, width: int = LABEL_CHARACTERS) -> str:
    """A label split over lines of at most `width` characters at spaces (joined by a newline;
    the axis draws them with `WRAP_EXPR`), so it is never cut."""
    return "\n".join(textwrap.wrap(str(text), width=width, break_long_words=False)) or str(text)


def row_axis(**extra) -> alt.Axis:
    """The axis of a chart's rows: every label whole (wrapped over lines), none dropped."""
    return alt.Axis(labelLimit=0, labelExpr=WRAP_EXPR, labelOverlap=False, **extra)


def text_px(presentation: bool = False) -> int:
    """The size of a value label drawn on a chart."""
    return PRESENT_TEXT_PX if presentation else MIN_TEXT_PX


def legible(chart, presentation: bool = False):
    """The chart with the convention as its own configuration: text at least 12 px (20 px in
    presentation mode), labels and legends never cut, labels that would overprint left out.
    Apply once, to the finished (top-level) chart, which is configured as it is and returned:
    setting the six parts one copy at a time copied every layer and its data six times over
    (a tenth of a second for a control chart)."""
    size = text_px(presentation)
    config = alt.Config() if chart.config is alt.Undefined else chart.config.copy(deep=True)
    config["axis"] = alt.AxisConfig(labelFontSize=size, titleFontSize=size + 1, labelLimit=0,
                                    labelOverlap=True, titleLimit=0)
    # the first and last labels of a value or time axis stay inside the chart: flush with
    # its ends, and one that would still reach past an end is left out
    config["axisQuantitative"] = alt.AxisConfig(labelFlush=True, labelBound=True)
    config["axisTemporal"] = alt.AxisConfig(labelFlush=True, labelBound=True)
    config["legend"] = alt.LegendConfig(labelFontSize=size, titleFontSize=size, labelLimit=0,
                                        titleLimit=0)
    config["title"] = alt.TitleConfig(fontSize=size + 4, subtitleFontSize=size + 1)
    config["text"] = alt.MarkConfig(fontSize=size)
    chart.config = config
    return chart


# --------------------------------------------------------------------------- tables

HIDDEN = "hidden"
"""A cell whose figure privacy hid."""
NO_DATA = "not enough data"
"""A cell with no figure for another reason (nothing counted, too few, not computed)."""

COLUMN_WORDS = {
    "group_value": "Group", "group_label": "Group", "group": "Group", "unit_id": "Unit",
    "unit_name": "Unit", "unit": "Unit", "region": "Region", "indicator_id": "Measure",
    "name": "Name", "numerator": "Counted (numerator)", "denominator": "Out of (denominator)",
    "value": "Figure", "ci_low": "95% interval, low", "ci_high": "95% interval, high",
    "n": "Number", "rate": "Share", "share": "Share", "agency_share": "Whole agency's share",
    "period": "Period", "period_start": "From", "period_end": "To", "month": "Month",
    "source_type": "How it was gathered", "source_group": "Who gave feedback",
    "severity": "Severity", "table": "Table", "failing": "Records flagged",
    "checked": "Records checked", "share_late": "Share entered late", "source": "Source",
    "records": "Records", "late": "Entered late", "median_days": "Median days to entry",
    "p90_days": "90th percentile of days to entry", "suppressed": "Hidden to protect privacy",
    "followup_complete": "Follow-up complete", "texts": "Texts", "texts_total": "Texts in all",
    "theme": "Theme", "code": "Theme", "item": "Item", "strengths": "Strengths",
    "areas_needing_improvement": "Areas needing improvement",
    "not_applicable": "Not applicable", "case_type": "Case type", "review_date": "Reviewed",
    "text": "Text", "date": "Date", "rating": "Rating", "status": "Status",
}
"""Column headers in words, for the project's column names (others: snake_case → words)."""
SHARE_COLUMNS = frozenset({"rate", "share", "agency_share", "share_late", "percent_agreement",
                           "share_flagged", "unit_share"})
"""Columns holding a share (0-1), shown as a percent."""
FIGURE_COLUMNS = frozenset({"value", "ci_low", "ci_high"})
"""Columns holding a measure's figure, shown as the measure (needs its catalog entry)."""
CODE_WORDS = {
    "source_type": {"survey": "Survey", "focus_group": "Focus group",
                    "advisory_board": "Advisory board", "complaint": "Complaint",
                    "listening_session": "Listening session", "other": "Other"},
    "case_type": {"foster_care": "Foster care", "in_home": "In-home"},
    "rating": {"strength": "Strength", "area_needing_improvement": "Area needing improvement",
               "not_applicable": "Not applicable"},
}
"""Codes in words, by column (a code a column lacks reads as words: focus_group → Focus group)."""
WIDE_COLUMNS = frozenset({"text", "Narrative", "Text", "definition", "explanation", "why",
                          "what", "reading", "Reading", "sentence"})
"""Columns of sentences: given a large width (a medium one each when a table has two or
more), and rows tall enough to wrap."""
ROW_HEIGHT_PX, LONG_ROW_HEIGHT_PX, WRAPPED_ROW_HEIGHT_PX, HEADER_PX = 35, 66, 96, 38
"""A table row (one line), a row of long text wrapped over three lines, a row of wrapped
sentences (about four lines), and the header."""
LONG_TEXT = 40
"""A text column whose longest value has more characters than this is given a medium width
and wraps over lines, rather than widening the table past the page."""
MAX_TABLE_HEIGHT = 720
"""Tables taller than this scroll inside their box (a screen's height)."""


@dataclass(frozen=True)
class ColumnHint:
    """How a page should show one column (plain data, not Streamlit's)."""

    label: str
    """The header in words."""
    width: str | None = None
    """"small", "medium" or "large"; None lets the table decide."""
    help: str | None = None
    """A tooltip on the header."""


@dataclass(frozen=True)
class DisplayTable:
    """A table ready to show: the formatted frame and how to show it."""

    frame: pl.DataFrame
    """Every value in the words and format people read (original column names kept, so a
    page's own column configuration still finds them)."""
    columns: dict[str, ColumnHint] = field(default_factory=dict)
    """Header words and widths, by column name."""
    height: int = HEADER_PX
    """The table's height in pixels: every row, up to `MAX_TABLE_HEIGHT`."""
    row_height: int | None = None
    """Taller rows when a column holds sentences or long text (so they wrap); None for one
    line."""
    placeholder: str = NO_DATA
    """What a cell the formatting could not reach reads when empty."""
    text_columns: frozenset[str] = frozenset()
    """Columns turned into text here (a page's number format no longer applies to them)."""


def words_of(name: str) -> str:
    """A column name in words: the convention's header, or snake_case as a sentence
    ("narratives_with" → "Narratives with"); a name already in words is kept."""
    if name in COLUMN_WORDS:
        return COLUMN_WORDS[name]
    if re.fullmatch(r"[a-z0-9_]+", name):
        return name.replace("_", " ").capitalize()
    return name


def code_words(column: str, code: str | None) -> str | None:
    """A code in words (`CODE_WORDS`, else snake_case as words); None stays None."""
    if code is None:
        return None
    known = CODE_WORDS.get(column, {})
    if code in known:
        return known[code]
    return code.replace("_", " ").capitalize() if re.fullmatch(r"[a-z]+(_[a-z]+)+", code) else code


def format_share(value: float | None) -> str | None:
    """A share (0-1) as a percent with one decimal ("39.1%"); None stays None."""
    return None if value is None else f"{value:.1%}"


def format_number(value, decimals: int = 2) -> str | None:
    """A number as people read it: whole numbers with thousands separators ("1,234"),
    others with `decimals` places ("0.43"); None stays None."""
    if value is None:
        return None
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.{decimals}f}"
    return f"{int(value):,}"


def format_date(value) -> str | None:
    """A date ("Sep 30, 2026") or a moment ("Sep 30, 2026 14:05"); None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return f"{value:%b %-d, %Y %H:%M}"
    return f"{value:%b %-d, %Y}" if isinstance(value, date) else str(value)


def figure_header(entry: CatalogEntry, column: str) -> str:
    """A figure column's header with the measure's unit ("Figure (per 1,000 days in care)")."""
    words = COLUMN_WORDS.get(column, words_of(column))
    unit = UNIT_WORDS.get(entry.unit, "").strip()
    return f"{words} ({unit})" if unit else words


def display_table(frame: pl.DataFrame, *, entry: CatalogEntry | None = None,
                  unit_names: Mapping[str, str] | None = None, hidden: bool = False,
                  labels: Mapping[str, str] | None = None) -> DisplayTable:
    """The frame as people read it.

    Args:
        frame: any table the core returns (project column names or words).
        entry: the measure of the figure columns (value, ci_low, ci_high), when there is one.
        unit_names: unit id -> name; unit id columns then show names.
        hidden: a missing value anywhere here is one privacy hid (public audiences).
        labels: headers the page gives (column -> words), over the convention's.

    Returns:
        The formatted frame (text columns for what needed words) with its column hints.
        A row whose `suppressed` column is true reads "hidden" in its empty cells; other
        empty cells read "not enough data". The `suppressed` column itself is dropped when
        it only repeats what "hidden" says.
    """
    labels = dict(labels or {})
    masked = frame["suppressed"].fill_null(False) if "suppressed" in frame.columns else None
    out, hints, wide, long = [], {}, False, False
    for name in frame.columns:
        col = frame[name]
        header = labels.get(name) or (figure_header(entry, name) if entry is not None
                                      and name in FIGURE_COLUMNS else words_of(name))
        width = None
        if name in FIGURE_COLUMNS and entry is not None and col.dtype.is_numeric():
            col = pl.Series(name, [None if v is None else format_value(entry, v, short=True)
                                   for v in col.to_list()], pl.String)
        elif name in SHARE_COLUMNS and col.dtype.is_float():
            col = pl.Series(name, [format_share(v) for v in col.to_list()], pl.String)
        elif unit_names is not None and name in ("unit_id", "unit") and col.dtype == pl.String:
            col = pl.Series(name, [unit_names.get(v, v) if v is not None else None
                                   for v in col.to_list()], pl.String)
        elif col.dtype == pl.Boolean:
            col = pl.Series(name, [None if v is None else ("yes" if v else "no")
                                   for v in col.to_list()], pl.String)
        elif col.dtype in (pl.Date,) or isinstance(col.dtype, pl.Datetime):
            col = pl.Series(name, [format_date(v) for v in col.to_list()], pl.String)
        elif col.dtype == pl.String and name in CODE_WORDS:
            col = pl.Series(name, [code_words(name, v) for v in col.to_list()], pl.String)
        elif col.dtype.is_numeric() and (col.null_count() or col.dtype.is_float()):
            col = pl.Series(name, [format_number(v) for v in col.to_list()], pl.String)
        if col.dtype == pl.String and col.null_count():
            if masked is not None:
                col = pl.Series(name, [v if v is not None else (HIDDEN if m else NO_DATA)
                                       for v, m in zip(col.to_list(), masked.to_list())])
            else:
                col = col.fill_null(HIDDEN if hidden else NO_DATA)
        if name in WIDE_COLUMNS or header in WIDE_COLUMNS:
            width, wide = "large", True
        elif col.dtype == pl.String and (col.str.len_chars().max() or 0) > LONG_TEXT:
            width, long = "medium", True
        if name == "unit_id" and header == "Unit" and {"unit_name", "unit"} & set(frame.columns):
            header = "Unit code"  # beside the unit's name, the id reads as a code
        out.append(col)
        hints[name] = ColumnHint(header, width)
    shown = pl.DataFrame(out) if out else frame
    sentences = [n for n, h in hints.items() if h.width == "large"]
    if len(sentences) > 1:  # two large columns would push the table past a 1280 px page
        hints.update({n: ColumnHint(hints[n].label, "medium", hints[n].help) for n in sentences})
    if masked is not None and "suppressed" in shown.columns:
        shown = shown.drop("suppressed")
        hints.pop("suppressed")
    row = WRAPPED_ROW_HEIGHT_PX if wide else LONG_ROW_HEIGHT_PX if long else ROW_HEIGHT_PX
    height = min(HEADER_PX + row * max(shown.height, 1) + 2, MAX_TABLE_HEIGHT)
    texts = frozenset(n for n in shown.columns
                      if shown[n].dtype == pl.String and frame[n].dtype != pl.String)
    return DisplayTable(shown, hints, height, None if row == ROW_HEIGHT_PX else row,
                        HIDDEN if hidden else NO_DATA, texts)
