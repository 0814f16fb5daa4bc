"""MCTS on a 31 x 31 maze: one decision, ours against mctx (`benchmarks.task_mcts`).

    pytest benchmarks/bench_mcts.py -n 0 --benchmark-enable --benchmark-group-by=group

Groups ``mcts-256`` and ``mcts-1024`` time one decision with that many
simulations per tree from the known-answer start (3 steps from the exit,
horizon 3), where every choice, every tree of a batched mctx search, is
checked; ``mcts-256-maze-start`` and ``mcts-1024-maze-start`` time the
searches `benchmarks.ratios` times, from the maze's start with a horizon of
100 (the exit beyond it: every rollout runs the whole horizon, nothing to
check but that the actions are valid). pytest-benchmark's times are per call,
and a batched mctx call searches 16 or 64 trees: compare the extra info's
``seconds_per_tree`` and ``seconds_per_simulation`` instead. Compiling,
loading and a first call happen outside the timing. Without
``--benchmark-enable`` each implementation runs once, on the quick (256)
problems only.
"""

import time

import pytest

from benchmarks import registry

TASK = registry.task("mcts")
IMPLEMENTATIONS = registry.implementations("mcts")
CASES = [
    pytest.param(
        scale, start, marks=pytest.mark.benchmark(group=f"mcts-{simulations}{suffix}"), id=f"{scale}-{start}"
    )
    for scale, simulations in TASK.SCALES.items()
    for start, suffix in (("horizon", ""), ("maze", "-maze-start"))
]


@pytest.fixture(scope="module")
def prepared():
    """Prepared runs by (implementation, scale, start); a prepared mctx search
    compiles once per simulation budget, horizon and batch, whatever the start."""
    problems, runs = {}, {}

    def get(name, scale, start):
        if (scale, start) not in problems:
            problems[scale, start] = TASK.problem(scale, start=start)
        problem = problems[scale, start]
        if (name, scale, start) not in runs:
            runs[name, scale, start] = IMPLEMENTATIONS[name].prepare(problem)
        return problem, runs[name, scale, start]

    return get


@pytest.mark.parametrize(("scale", "start"), CASES)
@pytest.mark.parametrize("name", list(IMPLEMENTATIONS))
def test_mcts_decision(benchmark, prepared, name, scale, start):
    if not benchmark.enabled and scale != "quick":
        pytest.skip("timed only with -n 0 --benchmark-enable; the quick problem checks the rest")
    impl = IMPLEMENTATIONS[name]
    if impl.missing_hint():
        pytest.skip(impl.missing_hint())
    problem, run = prepared(name, scale, start)
    began = time.perf_counter()
    result = benchmark(run)
    seconds = benchmark.stats.stats.mean if benchmark.enabled else time.perf_counter() - began
    TASK.check(problem, {name: result})
    simulations = TASK.work(problem, name)
    trees = simulations // problem.simulations
    benchmark.extra_info["trees"] = trees
    benchmark.extra_info["simulations_per_tree"] = problem.simulations
    benchmark.extra_info["seconds_per_tree"] = seconds / trees
    benchmark.extra_info["seconds_per_simulation"] = seconds / simulations
    benchmark.extra_info["simulations_per_second"] = simulations / seconds
    benchmark.extra_info["start"] = list(problem.start)
    benchmark.extra_info["horizon"] = problem.depth
    benchmark.extra_info["exit_distance"] = problem.exit_distance
    benchmark.extra_info["action"] = result if trees == 1 else [int(a) for a in result]
