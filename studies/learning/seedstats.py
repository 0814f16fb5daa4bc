"""Statistics of a learning study at its unit of replication, the optimiser
seed (levels nested in it).

Each seed's values on its levels are one cluster: a mean over seeds counts
every seed once (`stats.cluster_bootstrap_ci`), whatever its number of
levels. Two objectives played on the same levels within a run are compared
per seed (the mean over levels of their difference) with a paired permutation
test across seeds; two settings are independent groups of seeds, compared
with a permutation test between the groups. Every test of a report is one
Holm family (`adjust`). With n seeds an exact two-sided paired permutation
test cannot give p below 2 / 2^n (0.125 for 4 seeds).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from studies.reporting.formatting import interval, num, p_value, plural
from studies.reporting.stats import (
    ALPHA,
    PERMUTATIONS,
    RESAMPLES,
    cluster_bootstrap_ci,
    difference_phrase,
    holm,
    paired_difference_ci,
    paired_permutation_test,
)

#: the unit of replication of a learning study (`studies.core.kinds.StudyKind.unit`)
UNIT = "optimiser seed"

Interval = tuple[float, float, float, int]  # (mean, lo, hi, n)


def seed_interval(clusters: Sequence[Sequence[float]]) -> Interval:
    """(mean, lo, hi, n seeds) over clusters ``[seeds][levels]``: the mean of
    the seeds' means with a percentile bootstrap 95% interval over seeds."""
    return cluster_bootstrap_ci(clusters)


def interval_text(values: Interval) -> str:
    mean, lo, hi, n = values
    return interval(mean, lo, hi, n, UNIT)


def seed_means(clusters: Sequence[Sequence[float]]) -> list[float]:
    """Each seed's mean over its levels ``[seeds]`` (NaN for a seed without values)."""
    return [float(np.mean(c)) if len(c) else math.nan for c in clusters]


@dataclasses.dataclass(frozen=True)
class SeedTest:
    """One comparison at the optimiser-seed unit.

    Attributes:
        setting: the setting (or pair of settings) compared.
        where: ``in-sample``, ``held-out`` or an evaluation split.
        measure: what is compared, e.g. "base return".
        first, second: the two sides, e.g. "learned objective", "base objective".
        paired: True when both sides were played on the same levels of the
            same seeds (differences per seed); False for independent groups.
        first_ci, second_ci: each side's seed-clustered (mean, lo, hi, n).
        difference: first - second: (mean, lo, hi, n); a bootstrap interval
            over seeds of the per-seed differences (paired) or of the
            difference of the groups' means (independent).
        p: the permutation test's two-sided p; p_holm: Holm-adjusted over the
            report (`adjust`), NaN until then.
    """

    setting: str
    where: str
    measure: str
    first: str
    second: str
    paired: bool
    first_ci: Interval
    second_ci: Interval
    difference: Interval
    p: float
    p_holm: float = math.nan

    def differs(self) -> bool:
        return self.p_holm < ALPHA

    def phrase(self) -> str:
        """ "differs" or "no detectable difference (n = 4 optimiser seeds)";
        "no test (n = 1 optimiser seed)" where no test could run."""
        if not math.isfinite(self.p):
            return f"no test (n = {plural(UNIT, self.difference[3])})"
        if self.paired:
            return difference_phrase(self.differs(), self.difference[3], UNIT)
        if self.differs():
            return "differs"
        return f"no detectable difference (n = {self.first_ci[3]} and {plural(UNIT, self.second_ci[3])})"

    def difference_text(self) -> str:
        mean, lo, hi, n = self.difference
        if self.paired:
            return interval(mean, lo, hi, n, UNIT)
        sizes = f"n = {self.first_ci[3]} and {plural(UNIT, self.second_ci[3])}"
        if not math.isfinite(lo) or lo == hi:
            return f"{num(mean)} ({sizes}: no interval)"
        return f"{num(mean)} [{num(lo)}, {num(hi)}] ({sizes})"

    def difference_short(self) -> str:
        """The difference with its interval but without n, for a sentence
        whose verdict (`phrase`) already gives n."""
        mean, lo, hi, n = self.difference
        if not math.isfinite(lo) or n <= 1:
            return f"{num(mean)} (no interval)"
        return f"{num(mean)} (no spread over seeds)" if lo == hi else f"{num(mean)} [{num(lo)}, {num(hi)}]"

    def verdict(self) -> str:
        """`phrase` with the test's p-values, for a finding sentence."""
        return f"{self.phrase()} ({self.p_text()})" if math.isfinite(self.p) else self.phrase()

    def p_text(self) -> str:
        kind = "paired permutation" if self.paired else "permutation between groups"
        return f"{kind} p = {p_value(self.p)}, Holm-adjusted {p_value(self.p_holm)}"

    def as_row(self) -> dict[str, Any]:
        """The comparison as one CSV row of plain numbers."""
        row = {k: v for k, v in dataclasses.asdict(self).items() if not k.endswith(("_ci", "difference"))}
        for name in ("first_ci", "second_ci", "difference"):
            mean, lo, hi, n = getattr(self, name)
            prefix = name.removesuffix("_ci")
            row.update({f"{prefix}_mean": mean, f"{prefix}_lo": lo, f"{prefix}_hi": hi, f"{prefix}_n": n})
        return row


