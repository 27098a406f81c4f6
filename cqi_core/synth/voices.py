"""Voices: stakeholder feedback and the staff survey.

Both are small agency-wide tables. Feedback comes from youth, parents, caregivers and
partners through surveys, focus groups, boards, listening sessions and complaints; a
group session gives several comments on the same day. Ratings and the tone of the text
follow the unit's practice and the planted changes (complaints about visits in the unit
whose visits drop, better word about reunification in the improving region). Staff
answer a twice-yearly survey; the large, over-stretched unit answers worse, and its
comments quote its real caseload and vacancies.

Texts are composed from the fragments of voices.yaml filled with the facts of the comment
(unit, office, region, months, settings, services; for staff their tenure, their unit's
caseload and open positions). The composer remembers every comment it wrote and never
writes the same one twice. Texts draw from their own random streams, so rewording a
fragment never changes a date, a rating or a score.
"""

from __future__ import annotations

import math
import random
import re
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from cqi_core.settings import load_yaml
from cqi_core.synth.agency import Agency
from cqi_core.synth.casefacts import plural, words
from cqi_core.synth.chunk import dates
from cqi_core.synth.dates import from_ymd, month_index, to_date, to_day
from cqi_core.synth.draws import categorical, stream
from cqi_core.synth.plan import Plan

VOICES_PATH = Path(__file__).with_name("voices.yaml")
_FAMILY = ("youth", "parent", "caregiver")
_PARTNER = ("community_partner", "provider", "staff", "other")
_GROUP_CHANNELS = ("focus_group", "advisory_board", "listening_session")
_TAG = re.compile(r"^([a-z_|]+):\s*")
_CONDITION = re.compile(r"^\?(\w+)\s+")
_ALIASES = {"family": _FAMILY, "partner": _PARTNER}
_SPECIALTIES = (" Child Protection", " Permanency", " Family Services", " Kinship Services", " Adolescent Services")
_SEASONS = ("winter", "winter", "spring", "spring", "spring", "summer", "summer", "summer", "fall", "fall",
            "fall", "winter")
_TRIES = 25
_FIELDS = string.Formatter()
_ONCE = frozenset({"tenure"})   # said at most once in a comment


def _voices() -> dict:
    return load_yaml(VOICES_PATH)


def office_of(unit_name: str) -> str:
    """'Alder Creek Family Services 2' → 'Alder Creek'."""
    for s in _SPECIALTIES:
        if s in unit_name:
            return unit_name.split(s)[0]
    return unit_name


Lazy = dict[str, Callable[["_Facts", random.Random], str]]


class _Facts(dict):
    """The facts of one comment; `{Unit}` is `{unit}` with a capital first letter.

    Facts given up front are fixed for the comment; the others are drawn the first time a
    fragment asks for them (most comments use a few), so one fragment and the next agree.
    """

    def __init__(self, lazy: Lazy, rnd: random.Random, **known: Any) -> None:
        super().__init__(known)
        self.lazy, self.rnd = lazy, rnd

    def __missing__(self, key: str) -> Any:
        draw = self.lazy.get(key)
        if draw is not None:
            value = self[key] = draw(self, self.rnd)
            return value
        base = key[0].lower() + key[1:]
        if base == key:
            raise KeyError(key)
        value = self[base]
        return value[0].upper() + value[1:]


class _Fragment:
    """One sentence of voices.yaml, with who may say it and when it applies."""

    __slots__ = ("text", "who", "condition", "fields")

    def __init__(self, raw: str) -> None:
        self.who: set[str] | None = None
        self.condition: str | None = None
        text = raw
        while True:
            tag, cond = _TAG.match(text), _CONDITION.match(text)
            if tag:
                self.who = {g for name in tag.group(1).split("|") for g in _ALIASES.get(name, (name,))}
                text = text[tag.end():]
            elif cond:
                self.condition = cond.group(1)
                text = text[cond.end():]
            else:
                break
        self.text = text
        self.fields = {f[0].lower() + f[1:] for _, f, _, _ in _FIELDS.parse(text) if f}

    def usable(self, who: str, facts: dict, avoid: frozenset[str] = frozenset()) -> bool:
        return ((self.who is None or who in self.who) and (self.condition is None or bool(facts.get(self.condition)))
                and not (self.fields & avoid))


def _fragments(texts: list[str]) -> list[_Fragment]:
    return [_Fragment(t) for t in texts]


