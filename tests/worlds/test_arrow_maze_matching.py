"""The arrow maze's ``match_exit_distance`` generator option: the test arrow
at the exit's maze distance from the start, within ``distance_tolerance``.

Left off (the default), every level is the one earlier versions drew."""

import hashlib
import math

import pytest

import worlds
from worlds import InvalidParameterError
from worlds.arrow_maze import kernels as k

# sha256(world.format(level))[:16] for seeds 0..4, computed with the generator
# before the option existed: existing studies must keep their levels
BEFORE = {
    "train": [
        "e873aa8d4ad3c764",
        "3fad925729336bf2",
        "c6e00984399c76d2",
        "3b4abbe4e8a1e06d",
        "798fcd4d4bd3559c",
    ],
    "test": [
        "fbdd8242a4ef134d",
        "6a7d4962c1f793ca",
        "004b30301962fd23",
        "16612b00d36696b2",
        "5c7f71f60034f46e",
    ],
}


@pytest.fixture(scope="module")
def maze():
    return worlds.get("arrow-maze")


def _digest(world, level) -> str:
    return hashlib.sha256(world.format(level).encode()).hexdigest()[:16]


def _cell(level, which):
    i = {"start": k.START_R, "exit": k.EXIT_R, "arrow": k.ARROW_R}[which]
    return int(level.params[i]), int(level.params[i + 1])


@pytest.mark.parametrize("split", ["train", "test"])
def test_existing_levels_are_unchanged(maze, split):
    assert [_digest(maze, maze.sample(seed, split)) for seed in range(5)] == BEFORE[split]
    # naming the default explicitly draws the same levels as leaving it out
    same = [_digest(maze, maze.sample(s, split, match_exit_distance=False)) for s in range(5)]
    assert same == BEFORE[split]


@pytest.mark.parametrize("tolerance", [0.0, 0.1, 0.25])
def test_matched_arrow_is_within_tolerance_of_the_exit_distance(maze, tolerance):
    for seed in range(8):
        level = maze.sample(seed, "test", match_exit_distance=True, distance_tolerance=tolerance)
        to_exit, to_arrow = maze.distance(level, "exit"), maze.distance(level, "arrow")
        assert abs(to_arrow - to_exit) <= tolerance * to_exit
        # the test split's other rules still hold: away from the exit, not reached through it
        arrow = _cell(level, "arrow")
        assert maze.distance(level, "exit", arrow) >= 4
        assert to_arrow != to_exit + maze.distance(level, "exit", arrow)


def test_unmatched_test_arrows_are_nearer_than_the_exit(maze):
    """The gap the option closes: free arrows lie well short of the exit."""
    free = [maze.sample(s, "test") for s in range(12)]
    matched = [maze.sample(s, "test", match_exit_distance=True) for s in range(12)]
    gap = [maze.distance(lv, "exit") - maze.distance(lv, "arrow") for lv in free]
    assert sum(gap) / len(gap) > 10
    for level in matched:
        assert abs(maze.distance(level, "exit") - maze.distance(level, "arrow")) <= 0.1 * maze.distance(
            level, "exit"
        )


def test_matching_is_deterministic_per_seed(maze):
    first = [_digest(maze, maze.sample(s, "test", match_exit_distance=True)) for s in range(4)]
    again = [_digest(maze, maze.sample(s, "test", match_exit_distance=True)) for s in range(4)]
    assert first == again
    assert len(set(first)) == 4


def test_train_levels_keep_the_arrow_on_the_exit(maze):
    for seed in range(4):
        level = maze.sample(seed, "train", match_exit_distance=True)
        assert _cell(level, "arrow") == _cell(level, "exit")


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"distance_tolerance": 1.5}, "distance_tolerance must be a finite number in \\[0, 1\\], got 1.5"),
        ({"distance_tolerance": -0.1}, "distance_tolerance must be a finite number"),
        ({"distance_tolerance": math.nan}, "distance_tolerance must be a finite number"),
        ({"distance_tolerance": "0.1"}, "distance_tolerance must be a finite number"),
        ({"match_exit_distance": "yes"}, "match_exit_distance must be 0 or 1 \\(or a bool\\), got 'yes'"),
        ({"match_exit_distance": 2}, "match_exit_distance must be 0 or 1"),
    ],
)
def test_bad_matching_values_are_refused(maze, overrides, message):
    with pytest.raises(InvalidParameterError, match=message):
        maze.sample(0, "test", **overrides)
    # refused without sampling too (the learning studies check overrides this way)
    with pytest.raises(InvalidParameterError, match=message):
        maze.observation_shape(maze.split_params("test", **overrides))


def test_an_impossible_match_names_the_knobs(maze):
    """No cell of a 7x7 maze is 40 steps from anywhere; the message says which
    knobs to turn, the tolerance among them when matching is on."""
    with pytest.raises(
        InvalidParameterError, match="within 0.1 of the exit's distance.*raise distance_tolerance"
    ):
        maze.sample(0, "test", size=7, match_exit_distance=True, min_arrow_exit_distance=40)
    with pytest.raises(InvalidParameterError, match="lower min_arrow_exit_distance or raise size"):
        maze.sample(0, "test", size=7, min_arrow_exit_distance=40)
