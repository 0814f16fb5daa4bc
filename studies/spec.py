"""Study files: a TOML description of an ablation, expanded into cells.

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
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

from worlds import MesabaseError

_STUDY_KEYS = {
    "name", "description", "world", "worlds", "splits", "objectives", "seeds", "max_steps",
    "threshold", "scoring", "planners", "overrides",
}  # fmt: skip
_PLANNER_KEYS = {"name", "budgets", "options", "objectives", "label"}
_SCORINGS = ("auto", "oracle", "goal", "reference")
NO_OBJECTIVE = "none"


class StudyError(MesabaseError, ValueError):
    """A study file that cannot be read or does not describe a valid study."""


@dataclasses.dataclass(frozen=True)
class Cell:
    """One episode of a study. `budget` is None for the planner's default."""

    world: str
    split: str
    seed: int
    planner: str
    budget: int | None
    options: tuple[tuple[str, Any], ...]
    objective: str
    max_steps: int | None
    threshold: float
    scoring: str
    overrides: tuple[tuple[str, Any], ...]
    label: str

    @property
    def id(self) -> str:
        """16 hex digits, a hash of every value that shapes the episode."""
        payload = json.dumps(dataclasses.asdict(self), sort_keys=True, default=list)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    @property
    def agent(self) -> str:
        """The agent's label in reports: planner (budget) -> objective."""
        return f"{self.label} -> {self.objective}"

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "options": dict(self.options), "overrides": dict(self.overrides)}


@dataclasses.dataclass(frozen=True)
class Study:
    name: str
    description: str
    source: str
    cells: tuple[Cell, ...]


def _fail(source: str, key: str, message: str) -> StudyError:
    return StudyError(f"{source}: {key}: {message}")


def _expect(source, key, value, kind, what):
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise _fail(source, key, f"expected {what}, got {value!r}")
    return value


