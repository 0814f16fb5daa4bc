"""The base optimiser: select an agent's objective by its score on the base
objective over training levels (DESIGN.md sections 1 and 7).

The planner is fixed. A candidate mesa-objective is a weight vector theta over
named features; the agent (planner, theta) plays every training level, and
the candidate's fitness is its mean *base* return there, minus an optional
`Prior` penalty. Whatever wins is the learned objective: mesa != base produced
by selection, not written by hand.

Candidate objectives are normalised to ``max |w| = 1`` (planners are
indifferent to positive scale, so the optimiser searches directions), and a
world's goal features (the catalogue's terminal features) end the episode for
a candidate only when it rewards them. Every candidate episode is a study cell
in a `ResultStore`: evaluations run through the study executors (a process
pool or Ray), and a rerun into the same folder replays nothing already played,
because the optimisers are deterministic for a given seed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

import objectives
import planners
import worlds
from studies.core.executors import Executor
from studies.core.runner import play_cells
from studies.core.spec import Cell
from studies.core.store import ResultStore
from worlds import InvalidParameterError, UnknownNameError

OPTIMIZERS = ("candidates", "random", "cma", "gradient")
_DECIMALS = 6  # candidate weights are rounded: readable, and equal candidates share episodes


@dataclasses.dataclass(frozen=True)
class Prior:
    """A penalty on a candidate's (max-normalised) weights, subtracted from its
    fitness: the base optimiser's preference for simple or cheap objectives.

    Args:
        l1: per unit of ``sum |w|``; with ``max |w| = 1`` this is a soft count
            of the features used.
        nonzero: per feature with ``|w| > tolerance`` (a hard count).
        cost: feature -> cost per unit of ``|w|``: what computing the feature
            costs the agent (e.g. a cheap proxy vs the expensive truth).
        tolerance: the weight below which a feature counts as unused.
    """

    l1: float = 0.0
    nonzero: float = 0.0
    cost: Mapping[str, float] = dataclasses.field(default_factory=dict)
    tolerance: float = 0.05

    def __post_init__(self) -> None:
        for name, value in (("l1", self.l1), ("nonzero", self.nonzero), ("tolerance", self.tolerance)):
            if not math.isfinite(value) or value < 0:
                raise InvalidParameterError(f"prior {name} must be a non-negative number, got {value}")
        for feature, value in self.cost.items():
            if not math.isfinite(value) or value < 0:
                raise InvalidParameterError(f"prior cost of {feature!r} must be non-negative, got {value}")

    def penalty(self, weights: Mapping[str, float]) -> float:
        magnitudes = {f: abs(w) for f, w in weights.items()}
        return (
            self.l1 * sum(magnitudes.values())
            + self.nonzero * sum(m > self.tolerance for m in magnitudes.values())
            + sum(self.cost.get(f, 0.0) * m for f, m in magnitudes.items())
        )


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """One candidate's fitness on the training levels.

    Attributes:
        index: order of evaluation; generation: the optimiser's batch.
        weights: the candidate's normalised weights, feature -> weight.
        score: mean base return over the levels; scores: per level ``[L]``.
        penalty: the prior's penalty; fitness = score - penalty.
    """

    index: int
    generation: int
    weights: dict[str, float]
    score: float
    scores: tuple[float, ...]
    penalty: float

    @property
    def fitness(self) -> float:
        return self.score - self.penalty

    def as_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["fitness"] = self.fitness
        return out


@dataclasses.dataclass(frozen=True)
class LearnedObjective:
    """What `learn_objective` returns.

    Attributes:
        objective: the selected `Objective` (normalised weights, readable).
        weights: its weights, feature -> weight, in the order of `features`.
        train_score: its mean base return on the training levels;
            train_scores: per level.
        fitness: train_score minus the prior's penalty.
        initial_score: the first candidate's mean base return (for the
            gradient optimiser: the starting theta's).
        history: every evaluation, in order (`Evaluation`).
        base_score / base_scores: the base objective's own mean base return
            on the same levels with the same planner, for comparison.
    """

    objective: objectives.Objective
    weights: dict[str, float]
    train_score: float
    train_scores: tuple[float, ...]
    fitness: float
    initial_score: float
    history: tuple[Evaluation, ...]
    base_score: float
    base_scores: tuple[float, ...]
    world: str
    planner: str
    optimizer: str
    features: tuple[str, ...]
    levels: tuple[int, ...]
    split: str

    def describe(self) -> str:
        """The learned weights as one readable line."""
        terms = ", ".join(f"{f} {w:+.2f}" for f, w in self.weights.items())
        return (
            f"{self.optimizer} over {len(self.history)} candidates for {self.planner} on "
            f"{len(self.levels)} {self.world} {self.split} levels: {terms} "
            f"(train base return {self.train_score:.3f}; the base objective itself: {self.base_score:.3f})"
        )


@dataclasses.dataclass(frozen=True)
class PlannerSpec:
    """A planner as the study cells name it: registry name, budget, options."""

    name: str
    budget: int | None = None
    options: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, planner, budget: int | None = None, options: Mapping[str, Any] | None = None) -> PlannerSpec:
        if isinstance(planner, PlannerSpec):
            return planner
        if not isinstance(planner, str):
            raise InvalidParameterError(
                f"planner must be a registry name such as 'mcts' (with budget= and options=), got {planner!r}"
            )
        if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 0):
            raise InvalidParameterError(f"budget must be a non-negative integer, got {budget!r}")
        planners.planner_class(planner)  # an unknown name fails here, listing the valid ones
        return cls(planner, budget, tuple(sorted(dict(options or {}).items())))

    def make(self):
        return planners.make(self.name, self.budget, **dict(self.options))

    @property
    def label(self) -> str:
        return self.name if self.budget is None else f"{self.name} ({self.budget})"


def learnable_features(world) -> tuple[str, ...]:
    """The world's reward-like features: those some catalogue objective weights."""
    world = worlds.get(world)
    used = {f for o in objectives.catalogue(world).values() for f, w in o.weights.items() if w != 0}
    return tuple(f for f in world.features if f in used)


