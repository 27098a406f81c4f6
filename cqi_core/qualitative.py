"""Stable name: `cqi_core.qualitative` is `cqi_core.analysis.qualitative`.

Kept so that code written against earlier releases (`qualitative.code_frequency`,
`cooccurrence`, `cohen_kappa`, ...) keeps working; new code imports the layered package.
"""

from cqi_core.analysis.qualitative import *  # noqa: F401,F403
from cqi_core.analysis.qualitative import __all__  # noqa: F401