class Composer:
    """Joins fragments into comments and never writes the same comment twice."""

    def __init__(self, fallback: list[str], rnd: random.Random) -> None:
        self.fallback = _fragments(fallback)
        self.rnd = rnd
        self.seen: set[str] = set()

    def pick(self, pool: list[_Fragment], who: str, facts: dict,
             avoid: frozenset[str] = frozenset()) -> _Fragment | None:
        """A fragment `who` may say with these facts, not restating a fact in `avoid`."""
        usable = [f for f in pool if f.usable(who, facts, avoid)]
        return usable[self.rnd.randrange(len(usable))] if usable else None

    def write(self, make: Callable[[int], tuple[list[_Fragment | None], dict]], who: str) -> str:
        """A comment from `make(attempt)` (fragments and facts), different from every earlier one.

        A comment that came out like an earlier one is drawn again, and `make` is asked for
        more parts at each attempt: short comments run out of combinations first.
        """
        text, facts = "", {}
        for attempt in range(_TRIES * 4):
            parts, facts = make(attempt)
            text = " ".join(f.text.format_map(facts) for f in parts if f is not None and f.text)
            if attempt >= _TRIES:   # the same words came out again: add when or where it was
                extra = self.pick(self.fallback, who, facts)
                if extra is not None:
                    text = f"{text} {extra.text.format_map(facts)}"
            if text not in self.seen:
                break
        else:
            n = 2
            while f"{text} ({n})" in self.seen:
                n += 1
            text = f"{text} ({n})"
        self.seen.add(text)
        return text


def _month(day: int) -> str:
    return f"{to_date(day):%B}"


def _month_year(day: int) -> str:
    return f"{to_date(day):%B %Y}"


def _grade(age: int, rnd: random.Random) -> str:
    options = {14: ("eighth grade", "ninth grade"), 15: ("ninth grade", "tenth grade"),
               16: ("tenth grade", "eleventh grade"), 17: ("eleventh grade", "twelfth grade")}
    return rnd.choice(options.get(age, ("twelfth grade", "community college", "a GED program")))


def _feedback_lazy(pools: dict) -> Lazy:
    """How each drawn fact of a feedback comment is drawn (the comment's day is given)."""
    def other(pool: str, first: str) -> Callable[[_Facts, random.Random], str]:
        return lambda f, r: r.choice([x for x in pools[pool] if x != f[first]])

    return {
        "month": lambda f, r: _month(f["day"] - r.randint(7, 110)),
        "earlier_month": lambda f, r: _month(f["day"] - r.randint(120, 330)),
        "month_year": lambda f, r: _month_year(f["day"] - r.randint(400, 1500)),
        "n": lambda f, r: words(r.randint(2, 6)), "n_kids": lambda f, r: words(r.randint(2, 4)),
        "months": lambda f, r: words(r.randint(3, 9)), "weeks": lambda f, r: words(r.randint(2, 8)),
        "years": lambda f, r: words(r.randint(2, 9)), "age": lambda f, r: str(r.randint(14, 20)),
        "young_age": lambda f, r: words(r.randint(3, 11)), "grade": lambda f, r: _grade(int(f["age"]), r),
        "setting": lambda f, r: r.choice(pools["settings"]),
        "service": lambda f, r: r.choice(pools["services"]), "service2": other("services", "service"),
        "child_service": lambda f, r: r.choice(pools["child_services"]),
        "child_service2": other("child_services", "child_service"),
        "appointment": lambda f, r: r.choice(pools["appointments"]),
        "school_event": lambda f, r: r.choice(pools["school_events"]),
        "school_program": lambda f, r: r.choice(pools["school_programs"]),
        "ordinal": lambda f, r: r.choice(pools["ordinals"]), "miles": lambda f, r: str(5 * r.randint(4, 18)),
        "n_families": lambda f, r: str(5 * r.randint(3, 16)),
    }


