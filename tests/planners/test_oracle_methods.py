"""The oracle's fast methods against its full sweeps, and which method it picks.

`ValueIteration.solve(method="sweeps")` is the reference (plain value
iteration). The default (``method="auto"``) solves goal-reaching objectives
by backward search and the random policy by a sparse linear solve; on many
small seeded levels of every discrete world, for every catalogue objective,
every one-event goal and objectives built to fall outside the fast paths,
with both policies and several horizons, both give the same state and
action values to within 1e-9.
"""

from __future__ import annotations

import numpy as np
import pytest

import worlds
from objectives import Objective, catalogue, collect, reach
from planners import ValueIteration
from planners import oracle_kernel as ok
from planners.oracle import MAX_GOAL_REWARDS, TRUNCATION, linear_is_exact
from tests.levels import CORRIDOR, FORK
from tests.small_levels import DISCRETE_SPLITS, small_level
from worlds import InvalidParameterError
from worlds.arrow_maze import kernels as k

CASES = DISCRETE_SPLITS
HORIZONS = (None, 1, 2, 7, 60)


def event_objectives(world) -> dict[str, Objective]:
    """Goals on each event (fast path), and objectives the fast path must refuse."""
    events = list(world.events)
    out = {}
    for event in events:
        out[f"reach {event}"] = Objective({event: 1.0}, {event}, discount=0.99)
        out[f"reach {event} slowly"] = Objective({event: 1.0}, {event}, discount=0.5)
        out[f"reach {event} paying"] = Objective({event: 1.0}, {event}, step_cost=0.05, discount=0.99)
        out[f"avoid {event}"] = Objective({event: -1.0}, {event}, discount=0.99)
        out[f"collect {event}"] = Objective({event: 1.0}, discount=0.99)
        out[f"reach {event} undiscounted"] = Objective({event: 2.0}, {event}, discount=1.0)
    if len(events) >= 2:
        first, second = events[:2]
        out["either goal"] = Objective({first: 1.0, second: 1.0}, {first, second}, discount=0.99)
        out["unequal goals"] = Objective({first: 1.0, second: 0.5}, {first, second}, discount=0.99)
        out["goal past a stop"] = Objective({first: 1.0}, {first, second}, discount=0.99)
    bump = "bumped_wall"
    out["reach a wall"] = Objective({bump: 1.0}, {bump}, discount=0.99)
    return out


def horizons_for(objective: Objective):
    return [h for h in HORIZONS if h is not None or objective.discount < 1.0]


@pytest.mark.parametrize("world_name, split", CASES)
def test_every_method_matches_the_sweeps(world_name, split):
    world = worlds.get(world_name)
    used = set()
    for seed in range(4):
        level = small_level(world_name, seed, split)
        oracle = ValueIteration()
        objectives = {**catalogue(world), **event_objectives(world)}
        for name, objective in objectives.items():
            for horizon in horizons_for(objective):
                for policy in ("optimal", "random"):
                    fast = oracle.solution(world, level, objective, horizon=horizon, policy=policy)
                    ref = oracle.solution(
                        world, level, objective, horizon=horizon, policy=policy, method="sweeps"
                    )
                    where = (world_name, split, seed, name, horizon, policy, fast.method)
                    assert ref.method == "sweeps"
                    np.testing.assert_allclose(fast.values, ref.values, rtol=0, atol=1e-9, err_msg=str(where))
                    np.testing.assert_allclose(
                        fast.q_values, ref.q_values, rtol=0, atol=1e-9, err_msg=str(where)
                    )
                    used.add(fast.method)
    # every world exercises the backward search (its bumped-wall goal at least) and the linear solve
    assert {"backward", "linear", "sweeps"} <= used


def method(oracle, world, level, objective, horizon=None, policy="optimal") -> str:
    return oracle.solution(world, level, objective, horizon=horizon, policy=policy).method


