"""Candidate objectives: the weight vectors theta the base optimiser searches,
as the `Objective`s their agents pursue, and the training levels' overrides.

Candidates are normalised to ``max |w| = 1`` (planners are indifferent to
positive scale, so the optimiser searches directions) and rounded, so that
equal candidates share their stored episodes. Which features end a
candidate's episode is the config's terminal rule (`objectives.terminal`):
by default ``"rewarded"``, a world's goal feature (a catalogue objective's
terminal feature) ends it only when the candidate gives it a positive weight;
``"base"`` ends it at the base objective's goals only, whatever the weights.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

import objectives
import worlds

_DECIMALS = 6  # candidate weights are rounded: readable, and equal candidates share episodes


def learnable_features(world) -> tuple[str, ...]:
    """The world's reward-like features: those some catalogue objective weights."""
    world = worlds.get(world)
    used = {f for o in objectives.catalogue(world).values() for f, w in o.weights.items() if w != 0}
    return tuple(f for f in world.features if f in used)


#: the world's goal features: terminal features of any catalogue objective
goal_features = objectives.goal_features


def objective_from(
    world,
    features: Sequence[str],
    theta,
    name: str | None = None,
    terminal: objectives.terminal.TerminalRule = objectives.DEFAULT_TERMINAL,
) -> objectives.Objective:
    """The candidate objective of weight vector `theta` ``float[F]`` over `features`.

    Weights are scaled to ``max |w| = 1`` and rounded; the features that end
    the episode are those the `terminal` rule picks (default ``"rewarded"``:
    goal features, terminal in the catalogue, only when rewarded); step cost
    and discount are the base objective's.
    """
    world = worlds.get(world)
    theta = np.asarray(theta, dtype=np.float64)
    scale = float(np.max(np.abs(theta))) if theta.size else 0.0
    normalised = np.round(theta / scale, _DECIMALS) if scale > 1e-12 else np.zeros_like(theta)
    weights = {f: float(w) + 0.0 for f, w in zip(features, normalised)}  # + 0.0 drops -0.0
    base = objectives.get(world, world.base)
    ends = objectives.terminal_features(world, weights, terminal)
    return objectives.Objective(weights, ends, base.step_cost, base.discount, name=name)


def mixed_overrides(
    levels: int, overrides: Mapping[str, Any], mixture: Mapping[str, Any] | None
) -> list[dict]:
    """Per training level, its generator overrides: `overrides`, and for an exact
    fraction ``mixture["fraction"]`` of the levels (round(fraction x levels),
    spread evenly) also ``mixture["overrides"]``."""
    plain = dict(overrides)
    if not mixture:
        return [plain] * levels
    count = math.floor(mixture["fraction"] * levels + 0.5)
    mixed = {i for i in range(levels) if (i + 1) * count // levels > i * count // levels}
    return [{**plain, **mixture["overrides"]} if i in mixed else plain for i in range(levels)]
