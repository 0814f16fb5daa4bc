"""Returns of open-loop action sequences in a continuous world, in JAX.

This is what the JAX planners (`GradientPlanner`, `CEM`, `MPPI`) optimise:
the discounted return of an objective along an action sequence, rolled out
with `lax.scan` through the world's differentiable dynamics (its
`worlds.JaxDynamics`, the continuous-world contract). Like the numba kernels,
it takes the objective as arrays (`ObjectiveArrays`), so swapping the
objective changes argument values only and never recompiles.

Shapes: ``params`` float[P] (`world.arrays(level)`), ``start`` float[S],
``actions`` float[T, A].
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from objectives import BoundObjective
from worlds import JaxDynamics


class ObjectiveArrays(NamedTuple):
    """An objective as traced arguments: ``weights``/``terminal`` float[K],
    ``step_cost`` and ``discount`` float scalars."""

    weights: jax.Array
    terminal: jax.Array
    step_cost: jax.Array
    discount: jax.Array

    @classmethod
    def of(cls, bound: BoundObjective) -> ObjectiveArrays:
        return cls(
            jnp.asarray(bound.weights),
            jnp.asarray(bound.terminal),
            jnp.asarray(bound.step_cost),
            jnp.asarray(bound.discount),
        )


def trajectory_return(
    dynamics: JaxDynamics, params, start, actions, objective: ObjectiveArrays, batched: bool = True
):
    """(return, reached) of `actions` ``float[T, A]`` from `start` ``float[S]``
    under the world's `dynamics`.

    Rewards stop after the first step that fires one of the objective's
    terminal features or enters a world-terminal state (the exit), exactly as
    `BoundObjective.discounted_return` scores an episode. `reached` is whether
    that happened within the T steps. Differentiable in `actions`.

    `batched` picks the faster of two formulations with the same result. True
    (for calls under `jax.vmap`: sampling planners, restarts) accumulates
    rewards inside the `lax.scan`, step by step. False (one sequence, as one
    gradient restart) runs only the dynamics step by step, with contact
    resolved in a branch, and computes features, rewards and the episode's
    end for all steps at once afterwards: a gradient step then costs about
    half as much, while under `vmap` the same code is slower.
    """
    if batched:
        return _stepwise_return(dynamics, params, start, actions, objective)
    geometry = dynamics.prepare(params)

    def step(state, action):
        next_state, aux = dynamics.advance(geometry, state, action, True)
        return next_state, (next_state, aux)

    _, (states, aux) = jax.lax.scan(step, start.astype(actions.dtype), actions)
    features = dynamics.transition_features(params, states, aux)
    # products and sums rather than `@`: a matrix product may become a library
    # call, which a single-kernel loop (`worlds.xla_flags.one_kernel`) cannot hold
    rewards = jnp.sum(features * objective.weights, axis=-1) - objective.step_cost
    hits = (jax.lax.stop_gradient(features) != 0.0) * objective.terminal.astype(features.dtype)
    fired = jnp.sum(hits, axis=-1) > 0.0
    ended = fired | dynamics.terminal(params, jax.lax.stop_gradient(states.T))
    steps = jnp.arange(actions.shape[0])
    first_end = jnp.min(jnp.where(ended, steps, actions.shape[0]))
    # discount**t as the running product an episode accumulates
    discounts = jnp.full(actions.shape[:1], objective.discount, features.dtype)
    scale = jnp.cumprod(discounts.at[0].set(1.0))
    value = jnp.sum(jnp.where(steps <= first_end, rewards * scale, 0.0))
    return value, first_end < actions.shape[0]


def _stepwise_return(dynamics: JaxDynamics, params, start, actions, objective: ObjectiveArrays):
    geometry = dynamics.prepare(params)

    def step(carry, action):
        state, alive, scale = carry
        next_state, features = dynamics.transition(geometry, state, action, False)
        reward = jnp.sum(objective.weights * features) - objective.step_cost
        fired = jnp.sum(objective.terminal * (jax.lax.stop_gradient(features) != 0.0)) > 0.0
        ended = fired | dynamics.terminal(params, jax.lax.stop_gradient(next_state))
        carry = (next_state, alive * (1.0 - ended.astype(alive.dtype)), scale * objective.discount)
        return carry, reward * alive * scale

    one = jnp.ones((), dtype=actions.dtype)
    (_, alive, _), rewards = jax.lax.scan(step, (start.astype(actions.dtype), one, one), actions)
    return jnp.sum(rewards), alive == 0.0


def trajectory(dynamics: JaxDynamics, params, start, actions):
    """States ``float[T+1, S]`` and features ``float[T, K]`` along `actions`."""
    geometry = dynamics.prepare(params)

    def step(state, action):
        next_state, features = dynamics.transition(geometry, state, action, True)
        return next_state, (next_state, features)

    _, (states, features) = jax.lax.scan(step, start, actions)
    return jnp.concatenate([start[None], states]), features


def as_device_arrays(params: np.ndarray, start: np.ndarray, dtype) -> tuple[jax.Array, jax.Array]:
    """The level's parameters and a start state in the planner's dtype."""
    return jnp.asarray(params, dtype=dtype), jnp.asarray(start, dtype=dtype)