def paired_seed_test(
    setting: str,
    where: str,
    measure: str,
    first: Sequence[Sequence[float]],
    second: Sequence[Sequence[float]],
    names: tuple[str, str] = ("learned objective", "base objective"),
) -> SeedTest | None:
    """Two sides played on the same levels, clusters ``[seeds][levels]``
    aligned by seed: per seed, the mean over levels of each side; across
    seeds, the paired difference with its bootstrap interval and a paired
    permutation test. None when no seed has both sides."""
    kept = [(a, b) for a, b in zip(first, second, strict=True) if len(a) and len(b)]
    if not kept:
        return None
    a, b = seed_means([k[0] for k in kept]), seed_means([k[1] for k in kept])
    # one seed cannot be permuted: no test (NaN, left out of the Holm family)
    p = paired_permutation_test(a, b)[1] if len(kept) > 1 else math.nan
    return SeedTest(
        setting, where, measure, *names, True, seed_interval([k[0] for k in kept]),
        seed_interval([k[1] for k in kept]), paired_difference_ci(a, b), p,
    )  # fmt: skip


def between_seed_test(
    setting: str,
    where: str,
    measure: str,
    first: Sequence[Sequence[float]],
    second: Sequence[Sequence[float]],
    names: tuple[str, str],
) -> SeedTest | None:
    """Two independent groups of seeds (two settings), clusters ``[seeds][levels]``:
    the difference of the groups' seed means, its percentile bootstrap
    interval (each group resampled on its own, `scipy.stats.bootstrap`) and a
    permutation test between the groups (`scipy.stats.permutation_test`,
    ``permutation_type="independent"``, exact when the relabellings are few)."""
    from scipy.stats import bootstrap, permutation_test

    a = np.array([m for m in seed_means(first) if math.isfinite(m)])
    b = np.array([m for m in seed_means(second) if math.isfinite(m)])
    if a.size == 0 or b.size == 0:
        return None
    difference = float(a.mean() - b.mean())

    def statistic(x, y, axis):
        return np.mean(x, axis=axis) - np.mean(y, axis=axis)

    rng = np.random.default_rng(0)
    lo = hi = math.nan
    if a.size > 1 and b.size > 1:
        lo = hi = difference
        if np.ptp(a) > 0 or np.ptp(b) > 0:
            result = bootstrap((a, b), statistic, vectorized=True, n_resamples=RESAMPLES,
                               method="percentile", random_state=rng)  # fmt: skip
            lo = min(float(result.confidence_interval.low), difference)
            hi = max(float(result.confidence_interval.high), difference)
    p = 1.0
    if np.ptp(np.concatenate([a, b])) > 0:
        p = float(
            permutation_test((a, b), statistic, permutation_type="independent", vectorized=True,
                             n_resamples=PERMUTATIONS, alternative="two-sided", random_state=rng).pvalue
        )  # fmt: skip
    n = int(a.size + b.size)
    return SeedTest(
        setting, where, measure, *names, False, seed_interval(first), seed_interval(second),
        (difference, lo, hi, n), min(1.0, p),
    )  # fmt: skip


def adjust(tests: Sequence[SeedTest]) -> list[SeedTest]:
    """The tests of one report with Holm-adjusted p-values (one family)."""
    finite = [i for i, t in enumerate(tests) if math.isfinite(t.p)]
    adjusted = dict(zip(finite, holm([tests[i].p for i in finite])))
    return [dataclasses.replace(t, p_holm=adjusted.get(i, math.nan)) for i, t in enumerate(tests)]


def smallest_p(seeds: int) -> float:
    """The smallest two-sided p an exact paired permutation test can give with `seeds` seeds."""
    return min(1.0, 2.0 / 2**seeds)
