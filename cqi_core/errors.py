"""The project's own exceptions: errors a user can cause, with messages a supervisor reads.

Anything that is not one of these is a bug and propagates. Pages show these with
`st.error`; the command line prints them without a traceback.
"""

from __future__ import annotations


class CQIError(Exception):
    """A problem the user can fix (bad file, unknown column, empty period)."""


class ImportRefused(CQIError):
    """A whole import batch was refused; the database was left as it was."""


class StoreError(CQIError):
    """The database file cannot be opened or is of an unknown version."""


class PeriodRefused(CQIError):
    """A period that starts after the data's as-of date: the data holds nothing for it yet,
    so any figure would be a plausible-looking zero rather than a result."""
