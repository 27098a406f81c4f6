"""`python -m cqi_core`: see `cqi_core.cli`."""

import sys

from cqi_core.cli import main

sys.exit(main())
