"""A*: hand-worked levels, networkx as the oracle, budgets, errors, no recompiles."""

import networkx as nx
import numpy as np
import pytest

from objectives import Objective, collect, reach
from planners import AStar, IncompatibleObjectiveError, simulate
from planners import astar_kernel as ak
from planners import corridor_astar_kernel as ck
from planners import grid_astar_kernel as gk
from tests.levels import BEHIND_EXIT, CORRIDOR, FORK, PILLAR
from worlds import InvalidParameterError
from worlds.arrow_maze import kernels as k
from worlds.jit import compiled_signature_count

UP, RIGHT, DOWN, LEFT = range(4)


def target_cell(level, objective_name):
    i = {"exit": k.EXIT_R, "arrow": k.ARROW_R}[objective_name]
    return int(level.params[i]), int(level.params[i + 1])


@pytest.mark.parametrize(
    "text, objective, actions",
    [
        (CORRIDOR, "exit", [RIGHT] * 4),
        (CORRIDOR, "arrow", [RIGHT] * 4),
        (FORK, "exit", [RIGHT] * 4),
        (FORK, "arrow", [UP, UP]),
        (BEHIND_EXIT, "exit", [RIGHT, RIGHT]),
        # two shortest routes around the pillar, both f = 4 all the way: ties
        # go to the node generated last, and the start generates right, then
        # down, so A* follows down to the exit after 4 expansions.
        (PILLAR, "exit", [DOWN, DOWN, RIGHT, RIGHT]),
    ],
)
@pytest.mark.parametrize("kernel", ["corridors", "grid", "generic"])
def test_hand_worked_plans(maze, text, objective, actions, kernel):
    planner = AStar(specialise=kernel != "generic", jump_corridors=kernel == "corridors")
    plan = planner.plan(maze, maze.parse(text), objective)
    if kernel == "corridors" and text == PILLAR:
        # corridors: the start's two corridors both end on the exit after 4
        # steps; the first one walked (right) keeps the goal, a later equal
        # one does not replace it
        actions = [RIGHT, RIGHT, DOWN, DOWN]
    assert plan.actions.tolist() == actions
    assert plan.complete and plan.stats["status"] == "found"
    assert plan.value == pytest.approx(0.99 ** (len(actions) - 1))


@pytest.mark.parametrize("text", [BEHIND_EXIT, PILLAR])
def test_unreachable_goal_gives_an_empty_incomplete_plan(maze, text):
    # BEHIND_EXIT: the arrow lies past the exit, where every episode ends.
    # PILLAR: the arrow is walled off.
    plan = AStar().plan(maze, maze.parse(text), "arrow")
    assert plan.actions.tolist() == [] and not plan.complete
    assert plan.stats["status"] == "no_path"


def test_budget_returns_the_most_promising_frontier_node(maze):
    level = maze.parse(FORK)
    plan = AStar(max_expansions=1).plan(maze, level, "exit")
    # after expanding only the start, (3,2) has f = 1 + 3 = 4 and (2,1) has f = 1 + 5
    assert plan.actions.tolist() == [RIGHT]
    assert not plan.complete and plan.stats["status"] == "budget_exhausted"
    assert plan.stats["expansions"] == 1
    resumed = AStar(max_expansions=1).plan(maze, level, "exit", state=np.array([3, 4]))
    assert resumed.actions.tolist() == [RIGHT] and resumed.complete


def test_states_given_explicitly_are_planned_from(maze):
    level = maze.parse(FORK)
    plan = AStar().plan(maze, level, "arrow", state=np.array([3, 3]))
    assert plan.actions.tolist() == [LEFT, LEFT, UP, UP]


def shortest_lengths(world, level):
    graph = world.to_networkx(level)
    start = tuple(int(v) for v in world.initial_state(level))
    return nx.single_source_shortest_path_length(graph, start)


@pytest.mark.parametrize("specialise", [True, False], ids=["grid", "generic"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_path_lengths_equal_networkx_shortest_paths(maze, split, specialise):
    planner = AStar(specialise=specialise)
    for seed in range(50):
        level = maze.sample(seed, split)
        lengths = shortest_lengths(maze, level)
        for name in ("exit", "arrow"):
            plan = planner.plan(maze, level, name)
            assert plan.complete, (split, seed, name)
            assert len(plan.actions) == lengths[target_cell(level, name)], (split, seed, name)
            states, feats = simulate(maze, level, maze.initial_state(level), plan.actions)
            assert tuple(states[-1]) == target_cell(level, name)
            assert feats[-1, maze.feature_index(f"reached_{name}")] == 1.0


def test_equally_valued_goals_reach_the_nearer(maze):
    level = maze.parse(FORK)
    plan = AStar().plan(maze, level, reach("exit") + reach("arrow"))
    assert plan.actions.tolist() == [UP, UP]


@pytest.mark.parametrize(
    "objective, reason",
    [
        (collect("exit_progress"), "has no terminal feature with a positive weight"),
        (reach("exit") + 0.5 * reach("arrow"), "values its goals differently"),
        (reach("exit") + collect("exit_progress"), "rewards non-terminal features"),
        (Objective({"reached_exit": 1.0}, {"reached_exit"}, step_cost=-1.0), "pays for living"),
    ],
)
def test_non_goal_objectives_are_refused(maze, objective, reason):
    with pytest.raises(IncompatibleObjectiveError, match="A\\* needs a goal objective") as error:
        AStar().plan(maze, maze.parse(FORK), objective)
    assert reason in str(error.value)


@pytest.mark.parametrize("budget", [0, -1, 2.5, "10"])
def test_bad_budgets_are_refused(budget):
    with pytest.raises(InvalidParameterError, match="max_expansions"):
        AStar(max_expansions=budget)


def test_swapping_the_objective_compiles_nothing(maze):
    level = maze.sample(1, "test")
    planner = AStar()
    planner.plan(maze, level, "exit")  # compile or load each kernel once
    AStar(specialise=False).plan(maze, level, "exit")
    before = compiled_signature_count()
    for objective in (
        "arrow",
        reach("exit") + reach("arrow"),
        reach("arrow", discount=0.5),
        Objective({"reached_exit": 2.0}, {"reached_exit", "bumped_wall"}, step_cost=0.1),
    ):
        planner.plan(maze, level, objective)
        AStar(max_expansions=7).plan(maze, level, objective)
        AStar(specialise=False).plan(maze, level, objective)
    assert compiled_signature_count() == before
    assert len(ak.astar_search.signatures) == 1
    assert len(gk.grid_astar_search.signatures) == 1
    assert len(ck.corridor_astar_search.signatures) == 1


def test_search_retries_with_bigger_buffers_when_they_run_out(maze, monkeypatch):
    level = maze.sample(2, "test", size=41)
    expected = AStar().plan(maze, level, "exit")
    monkeypatch.setattr(maze, "capacity_hint", lambda level: 1)  # 64 nodes, far too few
    planner = AStar(specialise=False)
    plan = planner.plan(maze, level, "exit")
    assert planner._workspace.capacity > 64
    assert plan.actions.tolist() == expected.actions.tolist()
