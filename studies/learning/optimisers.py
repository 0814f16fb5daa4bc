"""The base optimiser's search strategies over theta ``float[F]``, as small
objects in the optax manner: `make_strategy` builds one from a `LearnConfig`
(checking its options before any episode runs), and its one method,
``search(fitness)``, calls ``fitness(thetas, generation)`` with a batch of
candidates per generation (so the executors can spread it over cores).

A strategy returns nothing: `studies.learning.fitness.Fitness` records every
evaluation, and the best one wins. All of them are deterministic for a given
seed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np

import objectives
from studies.core.limits import MAX_EVALUATIONS, MAX_STEPS
from studies.learning.candidates import goal_features, mixed_overrides
from studies.learning.config import LearnConfig, LearningProblem, counted_int, levels_seeds
from studies.learning.fitness import Fitness
from worlds import InvalidParameterError


class Strategy(Protocol):
    """A search over theta ``float[F]``: ``search(fitness)`` scores batches of
    candidates with ``fitness(thetas, generation) -> [fitness]``."""

    def search(self, fitness: Fitness) -> None: ...


@dataclasses.dataclass(frozen=True)
class Candidates:
    """Score each given candidate, in one batch.

    Attributes:
        thetas: ``[C]`` each candidate's weights ``float64[F]``.
    """

    thetas: tuple[np.ndarray, ...]

    @classmethod
    def from_config(cls, config: LearnConfig, features: Sequence[str]) -> Candidates:
        _no_options("candidates", config.optimizer_options)
        if not config.candidates:
            raise InvalidParameterError(
                "the candidates optimiser needs candidates: a list of objectives or weight maps"
            )
        thetas = []
        for candidate in config.candidates:
            weights = candidate.weights if isinstance(candidate, objectives.Objective) else dict(candidate)
            unknown = sorted(f for f, w in weights.items() if w != 0 and f not in features)
            if unknown:
                raise InvalidParameterError(
                    f"candidate {candidate!r} weights {unknown}, which are not among the learned features "
                    f"{list(features)}"
                )
            thetas.append(np.array([weights.get(f, 0.0) for f in features], dtype=np.float64))
        return cls(tuple(thetas))

    def search(self, fitness: Fitness) -> None:
        fitness(list(self.thetas), 0)


@dataclasses.dataclass(frozen=True)
class RandomSearch:
    """`evaluations` standard gaussian directions, in one batch."""

    evaluations: int
    seed: int

    @classmethod
    def from_config(cls, config: LearnConfig, features: Sequence[str]) -> RandomSearch:
        _no_options("random", config.optimizer_options)
        return cls(config.evaluations, config.seed)

    def search(self, fitness: Fitness) -> None:
        rng = np.random.default_rng(self.seed)
        fitness(list(rng.standard_normal((self.evaluations, len(fitness.features)))), 0)


@dataclasses.dataclass(frozen=True)
class CMAES:
    """CMA-ES from the `cma` package, for about `evaluations` candidates.

    CMA-ES stops early when the fitness is flat, which is itself a finding:
    training cannot tell the candidates apart.

    Attributes:
        evaluations: the budget of candidates; seed: the optimiser's seed.
        x0: ``float64[F]`` the start (option ``x0``, default zeros: no
            preference for any feature).
        sigma0: the initial step size (option ``sigma0``, default 1.0).
        popsize: candidates per generation (option ``popsize``, default cma's
            4 + 3 ln F).
    """

    evaluations: int
    seed: int
    x0: np.ndarray
    sigma0: float = 1.0
    popsize: int | None = None

    @classmethod
    def from_config(cls, config: LearnConfig, features: Sequence[str]) -> CMAES:
        options = config.optimizer_options
        unknown = sorted(set(options) - {"popsize", "sigma0", "x0"})
        if unknown:
            raise InvalidParameterError(
                f"optimizer_options: unknown cma options {unknown}; valid: popsize, sigma0, x0"
            )
        dim = len(features)
        x0 = _weights("optimizer_options.x0", options.get("x0", np.zeros(dim)))
        if x0.shape != (dim,):
            raise InvalidParameterError(f"cma x0 needs {dim} values (one per feature), got {x0.shape}")
        popsize = options.get("popsize")
        if popsize is not None:
            # CMA-ES recombines at least two candidates per generation
            if isinstance(popsize, bool) or not isinstance(popsize, int) or popsize < 2:
                raise InvalidParameterError(
                    f"optimizer_options.popsize must be an integer of at least 2, got {popsize!r}"
                )
            counted_int("optimizer_options.popsize", popsize, MAX_EVALUATIONS)
        sigma0 = _positive_number("optimizer_options.sigma0", options.get("sigma0", 1.0))
        return cls(config.evaluations, config.seed, x0, sigma0, popsize)

    def search(self, fitness: Fitness) -> None:
        import cma  # loaded only for this strategy

        dim = len(self.x0)
        settings: dict[str, Any] = {
            # cma reads 0 as "seed from the clock"; shift so every seed is reproducible
            "seed": int(self.seed) + 1,
            "maxfevals": self.evaluations,
            "verbose": -9,
        }
        if self.popsize is not None:
            settings["popsize"] = self.popsize
        # CMA-ES needs two dimensions; a second one for a single feature is ignored
        x0 = np.append(self.x0, 0.0) if dim == 1 else self.x0
        strategy = cma.CMAEvolutionStrategy(x0, self.sigma0, settings)
        generation, spent = 0, 0
        while not strategy.stop() and spent < self.evaluations:
            batch = strategy.ask()
            scores = fitness([np.asarray(x)[:dim] for x in batch], generation)
            strategy.tell(batch, [-s for s in scores])  # cma minimises
            generation, spent = generation + 1, spent + len(batch)


@dataclasses.dataclass(frozen=True)
class GradientAscent:
    """Gradient ascent on theta through the unrolled JAX planner
    (`studies.learning.gradient`), then real episodes of the starting theta and
    of the theta whose smoothed, penalised fitness was best, in one batch.

    Attributes:
        seed: seeds the planner's initial actions.
        options: `studies.learning.gradient.gradient_search`'s keywords
            (``theta0``, ``steps``, ``lr``, ``horizon`` (default: the
            planner's), ...).
    """

    seed: int
    options: Mapping[str, Any]

    @classmethod
    def from_config(cls, config: LearnConfig, features: Sequence[str]) -> GradientAscent:
        per_level = mixed_overrides(len(levels_seeds(config.levels)), config.overrides, config.mixture)
        if any(o != per_level[0] for o in per_level):
            raise InvalidParameterError(
                "the gradient optimiser takes one set of overrides for all levels, not a mixture"
            )
        options = dict(config.optimizer_options)
        unknown = sorted(set(options) - set(_GRADIENT_COUNTS) - set(_GRADIENT_RATES) - {"theta0"})
        if unknown:
            valid = ", ".join(sorted({*_GRADIENT_COUNTS, *_GRADIENT_RATES, "theta0"}))
            raise InvalidParameterError(
                f"optimizer_options: unknown gradient options {unknown}; valid: {valid}"
            )
        for name, limit in _GRADIENT_COUNTS.items():
            if name in options:
                counted_int(f"optimizer_options.{name}", options[name], limit)
        for name in _GRADIENT_RATES:
            if name in options:
                _positive_number(f"optimizer_options.{name}", options[name])
        if options.get("theta0") is not None:
            _weights("optimizer_options.theta0", options["theta0"])
        return cls(config.seed, options)

    def search(self, fitness: Fitness) -> None:
        from studies.learning import gradient  # imports JAX, which only this strategy needs

        problem: LearningProblem = fitness.problem
        world, features, dim = problem.world, problem.features, len(problem.features)
        options = dict(self.options)
        base = objectives.get(world, world.base)
        theta0 = options.pop("theta0", None)
        if theta0 is None:
            theta0 = gradient.default_theta0(world, features)
        theta0 = np.asarray(theta0, dtype=np.float64)
        if theta0.shape != (dim,):
            raise InvalidParameterError(f"theta0 needs {dim} values (one per feature), got {theta0.shape}")
        planner_options = dict(problem.planner.options)
        if "horizon" in planner_options:
            options.setdefault("horizon", planner_options["horizon"])
        prior = problem.config.prior
        steps = gradient.gradient_search(
            world, list(features), _search_terminal(world, features, problem.config.terminal),
            base.discount, base.step_cost,
            list(problem.levels), problem.config.split, problem.level_overrides[0], theta0,
            l1=prior.l1, cost=np.array([prior.cost.get(f, 0.0) for f in features]),
            seed=self.seed, **options,
        )  # fmt: skip
        best = max(steps[1:] or steps, key=lambda row: row["fitness"] - row["penalty"])
        fitness([theta0, np.asarray(best["theta"])], 0)


def _search_terminal(world, features: Sequence[str], rule) -> frozenset[str]:
    """The terminal set the gradient search differentiates under. A fixed rule
    gives its own set; under ``"rewarded"`` the set depends on the signs of θ,
    which a gradient cannot follow, so every learned goal feature ends the
    episode during the search (the real episodes then apply the rule)."""
    if rule == objectives.DEFAULT_TERMINAL:
        return goal_features(world) & set(features)
    return objectives.terminal_features(world, {}, rule)


#: the gradient optimiser's count options and their limits; its rate options
_GRADIENT_COUNTS = {"steps": MAX_EVALUATIONS, "horizon": MAX_STEPS, "inner_iterations": MAX_EVALUATIONS,
                    "restarts": MAX_EVALUATIONS}  # fmt: skip
_GRADIENT_RATES = ("lr", "inner_lr", "init_scale")


def _positive_number(key: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise InvalidParameterError(f"{key} must be a positive finite number, got {value!r}")
    return float(value)


def _weights(key: str, values) -> np.ndarray:
    """`values` as ``float64[F]`` if it is a list of finite numbers."""
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if not isinstance(values, (list, tuple)) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values
    ):
        raise InvalidParameterError(f"{key} must be a list of finite numbers, one a feature, got {values!r}")
    return np.asarray(values, dtype=np.float64)


def _no_options(name: str, options: Mapping[str, Any]) -> None:
    if options:
        raise InvalidParameterError(
            f"optimizer_options: the {name} optimiser takes no options, got {sorted(options)}"
        )


#: optimizer name -> ``from_config(config, features) -> Strategy``
STRATEGIES: dict[str, Callable[[LearnConfig, Sequence[str]], Strategy]] = {
    "candidates": Candidates.from_config,
    "random": RandomSearch.from_config,
    "cma": CMAES.from_config,
    "gradient": GradientAscent.from_config,
}


def make_strategy(config: LearnConfig, features: Sequence[str]) -> Strategy:
    """The search strategy `config` names, its options checked."""
    return STRATEGIES[config.optimizer](config, features)
