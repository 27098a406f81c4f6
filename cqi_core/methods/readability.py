"""Readability: the Flesch–Kincaid grade level, and a check for words young people do not use.

The youth view promises that every sentence it shows reads at grade 8 or below on a standard
formula, and uses no agency jargon or acronyms. This module is how that promise is tested.

**Grade level** (Kincaid, Fishburne, Rogers and Chissom, 1975, for the U.S. Navy):

    grade = 0.39 × words / sentences + 11.8 × syllables / words − 15.59

Words, syllables and sentences are counted as Rudolf Flesch taught (How to Write Plain
English, 1979, chapter 2): contractions, hyphenated words, figures and symbols count as
single words ("don't", "re-entry", "93", "1,000", "4.5"); syllables are counted as the word
is pronounced, figures and symbols as one syllable; a sentence is a unit of speech marked
off by a period, question mark, exclamation point, colon, semicolon or dash. Here a mark
ends a sentence when a space or the end of the text follows it, and a line break ends one
too (a heading, a list item or a table line is a unit of its own); a text without any is
one sentence.

**Syllables** are counted the way most readability tools do, by vowel groups, with rules
for the common silent letters. For each word, in lower case:

1. A word in `EXCEPTIONS` (or its plural) takes the count listed there.
2. Count the groups of vowels (a, e, i, o, u, y) that stand together: "care" has two
   (a, e), "young" one (ou), "platypus" three (a, y, u).
3. Silent final e: a word ending in e loses one ("care" 1, "home" 1), except after a
   consonant + l ("people" 2, "little" 2, "table" 2), or when the e is part of a group
   ("free", "see").
4. Silent -es: a final "es" after a consonant loses one ("homes" 1, "moves" 1), except after
   s, x, z, ch, sh, c or g, where it is spoken ("places" 2, "boxes" 2, "changes" 2), and
   after a consonant + l, where the e is the syllabic one of rule 3 ("peoples" 2).
5. Silent -ed: a final "ed" after a consonant other than t or d loses one ("moved" 1,
   "asked" 1); after t or d it is spoken ("wanted" 2, "needed" 2).
6. -ing after a vowel is a syllable of its own, although it stands in the same group:
   "being" 2, "going" 2, "staying" 2.
7. Every word has at least one syllable; a figure ("93", "2026", "4.5") has one.

Vowel groups read "ia", "io" and "ua" as one sound, as the published worked example does:
"The Australian platypus is seemingly a hybrid of a mammal and reptilian creature" has 24
syllables and 13 words, grade 11.3 (Wikipedia, "Flesch–Kincaid readability tests"). Where
the rules miss a syllable the grade comes out a little low, so the exceptions list holds the
words the product's own youth text uses where the rules go wrong.

**Jargon**: `jargon.yaml` lists the words and acronyms young people should not meet (CFSR,
permanency, maltreatment, placement …), each with what to say instead. Any word in capitals
of two letters or more is taken for an acronym as well. A word marked `unless_glossed` may
stand where the text explains it on the spot: followed by a colon ("Placement: a home
where …") or by a gloss in brackets ("placement (the home where you live)").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cqi_core.settings import load_yaml
from cqi_core.errors import CQIError

JARGON_PATH = Path(__file__).with_name("jargon.yaml")
MAX_GRADE = 8.0
"""The youth view's ceiling: grade 8 or below."""

EXCEPTIONS = {
    # Compounds whose first part ends in a silent e, and words with a vowel pair the rules
    # read as one sound: counted as spoken.
    "caseworker": 3, "someone": 2, "something": 2, "sometimes": 2, "somewhere": 2,
    "everyone": 3, "everything": 3, "lifetime": 2, "homework": 2, "safety": 2,
    "idea": 3, "area": 3, "business": 2, "forever": 3, "maybe": 2, "lonely": 2,
    "guardian": 3,
}
"""Words (lower case) whose syllables the rules get wrong, with their spoken count."""

