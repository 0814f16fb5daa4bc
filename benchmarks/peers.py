"""Peer implementations the search core is measured against, built outside timing."""

from __future__ import annotations

import heapq
import math

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


def python_astar_length(passable: list[list[bool]], start, goal) -> int | None:
    """Steps on the shortest 4-connected path from `start` to `goal`, or None
    if there is none: textbook A* in plain Python, a ``heapq`` open list and a
    dict of best costs, with the Manhattan heuristic (consistent, so the goal's
    first pop is optimal). `passable` is a list of rows of bools (True =
    floor), e.g. ``(~walls).tolist()``."""
    rows, cols = len(passable), len(passable[0])
    goal_r, goal_c = goal
    start = (int(start[0]), int(start[1]))

    def manhattan(r, c):
        return abs(r - goal_r) + abs(c - goal_c)

    best = {start: 0}
    frontier = [(manhattan(*start), 0, start)]
    while frontier:
        _, g, cell = heapq.heappop(frontier)
        if cell == (goal_r, goal_c):
            return g
        if g > best[cell]:
            continue  # a stale entry: the cell was reached more cheaply since
        r, c = cell
        for nr, nc in ((r - 1, c), (r, c + 1), (r + 1, c), (r, c - 1)):
            if not (0 <= nr < rows and 0 <= nc < cols and passable[nr][nc]):
                continue
            cost = g + 1
            if cost < best.get((nr, nc), math.inf):
                best[(nr, nc)] = cost
                heapq.heappush(frontier, (cost + manhattan(nr, nc), cost, (nr, nc)))
    return None


def pyastar2d_weights(walls: np.ndarray) -> np.ndarray:
    """pyastar2d's cost grid for a walls mask (non-zero = wall): ``float32``,
    1 on floor (the cost of entering a cell), infinite on walls."""
    return np.where(np.asarray(walls) != 0, np.inf, 1.0).astype(np.float32)


def pyastar2d_length(weights: np.ndarray, start, goal) -> int | None:
    """Steps on pyastar2d's 4-connected A* path (its heuristic is then
    Manhattan), or None if there is none. The time includes pyastar2d's own
    wrapper (a copy of the weights, their minimum) and its path of cells."""
    import pyastar2d

    path = pyastar2d.astar_path(weights, tuple(start), tuple(goal), allow_diagonal=False)
    return None if path is None else len(path) - 1


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
