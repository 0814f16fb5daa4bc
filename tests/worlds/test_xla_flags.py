"""Single-kernel loops on XLA CPU: `one_kernel` tags a call per compilation
(the same results, whatever ran first), `single_kernel_loops` reads compiled
programs, and the process-wide XLA option the point mass adds before JAX
starts: added once, never over the user's own backend options, off on
request, and left alone (silently) when JAX already started."""

import os
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from worlds import xla_flags
from worlds.xla_flags import OPTION, enable_small_loop_kernels, one_kernel, single_kernel_loops

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


def test_too_late_changes_nothing_and_says_nothing(environment):
    # the planners do not depend on it (`one_kernel`), so there is nothing to warn about
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not enable_small_loop_kernels(lambda: True)
    assert "XLA_FLAGS" not in os.environ


def test_the_point_mass_set_it_before_jax_started_in_this_process():
    from worlds.point_mass import dynamics

    if os.environ.get("MESABASE_XLA_DEFAULTS") != "0":
        assert dynamics.SMALL_LOOP_KERNELS
        assert OPTION in os.environ["XLA_FLAGS"]


def _halve_until_small(x):
    return jax.lax.while_loop(lambda v: jnp.max(v) > 1.0, lambda v: v * 0.5, x)


def test_one_kernel_tags_only_its_call_and_keeps_the_result():
    x = jnp.array([3.0, 40.0])

    def program(v):
        return one_kernel(_halve_until_small)(v) + 1.0

    lowered = jax.jit(program).lower(x).as_text()
    calls = [line for line in lowered.splitlines() if "call @" in line]
    assert len(calls) == 1
    assert 'xla_cpu_small_call = "true"' in calls[0] and 'inlineable = "false"' in calls[0]
    assert lowered.count("xla_cpu_small_call") == 1  # the loop's own operations are untagged
    # 40 -> 20 -> 10 -> 5 -> 2.5 -> 1.25 -> 0.625: six halvings
    np.testing.assert_array_equal(np.asarray(jax.jit(program)(x)), [3.0 / 64 + 1.0, 0.625 + 1.0])


HLO = """HloModule jit_program

%body (p: f32[2]) -> f32[2] {
  %p = f32[2]{0} parameter(0)
}

%cond (p: f32[2]) -> pred[] {
  %p = f32[2]{0} parameter(0)
}

%inner_loop_body (p: f32[2]) -> f32[2] {
  %p = f32[2]{0} parameter(0)
  ROOT %while.2 = f32[2]{0} while(%p), condition=%cond, body=%body
}

%branch_a (p: f32[2]) -> f32[2] {
  ROOT %p = f32[2]{0} parameter(0)
}

%branch_b (p: f32[2]) -> f32[2] {
  %p = f32[2]{0} parameter(0)
  ROOT %while.4 = f32[2]{0} while(%p), condition=%cond, body=%body
}

%kernel (a: f32[2]) -> f32[2] {
  %a = f32[2]{0} parameter(0)
  %i = s32[] constant(1)
  %pick = f32[2]{0} conditional(%i, %a, %a), branch_computations={%branch_a, %branch_b}
  ROOT %while.1 = f32[2]{0} while(%pick), condition=%cond, body=%inner_loop_body
}

ENTRY %main (x: f32[2]) -> f32[2] {
  %x = f32[2]{0} parameter(0)
  %c1 = f32[2]{0} call(%x), to_apply=%kernel, frontend_attributes={xla_cpu_small_call="true"}
  %c2 = f32[2]{0} call(%x), to_apply=%kernel
  ROOT %while.3 = f32[2]{0} while(%c1), condition=%cond, body=%body
}
"""


def test_single_kernel_loops_counts_loops_inside_tagged_calls():
    # while.1, while.2 in its body and while.4 in a branch are in the tagged call; while.3 is not
    assert single_kernel_loops(HLO) == (3, 4)
    untagged = HLO.replace('xla_cpu_small_call="true"', 'xla_cpu_small_call="false"')
    assert single_kernel_loops(untagged) == (0, 4)
