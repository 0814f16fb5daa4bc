"""The A* task on open grids: `benchmarks.task_astar`'s implementations and
check on its ``"open"`` family (about 20 % random walls, start and exit in
opposite corners), where corridor-jumping does not decide the result."""

from __future__ import annotations

from benchmarks import task_astar
from benchmarks.task_astar import IMPLEMENTATIONS, SIZES, AStarProblem, check

__all__ = ["IMPLEMENTATIONS", "RATIOS", "SCALING", "SIZES", "check", "problem"]


def problem(scale: str | int = "quick", seed: int = 0) -> AStarProblem:
    """The open grid for `scale`: ``"quick"`` 301 x 301, ``"full"`` 1001 x 1001,
    or an int for that size; `seed` draws the walls."""
    return task_astar.problem(scale, seed=seed, family="open")


RATIOS = task_astar.ratios("astar_open", "open")

SCALING = (
    "grid size",
    [31, 101, 301],
    [31, 101, 301, 1001, 2001],
    ["mesabase", "pyastar2d", "tcod", "igraph", "networkx", "python"],
)
