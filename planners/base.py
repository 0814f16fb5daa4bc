"""The planner contract, in one short file.

A planner is configured by its budget and answers one question:

    planner.plan(world, level, objective, state=None, rng=None) -> Plan

It sees the world only through `worlds.dispatch` kernels and the objective only
through `objective.bind(world)` arrays, so either can be swapped freely.
A planner that cannot serve an objective raises `IncompatibleObjectiveError`
from `check` before any search runs.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

import numpy as np

from objectives import Objective
from worlds import Level, MesabaseError, World


class IncompatibleObjectiveError(MesabaseError, ValueError):
    """This planner cannot pursue this objective (e.g. A* without a goal)."""


@dataclasses.dataclass(frozen=True)
class Plan:
    """What a planner proposes from one state.

    Attributes:
        actions: ``int64[T]`` action indices, first to last.
        value: the objective's discounted return along `actions`.
        complete: True when the plan reaches the objective's goal (or, for
            planners without goals, when the search finished within budget).
        stats: counters: ``expansions`` or ``simulations``, ``rollout_steps``
            and ``seconds`` at least.
        action_values: ``float64[A]``, the planner's own estimate of each first
            action's value (the utility its objective induces over outputs),
            where the planner has one.
    """

    actions: np.ndarray
    value: float
    complete: bool
    stats: dict[str, Any]
    action_values: np.ndarray | None = None


class Planner(Protocol):
    name: str

    def check(self, world: World, objective: Objective) -> None:
        """Raise `IncompatibleObjectiveError` if `objective` cannot be served."""

    def plan(
        self,
        world: World,
        level: Level,
        objective: Objective,
        state: np.ndarray | None = None,
        rng: np.random.Generator | None = None,
    ) -> Plan: ...
