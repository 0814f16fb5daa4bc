"""The base optimiser's search strategies over theta ``float[F]``.

Each search calls ``fitness(thetas, generation)`` with a batch of candidates
(one batch per generation, so the executors can spread it over cores) and
returns nothing: `studies.learning.learn.Fitness` records every evaluation, and the
best one wins. All of them are deterministic for a given seed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

import objectives
from worlds import InvalidParameterError


def candidates_search(fitness, dim: int, *, seed, evaluations, candidates, options) -> None:
    """Score each given candidate (an `Objective` or a feature -> weight map)."""
    _no_options("candidates", options)
    if not candidates:
        raise InvalidParameterError(
            "the candidates optimiser needs candidates: a list of objectives or weight maps"
        )
    thetas = []
    for candidate in candidates:
        weights = candidate.weights if isinstance(candidate, objectives.Objective) else dict(candidate)
        unknown = sorted(f for f, w in weights.items() if w != 0 and f not in fitness.features)
        if unknown:
            raise InvalidParameterError(
                f"candidate {candidate!r} weights {unknown}, which are not among the learned features "
                f"{list(fitness.features)}"
            )
        thetas.append(np.array([weights.get(f, 0.0) for f in fitness.features], dtype=np.float64))
    fitness(thetas, 0)


def random_search(fitness, dim: int, *, seed, evaluations, candidates, options) -> None:
    """`evaluations` gaussian directions, in one batch."""
    _no_options("random", options)
    rng = np.random.default_rng(seed)
    fitness(list(rng.standard_normal((evaluations, dim))), 0)


def cma_search(fitness, dim: int, *, seed, evaluations, candidates, options) -> None:
    """CMA-ES from the `cma` package, for about `evaluations` candidates.

    Options: ``popsize`` (default cma's 4 + 3 ln F), ``sigma0`` (default 1.0),
    ``x0`` (default zeros: no preference for any feature). CMA-ES stops early
    when the fitness is flat, which is itself a finding: training cannot tell
    the candidates apart.
    """
    import cma

    unknown = sorted(set(options) - {"popsize", "sigma0", "x0"})
    if unknown:
        raise InvalidParameterError(f"unknown cma options {unknown}; valid: popsize, sigma0, x0")
    x0 = np.asarray(options.get("x0", np.zeros(dim)), dtype=np.float64)
    if x0.shape != (dim,):
        raise InvalidParameterError(f"cma x0 needs {dim} values (one per feature), got {x0.shape}")
    settings: dict[str, Any] = {
        # cma reads 0 as "seed from the clock"; shift so every seed is reproducible
        "seed": int(seed) + 1,
        "maxfevals": evaluations,
        "verbose": -9,
    }
    if "popsize" in options:
        settings["popsize"] = int(options["popsize"])
    if dim == 1:
        # CMA-ES needs two dimensions; the second is ignored
        x0 = np.append(x0, 0.0)
    strategy = cma.CMAEvolutionStrategy(x0, float(options.get("sigma0", 1.0)), settings)
    generation, spent = 0, 0
    while not strategy.stop() and spent < evaluations:
        batch = strategy.ask()
        scores = fitness([np.asarray(x)[:dim] for x in batch], generation)
        strategy.tell(batch, [-s for s in scores])  # cma minimises
        generation, spent = generation + 1, spent + len(batch)


def gradient_search(fitness, dim: int, *, seed, evaluations, candidates, options) -> None:
    """Gradient ascent on theta through the unrolled JAX planner
    (`studies.learning.gradient`), then real episodes of the starting theta and
    of the theta whose smoothed, penalised fitness was best.

    Options are `learn_gradient.gradient_search`'s keywords (``theta0``,
    ``steps``, ``lr``, ``horizon`` (default: the planner's), ...)."""
    from studies.learning import gradient as learn_gradient

    world = fitness.world
    if any(o != fitness.overrides[0] for o in fitness.overrides):
        raise InvalidParameterError(
            "the gradient optimiser takes one set of overrides for all levels, not a mixture"
        )
    goals = {f for o in objectives.catalogue(world).values() for f in o.terminal}
    base = objectives.get(world, world.base)
    theta0 = options.pop("theta0", None)
    if theta0 is None:
        theta0 = learn_gradient.default_theta0(world, fitness.features)
    theta0 = np.asarray(theta0, dtype=np.float64)
    if theta0.shape != (dim,):
        raise InvalidParameterError(f"theta0 needs {dim} values (one per feature), got {theta0.shape}")
    if "horizon" in dict(fitness.planner.options):
        options.setdefault("horizon", dict(fitness.planner.options)["horizon"])
    steps = learn_gradient.gradient_search(
        world, list(fitness.features), frozenset(goals & set(fitness.features)),
        base.discount, base.step_cost,
        list(fitness.levels), fitness.split, fitness.overrides[0], theta0,
        l1=fitness.prior.l1, cost=np.array([fitness.prior.cost.get(f, 0.0) for f in fitness.features]),
        seed=seed, **options,
    )  # fmt: skip
    best = max(steps[1:] or steps, key=lambda row: row["fitness"] - row["penalty"])
    fitness([theta0, np.asarray(best["theta"])], 0)


def _no_options(name: str, options: Mapping[str, Any]) -> None:
    if options:
        raise InvalidParameterError(f"the {name} optimiser takes no options, got {sorted(options)}")


SEARCHES: dict[str, Callable[..., None]] = {
    "candidates": candidates_search,
    "random": random_search,
    "cma": cma_search,
    "gradient": gradient_search,
}
