"""Reference returns for normalising scores in continuous worlds.

A continuous world has no exact optimum to normalise by, so J* is
*estimated* by a documented strong reference planner, planning open loop
from the start over the whole episode (open loop loses nothing: the dynamics
are deterministic):

1. CEM with 1024 samples, 24 iterations and 64 elites over the full
   horizon, which explores widely enough to find the way round traps;
2. then Adam from CEM's best sequence and from 15 random restarts, 300
   iterations each, which polishes the solution locally;
3. and, separately, CEM acting by MPC (1024 samples, horizon 60, replanning
   every 5 steps), which is often better than one open-loop search over a
   long horizon.

J* is the best of the three, each re-scored in float64 by the numba dynamics.
It is an estimate and a lower bound on the true optimum: an agent can score
above it, so normalised scores above 1 are possible and reported as they
are. J^random is the mean return of 16 episodes of uniformly random
accelerations. Both are cached per (level, objective, horizon).
"""

from __future__ import annotations

import functools

import numpy as np

from objectives import Objective
from planners.agent import Agent, play
from worlds import ContinuousWorld, Level

REFERENCE_CEM = {"samples": 1024, "iterations": 24, "elites": 64, "std": 0.6}
REFERENCE_GRADIENT = {"restarts": 16, "iterations": 300, "lr": 0.1}
REFERENCE_MPC = {"samples": 1024, "iterations": 8, "elites": 64, "horizon": 60, "execute": 5}
RANDOM_EPISODES = 16


def _score(world: ContinuousWorld, level: Level, objective: Objective, actions: np.ndarray) -> float:
    _, features = world.simulate(level, world.initial_state(level), actions)
    return objective.bind(world).discounted_return(features)


@functools.lru_cache(maxsize=4096)
def reference_return(world: ContinuousWorld, level: Level, objective: Objective, horizon: int) -> float:
    """The reference planner's estimate of J* for `objective` over `horizon` steps."""
    from planners.gradient import GradientPlanner
    from planners.sampling import CEM

    cem = CEM(horizon=horizon, execute=horizon, warm_start=False, **REFERENCE_CEM)
    searched = cem.plan(world, level, objective).actions
    polish = GradientPlanner(horizon=horizon, execute=horizon, **REFERENCE_GRADIENT)
    polish.warm_from_actions(world, level, objective, searched)
    polished = polish.plan(world, level, objective).actions
    closed_loop = _mpc_actions(world, level, objective, horizon)
    return max(_score(world, level, objective, actions) for actions in (searched, polished, closed_loop))


def _mpc_actions(world: ContinuousWorld, level: Level, objective: Objective, horizon: int) -> np.ndarray:
    """The accelerations of one MPC episode of the reference CEM."""
    from planners.sampling import CEM

    return play(world, level, Agent(CEM(**REFERENCE_MPC), objective), horizon).actions


@functools.lru_cache(maxsize=4096)
def random_return(world: ContinuousWorld, level: Level, objective: Objective, horizon: int) -> float:
    """Mean return of `RANDOM_EPISODES` episodes of uniform random accelerations."""
    rng = np.random.default_rng(0)
    limit = world.action_scale(level)
    returns = [
        _score(world, level, objective, rng.uniform(-limit, limit, size=(horizon, world.action_size)))
        for _ in range(RANDOM_EPISODES)
    ]
    return float(np.mean(returns))
