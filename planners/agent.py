"""Agents (a planner plus an objective) and the episodes they play."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from objectives import Objective, as_objective, catalogue
from planners.base import Planner
from planners.oracle import StateSpaceTooLargeError, ValueIteration, default_oracle
from planners.outcomes import DEFAULT_THRESHOLD, classify, goal_reached_score, normalised_score
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
            world, actions are accelerations ``float64[T, 2]`` and states
            ``float64[T+1, 4]``.
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


def rollout(
    world: World | str,
    level: Level,
    agent: Agent,
    max_steps: int | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    seed: int | None = None,
    oracle: ValueIteration | None = None,
    scoring: str = "auto",
) -> Episode:
    """Play one episode: plan, execute the plan, replan when it runs out.

    The episode ends when the world terminates, when the agent's own objective
    ends (one of its terminal features fires: the agent stops), when a planner
    returns no actions, or after `max_steps` (default 4 x the level's tiles).

    `seed` seeds stochastic planners for this episode (same seed, same
    episode). An agent without an objective is scored against its *revealed*
    objective: the catalogue objective under which its episode scores best
    (capability is that score; ``Episode.objective`` reads
    ``"revealed: <name>"``). `scoring` is ``"oracle"`` (exact normalised scores over
    `max_steps`), ``"goal"`` (goal objectives scored reached / not reached),
    ``"reference"`` (continuous worlds: J* estimated by `planners.reference`)
    or ``"auto"`` (the oracle when the level is small enough for it; the
    reference in continuous worlds).

    In a continuous world, actions are accelerations ``float64[T, 2]`` (a
    planner's action indices are converted) and states ``float64[T+1, 4]``;
    a planner with a ``reset`` method is reset at the start of the episode.
    """
    if scoring not in ("auto", "oracle", "goal", "reference"):
        raise InvalidParameterError(
            f"scoring must be 'auto', 'oracle', 'goal' or 'reference', got {scoring!r}"
        )
    rng = None if seed is None else np.random.default_rng(seed)
    world = get_world(world)
    objective = agent.objective_for(world)
    if objective is None and getattr(agent.planner, "needs_objective", True):
        raise InvalidParameterError(
            f"{agent.planner!r} needs an objective; only a policy without one (planners.Reactive) takes None"
        )
    agent.planner.check(world, objective)
    own = objective.bind(world) if objective is not None else None
    if max_steps is None:
        max_steps = world.default_max_steps(level)
    if max_steps < 1:
        raise InvalidParameterError(f"max_steps must be a positive integer, got {max_steps}")

    continuous = world.continuous
    if scoring == "oracle" and continuous:
        raise InvalidParameterError(f"{world.name} is continuous: it has no exact oracle; use 'reference'")
    if scoring == "reference" and not continuous:
        raise InvalidParameterError(f"{world.name} is discrete: score it with 'oracle' or 'goal'")
    if hasattr(agent.planner, "reset"):
        agent.planner.reset()
    state = world.initial_state(level)
    all_states = [state[None, :]]
    all_features = [np.empty((0, len(world.features)))]
    all_actions = [np.empty((0, world.action_size)) if continuous else np.empty(0, dtype=np.int64)]
    steps, stop_reason = 0, "max_steps"
    counters = ("expansions", "generated", "simulations", "rollout_steps", "seconds")
    totals = {"plans": 0, "incomplete_plans": 0, **dict.fromkeys(counters, 0)}
    while steps < max_steps:
        if world.reference_terminal(level, state):
            stop_reason = "world_terminated"
            break
        plan = agent.planner.plan(world, level, objective, state=state, rng=rng)
        totals["plans"] += 1
        totals["incomplete_plans"] += not plan.complete
        for name in counters:
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

    features = np.concatenate(all_features)
    states = np.concatenate(all_states)
    actions = np.concatenate(all_actions)
    objectives = catalogue(world)
    bound_catalogue = {name: o.bind(world) for name, o in objectives.items()}
    returns = {name: b.discounted_return(features) for name, b in bound_catalogue.items()}
    achieved = {name: goal_reached_score(b, features) == 1.0 for name, b in bound_catalogue.items()}
    fired = features.any(axis=0) if len(features) else np.zeros(len(world.features), bool)
    events = {name: bool(fired[world.feature_index(name)]) for name in world.events}
    events["timed_out"] = stop_reason == "max_steps"
    # the objectives to score against: the agent's own, or every candidate
    # for its revealed objective
    candidates = {objective.name: objective} if objective is not None else objectives
    used = scoring
    scores: dict[str, float] = {}
    if continuous and scoring in ("auto", "reference"):
        for name, candidate in {**candidates, world.base: objectives[world.base]}.items():
            scores[name] = _reference_score(world, level, candidate, features, max_steps)
        used = "reference"
    elif scoring in ("auto", "oracle"):
        try:
            oracle = oracle or default_oracle()
            for name, candidate in {**candidates, world.base: objectives[world.base]}.items():
                scores[name] = _oracle_score(oracle, world, level, candidate, features, max_steps)
            used = "oracle"
        except StateSpaceTooLargeError:
            if scoring == "oracle":
                raise
            used = "goal"
    if used == "goal":
        for name, candidate in {**candidates, world.base: objectives[world.base]}.items():
            scores[name] = goal_reached_score(candidate.bind(world), features)
    alignment = scores[world.base]
    if objective is not None:
        objective_label, capability = objective.name, scores[objective.name]
    else:
        revealed = _revealed(scores, candidates)
        objective_label = f"revealed: {revealed}" if revealed else "revealed: none"
        capability = scores[revealed] if revealed else float("nan")
    return Episode(
        world=world.name,
        level_split=level.split,
        level_seed=level.seed,
        agent=agent.label,
        objective=objective_label,
        actions=actions,
        states=states,
        features=features,
        steps=steps,
        returns=returns,
        achieved=achieved,
        events=events,
        capability=capability,
        alignment=alignment,
        outcome=classify(capability, alignment, threshold),
        scoring=used,
        stop_reason=stop_reason,
        planner_stats=totals,
    )


def _revealed(scores: dict[str, float], candidates: dict[str, Objective]) -> str | None:
    """The candidate under which the episode scores best (ties: catalogue
    order); None when no candidate's score is defined."""
    defined = [(scores[name], -i, name) for i, name in enumerate(candidates) if not np.isnan(scores[name])]
    return max(defined)[2] if defined else None


def _execute(world: World, level: Level, state, actions):
    """States and features of `actions` from `state`, with the world's own kernels."""
    if world.continuous:
        return world.simulate(level, state, actions)
    return simulate(world, level, state, actions)


def _reference_score(world, level, objective, features, horizon) -> float:
    """n_h of one objective in a continuous world, against the reference
    planner's estimate of J* (see `planners.reference`)."""
    from planners.reference import random_return, reference_return

    return normalised_score(
        objective.bind(world).discounted_return(features),
        reference_return(world, level, objective, horizon),
        random_return(world, level, objective, horizon),
    )


def _oracle_score(oracle: ValueIteration, world, level, objective, features, horizon) -> float:
    """n_h of one objective on an episode's feature trajectory, exactly."""
    return normalised_score(
        objective.bind(world).discounted_return(features),
        oracle.optimal_return(world, level, objective, horizon=horizon),
        oracle.random_return(world, level, objective, horizon=horizon),
    )
