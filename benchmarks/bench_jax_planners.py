"""JAX planners on the point mass: gradient iterations, CEM rollouts and
compile time, at horizon 50.

    pytest benchmarks/bench_jax_planners.py -n 0 --benchmark-enable --benchmark-group-by=group

- ``gradient-h50``: one cold `GradientPlanner` solve (no warm start), timed
  on the compiled solver alone; extra info holds Adam iterations per second
  (per restart and summed over restarts) for 1 and 64 restarts. One restart
  runs unbatched, where contact is resolved only on steps that touch an
  obstacle, so it is also timed on a ``test-trap`` level, whose plans press
  against the trap's walls.
- ``rollouts-h50``: CEM's batched rollouts (`jax.vmap` over `lax.scan`)
  against the numba twin rolling the same sequences out one by one; extra
  info holds rollouts per second.
- ``compile``: tracing and compiling the gradient solver, with JAX's
  persistent cache switched off, measured apart from running it.
- ``gradient-vs-peers``: `benchmarks.task_gradient`'s implementations (our
  jitted solver, a Python loop over a jitted value-and-grad + optax Adam
  step, and one jit of a ``lax.fori_loop`` of those steps), all running the
  same iterations, results checked against ours; extra info holds seconds per
  Adam iteration and, on the peers, the ratio to ours in this session (the
  fair ratio, from interleaved rounds, is ``python -m benchmarks.ratios``'s).

Without ``--benchmark-enable`` each runs once as a correctness check.
"""

import functools
import time

import jax
import numpy as np
import pytest

import worlds
from benchmarks import task_gradient
from benchmarks.peers import numba_point_mass_returns
from benchmarks.registry import implementations
from objectives import catalogue
from planners import CEM, GradientPlanner

HORIZON = 50
ITERATIONS = {1: 1000, 64: 100}
CEM_SAMPLES, CEM_ITERATIONS = 1024, 4


@pytest.fixture(scope="module")
def world():
    return worlds.get("point-mass")


@pytest.fixture(scope="module")
def level(world):
    return world.sample(0, "train")


def _seconds(benchmark, fallback):
    return benchmark.stats.stats.mean if benchmark.enabled else fallback


def _timed(function, *args):
    began = time.perf_counter()
    result = jax.block_until_ready(function(*args))
    return result, time.perf_counter() - began


@pytest.mark.parametrize("restarts, split", [(1, "train"), (1, "test-trap"), (64, "train")])
@pytest.mark.benchmark(group=f"gradient-h{HORIZON}")
def test_gradient_iterations(benchmark, world, restarts, split):
    iterations = ITERATIONS[restarts]
    planner = GradientPlanner(horizon=HORIZON, iterations=iterations, restarts=restarts, warm_start=False)
    arguments = planner.solver_arguments(world, world.sample(0, split), "exit")
    solve = planner.solver()
    _, once = _timed(solve, *arguments)  # compile outside the timing
    _, once = _timed(solve, *arguments)
    decision, _, value, _ = benchmark(lambda: jax.block_until_ready(solve(*arguments)))
    assert decision.shape == (HORIZON, 2) and np.isfinite(float(value))
    seconds = _seconds(benchmark, once)
    benchmark.extra_info["iterations_per_second"] = iterations / seconds
    benchmark.extra_info["restart_iterations_per_second"] = restarts * iterations / seconds


