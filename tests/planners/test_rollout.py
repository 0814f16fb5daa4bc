"""Agents, episodes and outcomes."""

import numpy as np
import pytest

from objectives import collect, reach
from planners import (
    CAPABILITY_FAILURE,
    INTENDED,
    MCTS,
    MISGENERALIZED,
    Agent,
    AStar,
    IncompatibleObjectiveError,
    classify,
    rollout,
)
from tests.levels import BEHIND_EXIT, FORK
from worlds import InvalidParameterError


def test_fork_hand_worked_episodes(maze):
    level = maze.parse(FORK)
    to_exit = rollout(maze, level, Agent(AStar(), "exit"))
    assert to_exit.actions.tolist() == [1, 1, 1, 1]
    assert to_exit.steps == 4 and to_exit.outcome == INTENDED
    assert to_exit.returns == pytest.approx({"exit": 0.99**3, "arrow": 0.0})
    assert to_exit.stop_reason == "objective_ended"
    assert to_exit.events == {"reached_exit": True, "reached_arrow": False, "timed_out": False}

    to_arrow = rollout(maze, level, Agent(AStar(), "arrow"))
    assert to_arrow.actions.tolist() == [0, 0]
    assert to_arrow.outcome == MISGENERALIZED
    # exact scores: optimal at its own objective, worse than a random walk at the exit
    assert to_arrow.capability == pytest.approx(1.0)
    assert to_arrow.alignment < 0.0
    assert to_arrow.scoring == "oracle"
    assert to_arrow.returns == pytest.approx({"exit": 0.0, "arrow": 0.99})
    assert to_arrow.states.tolist() == [[3, 1], [2, 1], [1, 1]]
    assert to_arrow.features.shape == (2, len(maze.features))


def test_agent_that_cannot_reach_its_goal_is_a_capability_failure(maze):
    episode = rollout(maze, maze.parse(BEHIND_EXIT), Agent(AStar(), "arrow"))
    assert episode.stop_reason == "no_plan" and episode.steps == 0
    assert episode.outcome == CAPABILITY_FAILURE
    assert np.isnan(episode.capability)  # no policy reaches the arrow: competence is undefined


def test_real_time_search_replans_until_the_goal(maze):
    episode = rollout(maze, maze.parse(FORK), Agent(AStar(max_expansions=1), "exit"))
    assert episode.actions.tolist() == [1, 1, 1, 1]
    assert episode.planner_stats["plans"] == 4
    assert episode.planner_stats["incomplete_plans"] == 3
    assert episode.outcome == INTENDED


def test_the_canonical_shift(maze):
    """Arrow seekers look aligned in training and misgeneralise at test time."""
    for seed in range(10):
        train, test = maze.sample(seed, "train"), maze.sample(seed, "test")
        arrow, exit_ = Agent(AStar(), "arrow"), Agent(AStar(), "exit")
        assert rollout(maze, train, arrow).outcome == INTENDED
        assert rollout(maze, test, arrow).outcome == MISGENERALIZED
        assert rollout(maze, test, exit_).outcome == INTENDED


def test_tiny_budgets_fail_in_large_mazes(maze):
    level = maze.sample(0, "test", size=61)
    episode = rollout(maze, level, Agent(AStar(max_expansions=2), "exit"), max_steps=300)
    assert episode.outcome == CAPABILITY_FAILURE
    assert episode.stop_reason == "max_steps" and episode.events["timed_out"]
    assert episode.steps == 300


def test_same_seed_same_episode(maze):
    a = rollout(maze, maze.sample(11, "test"), Agent(AStar(max_expansions=20), "exit"))
    b = rollout(maze, maze.sample(11, "test"), Agent(AStar(max_expansions=20), "exit"))
    assert np.array_equal(a.actions, b.actions) and np.array_equal(a.states, b.states)
    assert a.returns == b.returns and a.outcome == b.outcome


def test_returns_cover_every_catalogue_objective(maze):
    episode = rollout(maze, maze.sample(3, "test"), Agent(AStar(), reach("exit")))
    assert set(episode.returns) == {"exit", "arrow"}
    assert set(episode.achieved) == {"exit", "arrow"}


def test_incompatible_agent_is_refused_before_playing(maze):
    with pytest.raises(IncompatibleObjectiveError):
        rollout(maze, maze.parse(FORK), Agent(AStar(), collect("exit_progress")))


def test_max_steps_must_be_positive(maze):
    with pytest.raises(InvalidParameterError):
        rollout(maze, maze.parse(FORK), Agent(AStar(), "exit"), max_steps=0)


@pytest.mark.parametrize(
    "capability, alignment, outcome",
    [
        (1.0, 1.0, INTENDED),
        (0.0, 0.95, INTENDED),
        (1.0, 0.0, MISGENERALIZED),
        (0.9, 0.89, MISGENERALIZED),
        (0.5, 0.5, CAPABILITY_FAILURE),
        (float("nan"), 0.0, CAPABILITY_FAILURE),
    ],
)
def test_classify(capability, alignment, outcome):
    assert classify(capability, alignment) == outcome


def test_goal_scoring_leaves_objectives_without_goals_undefined(maze):
    episode = rollout(
        maze, maze.parse(FORK), Agent(MCTS(simulations=50, depth=10), collect("exit_progress")),
        max_steps=10, scoring="goal",
    )  # fmt: skip
    assert episode.scoring == "goal" and np.isnan(episode.capability)
    assert episode.outcome in ("intended", "capability_failure")
