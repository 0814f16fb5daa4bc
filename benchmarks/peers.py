"""Peer implementations the search core is measured against, built outside timing."""

from __future__ import annotations

import networkx as nx
import numpy as np

from worlds import Level
from worlds.arrow_maze import kernels as k
from worlds.jit import kernel
from worlds.point_mass import kernels as pm


def maze_graph(level: Level) -> nx.Graph:
    """The floor cells of an arrow-maze level as an undirected grid graph."""
    floor = level.grid[k.TILES] == k.FLOOR
    graph = nx.Graph()
    rows, cols = np.nonzero(floor)
    graph.add_nodes_from(zip(rows.tolist(), cols.tolist()))
    for dr, dc in ((0, 1), (1, 0)):
        both = floor[: floor.shape[0] - dr, : floor.shape[1] - dc] & floor[dr:, dc:]
        r, c = np.nonzero(both)
        graph.add_edges_from(zip(zip(r.tolist(), c.tolist()), zip((r + dr).tolist(), (c + dc).tolist())))
    return graph


def networkx_astar_length(graph: nx.Graph, start, goal) -> int:
    """Steps on networkx's A* path with the same Manhattan heuristic."""

    def manhattan(a, b):
        return abs(a[0] - b[0]) + abs(a[1] - b[1])

    return len(nx.astar_path(graph, start, goal, heuristic=manhattan)) - 1


@kernel(allocates=True)
def numba_point_mass_returns(params, start, accelerations, weights, terminal, step_cost, discount, out):
    """Discounted returns of N acceleration sequences ``float64[N, T, 2]``
    rolled out one after another with the numba twin of the point mass: the
    sequential peer of the JAX planners' batched rollouts."""
    state = np.empty(4)
    nxt = np.empty(4)
    feats = np.empty(pm.N_FEATURES)
    for n in range(accelerations.shape[0]):
        for i in range(4):
            state[i] = start[i]
        total, scale = 0.0, 1.0
        for t in range(accelerations.shape[1]):
            ax, ay = accelerations[n, t, 0], accelerations[n, t, 1]
            pm.step_continuous(params, state, ax, ay, nxt)
            pm.features_continuous(params, state, ax, ay, nxt, feats)
            reward = -step_cost
            ended = pm.terminal_continuous(params, nxt)
            for f in range(feats.shape[0]):
                reward += weights[f] * feats[f]
                if terminal[f] != 0.0 and feats[f] != 0.0:
                    ended = True
            total += scale * reward
            scale *= discount
            for i in range(4):
                state[i] = nxt[i]
            if ended:
                break
        out[n] = total
