"""`python -m cqi_core`: see `cqi_core.cli`."""

import sys

from .cli import main

sys.exit(main())
