"""A discrete world's reachable state graph as a ``networkx.DiGraph``, built in bulk.

`state_graph` walks the level through the world's own numba kernels
(``world.kernels``: ``step``, ``features``, ``terminal``), collecting every
transition into one list and one feature array, and then hands networkx whole
lists of nodes and edges. The walk visits states in the order
`World.to_networkx`'s plain-Python reference build does (a stack: a state's
new successors are numbered in action order, the last one found is expanded
next), so both graphs are the same down to the order of nodes and edges.

The walk is a Python loop with one kernel call per step and feature vector
(about a third of the time on a 201x201 maze; the rest is building the
networkx objects). A compiled walk would need `worlds.dispatch`, which
imports the registry, which imports the worlds, whose base class calls this;
and numba does not cache a kernel that takes the world's kernels as arguments.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def kernel_transitions(world: Any, level: Any) -> tuple[list[tuple[int, ...]], list, np.ndarray]:
    """Every reachable state and every transition out of a live state.

    Returns ``(nodes, edges, features)``: the states as tuples of ints in
    discovery order (the start first); ``edges``, a list of (source number,
    target number, action) in the order states are expanded and then by
    action; and ``features`` ``float64[E, K]``, the transitions' feature
    vectors in the same order. World-terminal states have no transitions.
    """
    kernels, grid, params = world.kernels, level.grid, level.params
    step, features, terminal = kernels.step, kernels.features, kernels.terminal
    n_actions, n_features = len(world.actions), len(world.features)
    every = np.ones(n_features)
    start = np.array(world.kernel_state(world.initial_state(level)), dtype=np.int64)
    states = [start]
    number = {start.tobytes(): 0}
    stack = [0]
    nxt = np.empty_like(start)
    edges = []
    # one row per transition, written by the kernel in place; grown by doubling
    feats = np.empty((n_actions * min(max(16, world.capacity_hint(level)), 1 << 16), n_features))
    while stack:
        i = stack.pop()
        state = states[i]
        if terminal(grid, params, state):
            continue
        if len(edges) + n_actions > len(feats):
            feats = np.concatenate([feats, np.empty_like(feats)])
        for action in range(n_actions):
            step(grid, params, state, action, nxt)
            features(grid, params, state, action, nxt, every, feats[len(edges)])
            words = nxt.tobytes()
            j = number.get(words)
            if j is None:
                j = number[words] = len(states)
                states.append(nxt.copy())
                stack.append(j)
            edges.append((i, j, action))
    words = np.array([world.state_from_kernel(state) for state in states], dtype=np.int64)
    nodes = list(map(tuple, words.tolist()))
    return nodes, edges, feats[: len(edges)]


def state_graph(world: Any, level: Any):
    """The graph `World.to_networkx` documents, from `kernel_transitions`."""
    import networkx as nx

    nodes, edges, feats = kernel_transitions(world, level)
    attributes: dict[tuple[int, int], dict] = {}
    for (i, j, action), vector in zip(edges, map(tuple, feats.tolist())):
        known = attributes.get((i, j))
        if known is None:
            attributes[i, j] = {"action": action, "features": vector, "transitions": ((action, vector),)}
        else:  # another action that makes the same move (a bump, a sweep of clean floor)
            known["transitions"] += ((action, vector),)
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from([(nodes[i], nodes[j], attrs) for (i, j), attrs in attributes.items()])
    return graph
