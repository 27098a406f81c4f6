"""Query parameters read safely: a value a link carries that the page cannot use falls back
to the page's default with a plain note, never a traceback (links are typed, pasted and
shared, and a public audience must never see the server's insides).

Every page reads its parameters through these helpers, so the rules live here once:

- a parameter the link leaves out, or gives empty (`?end=`), asks for nothing: the page's
  default, without a note; spaces around a value are ignored;
- a value that is not one the page can show gets the same note everywhere, "The <what> in
  the link (“<value>”) could not be used, so <what happens instead>.", and the default;
- the value is quoted back short (40 characters), with control, invisible and direction
  characters dropped and Markdown escaped, so a link cannot write on the page;
- a choice is matched as written, then ignoring case (`?by=Unit`), never by a prefix or a
  guess;
- parameters a page does not know are ignored.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Sequence, TypeVar

import streamlit as st

from pages._text import plain

T = TypeVar("T")
SHOWN_CHARS = 40
"""The most of a link's value quoted back in a note."""
_FIRST = object()


def raw_param(name: str) -> str | None:
    """The text of `?name=…` without surrounding spaces; None when the link leaves it out or
    gives it empty."""
    raw = st.query_params.get(name)
    if raw is None:
        return None
    return str(raw).strip() or None


def shown(raw: str) -> str:
    """A link's value as a note may quote it: no control, format (zero-width, direction) or
    line-separator character, at most `SHOWN_CHARS` characters, escaped for Markdown."""
    kept = "".join(c for c in raw if c == " " or unicodedata.category(c)[0] not in "CZ")
    if len(kept) > SHOWN_CHARS:
        kept = kept[:SHOWN_CHARS - 1] + "…"
    return plain(kept)


def unusable(what: str, raw: str, instead: str = "the default is shown", why: str = "") -> None:
    """Say that the link's `what` could not be used, and what the page shows instead (`what`,
    `instead` and `why` are the page's words: data in them, such as a unit's name, is passed
    through `plain` by the caller)."""
    st.warning(f"The {what} in the link (“{shown(raw)}”) could not be used{why}, so {instead}.",
               icon=":material/link_off:")


def choice_param(name: str, options: Sequence[T], default: object = _FIRST, *, what: str,
                 instead: str = "the default is shown", why: str = "",
                 quiet: bool = False) -> T | None:
    """The option `?name=` names (an option matches by its text), or `default` (the first
    option unless given; None is allowed) with a note when the link names none of them.
    `quiet` reads without a note, for a page that reads the parameter again later."""
    options = list(options)
    fallback = (options[0] if options else None) if default is _FIRST else default
    raw = raw_param(name)
    if raw is None:
        return fallback
    exact = [o for o in options if str(o) == raw]
    if exact:
        return exact[0]
    folded = [o for o in options if str(o).casefold() == raw.casefold()]
    if len(folded) == 1:  # two options differing only in case: the link says neither
        return folded[0]
    if not quiet:
        unusable(what, raw, instead, why)
    return fallback


def choice_index(name: str, options: Sequence, default: int = 0, **words) -> int:
    """The position in `options` of `choice_param`'s answer (for a widget's `index`);
    `default` is the position used when the link names no option."""
    options = list(options)
    if not options:
        return 0
    return options.index(choice_param(name, options, options[default], **words))


def number_param(name: str, default: int, low: int, high: int, *, what: str) -> int:
    """The whole number in `?name=`, kept between `low` and `high` (with a note when it had
    to be moved there); `default` (with a note) when the link's value is not a number."""
    raw = raw_param(name)
    if raw is None:
        return default
    try:
        n = int(raw) if len(raw) <= 12 else None
    except ValueError:
        n = None
    if n is None:
        unusable(what, raw, f"{what} {default} is shown", ": it is not a number")
        return default
    if not low <= n <= high:
        n = min(max(n, low), high)
        unusable(what, raw, f"{what} {n} is shown", f": there are {what}s {low} to {high} only")
    return n


def date_param(name: str, default: date, allowed: Sequence[date] | None = None, *,
               what: str = "period", instead: str = "the latest period is shown") -> date:
    """The date in `?name=YYYY-MM-DD`, or `default` (with a note) when the link's value is
    not a date or not one of `allowed` (the periods this audience may be shown: a public
    audience never gets a period outside the publication computed)."""
    raw = raw_param(name)
    if raw is None:
        return default
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        unusable(what, raw, instead, ": it is not a date")
        return default
    if allowed is not None and value not in allowed:
        unusable(what, raw, instead, ": it is not one of the periods that can be shown here")
        return default
    return value
