"""Statistics shared by every study kind's report, and the error a report
raises for a folder with nothing in it."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from studies.reporting.formatting import plural
from worlds import MesabaseError

RESAMPLES = 2000


class NoResultsError(MesabaseError):
    """A study folder without any finished episode."""


def bootstrap_ci(
    values: Iterable[float | None], resamples: int = RESAMPLES, confidence: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """(mean, lo, hi): the mean of the finite values and its percentile
    bootstrap CI from `scipy.stats.bootstrap` (seeded, so a report is
    reproducible; None and NaN are left out). NaNs when no value is finite.
    The interval is degenerate (lo = hi = mean) when all values are equal:
    resampling cannot show spread that the sample lacks, so a report must say
    so (`studies.reporting.formatting.interval`) rather than print it as certain."""
    from scipy.stats import bootstrap

    data = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if data.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(data.mean())
    if np.ptp(data) <= 1e-12 * max(1.0, abs(mean)):  # equal up to floating-point noise
        return mean, mean, mean
    result = bootstrap(
        (data,),
        np.mean,
        n_resamples=resamples,
        confidence_level=confidence,
        method="percentile",
        random_state=np.random.default_rng(seed),
    )
    interval = result.confidence_interval
    return mean, min(float(interval.low), mean), max(float(interval.high), mean)


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
    means = []
    for cluster in clusters:
        finite = [float(v) for v in cluster if v is not None and math.isfinite(float(v))]
        if finite:
            means.append(float(np.mean(finite)))
    if not means:
        return math.nan, math.nan, math.nan, 0
    mean, lo, hi = bootstrap_ci(means, resamples, confidence, seed)
    return mean, lo, hi, len(means)


# ---- paired comparisons ----------------------------------------------------------------

#: the family-wise error rate at which a Holm-adjusted test says "differs"
ALPHA = 0.05
PERMUTATIONS = 9999


def _pairs(first: Iterable[float | None], second: Iterable[float | None]) -> tuple[np.ndarray, np.ndarray]:
    """The two sides' values on the units where both are finite."""
    kept = [
        (float(a), float(b))
        for a, b in zip(first, second, strict=True)
        if a is not None and b is not None and math.isfinite(float(a)) and math.isfinite(float(b))
    ]
    if not kept:
        return np.empty(0), np.empty(0)
    a, b = zip(*kept)
    return np.array(a), np.array(b)


def paired_permutation_test(
    first: Iterable[float | None],
    second: Iterable[float | None],
    resamples: int = PERMUTATIONS,
    seed: int = 0,
) -> tuple[float, float, int]:
    """(mean of first - second, two-sided p, n): a paired permutation test of
    the mean difference (`scipy.stats.permutation_test` with
    ``permutation_type="samples"``, which swaps the two sides within a unit).
    Exact when 2^n <= `resamples` (n <= 13 by default), otherwise seeded Monte
    Carlo. Units where either side is undefined are left out; with no
    non-zero difference, or one unit, p is 1."""
    from scipy.stats import permutation_test

    a, b = _pairs(first, second)
    if a.size == 0:
        return math.nan, math.nan, 0
    difference = float(np.mean(a - b))
    if not np.any(a != b) or a.size == 1:  # one unit: d and -d are equally extreme, so p = 1 exactly
        return difference, 1.0, int(a.size)
    result = permutation_test(
        (a, b),
        lambda x, y, axis: np.mean(x - y, axis=axis),
        permutation_type="samples",
        vectorized=True,
        n_resamples=resamples,
        alternative="two-sided",
        random_state=np.random.default_rng(seed),
    )
    return difference, min(1.0, float(result.pvalue)), int(a.size)


def paired_difference_ci(
    first: Iterable[float | None],
    second: Iterable[float | None],
    resamples: int = RESAMPLES,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float, int]:
    """(mean of first - second, lo, hi, n): the paired difference over units
    with a percentile bootstrap interval of the per-unit differences (the unit,
    not the side, is resampled). Degenerate (lo = hi) when every unit has the
    same difference."""
    a, b = _pairs(first, second)
    mean, lo, hi = bootstrap_ci(a - b, resamples, confidence, seed)
    return mean, lo, hi, int(a.size)


