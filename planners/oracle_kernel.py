"""Kernels of the exact oracle: state enumeration and (soft-free) value iteration.

`enumerate_states` walks the reachable states of a level breadth-first through
the world kernels, numbering them by discovery. `solve` then evaluates any
linear objective on that tabular model by full sweeps, either optimally (max
over actions) or for the uniformly random policy (mean over actions), with a
finite horizon or to convergence: the reference method.

`goal_rewards` and `backward_solve` are the fast, exact path for goal-reaching
objectives (see `backward_solve`); `planners.oracle` chooses between them.
Shapes: N states, A actions, K features.
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


@kernel
def transition_rewards(
    next_index, feats, world_terminal, weights, terminal_mask, step_cost, discount, reward, cont
):
    """The objective on the model's transitions: writes reward float64[N, A]
    (``w . phi[s, a] - step_cost``) and cont float64[N, A] (`discount` where
    the objective's episode goes on after the transition, 0 where a terminal
    feature fires or the next state is world-terminal)."""
    n, n_actions = next_index.shape
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
    transition_rewards(
        next_index, feats, world_terminal, weights, terminal_mask, step_cost, discount, reward, cont
    )
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


@kernel
def goal_rewards(reward, cont, world_terminal, goals):
    """The distinct goal rewards when the objective is goal-reaching; returns
    their count J, written to ``goals[:J]`` in the order found, or -1.

    Goal-reaching means: every transition out of a live (not world-terminal)
    state that goes on (``cont > 0``) pays exactly 0, and every transition
    that ends the objective's episode pays 0 or more. The goal rewards are the
    positive amounts those pay; -1 also when there are more distinct ones than
    `goals` (float64[G]) holds. J = 0 when nothing pays (every value is then
    0). Reads reward and cont float64[N, A] and world_terminal bool[N].
    """
    n, n_actions = reward.shape
    count = 0
    for s in range(n):
        if world_terminal[s]:
            continue
        for a in range(n_actions):
            r = reward[s, a]
            if cont[s, a] != 0.0:
                if r != 0.0:
                    return -1  # a reward or cost on the way (NaN too)
            elif not r >= 0.0:
                return -1  # a penalty that ends the episode, or NaN
            elif r > 0.0:
                known = False
                for k in range(count):
                    if goals[k] == r:
                        known = True
                if not known:
                    if count == goals.shape[0]:
                        return -1  # too many distinct goals for one search each
                    goals[count] = r
                    count += 1
    return count


@kernel(allocates=True)
def backward_solve(next_index, reward, cont, world_terminal, goals, discount, horizon, values, q_values):
    """Optimal values of a goal-reaching objective with goal rewards
    ``goals`` float64[J] (see `goal_rewards`) by one breadth-first search
    backwards from each goal reward's transitions; returns the number of
    search levels (the largest finite distance plus one).

    Why it is exact: on a deterministic model where only the transitions
    that end the episode pay, a path's return is ``g * discount**k`` when its
    first ending transition pays g after k steps that go on, and 0 otherwise
    (nothing pays less than 0). So the optimal value of a state is the best
    over the goal rewards g of ``g * discount**d_g``, d_g its fewest steps
    (over transitions that go on) to a state with a transition paying g, or
    0 when no goal can be reached; with a finite horizon h only the d_g < h
    count. Each search finds d_g for every state at once over the reversed
    going-on transitions. Each value is then formed the way the sweeps
    (`solve`) form it, ``g``, ``discount * g``, ``discount * (discount * g)``
    and so on (a sweep's max over actions picks the same product, since
    rounding keeps the order of products), and the action values are one
    backup of those values, so the results are those of sweeps run to their
    exact fixed point (the sweeps stop once changes fall below their
    tolerance, which leaves values under about 1e-14 at 0 where this gives
    their true, tiny size).

    ``horizon`` > 0: values with that many steps to go, the action values
    with one fewer (as `solve` writes them); <= 0: to convergence.
    Writes values float64[N] and q_values float64[N, A].
    """
    n, n_actions = next_index.shape
    # predecessors over the transitions that go on, in compressed rows
    begin = np.zeros(n + 1, dtype=np.int64)
    for s in range(n):
        if not world_terminal[s]:
            for a in range(n_actions):
                if cont[s, a] != 0.0:
                    begin[next_index[s, a] + 1] += 1
    for s in range(n):
        begin[s + 1] += begin[s]
    fill = begin[:n].copy()
    predecessors = np.empty(begin[n], dtype=np.int64)
    for s in range(n):
        if not world_terminal[s]:
            for a in range(n_actions):
                if cont[s, a] != 0.0:
                    t = next_index[s, a]
                    predecessors[fill[t]] = s
                    fill[t] += 1
    after = np.zeros(n)  # the successors' values, one step fewer to go
    distance = np.empty(n, dtype=np.int64)
    queue = np.empty(n, dtype=np.int64)
    levels = 0
    for goal in goals:
        # multi-source breadth-first search from the states with a transition paying `goal`
        distance[:] = -1
        tail = 0
        for s in range(n):
            if world_terminal[s]:
                continue
            for a in range(n_actions):
                if cont[s, a] == 0.0 and reward[s, a] == goal:
                    distance[s] = 0
                    queue[tail] = s
                    tail += 1
                    break
        head = 0
        while head < tail:
            s = queue[head]
            head += 1
            for i in range(begin[s], begin[s + 1]):
                p = predecessors[i]
                if distance[p] < 0:
                    distance[p] = distance[s] + 1
                    queue[tail] = p
                    tail += 1
        reached = distance[queue[tail - 1]] + 1 if tail > 0 else 0
        levels = max(levels, reached)
        # with h steps to go a value is nonzero at d <= h - 1, so the successors' at d <= h - 2
        last = reached - 1 if horizon <= 0 else min(reached - 1, horizon - 2)
        by_distance = np.zeros(max(reached, 1))
        value = goal
        for d in range(reached):
            by_distance[d] = value
            value = discount * value
        for s in range(n):
            if 0 <= distance[s] <= last:
                after[s] = max(after[s], by_distance[distance[s]])
    for s in range(n):
        if world_terminal[s]:
            values[s] = 0.0
            q_values[s, :] = 0.0
            continue
        best = -np.inf
        for a in range(n_actions):
            q = reward[s, a] + cont[s, a] * after[next_index[s, a]]
            q_values[s, a] = q
            best = max(best, q)
        values[s] = best
    return levels
