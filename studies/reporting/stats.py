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
