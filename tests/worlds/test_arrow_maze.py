"""The arrow-maze world: generator, text form, heuristic and hand-worked answers.

What every world must do (kernels = reference, keys, text round-trip, the
Gymnasium env, docstring sections) is in tests/worlds/test_world_contract.py."""

import re

import gymnasium as gym
import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import worlds
from tests.levels import BEHIND_EXIT, CORRIDOR, FORK, PILLAR
from worlds import InvalidParameterError, LevelFormatError, UnknownNameError, dispatch
from worlds.arrow_maze import kernels as k
from worlds.mazes import maze_distances

seeds = st.integers(min_value=0, max_value=10_000)
splits = st.sampled_from(["train", "test"])


def cells(level, which):
    i = {"start": k.START_R, "exit": k.EXIT_R, "arrow": k.ARROW_R}[which]
    return int(level.params[i]), int(level.params[i + 1])


# ---- text form ---------------------------------------------------------------


@pytest.mark.parametrize("text", [CORRIDOR, FORK, BEHIND_EXIT, PILLAR])
def test_hand_levels_round_trip_exactly(maze, text):
    level = maze.parse(text)
    assert maze.format(level) == text
    assert maze.parse(maze.format(level)) == level


def test_parse_reads_the_legend(maze):
    level = maze.parse(FORK)
    assert (level.height, level.width) == (5, 7)
    assert cells(level, "start") == (3, 1)
    assert cells(level, "exit") == (3, 5)
    assert cells(level, "arrow") == (1, 1)
    star = maze.parse(CORRIDOR)
    assert cells(star, "exit") == cells(star, "arrow") == (1, 5)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("####\n#S*#\n###\n", "line 3 has 3 characters"),
        ("####\n#Sx#\n####\n", "line 2, column 3: unexpected character 'x'"),
        ("#####\n#S.S*#\n", "line 2 has 6"),
        ("######\n#S.S*#\n######\n", "exactly one start S, found 2"),
        ("#####\n#S.A#\n#####\n", "exactly one exit E or *, found 0"),
        ("#####\n#SE*#\n#####\n", "exactly one exit E or *, found 2"),
    ],
)
def test_malformed_text_names_the_problem(maze, text, message):
    with pytest.raises(LevelFormatError, match=re.escape(message)):
        maze.parse(text)


@given(seed=seeds, split=splits)
def test_sampled_level_text_is_canonical(seed, split):
    # parse(format(level)) == level is in the world contract; here the text itself comes back
    maze = worlds.get("arrow-maze")
    text = maze.format(maze.sample(seed, split))
    assert maze.format(maze.parse(text)) == text


# ---- generator -------------------------------------------------------------


@given(seed=seeds)
def test_train_split_puts_the_arrow_on_the_exit(seed):
    level = worlds.get("arrow-maze").sample(seed, "train")
    assert 7 <= level.height <= 15 and level.height % 2 == 1
    assert cells(level, "arrow") == cells(level, "exit")


@given(seed=seeds)
def test_test_split_moves_the_arrow_off_the_route_through_the_exit(seed):
    level = worlds.get("arrow-maze").sample(seed, "test")
    assert 15 <= level.height <= 31 and level.height % 2 == 1
    walls = level.grid[k.TILES].astype(np.uint8)
    start, exit_, arrow = cells(level, "start"), cells(level, "exit"), cells(level, "arrow")
    from_start = maze_distances(walls, start)
    from_exit = maze_distances(walls, exit_)
    assert arrow != exit_
    assert from_exit[arrow] >= 4
    # the exit is not on the (unique) start -> arrow path of the perfect maze
    assert from_start[exit_] + from_exit[arrow] != from_start[arrow]
    graph = worlds.get("arrow-maze").to_networkx(level)
    assert exit_ not in nx.shortest_path(nx.Graph(graph), start, arrow)


def test_mazes_are_perfect(maze):
    level = maze.sample(5, "test")
    walls = level.grid[k.TILES]
    floor = [tuple(c) for c in np.argwhere(walls == 0)]
    grid = nx.Graph()
    grid.add_nodes_from(floor)
    for r, c in floor:
        for nr, nc in ((r + 1, c), (r, c + 1)):
            if walls[nr, nc] == 0:
                grid.add_edge((r, c), (nr, nc))
    assert nx.is_tree(grid)


def test_same_seed_same_level_and_seeds_differ(maze):
    assert maze.sample(7, "test") == maze.sample(7, "test")
    assert maze.sample(7, "test") != maze.sample(8, "test")
    assert maze.sample(7, "test").seed == 7


def test_overrides_reach_the_generator(maze):
    big = maze.sample(seed=0, split="test", size=101)
    assert (big.height, big.width) == (101, 101)
    mixed = [maze.sample(s, "train", arrow_at_exit_prob=0.5) for s in range(40)]
    on_exit = sum(cells(lv, "arrow") == cells(lv, "exit") for lv in mixed)
    assert 5 < on_exit < 35
    assert maze.sample(0, "test", size=(21, 21)).height == 21


