"""The base optimiser's settings: `LearnConfig` (what to learn and how), the
`Prior` on candidate weights and the `PlannerSpec` of the fixed planner.

A `LearnConfig` checks what it can on its own when built; `resolve` checks it
against a world and a planner, before any episode runs, and returns the
`LearningProblem` the optimiser works on.

>>> config = LearnConfig(levels=50, overrides={"arrow_at_exit_prob": 0.9}, optimizer="cma")
>>> problem = resolve("arrow-maze", "value-iteration", config)  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

import objectives
import planners
import worlds
from studies.learning.candidates import learnable_features, mixed_overrides, objective_from
from worlds import InvalidParameterError, UnknownNameError, World

#: the base optimiser's search strategies (`studies.learning.optimisers`)
OPTIMIZERS = ("candidates", "random", "cma", "gradient")


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
class PlannerSpec:
    """A planner as the study cells name it: registry name, budget, options.
    Build one with `PlannerSpec.of`, which checks the name and budget."""

    name: str
    budget: int | None = None
    options: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, planner, budget: int | None = None, options: Mapping[str, Any] | None = None) -> PlannerSpec:
        """`planner` as a spec: a `PlannerSpec` as it is, or a registry name
        (``"mcts"``) with its budget and constructor options."""
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


@dataclasses.dataclass(frozen=True)
class LearnConfig:
    """What the base optimiser learns, on which training levels, and how.

    The world and the planner are `learn_objective`'s own arguments; where the
    episodes run (store, executor) are its keywords. Everything here shapes
    the result: the same config gives the same learned objective.
    """

    features: Sequence[str] | None = None
    """the features theta weights; None: `learnable_features` (those the catalogue weights)"""
    split: str = "train"
    """the split the training levels are sampled from"""
    levels: int | Sequence[int] = 20
    """the training levels: a count n (seeds 0..n-1) or the seeds themselves"""
    overrides: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """generator parameters of every training level"""
    mixture: Mapping[str, Any] | None = None
    """``{"fraction": p, "overrides": {...}}``: an exact fraction p of the training
    levels is sampled with these overrides as well (the diversity knob)"""
    optimizer: str = "cma"
    """the search: candidates, random, cma or gradient (`studies.learning.optimisers`)"""
    evaluations: int = 40
    """how many candidates random search scores; CMA-ES's budget (it may stop early)"""
    candidates: Sequence[objectives.Objective | Mapping[str, float]] | None = None
    """the candidates optimiser's list: objectives or feature -> weight maps"""
    optimizer_options: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """the strategy's own options (cma: popsize, sigma0, x0; gradient: `studies.learning.gradient`)"""
    prior: Prior = dataclasses.field(default_factory=Prior)
    """the penalty on candidate weights subtracted from their fitness"""
    seed: int = 0
    """the optimiser's seed: the same seed gives the same result"""
    max_steps: int | None = None
    """the cap on each training episode; None: the world's episode length"""

    def __post_init__(self) -> None:
        levels_seeds(self.levels)
        if self.optimizer not in OPTIMIZERS:
            raise UnknownNameError("optimizer", self.optimizer, OPTIMIZERS)
        evaluations = self.evaluations
        if isinstance(evaluations, bool) or not isinstance(evaluations, int) or evaluations < 1:
            raise InvalidParameterError(f"evaluations must be a positive integer, got {evaluations!r}")
        if self.mixture is not None:
            if not isinstance(self.mixture, Mapping) or set(self.mixture) != {"fraction", "overrides"}:
                raise InvalidParameterError(
                    f"mixture must be {{fraction = p, overrides = {{...}}}}, got {self.mixture!r}"
                )
            fraction = self.mixture["fraction"]
            if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 <= fraction <= 1:
                raise InvalidParameterError(f"mixture fraction must be in [0, 1], got {fraction!r}")
        if not isinstance(self.prior, Prior):
            raise InvalidParameterError(f"prior must be a studies.learning.Prior, got {self.prior!r}")


@dataclasses.dataclass(frozen=True)
class LearningProblem:
    """A `LearnConfig` resolved against a world and a planner: what the
    fitness and the search strategies work on.

    Attributes:
        world: the `World`; planner: its `PlannerSpec`.
        features: the F learned feature names, in theta's order.
        levels: the L training level seeds.
        level_overrides: ``[L]`` each training level's generator overrides.
        config: the settings it was resolved from.
    """

    world: World
    planner: PlannerSpec
    features: tuple[str, ...]
    levels: tuple[int, ...]
    level_overrides: tuple[dict[str, Any], ...]
    config: LearnConfig


def resolve(world, planner, config: LearnConfig) -> LearningProblem:
    """Check `config` against `world` and `planner` (a registry name or a
    `PlannerSpec`) before any episode runs. Raises `worlds.InvalidParameterError`
    (or `UnknownNameError`) with one line: an unknown feature, split or
    parameter, an empty feature set, a planner that cannot pursue the
    candidates, a prior cost on a feature that is not learned."""
    world = worlds.get(world)
    spec = PlannerSpec.of(planner)
    features = _check_features(world, config.features)
    levels = levels_seeds(config.levels)
    world.split_params(config.split, **dict(config.overrides))  # unknown split or parameter fails here
    if config.mixture is not None:
        world.split_params(config.split, **{**dict(config.overrides), **dict(config.mixture["overrides"])})
    _check_planner(world, spec, features, config.optimizer)
    for feature in config.prior.cost:
        if feature not in features:
            raise InvalidParameterError(
                f"prior cost names {feature!r}, which is not one of the learned features {features}"
            )
    per_level = mixed_overrides(len(levels), config.overrides, config.mixture)
    return LearningProblem(world, spec, features, levels, tuple(per_level), config)


def levels_seeds(levels) -> tuple[int, ...]:
    """The training level seeds of `levels`: a count n (seeds 0..n-1) or seeds."""
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


def _check_features(world: World, features) -> tuple[str, ...]:
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


def _check_planner(world: World, spec: PlannerSpec, features: tuple[str, ...], optimizer: str) -> None:
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
