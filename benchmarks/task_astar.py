"""The A* task: the shortest path from start to exit on a grid level.

Two level families, both arrow-maze levels (4-connected moves, unit steps):

- ``"maze"``: the world's own perfect mazes (test split), long corridors
  that our default corridor-jumping kernel crosses in one expansion;
- ``"open"`` (`open_grid_text`): an open grid with about 20 % of its cells walls,
  drawn at random, start and exit in opposite corners and connected, so that
  corridor-jumping does not decide the result.

Ours (`planners.AStar` with each of its kernels) against the A* and
shortest-path searches a user would pick (`benchmarks.peers` says how each
is called): networkx ``astar_path`` and ``shortest_path`` (BFS), pyastar2d's
C++ A*, tcod's ``path2d``, igraph's BFS ``get_shortest_paths``,
scikit-image's ``route_through_array`` and a plain-Python ``heapq`` A*.
Every implementation returns the length of its path in steps; `check` holds
each to the level's exact shortest distance (its precomputed BFS layer).

Graphs, cost grids and Python lists are built in ``prepare``, outside the
timing, as is one warm-up call of ours (numba compilation / cache load and
the search buffers).

    problem("quick")                 # the 301 x 301 maze
    problem("quick", family="open")  # a 301 x 301 open grid
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import numpy as np

from benchmarks import peers
from benchmarks.registry import Implementation
from worlds import Level, World
from worlds.arrow_maze import kernels as k

SIZES = {"quick": 301, "full": 1001}
FAMILIES = ("maze", "open")
WALL_FRACTION = 0.2


@dataclasses.dataclass(frozen=True)
class AStarProblem:
    """One arrow-maze level to solve from its start to its exit.

    Attributes:
        world: the arrow-maze world.
        level: the level, ``size`` x ``size`` cells.
        start, goal: ``(row, col)`` of the start and the exit.
        walls: ``bool[size, size]``, True on walls.
        reference_length: the exact shortest path in steps (the level's maze
            distance from start to exit).
        family: ``"maze"`` or ``"open"``.
    """

    world: World
    level: Level
    start: tuple[int, int]
    goal: tuple[int, int]
    walls: np.ndarray
    reference_length: int
    family: str = "maze"

    @property
    def size(self) -> int:
        return int(self.walls.shape[0])


def open_grid_text(size: int, seed: int = 0, wall_fraction: float = WALL_FRACTION) -> str:
    """An arrow-maze level in the world's text form: a ``size`` x ``size``
    grid with a wall border and about `wall_fraction` of the inner cells walls,
    drawn at random; the start ``S`` by the top-left corner, the exit (with the
    arrow on it, ``*``) by the bottom-right one, the 3 x 3 blocks around both
    cleared. Draws again (from the same generator) until the start reaches the
    exit, which at 20 % walls is almost always the first draw."""
    from worlds.mazes import maze_distances

    if size < 7:
        raise ValueError(f"an open grid needs size >= 7, got {size}")
    rng = np.random.default_rng(seed)
    start, goal = (1, 1), (size - 2, size - 2)
    while True:
        walls = rng.random((size, size)) < wall_fraction
        walls[[0, -1], :] = walls[:, [0, -1]] = True
        for r, c in (start, goal):
            walls[max(r - 1, 1) : min(r + 2, size - 1), max(c - 1, 1) : min(c + 2, size - 1)] = False
        if maze_distances(walls.astype(np.uint8), goal)[start] >= 0:
            break
    rows = np.where(walls, "#", ".")
    rows[start], rows[goal] = "S", "*"
    return "\n".join("".join(row) for row in rows) + "\n"


@functools.lru_cache(maxsize=8)
def _level(family: str, size: int, seed: int) -> Level:
    import worlds

    world = worlds.get("arrow-maze")
    if family == "maze":
        return world.sample(seed=seed, split="test", size=size)
    return world.parse(open_grid_text(size, seed))


def problem(scale: str | int = "quick", seed: int = 0, family: str = "maze") -> AStarProblem:
    """The level for `scale`: ``"quick"`` 301 x 301, ``"full"`` 1001 x 1001, or
    an odd int for that size; `seed` picks the level (the maze's test split,
    or the open grid's walls); `family` is ``"maze"`` or ``"open"``."""
    import worlds

    if family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}, got {family!r}")
    size = SIZES[scale] if isinstance(scale, str) else int(scale)
    world = worlds.get("arrow-maze")
    level = _level(family, size, seed)
    start = (int(level.params[k.START_R]), int(level.params[k.START_C]))
    goal = (int(level.params[k.EXIT_R]), int(level.params[k.EXIT_C]))
    walls = np.asarray(world.walls(level)) != 0
    return AStarProblem(
        world=world,
        level=level,
        start=start,
        goal=goal,
        walls=walls,
        reference_length=int(level.grid[k.EXIT_DISTANCE][start]),
        family=family,
    )


