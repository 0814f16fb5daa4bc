"""Learning studies: the base optimiser run over a grid of settings, each
learned objective then played on held-out splits.

A learning study is a TOML file with ``kind = "learn"``::

    name = "diversity"
    kind = "learn"
    report = "diversity"            # which report section: diversity,
                                    # bounded-design, proxy-preference or plain
    world = "arrow-maze"
    features = ["reached_exit", "reached_arrow"]   # optional
    levels = 50                     # training levels (seeds 0..levels-1)
    optimizer = "cma"               # candidates, random, cma or gradient
    evaluations = 24
    seed = 0
    max_steps = 150                 # optional episode cap
    terminal = "rewarded"           # which features end a candidate's episode:
                                    # "rewarded" (default: a goal feature the
                                    # candidate weights positively), "base" (the
                                    # base objective's goals only), "none", or a
                                    # list of feature names (`objectives.terminal`)
    optimizer_options = { popsize = 6 }
    prior = { l1 = 0.0, nonzero = 0.0, cost = { reached_arrow = 0.1 } }
    overrides = { arrow_at_exit_prob = 1.0 }      # training generator parameters
    mixture = { fraction = 0.1, overrides = { arrow_at_exit_prob = 0.0 } }
                                    # an exact fraction of the training levels
                                    # sampled with these overrides as well

    [planner]
    name = "value-iteration"        # with optional budget and options

    [evaluate]                      # where each learned objective is played
    splits = ["test"]
    levels = 30
    objectives = ["exit", "arrow"]  # catalogue agents played next to it
    scoring = "goal"
    max_steps = 400                 # optional; default: the world's episode length
    held_out = 30                   # optional; default: as many as the training levels

    [sweep]                         # one learning run per combination
    "overrides.arrow_at_exit_prob" = [1.0, 0.9]
    seed = [0, 1, 2]

Sweep keys are top-level settings (``levels``, ``seed``, ``evaluations``,
``max_steps``, ``optimizer``, ``terminal``) or dotted paths into ``planner``, ``prior``,
``overrides`` and ``optimizer_options``. Every run's learned objective lands in
the store's ``learned`` table, and every episode (candidates and evaluations)
in ``episodes``, so a killed study resumes: finished runs are skipped and
unfinished ones replay no episode already stored.

Held-out scoring: besides the evaluation splits, every run plays its learned
objective and the base objective on ``evaluate.held_out`` fresh levels of its
training distribution (`studies.learning.heldout`: the training split,
overrides and mixture fraction, seeds after the largest training seed), so the
report can set the in-sample training score beside one on levels selection
never saw. The base objective is also played on every evaluation split, so the
two are compared on the same levels. A finished run stored before held-out
scoring existed gets its held-out episodes on the next run of its study.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import itertools
import json
import math
from pathlib import Path
from typing import Any

from rich.console import Console

import objectives
import worlds
from planners.scoring import check_scoring
from studies.core.executors import Executor
from studies.core.kinds import StudyKind, register_kind
from studies.core.limits import MAX_CELLS, MAX_LEVELS, MAX_RUNS, MAX_STEPS
from studies.core.runner import open_run, play_cells
from studies.core.spec import (
    StudyError,
    expect,
    expect_names,
    make_planner,
    reject_non_finite,
    reject_unknown_keys,
    within,
)
from studies.core.store import ResultStore
from studies.learning.config import LearnConfig, PlannerSpec, Prior, check_features, counted_int, levels_seeds
from studies.learning.fitness import agent_cells
from studies.learning.heldout import held_out_count, held_out_levels
from studies.learning.learn import check_config, learn_objective
from studies.learning.report import write_learning_report
from worlds import MesabaseError

#: the study kind's name, as study files and the store's ``study`` table give it
KIND_NAME = "learn"
REPORTS = ("diversity", "bounded-design", "proxy-preference", "plain")
_KEYS = {
    "name", "description", "kind", "report", "world", "features", "split", "levels", "optimizer",
    "evaluations", "seed", "max_steps", "optimizer_options", "prior", "overrides", "planner", "evaluate",
    "sweep", "candidates", "mixture", "terminal",
}  # fmt: skip
_EVALUATE_KEYS = {"splits", "levels", "objectives", "scoring", "overrides", "max_steps", "held_out"}
_SWEEP_ROOTS = {"levels", "seed", "evaluations", "max_steps", "optimizer", "terminal"}
_SWEEP_PREFIXES = ("planner.", "prior.", "overrides.", "optimizer_options.", "mixture.")


@dataclasses.dataclass(frozen=True)
class LearningRun:
    """One base-optimiser run: its settings (`config`), the sweep values that
    pick it out (`point`) and a key hashed from the config. The default
    terminal rule is left out of the hash, so a study that names it has the
    keys of one that does not (and of every run stored before it was an option)."""

    config: dict[str, Any]
    point: dict[str, Any]

    @property
    def key(self) -> str:
        config = self.config
        if config.get("terminal", objectives.DEFAULT_TERMINAL) == objectives.DEFAULT_TERMINAL:
            config = {k: v for k, v in config.items() if k != "terminal"}
        return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:16]


@dataclasses.dataclass(frozen=True)
class LearningStudy:
    name: str
    description: str
    source: str
    report: str
    runs: tuple[LearningRun, ...]


def parse(data: dict[str, Any], source: str, seeds: int | None = None) -> LearningStudy:
    """A `LearningStudy` from the TOML `data`; raises `StudyError` naming the
    file and key of the first problem. `seeds` (the command line's
    ``--seeds``) replaces the number of evaluation levels. The study's size
    (runs, then episodes) is checked against its limits before it is expanded."""
    if seeds is not None and isinstance(data.get("evaluate", {}), dict):
        data = {**data, "evaluate": {**data.get("evaluate", {}), "levels": seeds}}
    reject_unknown_keys(source, data, _KEYS)
    reject_non_finite(source, data)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise StudyError(f"{source}: name: expected a non-empty name")
    expect(source, "description", data.get("description", ""), str, "a string")
    report = data.get("report", "plain")
    if not isinstance(report, str) or report not in REPORTS:
        raise StudyError(f"{source}: report: unknown report {report!r}; valid: {', '.join(REPORTS)}")
    base = {k: v for k, v in data.items() if k not in ("name", "description", "kind", "report", "sweep")}
    base.setdefault("planner", {})
    base.setdefault("evaluate", {})
    if not isinstance(base["planner"], dict) or "name" not in base["planner"]:
        raise StudyError(f'{source}: planner: expected a table with a name, e.g. [planner] name = "mcts"')
    evaluate = base["evaluate"]
    if not isinstance(evaluate, dict) or set(evaluate) - _EVALUATE_KEYS:
        raise StudyError(
            f"{source}: evaluate: expected a table with keys {', '.join(sorted(_EVALUATE_KEYS))}"
        )
    sweep = expect(source, "sweep", data.get("sweep", {}), dict, "a table of setting = [values]")
    for key, values in sweep.items():
        if key not in _SWEEP_ROOTS and not key.startswith(_SWEEP_PREFIXES):
            raise StudyError(
                f"{source}: sweep.{key}: cannot sweep this; sweep {', '.join(sorted(_SWEEP_ROOTS))} "
                f"or a dotted path under {', '.join(p[:-1] for p in _SWEEP_PREFIXES)}"
            )
        if not isinstance(values, list) or not values:
            raise StudyError(f"{source}: sweep.{key}: expected a non-empty list of values")
    within(source, "sweep", MAX_RUNS, math.prod(len(values) for values in sweep.values()))
    _validate_file_values(source, base, sweep)
    runs, episodes = [], 0
    for combination in itertools.product(*sweep.values()):
        config = copy.deepcopy(base)
        point = dict(zip(sweep, combination))
        for key, value in point.items():
            _set_path(source, config, key, value)
        try:
            _validate(config)
        except MesabaseError as error:
            where = ", ".join(f"{k} = {v!r}" for k, v in point.items())
            raise StudyError(f"{source}: {where}: {error}" if where else f"{source}: {error}") from None
        runs.append(LearningRun(config, point))
        episodes += _episodes(config)
    within(source, "sweep" if sweep else "evaluations", MAX_CELLS, episodes, cells=True)
    return LearningStudy(name, str(data.get("description", "")).strip(), source, report, tuple(runs))


def _validate_file_values(source: str, base: dict, sweep: dict) -> None:
    """Check the values the file gives outside its sweep, even those the sweep
    replaces in every run (a bad value is an error wherever it stands): the
    settings as written, with each swept key the file leaves out set to its
    first sweep value."""
    if not sweep:
        return  # the only run is the file's own values, checked as that run
    config = copy.deepcopy(base)
    for key, values in sweep.items():
        if not _has_path(config, key):
            _set_path(source, config, key, values[0])
    try:
        _validate(config)
    except MesabaseError as error:
        raise StudyError(f"{source}: {error}") from None


def _has_path(config: dict, path: str) -> bool:
    node = config
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _set_path(source: str, config: dict, path: str, value) -> None:
    parts = path.split(".")
    node = config
    for depth, part in enumerate(parts[:-1]):
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            where = ".".join(parts[: depth + 1])
            raise StudyError(
                f"{source}: sweep.{path}: {where} is not a table, so it has no {parts[depth + 1]}"
            )
    node[parts[-1]] = value


def _prior(config: dict) -> Prior:
    spec = config.get("prior", {})
    if not isinstance(spec, dict):
        raise StudyError(f"prior: expected a table, got {spec!r}")
    try:
        return Prior(**spec)
    except TypeError as error:
        raise StudyError(f"prior: {error}; valid keys: l1, nonzero, cost, tolerance") from None


def _planner(config: dict) -> PlannerSpec:
    planner = config["planner"]
    return PlannerSpec.of(planner["name"], planner.get("budget"), planner.get("options", {}))


def _learn_config(config: dict) -> LearnConfig:
    """The base optimiser's `LearnConfig` of one run's settings."""
    return LearnConfig(
        features=config.get("features"),
        split=config.get("split", "train"),
        levels=config.get("levels", 20),
        overrides=config.get("overrides", {}),
        mixture=config.get("mixture"),
        optimizer=config.get("optimizer", "cma"),
        evaluations=config.get("evaluations", 40),
        candidates=config.get("candidates"),
        optimizer_options=config.get("optimizer_options", {}),
        prior=_prior(config),
        seed=config.get("seed", 0),
        max_steps=config.get("max_steps"),
        terminal=config.get("terminal", objectives.DEFAULT_TERMINAL),
    )


def _validate(config: dict) -> None:
    """Check one run's settings, each error led by its key path."""
    world = _world(config)
    _check_planner_table(config["planner"])
    learn_config = _learn_config(config)
    if learn_config.features is not None:
        _keyed("features", check_features, world, learn_config.features)
    split = learn_config.split
    if split not in world.splits:
        raise StudyError(f"split: {world.name} has no split {split!r}; valid: {', '.join(world.splits)}")
    _keyed("overrides", generator_params, world, split, learn_config.overrides)
    if learn_config.mixture is not None:
        mixed = {**learn_config.overrides, **learn_config.mixture["overrides"]}
        _keyed("mixture.overrides", generator_params, world, split, mixed)
    check_config(world.name, _planner(config), learn_config)
    _validate_evaluate(world, config["evaluate"])
    _keyed("evaluate.held_out", _held_out, config)


