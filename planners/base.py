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

from objectives import BoundObjective, Objective, as_objective
from worlds import Level, MesabaseError, World
from worlds import get as get_world


class IncompatibleObjectiveError(MesabaseError, ValueError):
    """This planner cannot pursue this objective (e.g. A* without a goal)."""


@dataclasses.dataclass(frozen=True)
class Plan:
    """What a planner proposes from one state.

    Attributes:
        actions: ``int64[T]`` action indices, first to last; the JAX
            planners return accelerations ``float64[T, 2]``.
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


@dataclasses.dataclass(frozen=True)
class PlanningProblem:
    """What every planner resolves first: the world, the objective, its bound
    arrays and the start state ``int64[S]``."""

    world: World
    objective: Objective
    bound: BoundObjective
    start: np.ndarray


def resolve(
    planner, world: World | str, level: Level, objective: Objective | str, state=None
) -> PlanningProblem:
    """Look up names, let `planner` refuse what it cannot serve, and bind."""
    world = get_world(world)
    objective = as_objective(world, objective)
    planner.check(world, objective)
    start = world.kernel_state(
        world.initial_state(level) if state is None else world.check_state(level, state)
    )
    return PlanningProblem(world, objective, objective.bind(world), start)


def refuse_continuous(planner, world: World) -> None:
    """Raise `IncompatibleObjectiveError` for a planner that needs a finite,
    discrete state space when `world` is continuous."""
    if world.continuous:
        raise IncompatibleObjectiveError(
            f"{planner.name} searches discrete state spaces and {world.name} is continuous; "
            "use gradient, cem, mppi or mcts (over its discretised actions) there"
        )


class Planner(Protocol):
    """What every planner provides; callers (`rollout`, studies, the CLI, the
    conformance tests) use these members and nothing else.

    Attributes:
        name: the planner's registry name (``"astar"``, ``"mcts"``, ...).
        needs_objective: False only for a policy that acts without one
            (`planners.Reactive`); `rollout` then takes ``Agent(planner, None)``
            and scores the episode against the revealed objective.
        small_budget: a budget small enough for a conformance test (None: the
            planner has no budget to shrink); `planners.make(name, budget)`
            sets it.
    """

    name: str
    needs_objective: bool
    small_budget: int | None

    def check(self, world: World, objective: Objective | None) -> None:
        """Raise `IncompatibleObjectiveError` if `objective` cannot be served
        in `world`, before any search runs."""

    def plan(
        self,
        world: World,
        level: Level,
        objective: Objective | None,
        state: np.ndarray | None = None,
        rng: np.random.Generator | None = None,
    ) -> Plan:
        """Search from `state` (default: the level's start) and return a
        `Plan`; `rng` seeds a stochastic planner for this call."""

    def reset(self) -> None:
        """Forget what the planner carries between calls (a warm start);
        `rollout` calls it at the start of every episode."""


class PlannerBase:
    """The defaults of the `Planner` members that most planners share."""

    name = "planner"
    needs_objective = True
    small_budget: int | None = None

    def reset(self) -> None:
        """Nothing to forget: the planner keeps no state between calls."""
