"""Trajectory optimisation on the point mass: the jitted gradient solver
against a plain Python loop of Adam steps.

The problem is the point-mass ``train`` level of seed 0, the ``exit``
objective, horizon 50, Adam with learning rate 0.1 from all-zero actions
(`planners.initialisers.zeros`, on both sides, so both optimise the same
sequence): ``"quick"`` runs 100 Adam iterations, ``"full"`` 1000.

- ``"mesabase"``: ``GradientPlanner(horizon=50, iterations=n, restarts=r,
  warm_start=False, init=zeros())``; its jitted solver (one `lax.fori_loop`
  of Adam steps, restarts under `vmap`) is compiled in ``prepare`` and timed
  on `solver_arguments` alone.
- ``"loop"``: the straightforward baseline, not jitted: a Python loop that
  calls ``jax.value_and_grad`` of `planners.jax_trajectory.trajectory_return`
  (through the same ``max_accel * tanh(u)`` squash) and applies an
  ``optax.adam(0.1)`` update, op by op. JAX re-traces (and re-linearises and
  re-lowers) the rollout's `lax.scan` on every call, so an iteration costs
  tenths of a second on a CPU; most of that is tracing, not arithmetic.
- ``"jit-step"``: for context, the same Python loop over a jitted
  value-and-grad-and-update step (one dispatch per iteration).

All three keep the best return seen, as the solver does, and return it.

Per iteration. The loop is too slow to run the full iteration count, so it
runs `Problem.loop_iterations` (5 quick, 20 full), and its result is checked
against our solver run for that many iterations. The ``gradient_vs_loop``
ratio is therefore per Adam iteration: ``(loop seconds / work(problem,
"loop")) / (our seconds / work(problem, "mesabase"))``, `work` giving the
Adam iterations one run performs. Read the raw whole-run seconds with that in
mind.

Scaling. ``problem(r)`` for an integer is r restarts at 100 iterations (only
``"mesabase"`` is plotted): the curve is seconds per solver call against the
restart count, i.e. how much of the batch `vmap` gets for free.

`compile_seconds` measures tracing and compiling the solver with JAX's
persistent compilation cache switched off.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

import worlds
from benchmarks.registry import Implementation
from planners import GradientPlanner, initialisers
from planners.jax_trajectory import trajectory_return

HORIZON = 50
LR = 0.1
SCALES = {"quick": (100, 5), "full": (1000, 20)}  # (our iterations, loop iterations)
SCALING_ITERATIONS = 100
RTOL = 1e-3


@dataclasses.dataclass(frozen=True)
class Problem:
    world: Any
    level: Any
    iterations: int  # Adam iterations of ours (and of jit-step)
    restarts: int
    loop_iterations: int  # Adam iterations of the (slow) op-by-op loop


@dataclasses.dataclass(frozen=True)
class GradientResult:
    value: float  # the best return seen
    iterations: int


def problem(scale) -> Problem:
    world = worlds.get("point-mass")
    level = world.sample(0, "train")
    if isinstance(scale, str):
        iterations, loop_iterations = SCALES[scale]
        return Problem(world, level, iterations, 1, loop_iterations)
    return Problem(world, level, SCALING_ITERATIONS, int(scale), SCALES["quick"][1])


def work(p: Problem, name: str) -> int:
    """Adam iterations one run of implementation `name` performs (per restart)."""
    return p.loop_iterations if name == "loop" else p.iterations


def planner(p: Problem, iterations: int | None = None) -> GradientPlanner:
    return GradientPlanner(
        horizon=HORIZON,
        iterations=iterations or p.iterations,
        restarts=p.restarts,
        lr=LR,
        init=initialisers.zeros(),
        warm_start=False,
    )


def _solve(p: Problem, iterations: int | None = None):
    """A ready-to-time call of our compiled solver."""
    gradient = planner(p, iterations)
    arguments = gradient.solver_arguments(p.world, p.level, "exit")
    solve = gradient.solver()
    count = iterations or p.iterations

    def run():
        _, _, value, _ = jax.block_until_ready(solve(*arguments))
        return GradientResult(float(value), count)

    run()  # compile (or load from the persistent cache) outside the timing
    return run


def _loss_and_start(p: Problem):
    params, start, objective = planner(p).solver_arguments(p.world, p.level, "exit")[:3]
    dynamics = p.world.jax_dynamics
    max_accel = dynamics.action_scale(params)

    def loss(u):
        return -trajectory_return(dynamics, params, start, max_accel * jnp.tanh(u), objective)[0]

    return loss, jnp.zeros((HORIZON, dynamics.action_size), dtype=start.dtype)


def _adam(loss, jit: bool):
    """``run(u, iterations) -> best return``: Adam on `loss` from `u`, op by
    op or with a jitted step, keeping the best return seen as
    `GradientPlanner` does. One sequence: with the zeros initialiser every
    restart of ours is the same sequence."""
    optimizer = optax.adam(LR)

    def step(u, opt_state, best):
        value, grad = jax.value_and_grad(loss)(u)
        best = jnp.maximum(best, -value)
        updates, opt_state = optimizer.update(grad, opt_state, u)
        return optax.apply_updates(u, updates), opt_state, best

    def run(u, iterations):
        opt_state, best = optimizer.init(u), jnp.array(-jnp.inf, u.dtype)
        for _ in range(iterations):
            u, opt_state, best = step(u, opt_state, best)
        return float(jnp.maximum(best, -final(u)))

    if jit:
        step, final = jax.jit(step), jax.jit(loss)
    else:
        final = loss
    return run


def _prepare_loop(p: Problem):
    loss, u = _loss_and_start(p)
    run = _adam(loss, jit=False)
    run(u, 1)  # the one-off compilations of single ops outside the timing
    return lambda: GradientResult(run(u, p.loop_iterations), p.loop_iterations)


def _prepare_jit_step(p: Problem):
    loss, u = _loss_and_start(p)
    run = _adam(loss, jit=True)
    run(u, 1)  # compile the step outside the timing
    return lambda: GradientResult(run(u, p.iterations), p.iterations)


def check(p: Problem, results: dict) -> None:
    """Every result is (nearly) our solver's best return after as many
    iterations: same maths, float32 op order may differ."""
    ours = results["mesabase"]
    assert ours.iterations == p.iterations and math.isfinite(ours.value)
    references = {p.iterations: ours.value}
    for name, result in results.items():
        if result.iterations not in references:
            with_restarts = dataclasses.replace(p, restarts=1)
            references[result.iterations] = _solve(with_restarts, result.iterations)().value
        reference = references[result.iterations]
        assert math.isclose(result.value, reference, rel_tol=RTOL, abs_tol=RTOL), (
            f"{name} reached {result.value} after {result.iterations} iterations; "
            f"mesabase's solver {reference}"
        )


def compile_seconds(p: Problem, rounds: int = 3) -> float:
    """Seconds to trace and compile the gradient solver for `p` (the best of
    `rounds` fresh compilations), with JAX's persistent cache switched off and
    a new function each round, so nothing is reused."""
    gradient = planner(p)
    arguments = gradient.solver_arguments(p.world, p.level, "exit")
    previous = jax.config.jax_enable_compilation_cache
    jax.config.update("jax_enable_compilation_cache", False)
    try:
        best = math.inf
        for _ in range(rounds):
            began = time.perf_counter()
            compiled = jax.jit(gradient._solver(p.world.jax_dynamics)).lower(*arguments).compile()
            best = min(best, time.perf_counter() - began)
    finally:
        jax.config.update("jax_enable_compilation_cache", previous)
    assert np.shape(compiled(*arguments)[0]) == (HORIZON, p.world.action_size)
    return best


IMPLEMENTATIONS = [
    Implementation("mesabase", ours=True, prepare=_solve),
    Implementation("loop", ours=False, prepare=_prepare_loop, requires="optax"),
    Implementation("jit-step", ours=False, prepare=_prepare_jit_step, requires="optax"),
]

RATIOS = {"gradient_vs_loop": ("mesabase", "loop")}

SCALING = ("restarts", [1, 4, 16], [1, 4, 16, 64, 256], ["mesabase"])
