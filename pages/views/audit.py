"""Export log: every file downloaded from the dashboard, with who, as which audience, what
and when. Analysts only: the core refuses the log to anyone else."""

import streamlit as st

import cqi_core
from cqi_core import AccessDenied
from pages import _downloads as dl
from pages import _tables as tables
from pages import _shared as ui

ui.require_router("audit.py")

ALL = "Everyone"

st.title("Export log")
st.caption("Every table, chart and document downloaded from the dashboard: who took it, as "
           "which audience, what it was and when. A file is logged when it is built, that is "
           "when someone clicks a download button.")

store = ui.store()
try:
    everything = cqi_core.export_log(store)
except AccessDenied as exc:
    st.error(str(exc))
    st.stop()
if everything.is_empty():
    st.info("Nothing has been downloaded yet.")
    st.stop()

c = st.columns(4)
who = c[0].selectbox("Who", [ALL, *sorted(everything["user_name"].unique())])
role = c[1].selectbox("As", [ALL, *sorted(everything["role"].unique())],
                      help="The audience the person downloaded as.")
fmt = c[2].selectbox("File type", [ALL, *sorted(everything["format"].unique())])
first, last = everything["logged_at"].min().date(), everything["logged_at"].max().date()
days = c[3].date_input("Between", value=(first, last), min_value=first, max_value=last)
start, end = (days[0], days[-1]) if isinstance(days, (tuple, list)) and days else (first, last)

log = cqi_core.export_log(store, user_name=None if who == ALL else who,
                          role=None if role == ALL else role, fmt=None if fmt == ALL else fmt,
                          start=start, end=end)
st.subheader(f"{log.height:,} download{'s' * (log.height != 1)}")
tables.show(log, f"One row per download from {start:%B %-d, %Y} to {end:%B %-d, %Y}: when, "
              "who, the audience they downloaded as, what, the file type, the rows and any "
              "detail.", hide_index=True, width="stretch",
              column_config={"logged_at": st.column_config.DatetimeColumn("When"),
                             "user_name": "Who", "role": "As", "what": "What",
                             "format": "File type", "rows": "Rows", "detail": "Detail"})
dl.table_downloads(log, f"Export log {start:%Y-%m-%d} to {end:%Y-%m-%d}", noun="this log",
                   file_stem=f"export_log_{start}_{end}")
