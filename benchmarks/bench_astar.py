"""A* on a 1001 x 1001 maze: ours against networkx.astar_path, in one run.

    pytest benchmarks/bench_astar.py --benchmark-enable --benchmark-group-by=group

All solve the same level from the same start to the same exit; the networkx
graph is built outside the timing. `AStar` uses its corridor-jumping grid
kernel here; the cell-by-cell grid kernel and the generic kernel (every world,
through `worlds.dispatch`) are timed beside it.
"""

import pytest

from benchmarks.peers import maze_graph, networkx_astar_length
from planners import AStar
from worlds.arrow_maze import kernels as k

SIZE = 1001


@pytest.fixture(scope="module")
def big_maze(maze):
    level = maze.sample(seed=0, split="test", size=SIZE)
    start = (int(level.params[k.START_R]), int(level.params[k.START_C]))
    goal = (int(level.params[k.EXIT_R]), int(level.params[k.EXIT_C]))
    return level, start, goal


@pytest.fixture(scope="module")
def reference_length(big_maze):
    level, start, goal = big_maze
    return int(level.grid[k.EXIT_DISTANCE][start])


@pytest.mark.benchmark(group=f"astar-{SIZE}")
@pytest.mark.parametrize("kernel", ["corridors", "grid", "generic"])
def test_mesabase_astar(benchmark, maze, big_maze, reference_length, kernel):
    level, _, _ = big_maze
    planner = AStar(specialise=kernel != "generic", jump_corridors=kernel == "corridors")
    planner.plan(maze, level, "exit")  # compile / load and size the buffers outside timing
    plan = benchmark(planner.plan, maze, level, "exit")
    assert plan.complete and len(plan.actions) == reference_length
    assert plan.stats["kernel"] == kernel
    benchmark.extra_info["expansions"] = plan.stats["expansions"]
    benchmark.extra_info["path_length"] = len(plan.actions)


@pytest.mark.benchmark(group=f"astar-{SIZE}")
def test_networkx_astar(benchmark, big_maze, reference_length):
    level, start, goal = big_maze
    graph = maze_graph(level)
    length = benchmark.pedantic(networkx_astar_length, args=(graph, start, goal), rounds=3, iterations=1)
    assert length == reference_length
