"""Redaction: masks personal names, phone numbers, e-mail addresses, street addresses and
dates of birth in free text before it is shown outside the analyst role.

The rules are data (`redaction.yaml`, `first_names.txt`); this module builds the
expressions once and applies them in a fixed order, each step replacing what it found with a
bracketed label ("[name]", "[phone]" ...), so a later step never sees what an earlier one
masked:

1. e-mail addresses;
2. dates of birth: a full date within a few words after a birth word, in the same sentence
   ("DOB 3/4/2011", "born on March 4, 2011", "date of birth: 2011-03-04"), or right before
   one ("3/4/2011 (DOB)"); other dates stay, they carry the story;
3. phone numbers: (555) 123-4567, 555-123-4567, 555.123.4567, +1 555 123 4567, 555-0134;
4. street addresses: a house number, up to four capitalised words and a street suffix, with
   an apartment or unit when given; a lone "Apt 4B"; PO boxes;
5. names: a title and the words after it (Ms. Rivera); a role or relation word and the name
   after it (my caseworker Jordan, her son Tyler); the word after "named"/"called"; an
   initial and a surname (A. Lee); any first name of `first_names.txt` with the surname
   after it; two capitalised words in a row that do not start a sentence, unless either is
   an allowed word (months, days, places, programmes, the agency's unit and region names).

Redaction is a safety net for text that an analyst has reviewed, not a guarantee: a name
written in lower case or a surname alone at the start of a sentence can slip through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml

_HERE = Path(__file__).parent
_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
NAME_WORD = (rf"(?:[{_UP}]['’])?[{_UP}][{_LOW}]+(?:[{_UP}][{_LOW}]+)?"
             rf"(?:-[{_UP}][{_LOW}]+)?")
"""A capitalised word that can be a name: Maria, O'Brien, McDonald, Mary-Kate, Díaz."""
_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
           r"Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
FULL_DATE = (r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)"
             r"|\d{4}[/-]\d{1,2}[/-]\d{1,2}(?!\d)"
             rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
             rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+\d{{4}})")
"""A full date: 3/4/2011, 03-04-11, 2011-03-04, March 4, 2011, 4th of March 2011."""
_SENTENCE_ENDS = ".!?:;\"“”(\n"
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class _Rules:
    labels: dict[str, str]
    email: re.Pattern
    dob_after: re.Pattern
    dob_before: re.Pattern
    phone: re.Pattern
    address: re.Pattern
    lone_unit: re.Pattern
    po_box: re.Pattern
    title: re.Pattern
    role: re.Pattern
    cue: re.Pattern
    initial: re.Pattern
    first_name: re.Pattern
    pair: re.Pattern
    allow: frozenset[str]


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+")
                    for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    data = yaml.safe_load((_HERE / "redaction.yaml").read_text(encoding="utf-8"))
    names = [line.strip() for line in (_HERE / "first_names.txt").read_text(encoding="utf-8")
             .splitlines() if line.strip() and not line.startswith("#")]
    birth = rf"(?<![A-Za-z])(?i:{_alternatives(data['birth_words'])})(?![A-Za-z])"
    window = rf"[^\n.!?;]{{0,{int(data['birth_window'])}}}?"
    suffix = _alternatives(data["street_suffixes"])
    unit_part = rf"(?:,?\s*(?:{_alternatives(data['unit_words'])})\.?\s*#?\s*[A-Za-z0-9-]+)?"
    street_words = r"(?:[A-Z0-9][A-Za-z0-9'’.-]*\s+){1,4}"
    name2 = rf"{NAME_WORD}(?:\s+{NAME_WORD})?"
    titles = _alternatives(data["titles"])
    owners, roles = _alternatives(data["role_owners"]), _alternatives(data["roles"])
    return _Rules(
        labels=dict(data["labels"]),
        email=re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
        dob_after=re.compile(rf"(?P<lead>{birth}{window})(?P<date>{FULL_DATE})"),
        dob_before=re.compile(rf"(?P<date>{FULL_DATE})(?P<tail>\s*[(,]?\s*{birth})"),
        phone=re.compile(r"(?<![\w+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]"
                         r"\d{4}(?:\s*(?:x|ext\.?)\s*\d{1,5})?(?!\d)"
                         r"|(?<![\w.-])\d{3}-\d{4}(?![\w-])"),
        address=re.compile(rf"(?<![\w-])\d{{1,6}}[A-Za-z]?\s+{street_words}"
                           rf"(?:{suffix})(?![A-Za-z]){unit_part}"),
        lone_unit=re.compile(r"(?<![A-Za-z])(?:Apt|Apartment|Suite|Ste)\.?\s*#?\s*\d+[A-Za-z]?"
                             r"(?![\w])"),
        po_box=re.compile(r"(?<![A-Za-z])P\.?\s?O\.?\s+Box\s+\d+", re.IGNORECASE),
        title=re.compile(rf"(?<![A-Za-z])(?:{titles})\.?\s+(?P<name>{name2})"),
        role=re.compile(rf"(?<![A-Za-z])(?i:{owners})\s+(?i:{roles}),?\s+(?P<name>{name2})"),
        cue=re.compile(rf"(?<![A-Za-z])(?i:{_alternatives(data['cues'])})\s+(?P<name>{name2})"),
        initial=re.compile(rf"(?<![A-Za-z.])[{_UP}]\.\s+(?P<name>{NAME_WORD})"),
        first_name=re.compile(rf"(?<![\w'’-])(?P<name>(?:{_alternatives(names)})"
                              rf"(?:\s+{NAME_WORD})?)(?!\w)"),
        pair=re.compile(rf"(?<![\w'’-])(?P<name>{NAME_WORD}(?:\s+{NAME_WORD})+)"),
        allow=frozenset(data["allow"]),
    )


