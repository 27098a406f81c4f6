"""The one exception of the file readers (kept apart so that every reader can raise it)."""

from __future__ import annotations


class ReadError(Exception):
    """A file cannot be read; the message says why in plain words (without the file name)."""
