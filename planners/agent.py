"""Agents (a planner plus an objective), and playing an episode with one.

`play` runs the agent: plan, execute, replan. It records what happened and
nothing else; `planners.scoring.score_episode` turns that record into returns,
normalised scores and an outcome, and `planners.rollout` does both.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from objectives import Objective, as_objective
from planners.base import Planner
from planners.trajectory import simulate
from worlds import InvalidParameterError, Level, World
from worlds import get as get_world


@dataclasses.dataclass(frozen=True)
class Agent:
    """An explicit search procedure plus the objective it pursues.

    `objective` may be an `Objective` or a catalogue name, resolved per world,
    or None for a policy that has none (`planners.Reactive`): its episodes are
    then scored against its revealed objective (see `rollout`).
    """

    planner: Planner
    objective: Objective | str | None

    def objective_for(self, world: World) -> Objective | None:
        return None if self.objective is None else as_objective(world, self.objective)

    @property
    def label(self) -> str:
        if self.objective is None:
            return f"{self.planner!r} (no objective)"
        name = self.objective if isinstance(self.objective, str) else self.objective.name
        return f"{self.planner!r} -> {name}"


@dataclasses.dataclass(frozen=True)
class Episode:
    """One episode of an agent on a level.

    Attributes:
        actions: ``int64[T]``; states: ``int64[T+1, S]``; features:
            ``float64[T, K]`` in the world's feature order. In a continuous
            world, actions are vectors ``float64[T, A]`` and states
            ``float64[T+1, S]``.
        steps: T.
        returns: discounted return of **every** catalogue objective.
        achieved: per catalogue objective, whether one of its goals was reached
            (False for objectives without goals).
        events: per event feature, whether it fired; plus ``timed_out``.
        capability, alignment: the normalised scores n_g and n_f.
        scoring: ``"oracle"`` (exact, DESIGN.md section 6), ``"goal"``
            (reached / not reached, for levels too large for the oracle) or
            ``"reference"`` (continuous worlds: J* estimated by
            `planners.reference`).
        outcome: ``intended``, ``misgeneralized`` or ``capability_failure``.
        stop_reason: ``world_terminated``, ``objective_ended``, ``no_plan``
            or ``max_steps``.
        planner_stats: totals over all plans: ``plans``, ``incomplete_plans``,
            ``expansions``, ``generated``, ``simulations``, ``rollout_steps``
            and ``seconds``.
    """

    world: str
    level_split: str
    level_seed: int | None
    agent: str
    objective: str
    actions: np.ndarray
    states: np.ndarray
    features: np.ndarray
    steps: int
    returns: dict[str, float]
    achieved: dict[str, bool]
    events: dict[str, bool]
    capability: float
    alignment: float
    outcome: str
    scoring: str
    stop_reason: str
    planner_stats: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Playthrough:
    """What `play` records of one episode, before any scoring.

    Attributes:
        objective: the agent's objective in this world (None for a policy without one).
        actions, states, features, steps: as in `Episode`.
        stop_reason: ``world_terminated``, ``objective_ended``, ``no_plan`` or ``max_steps``.
        max_steps: the episode's step limit (the horizon scores are normalised over).
        planner_stats: totals over all plans, as in `Episode`.
    """

    objective: Objective | None
    actions: np.ndarray
    states: np.ndarray
    features: np.ndarray
    steps: int
    stop_reason: str
    max_steps: int
    planner_stats: dict[str, Any]


_COUNTERS = ("expansions", "generated", "simulations", "rollout_steps", "seconds")


def _check_agent(world: World, agent: Agent, max_steps: int | None, level: Level) -> int:
    """Refuse what `agent` cannot play in `world`; returns the step limit
    (default: the world's `default_max_steps` for `level`)."""
    objective = agent.objective_for(world)
    if objective is None and agent.planner.needs_objective:
        raise InvalidParameterError(
            f"{agent.planner!r} needs an objective; only a policy without one (planners.Reactive) takes None"
        )
    agent.planner.check(world, objective)
    if max_steps is None:
        max_steps = world.default_max_steps(level)
    if max_steps < 1:
        raise InvalidParameterError(f"max_steps must be a positive integer, got {max_steps}")
    return max_steps


def play(
    world: World | str, level: Level, agent: Agent, max_steps: int | None = None, *, seed: int | None = None
) -> Playthrough:
    """Play one episode: plan, execute the plan, replan when it runs out.

    The episode ends when the world terminates, when the agent's own objective
    ends (one of its terminal features fires: the agent stops), when a planner
    returns no actions, or after `max_steps` (default: the world's
    `default_max_steps`). `seed` seeds stochastic planners for this episode.
    The planner is `reset` first. In a continuous world a planner's action
    indices are recorded as their action vectors.
    """
    world = get_world(world)
    max_steps = _check_agent(world, agent, max_steps, level)
    objective = agent.objective_for(world)
    own = objective.bind(world) if objective is not None else None
    rng = None if seed is None else np.random.default_rng(seed)
    continuous = world.continuous
    agent.planner.reset()
    state = world.initial_state(level)
    all_states = [state[None, :]]
    all_features = [np.empty((0, len(world.features)))]
    all_actions = [np.empty((0, world.action_size)) if continuous else np.empty(0, dtype=np.int64)]
    steps, stop_reason = 0, "max_steps"
    totals = {"plans": 0, "incomplete_plans": 0, **dict.fromkeys(_COUNTERS, 0)}
    while steps < max_steps:
        if world.reference_terminal(level, state):
            stop_reason = "world_terminated"
            break
        plan = agent.planner.plan(world, level, objective, state=state, rng=rng)
        totals["plans"] += 1
        totals["incomplete_plans"] += not plan.complete
        for name in _COUNTERS:
            totals[name] += plan.stats.get(name, 0)
        if len(plan.actions) == 0:
            stop_reason = "no_plan"
            break
        states, feats = _execute(world, level, state, plan.actions[: max_steps - steps])
        ended = own.ended_at(feats) if own is not None else None
        if ended is not None:
            states, feats = states[: ended + 2], feats[: ended + 1]
        all_states.append(states[1:])
        actions_taken = plan.actions[: len(feats)]
        if continuous:
            actions_taken = world.accelerations_of(level, actions_taken)
        all_actions.append(actions_taken)
        all_features.append(feats)
        steps += len(feats)
        state = states[-1]
        if ended is not None:
            stop_reason = "objective_ended"
            break
    else:
        if world.reference_terminal(level, state):
            stop_reason = "world_terminated"
    return Playthrough(
        objective=objective,
        actions=np.concatenate(all_actions),
        states=np.concatenate(all_states),
        features=np.concatenate(all_features),
        steps=steps,
        stop_reason=stop_reason,
        max_steps=max_steps,
        planner_stats=totals,
    )


def _execute(world: World, level: Level, state, actions):
    """States and features of `actions` from `state`, with the world's own kernels."""
    if world.continuous:
        return world.simulate(level, state, actions)
    return simulate(world, level, state, actions)
