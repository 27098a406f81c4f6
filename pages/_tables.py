"""Tables as people read them: the core's table convention (`cqi_core.display_table`: headers
in words, numbers as the measure, missing values as words, codes and unit ids as words and
names) turned into Streamlit's column configuration, then shown with its caption."""

from __future__ import annotations

import streamlit as st

import cqi_core
from pages import _shared as ui


def _config(name: str, given, hint, as_text: bool):
    """A column's configuration: the page's own, but a number format on a column the
    convention wrote as text keeps only the page's header (the text is already formatted)."""
    if given is None:
        return st.column_config.Column(hint.label, width=hint.width)
    if isinstance(given, str):
        return st.column_config.Column(given, width=hint.width)
    if as_text and isinstance(given, dict) and (given.get("type_config") or {}).get("type") == "number":
        return st.column_config.Column(given.get("label") or hint.label, width=hint.width)
    return given


def show(frame, description: str, *, entry=None, unit_names=None, labels=None, **kwargs):
    """Show `frame` under its one-sentence description, formatted by the convention.

    `entry` (the measure of value/ci columns), `unit_names` and `labels` (headers the page
    words itself) go to `cqi_core.display_table`; a page's own `column_config` entries win
    over the convention's headers; other keyword arguments go to `st.dataframe`. The table is
    as tall as its rows (up to a screen), so a short list never sits in a scroll box."""
    table = cqi_core.display_table(frame, entry=entry, unit_names=unit_names,
                                   hidden=ui.viewer().public, labels=labels)
    given = kwargs.pop("column_config", None) or {}
    config = {name: _config(name, given.get(name), hint, name in table.text_columns)
              for name, hint in table.columns.items()}
    config.update({k: v for k, v in given.items() if k not in config})
    kwargs.setdefault("height", table.height)
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    if table.row_height:
        kwargs.setdefault("row_height", table.row_height)
    return ui.show_table(table.frame, description, column_config=config,
                         placeholder=table.placeholder, **kwargs)
