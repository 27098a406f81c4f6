"""Download buttons that build the file only when clicked, and log every export.

Since Streamlit 1.67 a download button accepts a callable as its data and runs it when the
person clicks (on a thread of its own; Streamlit commands inside it are ignored). So a page
pays nothing for files nobody takes, and the export log (`cqi_core.exports`) records what
was downloaded, not what was offered. `on_click="ignore"`: a click does not rerun the page.

Whether a table or chart may leave at all is checked while the page draws, so a refusal is
shown next to where the buttons would be instead of failing silently on the click.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import CQIError, Figure
from pages import _shared as ui

ICON = ":material/download:"


def download(label: str, build: Callable[[], bytes], file_name: str, mime: str, what: str,
             fmt: str, key: str | None = None) -> None:
    """A download button for a file the core builds in its own format (a codebook, notes).

    Args:
        label: the button's words.
        build: makes the file; called only when the person clicks.
        file_name, mime: the file's name and type.
        what, fmt: what the file is, in words, and its format, for the export log.
        key: a widget key, when the page shows two buttons with the same label.
    """
    store = ui.store()

    def built() -> bytes:
        data = build()
        cqi_core.log_export(store, what, fmt)
        return data

    _button(label, built, file_name, mime, key or f"dl_{fmt}_{what}")


def table_downloads(frame: pl.DataFrame, what: str, definitions: pl.DataFrame | None = None,
                    *, noun: str = "the table", file_stem: str | None = None,
                    key: str | None = None) -> None:
    """CSV and Excel (with a Definitions sheet) downloads of a table, side by side.

    Args:
        frame: the table as the page shows it (already released by the core).
        what: what the table is, in words (the workbook's title and the log's entry).
        definitions: further definitions (columns term, definition) for the Excel file.
        noun: how the labels name the table ("the flagged records").
        file_stem: file name without extension (default: from `what`).
        key: a widget key prefix, when a page offers the same table twice.
    """
    store = ui.store()
    try:
        cqi_core.export_for_viewer(store, frame)
    except CQIError as exc:
        st.error(str(exc))
        return
    stem = file_stem or cqi_core.export_file_stem(what)
    key = key or f"dl_{what}"
    with st.container(horizontal=True):
        _button(f"Download {noun} (CSV)", lambda: cqi_core.table_csv(store, frame, what),
                f"{stem}.csv", cqi_core.EXPORT_MIME["csv"], f"{key}_csv")
        _button(f"Download {noun} (Excel, with definitions)",
                lambda: cqi_core.table_xlsx(store, {what: frame}, what, definitions),
                f"{stem}.xlsx", cqi_core.EXPORT_MIME["xlsx"], f"{key}_xlsx")


def chart_downloads(fig: Figure, what: str, *, file_stem: str | None = None,
                    key: str | None = None) -> None:
    """PNG and SVG downloads of a chart, side by side (the SVG keeps its description).

    Args:
        fig: the chart as the page shows it.
        what: what the chart is, in words (for the export log).
        file_stem: file name without extension (default: from `what`).
        key: a widget key prefix, when a page offers the same chart twice.
    """
    store = ui.store()
    try:
        cqi_core.check_chart(store, fig)
    except CQIError as exc:
        st.error(str(exc))
        return
    stem = file_stem or cqi_core.export_file_stem(what)
    key = key or f"dl_{what}"
    with st.container(horizontal=True):
        _button("Download the chart (PNG)", lambda: cqi_core.chart_png(store, fig, what),
                f"{stem}.png", cqi_core.EXPORT_MIME["png"], f"{key}_png")
        _button("Download the chart (SVG)", lambda: cqi_core.chart_svg(store, fig, what),
                f"{stem}.svg", cqi_core.EXPORT_MIME["svg"], f"{key}_svg")


def _button(label: str, build: Callable[[], bytes], file_name: str, mime: str, key: str) -> None:
    st.download_button(label, data=build, file_name=file_name, mime=mime, key=key, icon=ICON,
                       on_click="ignore")