def _world(config: dict):
    if "world" not in config:
        raise StudyError("world: a learning study needs a world")
    name = config["world"]
    if not isinstance(name, str) or name not in worlds.names():
        raise StudyError(f"world: unknown world {name!r}; valid worlds: {', '.join(worlds.names())}")
    return worlds.get(name)


def _check_planner_table(planner: dict) -> None:
    """The [planner] table's keys and values, built once so that the planner's own checks run now."""
    unknown = sorted(set(planner) - {"name", "budget", "options"})
    if unknown:
        raise StudyError(f"planner.{unknown[0]}: unknown key; valid keys: budget, name, options")
    budget = planner.get("budget")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 1):
        raise StudyError(f"planner.budget: expected a positive integer, got {budget!r}")
    make_planner("", "planner", planner["name"], budget, planner.get("options", {}))


def _validate_evaluate(world, evaluate: dict) -> None:
    """The [evaluate] table: where each learned objective is played."""
    splits = expect_names("", "evaluate.splits", evaluate["splits"]) if "splits" in evaluate else []
    for split in splits:
        if split not in world.splits:
            raise StudyError(
                f"evaluate.splits: {world.name} has no split {split!r}; valid: {', '.join(world.splits)}"
            )
    names = (
        expect_names("", "evaluate.objectives", evaluate["objectives"]) if "objectives" in evaluate else []
    )
    catalogue = objectives.catalogue(world)
    for name in names:
        if name not in catalogue:
            raise StudyError(
                f"evaluate.objectives: unknown objective {name!r}; valid: {', '.join(catalogue)}"
            )
    scoring = evaluate.get("scoring", "auto")
    if not isinstance(scoring, str):
        raise StudyError(f"evaluate.scoring: expected a scoring name, got {scoring!r}")
    _keyed("evaluate.scoring", check_scoring, world, scoring)
    overrides = expect("", "evaluate.overrides", evaluate.get("overrides", {}), dict, "a table")
    for split in splits:
        _keyed("evaluate.overrides", generator_params, world, split, overrides)
    levels = evaluate.get("levels", 20)
    if isinstance(levels, bool) or not isinstance(levels, int) or levels < 1:
        raise StudyError(f"evaluate.levels: expected a positive integer, got {levels!r}")
    _keyed("evaluate.levels", counted_int, "levels", levels, MAX_LEVELS)
    if evaluate.get("max_steps") is not None:
        _keyed("evaluate.max_steps", counted_int, "max_steps", evaluate["max_steps"], MAX_STEPS)
    if evaluate.get("held_out") is not None:
        _keyed("evaluate.held_out", counted_int, "held_out", evaluate["held_out"], MAX_LEVELS)


