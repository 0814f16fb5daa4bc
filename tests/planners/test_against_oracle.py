"""Every discrete planner against outside references, on random small levels.

For every registered discrete world and every split, hypothesis draws small
levels; every planner that serves an objective (its own `check` decides) is
compared with references it does not share code with:

- value iteration (`planners.ValueIteration`) for J* and the action values;
- networkx shortest paths on `World.to_networkx`, built from the plain-Python
  reference dynamics, self-loop moves included, so goals that fire on a move
  that leaves the state unchanged (a sweep of clean floor, a bump into a wall,
  a sweep at the dirt bin) count.

The properties, per planner:

- A* (goal objectives): a complete plan exactly when networkx finds a goal
  transition; its length is the shortest one; replaying it fires the goal on
  its last step and its value equals J* = discount ** (length - 1); every
  kernel (generic, grid, corridors) agrees.
- value iteration as a planner: its value and action values are the oracle's,
  and for a goal objective replaying its plan earns J*.
- MCTS (objectives whose rewards are all >= 0): its value never exceeds J*,
  since on deterministic worlds its root values are returns of paths it
  actually explored, truncated at its depth, and truncating non-negative
  rewards can only lose value. On the hand-written tiny levels below, a
  generous budget (2000 simulations) reaches J* exactly for goal objectives
  (an objective that pays for ever, like sweeping in place, is cut at the
  depth, so only the bound holds there).
- the reactive policy: it proposes at most one valid action, and that action
  moves one step closer to the nearest tile it heads for (or is its arrival
  action there).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planners
import worlds
from objectives import Objective, catalogue
from planners import MCTS, AStar, IncompatibleObjectiveError, Reactive, ValueIteration
from planners.trajectory import plan_return, simulate
from tests.small_levels import DISCRETE_SPLITS, small_level

#: generator overrides that keep every split's levels small enough to enumerate in Python
SMALL = {
    "arrow-maze": {"size": 7},
    "chests-keys": {"size": 7, "n_keys": 2, "n_chests": 2},
    ("chests-keys", "test"): {"size": 7, "n_keys": 3, "n_chests": 1},
    "cleaning": {"size": 4, "dirt": 3},
}
CASES = DISCRETE_SPLITS
ORACLE = ValueIteration()


def goal_objectives(world) -> dict[str, Objective]:
    """One goal objective per 0/1 event feature (bumped_wall too: a self-loop goal in every world)."""
    names = list(world.events) + [
        f for f in ("bumped_wall",) if f in world.features and f not in world.events
    ]
    return {f"reach {f}": Objective({f: 1.0}, {f}, discount=0.99, name=f"reach {f}") for f in names}


def objectives_of(world) -> dict[str, Objective]:
    return {**catalogue(world), **goal_objectives(world)}


def shortest_goal_length(world, level, graph, objective: Objective) -> int | None:
    """Steps to the first transition that fires one of the objective's goal
    features, by breadth-first search on the reference graph; None if none."""
    goals = [
        world.feature_index(f) for f, w in objective.weights.items() if f in objective.terminal and w > 0
    ]
    start = tuple(int(v) for v in world.initial_state(level))
    depth = nx.single_source_shortest_path_length(graph, start)
    best = None
    for u, _, data in graph.edges(data=True):
        fires = any(feats[g] != 0 for _, feats in data["transitions"] for g in goals)
        if fires and u in depth and (best is None or depth[u] + 1 < best):
            best = depth[u] + 1
    return best


def serves(planner, world, objective) -> bool:
    try:
        planner.check(world, objective)
    except IncompatibleObjectiveError:
        return False
    return True


def check_astar(world, level, objective, optimum: float, graph) -> None:
    length = shortest_goal_length(world, level, graph, objective)
    plans = {
        "generic": AStar(specialise=False).plan(world, level, objective),
        "grid": AStar(jump_corridors=False).plan(world, level, objective),
        "corridors": AStar().plan(world, level, objective),
    }
    for kernel, plan in plans.items():
        where = (world.name, level.split, level.seed, objective.name, kernel)
        assert plan.complete == (length is not None), where
        if length is None:
            assert optimum == pytest.approx(0.0, abs=1e-12), where
            continue
        assert len(plan.actions) == length, where
        assert plan.value == pytest.approx(objective.discount ** (length - 1), abs=1e-12), where
        assert plan.value == pytest.approx(optimum, abs=1e-12), where
        bound = objective.bind(world)
        replayed = plan_return(world, level, world.initial_state(level), plan.actions, bound)
        assert replayed == pytest.approx(optimum, abs=1e-12), where
        _, feats = simulate(world, level, world.initial_state(level), plan.actions)
        assert (feats[-1] * (bound.terminal != 0) * (bound.weights > 0)).any(), where


def check_value_iteration(world, level, objective, optimum: float) -> None:
    plan = ValueIteration().plan(world, level, objective)
    assert plan.value == pytest.approx(optimum, abs=1e-12)
    np.testing.assert_allclose(plan.action_values, ORACLE.q_values(world, level, objective), atol=1e-12)
    if objective.terminal and _ends_the_episode(world, level, objective, plan.actions):
        # (an optimum that never ends the episode, like standing by lava for
        # ever under the lava world's lava_edge proxy, has only finite prefixes)
        bound = objective.bind(world)
        replayed = plan_return(world, level, world.initial_state(level), plan.actions, bound)
        assert replayed == pytest.approx(optimum, abs=1e-12)


def _ends_the_episode(world, level, objective, actions) -> bool:
    """Whether `actions` fire one of the objective's terminal features."""
    _, feats = simulate(world, level, world.initial_state(level), actions)
    ends = [world.feature_index(name) for name in objective.terminal]
    return bool(len(feats)) and bool((feats[:, ends] != 0).any())


