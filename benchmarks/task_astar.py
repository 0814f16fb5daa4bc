"""The A* task: the shortest path from start to exit on an arrow-maze level.

Ours (`planners.AStar` with each of its kernels) against networkx's
``astar_path`` on the floor's grid graph, pyastar2d's C++ A* on a cost grid
and a plain-Python ``heapq`` A*, all with the Manhattan heuristic on the same
4-connected grid. Every implementation returns the length of its path in
steps; `check` holds each to the level's exact maze distance.

Graphs, cost grids and Python lists are built in ``prepare``, outside the
timing, as is one warm-up call of ours (numba compilation / cache load and
the search buffers).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from benchmarks.peers import (
    maze_graph,
    networkx_astar_length,
    pyastar2d_length,
    pyastar2d_weights,
    python_astar_length,
)
from benchmarks.registry import Implementation
from worlds import Level, World
from worlds.arrow_maze import kernels as k

SIZES = {"quick": 301, "full": 1001}


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
    """

    world: World
    level: Level
    start: tuple[int, int]
    goal: tuple[int, int]
    walls: np.ndarray
    reference_length: int

    @property
    def size(self) -> int:
        return int(self.walls.shape[0])


def problem(scale: str | int = "quick", seed: int = 0) -> AStarProblem:
    """The maze for `scale`: ``"quick"`` 301 x 301, ``"full"`` 1001 x 1001, or
    an odd int for that size; `seed` picks the level (test split)."""
    import worlds

    size = SIZES[scale] if isinstance(scale, str) else int(scale)
    world = worlds.get("arrow-maze")
    level = world.sample(seed=seed, split="test", size=size)
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
    graph = maze_graph(p.level)
    return lambda: networkx_astar_length(graph, p.start, p.goal)


def _pyastar2d(p: AStarProblem):
    weights = pyastar2d_weights(p.walls)
    return lambda: pyastar2d_length(weights, p.start, p.goal)


def _python(p: AStarProblem):
    passable = (~p.walls).tolist()
    return lambda: python_astar_length(passable, p.start, p.goal)


IMPLEMENTATIONS = [
    Implementation("mesabase", ours=True, prepare=_mesabase()),
    Implementation("mesabase-grid", ours=True, prepare=_mesabase(jump_corridors=False)),
    Implementation("mesabase-generic", ours=True, prepare=_mesabase(specialise=False)),
    Implementation("networkx", ours=False, prepare=_networkx),
    Implementation("pyastar2d", ours=False, prepare=_pyastar2d, requires="pyastar2d"),
    Implementation("python", ours=False, prepare=_python),
]


def check(problem: AStarProblem, results: dict[str, Any]) -> None:
    """Every implementation found a path of exactly the shortest length."""
    wrong = {name: length for name, length in results.items() if length != problem.reference_length}
    assert not wrong, (
        f"path lengths differ from the exact {problem.reference_length} on the "
        f"{problem.size} x {problem.size} maze: {wrong}"
    )


RATIOS = {
    "astar_vs_networkx": ("mesabase", "networkx"),
    "astar_vs_pyastar2d": ("mesabase", "pyastar2d"),
    "astar_vs_python": ("mesabase", "python"),
}

SCALING = (
    "maze size",
    [31, 101, 301],
    [31, 101, 301, 1001, 2001],
    ["mesabase", "pyastar2d", "networkx", "python"],
)
