"""Peer implementations the search core is measured against, built outside timing.

Each A* peer is called as its own documentation recommends for a 4-connected
grid with unit step costs, and returns the number of steps on its path (None
when there is none):

- networkx: ``astar_path`` with the Manhattan heuristic, and ``shortest_path``
  (unweighted, so a bidirectional breadth-first search), on a `grid_graph`
  of the floor cells;
- pyastar2d: ``astar_path`` on a ``float32`` cost grid, walls infinite;
- tcod: ``tcod.path.path2d`` (tcod 18.1+; its A* when there is one start and
  one end) on an integer cost grid, walls 0, ``cardinal=1`` and no diagonals;
- igraph: ``Graph.get_shortest_paths`` (unweighted: breadth-first search) on a
  graph whose vertex ``r * width + c`` is cell ``(r, c)``;
- scikit-image: ``skimage.graph.route_through_array`` with
  ``fully_connected=False, geometric=False`` on a cost grid of ones, walls
  infinite (its minimum-cost-path search, a Dijkstra).
"""

from __future__ import annotations

import heapq
import math

import networkx as nx
import numpy as np

from worlds import Level
from worlds.arrow_maze import kernels as k
from worlds.jit import kernel
from worlds.point_mass import kernels as pm


def grid_edges(floor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 4-connected edges between floor cells of ``bool[H, W]`` `floor`:
    ``(a, b)``, each ``int64[E, 2]`` of ``(row, col)``, ``a`` above or left of ``b``."""
    ends = []
    for dr, dc in ((0, 1), (1, 0)):
        both = floor[: floor.shape[0] - dr, : floor.shape[1] - dc] & floor[dr:, dc:]
        r, c = np.nonzero(both)
        ends.append((np.stack([r, c], axis=1), np.stack([r + dr, c + dc], axis=1)))
    return np.concatenate([a for a, _ in ends]), np.concatenate([b for _, b in ends])


def grid_graph(floor: np.ndarray) -> nx.Graph:
    """The floor cells of ``bool[H, W]`` `floor` as an undirected networkx grid
    graph; nodes are ``(row, col)`` tuples."""
    graph = nx.Graph()
    rows, cols = np.nonzero(floor)
    graph.add_nodes_from(zip(rows.tolist(), cols.tolist()))
    a, b = grid_edges(floor)
    graph.add_edges_from(zip(map(tuple, a.tolist()), map(tuple, b.tolist())))
    return graph


def maze_graph(level: Level) -> nx.Graph:
    """The floor cells of an arrow-maze level as an undirected grid graph."""
    return grid_graph(level.grid[k.TILES] == k.FLOOR)


def networkx_astar_length(graph: nx.Graph, start, goal) -> int:
    """Steps on networkx's A* path with the same Manhattan heuristic."""

    def manhattan(a, b):
        return abs(a[0] - b[0]) + abs(a[1] - b[1])

    return len(nx.astar_path(graph, start, goal, heuristic=manhattan)) - 1


def networkx_bfs_length(graph: nx.Graph, start, goal) -> int:
    """Steps on networkx's ``shortest_path`` (no weight: bidirectional BFS),
    what a networkx user calls on an unweighted grid."""
    return len(nx.shortest_path(graph, start, goal)) - 1


def tcod_cost(walls: np.ndarray) -> np.ndarray:
    """tcod's cost grid for a walls mask: ``int8``, 1 on floor, 0 (blocked) on walls."""
    return np.where(np.asarray(walls) != 0, 0, 1).astype(np.int8)


def tcod_length(cost: np.ndarray, start, goal) -> int | None:
    """Steps on ``tcod.path.path2d``'s 4-connected path (its A* with one start
    and one end), or None if there is none."""
    import tcod.path

    path = tcod.path.path2d(
        cost, start_points=[tuple(start)], end_points=[tuple(goal)], cardinal=1, diagonal=0
    )
    return len(path) - 1 if len(path) else None


def igraph_graph(walls: np.ndarray):
    """An igraph ``Graph`` of the grid: vertex ``r * W + c`` is cell ``(r, c)``
    (walls are isolated vertices), edges join 4-adjacent floor cells."""
    import igraph

    width = walls.shape[1]
    a, b = grid_edges(np.asarray(walls) == 0)
    edges = np.stack([a[:, 0] * width + a[:, 1], b[:, 0] * width + b[:, 1]], axis=1)
    return igraph.Graph(n=walls.size, edges=edges.tolist(), directed=False)


def igraph_length(graph, width: int, start, goal) -> int | None:
    """Steps on igraph's unweighted shortest path (a BFS), or None if there is none."""
    path = graph.get_shortest_paths(start[0] * width + start[1], to=goal[0] * width + goal[1])[0]
    return len(path) - 1 if path else None


def skimage_costs(walls: np.ndarray) -> np.ndarray:
    """scikit-image's cost array: ``float64``, 1 on floor, infinite (impassable) on walls."""
    return np.where(np.asarray(walls) != 0, np.inf, 1.0)


def skimage_length(costs: np.ndarray, start, goal) -> int | None:
    """Steps on ``skimage.graph.route_through_array``'s axial minimum-cost path."""
    from skimage.graph import route_through_array

    path, _ = route_through_array(costs, tuple(start), tuple(goal), fully_connected=False, geometric=False)
    return len(path) - 1 if path else None


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