_WORD = re.compile(r"[A-Za-z]+(?:['’\-][A-Za-z]+)*|\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"(?:[.!?:;]+|\s[-–—]+|[–—]+)(?=\s|$)|\n+")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_ACRONYM = re.compile(r"\b[A-Z]{2,}s?\b")


@dataclass(frozen=True)
class Counts:
    """What the grade formula is computed from."""

    words: int
    """Words in the text (numbers included)."""
    sentences: int
    """Sentences (at least 1 when there is a word)."""
    syllables: int
    """Syllables of all the words."""


@dataclass(frozen=True)
class TextCheck:
    """How one text reads."""

    text: str
    """The text checked."""
    grade: float
    """Flesch–Kincaid grade level (0 for a text with no words)."""
    counts: Counts
    """Words, sentences and syllables."""
    jargon: tuple[str, ...]
    """Banned words and acronyms found, as written in the text."""
    max_grade: float
    """The grade the text had to stay at or below."""

    @property
    def ok(self) -> bool:
        """True when the grade is at or below `max_grade` and no jargon was found."""
        return self.grade <= self.max_grade and not self.jargon

    def problems(self) -> list[str]:
        """What is wrong, in words (empty when `ok`)."""
        out = []
        if self.grade > self.max_grade:
            c = self.counts
            out.append(f"reads at grade {self.grade:.1f} (above {self.max_grade:g}): "
                       f"{c.words} words, {c.sentences} sentences, {c.syllables} syllables")
        out += [f"uses {word!r}" for word in self.jargon]
        return out


@dataclass(frozen=True)
class JargonTerm:
    """A word or acronym the youth view must not use (one entry of `jargon.yaml`)."""

    term: str
    """The word as listed (matched whole, any case, with a plural s or es)."""
    say: str
    """What to say instead (or how to leave it out)."""
    unless_glossed: bool = False
    """True: allowed where the text explains it on the spot (colon or brackets after it)."""


def syllables(word: str) -> int:
    """Syllables of one word or number, by the rules in the module docstring."""
    w = word.lower().replace("’", "'")
    if w and w[0].isdigit():
        return 1
    if "-" in w:
        return sum(syllables(part) for part in w.split("-") if part)
    w = re.sub(r"[^a-z]", "", w)
    if not w:
        return 0
    if w in EXCEPTIONS:
        return EXCEPTIONS[w]
    if w.endswith("s") and w[:-1] in EXCEPTIONS:
        return EXCEPTIONS[w[:-1]]
    n = len(_VOWEL_GROUP.findall(w))
    if w.endswith("e") and not w.endswith(("ee", "ye")) \
            and not re.search(r"[^aeiouy]le$", w) and len(w) > 2:
        n -= 1
    elif re.search(r"[^aeiouy]es$", w) and not re.search(r"(?:[sxzcg]|ch|sh|[^aeiouy]l)es$", w):
        n -= 1
    elif re.search(r"[^aeiouytd]ed$", w):
        n -= 1
    if re.search(r"[aeiouy]ing$", w) and len(w) > 4:
        n += 1
    return max(n, 1)


def words(text: str) -> list[str]:
    """The words of a text, as the grade formula counts them."""
    return _WORD.findall(text)


def sentences(text: str) -> list[str]:
    """The sentences of a text that hold at least one word."""
    return [s for s in _SENTENCE_END.split(text) if _WORD.search(s)]


def counts(text: str) -> Counts:
    """Words, sentences and syllables of a text."""
    ws = words(text)
    return Counts(words=len(ws), sentences=max(len(sentences(text)), 1 if ws else 0),
                  syllables=sum(syllables(w) for w in ws))


def fk_grade(words: float, sentences: float, syllables: float) -> float:
    """The Flesch–Kincaid grade level from the three counts, or from averages over any
    number of sentences (0 when there are no words)."""
    if words == 0 or sentences == 0:
        return 0.0
    return 0.39 * words / sentences + 11.8 * syllables / words - 15.59


def grade_level(text: str) -> float:
    """The Flesch–Kincaid grade level of a text."""
    c = counts(text)
    return fk_grade(c.words, c.sentences, c.syllables)


def load_jargon(path: str | Path | None = None) -> tuple[JargonTerm, ...]:
    """The banned words of `jargon.yaml` (or another file), checked.

    Raises:
        CQIError: the file is not a list of entries with a term and what to say instead.
    """
    return _load_jargon(str(path or JARGON_PATH))


@lru_cache(maxsize=4)
def _load_jargon(path: str) -> tuple[JargonTerm, ...]:
    raw = load_yaml(path) or {}
    entries = raw.get("banned") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CQIError(f"{path}: expected a list of banned words under 'banned'.")
    out, seen = [], set()
    for i, e in enumerate(entries, 1):
        if not isinstance(e, dict) or not str(e.get("term") or "").strip() \
                or not str(e.get("say") or "").strip():
            raise CQIError(f"{path}: entry {i} needs a term and what to say instead (say).")
        term = str(e["term"]).strip()
        if term.lower() in seen:
            raise CQIError(f"{path}: {term!r} is listed twice.")
        seen.add(term.lower())
        glossed = e.get("unless_glossed", False)
        if not isinstance(glossed, bool):
            raise CQIError(f"{path}: {term}: unless_glossed must be true or false.")
        out.append(JargonTerm(term, str(e["say"]).strip(), glossed))
    return tuple(out)


def _pattern(term: str) -> re.Pattern:
    """The term as a whole word, any case, hyphen optional, with its plural."""
    stem = re.escape(term).replace(r"\-", "[-‐ ]?")
    plural = stem[:-1] + "(?:y|ies)" if term.endswith("y") else stem + "(?:s|es)?"
    return re.compile(r"(?<![\w-])" + plural + r"(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=4)
def _patterns(terms: tuple[JargonTerm, ...]) -> tuple[tuple[JargonTerm, re.Pattern], ...]:
    return tuple((t, _pattern(t.term)) for t in terms)


def jargon(text: str, terms: tuple[JargonTerm, ...] | None = None) -> tuple[str, ...]:
    """Banned words and acronyms in a text, as written there, in order of appearance.

    Args:
        text: the text.
        terms: the banned words (default `load_jargon()`).
    """
    terms = load_jargon() if terms is None else terms
    found: list[tuple[int, str]] = []
    for term, pattern in _patterns(terms):
        for m in pattern.finditer(text):
            if term.unless_glossed and re.match(r"\s*[:(]", text[m.end():]):
                continue
            found.append((m.start(), m.group(0)))
    listed = {s for _, s in found}
    found += [(m.start(), m.group(0)) for m in _ACRONYM.finditer(text) if m.group(0) not in listed]
    return tuple(dict.fromkeys(s for _, s in sorted(found)))


def check_text(text: str, max_grade: float = MAX_GRADE,
               terms: tuple[JargonTerm, ...] | None = None) -> TextCheck:
    """How a text reads: its grade level and any jargon, against a grade ceiling.

    Args:
        text: the text (one string as it is shown: a sentence, a paragraph, a heading).
        max_grade: the highest grade allowed (default 8).
        terms: the banned words (default `load_jargon()`).

    Returns:
        A TextCheck; `.ok` says whether the text passes, `.problems()` says why not.
    """
    c = counts(text)
    return TextCheck(text=text, grade=fk_grade(c.words, c.sentences, c.syllables), counts=c,
                     jargon=jargon(text, terms), max_grade=max_grade)
