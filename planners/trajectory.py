"""Executing an action sequence through the world kernels."""

from __future__ import annotations

import numpy as np

from worlds import InvalidParameterError, Level, World
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


def _checked_actions(world: World, actions) -> np.ndarray:
    """`actions` as ``int64[T]`` after checking each is an index of `world.actions`,
    so that the kernels never index outside their arrays."""
    values = np.asarray(actions)
    if values.ndim != 1 or (values.size and values.dtype.kind not in "iu"):
        raise InvalidParameterError(
            f"actions must be a sequence of {world.name} action indices, got shape {values.shape}"
        )
    values = values.astype(np.int64)
    bad = values[(values < 0) | (values >= len(world.actions))]
    if bad.size:
        raise InvalidParameterError(
            f"action {int(bad[0])} is not one of {world.name}'s actions 0..{len(world.actions) - 1}"
        )
    return values


def simulate(world: World, level: Level, state: np.ndarray, actions) -> tuple[np.ndarray, np.ndarray]:
    """States ``int64[T+1, S]`` and features ``float64[T, K]`` along `actions`
    (truncated where the world terminates)."""
    actions = _checked_actions(world, actions)
    state = world.check_state(level, state)
    states = np.empty((len(actions) + 1, world.state_size), dtype=np.int64)
    feats = np.empty((len(actions), len(world.features)))
    n = simulate_kernel(
        world.world_id, level.grid, level.params, np.asarray(state, dtype=np.int64), actions, states, feats
    )
    return states[: n + 1], feats[:n]


@kernel
def return_kernel(
    world_id, grid, params, start, actions, weights, terminal_mask, step_cost, discount, states, masks
):
    """The discounted return of `actions` from `start` under an objective,
    without storing the trajectory: the same value as
    ``BoundObjective.discounted_return`` of `simulate`'s features.

    weights/terminal_mask float64[K]; scratch states int64[2, S] and masks
    float64[2, K]. Only features the objective reads are computed.
    """
    state, next_state = states[0], states[1]
    needed, feat = masks[0], masks[1]
    for f in range(weights.shape[0]):
        needed[f] = 1.0 if weights[f] != 0.0 or terminal_mask[f] != 0.0 else 0.0
    for i in range(start.shape[0]):
        state[i] = start[i]
    total, scale = 0.0, 1.0
    for t in range(actions.shape[0]):
        if terminal(world_id, grid, params, state):
            break
        step(world_id, grid, params, state, actions[t], next_state)
        features(world_id, grid, params, state, actions[t], next_state, needed, feat)
        reward, ended = -step_cost, False
        for f in range(weights.shape[0]):
            reward += feat[f] * weights[f]
            if terminal_mask[f] != 0.0 and feat[f] != 0.0:
                ended = True
        total += scale * reward
        if ended:
            break  # the objective's episode is over: later steps earn nothing
        scale *= discount
        for i in range(state.shape[0]):
            state[i] = next_state[i]
    return total


def plan_return(world: World, level: Level, state: np.ndarray, actions, bound) -> float:
    """Discounted return of `actions` from `state` under a `BoundObjective`."""
    states = np.empty((2, world.state_size), dtype=np.int64)
    masks = np.empty((2, len(world.features)))
    return float(
        return_kernel(
            world.world_id,
            level.grid,
            level.params,
            np.asarray(state, dtype=np.int64),
            np.asarray(actions, dtype=np.int64),
            bound.weights,
            bound.terminal,
            float(bound.step_cost),
            float(bound.discount),
            states,
            masks,
        )  # fmt: skip
    )
