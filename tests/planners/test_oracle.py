"""The exact oracle against hand-worked answers, networkx and an independent solver."""

import networkx as nx
import numpy as np
import pytest

from objectives import Objective, collect, reach
from planners import (
    IncompatibleObjectiveError,
    StateSpaceTooLargeError,
    ValueIteration,
    normalised_score,
)
from tests.levels import BEHIND_EXIT, CORRIDOR, FORK, PILLAR
from worlds import InvalidParameterError
from worlds.arrow_maze import kernels as k

UP, RIGHT, DOWN, LEFT = range(4)


def test_hand_worked_optimal_returns(maze):
    oracle = ValueIteration()
    corridor = maze.parse(CORRIDOR)
    assert oracle.optimal_return(maze, corridor, "exit") == pytest.approx(0.99**3)
    fork = maze.parse(FORK)
    assert oracle.optimal_return(maze, fork, "arrow") == pytest.approx(0.99)
    assert oracle.optimal_return(maze, fork, "exit") == pytest.approx(0.99**3)
    # the arrow behind the exit cannot be reached: every episode ends on the exit
    assert oracle.optimal_return(maze, maze.parse(BEHIND_EXIT), "arrow") == 0.0
    assert oracle.optimal_return(maze, maze.parse(PILLAR), "arrow") == 0.0


def test_step_costs_and_discounts(maze):
    oracle = ValueIteration()
    corridor = maze.parse(CORRIDOR)  # exit 4 steps away
    undiscounted = Objective({"reached_exit": 1.0}, {"reached_exit"}, step_cost=0.1, discount=1.0)
    assert oracle.optimal_return(maze, corridor, undiscounted, horizon=10) == pytest.approx(1 - 4 * 0.1)
    discounted = Objective({"reached_exit": 1.0}, {"reached_exit"}, step_cost=0.1, discount=0.9)
    expected = sum(-0.1 * 0.9**t for t in range(4)) + 0.9**3
    assert oracle.optimal_return(maze, corridor, discounted) == pytest.approx(expected)
    # a horizon too short to reach the exit: the best is to pay the step cost 3 times
    assert oracle.optimal_return(maze, corridor, undiscounted, horizon=3) == pytest.approx(-0.3)
    assert oracle.optimal_return(maze, corridor, reach("exit"), horizon=4) == pytest.approx(0.99**3)
    assert oracle.optimal_return(maze, corridor, reach("exit"), horizon=3) == 0.0


def test_shaping_objective_without_terminal(maze):
    oracle = ValueIteration()
    corridor = maze.parse(CORRIDOR)
    # +1 per step of progress towards the exit, then the world ends on the exit
    assert oracle.optimal_return(maze, corridor, collect("exit_progress", discount=1.0), horizon=50) == 4.0


def test_hand_worked_q_values(maze):
    fork = maze.parse(FORK)
    q = ValueIteration().q_values(maze, fork, "arrow")
    # up: arrow in 2 steps; right: 1 step away then back (4 steps); left/down bump (3 steps)
    assert q == pytest.approx([0.99, 0.99**3, 0.99**2, 0.99**2])
    q_mid = ValueIteration().q_values(maze, fork, "exit", state=(3, 3))
    assert q_mid[RIGHT] == pytest.approx(0.99)


@pytest.mark.parametrize("split", ["train", "test"])
def test_optimal_returns_equal_shortest_paths(maze, split):
    oracle = ValueIteration()
    for seed in range(20):
        level = maze.sample(seed, split)
        graph = maze.to_networkx(level, reference=True)  # by the plain-Python dynamics: independent
        start = tuple(int(v) for v in maze.initial_state(level))
        for name, i in (("exit", k.EXIT_R), ("arrow", k.ARROW_R)):
            target = (int(level.params[i]), int(level.params[i + 1]))
            d = nx.shortest_path_length(graph, start, target)
            assert d == level.grid[k.EXIT_DISTANCE][start] or name == "arrow"
            assert oracle.optimal_return(maze, level, name) == pytest.approx(0.99 ** (d - 1)), (seed, name)


