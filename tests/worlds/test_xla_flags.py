"""The XLA CPU option the point mass adds before JAX starts: added once,
never over the user's own backend options, off on request, and a warning
(with the planners falling back) when JAX already started."""

import os

import pytest

from worlds import xla_flags
from worlds.xla_flags import OPTION, enable_small_loop_kernels

ADDED = f"--xla_backend_extra_options={OPTION}={xla_flags.THRESHOLD}"


def not_started():
    return False


@pytest.fixture
def environment(monkeypatch):
    monkeypatch.delenv("XLA_FLAGS", raising=False)
    monkeypatch.delenv("MESABASE_XLA_DEFAULTS", raising=False)
    return monkeypatch


def test_adds_the_option_once(environment):
    assert enable_small_loop_kernels(not_started)
    assert enable_small_loop_kernels(not_started)
    assert os.environ["XLA_FLAGS"] == ADDED


def test_keeps_the_users_other_flags(environment):
    environment.setenv("XLA_FLAGS", "--xla_cpu_enable_fast_math=false")
    assert enable_small_loop_kernels(not_started)
    assert os.environ["XLA_FLAGS"].split() == ["--xla_cpu_enable_fast_math=false", ADDED]


def test_leaves_the_users_backend_options_alone(environment):
    environment.setenv("XLA_FLAGS", "--xla_backend_extra_options=xla_cpu_disable_loop_unrolling")
    assert not enable_small_loop_kernels(not_started)
    assert os.environ["XLA_FLAGS"] == "--xla_backend_extra_options=xla_cpu_disable_loop_unrolling"


def test_can_be_turned_off(environment):
    environment.setenv("MESABASE_XLA_DEFAULTS", "0")
    assert not enable_small_loop_kernels(not_started)
    assert "XLA_FLAGS" not in os.environ


def test_too_late_warns_and_changes_nothing(environment):
    with pytest.warns(RuntimeWarning, match="JAX ran before"):
        assert not enable_small_loop_kernels(lambda: True)
    assert "XLA_FLAGS" not in os.environ


def test_the_point_mass_set_it_before_jax_started_in_this_process():
    from worlds.point_mass import dynamics

    if os.environ.get("MESABASE_XLA_DEFAULTS") != "0":
        assert dynamics.SMALL_LOOP_KERNELS
        assert OPTION in os.environ["XLA_FLAGS"]
