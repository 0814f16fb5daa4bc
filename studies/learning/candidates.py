"""Candidate objectives: the weight vectors theta the base optimiser searches,
as the `Objective`s their agents pursue, and the training levels' overrides.

Candidates are normalised to ``max |w| = 1`` (planners are indifferent to
positive scale, so the optimiser searches directions) and rounded, so that
equal candidates share their stored episodes. A world's goal features (the
catalogue's terminal features) end the episode for a candidate only when it
rewards them.
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


def goal_features(world) -> frozenset[str]:
    """The world's goal features: terminal features of any catalogue objective."""
    return frozenset(f for o in objectives.catalogue(worlds.get(world)).values() for f in o.terminal)


def objective_from(world, features: Sequence[str], theta, name: str | None = None) -> objectives.Objective:
    """The candidate objective of weight vector `theta` ``float[F]`` over `features`.

    Weights are scaled to ``max |w| = 1`` and rounded; goal features (terminal
    in the catalogue) end the episode only when rewarded; step cost and
    discount are the base objective's.
    """
    world = worlds.get(world)
    theta = np.asarray(theta, dtype=np.float64)
    scale = float(np.max(np.abs(theta))) if theta.size else 0.0
    normalised = np.round(theta / scale, _DECIMALS) if scale > 1e-12 else np.zeros_like(theta)
    weights = {f: float(w) + 0.0 for f, w in zip(features, normalised)}  # + 0.0 drops -0.0
    goals = goal_features(world)
    base = objectives.get(world, world.base)
    terminal = {f for f, w in weights.items() if f in goals and w > 0}
    return objectives.Objective(weights, terminal, base.step_cost, base.discount, name=name)


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