def check_mcts(world, level, objective, optimum: float, seed: int) -> None:
    if objective.step_cost != 0 or min(objective.weights.values()) < 0:
        return  # truncating negative rewards could overestimate: no bound to check
    plan = MCTS(simulations=200, depth=30, seed=seed).plan(world, level, objective)
    explored = np.nan_to_num(plan.action_values, nan=-np.inf)
    assert plan.value <= optimum + 1e-9
    assert explored.max() <= optimum + 1e-9
    assert 0 <= plan.actions[0] < len(world.actions)


def check_reactive(world, level) -> None:
    planner = Reactive()
    towards, then = planner.rule(world)
    plan = planner.plan(world, level, None)
    here = world.start_cell(level)
    distance = world.distance(level, towards, here)
    assert len(plan.actions) == (0 if distance < 0 else 1)
    if distance < 0:
        assert not plan.complete
        return
    action = int(plan.actions[0])
    assert 0 <= action < len(world.actions)
    if distance == 0 and then is not None:
        assert action == world.action_index(then)
        return
    row, col = here[0] + int(world.moves[action, 0]), here[1] + int(world.moves[action, 1])
    assert world.distance(level, towards, (row, col)) == distance - 1


@pytest.mark.parametrize("world_name, split", CASES)
@settings(max_examples=12)
@given(seed=st.integers(0, 10**6))
def test_every_planner_matches_the_references(world_name, split, seed):
    world = worlds.get(world_name)
    level = small_level(world_name, seed, split, SMALL)
    graph = world.to_networkx(level, reference=True)
    served = set()
    for objective in objectives_of(world).values():
        optimum = ORACLE.optimal_return(world, level, objective)
        for name in planners.PLANNERS:
            planner = planners.planner_class(name)()
            if not planner.needs_objective or not serves(planner, world, objective):
                continue
            served.add(name)
            if name == "astar":
                check_astar(world, level, objective, optimum, graph)
            elif name == "value-iteration":
                check_value_iteration(world, level, objective, optimum)
            elif name == "mcts":
                check_mcts(world, level, objective, optimum, seed)
            else:
                raise AssertionError(f"no reference property for planner {name}")
    if serves(Reactive(), world, None):
        served.add("reactive")
        check_reactive(world, level)
    assert served == {"astar", "mcts", "value-iteration", "reactive"}