@pytest.mark.parametrize(
    "objective, horizon, policy, expected",
    [
        (reach("exit"), None, "optimal", "backward"),
        (reach("arrow"), 10, "optimal", "backward"),
        (Objective({"reached_exit": 1.0}, {"reached_exit"}, discount=1.0), 10, "optimal", "backward"),
        (reach("exit") + reach("arrow"), None, "optimal", "backward"),  # both goals pay 1
        (reach("exit") + 0.5 * reach("arrow"), None, "optimal", "backward"),  # one search per amount
        (reach("exit") + 0.5 * reach("arrow"), 3, "optimal", "backward"),
        (
            Objective({"reached_exit": 1.0}, {"reached_exit"}, step_cost=0.1, discount=0.9),
            None,
            "optimal",
            "sweeps",
        ),  # fmt: skip
        (Objective({"reached_exit": -1.0}, {"reached_exit"}, discount=0.99), None, "optimal", "sweeps"),
        (collect("exit_progress"), None, "optimal", "sweeps"),  # a reward on the way
        (Objective({"reached_arrow": 1.0}, set(), discount=0.99), None, "optimal", "sweeps"),  # no end
        (reach("exit"), None, "random", "linear"),
        (reach("exit"), 5000, "random", "linear"),  # 0.99**5000 / 0.01 is far below TRUNCATION
        (reach("exit"), 50, "random", "sweeps"),  # a short horizon: its own values
        (Objective({"reached_exit": 1.0}, {"reached_exit"}, discount=1.0), 5000, "random", "sweeps"),
    ],
)
def test_the_method_is_fast_only_where_it_is_exact(maze, objective, horizon, policy, expected):
    assert method(ValueIteration(), maze, maze.parse(FORK), objective, horizon, policy) == expected


def test_more_goal_rewards_than_searches_take_the_sweeps(maze):
    # ends on every step, paying the distance left to the exit: one goal reward per distance
    objective = Objective({"exit_distance": 1.0}, {"exit_distance"}, discount=0.99)
    oracle = ValueIteration()
    assert method(oracle, maze, maze.parse(FORK), objective) == "backward"  # distances 1 to 6
    level = maze.sample(0, "train", size=15)
    assert level.grid[k.EXIT_DISTANCE].max() > MAX_GOAL_REWARDS
    assert method(oracle, maze, level, objective) == "sweeps"


@pytest.mark.parametrize("world_name", ["chests-keys", "cleaning"])
def test_collecting_objectives_take_the_sweeps(world_name):
    world = worlds.get(world_name)
    level = small_level(world_name, 0, "train")
    oracle = ValueIteration()
    for objective in catalogue(world).values():  # several rewards, none of which ends the episode
        assert method(oracle, world, level, objective) == "sweeps"
        assert method(oracle, world, level, objective, policy="random") == "linear"


def test_sweeps_can_be_asked_for_and_unknown_methods_are_refused(maze):
    oracle = ValueIteration()
    assert oracle.solution(maze, maze.parse(FORK), "exit", method="sweeps").method == "sweeps"
    with pytest.raises(InvalidParameterError, match="method must be"):
        oracle.solve(maze, maze.parse(FORK), "exit", method="bfs")


def corridor(length: int) -> str:
    """S, then `length` - 2 floor cells, then the exit: `length` - 1 steps."""
    wall = "#" * (length + 2)
    return f"{wall}\n#S{'.' * (length - 2)}*#\n{wall}\n"


def test_backward_search_keeps_values_the_sweeps_round_to_zero(maze):
    # 3,399 steps: J* = 0.99**3398 ~ 1.5e-15, below what the sweeps' tolerance resolves
    level = maze.parse(corridor(3400))
    oracle = ValueIteration()
    fast = oracle.solution(maze, level, "exit")
    assert fast.method == "backward" and fast.sweeps == 3399  # distances 0 .. 3398
    assert fast.values[0] == pytest.approx(0.99**3398, rel=1e-12)
    assert oracle.solution(maze, level, "exit", method="sweeps").values[0] < 1e-14


def test_finite_horizons_and_the_sweep_cap_cut_the_backward_search(maze):
    level = maze.parse(CORRIDOR)  # the exit is 4 steps away
    oracle = ValueIteration()
    assert oracle.optimal_return(maze, level, "exit", horizon=4) == pytest.approx(0.99**3)
    assert oracle.optimal_return(maze, level, "exit", horizon=3) == 0.0
    # the q-values have one step fewer to go: right reaches the exit in 4, so 0 with 3 left
    q = oracle.q_values(maze, level, "exit", horizon=4)
    assert q[1] == pytest.approx(0.99**3) and q[3] == 0.0  # left bumps: 5 steps
    # to convergence the sweeps stop at max_sweeps; so does the search
    capped = ValueIteration(max_sweeps=3)
    assert capped.solution(maze, level, "exit").method == "backward"
    assert capped.optimal_return(maze, level, "exit") == 0.0
    assert ValueIteration(max_sweeps=4).optimal_return(maze, level, "exit") == pytest.approx(0.99**3)


