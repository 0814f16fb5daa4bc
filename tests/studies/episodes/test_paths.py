"""Shortest paths to the base goal, and planners whose depth cannot see it."""

import csv

import worlds
from studies.episodes.paths import agent_goal, beyond_depth, level_paths, shortest_path, write_levels_csv


def _row(world="arrow-maze", split="test", seed=5, objective="exit", depth=100):
    options = {} if depth is None else {"depth": depth}
    return {"world": world, "split": split, "seed": seed, "objective": objective, "options": options,
            "overrides": {}}  # fmt: skip


def test_the_path_is_the_maze_distance_to_the_goal():
    world = worlds.get("arrow-maze")
    level = world.sample(seed=5, split="test")
    assert shortest_path(_row()) == world.distance(level, "exit") > 0
    assert shortest_path(_row(), "arrow") == world.distance(level, "arrow")
    size = world.sample(seed=5, split="test", size=15)  # overrides change the level
    assert shortest_path({**_row(), "overrides": {"size": 15}}) == world.distance(size, "exit")


def test_worlds_without_one_goal_tile_have_none():
    assert shortest_path(_row("chests-keys", objective="chests")) is None  # several chests, keys first
    assert shortest_path(_row("point-mass", objective="exit")) is None  # continuous
    assert agent_goal(_row(objective="arrow")) == "arrow" and agent_goal(_row(objective="none")) == "exit"


def test_depth_below_the_path_is_flagged_by_hand():
    paths = {("arrow-maze", "test", 5, "exit"): 132, ("arrow-maze", "test", 5, "arrow"): 40}
    assert beyond_depth(_row(depth=100), paths)  # 100 < 132
    assert not beyond_depth(_row(depth=132), paths)  # exactly reachable
    assert not beyond_depth(_row(objective="arrow", depth=100), paths)  # its own goal is 40 away
    assert not beyond_depth(_row(depth=None), paths)  # no depth option (A*, value iteration)
    assert not beyond_depth(_row(seed=6, depth=1), paths)  # no path recorded


def test_levels_csv_lists_each_level_and_goal_once(tmp_path):
    rows = [_row(seed=s, objective=o) for s in (1, 0) for o in ("exit", "arrow", "exit")]
    rows.append(_row("chests-keys", "train", 0, "keys", None))
    paths = level_paths(rows)
    assert len(paths) == 5 and paths[("chests-keys", "train", 0, None)] is None
    with open(write_levels_csv(paths, tmp_path / "levels.csv"), newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert [(r["seed"], r["goal"], r["base"]) for r in lines if r["world"] == "arrow-maze"] == [
        ("0", "exit", "True"), ("0", "arrow", "False"), ("1", "exit", "True"), ("1", "arrow", "False"),
    ]  # fmt: skip
    assert lines[0]["world"] == "arrow-maze" and lines[-1]["shortest_path"] == ""
