"""Stable name: `cqi_core.spc` is `cqi_core.methods.spc` (run and control charts, qic and mdc).

Kept so that code written against earlier releases (`from cqi_core import spc`,
`spc.qic`, `spc.mdc`) keeps working; new code imports `cqi_core.methods.spc`.
"""

from cqi_core.methods.spc import *  # noqa: F401,F403
