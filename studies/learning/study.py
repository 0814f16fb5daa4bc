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

    [sweep]                         # one learning run per combination
    "overrides.arrow_at_exit_prob" = [1.0, 0.9]
    seed = [0, 1, 2]

Sweep keys are top-level settings (``levels``, ``seed``, ``evaluations``,
``max_steps``, ``optimizer``) or dotted paths into ``planner``, ``prior``,
``overrides`` and ``optimizer_options``. Every run's learned objective lands in
the store's ``learned`` table, and every episode (candidates and evaluations)
in ``episodes``, so a killed study resumes: finished runs are skipped and
unfinished ones replay no episode already stored.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import itertools
import json
from pathlib import Path
from typing import Any

from rich.console import Console

import objectives
import worlds
from studies.core.executors import Executor
from studies.core.kinds import StudyKind, register_kind
from studies.core.runner import open_run, play_cells
from studies.core.spec import StudyError
from studies.core.store import ResultStore
from studies.learning.config import LearnConfig, PlannerSpec, Prior
from studies.learning.fitness import agent_cells
from studies.learning.learn import check_config, learn_objective
from studies.learning.report import write_learning_report
from worlds import MesabaseError

#: the study kind's name, as study files and the store's ``study`` table give it
KIND_NAME = "learn"
REPORTS = ("diversity", "bounded-design", "proxy-preference", "plain")
_KEYS = {
    "name", "description", "kind", "report", "world", "features", "split", "levels", "optimizer",
    "evaluations", "seed", "max_steps", "optimizer_options", "prior", "overrides", "planner", "evaluate",
    "sweep", "candidates", "mixture",
}  # fmt: skip
_EVALUATE_KEYS = {"splits", "levels", "objectives", "scoring", "overrides", "max_steps"}
_SWEEP_ROOTS = {"levels", "seed", "evaluations", "max_steps", "optimizer"}
_SWEEP_PREFIXES = ("planner.", "prior.", "overrides.", "optimizer_options.", "mixture.")


@dataclasses.dataclass(frozen=True)
class LearningRun:
    """One base-optimiser run: its settings (`config`), the sweep values that
    pick it out (`point`) and a key hashed from the config."""

    config: dict[str, Any]
    point: dict[str, Any]

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps(self.config, sort_keys=True).encode()).hexdigest()[:16]


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
    ``--seeds``) replaces the number of evaluation levels."""
    if seeds is not None and isinstance(data.get("evaluate", {}), dict):
        data = {**data, "evaluate": {**data.get("evaluate", {}), "levels": seeds}}
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise StudyError(f"{source}: {unknown[0]}: unknown key; valid keys: {', '.join(sorted(_KEYS))}")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise StudyError(f"{source}: name: expected a non-empty name")
    report = data.get("report", "plain")
    if report not in REPORTS:
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
    sweep = data.get("sweep", {})
    if not isinstance(sweep, dict):
        raise StudyError(f"{source}: sweep: expected a table of setting = [values]")
    for key, values in sweep.items():
        if key not in _SWEEP_ROOTS and not key.startswith(_SWEEP_PREFIXES):
            raise StudyError(
                f"{source}: sweep.{key}: cannot sweep this; sweep {', '.join(sorted(_SWEEP_ROOTS))} "
                f"or a dotted path under {', '.join(p[:-1] for p in _SWEEP_PREFIXES)}"
            )
        if not isinstance(values, list) or not values:
            raise StudyError(f"{source}: sweep.{key}: expected a non-empty list of values")
    runs = []
    for combination in itertools.product(*sweep.values()):
        config = copy.deepcopy(base)
        point = dict(zip(sweep, combination))
        for key, value in point.items():
            _set_path(config, key, value)
        try:
            _validate(config)
        except MesabaseError as error:
            where = ", ".join(f"{k} = {v!r}" for k, v in point.items()) or "the study"
            raise StudyError(f"{source}: {where}: {error}") from None
        runs.append(LearningRun(config, point))
    return LearningStudy(name, str(data.get("description", "")).strip(), source, report, tuple(runs))


def _set_path(config: dict, path: str, value) -> None:
    parts = path.split(".")
    node = config
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _prior(config: dict) -> Prior:
    spec = config.get("prior", {}) or {}
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
    )


def _validate(config: dict) -> None:
    if "world" not in config:
        raise StudyError("world: a learning study needs a world")
    check_config(config["world"], _planner(config), _learn_config(config))
    evaluate = config["evaluate"]
    world = worlds.get(config["world"])
    catalogue = objectives.catalogue(world)
    for name in evaluate.get("objectives", []):
        if name not in catalogue:
            raise StudyError(
                f"evaluate.objectives: unknown objective {name!r}; valid: {', '.join(catalogue)}"
            )
    for split in evaluate.get("splits", []):
        world.split_params(split, **evaluate.get("overrides", {}))
    levels = evaluate.get("levels", 20)
    if isinstance(levels, bool) or not isinstance(levels, int) or levels < 1:
        raise StudyError(f"evaluate.levels: expected a positive integer, got {levels!r}")


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
    with open_run(out_dir, executor, workers, address) as (store, running):
        store.record_info(
            {"name": study.name, "description": study.description, "source": study.source,
             "kind": KIND_NAME, "report": study.report, "runs": str(len(study.runs))}
        )  # fmt: skip
        done = store.learned_keys()
        todo = [run for run in study.runs if run.key not in done]
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
    agents = {"learned": learned.objective, **{n: n for n in evaluate.get("objectives", [])}}
    levels = range(evaluate.get("levels", 20))
    played: dict[str, dict[str, list[str]]] = {}
    cells = []
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
    }


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
    )
)
