"""Trajectory optimisation on the point mass: the gradient solver against the
jitted value-and-grad loops a JAX user would write.

The problem is the point-mass ``train`` level of seed 0, the ``exit``
objective, horizon 50, Adam with learning rate 0.1 from all-zero actions
(`planners.initialisers.zeros`, on both sides, so both optimise the same
sequence): ``"quick"`` runs 100 Adam iterations, ``"full"`` 1000, on every side.

- ``"mesabase"``: ``GradientPlanner(horizon=50, iterations=n, restarts=1,
  warm_start=False, init=zeros())``; its jitted solver is compiled in
  ``prepare`` and timed on `solver_arguments` alone.
- ``"jit-step"``: a Python loop over one ``jax.jit``-compiled step:
  ``jax.value_and_grad`` of `planners.jax_trajectory.trajectory_return`
  (through the same ``max_accel * tanh(u)`` squash) and an ``optax.adam(0.1)``
  update, one dispatch per iteration. The textbook JAX training loop.
- ``"jit-loop"``: the same step inside one ``jax.jit`` of ``lax.fori_loop``,
  the whole optimisation one compiled call, as JAX's documentation advises for
  loops of small steps.

Both peers keep the best return seen, as the solver does, and return it;
`check` holds them to our solver's best return within `RTOL` (same maths,
float32 op order may differ). Compilation happens in ``prepare``, outside the
timing, for every side. (The old peer, an un-jitted loop that re-traced the
rollout on every iteration, measured tracing, not optimisation; it is gone.)

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
SCALES = {"quick": 100, "full": 1000}  # Adam iterations, every side
SCALING_ITERATIONS = 100
RTOL = 1e-3


@dataclasses.dataclass(frozen=True)
class Problem:
    world: Any
    level: Any
    iterations: int  # Adam iterations of every side
    restarts: int


@dataclasses.dataclass(frozen=True)
class GradientResult:
    value: float  # the best return seen
    iterations: int


def problem(scale) -> Problem:
    world = worlds.get("point-mass")
    level = world.sample(0, "train")
    if isinstance(scale, str):
        return Problem(world, level, SCALES[scale], 1)
    return Problem(world, level, SCALING_ITERATIONS, int(scale))


def planner(p: Problem, iterations: int | None = None) -> GradientPlanner:
    return GradientPlanner(
        horizon=HORIZON,
        iterations=iterations or p.iterations,
        restarts=p.restarts,
        lr=LR,
        init=initialisers.zeros(),
        warm_start=False,
    )


def _solve(p: Problem):
    """A ready-to-time call of our compiled solver."""
    gradient = planner(p)
    arguments = gradient.solver_arguments(p.world, p.level, "exit")
    solve = gradient.solver()

    def run():
        _, _, value, _ = jax.block_until_ready(solve(*arguments))
        return GradientResult(float(value), p.iterations)

    run()  # compile (or load from the persistent cache) outside the timing
    return run


def _loss_and_start(p: Problem):
    """``loss(u)``: minus the return of actions ``max_accel * tanh(u)`` for
    ``u: float[HORIZON, 2]``, and the all-zero start ``u``."""
    params, start, objective = planner(p).solver_arguments(p.world, p.level, "exit")[:3]
    dynamics = p.world.jax_dynamics
    max_accel = dynamics.action_scale(params)

    def loss(u):
        return -trajectory_return(dynamics, params, start, max_accel * jnp.tanh(u), objective)[0]

    return loss, jnp.zeros((HORIZON, dynamics.action_size), dtype=start.dtype)


def _adam_step(loss):
    """One Adam step that also keeps the best return seen, as
    `GradientPlanner` does: ``(u, opt_state, best) -> (u, opt_state, best)``."""
    optimizer = optax.adam(LR)

    def step(u, opt_state, best):
        value, grad = jax.value_and_grad(loss)(u)
        best = jnp.maximum(best, -value)
        updates, opt_state = optimizer.update(grad, opt_state, u)
        return optax.apply_updates(u, updates), opt_state, best

    return optimizer, step


def _prepare_jit_step(p: Problem):
    loss, u0 = _loss_and_start(p)
    optimizer, step = _adam_step(loss)
    step, final = jax.jit(step), jax.jit(loss)

    def run():
        u, opt_state, best = u0, optimizer.init(u0), jnp.array(-jnp.inf, u0.dtype)
        for _ in range(p.iterations):
            u, opt_state, best = step(u, opt_state, best)
        return GradientResult(float(jnp.maximum(best, -final(u))), p.iterations)

    run()  # compile the step outside the timing
    return run


def _prepare_jit_loop(p: Problem):
    loss, u0 = _loss_and_start(p)
    optimizer, step = _adam_step(loss)

    @jax.jit
    def optimise(u):
        carry = (u, optimizer.init(u), jnp.array(-jnp.inf, u.dtype))
        u, _, best = jax.lax.fori_loop(0, p.iterations, lambda _, c: step(*c), carry)
        return jnp.maximum(best, -loss(u))

    def run():
        return GradientResult(float(jax.block_until_ready(optimise(u0))), p.iterations)

    run()  # compile the loop outside the timing
    return run


def check(p: Problem, results: dict) -> None:
    """Every result is (nearly) our solver's best return after as many
    iterations: same maths, float32 op order may differ."""
    ours = results["mesabase"]
    assert ours.iterations == p.iterations and math.isfinite(ours.value)
    for name, result in results.items():
        assert result.iterations == p.iterations, f"{name} ran {result.iterations} iterations"
        assert math.isclose(result.value, ours.value, rel_tol=RTOL, abs_tol=RTOL), (
            f"{name} reached {result.value} after {result.iterations} iterations; "
            f"mesabase's solver {ours.value}"
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
    Implementation("jit-step", ours=False, prepare=_prepare_jit_step, requires="optax"),
    Implementation("jit-loop", ours=False, prepare=_prepare_jit_loop, requires="optax"),
]

RATIOS = {
    "gradient_vs_jit_step": (
        "mesabase",
        "jit-step",
        "Adam on the point mass: a Python loop of a jitted step",
    ),
    "gradient_vs_jit_loop": (
        "mesabase",
        "jit-loop",
        "Adam on the point mass: jit of a lax.fori_loop of steps",
    ),
}

SCALING = ("restarts", [1, 16], [1, 4, 16, 64, 256], ["mesabase"])
