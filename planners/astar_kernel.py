"""The A* search kernel, generic over every built-in world.

It reaches the world only through `worlds.dispatch` and the objective only
through its bound ``weights`` and ``terminal`` arrays, so one compiled kernel
serves every world and every goal objective, and is loaded from numba's disk
cache in later processes.

Search model: every step costs 1. A *goal* is a transition that fires a
terminal feature with positive weight; a transition that fires a terminal
feature with weight <= 0 ends the objective's episode for nothing and is
pruned, as are transitions into world-terminal states that are not goals.
"""

from __future__ import annotations

import numpy as np

from planners.hashtable import table_find, table_insert
from planners.heap import heap_pop, heap_push
from worlds.dispatch import features, heuristic, key, num_actions, step, terminal
from worlds.jit import kernel

FOUND, BUDGET_EXHAUSTED, NO_PATH, OUT_OF_MEMORY = 0, 1, 2, 3
# stats slots
EXPANSIONS, GENERATED, PUSHES = 0, 1, 2


@kernel(allocates=True)
def astar_search(
    world_id, grid, params, start, weights, terminal_mask, max_expansions,
    node_state, node_parent, node_action, node_g, node_h, node_closed,
    heap_f, heap_h, heap_node, table, stamp, hashed, stats,
):  # fmt: skip
    """Search from `start`; returns ``(status, node)``.

    status FOUND: `node` is the goal node; BUDGET_EXHAUSTED: `node` is the most
    promising frontier node (lowest f, then lowest h); NO_PATH / OUT_OF_MEMORY:
    `node` is -1. Follow ``node_parent`` / ``node_action`` back to node 0 for
    the plan. `max_expansions` < 0 means unbounded.

    Buffers (capacity N, heap capacity M, table capacity T = a power of two):
    node_state int64[N, S], node_parent/node_action int64[N], node_g/node_h
    float64[N], node_closed bool[N], heap_f/heap_h float64[M], heap_node
    int64[M], table int64[T, 3] (see `planners.hashtable`), stats int64[3].
    """
    n_features = weights.shape[0]
    goal_mask = np.zeros(n_features)
    needed = np.zeros(n_features)  # only terminal features matter to the search
    for f in range(n_features):
        if terminal_mask[f] != 0.0:
            needed[f] = 1.0
            if weights[f] > 0.0:
                goal_mask[f] = 1.0
    # Private copies instead of views into node_state: a view costs two atomic
    # reference-count updates, which dominated the inner loop.
    state = np.empty(start.shape[0], dtype=np.int64)
    next_state = np.empty(start.shape[0], dtype=np.int64)
    feat = np.empty(n_features)
    stats[:] = 0
    n_actions = num_actions(world_id)
    capacity = node_state.shape[0]

    node_state[0, :] = start
    node_parent[0], node_action[0], node_g[0] = -1, -1, 0.0
    node_h[0] = heuristic(world_id, grid, params, start, goal_mask)
    node_closed[0] = False
    n_nodes = 1
    table_insert(table, stamp, key(world_id, grid, params, start), 0, hashed)
    heap_size = heap_push(heap_f, heap_h, heap_node, 0, node_h[0], node_h[0], 0)
    best_goal_g = np.inf

    while heap_size > 0:
        top = heap_node[0]
        if heap_f[0] != node_g[top] + max(node_h[top], 0.0) or node_closed[top]:
            heap_size = heap_pop(heap_f, heap_h, heap_node, heap_size)  # stale entry
            continue
        if node_h[top] < 0.0:  # goal nodes carry h = -1 so they win ties on f
            return FOUND, top
        if max_expansions >= 0 and stats[EXPANSIONS] >= max_expansions:
            return BUDGET_EXHAUSTED, top
        heap_size = heap_pop(heap_f, heap_h, heap_node, heap_size)
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
            # a g-value (costs are positive), so skip them before any lookup.
            if _same(next_state, state) or (parent >= 0 and _same_row(next_state, node_state, parent)):
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
            if pruned and not goal:
                continue
            stats[GENERATED] += 1
            if goal:
                if g_next >= best_goal_g:
                    continue
                best_goal_g = g_next
                node = n_nodes
                h = -1.0
            else:
                if terminal(world_id, grid, params, next_state):
                    continue  # a dead end for this objective
                k = key(world_id, grid, params, next_state)
                node = table_find(table, stamp, k, hashed)
                if node >= 0:
                    if g_next >= node_g[node]:
                        continue
                    node_closed[node] = False  # reopen: the heuristic may be inconsistent
                    node_g[node], node_parent[node], node_action[node] = g_next, top, action
                    heap_size = heap_push(heap_f, heap_h, heap_node, heap_size,
                                          g_next + node_h[node], node_h[node], node)  # fmt: skip
                    stats[PUSHES] += 1
                    if heap_size < 0:
                        return OUT_OF_MEMORY, -1
                    continue
                node = n_nodes
                h = heuristic(world_id, grid, params, next_state, goal_mask)
                if not table_insert(table, stamp, k, node, hashed):
                    return OUT_OF_MEMORY, -1
            if node >= capacity:
                return OUT_OF_MEMORY, -1
            n_nodes += 1
            _store(next_state, node_state, node)
            node_parent[node], node_action[node] = top, action
            node_g[node], node_h[node], node_closed[node] = g_next, h, False
            heap_size = heap_push(heap_f, heap_h, heap_node, heap_size, g_next + max(h, 0.0), h, node)
            stats[PUSHES] += 1
            if heap_size < 0:
                return OUT_OF_MEMORY, -1
    return NO_PATH, -1


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
