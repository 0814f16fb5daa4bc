"""Episode studies (the default kind): a TOML description of an ablation,
expanded into cells (`studies.core.cells.Cell`).

A study is data only; nothing in it is executed. Example::

    name = "arrow-maze"
    description = "A* and MCTS pursue the exit or the green arrow."
    world = "arrow-maze"               # or worlds = [...]
    splits = ["train", "test"]
    objectives = ["exit", "arrow"]     # catalogue names; "none" for a policy without one
    seeds = 8                          # levels 0..seeds-1 of every split
    max_steps = 400                    # optional; default: the world's episode length
    threshold = 0.9                    # the outcome threshold tau
    scoring = "auto"                   # auto, oracle, goal or reference

    [[planners]]
    name = "astar"                     # a name from `mesabase planners`

    [[planners]]
    name = "mcts"
    budgets = [50, 2000]               # one agent per budget
    options = { depth = 100 }         # other constructor arguments
    objectives = ["exit"]              # optional: overrides the study's list

    [overrides.test]                   # optional generator parameters per split
    size = 21

Each cell is one episode: (world, split, seed, planner, budget, options,
objective). Its id is a hash of exactly those values, so the same study always
has the same cells, whatever order they run in.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import objectives
import planners
import worlds
from planners.scoring import check_scoring
from studies.core.cells import NO_OBJECTIVE, Cell
from studies.core.limits import MAX_CELLS, MAX_SEEDS, MAX_STEPS
from studies.core.spec import (
    expect,
    expect_names,
    fail,
    make_planner,
    positive_int,
    reject_non_finite,
    reject_unknown_keys,
    within,
)
from worlds import MesabaseError

_STUDY_KEYS = {
    "name", "description", "world", "worlds", "splits", "objectives", "seeds", "max_steps",
    "threshold", "scoring", "planners", "overrides",
}  # fmt: skip
_PLANNER_KEYS = {"name", "budgets", "options", "objectives", "label"}
_SCORINGS = ("auto", "oracle", "goal", "reference")


@dataclasses.dataclass(frozen=True)
class Study:
    """An episode study: its name and description, the file it came from and
    its cells, in the order the file lists them."""

    name: str
    description: str
    source: str
    cells: tuple[Cell, ...]


@dataclasses.dataclass(frozen=True)
class _Settings:
    """What every cell of a study shares."""

    seeds: int
    max_steps: int | None
    threshold: float
    scoring: str
    overrides: dict[str, dict[str, Any]]


def _settings(source: str, data: dict) -> _Settings:
    seeds = positive_int(source, "seeds", data.get("seeds", 1), MAX_SEEDS)
    max_steps = data.get("max_steps")
    if max_steps is not None:
        positive_int(source, "max_steps", max_steps, MAX_STEPS)
    threshold = data.get("threshold", 0.9)
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 < threshold <= 1:
        raise fail(source, "threshold", f"expected a number in (0, 1], got {threshold!r}")
    scoring = data.get("scoring", "auto")
    if not isinstance(scoring, str) or scoring not in _SCORINGS:
        raise fail(source, "scoring", f"expected one of {', '.join(_SCORINGS)}, got {scoring!r}")
    overrides = expect(source, "overrides", data.get("overrides", {}), dict, "a table of split -> parameters")
    return _Settings(seeds, max_steps, float(threshold), scoring, overrides)


def _worlds(source: str, data: dict) -> list:
    if "world" in data and "worlds" in data:
        raise fail(source, "worlds", "give either world or worlds, not both")
    if "world" not in data and "worlds" not in data:
        raise fail(source, "world", "missing; name the world(s) the study runs in")
    key = "world" if "world" in data else "worlds"
    names = expect_names(source, key, data[key])
    for name in names:
        if name not in worlds.names():
            raise fail(source, key, f"unknown world {name!r}; valid worlds: {', '.join(worlds.names())}")
    return [worlds.get(name) for name in names]


def _splits(source: str, data: dict, world, overrides: dict) -> list[str]:
    splits = expect_names(source, "splits", data.get("splits", list(world.splits)))
    for split in splits:
        if split not in world.splits:
            raise fail(
                source, "splits", f"{world.name} has no split {split!r}; valid: {', '.join(world.splits)}"
            )
    for split, params in overrides.items():
        key = f"overrides.{split}"
        if split not in world.splits or not isinstance(params, dict):
            raise fail(
                source, key, f"expected a table of {world.name} generator parameters for one of its splits"
            )
        try:
            world.sample(0, split, **params)  # checks names and values alike
        except (MesabaseError, TypeError, ValueError, OverflowError) as error:
            raise fail(source, key, " ".join(str(error).split())) from None
    return splits


def _study_objectives(source: str, data: dict) -> list[str] | None:
    """The study's ``objectives`` (None when left out); an empty list is an
    error, as for ``splits``. Each planner that takes them checks the names."""
    if "objectives" not in data:
        return None
    return expect_names(source, "objectives", data["objectives"])


def _check_unused_objectives(source: str, names: list[str] | None, world_list: list) -> None:
    """Refuse an unknown name in the study's ``objectives`` even where every
    planner gives its own list (the planners check the names they use)."""
    for world in world_list:
        for name in names or ():
            if name != NO_OBJECTIVE and name not in objectives.catalogue(world):
                valid = ", ".join([*objectives.catalogue(world), NO_OBJECTIVE])
                raise fail(source, "objectives", f"unknown {world.name} objective {name!r}; valid: {valid}")


@dataclasses.dataclass(frozen=True)
class _Agent:
    planner: str
    budget: int | None
    options: tuple[tuple[str, Any], ...]
    objective: str
    label: str


def _planner_table(source: str, key: str, spec, study_objectives, world) -> tuple[list, list[str], str]:
    """The checked shape of one [[planners]] table: (budgets, objective names, label)."""
    expect(source, key, spec, dict, "a table")
    reject_unknown_keys(source, spec, _PLANNER_KEYS, prefix=f"{key}.")
    name = expect(source, f"{key}.name", spec.get("name"), str, "a planner name")
    if name not in planners.PLANNERS:
        valid = ", ".join(sorted(planners.PLANNERS))
        raise fail(source, f"{key}.name", f"unknown planner {name!r}; valid planners: {valid}")
    budgets = spec.get("budgets", [None])
    if not isinstance(budgets, list) or not budgets:
        raise fail(
            source, f"{key}.budgets", f"expected a non-empty list of positive integers, got {budgets!r}"
        )
    for budget in budgets:
        if budget is not None:
            positive_int(source, f"{key}.budgets", budget)
    objective_names = expect_names(
        source, f"{key}.objectives", spec.get("objectives", study_objectives or [world.base])
    )
    label = expect(source, f"{key}.label", spec.get("label", name), str, "a string")
    if not label.strip():
        raise fail(source, f"{key}.label", "expected a non-empty label")
    return budgets, objective_names, label


def _agents(source: str, key: str, spec, world, study_objectives) -> list[_Agent]:
    """The agents one [[planners]] table describes in `world`: one per budget
    and objective, each checked by the planner itself."""
    budgets, objective_names, label = _planner_table(source, key, spec, study_objectives, world)
    name, options = spec.get("name"), spec.get("options", {})
    agents = []
    for budget in budgets:
        planner = make_planner(source, key, name, budget, options, budget_key=f"{key}.budgets")
        for objective_name in objective_names:
            _check_pair(source, key, planner, name, world, objective_name)
            agents.append(
                _Agent(name, budget, tuple(sorted(options.items())), objective_name,
                       label if budget is None else f"{label} ({budget})")
            )  # fmt: skip
    return agents


def _check_pair(source: str, key: str, planner, name: str, world, objective_name: str) -> None:
    """Let the planner refuse an objective it cannot pursue in `world`."""
    if objective_name == NO_OBJECTIVE:
        if planner.needs_objective:
            raise fail(
                source, f"{key}.objectives",
                f"{name} needs an objective; only the reactive policy takes {NO_OBJECTIVE!r}",
            )  # fmt: skip
        objective = None
    else:
        try:
            objective = objectives.get(world, objective_name)
        except MesabaseError as error:
            raise fail(source, f"{key}.objectives", str(error)) from None
    try:
        planner.check(world, objective)
    except MesabaseError as error:
        raise fail(source, key, f"{name} cannot pursue {objective_name!r} in {world.name}: {error}") from None


def parse(data: dict[str, Any], source: str = "<study>") -> Study:
    """Check a study's data and expand it into cells; errors name `source`,
    the key and what was expected. The study's size is estimated and checked
    against `MAX_CELLS` before any cell is built."""
    reject_unknown_keys(source, data, _STUDY_KEYS)
    reject_non_finite(source, data)
    name = expect(source, "name", data.get("name", Path(source).stem), str, "a string")
    if not name.strip():
        raise fail(source, "name", "expected a non-empty name")
    description = expect(source, "description", data.get("description", ""), str, "a string")
    world_list = _worlds(source, data)
    settings = _settings(source, data)
    study_objectives = _study_objectives(source, data)
    for world in world_list:  # e.g. no exact oracle for a continuous world
        try:
            check_scoring(world, settings.scoring)
        except MesabaseError as error:
            raise fail(source, "scoring", str(error)) from None
    specs = expect(source, "planners", data.get("planners"), list, "an array of [[planners]] tables")
    if not specs:
        raise fail(source, "planners", "expected at least one [[planners]] table")
    splits = {world.name: _splits(source, data, world, settings.overrides) for world in world_list}
    estimate = 0
    for world in world_list:
        for index, spec in enumerate(specs):
            budgets, names, _ = _planner_table(source, f"planners[{index}]", spec, study_objectives, world)
            estimate += len(splits[world.name]) * settings.seeds * len(budgets) * len(names)
    within(source, "seeds", MAX_CELLS, estimate, cells=True)
    cells = []
    for world in world_list:
        for index, spec in enumerate(specs):
            for agent in _agents(source, f"planners[{index}]", spec, world, study_objectives):
                cells += [
                    Cell(
                        world=world.name, split=split, seed=seed, planner=agent.planner, budget=agent.budget,
                        options=agent.options, objective=agent.objective, max_steps=settings.max_steps,
                        threshold=settings.threshold, scoring=settings.scoring,
                        overrides=tuple(sorted(settings.overrides.get(split, {}).items())), label=agent.label,
                    )
                    for split in splits[world.name]
                    for seed in range(settings.seeds)
                ]  # fmt: skip
    _check_unused_objectives(source, study_objectives, world_list)
    if len({cell.id for cell in cells}) != len(cells):
        raise fail(
            source, "planners", "two entries describe the same agent; give each a different budget or options"
        )
    return Study(name, description, source, tuple(cells))
