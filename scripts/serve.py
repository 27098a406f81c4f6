"""Start the dashboard: `python scripts/serve.py [options of streamlit run]`.

The app routes every page through `st.navigation` in app.py; its page code lives in the
`pages/` package (helpers, and the page scripts in pages/views/). Streamlit still reads a
`pages/` folder beside the entry script as its older multipage layout until the process has
run `st.navigation` once, so the very first visitor after a start who opens any page but the
landing page gets a "Page not found" box over the right page. Saying up front that this app
routes with `st.navigation` (what that call itself records) removes that; the browser tests
start the app through this file, so a Streamlit release that changes the flag is caught.
"""

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    PagesManager.uses_pages_directory = False  # routed by st.navigation, never by pages/
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *sys.argv[1:]]
    sys.exit(cli.main())
