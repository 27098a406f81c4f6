"""The youth view: a few measures and what young people told us, in plain words.

A youth advisory board reads these pages, so every word comes from `youth.yaml`, reads at
grade 8 or below and avoids agency jargon (tests/test_youth.py checks both with
`readability`). The numbers are the indicator engine's, shown for shares as "about 45 out
of 100" on the one scale every picture of the youth pages uses (`pictures.out_of` in
`youth.yaml`, so a bigger number always looks bigger), and as times for every 10 or 100
years in care for measures counted per days in care. A rate is drawn only when it is for
every `out_of` years (each drawing one year in care, a filled one one time); any other
rate is said in words in place of the picture, never drawn as one icon per time.

Privacy holds by construction: the figures come from `indicators.compute` passed through
`privacy.release_indicator_rows`, and theme counts through `privacy.release`, always as
the youth audience sees them, also when an analyst or a supervisor previews the page. A
masked figure never reaches a sentence: the sentence then says the number is hidden.
Quotes are only those an analyst approved for sharing (`qualitative.text_for_audience`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from cqi_core import privacy
from cqi_core.settings import load_yaml
from cqi_core.analysis import qualitative
from cqi_core.analysis import voices
from cqi_core.errors import CQIError
from cqi_core.indicators.catalog import load_catalog
from cqi_core.indicators.latest import LatestFigure, latest_figures
from cqi_core.periods import plus_months
from cqi_core.storage.store import Store
from cqi_core.storage.facts import as_of_date

YOUTH_PATH = Path(__file__).with_name("youth.yaml")
ICONS = ("person", "calendar", "home", "comment")
"""The pictures a measure can use (drawn by `youth_charts`)."""
SHOWS = ("share", "rate")
_DAYS = {"per_1000_days": 1_000, "per_100000_days": 100_000}
_FIELD = re.compile(r"\{([a-z_]*)\}")
_MEASURE_TEXT = ("name", "question", "sentence", "how_to_read", "what_we_count", "icons")
_SECTIONS = {
    "home": ("title", "intro", "privacy", "area_label", "everywhere", "area_note", "no_data",
             "period", "what_we_count", "next"),
    "voices": ("title", "intro", "period", "total", "total_hidden", "theme", "also",
               "names_only", "other_themes", "none", "quotes_title", "quotes_intro",
               "no_quotes", "how_to_read", "icons", "span_label"),
    "words": ("title", "intro"),
    "labels": ("how_to_read", "picture_in_words", "scale"),
    "shares": ("about", "fewer", "more", "none", "all"),
    "amounts": ("many", "one", "under_one", "zero"),
    "change": ("up_good", "up_bad", "down_good", "down_bad", "same", "hidden", "none"),
    "picture": ("share", "rate_grid", "rate_words", "how_to_read_words", "in_words", "hidden",
                "none"),
}
SCALES = (10, 100)
"""The drawings a picture may have (`pictures.out_of`)."""


@dataclass(frozen=True)
class Measure:
    """One measure of the youth view (an entry of `youth.yaml` measures)."""

    id: str
    """The indicator (catalog id)."""
    name: str
    """Its plain name, shown as the card's heading."""
    question: str
    """The question the card answers."""
    shows: str
    """share (N out of 10 or 100) or rate (times for every `per` years in care)."""
    per: int | None
    """For a rate: per how many years in care."""
    icon: str
    """The picture's icon (one of ICONS)."""
    icons: str
    """The icons' plural name, for the picture's text alternative ("people")."""
    sentence: str
    """The card's sentence, with {share} or {amount}."""
    how_to_read: str
    """How to read the picture."""
    what_we_count: str
    """Who and what is counted, with {start} and {end}."""


@dataclass(frozen=True)
class YouthText:
    """Every word of the youth view: `youth.yaml`, checked."""

    sections: dict[str, dict[str, str]]
    """Page and phrase sections (home, voices, words, shares, amounts, change, picture,
    labels)."""
    spans: dict[int, str]
    """How far back the voices page can look: months -> words ("The last year")."""
    hidden: str
    """The sentence for a hidden number."""
    no_number: str
    """The sentence when there is no number."""
    chart_hidden: str
    """The picture's words for a hidden number."""
    chart_none: str
    """The picture's words when there is no number."""
    measures: tuple[Measure, ...]
    """The measures, in the order shown."""
    themes: dict[str, str]
    """Codebook theme code -> plain name."""
    glossary: tuple[tuple[str, str], ...]
    """(word, what it means), in the order shown."""
    out_of: int = 100
    """How many drawings every picture has (`pictures.out_of`): the one scale of the
    youth pages."""

    def __getitem__(self, section: str) -> dict[str, str]:
        return self.sections[section]


