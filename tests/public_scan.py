"""What the tests of public views look for in words: a count from 1 to 10 that is not part
of a share or a rate (shared by the youth tests in analysis/, app/ and browser/), and, for
pages that speak in figures as well as words (a stakeholder's), a count from 1 to 10 of
people, cases or events."""

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


# What a count of people, cases or events is a count of ("4 children", "3 came into care").
PEOPLE = (r"(?:child(?:ren)?|kids?|young\s+(?:people|persons?)|youths?|teens?|babies|baby"
          r"|infants?|boys?|girls?|famil(?:y|ies)|parents?|caregivers?|people|persons?"
          r"|cases?|reports?|investigations?|referrals?|visits?|moves?|events?|incidents?"
          r"|entries|exits|removals?|placements?|episodes?|re-?entries|victims?|deaths?"
          r"|caseworkers?|workers?|staff|supervisors?|reviews?|responses?|comments?|quotes?"
          r"|excerpts?|records?|came\s+into\s+care|entered\s+care|left\s+care|in\s+care"
          r"|went\s+home)")
_PEOPLE = re.compile(rf"\b{PEOPLE}\b", re.IGNORECASE)
# Words that may stand between a number and what it counts ("4 more children", "3 of the
# families", "5 young people"); not words that make it a share or a rate, or say that it
# counts something else ("7 days of removal", "4 units with children").
_BETWEEN = (r"(?:(?!(?:percent|per|cent|points?|times|in|out|seconds?|minutes?|hours?|days?"
            r"|weeks?|months?|quarters?|years?|periods?|units?|offices?|regions?|measures?"
            r"|indicators?|items?|slides?|pages?|steps?)\b)[A-Za-z'’-]+\s+){0,2}")
_COUNT_OF = re.compile(rf"(?<![\w.,/:-])(\d+)(?![\d,.:/%-])\s+{_BETWEEN}{PEOPLE}\b",
                       re.IGNORECASE)
# A threshold, an age or the suppression rule's own range is not a count: "fewer than 10
# events", "at least 5 children", "Ages 1 to 5", "counts from 1 to 10 children are hidden".
_THRESHOLD = re.compile(r"(?:fewer|less|more|greater)\s+than\s+$|\bat\s+(?:least|most)\s+$"
                        r"|\b(?:under|over|up\s+to|below|above|aged?)\s+$"
                        r"|\bages?\s+(?:\d+\s*(?:to|–|-)\s*)?$", re.IGNORECASE)
_RANGE = re.compile(r"\b1\s*(?:to|–|-)\s*10\b")


def people_counts(text: str) -> list[str]:
    """Whole numbers from 1 to 10 that count people, cases or events: followed, within two
    words, by what they count ("4 children", "3 more young people", "2 came into care").

    Not counts: a share or a rate ("4 out of 10 children", "5 per 1,000", "6% of
    children"), a decimal ("4.5 moves"), a date, a rank or position ("Item 1: ...",
    "1 of 12"), a threshold ("fewer than 10 events", "at least 5 children") and the
    suppression rule's own range ("1 to 10"). Numbers that count other things (units,
    measures, days, slides, regions) are not counts of people either."""
    rest = _RANGE.sub(" ", _ALLOWED.sub(" ", text))
    out = []
    for m in _COUNT_OF.finditer(rest):
        if 1 <= int(m.group(1)) <= 10 and not _THRESHOLD.search(rest[max(0, m.start() - 30):
                                                                    m.start()]):
            out.append(m.group(0))
    return out


def names_people(label: str) -> bool:
    """True when a label (a metric's, a table column's, an axis title) says it counts people,
    cases or events ("Children in care now", "Children per month", "Numerator"), and is not
    a rate, a share, an average or a number of days ("Visits per child", "Days in care")."""
    if re.search(r"%|\bper\s+(?:[\d,]+|hundred|thousand|child|children|case|days?)\b|\brate\b"
                 r"|\bshare\b|\bpercent|\bratio\b|\baverage\b|\bmedian\b|\bdays\b", label,
                 re.IGNORECASE):
        return False
    return bool(_PEOPLE.search(label)
                or re.search(r"\b(?:numerator|count|number\s+of|how\s+many)\b", label, re.I))