def _names(source, key, value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise _fail(source, key, f"expected a name or a non-empty list of names, got {value!r}")
    return value


def load(path_or_name: str | Path, seeds: int | None = None) -> Study:
    """Read a study file, or a built-in study by name (see `builtin_names`);
    `seeds` replaces the file's number of seeds."""
    path = Path(path_or_name)
    if not path.suffix and not path.exists():
        builtin = Path(__file__).parent / "builtin" / f"{path_or_name}.toml"
        if not builtin.exists():
            raise StudyError(
                f"no study file or built-in study {str(path_or_name)!r}; built-in studies: "
                f"{', '.join(builtin_names())}"
            )
        path = builtin
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise StudyError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StudyError(f"{path}: not valid TOML: {error}") from None
    if seeds is not None:
        data["seeds"] = seeds
    return parse(data, source=str(path))


def builtin_names() -> list[str]:
    return sorted(p.stem for p in (Path(__file__).parent / "builtin").glob("*.toml"))


def parse(data: dict[str, Any], source: str = "<study>") -> Study:
    """Check a study's data and expand it into cells."""
    import objectives as objectives_module
    import planners as planners_module
    import worlds as worlds_module

    unknown = set(data) - _STUDY_KEYS
    if unknown:
        raise _fail(source, sorted(unknown)[0], f"unknown key; valid keys: {', '.join(sorted(_STUDY_KEYS))}")
    name = _expect(source, "name", data.get("name", Path(source).stem), str, "a string")
    description = _expect(source, "description", data.get("description", ""), str, "a string")
    if "world" in data and "worlds" in data:
        raise _fail(source, "worlds", "give either world or worlds, not both")
    if "world" not in data and "worlds" not in data:
        raise _fail(source, "world", "missing; name the world(s) the study runs in")
    world_key = "world" if "world" in data else "worlds"
    world_names = _names(source, world_key, data[world_key])
    for world in world_names:
        if world not in worlds_module.names():
            raise _fail(
                source,
                world_key,
                f"unknown world {world!r}; valid worlds: {', '.join(worlds_module.names())}",
            )
    seeds = _expect(source, "seeds", data.get("seeds", 1), int, "a positive integer")
    if seeds < 1:
        raise _fail(source, "seeds", f"expected a positive integer, got {seeds}")
    max_steps = data.get("max_steps")
    if max_steps is not None and (
        not isinstance(max_steps, int) or isinstance(max_steps, bool) or max_steps < 1
    ):
        raise _fail(source, "max_steps", f"expected a positive integer, got {max_steps!r}")
    threshold = data.get("threshold", 0.9)
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 < threshold <= 1:
        raise _fail(source, "threshold", f"expected a number in (0, 1], got {threshold!r}")
    scoring = data.get("scoring", "auto")
    if scoring not in _SCORINGS:
        raise _fail(source, "scoring", f"expected one of {', '.join(_SCORINGS)}, got {scoring!r}")
    overrides = _expect(
        source, "overrides", data.get("overrides", {}), dict, "a table of split -> parameters"
    )
    planner_specs = _expect(source, "planners", data.get("planners"), list, "an array of [[planners]] tables")
    if not planner_specs:
        raise _fail(source, "planners", "expected at least one [[planners]] table")
    study_objectives = data.get("objectives")

    cells = []
    for world_name in world_names:
        world = worlds_module.get(world_name)
        splits = _names(source, "splits", data.get("splits", list(world.splits)))
        for split in splits:
            if split not in world.splits:
                raise _fail(
                    source, "splits", f"{world.name} has no split {split!r}; valid: {', '.join(world.splits)}"
                )
        for split, params in overrides.items():
            if split not in world.splits or not isinstance(params, dict):
                raise _fail(
                    source,
                    f"overrides.{split}",
                    f"expected a table of {world.name} generator parameters for one of its splits",
                )
            try:
                world.sample(0, split, **params)  # checks names and values alike
            except MesabaseError as error:
                raise _fail(source, f"overrides.{split}", str(error)) from None
        for index, spec in enumerate(planner_specs):
            key = f"planners[{index}]"
            _expect(source, key, spec, dict, "a table")
            unknown = set(spec) - _PLANNER_KEYS
            if unknown:
                raise _fail(
                    source,
                    f"{key}.{sorted(unknown)[0]}",
                    f"unknown key; valid keys: {', '.join(sorted(_PLANNER_KEYS))}",
                )
            planner_name = _expect(source, f"{key}.name", spec.get("name"), str, "a planner name")
            if planner_name not in planners_module.PLANNERS:
                raise _fail(
                    source,
                    f"{key}.name",
                    f"unknown planner {planner_name!r}; "
                    f"valid planners: {', '.join(sorted(planners_module.PLANNERS))}",
                )
            budgets = spec.get("budgets", [None])
            if not isinstance(budgets, list) or not budgets:
                raise _fail(
                    source,
                    f"{key}.budgets",
                    f"expected a non-empty list of positive integers, got {budgets!r}",
                )
            options = _expect(
                source, f"{key}.options", spec.get("options", {}), dict, "a table of constructor arguments"
            )
            objective_names = _names(
                source, f"{key}.objectives", spec.get("objectives", study_objectives or [world.base])
            )
            label_base = spec.get("label", planner_name)
            for budget in budgets:
                if budget is not None and (
                    not isinstance(budget, int) or isinstance(budget, bool) or budget < 1
                ):
                    raise _fail(source, f"{key}.budgets", f"expected positive integers, got {budget!r}")
                try:
                    planner = planners_module.make(planner_name, budget, **options)
                except TypeError as error:
                    raise _fail(source, f"{key}.options", str(error)) from None
                except MesabaseError as error:
                    raise _fail(source, f"{key}.budgets", str(error)) from None
                for objective_name in objective_names:
                    if objective_name == NO_OBJECTIVE:
                        if getattr(planner, "needs_objective", True):
                            raise _fail(
                                source,
                                f"{key}.objectives",
                                f"{planner_name} needs an objective; "
                                f"only the reactive policy takes {NO_OBJECTIVE!r}",
                            )
                        objective = None
                    else:
                        try:
                            objective = objectives_module.get(world, objective_name)
                        except MesabaseError as error:
                            raise _fail(source, f"{key}.objectives", str(error)) from None
                    try:
                        planner.check(world, objective)
                    except MesabaseError as error:
                        raise _fail(
                            source,
                            key,
                            f"{planner_name} cannot pursue {objective_name!r} in {world.name}: {error}",
                        ) from None
                    label = label_base if budget is None else f"{label_base} ({budget})"
                    for split in splits:
                        for seed in range(seeds):
                            cells.append(
                                Cell(
                                    world=world.name, split=split, seed=seed, planner=planner_name,
                                    budget=budget, options=tuple(sorted(options.items())),
                                    objective=objective_name, max_steps=max_steps,
                                    threshold=float(threshold), scoring=scoring,
                                    overrides=tuple(sorted(overrides.get(split, {}).items())), label=label,
                                )
                            )  # fmt: skip
    ids = [cell.id for cell in cells]
    if len(set(ids)) != len(ids):
        raise _fail(
            source, "planners", "two entries describe the same agent; give each a different budget or options"
        )
    return Study(name, description, source, tuple(cells))
