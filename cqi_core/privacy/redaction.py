"""Redaction: masks personal names, record ids, social security numbers, phone numbers, e-mail
addresses, street addresses and dates of birth in free text before it is shown outside the
analyst role.

The rules are data (`redaction.yaml`, `first_names.txt`, `surnames.txt`), checked when they
are loaded: a pattern that is not a valid regular expression, or a key that is missing,
refuses with the file and the key named. This module builds the expressions once and
applies them in a fixed order, each step replacing what it found with a bracketed label
("[name]", "[phone]" ...), so a later step never sees what an earlier one masked:

1. e-mail addresses;
2. record ids in the export's shapes (C0000123, E0000123, W00123, RV000123 ...);
3. social security numbers (123-45-6789, 123 45 6789, nine digits alone);
4. dates of birth: a full date within a few words after a birth word, in the same sentence
   ("DOB 3/4/2011", "b. 3/4/2011", "born on March 4, 2011", "date of birth: 2011-03-04"),
   or right before one ("3/4/2011 (DOB)"); other dates stay, they carry the story;
5. phone numbers: (555) 123-4567, 555-123-4567, 555.123.4567, 555–123–4567, 5551234567,
   +1 555 123 4567, 555-0134;
6. street addresses: a house number, up to four capitalised words and a street suffix, with
   an apartment or unit when given; the same in any case with the plainer street words
   ("12 elm street"); a lone "Apt 4B"; PO boxes;
7. names: a title and the words after it (Ms. Rivera); a role or relation word and the name
   after it (my caseworker Jordan, her son Tyler); the word after "named"/"called"; an
   initial and a surname (A. Lee); then, by the shape of the words alone: a first name of
   `first_names.txt` in any case, with the word after it when that is capitalised or a
   surname; a surname of `surnames.txt` alone, capitalised or upper-case, with the
   capitalised word before it; two capitalised words in a row that do not start a
   sentence, unless either is an allowed word (months, days, places, programmes). Names
   that are also ordinary words (`ordinary_words`: young, white, will, hope ...) count
   only where they cannot be the ordinary word.

The agency's unit and region names (`keep`) are kept only whole, or by their first two
or more words ("Pinecrest Hollow" of "Pinecrest Hollow Kinship Services"), and only from
the rules that go by the shape of the words: a region called "Madison" keeps
"Madison" and "the Madison office", but "Madison Smith" is a person, and so is "Ms.
Madison".

Redaction is a safety net for text that an analyst has reviewed, not a guarantee: a name
that is in neither list, written in lower case or alone at the start of a sentence, can
slip through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from cqi_core.errors import CQIError
from cqi_core.settings import entry, load_yaml


_HERE = Path(__file__).parent
_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_LETTER = "A-Za-zÀ-ÖØ-öø-ÿ"
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
_TOKEN = re.compile(rf"(?<![\w'’-])(?:[{_LETTER}]['’])?[{_LETTER}]+(?:-[{_LETTER}]+)*(?![\w-])")
"""One word for the name lists: Maria, maria, MARIA, O'Brien, Mary-Kate (not the 's of
Maria's, not a word glued to digits like 4B)."""

LABELS = ("name", "phone", "email", "address", "date_of_birth", "record_id", "ssn")
"""The labels redaction.yaml must give."""
PATTERNS = ("email", "record_id", "ssn", "phone", "address_any_case", "po_box", "lone_unit")
"""The identifier patterns redaction.yaml must give."""
_WORD_LISTS = ("birth_words", "street_suffixes", "unit_words", "titles", "roles",
               "role_owners", "cues", "ordinary_words", "allow")


@dataclass(frozen=True)
class _Rules:
    labels: dict[str, str]
    patterns: dict[str, re.Pattern]
    dob_after: re.Pattern
    dob_before: re.Pattern
    address: re.Pattern
    title: re.Pattern
    role: re.Pattern
    cue: re.Pattern
    initial: re.Pattern
    pair: re.Pattern
    allow: frozenset[str]
    first_names: frozenset[str]
    surnames: frozenset[str]
    ordinary: frozenset[str]


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+")
                    for w in sorted(set(words), key=len, reverse=True))


