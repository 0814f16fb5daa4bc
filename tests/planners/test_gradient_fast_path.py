"""The gradient planner's optimisation loop compiles to one CPU kernel in any
process: also where other JAX code ran before mesabase was imported, too late
for ``XLA_FLAGS`` to count. Checked on the compiled program (which loops sit
inside a single-kernel call), not on timings."""

import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import worlds
from planners.jax_planner import JaxPlanner
from worlds.xla_flags import one_kernel

# every test here starts a fresh interpreter that compiles JAX code
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

JAX_FIRST = textwrap.dedent(
    """
    import json, os, sys
    import jax, jax.numpy as jnp

    # someone else's JAX code runs first: the CPU backend starts without
    # mesabase's XLA option
    jax.jit(lambda x: jax.lax.fori_loop(0, 3, lambda i, c: c * 2.0, x))(jnp.ones(3)).block_until_ready()

    import worlds
    from planners import CEM, MPPI, GradientPlanner
    from worlds.xla_flags import OPTION, single_kernel_loops

    world = worlds.get("point-mass")
    level = world.sample(0, "train")
    report = {"option_set": OPTION in os.environ.get("XLA_FLAGS", "")}
    planners = {
        "gradient": GradientPlanner(horizon=50, restarts=1, iterations=5),
        "restarts": GradientPlanner(horizon=50, restarts=4, iterations=5),
        "cem": CEM(horizon=50, samples=16, iterations=2),
        "mppi": MPPI(horizon=50, samples=16, iterations=2),
    }
    for name, planner in planners.items():
        arguments = planner.solver_arguments(world, level, "exit")
        text = planner.solver().lower(*arguments).compile().as_text()
        report[name] = single_kernel_loops(text)
        report[name + "_asks"] = planner.single_kernels
    print(json.dumps(report))
    """
)


@pytest.fixture(scope="module")
def jax_first():
    environment = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    done = subprocess.run(
        [sys.executable, "-c", JAX_FIRST], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_xla_option_could_not_apply(jax_first):
    # the premise: the process-wide route was closed
    assert not jax_first["option_set"]


@pytest.mark.parametrize("planner", ["gradient", "restarts"])
def test_the_optimisation_loop_is_one_kernel_when_jax_ran_first(jax_first, planner):
    in_kernels, loops = jax_first[planner]
    # the iteration loop, the forward and backward rollouts inside it and the
    # rollout of the last iterate; the slow form has at most one tiny loop there
    assert in_kernels >= 4 and loops > in_kernels
    assert jax_first[planner + "_asks"]


def test_mppi_iterations_are_one_kernel_when_jax_ran_first(jax_first):
    in_kernels, loops = jax_first["mppi"]
    # the iteration loop with the rollouts inside it; the final rollout is outside
    assert in_kernels >= 2 and in_kernels == loops - 1


def test_the_sampling_rollouts_are_one_kernel_when_jax_ran_first(jax_first):
    in_kernels, loops = jax_first["cem"]
    # the rollouts (and the rollout of the final mean) in, the refit loop out;
    # the slow form has at most one tiny loop there
    assert in_kernels >= 2 and loops > in_kernels


class _SortingPlanner(JaxPlanner):
    """A toy solver whose one-kernel function sorts, which XLA's single
    kernels cannot hold (sorting is a library call)."""

    name = "sorting"

    def __init__(self):
        super().__init__(horizon=4, execute=1, warm_start=False, seed=0)

    def _config(self):
        return ()

    def _stats(self, warm_started):
        return {}

    def _solver(self, dynamics, mapped=False):
        def solve(params, start, objective, warm, has_warm, key):
            ramp = jnp.arange(warm.size, 0, -1, dtype=warm.dtype).reshape(warm.shape)
            ordered = one_kernel(lambda a: jnp.sort(a, axis=0))(ramp)
            return ordered, ordered, jnp.sum(ordered), jnp.array(False)

        return solve


def test_a_solver_xla_cannot_make_one_kernel_falls_back_with_a_warning():
    world = worlds.get("point-mass")
    planner = _SortingPlanner()
    with pytest.warns(RuntimeWarning, match="single CPU kernels"):
        plan = planner.plan(world, world.sample(0, "train"), "exit")
    # ramp 8..1 as [4, 2]: columns (8, 6, 4, 2) and (7, 5, 3, 1), sorted ascending
    np.testing.assert_array_equal(plan.stats["planned"], [[2, 1], [4, 3], [6, 5], [8, 7]])
    assert plan.value == 36.0 and planner.traces == 2 and not planner.single_kernels
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        planner.plan(world, world.sample(1, "train"), "exit")  # the fallback stays: no warning, no trace
    assert planner.traces == 2
