"""Analysis studies: revealed objectives and the planner/objective
non-identifiability demo (DESIGN.md sections 1 and 6).

A study file with ``kind = "analysis"`` names one of two analyses:

- ``revealed``: every agent of the named episode studies (by default the
  built-in ``arrow-maze`` and ``chests-keys``, the reactive key-seeker
  included) plays seeded levels of each split; IRL (`studies.analysis.irl`) fits the
  objective that explains its episodes; the report gives that revealed
  objective's EPIC distance (`studies.analysis.epic`) to the base objective and to each
  proxy, the agent's capability measured under it, and, for agents with an
  objective, the swap decomposition of its base-score gap (`studies.analysis.swap`).
- ``non-identifiability``: a depth-limited planner (value iteration with a
  short horizon) pursues a known objective on levels with a near small reward
  and a far large one. IRL that assumes an optimal planner recovers a
  different objective; IRL with the right (depth-limited) planner model
  recovers the truth: identifiability restored by knowing the planner.
- ``equivalent-pairs``: (planner, reward) pairs with exactly equal action
  likelihoods on the same levels (Armstrong & Mindermann 2018), with EPIC
  distances between their rewards, and what each added assumption (planner
  known, reward simplicity, a second environment) separates
  (`studies.analysis.identifiability`).

Each unit of work (one agent on one split, one planner model, or one level) is one
payload in the store's ``learned`` table, keyed by a hash of the unit: a
killed study resumes, skipping finished units.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

import objectives
import planners
import worlds
from studies.analysis import identifiability
from studies.analysis.epic import epic_distance
from studies.analysis.irl import goal_features, irl
from studies.analysis.report import write_analysis_report
from studies.analysis.swap import swap_decomposition
from studies.core.kinds import StudyKind, register_kind
from studies.core.limits import MAX_CELLS, MAX_LEVELS, MAX_SEEDS, MAX_STEPS, Limit
from studies.core.runner import open_run
from studies.core.spec import StudyError, expect, load, reject_non_finite, reject_unknown_keys, within
from worlds import MesabaseError

#: the study kind's name, as study files and the store's ``study`` table give it
KIND_NAME = "analysis"

ANALYSES = ("revealed", "non-identifiability", "equivalent-pairs")
_KEYS = {
    "revealed": {"name", "description", "kind", "analysis", "studies", "seeds", "max_steps", "irl_horizon"},
    "non-identifiability": {
        "name",
        "description",
        "kind",
        "analysis",
        "world",
        "truth",
        "depth",
        "near",
        "beyond",
        "visible_levels",
        "hidden_levels",
        "size",
        "irl_horizon",
        "max_steps",
    },
    "equivalent-pairs": {
        "name",
        "description",
        "kind",
        "analysis",
        "world",
        "reward",
        "seeds",
        "split",
        "size",
        "temperature",
        "depth",
        "demonstrations",
        "max_steps",
    },
}


@dataclasses.dataclass(frozen=True)
class AnalysisStudy:
    name: str
    description: str
    source: str
    analysis: str
    units: tuple[dict[str, Any], ...]

    @staticmethod
    def key(unit: dict[str, Any]) -> str:
        return hashlib.sha256(json.dumps(unit, sort_keys=True).encode()).hexdigest()[:16]


def parse(data: dict[str, Any], source: str, seeds: int | None = None) -> AnalysisStudy:
    """An `AnalysisStudy` from TOML `data`; `StudyError` names the file and key.
    `seeds` (the command line's ``--seeds``) replaces the study's ``seeds``."""
    analysis = data.get("analysis")
    if analysis not in ANALYSES:
        raise StudyError(f"{source}: analysis: expected one of {', '.join(ANALYSES)}, got {analysis!r}")
    if seeds is not None and "seeds" not in _KEYS[analysis]:
        raise StudyError(
            f"{source}: --seeds does not apply to a {analysis} analysis (it picks its levels by shape); "
            "leave it out"
        )
    if seeds is not None:
        data = {**data, "seeds": seeds}
    reject_unknown_keys(source, data, _KEYS[analysis])
    reject_non_finite(source, data)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise StudyError(f"{source}: name: expected a non-empty name")
    expect(source, "description", data.get("description", ""), str, "a string")
    try:
        units = _UNITS[analysis](data)
    except MesabaseError as error:
        raise StudyError(f"{source}: {error}") from None
    if analysis == "revealed":  # every unit plays its seeds, then swaps objectives on them
        within(source, "seeds", MAX_CELLS, 2 * len(units) * units[0]["seeds"], cells=True)
    return AnalysisStudy(name, str(data.get("description", "")).strip(), source, analysis, tuple(units))


def _positive(data, key, default, limit: Limit = MAX_STEPS):
    """A positive integer setting, at most `limit`."""
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise StudyError(f"{key}: expected a positive integer, got {value!r}")
    within("", key, limit, value)
    return value


def _revealed_units(data: dict[str, Any]) -> list[dict[str, Any]]:
    names = data.get("studies", ["arrow-maze", "chests-keys"])
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise StudyError("studies: expected a non-empty list of episode studies")
    seeds = _positive(data, "seeds", 6, MAX_SEEDS)
    horizon = _positive(data, "irl_horizon", 200)
    max_steps = None if data.get("max_steps") is None else _positive(data, "max_steps", None)
    units = []
    for name in names:
        study = load(name)
        if not hasattr(study, "cells"):
            raise StudyError(f"studies: {name!r} is not an episode study")
        agents = {}
        for cell in study.cells:
            agent = (
                cell.world,
                cell.planner,
                cell.budget,
                cell.options,
                cell.objective,
                cell.label,
                cell.split,
            )
            agents.setdefault(agent, dict(cell.overrides))
        for (world, planner, budget, options, objective, label, split), overrides in agents.items():
            units.append(
                {
                    "study": name,
                    "world": world,
                    "planner": planner,
                    "budget": budget,
                    "options": [list(o) for o in options],
                    "objective": objective,
                    "label": label,
                    "split": split,
                    "overrides": overrides,
                    "seeds": seeds,
                    "max_steps": max_steps,
                    "irl_horizon": horizon,
                }
            )
    return units


def _identifiability_units(data: dict[str, Any]) -> list[dict[str, Any]]:
    if data.get("world", "arrow-maze") != "arrow-maze":
        raise StudyError(
            f"world: the non-identifiability levels are arrow mazes (an arrow near, the exit far); "
            f"leave world out or give 'arrow-maze', got {data['world']!r}"
        )
    world = worlds.get("arrow-maze")
    truth = data.get("truth", {"reached_exit": 1.0, "reached_arrow": 0.1})
    if not isinstance(truth, dict) or not truth:
        raise StudyError("truth: expected a table of feature = weight")
    for feature, weight in truth.items():
        world.feature_index(feature)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise StudyError(f"truth.{feature}: expected a number, got {weight!r}")
    if not any(truth.values()):
        raise StudyError("truth: expected at least one non-zero weight")
    size = data.get("size", [7, 11])
    if not isinstance(size, list) or len(size) != 2:
        raise StudyError(f"size: expected [low, high], two odd maze sizes, got {size!r}")
    try:
        world.observation_shape(world.split_params("test", size=tuple(size), min_arrow_exit_distance=2))
    except MesabaseError as error:
        raise StudyError(f"size: {error}") from None
    levels = _positive(data, "visible_levels", 5, MAX_LEVELS) + _positive(
        data, "hidden_levels", 20, MAX_LEVELS
    )
    within("", "hidden_levels", MAX_LEVELS, levels)
    shared = {
        "world": world.name,
        "truth": truth,
        "depth": _positive(data, "depth", 5),
        "near": _positive(data, "near", 2),
        "beyond": _positive(data, "beyond", 3),
        "visible_levels": _positive(data, "visible_levels", 5),
        "hidden_levels": _positive(data, "hidden_levels", 20),
        "size": size,
        "irl_horizon": _positive(data, "irl_horizon", 100),
        "max_steps": _positive(data, "max_steps", 100),
    }
    return [{**shared, "model": model} for model in ("optimal", "depth-limited")]


def _pairs_units(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One unit per level of the equivalent-pairs analysis (`studies.analysis.identifiability`)."""
    if data.get("world", "arrow-maze") != "arrow-maze":
        raise StudyError(
            "world: the equivalent pairs are shown on arrow mazes (the second environment swaps the "
            f"exit and the arrow); leave world out or give 'arrow-maze', got {data['world']!r}"
        )
    world = worlds.get("arrow-maze")
    reward = data.get("reward", {"reached_exit": 1.0})
    if not isinstance(reward, dict) or not reward:
        raise StudyError("reward: expected a table of feature = weight")
    for feature, weight in reward.items():
        if feature not in identifiability.FEATURES:
            raise StudyError(
                f"reward.{feature}: the pairs weigh {' and '.join(identifiability.FEATURES)} only"
            )
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise StudyError(f"reward.{feature}: expected a number, got {weight!r}")
    if not any(reward.values()):
        raise StudyError("reward: expected at least one non-zero weight")
    split = data.get("split", "test")
    if not isinstance(split, str):
        raise StudyError(f"split: expected a split name such as 'test', got {split!r}")
    size = data.get("size", [7, 11])
    if not isinstance(size, list) or len(size) != 2:
        raise StudyError(f"size: expected [low, high], two odd maze sizes, got {size!r}")
    try:
        params = world.split_params(split, size=tuple(size))
        world.observation_shape(params)
    except MesabaseError as error:
        raise StudyError(f"split/size: {error}") from None
    if params["arrow_at_exit_prob"] > 0:
        raise StudyError(
            f"split: {split!r} may put the arrow on the exit, and the second environment swaps them; "
            "use 'test'"
        )
    temperature = data.get("temperature", 0.01)
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature > 0:
        raise StudyError(f"temperature: expected a positive number, got {temperature!r}")
    shared = {
        "world": world.name,
        "reward": {f: float(w) for f, w in reward.items()},
        "split": split,
        "size": size,
        "discount": objectives.get(world, world.base).discount,
        "temperature": float(temperature),
        "depth": _positive(data, "depth", 1),
        "demonstrations": _positive(data, "demonstrations", 5, MAX_SEEDS),
        "max_steps": _positive(data, "max_steps", 100),
    }
    seeds = _positive(data, "seeds", 10, MAX_LEVELS)
    return [{**shared, "seed": seed} for seed in range(seeds)]


# ---- revealed -------------------------------------------------------------------
def _normalised_under(oracle, world, level, objective, features, horizon) -> float:
    achieved = objective.bind(world).discounted_return(features)
    best = oracle.optimal_return(world, level, objective, horizon=horizon)
    random = oracle.random_return(world, level, objective, horizon=horizon)
    return planners.normalised_score(achieved, best, random)


def _finite_or_none(value) -> float | None:
    """A per-level value as stored: None where it is undefined (NaN)."""
    value = float(value)
    return value if np.isfinite(value) else None


def _closest(distances: dict[str, float]) -> str:
    """The catalogue objective nearest by EPIC, or the tied ones joined by "="."""
    best = min(distances.values())
    return " = ".join(n for n, d in distances.items() if d <= best + 1e-9)


def revealed_unit(unit: dict[str, Any]) -> dict[str, Any]:
    """One agent on one split: its episodes, the IRL-revealed objective, EPIC
    distances to the catalogue, capability under the revealed objective and
    the swap decomposition. ``levels`` holds the per-level values behind the
    means (``seeds``, ``capability``, ``base_return`` and, for an agent with
    an objective, the swap's ``objective_part`` and ``capability_part`` on
    the levels it kept), each a list over levels with None where undefined;
    payloads stored before it have no ``levels``."""
    world = worlds.get(unit["world"])
    planner = planners.make(unit["planner"], unit["budget"], **dict(unit["options"]))
    objective = None if unit["objective"] == "none" else objectives.get(world, unit["objective"])
    seeds = list(range(unit["seeds"]))
    levels = [world.sample(seed=s, split=unit["split"], **unit["overrides"]) for s in seeds]
    episodes = [
        planners.rollout(
            world, lv, planners.Agent(planner, objective), unit["max_steps"], seed=s, scoring="goal"
        )
        for s, lv in zip(seeds, levels)
    ]
    base = objectives.get(world, world.base)
    fitted = irl(world, levels, episodes, horizon=unit["irl_horizon"], discount=base.discount)
    revealed = fitted.objective
    oracle = planners.ValueIteration()
    catalogue = objectives.catalogue(world)
    distances = {
        name: float(
            np.mean(
                [
                    epic_distance(world, lv, revealed, o, discount=base.discount, oracle=oracle)
                    for lv in levels
                ]
            )
        )
        for name, o in catalogue.items()
    }
    capability = [
        _normalised_under(
            oracle, world, lv, revealed, e.features, unit["max_steps"] or world.default_max_steps(lv)
        )
        for lv, e in zip(levels, episodes)
    ]
    # the per-level values behind the means, so a report can give intervals over levels
    per_level: dict[str, list] = {
        "seeds": seeds,
        "capability": [_finite_or_none(c) for c in capability],
        "base_return": [_finite_or_none(e.returns[world.base]) for e in episodes],
    }
    swap = None
    if objective is not None:
        result = swap_decomposition(
            world,
            planner,
            objective,
            unit["split"],
            seeds,
            max_steps=unit["max_steps"],
            overrides=unit["overrides"],
        )
        swap = {k: result[k] for k in ("gap", "objective_part", "capability_part")}
        kept = [r for r in result["rows"] if r["seed"] not in result["dropped"]]
        for part in ("objective_part", "capability_part"):
            per_level[part] = [_finite_or_none(r[part]) for r in kept]
    return {
        "unit": unit,
        "weights": fitted.weights,
        "normalised": fitted.normalised,
        "epic": distances,
        "closest": _closest(distances),
        "capability": float(np.nanmean(capability)) if np.isfinite(capability).any() else None,
        "base_return": float(np.mean([e.returns[world.base] for e in episodes])),
        "swap": swap,
        "levels": per_level,
    }


# ---- non-identifiability ----------------------------------------------------------
def identifiability_levels(unit: dict[str, Any]) -> tuple[list, list]:
    """Levels with the small reward (the arrow) within `near` steps and off
    the way to the large one (the exit): `visible_levels` with the exit within
    the planner's depth and `hidden_levels` with it 1..`beyond` steps past it."""
    world = worlds.get(unit["world"])
    depth, near, beyond = unit["depth"], unit["near"], unit["beyond"]
    visible, hidden = [], []
    for seed in range(20_000):
        level = world.sample(seed=seed, split="test", size=tuple(unit["size"]), min_arrow_exit_distance=2)
        to_arrow, to_exit = world.distance(level, "arrow"), world.distance(level, "exit")
        arrow = world.locate(level, None, "arrow")[0]
        arrow_to_exit = world.distance(level, "exit", (int(arrow[0]), int(arrow[1])))
        if to_arrow > near or to_exit <= to_arrow or to_arrow + arrow_to_exit == to_exit:
            continue
        if to_exit <= depth and len(visible) < unit["visible_levels"]:
            visible.append(level)
        elif depth < to_exit <= depth + beyond and len(hidden) < unit["hidden_levels"]:
            hidden.append(level)
        if len(visible) == unit["visible_levels"] and len(hidden) == unit["hidden_levels"]:
            return visible, hidden
    raise StudyError("non-identifiability: not enough levels of the asked shape; raise size or beyond")


def identifiability_unit(unit: dict[str, Any]) -> dict[str, Any]:
    """The depth-limited agent's episodes, fitted under one planner model."""
    world = worlds.get(unit["world"])
    truth = objectives.Objective(
        unit["truth"],
        set(goal_features(world)) & set(unit["truth"]),  # its goals end the episode
        discount=objectives.get(world, world.base).discount,
        name="truth",
    )
    visible, hidden = identifiability_levels(unit)
    levels = visible + hidden
    agent = planners.Agent(planners.ValueIteration(horizon=unit["depth"]), truth)
    episodes = [planners.rollout(world, lv, agent, unit["max_steps"], scoring="goal") for lv in levels]
    features = list(unit["truth"])
    depth = unit["depth"] if unit["model"] == "depth-limited" else None
    fitted = irl(
        world,
        levels,
        episodes,
        features=features,
        planner_model=unit["model"],
        depth=depth,
        horizon=unit["irl_horizon"],
        discount=truth.discount,
    )
    theta = np.array([fitted.weights[f] for f in features])
    true = np.array([unit["truth"][f] for f in features])
    norm = np.linalg.norm(theta) * np.linalg.norm(true)
    oracle = planners.ValueIteration()
    epic = [epic_distance(world, lv, fitted.objective, truth, oracle=oracle) for lv in levels]
    went = [
        "exit" if e.events["reached_exit"] else "arrow" if e.events["reached_arrow"] else "neither"
        for e in episodes
    ]
    return {
        "unit": unit,
        "weights": fitted.weights,
        "cosine": float(theta @ true / norm) if norm > 0 else 0.0,
        "epic": float(np.mean(epic)),
        "went": {"visible": went[: len(visible)], "hidden": went[len(visible) :]},
    }


_UNITS = {
    "revealed": _revealed_units,
    "non-identifiability": _identifiability_units,
    "equivalent-pairs": _pairs_units,
}
_COMPUTE = {
    "revealed": revealed_unit,
    "non-identifiability": identifiability_unit,
    "equivalent-pairs": identifiability.level_unit,
}


def run_analysis(
    study: AnalysisStudy,
    out_dir: str | Path,
    executor: str = "process",
    workers: int | None = None,
    address: str | None = None,
    console: Console | None = None,
    progress: bool = True,
) -> dict[str, int]:
    """Compute every unfinished unit of `study` into ``out_dir/results.sqlite``."""
    console = console or Console()
    function = _COMPUTE[study.analysis]
    with open_run(out_dir, executor, workers, address, study=study, kind=KIND_NAME) as (store, running):
        store.record_info(
            {
                "name": study.name,
                "description": study.description,
                "source": study.source,
                "kind": KIND_NAME,
                "report": study.analysis,
            }
        )
        done = store.learned_keys()
        todo = [unit for unit in study.units if study.key(unit) not in done]
        for number, payload in enumerate(running.map(function, todo), 1):
            store.write_learned(study.key(payload["unit"]), payload)
            if progress:
                info = payload["unit"]
                what = info.get("label") or info.get("model") or f"level {info.get('seed')}"
                console.print(
                    f"[bold]{study.name}[/] {number}/{len(todo)}: {what} {payload['unit'].get('split', '')}"
                )
    return {"units": len(study.units), "already": len(study.units) - len(todo), "computed": len(todo)}


def _headline(study: AnalysisStudy, out: Path) -> str:
    return f"analysis study [bold]{study.name}[/]: {len(study.units)} units -> {Path(out) / 'results.sqlite'}"


def _describe_counts(counts) -> str:
    return f"{counts['computed']} unit(s) computed, {counts['already']} already finished"


#: the ``analysis`` study kind (`studies.core.kinds`)
KIND = register_kind(
    StudyKind(
        name=KIND_NAME,
        description="revealed objectives (IRL, EPIC, swaps), the non-identifiability demo and "
        "equivalent (planner, reward) pairs",
        parse=parse,
        run=run_analysis,
        report=write_analysis_report,
        headline=_headline,
        describe_counts=_describe_counts,
    )
)