def generator_params(world, split: str, overrides: dict) -> dict:
    """`split`'s generator parameters with `overrides`, their names and values
    checked (through the observation shape they give) without sampling a level."""
    params = world.split_params(split, **overrides)
    try:
        world.observation_shape(params)
    except NotImplementedError:  # a world without a grid observation: sample one level instead
        world.sample(0, split, **overrides)
    return params


def _keyed(key: str, check, *args, **kwargs):
    """``check(*args, **kwargs)``, its error (the project's, or a library's
    type or value error caused by the study's values) led by `key`."""
    try:
        return check(*args, **kwargs)
    except (MesabaseError, TypeError, ValueError, OverflowError) as error:
        raise StudyError(f"{key}: {' '.join(str(error).split())}") from None


def _held_out(config: dict) -> tuple[tuple[int, ...], list[dict]]:
    """One run's held-out level seeds and their overrides (`studies.learning.heldout`)."""
    levels = config.get("levels", 20)
    count = held_out_count(levels, config["evaluate"].get("held_out"))
    return held_out_levels(levels, count, config.get("overrides", {}), config.get("mixture"))


def _episodes(config: dict) -> int:
    """A rough count of the episodes one run plays: every candidate on every
    training level, the base objective there, the evaluation agents (the
    base objective among them) and the two agents on the held-out levels."""
    optimizer = config.get("optimizer", "cma")
    candidates = {
        "candidates": len(config.get("candidates") or ()), "gradient": 2,
    }.get(optimizer, config.get("evaluations", 40))  # fmt: skip
    training = len(levels_seeds(config.get("levels", 20)))
    evaluate = config["evaluate"]
    agents = 1 + len({worlds.get(config["world"]).base, *evaluate.get("objectives", [])})
    held_out = 2 * held_out_count(config.get("levels", 20), evaluate.get("held_out"))
    return (
        (candidates + 1) * training
        + len(evaluate.get("splits", [])) * agents * evaluate.get("levels", 20)
        + held_out
    )


