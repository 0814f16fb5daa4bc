"""A* on a 1001 x 1001 maze: ours against networkx, pyastar2d and plain Python.

    pytest benchmarks/bench_astar.py --benchmark-enable --benchmark-group-by=group

Every implementation of `benchmarks.task_astar` (the registry's) solves the
same level from the same start to the same exit; graphs and cost grids are
built, and ours is compiled and warmed up, outside the timing. ``mesabase`` is
`AStar`'s default corridor-jumping kernel; ``mesabase-grid`` (cell by cell)
and ``mesabase-generic`` (every world, through `worlds.dispatch`) are timed
beside it.

Without ``--benchmark-enable`` each runs once, on the 301 x 301 maze to keep
the plain-Python peer quick, as a check of its path length; `test_differential`
holds all of them to the exact length on small seeded mazes.
"""

import pytest

from benchmarks import task_astar
from benchmarks.registry import implementations

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

    def get(size):
        if size not in built:
            built[size] = task_astar.problem(size)
        return built[size]

    return get


@pytest.mark.benchmark(group=f"astar-{SIZE}")
@pytest.mark.parametrize("name", list(IMPLEMENTATIONS))
def test_astar(benchmark, problems, name):
    impl = _available(IMPLEMENTATIONS[name])
    problem = problems(SIZE if benchmark.enabled else QUICK_SIZE)
    run = impl.prepare(problem)
    length = benchmark(run)
    assert length == problem.reference_length
    benchmark.extra_info["maze_size"] = problem.size
    benchmark.extra_info["path_length"] = length


@pytest.mark.parametrize("size", [7, 9, 15, 21, 31, 51])
def test_differential(size):
    """All implementations find exactly the shortest path on small mazes."""
    for seed in range(4):
        problem = task_astar.problem(size, seed=seed)
        results = {
            name: impl.prepare(problem)() for name, impl in IMPLEMENTATIONS.items() if impl.available()
        }
        task_astar.check(problem, results)