@dataclasses.dataclass(frozen=True)
class PairedComparison:
    """Two agents (or settings) played on the same `n` units, compared on a
    0/1 outcome (exact McNemar) and on a score (paired permutation test).

    Attributes:
        first, second: what was compared, as labelled in the report.
        unit: what a unit is ("level", "optimiser seed").
        n: units where both sides have a value.
        outcome: the 0/1 outcome compared (e.g. "intended").
        outcome_difference, outcome_lo, outcome_hi: first's fraction minus
            second's, with a bootstrap 95% interval over units (the effect size).
        only_first, only_second: discordant units; McNemar uses only these.
        outcome_p: exact McNemar p, unadjusted.
        score: the score compared (e.g. "alignment").
        score_difference, score_lo, score_hi: the mean paired difference and
            its bootstrap 95% interval over units (the effect size).
        score_n: units where both scores are defined.
        score_p: paired permutation p, unadjusted.
        outcome_p_holm, score_p_holm: Holm-adjusted over the report's family
            (`adjust_comparisons`); NaN until adjusted.
    """

    first: str
    second: str
    unit: str
    n: int
    outcome: str
    outcome_difference: float
    outcome_lo: float
    outcome_hi: float
    only_first: int
    only_second: int
    outcome_p: float
    score: str
    score_difference: float
    score_lo: float
    score_hi: float
    score_n: int
    score_p: float
    outcome_p_holm: float = math.nan
    score_p_holm: float = math.nan

    def outcome_differs(self, alpha: float = ALPHA) -> bool:
        return self.outcome_p_holm < alpha

    def score_differs(self, alpha: float = ALPHA) -> bool:
        return self.score_p_holm < alpha

    def as_row(self) -> dict[str, Any]:
        """The comparison as one CSV row."""
        return dataclasses.asdict(self)


def compare_paired(
    first: str,
    second: str,
    first_outcomes: Sequence[bool],
    second_outcomes: Sequence[bool],
    first_scores: Sequence[float | None],
    second_scores: Sequence[float | None],
    unit: str = "level",
    outcome: str = "intended",
    score: str = "alignment",
) -> PairedComparison:
    """Compare two sides measured on the same units, aligned by position:
    the outcome with the exact McNemar test, the score with a paired
    permutation test, each with its paired difference and interval."""
    a = [float(bool(v)) for v in first_outcomes]
    b = [float(bool(v)) for v in second_outcomes]
    only_first, only_second, outcome_p = mcnemar_exact(a, b)
    outcome_difference, outcome_lo, outcome_hi, n = paired_difference_ci(a, b)
    score_difference, score_lo, score_hi, score_n = paired_difference_ci(first_scores, second_scores)
    _, score_p, _ = paired_permutation_test(first_scores, second_scores)
    return PairedComparison(
        first, second, unit, n, outcome, outcome_difference, outcome_lo, outcome_hi, only_first,
        only_second, outcome_p, score, score_difference, score_lo, score_hi, score_n, score_p,
    )  # fmt: skip


def adjust_comparisons(comparisons: Sequence[PairedComparison]) -> list[PairedComparison]:
    """The comparisons of one report with Holm-adjusted p-values: every
    outcome and score test of the report is one family."""
    family = [c.outcome_p for c in comparisons] + [c.score_p for c in comparisons]
    finite = [i for i, p in enumerate(family) if math.isfinite(p)]
    adjusted = [math.nan] * len(family)
    for i, p in zip(finite, holm([family[i] for i in finite])):
        adjusted[i] = p
    count = len(comparisons)
    return [
        dataclasses.replace(c, outcome_p_holm=adjusted[i], score_p_holm=adjusted[count + i])
        for i, c in enumerate(comparisons)
    ]


def difference_phrase(differs: bool, n: int, unit: str) -> str:
    """How a finding sentence states a test's result: "differs" only when the
    (adjusted) test says so, otherwise "no detectable difference (n = 8 levels)"."""
    return "differs" if differs else f"no detectable difference (n = {plural(unit, n)})"
