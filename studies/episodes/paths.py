"""Shortest paths of an episode study's levels, and whether a planner's depth
can reach the goal at all.

A level is a deterministic function of (world, split, seed, overrides), so
the report re-samples it rather than the study storing it. The shortest path
is the number of steps from the start to the base objective's goal tile when
walls are all that stand in the way (`worlds.base.World.distance`). Only a
world whose base objective is to reach one kind of tile (arrow-maze: the
exit) has one; other worlds (several goals, continuous states) get None.
A planner whose lookahead (the ``depth`` option, MCTS) is shorter than that
path cannot see the goal from the start: its failure there is not one that
more search would fix.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import worlds
from studies.reporting.formatting import spreadsheet_safe
from worlds import MesabaseError

#: the option that bounds a planner's lookahead in steps
DEPTH_OPTION = "depth"


@functools.lru_cache(maxsize=64)
def _world(name: str):
    try:
        return worlds.get(name)
    except MesabaseError:
        return None


def goal_kinds(world_name: str, objective: str | None = None) -> list[str]:
    """The goal tiles whose shortest paths matter: the base objective's, and
    `objective`'s when it is another tile kind; empty for a continuous world
    or one whose base objective is no single tile kind."""
    world = _world(world_name)
    if world is None or world.continuous or world.base not in world.tile_kinds:
        return []
    return list(dict.fromkeys([world.base, *([objective] if objective in world.tile_kinds else [])]))


@functools.lru_cache(maxsize=4096)
def _shortest_path(world_name: str, split: str, seed: int, overrides: str, goal: str) -> int | None:
    """Cached by the level's identity; `overrides` is its JSON text (hashable)."""
    world = _world(world_name)
    level = world.sample(seed=seed, split=split, **json.loads(overrides))
    steps = world.distance(level, goal)
    return None if steps < 0 else int(steps)


def shortest_path(row: dict[str, Any], goal: str | None = None) -> int | None:
    """Steps from the start of an episode row's level to the nearest `goal`
    tile (default: the base objective's); None where the world has no such
    tile kind (see `goal_kinds`) or none is reachable."""
    kinds = goal_kinds(row["world"], goal)
    goal = kinds[0] if goal is None and kinds else goal
    if goal not in kinds:
        return None
    overrides = json.dumps(row.get("overrides") or {}, sort_keys=True)
    return _shortest_path(row["world"], row["split"], int(row["seed"]), overrides, goal)


def agent_goal(row: dict[str, Any]) -> str | None:
    """The goal tile an episode's agent heads for: its objective when that is
    a tile kind, otherwise the base objective's (None when there is none)."""
    kinds = goal_kinds(row["world"], row["objective"])
    return row["objective"] if row["objective"] in kinds else (kinds[0] if kinds else None)


def level_key(row: dict[str, Any], goal: str | None) -> tuple[str, str, int, str | None]:
    """A level and goal within one study: (world, split, seed, goal tile kind)."""
    return row["world"], row["split"], int(row["seed"]), goal


def level_paths(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, str, int, str | None], int | None]:
    """The shortest path of every level the episode rows played to every goal
    of `goal_kinds` (the base objective's first), by `level_key`; a level of a
    world with none gets one entry, goal None and path None."""
    paths: dict[tuple[str, str, int, str | None], int | None] = {}
    for row in rows:
        for goal in goal_kinds(row["world"], row["objective"]) or [None]:
            key = level_key(row, goal)
            if key not in paths:
                paths[key] = None if goal is None else shortest_path(row, goal)
    return paths


def depth(row: dict[str, Any]) -> int | None:
    """The planner's lookahead in steps (its ``depth`` option), or None."""
    value = (row.get("options") or {}).get(DEPTH_OPTION)
    return int(value) if isinstance(value, int | float) else None


def beyond_depth(row: dict[str, Any], paths: dict) -> bool:
    """True when the planner's depth is below the shortest path from the start
    to its goal (`agent_goal`): the goal is out of its sight at the start,
    whatever its budget."""
    reach, steps = depth(row), paths.get(level_key(row, agent_goal(row)))
    return reach is not None and steps is not None and reach < steps


def _order(item) -> tuple:
    """levels.csv order: world, split, seed, then the base goal first."""
    (world, split, seed, goal), _ = item
    return world, split, seed, goal != (goal_kinds(world) or [None])[0], str(goal)


def write_levels_csv(paths: dict, path: Path) -> Path:
    """levels.csv: world, split, seed, goal (tile kind), base (whether it is
    the base objective's goal), shortest_path (blank where there is none)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["world", "split", "seed", "goal", "base", "shortest_path"])
        for (world, split, seed, goal), steps in sorted(paths.items(), key=_order):
            base = goal is not None and goal == (goal_kinds(world) or [None])[0]
            writer.writerow(
                [
                    spreadsheet_safe(world),
                    spreadsheet_safe(split),
                    seed,
                    goal or "",
                    base,
                    "" if steps is None else steps,
                ]
            )
    return path
