"""Choosing the limits and the over-dispersion model by the rules of compare.yaml."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from cqi_core.methods.funnel.funnel import METHODS, OVERDISPERSION, FunnelResult, check_arguments, funnel
from cqi_core.methods.funnel.settings import load_settings


def choose_method(denominator: Sequence[float] | np.ndarray, target: float, kind: str,
                  min_denominator: float | None = None) -> str:
    """exact when a compared unit expects fewer than compare.yaml `exact_below_expected`
    events (n·θ0) or, for a proportion, non-events (n·(1 − θ0)); else normal."""
    settings = load_settings()
    min_den = settings.min_denominator[kind] if min_denominator is None else min_denominator
    n = np.asarray(denominator, dtype=float)
    n = n[np.isfinite(n) & (n > 0) & (n >= min_den)]
    if not len(n):
        return "normal"
    expected = n * target
    if kind == "proportion":
        expected = np.minimum(expected, n * (1 - target))
    return "exact" if np.any(expected < settings.exact_below_expected) else "normal"


@dataclass(frozen=True)
class AutoFunnel:
    """A funnel drawn by the rules of compare.yaml, and the test that chose its limits."""

    result: FunnelResult
    """The funnel as drawn."""
    test: FunnelResult
    """The funnel whose φ̂ and χ² test decided the over-dispersion model (the same object
    as `result` when no choice was left to the rules)."""
    method_reason: str
    """Why these limits, in one plain sentence."""


def auto_funnel(numerator: Sequence[float] | pl.Series, denominator: Sequence[float] | pl.Series,
                unit: Sequence[str] | pl.Series, target: float | None = None,
                method: str = "auto", overdispersion: str = "auto", *, kind: str = "proportion",
                min_denominator: float | None = None, multiplier: float = 1.0) -> AutoFunnel:
    """`funnel`, with "auto" for method and over-dispersion resolved by compare.yaml.

    method auto: exact or normal by `choose_method`. overdispersion auto: φ̂ is tested on
    the scale the adjustment would use (the arcsine scale for additive when the method is
    auto, as FunnelPlotR does); when the test finds over-dispersion the compare.yaml
    `overdispersion_auto` model is applied, else none.
    """
    settings = load_settings()
    args = dict(kind=kind, min_denominator=min_denominator, multiplier=multiplier)
    if method not in (*METHODS, "auto") or overdispersion not in (*OVERDISPERSION, "auto"):
        check_arguments(method if method != "auto" else "normal",
               overdispersion if overdispersion != "auto" else "none", kind)
    base = funnel(numerator, denominator, unit, target, "normal", "none", **args)
    theta = None if base.target is None else base.target / multiplier
    chosen = method
    why = f"{method.capitalize()} limits, as chosen."
    if method == "auto":
        chosen = "normal" if theta is None else choose_method(
            base.units["denominator"].to_numpy(), theta, kind, base.min_denominator)
        expected = settings.exact_below_expected
        why = (f"Exact limits: at least one unit expects fewer than {expected:g} "
               f"{'events (or non-events)' if kind == 'proportion' else 'events'}, where the "
               "normal approximation is poor." if chosen == "exact" else
               f"Normal-approximation limits: every unit expects at least {expected:g} "
               f"{'events and non-events' if kind == 'proportion' else 'events'}, where they "
               "are close to exact.")
    if overdispersion != "auto":
        model = overdispersion
        if method == "auto" and overdispersion == "additive":
            chosen = "arcsine"
            why = ("Additive over-dispersion limits on the arcsine (variance-stabilised) "
                   "scale, as Spiegelhalter (2012) recommends.")
        result = funnel(numerator, denominator, unit, target, chosen, model, **args)
        return AutoFunnel(result, result, why)
    model = settings.overdispersion_auto
    scale = "arcsine" if method == "auto" and model == "additive" else chosen
    test = funnel(numerator, denominator, unit, target, scale, "none", **args)
    if test.overdispersed:
        result = funnel(numerator, denominator, unit, target, scale, model, **args)
        if scale == "arcsine" and method == "auto":
            why = ("Limits on the arcsine (variance-stabilised) scale, widened for "
                   "over-dispersion as Spiegelhalter (2012) recommends.")
        return AutoFunnel(result, test, why)
    result = test if scale == chosen else funnel(numerator, denominator, unit, target, chosen,
                                                 "none", **args)
    return AutoFunnel(result, test, why)
