"""Peer implementations the search core is measured against, built outside timing."""

from __future__ import annotations

import networkx as nx
import numpy as np

from worlds import Level
from worlds.arrow_maze import kernels as k


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
