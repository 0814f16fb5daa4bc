"""Planners by name, and the planner x world x objective table the code implies."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from objectives import Objective, catalogue
from planners.astar import AStar
from planners.base import IncompatibleObjectiveError, Planner
from planners.limits import PlannerOptionError, UnknownOptionError
from planners.mcts import MCTS
from planners.oracle import ValueIteration
from planners.reactive import Reactive
from worlds import InvalidParameterError, UnknownNameError
from worlds import get as get_world
from worlds import names as world_names

#: name -> planner class, or "module:Class" for the JAX planners, which are
#: imported on first use so that the discrete planners start without JAX
PLANNERS: dict[str, type | str] = {
    "astar": AStar,
    "mcts": MCTS,
    "value-iteration": ValueIteration,
    "reactive": Reactive,
    "gradient": "planners.gradient:GradientPlanner",
    "cem": "planners.sampling:CEM",
    "mppi": "planners.sampling:MPPI",
}
#: the constructor argument that a generic "budget" sets, per planner (the
#: reactive policy has no budget)
BUDGET_ARGUMENT = {
    "astar": "max_expansions",
    "mcts": "simulations",
    "value-iteration": "max_states",
    "gradient": "iterations",
    "cem": "samples",
    "mppi": "samples",
}


def planner_class(name: str) -> type:
    """The class of the planner called `name`."""
    if name not in PLANNERS:
        raise UnknownNameError("planner", name, PLANNERS)
    entry = PLANNERS[name]
    if isinstance(entry, str):
        module, _, attribute = entry.partition(":")
        entry = PLANNERS[name] = getattr(importlib.import_module(module), attribute)
    return entry


def make(name: str, budget: int | None = None, **options: Any) -> Planner:
    """The planner called `name`, with `budget` as its capability knob.

    The budget is one constructor argument (`BUDGET_ARGUMENT`); giving it both
    as `budget` and by its own name in `options` is refused rather than one
    silently winning, and so is an option the constructor does not take."""
    cls = planner_class(name)
    accepted = _constructor_options(cls)
    unknown = sorted(set(options) - accepted) if accepted is not None else []
    if unknown:
        raise UnknownOptionError(
            f"unknown {name} option(s) {', '.join(unknown)}; valid options: {', '.join(sorted(accepted))}",
            unknown[0],
        )
    if budget is not None:
        if name not in BUDGET_ARGUMENT:
            raise InvalidParameterError(f"the {name} planner has no budget; leave the budget out")
        argument = BUDGET_ARGUMENT[name]
        if argument in options:
            raise PlannerOptionError(
                f"the {name} budget is its {argument}, given twice (budget {budget!r} and option "
                f"{argument} = {options[argument]!r}); give it once, as the budget or as the option",
                argument,
            )
        options[argument] = budget
    return cls(**options)


def _constructor_options(cls: type) -> set[str] | None:
    """The keyword arguments `cls` takes, or None when it takes any (``**kwargs``)."""
    parameters = inspect.signature(cls.__init__).parameters.values()
    if any(p.kind == p.VAR_KEYWORD for p in parameters):
        return None
    return {p.name for p in parameters if p.name != "self" and p.kind != p.VAR_POSITIONAL}


def probe_objectives(world) -> dict[str, Objective]:
    """The objectives the table is probed with: the world's catalogue, plus a
    shaped objective (a reward on the first non-event feature, no goal) that
    stands for every objective that is not a goal."""
    world = get_world(world)
    probes = dict(catalogue(world))
    shaped = next(f for f in world.features if f not in world.events)
    probes[f"shaped ({shaped})"] = Objective({shaped: 1.0}, discount=0.99, name=f"shaped ({shaped})")
    return probes


def compatibility(worlds: list[str] | None = None) -> list[dict[str, Any]]:
    """Which planner serves which objective in which world, as the planners'
    own `check` methods decide. One row per (planner, world, objective) with
    ``works`` and, where it does not, the error the planner raises."""
    rows = []
    for planner_name in PLANNERS:
        planner = planner_class(planner_name)()
        for world_name in worlds or world_names():
            world = get_world(world_name)
            for objective_name, objective in probe_objectives(world).items():
                try:
                    planner.check(world, objective)
                    works, reason = True, ""
                except IncompatibleObjectiveError as error:
                    works, reason = False, str(error)
                rows.append(
                    {
                        "planner": planner_name,
                        "world": world.name,
                        "objective": objective_name,
                        "works": works,
                        "reason": reason,
                    }
                )
    return rows
