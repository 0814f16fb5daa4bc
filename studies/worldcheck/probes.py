"""The world's kernels as the planners call them: through `worlds.dispatch`
with the world's integer id, one state at a time.

`worlds.dispatch` is looked up at call time (it is generated for the installed
set of worlds), never bound at import.
"""

from __future__ import annotations

import dataclasses

import numpy as np

import worlds
from studies.worldcheck.core import CheckFailed
from worlds import Level, World


@dataclasses.dataclass(frozen=True)
class KernelTransition:
    """One transition as the dispatch kernels compute it.

    Attributes:
        next_state: the successor in the world's own state form (``int64[S]``
            for a discrete world, ``float64[S]`` for a continuous one).
        features: ``float64[K]`` with every feature computed (all-ones mask).
        masked: ``float64[K]`` computed with `mask` ``bool[K]``.
        mask: which features the masked call asked for.
    """

    next_state: np.ndarray
    features: np.ndarray
    masked: np.ndarray
    mask: np.ndarray


def require_id(world: World) -> None:
    """Raise `CheckFailed` unless `world` has a dispatch id (is registered)."""
    if world.world_id < 0:
        raise CheckFailed(
            f"{world.name} has no world id, so no dispatch kernel serves it: register it "
            "(entry point 'mesabase.worlds' or MESABASE_WORLDS)"
        )


def kernel_transition(world: World, level: Level, state, action: int, mask_seed: int) -> KernelTransition:
    """`state` under action index `action` through `worlds.dispatch`; the
    masked feature call asks for every other feature, starting at `mask_seed` % 2."""
    dispatch = worlds.dispatch
    words = world.kernel_state(state)
    out = np.empty(world.state_size, dtype=np.int64)
    dispatch.step(world.world_id, level.grid, level.params, words, action, out)
    n = len(world.features)
    features = np.empty(n)
    dispatch.features(world.world_id, level.grid, level.params, words, action, out, np.ones(n), features)
    mask = (np.arange(n) + mask_seed) % 2 == 0
    masked = np.empty(n)
    dispatch.features(world.world_id, level.grid, level.params, words, action, out, mask * 1.0, masked)
    return KernelTransition(world.state_from_kernel(out).copy(), features, masked, mask)


def kernel_terminal(world: World, level: Level, state) -> bool:
    return bool(worlds.dispatch.terminal(world.world_id, level.grid, level.params, world.kernel_state(state)))


def kernel_key(world: World, level: Level, state) -> int:
    return int(worlds.dispatch.key(world.world_id, level.grid, level.params, world.kernel_state(state)))


def kernel_key_bound(world: World, level: Level) -> int:
    return int(worlds.dispatch.key_bound(world.world_id, level.grid, level.params))


def kernel_heuristic(world: World, level: Level, state, goal: np.ndarray) -> float:
    """The dispatch heuristic from `state` towards the features where `goal` ``float64[K]`` is non-zero."""
    words = world.kernel_state(state)
    return float(worlds.dispatch.heuristic(world.world_id, level.grid, level.params, words, goal))
