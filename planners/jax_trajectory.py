"""Returns of open-loop action sequences in a continuous world, in JAX.

This is what the JAX planners (`GradientPlanner`, `CEM`, `MPPI`) optimise:
the discounted return of an objective along an action sequence, rolled out
with `lax.scan` through the world's differentiable dynamics. Like the numba
kernels, it takes the objective as arrays (`ObjectiveArrays`), so swapping the
objective changes argument values only and never recompiles.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from objectives import BoundObjective
from worlds.point_mass import dynamics


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


def trajectory_return(params, start, actions, objective: ObjectiveArrays):
    """(return, reached) of `actions` ``float[T, 2]`` from `start` ``float[4]``.

    Rewards stop after the first step that fires one of the objective's
    terminal features or enters a world-terminal state (the exit), exactly as
    `BoundObjective.discounted_return` scores an episode. `reached` is whether
    that happened within the T steps. Differentiable in `actions`.
    """

    params = dynamics.prepare(params)

    def step(carry, action):
        state, alive, scale = carry
        next_state, features = dynamics.transition(params, state, action)
        reward = jnp.sum(objective.weights * features) - objective.step_cost
        fired = jnp.sum(objective.terminal * (jax.lax.stop_gradient(features) != 0.0)) > 0.0
        ended = fired | dynamics.terminal(params.params, jax.lax.stop_gradient(next_state))
        carry = (next_state, alive * (1.0 - ended.astype(alive.dtype)), scale * objective.discount)
        return carry, reward * alive * scale

    one = jnp.ones((), dtype=actions.dtype)
    (_, alive, _), rewards = jax.lax.scan(step, (start.astype(actions.dtype), one, one), actions)
    return jnp.sum(rewards), alive == 0.0


def trajectory(params, start, actions):
    """States ``float[T+1, 4]`` and features ``float[T, K]`` along `actions`."""
    params = dynamics.prepare(params)

    def step(state, action):
        next_state, features = dynamics.transition(params, state, action)
        return next_state, (next_state, features)

    _, (states, features) = jax.lax.scan(step, start, actions)
    return jnp.concatenate([start[None], states]), features


def as_device_arrays(params: np.ndarray, start: np.ndarray, dtype) -> tuple[jax.Array, jax.Array]:
    """The level's parameters and a start state in the planner's dtype."""
    return jnp.asarray(params, dtype=dtype), jnp.asarray(start, dtype=dtype)
