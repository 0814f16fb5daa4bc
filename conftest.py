"""Shared by tests/ and benchmarks/: hypothesis settings and common fixtures."""

import os

import pytest
from hypothesis import HealthCheck, settings

# Kernels compile on first use; keep hypothesis from timing that.
settings.register_profile(
    "mesabase", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=60
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "mesabase"))


@pytest.fixture(scope="session")
def maze():
    import worlds

    return worlds.get("arrow-maze")
