"""The A* search kernel, generic over every built-in world.

It reaches the world only through `worlds.dispatch` and the objective only
through its bound ``weights`` and ``terminal`` arrays, so one compiled kernel
serves every world and every goal objective, and is loaded from numba's disk
cache in later processes.

Search model: every step costs 1. A *goal* is a transition that fires a
terminal feature with positive weight, including a move that leaves the state
unchanged (a self-loop such as sweeping clean floor); a transition that fires
a terminal feature with weight <= 0 ends the objective's episode for nothing
and is pruned, as are transitions into world-terminal states that are not
goals, and self-loops that are not goals.
"""

from __future__ import annotations

import numpy as np

from planners.bucket_queue import queue_clear, queue_peek, queue_pop, queue_push, queue_top
from planners.hashtable import table_find, table_insert
from worlds.dispatch import features, heuristic, key, num_actions, step, terminal
from worlds.jit import kernel

FOUND, BUDGET_EXHAUSTED, NO_PATH, OUT_OF_MEMORY = 0, 1, 2, 3
# stats slots
EXPANSIONS, GENERATED, PUSHES = 0, 1, 2


@kernel
def astar_search(
    world_id, grid, params, start, weights, terminal_mask, max_expansions, self_loop_goals,
    node_state, node_parent, node_action, node_g, node_h, node_closed,
    head, entry_node, entry_next, cursor, table, stamp, hashed, states, masks, stats,
):  # fmt: skip
    """Search from `start`; returns ``(status, node)``.

    status FOUND: `node` is the goal node; BUDGET_EXHAUSTED: `node` is the most
    promising frontier node (lowest f, then the latest generated); NO_PATH /
    OUT_OF_MEMORY: `node` is -1. Follow ``node_parent`` / ``node_action`` back
    to node 0 for the plan. `max_expansions` < 0 means unbounded.
    `self_loop_goals`: False only when no move that leaves the state
    unchanged can fire a goal (see `planners.astar.self_loop_goals`), which
    spares a feature call per such move; True is always correct.

    Buffers (capacity N, queue of B buckets and E entries, table capacity T = a
    power of two): node_state int64[N, S], node_parent/node_action int64[N],
    node_g/node_h float64[N] (whole numbers), node_closed bool[N], head int64[B],
    entry_node/entry_next int64[E], cursor int64[3] (see `planners.bucket_queue`),
    table int64[T, 3] (see `planners.hashtable`), states int64[2, S] and masks
    float64[3, K] (scratch), stats int64[3].

    The kernel allocates nothing, so it is compiled without numba's reference
    counting, whose atomic updates around every inner call cost more than the
    calls' own work.
    """
    n_features = weights.shape[0]
    state, next_state = states[0], states[1]
    goal_mask, needed, feat = masks[0], masks[1], masks[2]
    for f in range(n_features):
        needed[f] = 1.0 if terminal_mask[f] != 0.0 else 0.0  # only terminal features matter here
        goal_mask[f] = 1.0 if terminal_mask[f] != 0.0 and weights[f] > 0.0 else 0.0
    for i in range(stats.shape[0]):
        stats[i] = 0
    n_actions = num_actions(world_id)
    capacity = node_state.shape[0]

    _store(start, node_state, 0)
    node_parent[0], node_action[0], node_g[0] = -1, -1, 0.0
    node_h[0] = np.ceil(heuristic(world_id, grid, params, start, goal_mask))
    node_closed[0] = False
    n_nodes = 1
    table_insert(table, stamp, key(world_id, grid, params, start), 0, hashed)
    queue_clear(cursor)
    if not queue_push(head, entry_node, entry_next, cursor, np.int64(node_h[0]), 0):
        return OUT_OF_MEMORY, -1
    # Goals are kept aside rather than queued: the best one is returned as soon
    # as no frontier node has a lower f.
    best_goal, best_goal_g = -1, np.inf

    while True:
        bucket = queue_peek(head, cursor)
        if bucket < 0:
            return (FOUND, best_goal) if best_goal >= 0 else (NO_PATH, -1)
        top = queue_top(head, entry_node, bucket)
        if node_closed[top] or node_g[top] + node_h[top] != bucket:
            queue_pop(head, entry_node, entry_next, bucket)  # stale entry
            continue
        if best_goal_g <= bucket:
            return FOUND, best_goal
        if max_expansions >= 0 and stats[EXPANSIONS] >= max_expansions:
            return BUDGET_EXHAUSTED, top
        queue_pop(head, entry_node, entry_next, bucket)
        node_closed[top] = True
        stats[EXPANSIONS] += 1
        _load(node_state, top, state)
        if top != 0 and terminal(world_id, grid, params, state):
            continue
        g_next = node_g[top] + 1.0
        parent = node_parent[top]
        for action in range(n_actions):
            step(world_id, grid, params, state, action, next_state)
            # Neither staying put nor stepping back to the parent can improve
            # a g-value (costs are positive), so skip them before any lookup;
            # but staying put may fire a goal (sweeping clean floor), so where
            # that can happen its features are tested below (it is never queued).
            stayed = _same(next_state, state)
            if stayed:
                if not self_loop_goals:
                    continue
            elif parent >= 0 and _same_row(next_state, node_state, parent):
                continue
            features(world_id, grid, params, state, action, next_state, needed, feat)
            goal = False
            pruned = False
            for f in range(n_features):
                if terminal_mask[f] != 0.0 and feat[f] != 0.0:
                    if weights[f] > 0.0:
                        goal = True
                    else:
                        pruned = True
            if not goal and (pruned or stayed):
                continue
            stats[GENERATED] += 1
            if goal:
                if g_next < best_goal_g:
                    if n_nodes >= capacity:
                        return OUT_OF_MEMORY, -1
                    best_goal, best_goal_g = n_nodes, g_next
                    _add_node(n_nodes, next_state, top, action, g_next, 0.0,
                              node_state, node_parent, node_action, node_g, node_h, node_closed)  # fmt: skip
                    n_nodes += 1
                continue
            if terminal(world_id, grid, params, next_state):
                continue  # a dead end for this objective
            k = key(world_id, grid, params, next_state)
            node = table_find(table, stamp, k, hashed)
            if node >= 0:
                if g_next >= node_g[node]:
                    continue
                node_closed[node] = False  # reopen: the heuristic may be inconsistent
                node_g[node], node_parent[node], node_action[node] = g_next, top, action
            else:
                node = n_nodes
                if node >= capacity or not table_insert(table, stamp, k, node, hashed):
                    return OUT_OF_MEMORY, -1
                h = np.ceil(heuristic(world_id, grid, params, next_state, goal_mask))
                _add_node(node, next_state, top, action, g_next, h,
                          node_state, node_parent, node_action, node_g, node_h, node_closed)  # fmt: skip
                n_nodes += 1
            if not queue_push(head, entry_node, entry_next, cursor, np.int64(g_next + node_h[node]), node):
                return OUT_OF_MEMORY, -1
            stats[PUSHES] += 1


@kernel
def _add_node(
    node, state, parent, action, g, h, node_state, node_parent, node_action, node_g, node_h, node_closed
):
    _store(state, node_state, node)
    node_parent[node], node_action[node] = parent, action
    node_g[node], node_h[node], node_closed[node] = g, h, False


@kernel
def _same(a, b):
    for i in range(a.shape[0]):
        if a[i] != b[i]:
            return False
    return True


@kernel
def _same_row(a, rows, row):
    for i in range(a.shape[0]):
        if a[i] != rows[row, i]:
            return False
    return True


@kernel
def _load(rows, row, out):
    for i in range(out.shape[0]):
        out[i] = rows[row, i]


@kernel
def _store(a, rows, row):
    for i in range(a.shape[0]):
        rows[row, i] = a[i]


@kernel
def trace_actions(node_parent, node_action, node, out):
    """Write the actions from node 0 to `node` into `out`; returns their count."""
    length = 0
    cursor = node
    while node_parent[cursor] >= 0:
        length += 1
        cursor = node_parent[cursor]
    cursor = node
    for i in range(length - 1, -1, -1):
        out[i] = node_action[cursor]
        cursor = node_parent[cursor]
    return length