@dataclass(frozen=True)
class YouthFact:
    """One measure's card: the latest complete period, in words and as a picture."""

    id: str
    """The indicator."""
    name: str
    """Plain name (the card's heading)."""
    question: str
    """The question the card answers."""
    period: str
    """The time the numbers are for, in words."""
    sentence: str
    """The answer: the number in a sentence, or why there is none."""
    change: str
    """How it compares with the year before, in words ("" when the number is hidden)."""
    what_we_count: str
    """Who and what is counted."""
    hidden: bool
    """True when the number is hidden to protect privacy."""
    filled: int | None
    """Icons filled in (None: no picture, the number is hidden or missing)."""
    out_of: int | None
    """Icons in all: the pages' scale (`YouthText.out_of`); None when the picture says the
    number in words (hidden, missing, or a rate that is not for every `out_of` years)."""
    icon: str
    """The icon (one of ICONS)."""
    how_to_read: str
    """How to read the picture."""
    description: str
    """The picture's text alternative."""
    chart_words: str
    """What the picture says instead when there is no number to draw."""


@dataclass(frozen=True)
class YouthTheme:
    """One theme of what young people told us."""

    code: str
    """The codebook code."""
    label: str
    """Its plain name."""
    sentence: str
    """How often it came up."""
    filled: int
    """Speech bubbles filled in."""
    out_of: int
    """Speech bubbles in all: the pages' scale (`YouthText.out_of`)."""
    how_to_read: str
    """How to read the picture."""
    description: str
    """The picture's text alternative."""
    quote: str | None
    """One approved, redacted quote on the theme, or None."""


@dataclass(frozen=True)
class YouthVoices:
    """What young people told us in one period."""

    period: str
    """The time the comments are from, in words."""
    total: str
    """How many comments there were (or that the number is hidden)."""
    themes: tuple[YouthTheme, ...]
    """The themes shown with their numbers, most often raised first."""
    also_title: str
    """The words above `also` (they differ when no theme could be shown with a number)."""
    also: tuple[str, ...]
    """Plain names of the other themes raised: beyond `top`, or with a hidden number."""
    quotes: tuple[str, ...]
    """The approved quotes of the themes shown, in order, each text once."""


def load_youth_text(path: str | Path | None = None) -> YouthText:
    """The youth view's words (default `youth.yaml`), checked.

    Raises:
        CQIError: a missing section or text, an unknown placeholder, a measure that is not
            in the indicator catalog or whose kind does not fit its unit, an unknown icon.
    """
    return _load(str(path or YOUTH_PATH))


@lru_cache(maxsize=4)
def _load(path: str) -> YouthText:
    raw = load_yaml(path) or {}
    sections = {}
    for name, keys in _SECTIONS.items():
        got = raw.get(name) or {}
        sections[name] = {k: _text(path, f"{name}.{k}", got.get(k)) for k in keys}
    spans = (raw.get("voices") or {}).get("spans") or {}
    if not spans or not all(isinstance(k, int) and k >= 0 for k in spans):
        raise CQIError(f"{path}: voices.spans needs whole numbers of years back (0 for the "
                       "latest), each with words.")
    spans = {k: _text(path, f"voices.spans.{k}", v) for k, v in spans.items()}
    catalog = load_catalog()
    measures = []
    for i, m in enumerate(raw.get("measures") or [], 1):
        where = f"measures[{i}]"
        mid = str(m.get("id") or "")
        if mid not in catalog:
            raise CQIError(f"{path}: {where}: {mid!r} is not an indicator of the catalog.")
        unit = catalog.entry(mid).unit
        shows = m.get("shows")
        if shows not in SHOWS or (shows == "share") != (unit == "percent") \
                or (shows == "rate" and unit not in _DAYS):
            raise CQIError(f"{path}: {mid}: shows must be share for a percent and rate for a "
                           f"per-days measure; {mid} is {unit}.")
        if m.get("icon") not in ICONS:
            raise CQIError(f"{path}: {mid}: icon must be one of {', '.join(ICONS)}.")
        per = m.get("per")
        if shows == "rate" and per not in (10, 100):
            raise CQIError(f"{path}: {mid}: per must be 10 or 100 for a rate.")
        texts = {k: _text(path, f"{mid}.{k}", m.get(k)) for k in _MEASURE_TEXT}
        _placeholders(path, f"{mid}.sentence", texts["sentence"],
                      {"share"} if shows == "share" else {"amount"}, required=True)
        _placeholders(path, f"{mid}.what_we_count", texts["what_we_count"], {"start", "end"})
        measures.append(Measure(id=mid, shows=shows, per=per if shows == "rate" else None,
                                icon=m["icon"], **texts))
    if not measures:
        raise CQIError(f"{path}: no measures.")
    out_of = (raw.get("pictures") or {}).get("out_of")
    if out_of not in SCALES:
        raise CQIError(f"{path}: pictures.out_of must be {' or '.join(map(str, SCALES))}.")
    themes = {str(k): _text(path, f"themes.{k}", v) for k, v in (raw.get("themes") or {}).items()}
    glossary = tuple((_text(path, "glossary word", g.get("word")),
                      _text(path, f"glossary {g.get('word')}", g.get("means")))
                     for g in raw.get("glossary") or [])
    return YouthText(sections=sections, spans=spans, hidden=_text(path, "hidden", raw.get("hidden")),
                     no_number=_text(path, "no_number", raw.get("no_number")),
                     chart_hidden=_text(path, "chart_hidden", raw.get("chart_hidden")),
                     chart_none=_text(path, "chart_none", raw.get("chart_none")),
                     measures=tuple(measures), themes=themes, glossary=glossary,
                     out_of=out_of)


