"""Executing action sequences: the allocation-free return kernel against the
stored trajectory and `BoundObjective.discounted_return`."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
