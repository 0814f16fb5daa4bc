"""MCTS on a 31 x 31 maze: simulations and rollout steps per second.

    pytest benchmarks/bench_mcts.py --benchmark-enable --benchmark-group-by=group

Each round is one decision (one `plan`) from the maze's start with the `exit`
objective; the figures per second are in the benchmark's extra info.
"""

import pytest

from planners import MCTS

SIZE, SIMULATIONS = 31, 2000


@pytest.fixture(scope="module")
def level(maze):
    return maze.sample(seed=0, split="test", size=SIZE)


@pytest.mark.parametrize("backup", ["max", "mean"])
@pytest.mark.benchmark(group=f"mcts-{SIZE}")
def test_mcts_decision(benchmark, maze, level, backup):
    planner = MCTS(simulations=SIMULATIONS, depth=100, backup=backup, seed=0)
    planner.plan(maze, level, "exit")  # compile / load outside the timing
    plan = benchmark(planner.plan, maze, level, "exit")
    assert plan.stats["simulations"] == SIMULATIONS
    assert plan.stats["rollout_steps"] > 0
    seconds = benchmark.stats.stats.mean if benchmark.enabled else plan.stats["seconds"]
    benchmark.extra_info["simulations_per_second"] = SIMULATIONS / seconds
    benchmark.extra_info["rollout_steps_per_second"] = plan.stats["rollout_steps"] / seconds
    benchmark.extra_info["rollout_steps"] = plan.stats["rollout_steps"]