def feedback_table(plan: Plan, agency: Agency, seed: int) -> pl.DataFrame:
    """The feedback table: one row per comment."""
    fb = _voices()["feedback"]
    rng = stream(seed, plan.size, "feedback")
    rnd = random.Random(int(stream(seed, plan.size, "feedback-text").integers(2**62)))
    composer = Composer(fb["fallback"], rnd)
    openers = {g: _fragments(v) for g, v in fb["openers"].items()}
    statements = {voice: {t: {m: _fragments(x) for m, x in moods.items()} for t, moods in themes_.items()}
                  for voice, themes_ in fb["statements"].items()}
    details = {t: {m: _fragments(x) for m, x in moods.items()} for t, moods in fb["details"].items()}
    suggestions, closings = _fragments(fb["suggestions"]), _fragments(fb["closings"])
    share = fb["parts"]
    lazy = _feedback_lazy(fb["pools"])
    places = [(office_of(name), name, agency.region[int(r)]) for name, r in zip(agency.unit_name, agency.unit_region)]
    hs, as_of = plan.history_start, plan.as_of
    pl_spec = plan["planted"]
    y, m = (int(x) for x in str(pl_spec["visit_drop"]["from_month"]).split("-"))
    drop_from = int(from_ymd(np.array([y]), np.array([m]), np.array([1]))[0])
    better_from = to_day(str(pl_spec["permanency_improvement"]["entries_from"]))
    groups, themes = list(fb["source_group"]), list(fb["themes"])
    lo, hi = fb["group_size"]
    quality = (agency.contact_timely_p - agency.contact_timely_p.mean()) * 4
    rows = []
    years = (as_of - hs) / 365.25
    for u in range(len(agency.unit_id)):
        sessions = rng.poisson(plan.settings["feedback_per_unit_year"] * years * 0.7)
        for _ in range(sessions):
            g = groups[categorical(rng, list(fb["source_group"].values()), 1)[0]]
            chans = fb["channels"][g]
            ch = list(chans)[categorical(rng, list(chans.values()), 1)[0]]
            day = int(rng.integers(hs, as_of + 1))
            n = int(rng.integers(lo, hi + 1)) if ch in _GROUP_CHANNELS else 1
            for _ in range(n):
                weights = np.array(list(fb["themes"].values()))
                if u == agency.visit_drop_unit and day >= drop_from:
                    weights[themes.index("visits")] *= 3
                if u == agency.overdispersed:
                    weights[themes.index("workforce")] *= 2.5
                theme = themes[categorical(rng, weights, 1)[0]]
                latent = 3.3 + quality[u] + rng.normal(0, 1.1)
                latent -= 0.6 * (ch == "complaint")
                if u == agency.visit_drop_unit and day >= drop_from and theme in ("visits", "communication", "workforce"):
                    latent -= 1.2
                if u == agency.overdispersed and theme in ("workforce", "visits", "communication"):
                    latent -= 0.8
                if (agency.unit_region[u] == agency.improving_region and day >= better_from
                        and theme in ("engagement", "services", "placement_stability")):
                    latent += 0.7
                rating = int(np.clip(np.round(latent), 1, 5))
                mood = "negative" if rating <= 2 else "mixed" if rating == 3 else "positive"
                voice = "family" if g in _FAMILY else "partner"

                def make(attempt, g=g, theme=theme, mood=mood, voice=voice, u=u, day=day):
                    office, name, region = places[u]
                    facts = _Facts(lazy, rnd, office=office, unit=name, region=region, day=day)
                    more = 0.15 * attempt
                    pick = lambda pool: composer.pick(pool, g, facts)  # noqa: E731
                    parts = [pick(openers[g]) if rnd.random() < share["opener"] + more else None,
                             pick(statements[voice][theme][mood])]
                    if rnd.random() < share["detail"] + more:
                        parts.append(pick(details[theme][mood]))
                    if rnd.random() < share["suggestion"][mood] + more:
                        parts.append(pick(suggestions))
                    if rnd.random() < share["closing"]:
                        parts.append(pick(closings))
                    return parts, facts

                text = composer.write(make, g)
                no_rating = rng.random() < (plan["voices"]["feedback_rating_missing"] * 2.4
                                            if ch in _GROUP_CHANNELS else 0.04)
                unit_known = rng.random() < 0.88
                rows.append((day, g, ch, u if unit_known else -1,
                             int(agency.unit_region[u]) if rng.random() < 0.97 else -1,
                             -1 if no_rating else rating, text))
    rows.sort(key=lambda r: (r[0], r[3], r[1], r[6]))
    day, group, channel, unit, region, rating, text = (list(x) for x in zip(*rows))
    rating_a = np.asarray(rating, dtype=np.int64)
    return pl.DataFrame({
        "feedback_id": [f"F{i:06d}" for i in range(1, len(rows) + 1)],
        "received_date": dates(np.asarray(day)),
        "source_group": group,
        "channel": channel,
        "unit_id": [agency.unit_id[x] if x >= 0 else None for x in unit],
        "region": pl.Series([agency.region[x] if x >= 0 else None for x in region], dtype=pl.String),
        "rating": pl.Series(np.where(rating_a < 0, 0, rating_a)).cast(pl.Int64).to_frame()
        .select(pl.when(pl.Series(rating_a) > 0).then(pl.first()).otherwise(None)).to_series(),
        "text": text,
    })


