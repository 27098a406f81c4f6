"""CQI dashboard: the router. Page config, who is looking, shared sidebar, navigation.

Run with `streamlit run app.py`. On first run with no database, the sample agency in
`data/sample/` is loaded (see cqi_core.bootstrap).
"""

import streamlit as st

from pages import _shared as ui

ui.mark_routed()
st.set_page_config(page_title="CQI dashboard", page_icon=":material/monitoring:", layout="wide")

ui.store()
ui.sidebar()

scorecard = st.Page("pages/scorecard.py", title="Scorecard", icon=":material/dashboard:",
                    default=True)
what_changed = st.Page("pages/what_changed.py", title="What changed",
                       icon=":material/notifications:", url_path="what-changed")
trend = st.Page("pages/trends.py", title="Trends", icon=":material/show_chart:", url_path="trends")
indicator = st.Page("pages/indicator.py", title="Indicators", icon=":material/insights:",
                    url_path="indicator")
home = st.Page("pages/home.py", title="Agency overview", icon=":material/home:", url_path="overview")
mission = st.Page("pages/mission.py", title="Mission alignment", icon=":material/flag:")
catalog = st.Page("pages/catalog.py", title="Indicator catalog", icon=":material/menu_book:")
data = st.Page("pages/data.py", title="Import data", icon=":material/upload_file:")
quality = st.Page("pages/data_quality.py", title="Data quality", icon=":material/fact_check:")
case_reviews = st.Page("pages/case_reviews.py", title="Case reviews", icon=":material/rate_review:",
                       url_path="case-reviews")
voices = st.Page("pages/voices.py", title="Voices", icon=":material/forum:", url_path="voices")
codebook = st.Page("pages/codebook.py", title="Codebook", icon=":material/label:", url_path="codebook")

spc = [what_changed, trend] if ui.role() in ("analyst", "supervisor") else []
pages = {"Agency": [scorecard, *spc, indicator, home]}
if ui.role() in ("analyst", "supervisor"):
    pages["Practice and values"] = [mission, catalog]
if ui.role() in ("analyst", "supervisor"):
    pages["Reviews and voices"] = [case_reviews, voices] + ([codebook] if ui.role() == "analyst" else [])
if ui.role() == "analyst":
    pages["Data"] = [data, quality]

st.navigation(pages).run()
