"""Query parameters read safely: a value a link carries that the page cannot use falls back
to the page's default with a plain note, never a traceback (links are typed, pasted and
shared, and a public audience must never see the server's insides)."""

from __future__ import annotations

from datetime import date
from typing import Sequence

import streamlit as st


def date_param(name: str, default: date, allowed: Sequence[date] | None = None) -> date:
    """The date in `?name=YYYY-MM-DD`, or `default` (with a note) when the link's value is
    not a date or not one of `allowed`."""
    raw = st.query_params.get(name)
    if not raw:
        return default
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        st.caption("The date in the link could not be read, so the latest period is shown.")
        return default
    if allowed is not None and value not in allowed:
        st.caption("The period in the link is not one that can be shown here, so the latest "
                   "period is shown.")
        return default
    return value
