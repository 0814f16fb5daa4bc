"""A* on 1001 x 1001 grids: ours against networkx (A* and BFS), pyastar2d,
tcod, igraph, scikit-image and plain Python, on a maze and an open grid.

    pytest benchmarks/bench_astar.py -n 0 --benchmark-enable --benchmark-group-by=group

Every implementation of `benchmarks.task_astar` (the registry's) solves the
same level from the same start to the same exit; graphs and cost grids are
built, and ours is compiled and warmed up, outside the timing. ``mesabase`` is
`AStar`'s default corridor-jumping kernel; ``mesabase-grid`` (cell by cell)
and ``mesabase-generic`` (every world, through `worlds.dispatch`) are timed
beside it. The two level families are the world's perfect mazes and open
grids with about 20 % random walls (`task_astar.open_grid_text`).

Without ``--benchmark-enable`` each runs once, on 301 x 301 levels to keep
the plain-Python peers quick, as a check of its path length;
`test_differential` holds all of them to the exact length on small seeded
levels of both families. The fair ratios, from interleaved rounds, are
``python -m benchmarks.ratios``'s.
"""

import numpy as np
import pytest

from benchmarks import task_astar
from benchmarks.registry import implementations
from worlds.mazes import maze_distances

SIZE = 1001
QUICK_SIZE = 301
IMPLEMENTATIONS = implementations("astar")


def _available(impl):
    if impl.missing_hint():
        pytest.skip(impl.missing_hint())
    return impl


@pytest.fixture(scope="module")
def problems():
    built = {}

    def get(size, family):
        if (size, family) not in built:
            built[size, family] = task_astar.problem(size, family=family)
        return built[size, family]

    return get


@pytest.mark.parametrize("family", task_astar.FAMILIES)
@pytest.mark.parametrize("name", list(IMPLEMENTATIONS))
def test_astar(benchmark, problems, name, family):
    impl = _available(IMPLEMENTATIONS[name])
    benchmark.group = f"astar-{family}-{SIZE}"
    problem = problems(SIZE if benchmark.enabled else QUICK_SIZE, family)
    run = impl.prepare(problem)
    length = benchmark(run)
    assert length == problem.reference_length
    benchmark.extra_info["size"] = problem.size
    benchmark.extra_info["family"] = family
    benchmark.extra_info["path_length"] = length


@pytest.mark.parametrize("family", task_astar.FAMILIES)
@pytest.mark.parametrize("size", [7, 9, 15, 21, 31, 51])
def test_differential(size, family):
    """All implementations find exactly the shortest path on small levels."""
    for seed in range(4):
        problem = task_astar.problem(size, seed=seed, family=family)
        results = {
            name: impl.prepare(problem)() for name, impl in IMPLEMENTATIONS.items() if impl.available()
        }
        task_astar.check(problem, results)


def test_check_names_a_peer_that_is_one_step_off():
    problem = task_astar.problem(15)
    with pytest.raises(AssertionError, match="'tcod': 1"):
        task_astar.check(problem, {"mesabase": problem.reference_length, "tcod": 1})


@pytest.mark.parametrize("seed", range(3))
def test_open_grids_have_random_walls_and_a_connected_start(seed):
    problem = task_astar.problem(101, seed=seed, family="open")
    inner = problem.walls[1:-1, 1:-1]
    assert problem.walls[0].all() and problem.walls[:, -1].all()  # the wall border
    assert 0.15 < inner.mean() < 0.25  # about 20 % walls, drawn at random
    assert problem.start == (1, 1) and problem.goal == (99, 99)
    assert (
        problem.reference_length
        == maze_distances(problem.walls.astype(np.uint8), problem.goal)[problem.start]
    )
    # a grid, not a maze: far shorter than a corridor walk, at least the Manhattan distance
    assert 196 <= problem.reference_length < 300


def test_an_open_grid_is_redrawn_until_start_and_exit_connect():
    # at 60 % walls most draws cut the corners apart; the text still connects them
    text = task_astar.open_grid_text(21, seed=0, wall_fraction=0.6)
    import worlds

    level = worlds.get("arrow-maze").parse(text)
    assert level.grid[1][1, 1] > 0