def _name_list(path: Path) -> frozenset[str]:
    """The names of a list file, lower-cased (one a line, # starts a comment)."""
    names = frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8")
                      .splitlines() if line.strip() and not line.lstrip().startswith("#"))
    if not names:
        raise CQIError(f"{path} holds no names; redaction needs its list of names.")
    return names


def _checked(data: Any, source: Path) -> dict:
    """The redaction rules of `source`, refused when a key is missing, a list is not a list
    of words, or a pattern is not a valid regular expression (the message names the file
    and the key, so whoever edited the file knows where to look)."""
    if not isinstance(data, dict):
        raise CQIError(f"{source}: expected a mapping of redaction rules.")

    def need(key: str, kind: type) -> Any:
        if not isinstance(data.get(key), kind):
            raise CQIError(f"{source}: `{key}` is missing or not a {kind.__name__}.")
        return data[key]

    labels = need("labels", dict)
    for key in LABELS:
        if not isinstance(labels.get(key), str) or not labels[key].strip():
            raise CQIError(f"{source}: `labels.{key}` is missing or empty.")
    patterns = need("patterns", dict)
    for key in PATTERNS:
        if not isinstance(patterns.get(key), str) or not patterns[key].strip():
            raise CQIError(f"{source}: `patterns.{key}` is missing or empty.")
        try:
            re.compile(patterns[key])
        except re.error as exc:
            raise CQIError(f"{source}: `patterns.{key}` is not a valid regular expression "
                           f"({exc}).") from None
    for key in _WORD_LISTS:
        words = need(key, list)
        if not all(isinstance(w, str) and w.strip() for w in words):
            raise CQIError(f"{source}: `{key}` must be a list of words.")
    window = data.get("birth_window")
    if not isinstance(window, int) or isinstance(window, bool) or window < 0:
        raise CQIError(f"{source}: `birth_window` must be a whole number of characters.")
    return data


def load_rules(path: str | Path | None = None, names_dir: str | Path | None = None) -> _Rules:
    """The redaction rules built from `path` (default: the shipped redaction.yaml) and the
    name lists in `names_dir` (default: beside this module).

    Raises:
        CQIError: the file is not valid YAML, or a rule is missing or malformed (the
            message names the file and the key).
    """
    source = Path(path) if path is not None else entry("redaction").file
    folder = Path(names_dir) if names_dir is not None else _HERE
    data = _checked(load_yaml(source), source)
    birth = rf"(?<![A-Za-z0-9])(?i:{_alternatives(data['birth_words'])})(?![A-Za-z])"
    window = rf"[^\n.!?;]{{0,{int(data['birth_window'])}}}?"
    suffix = _alternatives(data["street_suffixes"])
    unit_part = rf"(?:,?\s*(?:{_alternatives(data['unit_words'])})\.?\s*#?\s*[A-Za-z0-9-]+)?"
    street_words = r"(?:[A-Z0-9][A-Za-z0-9'’.-]*\s+){1,4}"
    name2 = rf"{NAME_WORD}(?:\s+{NAME_WORD})?"
    titles = _alternatives(data["titles"])
    owners, roles = _alternatives(data["role_owners"]), _alternatives(data["roles"])
    return _Rules(
        labels={k: str(v) for k, v in data["labels"].items()},
        patterns={k: re.compile(data["patterns"][k]) for k in PATTERNS},
        dob_after=re.compile(rf"(?P<lead>{birth}{window})(?P<date>{FULL_DATE})"),
        dob_before=re.compile(rf"(?P<date>{FULL_DATE})(?P<tail>\s*[(,]?\s*{birth})"),
        address=re.compile(rf"(?<![\w-])\d{{1,6}}[A-Za-z]?\s+{street_words}"
                           rf"(?:{suffix})(?![A-Za-z]){unit_part}"),
        title=re.compile(rf"(?<![A-Za-z])(?:{titles})\.?\s+(?P<name>{name2})"),
        role=re.compile(rf"(?<![A-Za-z])(?i:{owners})\s+(?i:{roles}),?\s+(?P<name>{name2})"),
        cue=re.compile(rf"(?<![A-Za-z])(?i:{_alternatives(data['cues'])})\s+(?P<name>{name2})"),
        initial=re.compile(rf"(?<![A-Za-z.])[{_UP}]\.\s+(?P<name>{NAME_WORD})"),
        pair=re.compile(rf"(?<![\w'’-])(?P<name>{NAME_WORD}(?:\s+{NAME_WORD})+)"),
        allow=frozenset(data["allow"]),
        first_names=_name_list(folder / "first_names.txt"),
        surnames=_name_list(folder / "surnames.txt"),
        ordinary=frozenset(w.lower() for w in data["ordinary_words"]),
    )


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    return load_rules()


