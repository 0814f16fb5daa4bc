"""MCTS: statistics over seeded levels, convergence to the oracle, knobs and errors."""

import numpy as np
import pytest

from objectives import collect
from planners import (
    CAPABILITY_FAILURE,
    MCTS,
    Agent,
    ValueIteration,
    rollout,
)
from tests.levels import FORK, PILLAR
from worlds import InvalidParameterError

LONG_CORRIDOR = "#" * 22 + "\n#S" + "." * 18 + "*#\n" + "#" * 22 + "\n"


def episodes(maze, split, objective, simulations, seeds, **level_options):
    for seed in seeds:
        level = maze.sample(seed, split, **level_options)
        planner = MCTS(simulations=simulations, seed=seed)
        yield rollout(maze, level, Agent(planner, objective), seed=seed)


def test_2000_simulations_reach_the_exit_on_the_training_split(maze):
    reached = [ep.events["reached_exit"] for ep in episodes(maze, "train", "exit", 2000, range(40))]
    assert np.mean(reached) >= 0.95


def test_arrow_seekers_reach_the_arrow_and_not_the_exit_at_test_time(maze):
    results = [
        ep.events["reached_arrow"] and not ep.events["reached_exit"]
        for ep in episodes(maze, "test", "arrow", 2000, range(20))
    ]
    assert np.mean(results) >= 0.90


def test_20_simulations_fail_in_31x31_mazes_as_capability_failures(maze):
    played = list(episodes(maze, "test", "exit", 20, range(8), size=31))
    failed = [ep for ep in played if not ep.events["reached_exit"]]
    assert len(failed) >= 0.75 * len(played)
    assert all(ep.outcome == CAPABILITY_FAILURE for ep in failed)


@pytest.mark.parametrize("text, objective", [(FORK, "arrow"), (FORK, "exit"), (PILLAR, "exit")])
def test_root_values_converge_to_the_oracle(maze, text, objective):
    level = maze.parse(text)
    exact = ValueIteration().q_values(maze, level, objective)
    errors = []
    for simulations in (1, 10, 100, 1000):
        plan = MCTS(simulations=simulations, depth=30, seed=3).plan(maze, level, objective)
        estimate = np.nan_to_num(plan.action_values, nan=0.0)
        errors.append(np.abs(estimate - exact).max())
    assert errors[-1] < 1e-9
    assert errors == sorted(errors, reverse=True)


def test_mean_backup_root_values_approach_the_oracle(maze):
    level = maze.parse(FORK)
    exact = ValueIteration().q_values(maze, level, "arrow")
    errors = [
        np.abs(
            MCTS(simulations=n, depth=20, backup="mean", seed=1).plan(maze, level, "arrow").action_values
            - exact
        )[0]
        for n in (30, 300, 3000)
    ]
    assert errors[-1] < errors[0] and errors[-1] < 0.05


def test_greedy_rollouts_follow_the_heuristic(maze):
    level = maze.parse(LONG_CORRIDOR)  # the exit is 19 steps to the right
    greedy = MCTS(simulations=4, depth=40, rollout="greedy", epsilon=0.0, seed=0).plan(maze, level, "exit")
    assert greedy.action_values[1] == pytest.approx(0.99**18)
    random = MCTS(simulations=4, depth=40, rollout="random", seed=0).plan(maze, level, "exit")
    assert np.nan_to_num(random.action_values[1]) < 0.99**18


def test_serves_objectives_without_goals(maze):
    level = maze.parse(FORK)
    episode = rollout(
        maze, level, Agent(MCTS(simulations=300, depth=10), collect("exit_progress")), max_steps=10
    )
    assert episode.events["reached_exit"]  # progress towards the exit is what it is paid for
    assert episode.returns["exit"] > 0


def test_same_seed_same_episode(maze):
    level = maze.sample(4, "test")
    first = rollout(maze, level, Agent(MCTS(simulations=50, seed=9), "exit"), seed=2, max_steps=60)
    second = rollout(maze, level, Agent(MCTS(simulations=50, seed=9), "exit"), seed=2, max_steps=60)
    assert np.array_equal(first.actions, second.actions)


def test_plans_report_their_work(maze):
    plan = MCTS(simulations=64, depth=20).plan(maze, maze.sample(0, "test"), "exit")
    assert plan.stats["simulations"] == 64
    assert plan.stats["rollout_steps"] > 0 and plan.stats["seconds"] > 0
    assert plan.actions.shape == (1,) and plan.action_values.shape == (4,)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"simulations": 0}, "simulations must be a positive integer"),
        ({"depth": -1}, "depth must be a positive integer"),
        ({"c": -0.5}, "exploration constant"),
        ({"rollout": "smart"}, "rollout must be one of random, greedy"),
        ({"backup": "min"}, "backup must be one of mean, max"),
        ({"epsilon": 2.0}, "epsilon"),
    ],
)
def test_bad_settings_are_refused(options, message):
    with pytest.raises(InvalidParameterError, match=message):
        MCTS(**options)
