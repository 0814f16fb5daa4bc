"""A candidate's fitness: its agent's mean base return on the training levels,
each episode a study cell in a `ResultStore` (so a rerun replays nothing).

Evaluations run through the study executors (a process pool or Ray) one
batch at a time: the search strategies hand over a generation of candidates
at once so the pool can spread it over cores.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from rich.console import Console

import objectives
import planners
import worlds
from studies.core.cells import Cell
from studies.core.executors import Executor
from studies.core.runner import play_cells
from studies.core.store import ResultStore
from studies.learning.candidates import objective_from
from studies.learning.config import LearningProblem, PlannerSpec


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


def agent_cells(
    world, planner: PlannerSpec, objective, split: str, levels, overrides, max_steps, scoring: str
) -> list[Cell]:
    """Study cells for the agent (planner, objective) on `levels` of `split`;
    `objective` is a catalogue name or an `Objective` (stored as its JSON);
    `overrides` is one table for every level or a list, one per level."""
    text = objective if isinstance(objective, str) else objective.to_json()
    levels = list(levels)
    per_level = overrides if isinstance(overrides, (list, tuple)) else [overrides] * len(levels)
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


class Fitness:
    """Scores candidate objectives by their agent's base return on the training
    levels of `problem`, episode by episode in `store` (so reruns replay
    nothing). Every evaluation joins `history`, in order."""

    def __init__(
        self,
        problem: LearningProblem,
        store: ResultStore,
        study: str,
        executor: Executor,
        console: Console | None = None,
        progress: bool = False,
    ):
        self.problem = problem
        self.world, self.features = problem.world, problem.features
        self.store, self.study = store, study
        self.executor, self.console, self.progress = executor, console, progress
        self.history: list[Evaluation] = []

    def cells(self, objective: objectives.Objective) -> list[Cell]:
        """One cell per training level for the agent (planner, objective)."""
        problem = self.problem
        return agent_cells(self.world, problem.planner, objective, problem.config.split, problem.levels,
                           problem.level_overrides, problem.config.max_steps, "goal")  # fmt: skip

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
        terminal = self.problem.config.terminal
        candidates = [objective_from(self.world, self.features, t, terminal=terminal) for t in thetas]
        prior = self.problem.config.prior
        out = []
        for candidate, scores in zip(candidates, self.base_returns(candidates)):
            weights = {f: candidate.weights[f] for f in self.features}
            evaluation = Evaluation(
                len(self.history), generation, weights, float(np.mean(scores)), scores, prior.penalty(weights)
            )
            self.history.append(evaluation)
            out.append(evaluation.fitness)
        return out
