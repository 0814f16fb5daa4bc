"""numba kernels of the cleaning robot: pure, allocation-free, cached.

Layout (see `worlds.base`): ``grid`` is ``int32[3, H, W]`` with channel 0 the
tiles (0 floor, 1 wall, 2 dirt bin), channel 1 the index of the dirt lying on
the tile at the start (-1 where there is none) and channel 2 the walls (1 at a
wall, else 0; the bin is walkable). ``params`` is ``int64[6]``: start row,
start column, number of dirt cells D, whether sweeping clean floor counts as a
sweep (0/1), bin row, bin column (-1, -1 without a bin). A state is
``int64[3]``: the agent's row and column and the dirt still on the floor as a
bitmask (bit i set = dirt i not yet swept).
"""

from __future__ import annotations

import numpy as np

from worlds.bits import popcount
from worlds.jit import kernel

FLOOR, WALL, BIN = 0, 1, 2
TILES, DIRT_INDEX, WALLS = 0, 1, 2
START_R, START_C, N_DIRT, SWEEP_COUNTS_CLEAN_FLOOR, BIN_R, BIN_C = range(6)
ROW, COL, DIRT_MASK = 0, 1, 2
# up, right, down, left; action 4 sweeps
ROW_STEP = np.array([-1, 0, 1, 0], dtype=np.int64)
COL_STEP = np.array([0, 1, 0, -1], dtype=np.int64)
SWEEP = 4
N_ACTIONS = 5
N_FEATURES = 5
CLEANED, SWEPT, DUSTPAN_GAIN, DIRT_LEFT, BUMPED_WALL = range(N_FEATURES)


@kernel
def terminal(grid, params, state):
    """Over when the room is clean."""
    return state[DIRT_MASK] == 0


@kernel
def step(grid, params, state, action, out):
    """Write the successor of `state` under `action` into `out` (int64[3])."""
    r, c, mask = state[ROW], state[COL], state[DIRT_MASK]
    out[ROW], out[COL], out[DIRT_MASK] = r, c, mask
    if mask == 0:
        return  # the clean room is absorbing
    if action == SWEEP:
        dirt = grid[DIRT_INDEX, r, c]
        if dirt >= 0:
            out[DIRT_MASK] = mask & ~(np.int64(1) << dirt)
        return
    nr, nc = r + ROW_STEP[action], c + COL_STEP[action]
    if 0 <= nr < grid.shape[1] and 0 <= nc < grid.shape[2] and grid[WALLS, nr, nc] == 0:
        out[ROW], out[COL] = nr, nc


@kernel
def features(grid, params, state, action, next_state, mask, out):
    """Write the transition's feature vector into `out` (float64[5]).

    Only the features where `mask` (float64[5]) is non-zero are computed; the
    rest are written as 0. Transitions out of the clean (terminal) room are all 0.
    """
    for f in range(N_FEATURES):
        out[f] = 0.0
    if state[DIRT_MASK] == 0:
        return
    removed = next_state[DIRT_MASK] != state[DIRT_MASK]
    if action == SWEEP:
        on_bin = state[ROW] == params[BIN_R] and state[COL] == params[BIN_C]
        if mask[CLEANED] != 0.0 and removed:
            out[CLEANED] = 1.0
        if mask[SWEPT] != 0.0 and (removed or (not on_bin and params[SWEEP_COUNTS_CLEAN_FLOOR] != 0)):
            out[SWEPT] = 1.0
        if mask[DUSTPAN_GAIN] != 0.0 and (removed or on_bin):
            out[DUSTPAN_GAIN] = 1.0
    elif mask[BUMPED_WALL] != 0.0 and state[ROW] == next_state[ROW] and state[COL] == next_state[COL]:
        out[BUMPED_WALL] = 1.0
    if mask[DIRT_LEFT] != 0.0:
        out[DIRT_LEFT] = popcount(next_state[DIRT_MASK])


@kernel
def key(grid, params, state):
    return (state[DIRT_MASK] * grid.shape[1] + state[ROW]) * grid.shape[2] + state[COL]


@kernel
def key_bound(grid, params):
    return (np.int64(1) << params[N_DIRT]) * grid.shape[1] * grid.shape[2]


@kernel
def heuristic(grid, params, state, goal_mask):
    """0: admissible, and no catalogue objective of this world is a goal objective."""
    return 0.0