def run_learning(
    study: LearningStudy,
    out_dir: str | Path,
    executor: str = "process",
    workers: int | None = None,
    address: str | None = None,
    console: Console | None = None,
    progress: bool = True,
) -> dict[str, int]:
    """Run every unfinished learning run of `study` into ``out_dir/results.sqlite``.

    Returns counts: ``runs``, ``already`` (finished before), ``learned``.
    """
    console = console or Console()
    with open_run(out_dir, executor, workers, address, study=study, kind=KIND_NAME) as (store, running):
        store.record_info(
            {"name": study.name, "description": study.description, "source": study.source,
             "kind": KIND_NAME, "report": study.report, "runs": str(len(study.runs))}
        )  # fmt: skip
        done = store.learned_keys()
        todo = [run for run in study.runs if run.key not in done]
        _score_held_out_of_old_runs(study, store, running, console, progress)
        for number, run in enumerate(todo, 1):
            where = ", ".join(f"{k} = {v}" for k, v in run.point.items()) or "the only run"
            if progress:
                console.print(f"[bold]{study.name}[/] run {number}/{len(todo)}: {where}")
            store.write_learned(
                run.key, learn_and_evaluate(run, store, study.name, running, console, progress)
            )
    return {"runs": len(study.runs), "already": len(study.runs) - len(todo), "learned": len(todo)}