# ---- goals that fire on moves that leave the state unchanged -----------------

SWEEP_IN_PLACE = "sweeps: any\n######\n#S..d#\n######"
BIN_BESIDE = "#######\n#S.B.d#\n#######"
SELF_LOOP_CASES = [
    ("cleaning", SWEEP_IN_PLACE, "swept", 1),  # sweeping clean floor counts
    ("cleaning", BIN_BESIDE, "dustpan_gain", 3),  # walk to the bin, sweep it
    ("cleaning", BIN_BESIDE, "bumped_wall", 1),  # up into the wall
    ("arrow-maze", "#####\n#S.*#\n#####", "bumped_wall", 1),
    ("chests-keys", "#####\n#SKC#\n#####", "bumped_wall", 1),
]


@pytest.mark.parametrize("world_name, text, feature, length", SELF_LOOP_CASES)
@pytest.mark.parametrize("kernel", ["generic", "grid", "corridors"])
def test_goals_on_self_loops_are_found_by_every_kernel(world_name, text, feature, length, kernel):
    world = worlds.get(world_name)
    level = world.parse(text)
    objective = Objective({feature: 1.0}, {feature}, discount=0.99)
    planner = AStar(specialise=kernel != "generic", jump_corridors=kernel == "corridors")
    plan = planner.plan(world, level, objective)
    assert plan.complete and len(plan.actions) == length
    assert plan.value == pytest.approx(0.99 ** (length - 1), abs=1e-12)
    assert plan.value == pytest.approx(ORACLE.optimal_return(world, level, objective), abs=1e-12)
    graph = world.to_networkx(level, reference=True)
    assert shortest_goal_length(world, level, graph, objective) == length


def test_the_issue_case_sweeps_in_place():
    world = worlds.get("cleaning")
    level = world.parse(SWEEP_IN_PLACE)
    plan = AStar().plan(world, level, Objective({"swept": 1}, {"swept"}, discount=0.99))
    assert plan.actions.tolist() == [world.action_index("sweep")]
    assert plan.value == 1.0


def test_self_loops_are_edges_of_the_reference_graph():
    world = worlds.get("cleaning")
    level = world.parse(SWEEP_IN_PLACE)
    graph = world.to_networkx(level, reference=True)
    start = tuple(int(v) for v in world.initial_state(level))
    loop = graph.edges[start, start]
    actions = [action for action, _ in loop["transitions"]]
    # up, down and left bump walls; sweep sweeps clean floor, which counts here
    assert actions == [0, 2, 3, 4] and loop["action"] == 0
    swept = world.feature_index("swept")
    assert [feats[swept] for _, feats in loop["transitions"]] == [0.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize(
    "world_name, text, feature",
    [
        ("arrow-maze", "#######\n#A#####\n#.#####\n#S...E#\n#######", "reached_arrow"),
        ("arrow-maze", "#######\n#A#####\n#.#####\n#S...E#\n#######", "reached_exit"),
        ("cleaning", SWEEP_IN_PLACE, "swept"),
        ("cleaning", BIN_BESIDE, "dustpan_gain"),
        ("cleaning", BIN_BESIDE, "cleaned"),
        ("chests-keys", "#######\n#SK..C#\n#######", "opened_chest"),
    ],
)
def test_a_generous_mcts_budget_reaches_the_optimum_on_tiny_levels(world_name, text, feature):
    world = worlds.get(world_name)
    level = world.parse(text)
    objective = Objective({feature: 1.0}, {feature}, discount=0.99)
    optimum = ORACLE.optimal_return(world, level, objective)
    plan = MCTS(simulations=2000, depth=60, seed=0).plan(world, level, objective)
    assert optimum > 0 and plan.value == pytest.approx(optimum, rel=1e-9)
