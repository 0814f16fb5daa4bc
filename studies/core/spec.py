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


def cell_objective(world, text: str):
    """The objective a cell's ``objective`` field names: a catalogue name,
    ``"none"`` (no objective: None) or an objective's JSON (`Objective.to_json`),
    as the base optimiser's candidates are stored."""
    import objectives

    if text == NO_OBJECTIVE:
        return None
    if text.startswith("{"):
        return objectives.Objective.from_json(text)
    return objectives.get(world, text)


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


def load(path_or_name: str | Path, seeds: int | None = None):
    """Read a study file, or a built-in study by name (see `builtin_names`);
    `seeds` replaces the file's number of seeds. A file with ``kind = "learn"``
    is a learning study (`studies.learning.study.LearningStudy`), one with ``kind =
    "analysis"`` an `studies.analysis.study.AnalysisStudy`; others are a `Study`."""
    path = Path(path_or_name)
    if not path.suffix and not path.exists():
        builtin = Path(__file__).parent.parent / "builtin" / f"{path_or_name}.toml"
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
    kind = data.pop("kind", "episodes")
    if kind == "learn":
        from studies.learning import study as learning

        if seeds is not None:  # for a learning study: the evaluation levels
            data.setdefault("evaluate", {})["levels"] = seeds
        data["kind"] = kind
        return learning.parse(data, source=str(path))
    if kind == "analysis":
        from studies.analysis import study as revealed

        if seeds is not None:
            data["seeds"] = seeds
        return revealed.parse(data, source=str(path))
    if kind != "episodes":
        raise StudyError(
            f"{path}: kind: unknown study kind {kind!r}; valid: episodes (the default), learn, analysis"
        )
    if seeds is not None:
        data["seeds"] = seeds
    return parse(data, source=str(path))


def builtin_names() -> list[str]:
    return sorted(p.stem for p in (Path(__file__).parent.parent / "builtin").glob("*.toml"))


