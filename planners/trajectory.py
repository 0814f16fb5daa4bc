"""Executing an action sequence through the world kernels."""

from __future__ import annotations

import numpy as np

from worlds import Level, World
from worlds.dispatch import features, step, terminal
from worlds.jit import kernel


@kernel(allocates=True)
def simulate_kernel(world_id, grid, params, start, actions, states_out, features_out):
    """Apply `actions` from `start`, stopping early once the world terminates.

    Writes ``states_out[0..T]`` (int64[T+1, S]) and ``features_out[0..T-1]``
    (float64[T, K]); returns T, the number of steps taken.
    """
    states_out[0, :] = start
    every = np.ones(features_out.shape[1])
    for t in range(actions.shape[0]):
        if terminal(world_id, grid, params, states_out[t]):
            return t
        step(world_id, grid, params, states_out[t], actions[t], states_out[t + 1])
        features(world_id, grid, params, states_out[t], actions[t], states_out[t + 1], every, features_out[t])
    return actions.shape[0]


def simulate(world: World, level: Level, state: np.ndarray, actions) -> tuple[np.ndarray, np.ndarray]:
    """States ``int64[T+1, S]`` and features ``float64[T, K]`` along `actions`
    (truncated where the world terminates)."""
    actions = np.asarray(actions, dtype=np.int64)
    states = np.empty((len(actions) + 1, world.state_size), dtype=np.int64)
    feats = np.empty((len(actions), len(world.features)))
    n = simulate_kernel(
        world.world_id, level.grid, level.params, np.asarray(state, dtype=np.int64), actions, states, feats
    )
    return states[: n + 1], feats[:n]