def _mesabase(**options: Any):
    def prepare(p: AStarProblem):
        from planners import AStar

        planner = AStar(**options)

        def run() -> int | None:
            plan = planner.plan(p.world, p.level, "exit")
            return len(plan.actions) if plan.complete else None

        run()  # compile / load the kernel and size its buffers outside the timing
        return run

    return prepare


def _networkx(p: AStarProblem):
    graph = peers.grid_graph(~p.walls)
    return lambda: peers.networkx_astar_length(graph, p.start, p.goal)


def _networkx_bfs(p: AStarProblem):
    graph = peers.grid_graph(~p.walls)
    return lambda: peers.networkx_bfs_length(graph, p.start, p.goal)


def _pyastar2d(p: AStarProblem):
    weights = peers.pyastar2d_weights(p.walls)
    return lambda: peers.pyastar2d_length(weights, p.start, p.goal)


def _tcod(p: AStarProblem):
    cost = peers.tcod_cost(p.walls)
    return lambda: peers.tcod_length(cost, p.start, p.goal)


def _igraph(p: AStarProblem):
    graph = peers.igraph_graph(p.walls)
    return lambda: peers.igraph_length(graph, p.size, p.start, p.goal)


def _skimage(p: AStarProblem):
    costs = peers.skimage_costs(p.walls)
    return lambda: peers.skimage_length(costs, p.start, p.goal)


def _python(p: AStarProblem):
    passable = (~p.walls).tolist()
    return lambda: peers.python_astar_length(passable, p.start, p.goal)


IMPLEMENTATIONS = [
    Implementation("mesabase", ours=True, prepare=_mesabase()),
    Implementation("mesabase-grid", ours=True, prepare=_mesabase(jump_corridors=False)),
    Implementation("mesabase-generic", ours=True, prepare=_mesabase(specialise=False)),
    Implementation("networkx", ours=False, prepare=_networkx),
    Implementation("networkx-bfs", ours=False, prepare=_networkx_bfs),
    Implementation("pyastar2d", ours=False, prepare=_pyastar2d, requires="pyastar2d"),
    Implementation("tcod", ours=False, prepare=_tcod, requires="tcod"),
    Implementation("igraph", ours=False, prepare=_igraph, requires="igraph"),
    Implementation("skimage", ours=False, prepare=_skimage, requires="skimage"),
    Implementation("python", ours=False, prepare=_python),
]


def check(problem: AStarProblem, results: dict[str, Any]) -> None:
    """Every implementation found a path of exactly the shortest length."""
    wrong = {name: length for name, length in results.items() if length != problem.reference_length}
    assert not wrong, (
        f"path lengths differ from the exact {problem.reference_length} on the "
        f"{problem.size} x {problem.size} {problem.family}: {wrong}"
    )


def ratios(prefix: str, family: str) -> dict[str, tuple[str, str, str]]:
    """The ratio pairs of the `family` task: key -> (ours, peer, description)."""
    where = {"maze": "arrow maze", "open": "open grid, 20% walls"}[family]
    peers_described = {
        "networkx": "networkx astar_path, Manhattan heuristic",
        "networkx_bfs": "networkx shortest_path (BFS)",
        "pyastar2d": "pyastar2d astar_path (C++)",
        "tcod": "tcod.path.path2d (C)",
        "igraph": "igraph get_shortest_paths (BFS, C)",
        "skimage": "scikit-image route_through_array",
        "python": "plain-Python heapq A*",
    }
    return {
        f"{prefix}_vs_{peer}": ("mesabase", peer.replace("_", "-"), f"A* on the {where}: {text}")
        for peer, text in peers_described.items()
    }


RATIOS = ratios("astar", "maze")

SCALING = (
    "maze size",
    [31, 101, 301],
    [31, 101, 301, 1001, 2001],
    ["mesabase", "pyastar2d", "tcod", "igraph", "networkx", "python"],
)
