"""Statistics shared by every report."""

import math

import pytest

from studies.reporting import bootstrap_ci


def test_bootstrap_ci_holds_the_mean():
    mean, lo, hi = bootstrap_ci([0.0, 1.0, 1.0, 0.5, 0.2, None, math.nan])
    assert mean == pytest.approx(0.54) and lo <= mean <= hi and 0.0 <= lo < hi <= 1.0
    assert bootstrap_ci([0.7] * 5) == (0.7, 0.7, 0.7)
    assert bootstrap_ci([0.3]) == (0.3, 0.3, 0.3)
    assert all(math.isnan(v) for v in bootstrap_ci([None, math.nan]))
    assert bootstrap_ci([0.1, 0.9, 0.4]) == bootstrap_ci([0.1, 0.9, 0.4])  # seeded
