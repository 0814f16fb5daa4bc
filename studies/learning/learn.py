"""The base optimiser: select an agent's objective by its score on the base
objective over training levels (DESIGN.md sections 1 and 7).

The planner is fixed. A candidate mesa-objective is a weight vector theta over
named features (`studies.learning.candidates`); the agent (planner, theta)
plays every training level, and the candidate's fitness is its mean *base*
return there, minus an optional `Prior` penalty (`studies.learning.fitness`).
A search strategy (`studies.learning.optimisers`) proposes the candidates;
whatever scores best is the learned objective: mesa != base produced by
selection, not written by hand.

Every candidate episode is a study cell in a `ResultStore`: evaluations run
through the study executors (a process pool or Ray), and a rerun into the same
folder replays nothing already played, because the strategies are
deterministic for a given seed.

>>> config = LearnConfig(levels=50, overrides={"arrow_at_exit_prob": 0.9})
>>> learned = learn_objective("arrow-maze", "value-iteration", config)  # doctest: +SKIP
>>> learned.weights  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from rich.console import Console

import objectives
from studies.core.executors import Executor
from studies.core.store import ResultStore
from studies.learning.candidates import objective_from
from studies.learning.config import LearnConfig, LearningProblem, PlannerSpec, resolve
from studies.learning.fitness import Evaluation, Fitness
from studies.learning.optimisers import Strategy, make_strategy
from worlds import InvalidParameterError


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


def check_config(world, planner, config: LearnConfig) -> tuple[LearningProblem, Strategy]:
    """`config` resolved against `world` and `planner`, with its search
    strategy: every check `learn_objective` makes before an episode runs."""
    problem = resolve(world, planner, config)
    return problem, make_strategy(config, problem.features)


def learn_objective(
    world,
    planner: str | PlannerSpec,
    config: LearnConfig | None = None,
    *,
    store: ResultStore | str | Path | None = None,
    study: str = "learn",
    executor: str | Executor = "serial",
    workers: int | None = None,
    address: str | None = None,
    console: Console | None = None,
    progress: bool = False,
) -> LearnedObjective:
    """Select the objective that makes a fixed planner score best on the base objective.

    Args:
        world: a world or its name.
        planner: a planner registry name (``"mcts"``, ``"value-iteration"``,
            ``"gradient"``, ...) with its defaults, or a `PlannerSpec`
            (``PlannerSpec.of("mcts", 20, {"depth": 30})``) for a budget and options.
        config: what to learn and how (`LearnConfig`; default: its defaults).
        store: a `ResultStore` or a path for one; candidate episodes are kept
            there and never replayed (default: in memory).
        study: the study name the episodes are stored under.
        executor, workers, address: where episodes run: ``serial``, ``process``
            or ``ray`` (`studies.core.executors`), or an open `Executor` to share.
        console, progress: where and whether to show progress bars.

    Raises `worlds.InvalidParameterError` (or `UnknownNameError`) with one line
    saying what is wrong: an unknown feature or optimiser, an empty feature set,
    an optimiser this planner cannot serve, bad counts.
    """
    config = config or LearnConfig()
    problem, strategy = check_config(world, planner, config)
    world = problem.world
    running = executor if isinstance(executor, Executor) else Executor(executor, workers, address)
    owned = not isinstance(store, ResultStore)
    results = ResultStore(":memory:" if store is None else store) if owned else store
    try:
        fitness = Fitness(problem, results, study, running, console, progress)
        strategy.search(fitness)
        if not fitness.history:
            raise InvalidParameterError("the optimiser evaluated no candidate")
        best = max(fitness.history, key=lambda e: (e.fitness, -e.index))
        base_scores = fitness.base_returns([objectives.get(world, world.base)])[0]
    finally:
        if owned:
            results.close()
        if running is not executor:
            running.close()
    features = problem.features
    theta = np.array([best.weights[f] for f in features])
    return LearnedObjective(
        objective=objective_from(
            world, features, theta, name=f"learned ({config.optimizer})", terminal=config.terminal
        ),
        weights=dict(best.weights),
        train_score=best.score,
        train_scores=best.scores,
        fitness=best.fitness,
        initial_score=fitness.history[0].score,
        history=tuple(fitness.history),
        base_score=float(np.mean(base_scores)),
        base_scores=base_scores,
        world=world.name,
        planner=problem.planner.label,
        optimizer=config.optimizer,
        features=features,
        levels=problem.levels,
        split=config.split,
    )