def objective_from(world, features: Sequence[str], theta, name: str | None = None) -> objectives.Objective:
    """The candidate objective of weight vector `theta` ``float[F]`` over `features`.

    Weights are scaled to ``max |w| = 1`` and rounded; goal features (terminal
    in the catalogue) end the episode only when rewarded; step cost and
    discount are the base objective's.
    """
    world = worlds.get(world)
    theta = np.asarray(theta, dtype=np.float64)
    scale = float(np.max(np.abs(theta))) if theta.size else 0.0
    normalised = np.round(theta / scale, _DECIMALS) if scale > 1e-12 else np.zeros_like(theta)
    weights = {f: float(w) + 0.0 for f, w in zip(features, normalised)}  # + 0.0 drops -0.0
    goals = {f for o in objectives.catalogue(world).values() for f in o.terminal}
    base = objectives.get(world, world.base)
    terminal = {f for f, w in weights.items() if f in goals and w > 0}
    return objectives.Objective(weights, terminal, base.step_cost, base.discount, name=name)


class Fitness:
    """Scores candidate objectives by their agent's base return on the training
    levels, episode by episode in a results store (so reruns replay nothing)."""

    def __init__(
        self,
        world,
        planner: PlannerSpec,
        features: Sequence[str],
        levels: Sequence[int],
        split: str,
        overrides: list[dict[str, Any]],
        max_steps: int | None,
        prior: Prior,
        store: ResultStore,
        study: str,
        executor: Executor,
        console: Console | None = None,
        progress: bool = False,
    ):
        self.world = worlds.get(world)
        self.planner, self.features, self.levels = planner, tuple(features), tuple(levels)
        self.split, self.overrides, self.max_steps, self.prior = split, overrides, max_steps, prior
        self.store, self.study = store, study
        self.executor, self.console, self.progress = executor, console, progress
        self.history: list[Evaluation] = []
        self._base = objectives.get(self.world, self.world.base)

    def cells(self, objective: objectives.Objective) -> list[Cell]:
        """One cell per training level for the agent (planner, objective)."""
        return agent_cells(self.world, self.planner, objective, self.split, self.levels, self.overrides,
                           self.max_steps, "goal")  # fmt: skip

    def base_returns(self, objectives_: Iterable[objectives.Objective]) -> list[tuple[float, ...]]:
        """Per-level base returns ``[L]`` of each objective's agent, playing what
        the store lacks (all objectives' episodes in one batch, for the pool)."""
        objectives_ = list(objectives_)
        batches = [self.cells(o) for o in objectives_]
        play_cells(self.store, self.study, [c for b in batches for c in b], self.executor, self.console,
                   self.progress)  # fmt: skip
        returns = self.store.returns_of([c.id for b in batches for c in b])
        return [tuple(returns[c.id][self.world.base] for c in batch) for batch in batches]

    def __call__(self, thetas: Sequence, generation: int) -> list[float]:
        """Fitness of each theta ``float[F]``; every evaluation joins `history`."""
        candidates = [objective_from(self.world, self.features, theta) for theta in thetas]
        out = []
        for candidate, scores in zip(candidates, self.base_returns(candidates)):
            weights = {f: candidate.weights[f] for f in self.features}
            evaluation = Evaluation(
                len(self.history),
                generation,
                weights,
                float(np.mean(scores)),
                scores,
                self.prior.penalty(weights),
            )
            self.history.append(evaluation)
            out.append(evaluation.fitness)
        return out


