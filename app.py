"""CQI dashboard: the router. Page config, who is looking, shared sidebar, navigation.

Run with `streamlit run app.py`. On first run with no database, the sample agency in
`data/sample/` is loaded (see cqi_core.bootstrap). Which pages a person sees depends on
their audience (`ui.role()`); every page also refuses roles it does not serve, and the core
decides what each audience receives, so hiding a page is convenience, not protection.
"""

import streamlit as st

from pages import _shared as ui

ui.mark_routed()
st.set_page_config(page_title="CQI dashboard", page_icon=":material/monitoring:", layout="wide")

ui.store()
ui.sidebar()

INTERNAL, ANALYST, EVERYONE = ("analyst", "supervisor"), ("analyst",), ui.EVERYONE
# Section -> (page file, title, icon, url path, roles served), in the order shown.
PAGES = {
    "Agency": [
        ("scorecard.py", "Scorecard", "dashboard", "", ("analyst", "supervisor", "stakeholder")),
        ("what_changed.py", "What changed", "notifications", "what-changed", INTERNAL),
        ("trends.py", "Trends", "show_chart", "trends", INTERNAL),
        ("indicator.py", "Indicators", "insights", "indicator", ("analyst", "supervisor", "stakeholder")),
        ("home.py", "Agency overview", "home", "overview", EVERYONE),
    ],
    "Practice and values": [
        ("mission.py", "Mission alignment", "flag", "mission", INTERNAL),
        ("catalog.py", "Indicator catalog", "menu_book", "catalog", INTERNAL),
    ],
    "Reviews and voices": [
        ("case_reviews.py", "Case reviews", "rate_review", "case-reviews", INTERNAL),
        ("voices.py", "Voices", "forum", "voices", INTERNAL),
        ("codebook.py", "Codebook", "label", "codebook", ANALYST),
    ],
    "Data": [
        ("data.py", "Import data", "upload_file", "data", ANALYST),
        ("data_quality.py", "Data quality", "fact_check", "data_quality", ANALYST),
    ],
}

role = ui.role()
served = {section: [p for p in pages if role in p[4]] for section, pages in PAGES.items()}
served = {section: pages for section, pages in served.items() if pages}
first = next(iter(served.values()))[0]  # the landing page of this audience
nav = {section: [st.Page(f"pages/{file}", title=title, icon=f":material/{icon}:",
                         url_path=url or None, default=(file == first[0]))
                 for file, title, icon, url, _ in pages]
       for section, pages in served.items()}
st.navigation(nav).run()
