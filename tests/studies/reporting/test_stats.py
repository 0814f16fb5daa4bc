"""Statistics shared by every report."""

import math

import numpy as np
import pytest

from studies.reporting import bootstrap_ci


def test_bootstrap_ci_holds_the_mean():
    mean, lo, hi = bootstrap_ci([0.0, 1.0, 1.0, 0.5, 0.2, None, math.nan])
    assert mean == pytest.approx(0.54) and lo <= mean <= hi and 0.0 <= lo < hi <= 1.0
    assert bootstrap_ci([0.7] * 5) == (0.7, 0.7, 0.7)
    assert bootstrap_ci([0.3]) == (0.3, 0.3, 0.3)
    assert all(math.isnan(v) for v in bootstrap_ci([None, math.nan]))
    assert bootstrap_ci([0.1, 0.9, 0.4]) == bootstrap_ci([0.1, 0.9, 0.4])  # seeded


def test_wilson_and_clopper_pearson_for_8_of_8_reach_below_one():
    from studies.reporting.stats import binomial_ci

    z = 1.959963984540054
    fraction, lo, hi = binomial_ci(8, 8)
    # Wilson's interval in closed form at k = n: [n / (n + z^2), 1]
    assert fraction == 1.0 and math.isclose(lo, 8 / (8 + z * z), rel_tol=1e-9) and hi == 1.0
    # Clopper-Pearson at k = n: [(alpha / 2)^(1 / n), 1]
    _, exact_lo, exact_hi = binomial_ci(8, 8, method="exact")
    assert math.isclose(exact_lo, 0.025 ** (1 / 8), rel_tol=1e-9) and exact_hi == 1.0
    assert all(math.isnan(v) for v in binomial_ci(0, 0))


def test_mcnemar_on_a_case_worked_by_hand():
    from studies.reporting.stats import mcnemar_exact

    # 10 levels: both succeed on 2, only the first on 6, only the second on 1, neither on 1.
    # Exact McNemar: 2 x P(X <= 1), X ~ Binomial(7, 1/2) = 2 x (1 + 7) / 128 = 0.125
    first = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]
    second = [1, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    assert mcnemar_exact(first, second) == (6, 1, 0.125)
    assert mcnemar_exact([1, 0], [1, 0]) == (0, 0, 1.0)


def test_holm_adjusts_step_down_in_input_order():
    from studies.reporting.stats import holm

    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])


def test_a_clustered_bootstrap_widens_when_values_nest_in_units():
    from studies.reporting.stats import bootstrap_ci, cluster_bootstrap_ci

    rng = np.random.default_rng(0)
    # 4 optimiser seeds x 30 levels: the seed decides most of the value
    clusters = [centre + 0.05 * rng.standard_normal(30) for centre in (0.1, 0.2, 0.8, 0.9)]
    pooled_mean, pooled_lo, pooled_hi = bootstrap_ci(np.concatenate(clusters))
    mean, lo, hi, units = cluster_bootstrap_ci(clusters)
    assert units == 4 and math.isclose(mean, pooled_mean)
    assert hi - lo > 3 * (pooled_hi - pooled_lo)
    assert cluster_bootstrap_ci([[0.5, 0.7]]) == (0.6, 0.6, 0.6, 1)


def test_bootstrap_ci_is_scipys_percentile_bootstrap():
    from scipy.stats import bootstrap

    values = [0.0, 1.0, 1.0, 0.5, 0.2, 0.9, 0.3]
    mean, lo, hi = bootstrap_ci(values, seed=3)
    reference = bootstrap(
        (np.array(values),), np.mean, n_resamples=2000, method="percentile",
        random_state=np.random.default_rng(3),
    ).confidence_interval  # fmt: skip
    assert (lo, hi) == pytest.approx((reference.low, reference.high))


def test_paired_permutation_test_is_exact_on_small_samples():
    from scipy.stats import wilcoxon

    from studies.reporting.stats import paired_permutation_test

    # 4 units, every difference positive: exactly 2 of the 2^4 sign flips are as extreme
    assert paired_permutation_test([1, 2, 3, 4], [0, 0, 0, 0]) == (2.5, 0.125, 4)
    # the exact Wilcoxon signed-rank test agrees on this all-positive case
    assert wilcoxon([1, 2, 3, 4], method="exact").pvalue == pytest.approx(0.125)
    # units with an undefined side are left out; no difference at all gives p = 1
    assert paired_permutation_test([1, None, 3], [1, 2, 3]) == (0.0, 1.0, 2)
    assert math.isnan(paired_permutation_test([None], [1.0])[1])
    assert paired_permutation_test([0.9], [0.1]) == (pytest.approx(0.8), 1.0, 1)


def test_compare_paired_and_holm_over_a_report():
    from studies.reporting.stats import adjust_comparisons, compare_paired, difference_phrase

    first = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]
    second = [1, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    comparison = compare_paired("a", "b", first, second, first, second)
    assert (comparison.only_first, comparison.only_second, comparison.outcome_p) == (6, 1, 0.125)
    assert comparison.outcome_difference == pytest.approx(0.5)
    assert comparison.outcome_lo < 0.5 < comparison.outcome_hi
    assert comparison.score_p == pytest.approx(0.125)  # 7 non-zero differences of +-1: 2 x 8 / 128
    (adjusted,) = adjust_comparisons([comparison])
    assert adjusted.outcome_p_holm == pytest.approx(0.25) and not adjusted.outcome_differs()
    assert difference_phrase(adjusted.outcome_differs(), 10, "level") == (
        "no detectable difference (n = 10 levels)"
    )
    assert difference_phrase(True, 4, "optimiser seed") == "differs"


def test_interval_text_never_prints_a_degenerate_interval_as_certain():
    from studies.reporting.formatting import interval, proportion

    assert interval(0.54, 0.18, 0.9, 5, "level") == "0.54 [0.18, 0.90] (n = 5 levels)"
    assert interval(1.0, 1.0, 1.0, 8, "level") == "1.00 (all 8 levels equal: no spread to resample)"
    assert interval(0.6, 0.6, 0.6, 1, "optimiser seed") == "0.60 (n = 1 optimiser seed: no interval)"
    assert proportion(8, 8, 0.676, 1.0) == "8/8, 100% [68%, 100%]"


def test_interval_text_shows_narrow_intervals_and_ignores_float_noise():
    from studies.reporting.formatting import interval

    assert interval(1.0, 1.0, 1.0000000000000002, 3, "level") == (
        "1.00 (all 3 levels equal: no spread to resample)"
    )
    assert interval(1.001, 1.0, 1.003, 3, "level") == "1.0010 [1.0000, 1.0030] (n = 3 levels)"
    assert bootstrap_ci([1.0, 1.0000000000000002, 1.0]) == (pytest.approx(1.0),) * 3