def _text(path: str, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CQIError(f"{path}: {where} needs a text.")
    return " ".join(value.split())


def _placeholders(path: str, where: str, text: str, allowed: set[str], required: bool = False) -> None:
    used = set(_FIELD.findall(text))
    if used - allowed:
        raise CQIError(f"{path}: {where}: unknown placeholder {{{sorted(used - allowed)[0]}}}.")
    if required and not used:
        raise CQIError(f"{path}: {where}: needs {' or '.join(f'{{{a}}}' for a in sorted(allowed))}.")


def fill(template: str, **values: Any) -> str:
    """A template with its placeholders filled; a value that starts a sentence of the
    template gets its first letter in capitals ("{share} went home" → "About 4 out of …")."""
    def value(m: re.Match) -> str:
        v = str(values[m.group(1)])
        starts = re.search(r"(^|[.!?]\s+)$", template[:m.start()]) is not None
        return v[:1].upper() + v[1:] if starts else v
    return _FIELD.sub(value, template)


def _half_up(x: float) -> int:
    return math.floor(round(x, 9) + 0.5)


def share_words(value: float, text: YouthText | None = None,
                base: int | None = None) -> tuple[str, int, int]:
    """A share (0-1) as young people read it, on the pages' one scale: (phrase, icons
    filled, icons in all).

    With `base` (default `text.out_of`, 100) drawings: "about k out of 100", k rounded half
    up; "fewer than 1 in 100" under half a drawing (none filled), "more than 99 out of
    100" within half a drawing of all (99 filled); exactly 0 and 1 are "0 out of 100" and
    "100 out of 100".
    """
    text = text or load_youth_text()
    s, base = text["shares"], base or text.out_of
    if value <= 0:
        return fill(s["none"], base=base), 0, base
    if value >= 1:
        return fill(s["all"], base=base), base, base
    k = _half_up(value * base)
    if k < 1:
        return fill(s["fewer"], base=base), 0, base
    if k > base - 1:
        return fill(s["more"], most=base - 1, base=base), base - 1, base
    return fill(s["about"], k=k, base=base), k, base


def per_years(value: float, unit: str, years: int) -> float:
    """A value per 1,000 or 100,000 days in care as times for every `years` years in care
    (a year is 365 days)."""
    return value / _DAYS[unit] * 365 * years


def amount_words(times: float, text: YouthText | None = None) -> tuple[str, int]:
    """How often, in words: (phrase, icons to draw): "about 16 times", "about 1 time",
    "less than 1 time" (under 0.5, no icon) or "0 times"."""
    a = (text or load_youth_text())["amounts"]
    n = _half_up(times)
    if times <= 0:
        return a["zero"], 0
    if n == 0:
        return a["under_one"], 0
    if n == 1:
        return a["one"], 1
    return fill(a["many"], n=n), n


def _as_youth(store: Store | privacy.Handle) -> privacy.Handle:
    """A handle for the youth audience on the same database, whoever asks (a preview by
    staff sees what young people see)."""
    v = privacy.viewer_of(store)
    youth = v if v.role == "youth" else privacy.Viewer("youth", v.name, (), v.source)
    return privacy.Handle(privacy.full(store), youth)


def youth_regions(store: Store | privacy.Handle) -> list[str]:
    """The agency's area (region) names, for the area picker."""
    names = privacy.full(store).query("SELECT DISTINCT region FROM units WHERE region IS NOT NULL")
    return sorted(names["region"].to_list())


def _month_words(d: date) -> str:
    return f"{d:%B %Y}"


def youth_facts(store: Store | privacy.Handle, region: str | None = None, as_of: date | None = None,
                text: YouthText | None = None) -> tuple[YouthFact, ...]:
    """Each measure of the youth view for its latest complete 12 months, as a card.

    Args:
        store: the store handle; whoever looks, the figures are released as for youth.
        region: an area's name, or None for the whole agency.
        as_of: the data's as-of date (default: the store's).
        text: the words (default `load_youth_text()`).

    Returns:
        One YouthFact per measure, in the order of `youth.yaml`; empty when no data is loaded.

    Raises:
        CQIError: an area that is not one of the agency's.
    """
    text = text or load_youth_text()
    db = privacy.full(store)
    as_of = as_of or as_of_date(db)
    if as_of is None:
        return ()
    if region is not None and region not in youth_regions(db):
        raise CQIError(f"There is no area called {region!r}.")
    catalog = load_catalog(db)
    group = ("region", region) if region else ("all", "all")
    # The same latest figures as every other page (`latest.latest_figures`), released for
    # youth whoever looks: the period, the small-number rules and the change are shared.
    figures = latest_figures(_as_youth(store), [group], [m.id for m in text.measures], as_of)
    return tuple(_fact(m, catalog.entry(m.id), figures[(m.id, *group)], text)
                 for m in text.measures)


def _state(hidden: bool, value: float | None) -> str:
    if hidden:
        return "hidden"
    return "none" if value is None else "shown"


def _fact(m: Measure, entry, f: LatestFigure, text: YouthText) -> YouthFact:
    state = _state(f.suppressed, f.value)
    start, end = f.period_start, f.period_end
    period = fill(text["home"]["period"], start=_month_words(start), end=_month_words(end))
    counted = fill(m.what_we_count, start=_month_words(start), end=_month_words(end))
    common = dict(id=m.id, name=m.name, question=m.question, period=period,
                  what_we_count=counted, icon=m.icon, how_to_read=m.how_to_read)
    if state != "shown":
        words = text.hidden if state == "hidden" else text.no_number
        return YouthFact(**common, sentence=words, change="", hidden=state == "hidden",
                         filled=None, out_of=None, description=text["picture"][state],
                         chart_words=text.chart_hidden if state == "hidden" else text.chart_none)
    value, p, base = f.value, text["picture"], text.out_of
    change = _change(entry, f, text)
    if m.shows == "share":
        phrase, filled, out_of = share_words(value, text)
        sentence = fill(m.sentence, share=phrase)
        picture = fill(p["share"], icons=m.icons, share=phrase)
        return YouthFact(**common, sentence=sentence, change=change, hidden=False,
                         filled=filled, out_of=out_of, description=f"{picture} {sentence}",
                         chart_words="")
    phrase, filled = amount_words(per_years(value, entry.unit, m.per), text)
    sentence = fill(m.sentence, amount=phrase)
    if m.per == base and filled <= base:
        # for every 100 years in care, on 100 drawings: each one year, a filled one one time
        picture = fill(p["rate_grid"], icons=m.icons, base=base)
        return YouthFact(**common, sentence=sentence, change=change, hidden=False,
                         filled=filled, out_of=base, description=f"{picture} {sentence}",
                         chart_words="")
    # Drawn as one icon per time, 16 moves for every 10 years would not be a part of the
    # 100 the other pictures show: said in words, with how to read that instead.
    picture = fill(p["rate_words"], icons=m.icons, base=base)
    return YouthFact(**{**common, "how_to_read": fill(p["how_to_read_words"], base=base)},
                     sentence=sentence, change=change, hidden=False, filled=None,
                     out_of=None, description=f"{picture} {sentence}",
                     chart_words=fill(p["in_words"], amount=phrase, per=m.per))


def _change(entry, f: LatestFigure, text: YouthText) -> str:
    """The change since the year before, as every page says it (`latest.change_verdict`):
    up or down only when the change is more than chance, else "about the same"."""
    c = text["change"]
    state = _state(f.previous_suppressed, f.previous_value)
    if state != "shown":
        return c[state]
    if f.change_verdict in (None, "about the same") or entry.direction == "none":
        return c["same"]
    up = f.change > 0
    good = f.change_verdict == "better"
    return c[f"{'up' if up else 'down'}_{'good' if good else 'bad'}"]


def youth_voices(store: Store | privacy.Handle, months: int = 24, as_of: date | None = None, top: int = 6,
                 text: YouthText | None = None, years_back: int = 0) -> YouthVoices:
    """What young people told us in one published 12 months: the themes of their feedback
    (source group youth), as shares of their comments, with approved quotes.

    Args:
        store: the store handle; whoever looks, counts are the publication's (as for youth)
            and quotes are those approved for sharing.
        months: kept for callers of earlier releases; counts now always cover one of the
            publication's 12-month periods.
        as_of: the data's as-of date (default: the store's).
        top: how many themes to show with their numbers; the rest are named only.
        text: the words (default `load_youth_text()`).
        years_back: 0 for the latest published 12 months, 1 for the 12 months a year
            earlier, and so on.

    Returns:
        A YouthVoices; its `themes` and `also` are empty when young people sent no feedback.
    """
    text = text or load_youth_text()
    v = text["voices"]
    db = privacy.full(store)
    as_of = as_of or as_of_date(db)
    if as_of is None:
        return YouthVoices("", v["none"], (), "", (), ())
    youth = _as_youth(store)
    # Counts shown to young people come from the publication, like every public figure:
    # its latest 12 months (`months` applies to nothing else since figures became public).
    try:
        published = privacy.published_periods(youth, "end", as_of)
    except privacy.NotPublished:
        return YouthVoices("", v["none"], (), "", (), ())
    latest = published[-1][1]
    wanted = plus_months(latest.replace(day=1), -12 * years_back)
    chosen = [p for p in published if (p[1].year, p[1].month) == (wanted.year, wanted.month)]
    if not chosen:
        return YouthVoices("", v["none"], (), "", (), ())
    start, end = chosen[0]
    period = fill(v["period"], start=_month_words(start), end=_month_words(end))
    frame = voices.filter_voices(voices.voices(db, start, end, ["feedback"]),
                                 source_groups=["youth"])
    if frame.is_empty():
        return YouthVoices(period, v["none"], (), "", (), ())
    coded = voices.selection_coded(qualitative.coded_excerpts(db, start, end, ["feedback"]),
                                   frame)
    visible = qualitative.text_for_audience(coded, "youth", youth)
    every = max(coded["code"].n_unique(), 1)
    heard = voices.what_we_heard(coded, frame, visible, text.themes, top=every, quotes=1)
    published = qualitative.themes(youth, start, end, "source_group").filter(
        pl.col("group_value") == "youth")
    counts = dict(zip(published["code"].to_list(), published["sources"].to_list()))
    every_comment = counts.get(privacy.ALL_TEXT)
    heard = heard.with_columns(
        pl.col("code").replace_strict(counts, default=None, return_dtype=pl.Int64).alias("sources"),
        pl.lit(every_comment, dtype=pl.Int64).alias("total_sources"))
    heard = heard.with_columns((pl.col("sources") / pl.col("total_sources")).alias("share"))
    total = (fill(v["total"], total=f"{every_comment:,}") if every_comment is not None
             else v["total_hidden"])
    shown, also, others = [], [], False
    total_words = f"{every_comment:,}" if every_comment is not None else ""
    for r in heard.iter_rows(named=True):
        label = text.themes.get(r["code"])
        if label is None:  # a theme added in the app, with no plain name yet
            others = True
            continue
        if len(shown) < top and r["share"] is not None:
            shown.append(_theme(r, label, text, total_words))
        else:
            also.append(label)
    if others:
        also.append(v["other_themes"])
    quotes = tuple(dict.fromkeys(t.quote for t in shown if t.quote))  # one text, once
    title = v["also"] if shown else v["names_only"]
    return YouthVoices(period, total, tuple(shown), title if also else "", tuple(also), quotes)


def _theme(r: dict, label: str, text: YouthText, total: str) -> YouthTheme:
    """A theme's card: its share of the comments on the pages' scale. The bubbles stand for
    all `total` comments (a theme has a share only when the total is published), so the
    caption says so rather than "each bubble is one comment"."""
    v = text["voices"]
    phrase, filled, out_of = share_words(r["share"], text)
    sentence = fill(v["theme"], theme=label, share=phrase)
    picture = fill(text["picture"]["share"], icons=v["icons"], share=phrase)
    quote = r["quotes"][0] if r.get("quotes") else None
    how = fill(v["how_to_read"], theme=label, base=out_of, total=total)
    return YouthTheme(code=r["code"], label=label, sentence=sentence, filled=filled,
                      out_of=out_of, how_to_read=how, description=f"{picture} {sentence}",
                      quote=quote)


def glossary(text: YouthText | None = None) -> tuple[tuple[str, str], ...]:
    """The words the youth pages cannot do without: (word, what it means)."""
    return (text or load_youth_text()).glossary
