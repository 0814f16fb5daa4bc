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
from studies.core.limits import MAX_EVALUATIONS, MAX_LEVELS, MAX_SEED_VALUE, MAX_STEPS, Limit
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
            if not _is_number(value) or not math.isfinite(value) or value < 0:
                raise InvalidParameterError(f"prior {name} must be a non-negative number, got {value!r}")
        if not isinstance(self.cost, Mapping):
            raise InvalidParameterError(f"prior cost must be a table of feature = cost, got {self.cost!r}")
        for feature, value in self.cost.items():
            if not _is_number(value) or not math.isfinite(value) or value < 0:
                raise InvalidParameterError(f"prior cost of {feature!r} must be non-negative, got {value!r}")

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
    terminal: str | Sequence[str] = objectives.DEFAULT_TERMINAL
    """which features end a candidate's episode (`objectives.terminal`):
    ``"rewarded"`` (default: a goal feature ends it when the candidate gives it
    a positive weight), ``"base"`` (only the base objective's goals, whatever
    the weights), ``"none"``, or a list of feature names"""

    def __post_init__(self) -> None:
        levels_seeds(self.levels)
        if not isinstance(self.optimizer, str) or self.optimizer not in OPTIMIZERS:
            raise UnknownNameError("optimizer", str(self.optimizer), OPTIMIZERS)
        counted_int("evaluations", self.evaluations, MAX_EVALUATIONS)
        seed = self.seed
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED_VALUE:
            raise InvalidParameterError(f"seed must be an integer from 0 to {MAX_SEED_VALUE}, got {seed!r}")
        if self.max_steps is not None:
            counted_int("max_steps", self.max_steps, MAX_STEPS)
        if not isinstance(self.split, str):
            raise InvalidParameterError(f"split must be a split name, got {self.split!r}")
        features = self.features
        if not (features is None or isinstance(features, str)) and (
            not isinstance(features, Sequence) or not all(isinstance(f, str) for f in features)
        ):
            raise InvalidParameterError(f"features must be a list of feature names, got {features!r}")
        for name in ("overrides", "optimizer_options"):
            if not isinstance(getattr(self, name), Mapping):
                raise InvalidParameterError(f"{name} must be a table, got {getattr(self, name)!r}")
        if self.mixture is not None:
            if not isinstance(self.mixture, Mapping) or set(self.mixture) != {"fraction", "overrides"}:
                raise InvalidParameterError(
                    f"mixture must be {{fraction = p, overrides = {{...}}}}, got {self.mixture!r}"
                )
            fraction = self.mixture["fraction"]
            if not _is_number(fraction) or not 0 <= fraction <= 1:
                raise InvalidParameterError(f"mixture fraction must be in [0, 1], got {fraction!r}")
            if not isinstance(self.mixture["overrides"], Mapping):
                raise InvalidParameterError(f"mixture overrides must be a table, got {self.mixture!r}")
        _check_candidates(self.candidates)
        try:
            objectives.check_terminal_rule(self.terminal)
        except objectives.ObjectiveError as error:
            raise InvalidParameterError(str(error)) from None
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
    features = check_features(world, config.features)
    levels = levels_seeds(config.levels)
    world.split_params(config.split, **dict(config.overrides))  # unknown split or parameter fails here
    if config.mixture is not None:
        world.split_params(config.split, **{**dict(config.overrides), **dict(config.mixture["overrides"])})
    objectives.terminal_features(world, {}, config.terminal)  # a listed feature the world lacks fails here
    _check_planner(world, spec, features, config.optimizer, config.terminal)
    for feature in config.prior.cost:
        if feature not in features:
            raise InvalidParameterError(
                f"prior cost names {feature!r}, which is not one of the learned features {features}"
            )
    per_level = mixed_overrides(len(levels), config.overrides, config.mixture)
    return LearningProblem(world, spec, features, levels, tuple(per_level), config)


def levels_seeds(levels) -> tuple[int, ...]:
    """The training level seeds of `levels`: a count n (seeds 0..n-1) or seeds,
    at most `MAX_LEVELS` of them."""
    if isinstance(levels, bool) or not isinstance(levels, (int, Sequence)) or isinstance(levels, str):
        raise InvalidParameterError(f"levels must be a positive integer or a list of seeds, got {levels!r}")
    if isinstance(levels, int):
        if levels < 1:
            raise InvalidParameterError(f"levels must be a positive integer, got {levels}")
        counted_int("levels", levels, MAX_LEVELS)
        return tuple(range(levels))
    counted_int("levels", len(levels), MAX_LEVELS, what="the number of levels")
    seeds = tuple(levels)
    if not seeds or not all(
        isinstance(s, int) and not isinstance(s, bool) and 0 <= s <= MAX_SEED_VALUE for s in seeds
    ):
        raise InvalidParameterError(
            f"levels must be a positive integer or a list of seeds from 0 to {MAX_SEED_VALUE}, got {levels!r}"
        )
    return seeds


def counted_int(key: str, value, limit: Limit, what: str | None = None) -> int:
    """`value` if it is a positive integer within `limit`, else an
    `InvalidParameterError` that names `key` (and the limit and how to raise it)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidParameterError(f"{key} must be a positive integer, got {value!r}")
    refusal = limit.refusal(value)
    if refusal:
        raise InvalidParameterError(f"{key}: {what + ' ' if what else ''}{refusal}")
    return value


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_candidates(candidates) -> None:
    """The candidates optimiser's list: objectives or tables of feature = finite weight."""
    if candidates is None:
        return
    if isinstance(candidates, (str, Mapping)) or not isinstance(candidates, Sequence):
        raise InvalidParameterError(f"candidates must be a list of weight tables, got {candidates!r}")
    for index, candidate in enumerate(candidates):
        if isinstance(candidate, objectives.Objective):
            continue
        if not isinstance(candidate, Mapping) or not all(
            isinstance(f, str) and _is_number(w) and math.isfinite(w) for f, w in candidate.items()
        ):
            raise InvalidParameterError(
                f"candidates[{index}] must be a table of feature = finite weight, got {candidate!r}"
            )


def check_features(world: World, features) -> tuple[str, ...]:
    """The learned features, in order and without repeats: `features` (a name
    or names) or the world's `learnable_features`; unknown or none is an error."""
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


def _check_planner(
    world: World, spec: PlannerSpec, features: tuple[str, ...], optimizer: str, terminal
) -> None:
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
    probe = objective_from(world, features, np.linspace(1.0, 0.5, len(features)), terminal=terminal)
    try:
        spec.make().check(world, probe)
    except planners.IncompatibleObjectiveError as error:
        raise planners.IncompatibleObjectiveError(
            f"{spec.name} cannot pursue a learned objective over {', '.join(features)}: {error}"
        ) from None
