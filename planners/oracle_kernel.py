"""Kernels of the exact oracle: state enumeration and (soft-free) value iteration.

`enumerate_states` walks the reachable states of a level breadth-first through
the world kernels, numbering them by discovery. `solve` then evaluates any
linear objective on that tabular model, either optimally (max over actions) or
for the uniformly random policy (mean over actions), with a finite horizon or
to convergence.
"""

from __future__ import annotations

import numpy as np

from planners.hashtable import table_find, table_insert
from worlds.dispatch import features, key, num_actions, step, terminal
from worlds.jit import kernel

OVER_LIMIT, OUT_OF_MEMORY = -1, -2


@kernel(allocates=True)
def enumerate_states(
    world_id, grid, params, start, max_states, states, next_index, feats, world_terminal, table, stamp, hashed
):
    """Number the states reachable from `start`; returns their count, or
    OVER_LIMIT when there are more than `max_states`, or OUT_OF_MEMORY when the
    buffers (capacity N) are too small.

    Writes states int64[N, S], next_index int64[N, A] (successor numbers),
    feats float64[N, A, K] (transition features) and world_terminal bool[N].
    World-terminal states are absorbing: their successors are themselves, with
    zero features.
    """
    capacity = states.shape[0]
    n_actions = num_actions(world_id)
    next_state = np.empty(start.shape[0], dtype=np.int64)
    every = np.ones(feats.shape[2])
    states[0, :] = start
    table_insert(table, stamp, key(world_id, grid, params, start), 0, hashed)
    count = 1
    i = 0
    while i < count:
        state = states[i]
        world_terminal[i] = terminal(world_id, grid, params, state)
        for action in range(n_actions):
            if world_terminal[i]:
                next_index[i, action] = i
                feats[i, action, :] = 0.0
                continue
            step(world_id, grid, params, state, action, next_state)
            features(world_id, grid, params, state, action, next_state, every, feats[i, action])
            k = key(world_id, grid, params, next_state)
            j = table_find(table, stamp, k, hashed)
            if j < 0:
                if count >= max_states:
                    return OVER_LIMIT
                if count >= capacity:
                    return OUT_OF_MEMORY
                j = count
                count += 1
                states[j, :] = next_state
                if not table_insert(table, stamp, k, j, hashed):
                    return OUT_OF_MEMORY
            next_index[i, action] = j
        i += 1
    return count


@kernel(allocates=True)
def solve(
    next_index, feats, world_terminal, weights, terminal_mask, step_cost, discount, horizon, tolerance,
    max_sweeps, optimal, values, q_values,
):  # fmt: skip
    """Evaluate one objective on an enumerated model; returns the sweeps done.

    r[s, a] = w . phi[s, a] - step_cost. A transition that fires a terminal
    feature ends the objective's episode (no value after it); world-terminal
    states are worth 0. ``optimal`` takes the max over actions, otherwise the
    mean (the uniformly random policy). ``horizon`` > 0 gives exact
    ``horizon``-step values; ``horizon`` <= 0 iterates to convergence, at most
    ``max_sweeps`` times. Sweeps stop early once no value moves by more than
    ``tolerance`` relative to its size, after which further sweeps change
    nothing that matters.

    Writes values float64[N] and q_values float64[N, A] (the values of taking
    each action with ``horizon`` steps to go).
    """
    n, n_actions = next_index.shape
    reward = np.empty((n, n_actions))
    cont = np.empty((n, n_actions))  # discount if the episode goes on, else 0
    for s in range(n):
        for a in range(n_actions):
            total = -step_cost
            ends = False
            for f in range(weights.shape[0]):
                total += weights[f] * feats[s, a, f]
                if terminal_mask[f] != 0.0 and feats[s, a, f] != 0.0:
                    ends = True
            reward[s, a] = total
            cont[s, a] = 0.0 if (ends or world_terminal[next_index[s, a]]) else discount
    values[:] = 0.0
    previous = np.zeros(n)
    sweeps = 0
    while (horizon <= 0 and sweeps < max_sweeps) or sweeps < horizon:
        previous[:] = values
        change = 0.0
        for s in range(n):
            if world_terminal[s]:
                q_values[s, :] = 0.0
                values[s] = 0.0
                continue
            acc = -np.inf if optimal else 0.0
            for a in range(n_actions):
                q = reward[s, a] + cont[s, a] * previous[next_index[s, a]]
                q_values[s, a] = q
                if optimal:
                    acc = max(acc, q)
                else:
                    acc += q / n_actions
            values[s] = acc
            change = max(change, abs(acc - previous[s]) / (1.0 + abs(acc)))
        sweeps += 1
        if change <= tolerance:
            break
    return sweeps