def survey_days(plan: Plan) -> list[int]:
    """The days the staff survey opens (the 10th of each survey month inside the history)."""
    out = []
    for year in range(plan.history_start_date.year, plan.as_of_date.year + 1):
        for month in plan["voices"]["survey_months"]:
            opens = int(from_ymd(np.array([year]), np.array([month]), np.array([10]))[0])
            if plan.history_start <= opens and opens + 14 <= plan.as_of:
                out.append(opens)
    return out


class Caseload:
    """Episodes in care per unit on each survey day, counted chunk by chunk."""

    def __init__(self, plan: Plan, agency: Agency) -> None:
        self.days = np.asarray(survey_days(plan), dtype=np.int64)
        self.open = np.zeros((len(agency.unit_id), len(self.days)), dtype=np.int64)

    def add(self, chunk: Any) -> None:
        e = chunk.eps
        for j, d in enumerate(self.days):
            in_care = (e.removal <= d) & ((e.discharge < 0) | (e.discharge > d))
            self.open[:, j] += np.bincount(e.unit[in_care], minlength=self.open.shape[0])


def _tenure(days: int) -> str:
    if days < 60:
        return "a few weeks"
    if days < 365:
        return plural(max(2, days // 30), "month", "months")
    return plural(days // 365, "year", "years")


def staff_survey_table(plan: Plan, agency: Agency, seed: int, caseload: Caseload | None = None) -> pl.DataFrame:
    """The staff survey: one row per respondent and question."""
    ss = _voices()["staff_survey"]
    vp = plan["voices"]
    rng = stream(seed, plan.size, "staff-survey")
    rnd = random.Random(int(stream(seed, plan.size, "staff-survey-text").integers(2**62)))
    composer = Composer(ss["fallback"], rnd)
    leads = {t: {m: _fragments(x) for m, x in moods.items()} for t, moods in ss["comments"].items()}
    details = {t: {m: _fragments(x) for m, x in moods.items()} for t, moods in ss["details"].items()}
    about_me = _fragments(ss["about_me"])
    suggestions = {t: _fragments(x) for t, x in ss["suggestions"].items()}
    share, lazy = ss["parts"], _staff_lazy(ss["pools"])
    w = agency.workers
    unit = np.array([int(u[1:]) - 1 for u in w["unit_id"].to_list()])
    role = np.asarray(w["role"].to_list())
    hire = w["hire_date"].cast(pl.Int32).to_numpy()
    sep = w["separation_date"].cast(pl.Int32).fill_null(10**7).to_numpy()
    questions = ss["questions"]
    weight = ss["workload_weight"]
    y, m = (int(x) for x in str(plan["planted"]["visit_drop"]["from_month"]).split("-"))
    drop_month = (y - 1970) * 12 + m - 1
    n_units = len(agency.unit_id)
    out_day, out_unit, out_q, out_score, out_comment = [], [], [], [], []
    for j, opens in enumerate(survey_days(plan)):
        caseworkers = np.bincount(unit[(role == "caseworker") & (hire <= opens) & (sep > opens)], minlength=n_units)
        vacancies = np.maximum(0, agency.pos_count - caseworkers)
        per_worker = (caseload.open[:, j] / np.maximum(caseworkers, 1) if caseload is not None
                      else np.full(n_units, 14.0))
        active = np.flatnonzero((hire <= opens) & (sep > opens) & (rng.random(len(hire)) < vp["survey_response"]))
        person = rng.normal(0, 0.6, len(active))
        answered = opens + rng.integers(0, 14, len(active))
        for qi, q in enumerate(questions):
            u = unit[active]
            latent = q["base"] + agency.survey_shift[u] * weight[q["topic"]] + person + rng.normal(0, 0.7, len(active))
            late_drop = (u == agency.visit_drop_unit) & (month_index(np.array([opens]))[0] >= drop_month)
            latent -= 0.6 * late_drop * weight[q["topic"]]
            score = np.clip(np.round(latent), 1, 5).astype(np.int64)
            score = np.where(rng.random(len(active)) < 0.02, -1, score)
            wants = rng.random(len(active)) < vp["survey_comment"] * np.where(score <= 2, 1.6, 0.8)
            for i in range(len(active)):
                comment = None
                if wants[i] and score[i] > 0:
                    mood = "negative" if score[i] <= 2 else "mixed" if score[i] == 3 else "positive"
                    who = int(active[i])
                    comment = composer.write(
                        _staff_maker(rnd, composer, lazy, share, leads, details, about_me, suggestions,
                                     agency, q["topic"], mood, str(role[who]), int(u[i]), int(answered[i]),
                                     int(answered[i]) - int(hire[who]), int(vacancies[u[i]]),
                                     float(per_worker[u[i]])), str(role[who]))
                out_day.append(int(answered[i]))
                out_unit.append(int(u[i]))
                out_q.append(qi)
                out_score.append(int(score[i]))
                out_comment.append(comment)
    order = np.lexsort((np.asarray(out_q), np.asarray(out_unit), np.asarray(out_day)))
    qtext = [q["text"] for q in questions]
    score_a = np.asarray(out_score, dtype=np.int64)[order]
    return pl.DataFrame({
        "response_id": [f"SR{i:07d}" for i in range(1, len(order) + 1)],
        "unit_id": [agency.unit_id[out_unit[i]] for i in order],
        "survey_date": dates(np.asarray(out_day)[order]),
        "question": [qtext[out_q[i]] for i in order],
        "score": pl.Series(np.where(score_a < 0, 0, score_a)).to_frame()
        .select(pl.when(pl.Series(score_a) > 0).then(pl.first()).otherwise(None)).to_series(),
        "comment": pl.Series([out_comment[i] for i in order], dtype=pl.String),
    })


def _staff_lazy(pools: dict) -> Lazy:
    """How each drawn fact of a staff comment is drawn (the unit's figures are given)."""
    def caseload(f: _Facts, r: random.Random) -> str:
        return str(max(3, int(round(f["per_worker"] * math.exp(r.gauss(0, 0.15))))))

    return {
        "caseload": caseload, "caseload_high": lambda f, r: str(int(f["caseload"]) + r.randint(3, 9)),
        "month": lambda f, r: _month(f["day"] - r.randint(20, 170)),
        "month_year": lambda f, r: _month_year(f["day"] - r.randint(240, 900)),
        "new_cases": lambda f, r: words(r.randint(2, 7)), "overtime": lambda f, r: str(r.randint(8, 36)),
        "n": lambda f, r: words(r.randint(2, 5)), "cap": lambda f, r: str(r.randint(12, 16)),
        "training_topic": lambda f, r: r.choice(pools["training_topics"]),
        "weekday": lambda f, r: r.choice(pools["weekdays"]),
        "outage_days": lambda f, r: words(r.randint(2, 5)), "laptop_years": lambda f, r: words(r.randint(5, 8)),
    }


def _staff_maker(rnd, composer, lazy, share, leads, details, about_me, suggestions, agency, topic, mood,
                 role, u, day, tenure_days, vacancies, per_worker):
    """The `make` function of one staff comment: its facts and fragments, drawn afresh each call."""
    name = agency.unit_name[u]
    known = dict(
        unit=name, office=office_of(name), region=agency.region[int(agency.unit_region[u])],
        season=_SEASONS[to_date(day).month - 1], day=day, per_worker=per_worker,
        tenure=_tenure(tenure_days), new_hire=tenure_days < 365, veteran=tenure_days >= 3 * 365,
        vacant=vacancies > 0, full=vacancies == 0, overloaded=u == agency.overdispersed, heavy=per_worker >= 12,
        open_positions=plural(vacancies, "open caseworker position", "open caseworker positions"),
        vacancy_words=plural(vacancies, "vacancy", "vacancies"),
        coworker_words=plural(vacancies, "caseworker", "caseworkers"),
        unit_caseload=str(max(3, int(round(per_worker)))), team=words(int(agency.pos_count[u])),
    )

    def make(attempt):
        facts = _Facts(lazy, rnd, **known)
        more = 0.15 * attempt
        me = composer.pick(about_me, role, facts) if rnd.random() < share["about_me"] + more else None
        said = frozenset(me.fields & _ONCE) if me is not None else frozenset()
        pick = lambda pool: composer.pick(pool, role, facts, said)  # noqa: E731
        parts = [me, pick(leads[topic][mood])]
        if rnd.random() < share["detail"] + more:
            parts.append(pick(details[topic][mood]))
        if rnd.random() < share["suggestion"][mood] + more:
            parts.append(pick(suggestions[topic]))
        return parts, facts
    return make
