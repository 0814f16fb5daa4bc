"""Statistics shared by every study kind's report, and the error a report
raises for a folder with nothing in it."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from worlds import MesabaseError

RESAMPLES = 2000


class NoResultsError(MesabaseError):
    """A study folder without any finished episode."""


def bootstrap_ci(
    values: Iterable[float | None], resamples: int = RESAMPLES, confidence: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """(mean, lo, hi): the mean of the finite values and its percentile bootstrap
    CI (None and NaN are left out). NaNs when no value is finite; the interval
    is degenerate when all values are equal and always holds the mean."""
    data = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if data.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(data.mean())
    if np.ptp(data) == 0:
        return mean, mean, mean
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    chunk = max(1, 4_000_000 // data.size)  # bound the index array's memory
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        means[start:stop] = data[rng.integers(0, data.size, (stop - start, data.size))].mean(axis=1)
    tail = 100 * (1 - confidence) / 2
    lo, hi = np.percentile(means, [tail, 100 - tail])
    return mean, min(float(lo), mean), max(float(hi), mean)


def binomial_ci(successes: int, n: int, confidence: float = 0.95, method: str = "wilson") -> tuple:
    """(fraction, lo, hi) of `successes` out of `n` with an exact-coverage
    binomial interval from `scipy.stats.binomtest`: ``"wilson"`` (default) or
    ``"exact"`` (Clopper-Pearson). Unlike a bootstrap, 8 of 8 gets an interval
    that reaches below 1. NaNs when `n` is 0."""
    from scipy.stats import binomtest

    if n == 0:
        return math.nan, math.nan, math.nan
    interval = binomtest(int(successes), int(n)).proportion_ci(confidence_level=confidence, method=method)
    return successes / n, float(interval.low), float(interval.high)


def mcnemar_exact(first: Iterable[bool], second: Iterable[bool]) -> tuple[int, int, float]:
    """The exact McNemar test of two agents' paired 0/1 outcomes on the same
    units (levels): (only the first succeeded, only the second succeeded,
    two-sided p). Concordant pairs carry no information; the discordant ones
    are binomial(b + c, 1/2) under the null, tested with `scipy.stats.binomtest`."""
    from scipy.stats import binomtest

    pairs = list(zip(first, second, strict=True))
    only_first = sum(bool(a) and not bool(b) for a, b in pairs)
    only_second = sum(bool(b) and not bool(a) for a, b in pairs)
    discordant = only_first + only_second
    p = 1.0 if discordant == 0 else float(binomtest(only_first, discordant, 0.5).pvalue)
    return only_first, only_second, p


def holm(pvalues: Iterable[float]) -> list[float]:
    """Holm-adjusted p-values (step-down, family-wise error), in the input order.
    scipy.stats offers Benjamini-Hochberg (`false_discovery_control`) but not
    Holm, which is a running maximum over sorted p-values times their rank."""
    values = list(pvalues)
    order = sorted(range(len(values)), key=values.__getitem__)
    adjusted, running = [0.0] * len(values), 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(values) - rank) * values[index]))
        adjusted[index] = running
    return adjusted


def cluster_bootstrap_ci(
    clusters: Iterable[Iterable[float]], resamples: int = RESAMPLES, confidence: float = 0.95, seed: int = 0
) -> tuple[float, float, float, int]:
    """(mean, lo, hi, units) when values nest in units (e.g. levels within an
    optimiser seed): the percentile bootstrap of `scipy.stats.bootstrap` over
    the units' means, so the unit, not the pooled value, is what is resampled
    and every unit counts once. Non-finite values are left out; units with no
    finite value are dropped. A single unit gives a degenerate interval."""
    from scipy.stats import bootstrap

    means = []
    for cluster in clusters:
        finite = [float(v) for v in cluster if v is not None and math.isfinite(float(v))]
        if finite:
            means.append(float(np.mean(finite)))
    if not means:
        return math.nan, math.nan, math.nan, 0
    mean = float(np.mean(means))
    if len(means) == 1 or np.ptp(means) == 0:
        return mean, mean, mean, len(means)
    result = bootstrap(
        (np.array(means),),
        np.mean,
        n_resamples=resamples,
        confidence_level=confidence,
        method="percentile",
        random_state=np.random.default_rng(seed),
    )
    interval = result.confidence_interval
    return mean, min(float(interval.low), mean), max(float(interval.high), mean), len(means)
