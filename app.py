"""CQI dashboard: the router. Page config, who is looking, shared sidebar, navigation.

Run with `streamlit run app.py`. On first run with no database, the sample agency in
`data/sample/` is loaded (see cqi_core.ingest.bootstrap). Which pages a person sees depends on
their audience (`ui.role()`); every page also refuses roles it does not serve, and the core
decides what each audience receives, so hiding a page is convenience, not protection.

The page scripts are in pages/views/ (named in `pages/_nav.py`), a folder Streamlit does not
discover on its own: a page is reached only through the st.Page objects built here. The
address of a page another audience is served says whom that page is for; its script never
runs for this person.
"""

import streamlit as st

from pages import _nav as nav
from pages import _shared as ui

PRESENTING = "present.py"  # the page shown on a shared screen, drawn without the menu beside it

ui.begin_run()  # who is looking, worked out once for this run
st.set_page_config(page_title="CQI dashboard", page_icon=":material/monitoring:", layout="wide")

ui.store()
ui.sidebar()

role = ui.role()
served = nav.served(role)
first = next(iter(served.values()))[0]  # the landing page of this audience
sections = {section: [st.Page(nav.script(file), title=title, icon=f":material/{icon}:",
                              url_path=url or None, default=(file == first[0]))
                      for file, title, icon, url, _ in pages]
            for section, pages in served.items()}
others = [st.Page(ui.for_others(file, title), title=title, url_path=url, visibility="hidden")
          for file, title, _, url, _ in nav.not_served(role)]
sections[next(iter(sections))] += others  # hidden: never listed in the menu
page = st.navigation(sections)
# Presentation mode is shared on a 1280×720 screen: its slides get the whole width and the
# menu is folded away (the arrow at the top left opens it). Every other page keeps
# Streamlit's "auto": the menu open on a laptop or larger, folded on a phone. A person who
# opens or folds the menu themselves keeps their choice (the browser remembers it).
st.set_page_config(initial_sidebar_state="collapsed" if page.title == nav.title_of(PRESENTING)
                   else "auto")
page.run()