@pytest.mark.parametrize(
    "overrides, error",
    [
        ({"size": 100}, InvalidParameterError),
        ({"size": 3}, InvalidParameterError),
        ({"size": (15, 7)}, InvalidParameterError),
        ({"arrow_at_exit_prob": 1.5}, InvalidParameterError),
        ({"colour": "green"}, InvalidParameterError),
    ],
)
def test_bad_generator_parameters_are_refused(maze, overrides, error):
    with pytest.raises(error):
        maze.sample(0, "test", **overrides)


def test_unknown_split_lists_the_valid_ones(maze):
    with pytest.raises(UnknownNameError, match="valid splits: test, train"):
        maze.sample(0, "validation")


def test_levels_are_immutable(maze):
    level = maze.sample(0)
    with pytest.raises(ValueError):
        level.grid[0, 0, 0] = 5


# ---- the heuristic and hand-worked answers (kernels = reference: tests/worlds/test_world_contract.py)


@given(seed=seeds, split=splits, pick=st.integers(0, 10**6), goal=st.sampled_from(["exit", "arrow"]))
def test_heuristic_is_admissible(seed, split, pick, goal):
    maze = worlds.get("arrow-maze")
    level = maze.sample(seed, split)
    floor = np.argwhere(level.grid[k.TILES] == k.FLOOR)
    state = floor[pick % len(floor)].astype(np.int64)
    mask = np.zeros(len(maze.features))
    mask[maze.feature_index(f"reached_{goal}")] = 1.0
    bound = dispatch.heuristic(maze.world_id, level.grid, level.params, state, mask)
    true_distance = maze_distances(level.grid[k.TILES].astype(np.uint8), cells(level, goal))[tuple(state)]
    assert 0 <= bound <= true_distance


def test_hand_worked_features(maze):
    level = maze.parse(FORK)
    up, right, left = 0, 1, 3
    start = (3, 1)
    after_up = maze.reference_step(level, start, up)
    assert after_up == (2, 1)
    feats = dict(zip(maze.features, maze.reference_features(level, start, up, after_up)))
    # exit: 4 steps from the start, 5 after moving up; arrow: 2 then 1.
    assert feats == {
        "reached_exit": 0.0,
        "reached_arrow": 0.0,
        "exit_progress": -1.0,
        "arrow_progress": 1.0,
        "exit_distance": 5.0,
        "arrow_distance": 1.0,
        "bumped_wall": 0.0,
    }
    assert maze.reference_step(level, start, left) == start
    bumped = dict(zip(maze.features, maze.reference_features(level, start, left, start)))
    assert bumped["bumped_wall"] == 1.0 and bumped["exit_progress"] == 0.0
    into_exit = maze.reference_features(level, (3, 4), right, (3, 5))
    assert into_exit[maze.feature_index("reached_exit")] == 1.0
    assert maze.reference_terminal(level, (3, 5))
    assert maze.reference_step(level, (3, 5), left) == (3, 5)  # the exit is absorbing


def test_state_graph(maze):
    level = maze.parse(FORK)
    graph = maze.to_networkx(level)
    # every floor cell is reachable; the exit has no way out
    assert set(graph.nodes) == {(1, 1), (2, 1), (3, 1), (3, 2), (3, 3), (3, 4), (3, 5)}
    assert graph.out_degree((3, 5)) == 0
    assert graph.edges[(3, 1), (3, 2)]["action"] == 1
    assert nx.shortest_path_length(graph, (3, 1), (3, 5)) == 4


def test_rendering(maze):
    level = maze.parse(FORK)
    plain = maze.render_ansi(level, color=False)
    assert plain == FORK
    assert "\x1b[" in maze.render_ansi(level)
    with_path = maze.render_ansi(level, state=(3, 3), path=[(3, 1), (3, 2), (3, 3)], color=False)
    assert with_path.splitlines()[3] == "#So@.E#"
    image = maze.render_rgb(level, cell=8)
    assert image.shape == (5 * 8, 7 * 8, 3) and image.dtype == np.uint8
    # the arrow cell is drawn differently from plain floor
    assert not np.array_equal(image[8:16, 8:16], image[16:24, 8:16])


def test_env_rewards_follow_the_objective():
    env = gym.make("mesabase/ArrowMaze-v0", objective="arrow", level=FORK)
    env.reset(seed=0)
    _, r1, term1, _, info1 = env.step(0)
    _, r2, term2, _, info2 = env.step(0)
    assert (r1, term1) == (0.0, False)
    assert (r2, term2) == (1.0, True)
    assert info2["rewards"] == {"exit": 0.0, "arrow": 1.0}
