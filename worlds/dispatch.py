"""The kernels planners call: one entry point per operation, dispatching on
the world's integer id to that world's own numba kernel.

Every world kernel is referenced here as a global, so a planner kernel that
calls `step(world_id, ...)` is compiled once, for all built-in worlds, and then
loaded from numba's disk cache in every later process (see `worlds.jit`).
The ids and kernel modules come from the ordered registry
(`worlds.registry`), so they are written in one place; a new built-in world
adds one branch per function below.

Shapes: ``grid`` int32[C, H, W]; ``params`` int64[P]; ``state``/``out`` int64[S];
``out``, ``mask`` and ``goal_mask`` float64[K] in the world's feature order.
"""

from __future__ import annotations

from worlds.jit import kernel
from worlds.registry import get

# numba compiles these in as constants and module globals
ARROW_MAZE, CHESTS_KEYS, CLEANING, POINT_MASS = (
    get(name).world_id for name in ("arrow-maze", "chests-keys", "cleaning", "point-mass")
)
arrow_maze = get("arrow-maze").kernels
chests_keys = get("chests-keys").kernels
cleaning = get("cleaning").kernels
point_mass = get("point-mass").kernels


@kernel
def step(world_id, grid, params, state, action, out):
    """Write the successor of `state` under `action` into `out`."""
    if world_id == ARROW_MAZE:
        arrow_maze.step(grid, params, state, action, out)
    elif world_id == CHESTS_KEYS:
        chests_keys.step(grid, params, state, action, out)
    elif world_id == CLEANING:
        cleaning.step(grid, params, state, action, out)
    elif world_id == POINT_MASS:
        point_mass.step(grid, params, state, action, out)
    else:
        raise ValueError("unknown world id")


@kernel
def features(world_id, grid, params, state, action, next_state, mask, out):
    """Write the transition's feature vector into `out`, computing only the
    features where `mask` is non-zero (the others are 0)."""
    if world_id == ARROW_MAZE:
        arrow_maze.features(grid, params, state, action, next_state, mask, out)
    elif world_id == CHESTS_KEYS:
        chests_keys.features(grid, params, state, action, next_state, mask, out)
    elif world_id == CLEANING:
        cleaning.features(grid, params, state, action, next_state, mask, out)
    elif world_id == POINT_MASS:
        point_mass.features(grid, params, state, action, next_state, mask, out)
    else:
        raise ValueError("unknown world id")


@kernel
def terminal(world_id, grid, params, state):
    """Whether the world's episode is over in `state`."""
    if world_id == ARROW_MAZE:
        return arrow_maze.terminal(grid, params, state)
    if world_id == CHESTS_KEYS:
        return chests_keys.terminal(grid, params, state)
    if world_id == CLEANING:
        return cleaning.terminal(grid, params, state)
    if world_id == POINT_MASS:
        return point_mass.terminal(grid, params, state)
    raise ValueError("unknown world id")


@kernel
def key(world_id, grid, params, state):
    """A unique int64 for `state` within the level, for closed sets and tables."""
    if world_id == ARROW_MAZE:
        return arrow_maze.key(grid, params, state)
    if world_id == CHESTS_KEYS:
        return chests_keys.key(grid, params, state)
    if world_id == CLEANING:
        return cleaning.key(grid, params, state)
    if world_id == POINT_MASS:
        return point_mass.key(grid, params, state)
    raise ValueError("unknown world id")


@kernel
def key_bound(world_id, grid, params):
    """An upper bound on `key` over the level's states, or -1 if there is none
    small enough to index an array by."""
    if world_id == ARROW_MAZE:
        return arrow_maze.key_bound(grid, params)
    if world_id == CHESTS_KEYS:
        return chests_keys.key_bound(grid, params)
    if world_id == CLEANING:
        return cleaning.key_bound(grid, params)
    if world_id == POINT_MASS:
        return point_mass.key_bound(grid, params)
    raise ValueError("unknown world id")


@kernel
def heuristic(world_id, grid, params, state, goal_mask):
    """An admissible lower bound on the steps to a transition firing a goal feature."""
    if world_id == ARROW_MAZE:
        return arrow_maze.heuristic(grid, params, state, goal_mask)
    if world_id == CHESTS_KEYS:
        return chests_keys.heuristic(grid, params, state, goal_mask)
    if world_id == CLEANING:
        return cleaning.heuristic(grid, params, state, goal_mask)
    if world_id == POINT_MASS:
        return point_mass.heuristic(grid, params, state, goal_mask)
    raise ValueError("unknown world id")


@kernel
def num_actions(world_id):
    if world_id == ARROW_MAZE:
        return arrow_maze.N_ACTIONS
    if world_id == CHESTS_KEYS:
        return chests_keys.N_ACTIONS
    if world_id == CLEANING:
        return cleaning.N_ACTIONS
    if world_id == POINT_MASS:
        return point_mass.N_ACTIONS
    raise ValueError("unknown world id")


@kernel
def num_features(world_id):
    if world_id == ARROW_MAZE:
        return arrow_maze.N_FEATURES
    if world_id == CHESTS_KEYS:
        return chests_keys.N_FEATURES
    if world_id == CLEANING:
        return cleaning.N_FEATURES
    if world_id == POINT_MASS:
        return point_mass.N_FEATURES
    raise ValueError("unknown world id")