def learn_and_evaluate(
    run: LearningRun, store: ResultStore, name: str, executor: Executor, console: Console, progress: bool
) -> dict[str, Any]:
    """One run: learn the objective, then play it (and the catalogue agents
    named in ``evaluate.objectives``) on the evaluation splits. Returns the
    ``learned`` table's payload."""
    config = run.config
    planner = _planner(config)
    learned = learn_objective(
        config["world"], planner, _learn_config(config), store=store, study=name, executor=executor,
        console=console, progress=progress,
    )  # fmt: skip
    evaluate = config["evaluate"]
    base = worlds.get(config["world"]).base
    agents = {"learned": learned.objective, base: base, **{n: n for n in evaluate.get("objectives", [])}}
    levels = range(evaluate.get("levels", 20))
    played: dict[str, dict[str, list[str]]] = {}
    held_out, cells = _held_out_cells(config, learned.objective)
    for split in evaluate.get("splits", []):
        for label, objective in agents.items():
            batch = agent_cells(
                learned.world, planner, objective, split, levels, evaluate.get("overrides", {}),
                evaluate.get("max_steps"), evaluate.get("scoring", "auto"),
            )  # fmt: skip
            played.setdefault(split, {})[label] = [c.id for c in batch]
            cells += batch
    play_cells(store, name, cells, executor, console, progress)
    return {
        "point": run.point,
        "config": config,
        "weights": learned.weights,
        "objective": learned.objective.to_json(),
        "train_score": learned.train_score,
        "train_scores": list(learned.train_scores),
        "base_score": learned.base_score,
        "base_scores": list(learned.base_scores),
        "initial_score": learned.initial_score,
        "fitness": learned.fitness,
        "history": [e.as_dict() for e in learned.history],
        "evaluations": played,
        "held_out": held_out,
    }


def _held_out_cells(config: dict, objective: objectives.Objective) -> tuple[dict[str, Any], list]:
    """(the payload's ``held_out`` entry, its cells): the learned `objective`
    and the base objective on the run's held-out levels, played as in
    training (split, episode cap and scoring)."""
    world = worlds.get(config["world"])
    seeds, overrides = _held_out(config)
    split = config.get("split", "train")
    episodes, cells = {}, []
    for label, agent in (("learned", objective), (world.base, world.base)):
        batch = agent_cells(world, _planner(config), agent, split, seeds, overrides,
                            config.get("max_steps"), "goal")  # fmt: skip
        episodes[label] = [c.id for c in batch]
        cells += batch
    return {"split": split, "levels": list(seeds), "episodes": episodes}, cells


def _score_held_out_of_old_runs(
    study: LearningStudy, store: ResultStore, executor: Executor, console: Console, progress: bool
) -> None:
    """Play the held-out levels of finished runs stored before held-out
    scoring existed, and add them to their payloads."""
    finished = {LearningRun(p["config"], p["point"]).key: p for p in store.learned()}
    old = [(r, finished[r.key]) for r in study.runs if "held_out" not in finished.get(r.key, {"held_out": 1})]
    if not old:
        return
    if progress:
        console.print(f"{study.name}: scoring {len(old)} finished run(s) on held-out levels")
    cells, entries = [], []
    for run, payload in old:
        entry, batch = _held_out_cells(run.config, objectives.Objective.from_json(payload["objective"]))
        entries.append(entry)
        cells += batch
    play_cells(store, study.name, cells, executor, console, progress)
    for (run, payload), entry in zip(old, entries):
        store.write_learned(run.key, {**payload, "held_out": entry})


def _headline(study: LearningStudy, out: Path) -> str:
    return f"learning study [bold]{study.name}[/]: {len(study.runs)} runs -> {Path(out) / 'results.sqlite'}"


def _describe_counts(counts) -> str:
    return (
        f"{counts['learned']} run(s) learned, {counts['already']} already finished, {counts['runs']} in all"
    )


#: the ``learn`` study kind (`studies.core.kinds`)
KIND = register_kind(
    StudyKind(
        name=KIND_NAME,
        description="the base optimiser selects a fixed planner's objective, then plays it off-distribution",
        parse=parse,
        run=run_learning,
        report=write_learning_report,
        headline=_headline,
        describe_counts=_describe_counts,
        unit="optimiser seed",
    )
)
