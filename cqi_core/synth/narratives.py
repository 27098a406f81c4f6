"""Reviewer narratives: sentences from narratives.yaml filled with the facts of a case.

A narrative is a lead, one or two details and sometimes a closing remark, each chosen at
random among the templates the case can fill (a template whose placeholder has no value
for the case, or whose `?condition` is false, is skipped). The narrator remembers every
paragraph it wrote and never writes the same one twice: real reviewers do not either, and
the qualitative pages must not show copies.
"""

from __future__ import annotations

import random
import re
import string
from pathlib import Path
from typing import Any

import numpy as np

from cqi_core.settings import load_yaml

TEXT_PATH = Path(__file__).with_name("narratives.yaml")
RATINGS = ("strength", "area_needing_improvement", "not_applicable")
_FIELD = string.Formatter()
_CONDITION = re.compile(r"^\?(\w+)\s+")


class _Template:
    __slots__ = ("text", "condition", "fields")

    def __init__(self, raw: str) -> None:
        m = _CONDITION.match(raw)
        self.condition = m.group(1) if m else None
        self.text = raw[m.end():] if m else raw
        self.fields = {f for _, f, _, _ in _FIELD.parse(self.text) if f}

    def usable(self, facts: dict[str, Any]) -> bool:
        if self.condition and not facts.get(self.condition):
            return False
        return all(facts.get(_base(f)) is not None for f in self.fields)


def _base(field: str) -> str:
    """`Child` and `child` are the same fact, capitalised or not."""
    return field[0].lower() + field[1:]


class _Filler(dict):
    """Fills a paragraph: the child is described in full once, then in short."""

    def __init__(self, facts: dict[str, Any], rng: random.Random) -> None:
        super().__init__()
        self.facts, self.rng, self.named_child = facts, rng, False

    def __missing__(self, key: str) -> str:
        base = _base(key)
        if base == "child":
            value = self.facts["child_short"] if self.named_child else self.facts["child"]
            self.named_child = True
        elif base == "worker":
            value = self.rng.choice(self.facts["workers_pool"])
        elif base == "pur":
            value = self.rng.choice(("the period under review", "the review period", "the 12-month review period"))
        else:
            value = str(self.facts[base])
        return value[0].upper() + value[1:] if key[0].isupper() else value


class Narrator:
    """Writes unique reviewer narratives from the templates of narratives.yaml."""

    def __init__(self, path: Path = TEXT_PATH) -> None:
        raw = load_yaml(path)
        self.pools: dict[str, list[str]] = raw["pools"]
        self.items: dict[str, dict[str, dict[str, list[_Template]]]] = {
            item: {rating: {part: [_Template(t) for t in texts] for part, texts in parts.items()}
                   for rating, parts in by_rating.items()}
            for item, by_rating in raw["items"].items()}
        self.seen: set[str] = set()

    def write(self, item: str, rating: str, facts: dict[str, Any], rng: np.random.Generator) -> str:
        """A paragraph for `item` rated `rating`, different from every earlier one."""
        parts = self.items[item][rating]
        rng = random.Random(int(rng.integers(2**62)))   # the standard library picks faster
        text = ""
        for _ in range(12):
            text = self._compose(parts, facts, rng)
            if text not in self.seen:
                break
        else:   # the same facts came out again: add what makes this review different
            text = f"{text} Reviewed on {facts['review_day']} for the period {facts['pur_span']}."
            n = 2
            while text in self.seen:
                text = f"{text} (note {n})"
                n += 1
        self.seen.add(text)
        return text

    def _compose(self, parts: dict[str, list[_Template]], facts: dict[str, Any], rng: random.Random) -> str:
        def pick(name: str, k: int = 1) -> list[_Template]:
            pool = [t for t in parts.get(name, []) if t.usable(facts)]
            idx = sorted(rng.sample(range(len(pool)), min(k, len(pool))))
            return [pool[i] for i in idx]

        chosen = pick("lead") + pick("detail", 1 + int(rng.random() < 0.45))
        if rng.random() < 0.6:
            chosen += pick("close")
        filler = _Filler(facts, rng)
        sentences = [t.text.format_map(filler) for t in chosen]
        return " ".join(s for s in sentences if s)
