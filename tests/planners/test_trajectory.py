"""Executing action sequences: the allocation-free return kernel against the
stored trajectory and `BoundObjective.discounted_return`."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planners
from objectives import Objective, collect, reach
from planners import simulate
from planners.trajectory import plan_return

OBJECTIVES = [
    reach("exit"),
    reach("arrow", discount=0.5),
    reach("exit") + collect("exit_progress") + -0.3 * collect("bumped_wall"),
    Objective(
        {"reached_arrow": 1.0, "arrow_distance": -0.01}, {"reached_arrow", "reached_exit"}, step_cost=0.2
    ),
]


@settings(max_examples=80)
@given(
    seed=st.integers(0, 1000),
    split=st.sampled_from(["train", "test"]),
    actions=st.lists(st.integers(0, 3), max_size=60),
    which=st.integers(0, len(OBJECTIVES) - 1),
)
def test_plan_return_equals_the_return_of_the_simulated_trajectory(maze, seed, split, actions, which):
    level = maze.sample(seed, split, size=9)
    bound = OBJECTIVES[which].bind(maze)
    start = maze.initial_state(level)
    _, feats = simulate(maze, level, start, actions)
    expected = bound.discounted_return(feats)
    assert plan_return(maze, level, start, np.array(actions, dtype=np.int64), bound) == pytest.approx(
        expected, rel=1e-12, abs=1e-12
    )


@pytest.mark.parametrize(
    "state, actions, message",
    [
        (None, [10**7], "action 10000000 is not one of arrow-maze's actions 0..3"),
        (None, [-1], "action -1 is not one of"),
        (None, [[0]], "a sequence of arrow-maze action indices"),
        (None, [0.5], "a sequence of arrow-maze action indices"),
        ([1000, 1000], [0], r"\(1000, 1000\) is not a floor cell"),
        ([0, 0], [0], r"\(0, 0\) is not a floor cell"),
        ([1, 1, 1], [0], "a arrow-maze state is 2 integers"),
    ],
)
def test_simulate_refuses_what_the_kernels_could_misuse(state, actions, message):
    import worlds

    maze = worlds.get("arrow-maze")
    level = maze.sample(0)
    start = maze.initial_state(level) if state is None else state
    with pytest.raises(worlds.InvalidParameterError, match=message):
        planners.simulate(maze, level, start, actions)


@pytest.mark.parametrize("world_name, index, value", [("chests-keys", 2, 1 << 20), ("cleaning", 2, 1 << 40)])
def test_planning_from_a_state_outside_the_level_is_refused(world_name, index, value):
    import worlds

    world = worlds.get(world_name)
    level = world.sample(0)
    state = world.initial_state(level)
    state[index] = value
    with pytest.raises(worlds.InvalidParameterError, match="masks? must lie in"):
        planners.MCTS(simulations=8).plan(world, level, world.base, state=state)
