"""mesabase planners: explicit search procedures that pursue a pluggable objective.

>>> from planners import AStar, Agent, rollout
>>> episode = rollout("arrow-maze", level, Agent(AStar(), "arrow"))  # doctest: +SKIP
"""

from planners import limits
from planners.agent import Agent, Episode, Playthrough, play
from planners.astar import AStar, goal_objective_problem
from planners.base import IncompatibleObjectiveError, Plan, Planner, PlannerBase
from planners.limits import PlannerOptionError, UnknownOptionError
from planners.mcts import MCTS
from planners.oracle import StateSpaceTooLargeError, TabularModel, ValueIteration, default_oracle
from planners.reactive import Reactive
from planners.registry import BUDGET_ARGUMENT, PLANNERS, compatibility, make, planner_class, probe_objectives
from planners.rollout import rollout
from planners.scoring import (
    CAPABILITY_FAILURE,
    DEFAULT_THRESHOLD,
    INTENDED,
    MISGENERALIZED,
    OUTCOMES,
    classify,
    normalised_score,
    score_episode,
)
from planners.trajectory import simulate

_JAX_PLANNERS = {
    "GradientPlanner": "planners.gradient",
    "CEM": "planners.sampling",
    "MPPI": "planners.sampling",
    "initialisers": "planners.initialisers",
}


def __getattr__(name: str):
    # the JAX planners load on first use, so the discrete ones start without JAX
    if name in _JAX_PLANNERS:
        import importlib

        module = importlib.import_module(_JAX_PLANNERS[name])
        return module if name == "initialisers" else getattr(module, name)
    raise AttributeError(f"module 'planners' has no attribute {name!r}")


__all__ = [
    "BUDGET_ARGUMENT",
    "CAPABILITY_FAILURE",
    "CEM",
    "GradientPlanner",
    "MPPI",
    "DEFAULT_THRESHOLD",
    "INTENDED",
    "MCTS",
    "MISGENERALIZED",
    "OUTCOMES",
    "PLANNERS",
    "AStar",
    "Agent",
    "Episode",
    "IncompatibleObjectiveError",
    "Plan",
    "PlannerOptionError",
    "Playthrough",
    "Reactive",
    "Planner",
    "PlannerBase",
    "classify",
    "compatibility",
    "goal_objective_problem",
    "limits",
    "make",
    "rollout",
    "StateSpaceTooLargeError",
    "TabularModel",
    "UnknownOptionError",
    "ValueIteration",
    "default_oracle",
    "normalised_score",
    "planner_class",
    "play",
    "score_episode",
    "probe_objectives",
    "simulate",
]