def independent_values(world, level, objective, policy):
    """Plain numpy: enumerate with the reference dynamics, then solve the
    Bellman equations (random policy: one linear solve; optimal: iterate)."""
    bound = objective.bind(world)
    start = tuple(int(v) for v in world.initial_state(level))
    index, order = {start: 0}, [start]
    for state in order:
        for a in range(len(world.actions)):
            nxt = world.reference_step(level, state, a)
            if nxt not in index:
                index[nxt] = len(order)
                order.append(nxt)
    n, n_actions = len(order), len(world.actions)
    reward = np.zeros((n, n_actions))
    nxt_of = np.zeros((n, n_actions), dtype=int)
    cont = np.zeros((n, n_actions))
    for s, state in enumerate(order):
        if world.reference_terminal(level, state):
            continue
        for a in range(n_actions):
            nxt = world.reference_step(level, state, a)
            phi = np.array(world.reference_features(level, state, a, nxt))
            reward[s, a] = phi @ bound.weights - bound.step_cost
            nxt_of[s, a] = index[nxt]
            ends = ((phi != 0) & (bound.terminal != 0)).any() or world.reference_terminal(level, nxt)
            cont[s, a] = 0.0 if ends else bound.discount
    if policy == "random":
        transition = np.zeros((n, n))
        for s in range(n):
            for a in range(n_actions):
                transition[s, nxt_of[s, a]] += cont[s, a] / n_actions
        return np.linalg.solve(np.eye(n) - transition, reward.mean(axis=1))[0]
    values = np.zeros(n)
    for _ in range(5000):
        values = (reward + cont * values[nxt_of]).max(axis=1)
    return values[0]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("name", ["exit", "arrow"])
def test_random_and_optimal_returns_match_an_independent_solver(maze, seed, name):
    level = maze.sample(seed, "train")
    oracle = ValueIteration()
    objective = reach(name)
    expected_random = independent_values(maze, level, objective, "random")
    assert oracle.random_return(maze, level, objective) == pytest.approx(expected_random, rel=1e-9)
    expected_best = independent_values(maze, level, objective, "optimal")
    assert oracle.optimal_return(maze, level, objective) == pytest.approx(expected_best, rel=1e-9)
    assert 0 < oracle.random_return(maze, level, objective) < oracle.optimal_return(maze, level, objective)


def test_oracle_plans_optimally(maze):
    oracle = ValueIteration()
    plan = oracle.plan(maze, maze.parse(FORK), "arrow")
    assert plan.actions.tolist() == [UP, UP] and plan.complete
    assert plan.value == pytest.approx(0.99)
    assert plan.action_values[UP] == pytest.approx(0.99)
    assert {"expansions", "rollout_steps", "seconds"} <= set(plan.stats)


def test_state_space_limit_is_refused_clearly(maze):
    with pytest.raises(StateSpaceTooLargeError, match="more than 5 reachable states"):
        ValueIteration(max_states=5).optimal_return(maze, maze.parse(FORK), "exit")
    assert ValueIteration(max_states=7).model(maze, maze.parse(FORK)).size == 7


def test_undiscounted_objectives_need_a_horizon(maze):
    undiscounted = Objective({"reached_exit": 1.0}, {"reached_exit"}, discount=1.0)
    with pytest.raises(IncompatibleObjectiveError, match="needs a horizon"):
        ValueIteration().plan(maze, maze.parse(FORK), undiscounted)
    hurried = Objective({"reached_exit": 1.0}, {"reached_exit"}, step_cost=0.01, discount=1.0)
    assert ValueIteration(horizon=20).plan(maze, maze.parse(FORK), hurried).actions.tolist() == [1] * 4


@pytest.mark.parametrize("bad", [0, -3, 1.5])
def test_bad_settings_are_refused(bad):
    with pytest.raises(InvalidParameterError):
        ValueIteration(max_states=bad)


def test_unreachable_states_are_refused(maze):
    with pytest.raises(InvalidParameterError, match="not reachable"):
        ValueIteration().q_values(maze, maze.parse(PILLAR), "exit", state=(5, 1))


@pytest.mark.parametrize(
    "achieved, optimal, random, expected",
    [
        (1.0, 1.0, 0.0, 1.0),
        (0.5, 1.0, 0.0, 0.5),
        (0.0, 1.0, 0.5, -1.0),
        (0.0, 0.0, 0.0, None),
        (-1, 0, 0, None),
    ],
)
def test_normalised_score(achieved, optimal, random, expected):
    score = normalised_score(achieved, optimal, random)
    if expected is None:  # nothing beats random: competence is undefined
        assert np.isnan(score)
    else:
        assert score == pytest.approx(expected)


def test_an_episode_horizon_over_the_limit_falls_back_to_goal_scoring(monkeypatch):
    import worlds
    from planners import Agent, AStar, rollout

    maze = worlds.get("arrow-maze")
    level = maze.sample(0, "test", size=15)
    monkeypatch.setenv("MESABASE_MAX_PLAN_HORIZON", "100")
    with pytest.raises(StateSpaceTooLargeError, match="over MAX_PLAN_HORIZON=100"):
        ValueIteration().optimal_return(maze, level, "exit", horizon=4 * 15 * 15)
    episode = rollout(maze, level, Agent(AStar(), "exit"))
    assert episode.scoring == "goal" and episode.outcome == "intended"
