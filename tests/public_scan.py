"""What the tests of public views look for in words: a count from 1 to 10 that is not part
of a share or a rate (shared by the youth tests in analysis/, app/ and browser/)."""

from __future__ import annotations

import re

# A number from 1 to 10 may appear only as part of a share or a rate: "4 out of 10",
# "1 in 100", "16 times for every 10", "for every 10 years". Anything else is a count.
_ALLOWED = re.compile(r"\b\d+ (?:out of|in) (?:10|100)\b|\b\d+ times? for every (?:10|100)\b"
                      r"|\b(?:every|out of) (?:10|100)\b")
_NUMBER = re.compile(r"(?<![\d.,])\d+(?![\d]|[.,]\d)")


def small_counts(text: str) -> list[str]:
    """Whole numbers from 1 to 10 that are not part of a share or a rate."""
    rest = _ALLOWED.sub(" ", text)
    return [n for n in _NUMBER.findall(rest) if 1 <= int(n) <= 10]