@pytest.mark.parametrize("implementation", ["jax-cem", "numba-sequential"])
@pytest.mark.benchmark(group=f"rollouts-h{HORIZON}")
def test_rollouts(benchmark, world, level, implementation):
    rollouts = CEM_SAMPLES * CEM_ITERATIONS
    if implementation == "jax-cem":
        planner = CEM(horizon=HORIZON, samples=CEM_SAMPLES, iterations=CEM_ITERATIONS, warm_start=False)
        arguments = planner.solver_arguments(world, level, "exit")
        solve = planner.solver()
        _timed(solve, *arguments)

        def run():
            return jax.block_until_ready(solve(*arguments))
    else:
        bound = catalogue(world)["exit"].bind(world)
        sequences = np.random.default_rng(0).uniform(-2, 2, size=(rollouts, HORIZON, 2))
        out = np.empty(rollouts)
        start, params = world.initial_state(level), world.arrays(level)

        def run():
            numba_point_mass_returns(
                params, start, sequences, bound.weights, bound.terminal, bound.step_cost, bound.discount, out
            )
            return out

        run()
    _, once = _timed(run)
    benchmark(run)
    benchmark.extra_info["rollouts_per_second"] = rollouts / _seconds(benchmark, once)
    benchmark.extra_info["rollout_steps_per_second"] = rollouts * HORIZON / _seconds(benchmark, once)


@pytest.mark.benchmark(group="compile")
def test_gradient_compile_time(benchmark, world, level):
    planner = GradientPlanner(horizon=HORIZON, iterations=ITERATIONS[1], restarts=1, warm_start=False)
    arguments = planner.solver_arguments(world, level, "exit")

    def compile_fresh():
        # a new jit wrapper each round, so nothing is reused in memory
        return jax.jit(planner._solver(world.jax_dynamics)).lower(*arguments).compile()

    previous = jax.config.jax_enable_compilation_cache
    jax.config.update("jax_enable_compilation_cache", False)
    try:
        began = time.perf_counter()
        compiled = benchmark.pedantic(compile_fresh, rounds=3, iterations=1, warmup_rounds=1)
        elapsed = time.perf_counter() - began
    finally:
        jax.config.update("jax_enable_compilation_cache", previous)
    assert compiled(*arguments)[0].shape == (HORIZON, 2)
    benchmark.extra_info["compile_seconds"] = _seconds(benchmark, elapsed / 4)


GRADIENT_IMPLEMENTATIONS = implementations("gradient")
#: seconds per Adam iteration of each implementation timed in this session
ITERATION_SECONDS: dict[str, float] = {}


@functools.cache
def _gradient_problem(scale):
    return task_gradient.problem(scale)


@functools.cache
def _gradient_ours(scale):
    return GRADIENT_IMPLEMENTATIONS["mesabase"].prepare(_gradient_problem(scale))()


@pytest.mark.parametrize("name", list(GRADIENT_IMPLEMENTATIONS))
@pytest.mark.benchmark(group="gradient-vs-peers")
def test_gradient_vs_peers(benchmark, name):
    implementation = GRADIENT_IMPLEMENTATIONS[name]
    if implementation.missing_hint():
        pytest.skip(implementation.missing_hint())
    scale = "full" if benchmark.enabled else "quick"
    problem = _gradient_problem(scale)
    run = implementation.prepare(problem)
    result = benchmark(run)
    task_gradient.check(problem, {"mesabase": _gradient_ours(scale), name: result})
    benchmark.extra_info["adam_iterations"] = problem.iterations
    benchmark.extra_info["best_return"] = result.value
    if benchmark.enabled:
        ITERATION_SECONDS[name] = benchmark.stats.stats.mean / problem.iterations
        benchmark.extra_info["seconds_per_iteration"] = ITERATION_SECONDS[name]
        if name != "mesabase" and "mesabase" in ITERATION_SECONDS:
            ratio = ITERATION_SECONDS[name] / ITERATION_SECONDS["mesabase"]
            benchmark.extra_info["per_iteration_ratio"] = ratio


def test_gradient_peers_would_notice_a_different_answer():
    """`check` fails a peer whose best return is off by more than the tolerance."""
    problem = _gradient_problem("quick")
    ours = _gradient_ours("quick")
    off = task_gradient.GradientResult(ours.value * (1 + 10 * task_gradient.RTOL) + 1.0, ours.iterations)
    with pytest.raises(AssertionError, match="jit-loop reached"):
        task_gradient.check(problem, {"mesabase": ours, "jit-loop": off})
