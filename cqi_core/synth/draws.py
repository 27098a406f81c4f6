"""Random draws shared by the generator modules.

Each part of the agency draws from its own stream, derived from (seed, size, chunk, part),
so that changing how one table is generated does not reshuffle the others and the same
seed always gives the same files.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence

import numpy as np


def stream(seed: int, *parts: int | str) -> np.random.Generator:
    """An independent generator for one part of one chunk."""
    keys = [seed] + [p if isinstance(p, int) else zlib.crc32(p.encode()) for p in parts]
    return np.random.default_rng(np.random.SeedSequence(keys))


def categorical(rng: np.random.Generator, probs: Sequence[float] | np.ndarray, n: int) -> np.ndarray:
    """`n` indices drawn with the given (not necessarily normalised) probabilities."""
    p = np.asarray(probs, dtype=float)
    cdf = np.cumsum(p / p.sum())
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(p) - 1)


def categorical_rows(rng: np.random.Generator, table: np.ndarray, row: np.ndarray) -> np.ndarray:
    """One index per element, drawn from the probability row `table[row[i]]`."""
    t = np.asarray(table, dtype=float)
    cdf = np.cumsum(t / t.sum(axis=1, keepdims=True), axis=1)[row]
    u = rng.random(len(row))[:, None]
    return np.minimum((u >= cdf).sum(axis=1), t.shape[1] - 1)


def named(rng: np.random.Generator, spec: Mapping[str, float], n: int) -> tuple[list[str], np.ndarray]:
    """Codes and indices drawn from a {code: probability} mapping."""
    names = list(spec)
    return names, categorical(rng, [spec[k] for k in names], n)


def lag_days(rng: np.random.Generator, spec: Mapping[str, float], n: int) -> np.ndarray:
    """Whole-day lags from buckets such as {"0": .6, "1-3": .3, "4-30": .1, "missing": .05}.

    Within a bucket the lag is uniform; "missing" gives -1 (the caller leaves the date empty).
    """
    names, idx = named(rng, spec, n)
    out = np.zeros(n, dtype=np.int64)
    for i, name in enumerate(names):
        hit = idx == i
        if name == "missing":
            out[hit] = -1
            continue
        lo, _, hi = name.partition("-")
        lo_i, hi_i = int(lo), int(hi or lo)
        out[hit] = rng.integers(lo_i, hi_i + 1, hit.sum())
    return out


def logit(p: float | np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return np.log(p / (1 - p))


def expit(x: float | np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def ranks_within(group: np.ndarray) -> np.ndarray:
    """0, 1, 2 … within runs of equal values of a sorted `group` array."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    start = np.r_[True, group[1:] != group[:-1]]
    first = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    return np.arange(n) - first


def explode(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Owner index and rank for `counts[i]` rows per owner i (the vectorised nested loop)."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    return owner, ranks_within(owner)
