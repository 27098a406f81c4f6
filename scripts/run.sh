#!/usr/bin/env bash
# Set up (virtual environment + packages) and start the dashboard.
# With no database yet, the app loads the sample agency from data/sample/ on first run.
# Extra arguments go to `streamlit run` (e.g. --server.port 8600); scripts/serve.py says why
# the app is started through it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
exec .venv/bin/python scripts/serve.py "$@"
