"""The XLA CPU option the point mass adds before JAX starts: added once,
never over the user's own backend options, and off on request."""

import os

import pytest

from worlds import xla_flags
from worlds.xla_flags import OPTION, enable_small_loop_kernels


@pytest.fixture
def environment(monkeypatch):
    monkeypatch.delenv("XLA_FLAGS", raising=False)
    monkeypatch.delenv("MESABASE_XLA_DEFAULTS", raising=False)
    return monkeypatch


def test_adds_the_option_once(environment):
    assert enable_small_loop_kernels()
    assert enable_small_loop_kernels()
    flags = os.environ["XLA_FLAGS"]
    assert flags == f"--xla_backend_extra_options={OPTION}={xla_flags.THRESHOLD}"


def test_keeps_the_users_other_flags(environment):
    environment.setenv("XLA_FLAGS", "--xla_cpu_enable_fast_math=false")
    assert enable_small_loop_kernels()
    assert os.environ["XLA_FLAGS"].split() == [
        "--xla_cpu_enable_fast_math=false",
        f"--xla_backend_extra_options={OPTION}={xla_flags.THRESHOLD}",
    ]


def test_leaves_the_users_backend_options_alone(environment):
    environment.setenv("XLA_FLAGS", "--xla_backend_extra_options=xla_cpu_disable_loop_unrolling")
    assert not enable_small_loop_kernels()
    assert os.environ["XLA_FLAGS"] == "--xla_backend_extra_options=xla_cpu_disable_loop_unrolling"


def test_can_be_turned_off(environment):
    environment.setenv("MESABASE_XLA_DEFAULTS", "0")
    assert not enable_small_loop_kernels()
    assert "XLA_FLAGS" not in os.environ


def test_the_point_mass_set_it_for_this_process():
    import worlds.point_mass.dynamics  # noqa: F401

    if os.environ.get("MESABASE_XLA_DEFAULTS") != "0":
        assert OPTION in os.environ.get("XLA_FLAGS", "")
