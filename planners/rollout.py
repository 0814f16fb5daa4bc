"""`rollout`: play one episode with an agent and score it."""

from __future__ import annotations

from planners.agent import Agent, Episode, play
from planners.oracle import ValueIteration
from planners.scoring import DEFAULT_THRESHOLD, check_scoring, score_episode
from worlds import Level, World
from worlds import get as get_world


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
    """Play one episode (`planners.agent.play`: plan, execute, replan) and
    score it (`planners.scoring.score_episode`: every catalogue objective's
    return, capability, alignment and the outcome at `threshold`).

    `max_steps` defaults to the world's `default_max_steps` (4 x the level's
    tiles in the grid worlds); `seed` seeds stochastic planners (same seed,
    same episode); `scoring` is ``"auto"``, ``"oracle"``, ``"goal"`` or
    ``"reference"`` (see `score_episode`). In a continuous world, actions are
    vectors ``float64[T, A]`` and states ``float64[T+1, S]``.
    """
    world = get_world(world)
    check_scoring(world, scoring)  # before any planning; `play` checks the agent
    played = play(world, level, agent, max_steps, seed=seed)
    return score_episode(
        world, level, played, agent.label, threshold=threshold, oracle=oracle, scoring=scoring
    )