def goal_rewards(reward, cont, world_terminal, room=8):
    goals = np.empty(room)
    count = ok.goal_rewards(reward, cont, world_terminal, goals)
    return None if count < 0 else sorted(goals[:count].tolist())


def test_goal_rewards_read_the_objective_off_the_transitions():
    world_terminal = np.array([False, False, True])
    cont = np.array([[0.9, 0.0], [0.9, 0.0], [0.0, 0.0]])
    reward = np.array([[0.0, 2.0], [0.0, 0.0], [-5.0, 7.0]])  # the terminal state's row is ignored
    assert goal_rewards(reward, cont, world_terminal) == [2.0]
    assert goal_rewards(np.zeros((3, 2)), cont, world_terminal) == []
    two = np.array([[0.0, 2.0], [0.0, 1.0], [0.0, 0.0]])
    assert goal_rewards(two, cont, world_terminal) == [1.0, 2.0]
    assert goal_rewards(two, cont, world_terminal, room=1) is None  # more amounts than searches allowed
    for bad in ([[0.1, 2.0], [0.0, 0.0]], [[0.0, -2.0], [0.0, 0.0]], [[0.0, np.nan], [0.0, 0.0]]):
        rows = np.vstack([np.array(bad), [[0.0, 0.0]]])
        assert goal_rewards(rows, cont, world_terminal) is None


def test_backward_solve_by_hand():
    # a chain 0 -> 1 -> 2, where 2's action 1 pays 1 and ends; action 0 stays put
    next_index = np.array([[0, 1], [1, 2], [2, 2]])
    reward = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    cont = np.array([[0.5, 0.5], [0.5, 0.5], [0.5, 0.0]])
    world_terminal = np.zeros(3, dtype=bool)
    values, q_values = np.empty(3), np.empty((3, 2))
    goal = np.array([1.0])
    assert ok.backward_solve(next_index, reward, cont, world_terminal, goal, 0.5, 0, values, q_values) == 3
    assert values.tolist() == [0.25, 0.5, 1.0]
    assert q_values.tolist() == [[0.125, 0.25], [0.25, 0.5], [0.5, 1.0]]
    ok.backward_solve(next_index, reward, cont, world_terminal, goal, 0.5, 2, values, q_values)
    assert values.tolist() == [0.0, 0.5, 1.0]  # two steps to go: state 0 is 3 steps from paying
    # state 0's action 0 now ends paying 0.2: worth more than 1.0 three steps away (0.125 at discount 0.5)
    reward[0, 0], cont[0, 0] = 0.2, 0.0
    goals = np.array([1.0, 0.2])
    ok.backward_solve(next_index, reward, cont, world_terminal, goals, 0.5, 0, values, q_values)
    assert values.tolist() == [0.25, 0.5, 1.0] and q_values[0].tolist() == [0.2, 0.25]
    ok.backward_solve(next_index, reward, cont, world_terminal, goals, 0.5, 2, values, q_values)
    assert values.tolist() == [0.2, 0.5, 1.0]  # with two steps to go, the near small goal wins


def test_linear_is_exact_only_when_the_horizon_hides_nothing():
    reward, terminal = np.array([[1.0, 0.0]]), np.array([False])
    assert linear_is_exact(reward, terminal, 0.99, 10_000)
    assert not linear_is_exact(reward, terminal, 0.99, 100)
    assert not linear_is_exact(reward, terminal, 1.0, 10**9)
    assert linear_is_exact(np.zeros((1, 2)), terminal, 0.99, 1)
    # the threshold: max|r| * discount**h / (1 - discount) <= TRUNCATION
    h = int(np.ceil(np.log(TRUNCATION * 0.5) / np.log(0.5)))
    assert linear_is_exact(reward, terminal, 0.5, h) and not linear_is_exact(reward, terminal, 0.5, h - 2)