def _positive_int(source: str, key: str, value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _fail(source, key, f"expected a positive integer, got {value!r}")
    return value


def _unknown_keys(source: str, data: dict, valid: set[str], prefix: str = "") -> None:
    unknown = set(data) - valid
    if unknown:
        raise _fail(
            source, prefix + sorted(unknown)[0], f"unknown key; valid keys: {', '.join(sorted(valid))}"
        )


@dataclasses.dataclass(frozen=True)
class _Settings:
    """What every cell of a study shares."""

    seeds: int
    max_steps: int | None
    threshold: float
    scoring: str
    overrides: dict[str, dict[str, Any]]


def _settings(source: str, data: dict) -> _Settings:
    seeds = _positive_int(source, "seeds", data.get("seeds", 1))
    max_steps = data.get("max_steps")
    if max_steps is not None:
        _positive_int(source, "max_steps", max_steps)
    threshold = data.get("threshold", 0.9)
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 < threshold <= 1:
        raise _fail(source, "threshold", f"expected a number in (0, 1], got {threshold!r}")
    scoring = data.get("scoring", "auto")
    if scoring not in _SCORINGS:
        raise _fail(source, "scoring", f"expected one of {', '.join(_SCORINGS)}, got {scoring!r}")
    overrides = _expect(
        source, "overrides", data.get("overrides", {}), dict, "a table of split -> parameters"
    )
    return _Settings(seeds, max_steps, float(threshold), scoring, overrides)


def _worlds(source: str, data: dict) -> list:
    import worlds

    if "world" in data and "worlds" in data:
        raise _fail(source, "worlds", "give either world or worlds, not both")
    if "world" not in data and "worlds" not in data:
        raise _fail(source, "world", "missing; name the world(s) the study runs in")
    key = "world" if "world" in data else "worlds"
    names = _names(source, key, data[key])
    for name in names:
        if name not in worlds.names():
            raise _fail(source, key, f"unknown world {name!r}; valid worlds: {', '.join(worlds.names())}")
    return [worlds.get(name) for name in names]


def _splits(source: str, data: dict, world, overrides: dict) -> list[str]:
    splits = _names(source, "splits", data.get("splits", list(world.splits)))
    for split in splits:
        if split not in world.splits:
            raise _fail(
                source, "splits", f"{world.name} has no split {split!r}; valid: {', '.join(world.splits)}"
            )
    for split, params in overrides.items():
        key = f"overrides.{split}"
        if split not in world.splits or not isinstance(params, dict):
            raise _fail(
                source, key, f"expected a table of {world.name} generator parameters for one of its splits"
            )
        try:
            world.sample(0, split, **params)  # checks names and values alike
        except MesabaseError as error:
            raise _fail(source, key, str(error)) from None
    return splits


@dataclasses.dataclass(frozen=True)
class _Agent:
    planner: str
    budget: int | None
    options: tuple[tuple[str, Any], ...]
    objective: str
    label: str


def _agents(source: str, key: str, spec, world, study_objectives) -> list[_Agent]:
    """The agents one [[planners]] table describes in `world`: one per budget
    and objective, each checked by the planner itself."""
    import planners

    _expect(source, key, spec, dict, "a table")
    _unknown_keys(source, spec, _PLANNER_KEYS, prefix=f"{key}.")
    name = _expect(source, f"{key}.name", spec.get("name"), str, "a planner name")
    if name not in planners.PLANNERS:
        valid = ", ".join(sorted(planners.PLANNERS))
        raise _fail(source, f"{key}.name", f"unknown planner {name!r}; valid planners: {valid}")
    budgets = spec.get("budgets", [None])
    if not isinstance(budgets, list) or not budgets:
        raise _fail(
            source, f"{key}.budgets", f"expected a non-empty list of positive integers, got {budgets!r}"
        )
    options = _expect(
        source, f"{key}.options", spec.get("options", {}), dict, "a table of constructor arguments"
    )
    objective_names = _names(
        source, f"{key}.objectives", spec.get("objectives", study_objectives or [world.base])
    )
    label = _expect(source, f"{key}.label", spec.get("label", name), str, "a string")
    agents = []
    for budget in budgets:
        if budget is not None:
            _positive_int(source, f"{key}.budgets", budget)
        try:
            planner = planners.make(name, budget, **options)
        except TypeError as error:
            raise _fail(source, f"{key}.options", str(error)) from None
        except MesabaseError as error:
            raise _fail(source, f"{key}.budgets", str(error)) from None
        for objective_name in objective_names:
            _check_pair(source, key, planner, name, world, objective_name)
            agents.append(
                _Agent(name, budget, tuple(sorted(options.items())), objective_name,
                       label if budget is None else f"{label} ({budget})")
            )  # fmt: skip
    return agents


def _check_pair(source: str, key: str, planner, name: str, world, objective_name: str) -> None:
    """Let the planner refuse an objective it cannot pursue in `world`."""
    import objectives

    if objective_name == NO_OBJECTIVE:
        if getattr(planner, "needs_objective", True):
            raise _fail(
                source, f"{key}.objectives",
                f"{name} needs an objective; only the reactive policy takes {NO_OBJECTIVE!r}",
            )  # fmt: skip
        objective = None
    else:
        try:
            objective = objectives.get(world, objective_name)
        except MesabaseError as error:
            raise _fail(source, f"{key}.objectives", str(error)) from None
    try:
        planner.check(world, objective)
    except MesabaseError as error:
        raise _fail(
            source, key, f"{name} cannot pursue {objective_name!r} in {world.name}: {error}"
        ) from None


def parse(data: dict[str, Any], source: str = "<study>") -> Study:
    """Check a study's data and expand it into cells; errors name `source`,
    the key and what was expected."""
    _unknown_keys(source, data, _STUDY_KEYS)
    name = _expect(source, "name", data.get("name", Path(source).stem), str, "a string")
    description = _expect(source, "description", data.get("description", ""), str, "a string")
    worlds = _worlds(source, data)
    settings = _settings(source, data)
    specs = _expect(source, "planners", data.get("planners"), list, "an array of [[planners]] tables")
    if not specs:
        raise _fail(source, "planners", "expected at least one [[planners]] table")
    cells = []
    for world in worlds:
        splits = _splits(source, data, world, settings.overrides)
        for index, spec in enumerate(specs):
            for agent in _agents(source, f"planners[{index}]", spec, world, data.get("objectives")):
                cells += [
                    Cell(
                        world=world.name, split=split, seed=seed, planner=agent.planner, budget=agent.budget,
                        options=agent.options, objective=agent.objective, max_steps=settings.max_steps,
                        threshold=settings.threshold, scoring=settings.scoring,
                        overrides=tuple(sorted(settings.overrides.get(split, {}).items())), label=agent.label,
                    )
                    for split in splits
                    for seed in range(settings.seeds)
                ]  # fmt: skip
    if len({cell.id for cell in cells}) != len(cells):
        raise _fail(
            source, "planners", "two entries describe the same agent; give each a different budget or options"
        )
    return Study(name, description, source, tuple(cells))