def redact(text: str | None, keep: Iterable[str] = ()) -> str | None:
    """The text with names, record ids, social security numbers, phone numbers, e-mail
    addresses, street addresses and dates of birth replaced by "[name]", "[id]", "[ssn]",
    "[phone]", "[email]", "[address]", "[date of birth]".

    Args:
        text: any free text (None stays None).
        keep: the agency's unit and region names, whole ("Pinecrest Hollow Kinship
            Services", "Madison"). Each is kept where it appears whole (in any case), or
            by its first two or more words; a single word of a longer name is not kept
            on its own.
    """
    if text is None:
        return None
    return _redact(str(text), frozenset(" ".join(str(k).split()) for k in keep
                                        if k is not None and str(k).strip()))


@lru_cache(maxsize=64)
def _kept_names(keep: frozenset[str]) -> re.Pattern | None:
    """Where the kept names stand in a text: each whole, and its first two or more words
    (people call "Alder Creek Family Services 2" "the Alder Creek office"), never one word
    of a longer name."""
    if not keep:
        return None
    phrases = set()
    for name in keep:
        words = name.split()
        phrases.add(tuple(words))
        phrases.update(tuple(words[:n]) for n in range(2, len(words)))
    alternatives = "|".join(r"\s+".join(re.escape(w) for w in p)
                            for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w'’-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def _form(word: str) -> str:
    """"lower", "upper" (two letters or more), "title" (Maria, McDonald, O'Brien) or "other"."""
    letters = "".join(c for c in word if c.isalpha())
    if letters.islower():
        return "lower"
    if letters.isupper():
        return "upper" if len(letters) >= 2 else "other"
    return "title" if word[0].isupper() else "other"


def _starts_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip(" \t")
    return not before or before[-1] in _SENTENCE_ENDS


def _listed_names(text: str, r: _Rules) -> list[tuple[int, int]]:
    """Spans of names found by the name lists: first names in any case, lone surnames, and
    the words they take with them."""
    toks = list(_TOKEN.finditer(text))
    forms = [_form(t.group()) for t in toks]
    keys = [t.group().lower() for t in toks]

    def allowed(i: int) -> bool:
        w = toks[i].group()
        return w in r.allow or w.capitalize() in r.allow

    def first(i: int) -> bool:
        return keys[i] in r.first_names

    def surname(i: int) -> bool:
        return keys[i] in r.surnames or (
            "-" in keys[i] and any(p in r.surnames for p in keys[i].split("-")))

    def ordinary(i: int) -> bool:
        return keys[i] in r.ordinary

    def alone(i: int) -> bool:
        if allowed(i) or forms[i] == "other":
            return False
        if forms[i] == "lower":
            return first(i) and not ordinary(i)
        if forms[i] == "upper":
            return (first(i) or surname(i)) and not ordinary(i)
        if first(i):
            return True
        return surname(i) and not (ordinary(i) and _starts_sentence(text, toks[i].start()))

    def next_to(i: int) -> bool:
        return text[toks[i].end():toks[i + 1].start()].isspace()

    def after_first(j: int) -> bool:
        # the word after a first name: a capitalised or upper-case word, or a surname in any
        # case, unless it is an allowed word or an ordinary word in lower or upper case
        if allowed(j):
            return False
        if forms[j] == "title":
            return True
        return ((surname(j) and not (ordinary(j) and forms[j] in ("lower", "upper")))
                or (forms[j] == "upper" and not ordinary(j)))

    def before_surname(i: int, j: int) -> bool:
        # a capitalised or upper-case word right before a surname that is no ordinary word
        return (forms[i] in ("title", "upper") and not allowed(i)
                and forms[j] in ("title", "upper") and surname(j) and not ordinary(j)
                and not allowed(j))

    marked = [alone(i) for i in range(len(toks))]
    for i in range(len(toks) - 1):
        if not next_to(i):
            continue
        if first(i) and (marked[i] or forms[i] != "lower") and after_first(i + 1):
            marked[i] = marked[i + 1] = True
        elif before_surname(i, i + 1):
            marked[i] = marked[i + 1] = True
    spans: list[tuple[int, int]] = []
    for i, t in enumerate(toks):
        if not marked[i]:
            continue
        if spans and i > 0 and marked[i - 1] and next_to(i - 1):
            spans[-1] = (spans[-1][0], t.end())
        else:
            spans.append((t.start(), t.end()))
    return spans


def _pairs(text: str, r: _Rules) -> list[tuple[int, int]]:
    """Spans of runs of two or more capitalised words that are not allowed words, except a
    run that starts a sentence (its first word may be any word)."""
    spans = []
    for m in r.pair.finditer(text):
        sentence_start = _starts_sentence(text, m.start())
        run: list[re.Match] = []
        for w in list(_WORD.finditer(m.group(0))) + [None]:
            if w is not None and w.group() not in r.allow:
                run.append(w)
                continue
            if len(run) >= 2 and not (sentence_start and run[0].start() == 0):
                spans.append((m.start() + run[0].start(), m.start() + run[-1].end()))
            run = []
    return spans


@lru_cache(maxsize=65536)
def _redact(text: str, keep: frozenset[str]) -> str:
    r = _rules()
    allow = r.allow
    lab = r.labels
    pat = r.patterns
    text = pat["email"].sub(lab["email"], text)
    text = pat["record_id"].sub(lab["record_id"], text)
    text = pat["ssn"].sub(lab["ssn"], text)
    text = r.dob_after.sub(lambda m: m.group("lead") + lab["date_of_birth"], text)
    text = r.dob_before.sub(lambda m: lab["date_of_birth"] + m.group("tail"), text)
    text = pat["phone"].sub(lab["phone"], text)
    text = r.address.sub(lab["address"], text)
    text = pat["address_any_case"].sub(lab["address"], text)
    text = pat["po_box"].sub(lab["address"], text)
    text = pat["lone_unit"].sub(lab["address"], text)

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

    # A title, a role word, a cue or an initial says a person follows: the agency's names
    # are not kept here ("Ms. Madison" is a person even where a region is called Madison).
    text = r.title.sub(lambda m: named(m, whole=True), text)
    text = r.role.sub(named, text)
    text = r.cue.sub(named, text)
    text = r.initial.sub(lambda m: named(m, whole=True), text)

    # The rest goes by the shape of the words; a span that lies within a kept unit or region
    # name stays, a span that reaches beyond one ("Madison Smith") is a name.
    spans = sorted(_listed_names(text, r) + _pairs(text, r))
    kept_names = _kept_names(keep)
    kept = [m.span() for m in kept_names.finditer(text)] if kept_names else []
    out, pos = [], 0
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    for a, b in merged:
        if any(ka <= a and b <= kb for ka, kb in kept):
            continue
        out.append(text[pos:a] + lab["name"])
        pos = b
    return "".join(out) + text[pos:]
