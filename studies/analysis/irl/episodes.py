"""IRL on a world's levels from played episodes (`irl`): each level's MDP from
the oracle, each episode's states numbered by it, then `fit_irl`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import objectives
from planners.agent import Episode
from planners.oracle import ValueIteration, default_oracle
from studies.analysis.irl.fit import IRLResult, fit_irl
from studies.analysis.irl.mdp import (
    Trajectory,
    check_feature_names,
    discrete_world,
    feature_names_of,
    goal_features,
    mdp_of,
)
from studies.analysis.irl.models import check_model
from worlds import InvalidParameterError, Level, World


def _episode_sets(levels, episodes) -> list[list]:
    levels, episodes = list(levels), list(episodes)
    if len(levels) != len(episodes):
        raise InvalidParameterError(
            f"{len(levels)} levels but {len(episodes)} episode lists; pass the episodes of each level"
        )
    sets = [[e] if isinstance(e, (Episode, Trajectory)) else list(e) for e in episodes]
    if not levels or not any(sets):
        raise InvalidParameterError("irl needs at least one episode; got none")
    return sets


def _passed_goals(world: World, sets: list[list], goals: tuple[str, ...]) -> set[str]:
    """Goal features some episode fired and then went on: not its goal."""
    columns = [world.feature_index(f) for f in goals]
    passed = set()
    for episode in (e for s in sets for e in s if isinstance(e, Episode)):
        fired = episode.features[:-1, columns] != 0
        passed |= {goals[i] for i in np.flatnonzero(fired.any(axis=0))}
    return passed


def irl(
    world: World | str,
    levels: Sequence[Level],
    episodes: Sequence,
    *,
    features: Sequence[str] | None = None,
    goals: Sequence[str] | None = None,
    planner_model: str = "optimal",
    depth: int | None = None,
    horizon: int | None = None,
    temperature: float = 1.0,
    discount: float = 1.0,
    l2: float = 1e-2,
    iterations: int = 200,
    optimizer: str = "lbfgs",
    lr: float = 0.05,
    seed: int = 0,
    oracle: ValueIteration | None = None,
) -> IRLResult:
    """The objective that best explains `episodes` on `levels`.

    Args:
        world: a discrete world (or its name).
        levels: the levels played; each must be small enough for the oracle.
        episodes: parallel to `levels`: per level an `planners.Episode`, a
            `Trajectory` of oracle state indices, or a list of these, from any
            agent (planner agents, the reactive policy).
        features: the features to weigh (default `default_features`: those
            some catalogue objective weights).
        goals: features whose firing ends an episode in the model (default:
            the catalogue's goal features, minus any that an episode fired and
            then carried on past, which evidently did not end it).
        planner_model, depth, horizon, temperature, discount, l2, iterations,
        optimizer, lr, seed: as in `fit_irl`.
        oracle: the `planners.ValueIteration` whose enumeration numbers the
            states (default: the shared one).

    Returns an `IRLResult` whose objective has the base objective's discount.
    """
    world = discrete_world(world)
    check_model(planner_model, depth)
    names = feature_names_of(world, features)
    sets = _episode_sets(levels, episodes)
    if goals is None:
        catalogue_goals = goal_features(world)
        passed = _passed_goals(world, sets, catalogue_goals)
        goal_names = tuple(f for f in catalogue_goals if f not in passed)
    else:
        goal_names = check_feature_names(world, goals, "goals")
    oracle = oracle or default_oracle()
    mdps, trajectories = [], []
    for level, episode_set in zip(levels, sets):
        mdps.append(mdp_of(world, level, names, goals=goal_names, oracle=oracle))
        trajectories.append([_trajectory(world, level, e, oracle) for e in episode_set])
    base = objectives.get(world, world.base)
    return fit_irl(
        mdps, trajectories, planner_model=planner_model, depth=depth, horizon=horizon,
        temperature=temperature, discount=discount, l2=l2, iterations=iterations, optimizer=optimizer, lr=lr,
        seed=seed, objective_discount=base.discount,
    )  # fmt: skip


def _trajectory(world: World, level: Level, episode, oracle: ValueIteration) -> Trajectory:
    if not isinstance(episode, Episode):
        return episode
    if episode.world != world.name:
        raise InvalidParameterError(f"an episode of {episode.world} cannot be fitted in {world.name}")
    states = np.array([oracle.state_index(world, level, state) for state in episode.states], dtype=np.int64)
    return Trajectory(states, np.asarray(episode.actions, dtype=np.int64))
