"""Objectives are data: construction, algebra, binding and returns."""

import numpy as np
import pytest

from objectives import Objective, ObjectiveError, catalogue, collect, get, reach
from worlds import InvalidParameterError, UnknownNameError


def test_reach_binds_to_the_feature_order(maze):
    bound = reach("exit").bind(maze)
    assert bound.feature_names == tuple(maze.features)
    assert bound.weights.tolist() == [1.0, 0, 0, 0, 0, 0, 0]
    assert bound.terminal.tolist() == [1.0, 0, 0, 0, 0, 0, 0]
    assert bound.discount == 0.99
    assert not bound.weights.flags.writeable


def test_unknown_feature_lists_the_valid_ones(maze):
    with pytest.raises(UnknownNameError) as error:
        Objective({"reached_cheese": 1.0}).bind(maze)
    message = str(error.value)
    assert "'reached_cheese'" in message
    for name in maze.features:
        assert name in message


def test_unknown_terminal_feature_is_refused(maze):
    with pytest.raises(UnknownNameError, match="'reached_door'"):
        Objective({"reached_exit": 1.0}, terminal={"reached_door"}).bind(maze)


def test_addition_and_scaling(maze):
    mixed = reach("exit") + 0.5 * reach("arrow")
    assert dict(mixed.weights) == {"reached_exit": 1.0, "reached_arrow": 0.5}
    assert mixed.terminal == {"reached_exit", "reached_arrow"}
    doubled = 2 * Objective({"exit_progress": 1.0}, step_cost=0.1)
    assert dict(doubled.weights) == {"exit_progress": 2.0} and doubled.step_cost == 0.2
    assert (reach("exit") * 3).weights["reached_exit"] == 3.0


def test_adding_different_discounts_is_refused():
    with pytest.raises(ObjectiveError, match="discounts"):
        reach("exit", discount=0.9) + reach("arrow", discount=0.99)


@pytest.mark.parametrize("discount", [0.0, -0.5, 1.5])
def test_discount_must_be_in_unit_interval(discount):
    with pytest.raises(InvalidParameterError):
        Objective({"reached_exit": 1.0}, discount=discount)


def test_terminal_must_not_be_a_bare_string():
    with pytest.raises(ObjectiveError, match="collection of feature names"):
        Objective({"reached_exit": 1.0}, terminal="reached_exit")


def test_objectives_are_hashable_values():
    assert reach("exit") == reach("exit")
    assert len({reach("exit"), reach("exit"), reach("arrow")}) == 2


def test_catalogue_comes_from_the_world(maze):
    objectives = catalogue(maze)
    assert list(objectives) == ["exit", "arrow"]
    assert objectives["exit"].weights == reach("exit").weights
    assert get(maze, "arrow").terminal == {"reached_arrow"}
    with pytest.raises(UnknownNameError, match="valid arrow-maze objectives: arrow, exit"):
        get(maze, "cheese")


def test_returns_stop_at_the_first_terminal_feature(maze):
    bound = (collect("exit_progress", discount=0.5) + Objective(
        {"reached_arrow": 10.0}, {"reached_arrow"}, discount=0.5)).bind(maze)  # fmt: skip
    feats = np.zeros((4, len(maze.features)))
    feats[:, maze.feature_index("exit_progress")] = 1.0
    feats[1, maze.feature_index("reached_arrow")] = 1.0
    # step 0: 1; step 1: 1 + 10 (ends); later steps do not count
    assert bound.ended_at(feats) == 1
    assert bound.rewards(feats).tolist() == [1.0, 11.0, 0.0, 0.0]
    assert bound.discounted_return(feats) == pytest.approx(1.0 + 0.5 * 11.0)


def test_step_cost_is_paid_every_step(maze):
    bound = Objective({"reached_exit": 1.0}, {"reached_exit"}, step_cost=0.25).bind(maze)
    feats = np.zeros((3, len(maze.features)))
    feats[2, 0] = 1.0
    assert bound.rewards(feats).tolist() == [-0.25, -0.25, 0.75]