def redact(text: str | None, keep: Iterable[str] = ()) -> str | None:
    """The text with names, phone numbers, e-mail addresses, street addresses and dates of
    birth replaced by "[name]", "[phone]", "[email]", "[address]", "[date of birth]".

    Args:
        text: any free text (None stays None).
        keep: more capitalised words that are not names (the agency's unit and region
            names, split into words), added to the allowed words of `redaction.yaml`.
    """
    if text is None:
        return None
    return _redact(str(text), frozenset(w for k in keep for w in str(k).split()))


@lru_cache(maxsize=65536)
def _redact(text: str, keep: frozenset[str]) -> str:
    r = _rules()
    allow = r.allow | keep
    lab = r.labels
    text = r.email.sub(lab["email"], text)
    text = r.dob_after.sub(lambda m: m.group("lead") + lab["date_of_birth"], text)
    text = r.dob_before.sub(lambda m: lab["date_of_birth"] + m.group("tail"), text)
    text = r.phone.sub(lab["phone"], text)
    text = r.address.sub(lab["address"], text)
    text = r.po_box.sub(lab["address"], text)
    text = r.lone_unit.sub(lab["address"], text)

    def named(m: re.Match, whole: bool = False) -> str:
        # Allowed words at the end stay ("Maria Monday" keeps Monday); an allowed first word
        # means this is no name at all.
        words = list(_WORD.finditer(m.group("name")))
        while words and words[-1].group() in allow:
            words.pop()
        if not words or words[0].group() in allow:
            return m.group(0)
        offset = m.start("name") - m.start()
        rest = m.group("name")[words[-1].end():]
        prefix = "" if whole else m.group(0)[:offset]
        return prefix + lab["name"] + rest

    text = r.title.sub(lambda m: named(m, whole=True), text)
    text = r.role.sub(named, text)
    text = r.cue.sub(named, text)
    text = r.initial.sub(lambda m: named(m, whole=True), text)
    text = r.first_name.sub(named, text)

    def pair(m: re.Match) -> str:
        # Runs of two or more capitalised words that are not allowed words are names,
        # except a run that starts a sentence (its first word may be any word).
        before = text[:m.start()].rstrip(" \t")
        sentence_start = not before or before[-1] in _SENTENCE_ENDS
        out, run, pos = [], [], 0
        words = list(_WORD.finditer(m.group(0))) + [None]
        for w in words:
            if w is not None and w.group() not in allow:
                run.append(w)
                continue
            if len(run) >= 2 and not (sentence_start and run[0].start() == 0):
                out.append(m.group(0)[pos:run[0].start()] + lab["name"])
                pos = run[-1].end()
            run = []
        return "".join(out) + m.group(0)[pos:]

    return r.pair.sub(pair, text)
