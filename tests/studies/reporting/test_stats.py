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