def agent_cells(
    world, planner: PlannerSpec, objective, split: str, levels, overrides, max_steps, scoring: str
) -> list[Cell]:
    """Study cells for the agent (planner, objective) on `levels` of `split`;
    `objective` is a catalogue name or an `Objective` (stored as its JSON)."""
    text = objective if isinstance(objective, str) else objective.to_json()
    levels = list(levels)
    per_level = overrides if isinstance(overrides, list) else [overrides] * len(levels)
    name = worlds.get(world).name
    return [
        Cell(
            world=name, split=split, seed=int(seed), planner=planner.name, budget=planner.budget,
            options=planner.options, objective=text, max_steps=max_steps,
            threshold=planners.DEFAULT_THRESHOLD, scoring=scoring,
            overrides=tuple(sorted(dict(level_overrides).items())), label=planner.label,
        )
        for seed, level_overrides in zip(levels, per_level)
    ]  # fmt: skip


def mixed_overrides(
    levels: int, overrides: Mapping[str, Any], mixture: Mapping[str, Any] | None
) -> list[dict]:
    """Per training level, its generator overrides: `overrides`, and for an exact
    fraction ``mixture["fraction"]`` of the levels (round(fraction x levels),
    spread evenly) also ``mixture["overrides"]``."""
    plain = dict(overrides)
    if not mixture:
        return [plain] * levels
    count = math.floor(mixture["fraction"] * levels + 0.5)
    mixed = {i for i in range(levels) if (i + 1) * count // levels > i * count // levels}
    return [{**plain, **mixture["overrides"]} if i in mixed else plain for i in range(levels)]


def learn_objective(
    world,
    planner,
    *,
    budget: int | None = None,
    options: Mapping[str, Any] | None = None,
    features: Sequence[str] | None = None,
    split: str = "train",
    levels: int | Sequence[int] = 20,
    overrides: Mapping[str, Any] | None = None,
    mixture: Mapping[str, Any] | None = None,
    optimizer: str = "cma",
    evaluations: int = 40,
    candidates: Sequence[objectives.Objective | Mapping[str, float]] | None = None,
    prior: Prior | None = None,
    seed: int = 0,
    max_steps: int | None = None,
    store: ResultStore | str | Path | None = None,
    study: str = "learn",
    executor: str | Executor = "serial",
    workers: int | None = None,
    address: str | None = None,
    console: Console | None = None,
    progress: bool = False,
    optimizer_options: Mapping[str, Any] | None = None,
) -> LearnedObjective:
    """Select the objective that makes a fixed planner score best on the base objective.

    Args:
        world: a world or its name.
        planner: a planner registry name (``"mcts"``, ``"value-iteration"``,
            ``"gradient"``, ...), with `budget` and `options` as in a study.
        features: the features theta weights (default `learnable_features`).
        split, levels, overrides: the training levels: seeds ``0..levels-1``
            (or the given seeds) of `split`, sampled with `overrides`.
        mixture: ``{"fraction": p, "overrides": {...}}``: an exact fraction p
            of the training levels is sampled with these overrides as well
            (e.g. the arrow away from the exit: the diversity knob).
        optimizer: ``candidates`` (the best of `candidates`), ``random``
            (`evaluations` gaussian directions), ``cma`` (the `cma` package's
            CMA-ES, about `evaluations` candidates) or ``gradient``
            (point-mass with the ``gradient`` planner: d base return / d theta
            through the unrolled JAX planner; see `studies.learning.gradient`).
        prior: a `Prior` penalty (default none).
        seed: the optimiser's seed; the same seed gives the same result.
        store: a `ResultStore` or a path for one; candidate episodes are kept
            there and never replayed (default: in memory).
        executor, workers, address: where episodes run: ``serial``, ``process``
            or ``ray`` (`studies.core.executors`), or an open `Executor` to share.
        optimizer_options: extra options for the optimiser (cma: ``popsize``,
            ``sigma0``; gradient: see `studies.learning.gradient`).

    Raises `worlds.InvalidParameterError` (or `UnknownNameError`) with one line
    saying what is wrong: an unknown feature or optimiser, an empty feature set,
    an optimiser this planner cannot serve, bad counts.
    """
    world, spec, features, levels, prior = check_arguments(
        world,
        planner,
        budget,
        options,
        features,
        split,
        levels,
        overrides,
        optimizer,
        evaluations,
        prior,
        mixture,
    )
    running = executor if isinstance(executor, Executor) else Executor(executor, workers, address)
    owned = not isinstance(store, ResultStore)
    results = ResultStore(":memory:" if store is None else store) if owned else store
    try:
        fitness = Fitness(
            world, spec, features, levels, split, mixed_overrides(len(levels), overrides or {}, mixture),
            max_steps, prior, results, study,
            running, console, progress,
        )  # fmt: skip
        from studies.learning import optimisers

        search: Callable = optimisers.SEARCHES[optimizer]
        search(fitness, len(features), seed=seed, evaluations=evaluations, candidates=candidates,
               options=dict(optimizer_options or {}))  # fmt: skip
        if not fitness.history:
            raise InvalidParameterError("the optimiser evaluated no candidate")
        best = max(fitness.history, key=lambda e: (e.fitness, -e.index))
        base_scores = fitness.base_returns([objectives.get(world, world.base)])[0]
    finally:
        if owned:
            results.close()
        if running is not executor:
            running.close()
    theta = np.array([best.weights[f] for f in features])
    return LearnedObjective(
        objective=objective_from(world, features, theta, name=f"learned ({optimizer})"),
        weights=dict(best.weights),
        train_score=best.score,
        train_scores=best.scores,
        fitness=best.fitness,
        initial_score=fitness.history[0].score,
        history=tuple(fitness.history),
        base_score=float(np.mean(base_scores)),
        base_scores=base_scores,
        world=world.name,
        planner=spec.label,
        optimizer=optimizer,
        features=features,
        levels=levels,
        split=split,
    )


def check_arguments(
    world,
    planner,
    budget,
    options,
    features,
    split,
    levels,
    overrides,
    optimizer,
    evaluations,
    prior,
    mixture=None,
):
    """Validate `learn_objective`'s arguments before any episode runs; returns
    (world, PlannerSpec, features, level seeds, Prior)."""
    world = worlds.get(world)
    spec = PlannerSpec.of(planner, budget, options)
    features = _check_features(world, features)
    levels = _check_levels(levels)
    if optimizer not in OPTIMIZERS:
        raise UnknownNameError("optimizer", optimizer, OPTIMIZERS)
    if isinstance(evaluations, bool) or not isinstance(evaluations, int) or evaluations < 1:
        raise InvalidParameterError(f"evaluations must be a positive integer, got {evaluations!r}")
    world.split_params(split, **dict(overrides or {}))  # unknown split or parameter fails here
    if mixture is not None:
        if not isinstance(mixture, Mapping) or set(mixture) != {"fraction", "overrides"}:
            raise InvalidParameterError(
                f"mixture must be {{fraction = p, overrides = {{...}}}}, got {mixture!r}"
            )
        fraction = mixture["fraction"]
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 <= fraction <= 1:
            raise InvalidParameterError(f"mixture fraction must be in [0, 1], got {fraction!r}")
        world.split_params(split, **{**dict(overrides or {}), **dict(mixture["overrides"])})
    _check_planner(world, spec, features, optimizer)
    prior = prior or Prior()
    if not isinstance(prior, Prior):
        raise InvalidParameterError(f"prior must be a studies.Prior, got {prior!r}")
    for feature in prior.cost:
        if feature not in features:
            raise InvalidParameterError(
                f"prior cost names {feature!r}, which is not one of the learned features {features}"
            )
    return world, spec, features, levels, prior


def _check_features(world, features) -> tuple[str, ...]:
    if features is None:
        features = learnable_features(world)
    if isinstance(features, str):
        features = [features]
    features = tuple(dict.fromkeys(features))
    if not features:
        raise InvalidParameterError(
            f"the feature set is empty: name one or more of {world.name}'s features: "
            f"{', '.join(world.features)}"
        )
    for feature in features:
        if feature not in world.features:
            raise UnknownNameError(f"{world.name} feature", feature, world.features)
    return features


def _check_levels(levels) -> tuple[int, ...]:
    if isinstance(levels, bool):
        raise InvalidParameterError(f"levels must be a positive integer or a list of seeds, got {levels!r}")
    if isinstance(levels, int):
        if levels < 1:
            raise InvalidParameterError(f"levels must be a positive integer, got {levels}")
        return tuple(range(levels))
    seeds = tuple(levels)
    if not seeds or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds):
        raise InvalidParameterError(
            f"levels must be a positive integer or a list of seeds >= 0, got {levels!r}"
        )
    return seeds


def _check_planner(world, spec: PlannerSpec, features: tuple[str, ...], optimizer: str) -> None:
    if optimizer == "gradient":
        if not world.continuous or spec.name != "gradient":
            raise InvalidParameterError(
                f"the gradient optimiser differentiates through the JAX gradient planner in a continuous "
                f"world; it cannot be used with planner {spec.name!r} on {world.name} "
                "(use cma, random or candidates)"
            )
        return
    # a probe with every feature rewarded: a planner that cannot pursue a
    # weighted sum of these features fails here, before any episode runs
    probe = objective_from(world, features, np.linspace(1.0, 0.5, len(features)))
    try:
        spec.make().check(world, probe)
    except planners.IncompatibleObjectiveError as error:
        raise planners.IncompatibleObjectiveError(
            f"{spec.name} cannot pursue a learned objective over {', '.join(features)}: {error}"
        ) from None
