"""What a page says while the refresh after an import is still building what it needs.

After an import lands, `python -m cqi_core refresh` (or the Import data page) builds the
publication and the trend series once (`cqi_core.refresh`). A page that needs a series the
refresh has not reached yet shows the refresh's progress and waits for it, instead of
starting the same minute-long build a second time for its visitor.
"""

from __future__ import annotations

import streamlit as st

import cqi_core
from pages import _shared as ui


def wait_for_series(grain: str) -> None:
    """Stop the page with the refresh's progress while a refresh of this data version is at
    work and the `grain` series are not built yet; carry on otherwise (when nothing is
    building them, the page builds them itself, as before)."""
    store = ui.store()
    if _ready(grain):
        return
    status = cqi_core.refresh_status(store)
    if status is None or not status.running:
        return
    st.info("The figures are being refreshed after the latest import. This page shows "
            "them as soon as the trend series it needs are ready; it checks every few "
            "seconds on its own.", icon=":material/autorenew:")
    _progress(grain)
    st.stop()


def _ready(grain: str) -> bool:
    return ui.series_ready(grain)


@st.fragment(run_every=5)
def _progress(grain: str) -> None:
    """The refresh's progress bar, read again every five seconds; the whole page runs again
    once the series are there (or the refresh has stopped)."""
    status = cqi_core.refresh_status(ui.store())
    if _ready(grain) or status is None or not status.running:
        st.rerun(scope="app")
    st.progress(min(max(status.fraction, 0.0), 1.0), text=ui.plain(status.message))
