"""mesabase planners: explicit search procedures that pursue a pluggable objective.

>>> from planners import AStar, Agent, rollout
>>> episode = rollout("arrow-maze", level, Agent(AStar(), "arrow"))  # doctest: +SKIP
"""

from planners.agent import Agent, Episode, rollout
from planners.astar import AStar, goal_objective_problem
from planners.base import IncompatibleObjectiveError, Plan, Planner
from planners.mcts import MCTS
from planners.oracle import StateSpaceTooLargeError, TabularModel, ValueIteration, default_oracle
from planners.outcomes import (
    CAPABILITY_FAILURE,
    DEFAULT_THRESHOLD,
    INTENDED,
    MISGENERALIZED,
    OUTCOMES,
    classify,
    normalised_score,
)
from planners.reactive import Reactive
from planners.registry import PLANNERS, compatibility, make, probe_objectives
from planners.trajectory import simulate

__all__ = [
    "CAPABILITY_FAILURE",
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
    "Reactive",
    "Planner",
    "classify",
    "compatibility",
    "goal_objective_problem",
    "make",
    "rollout",
    "StateSpaceTooLargeError",
    "TabularModel",
    "ValueIteration",
    "default_oracle",
    "normalised_score",
    "probe_objectives",
    "simulate",
]
