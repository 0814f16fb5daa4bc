"""numba kernels of chests-and-keys: pure, allocation-free, cached.

Layout (see `worlds.base`): ``grid`` is ``int32[3, H, W]`` with channel 0 the
tiles (0 floor, 1 wall), channel 1 the index of the key lying on the tile and
channel 2 the index of the chest standing on it (-1 where there is none).
``params`` is ``int64[4]``: start row, start column, number of keys K, number
of chests C. A state is ``int64[4]``: row, column, the keys still on the floor
and the chests still closed, as bitmasks (bit i = key or chest i). The keys
held follow from them: keys picked up minus chests opened.
"""

from __future__ import annotations

import numpy as np

from worlds.bits import popcount
from worlds.jit import kernel

FLOOR, WALL = 0, 1
TILES, KEY_INDEX, CHEST_INDEX = 0, 1, 2
START_R, START_C, N_KEYS, N_CHESTS = 0, 1, 2, 3
ROW, COL, KEYS_LEFT, CHESTS_CLOSED = 0, 1, 2, 3
MAX_ITEMS = 24  # keys + chests, so a state's key stays well inside int64
# up, right, down, left
ROW_STEP = np.array([-1, 0, 1, 0], dtype=np.int64)
COL_STEP = np.array([0, 1, 0, -1], dtype=np.int64)
N_ACTIONS = 4
N_FEATURES = 4
COLLECTED_KEY, OPENED_CHEST, KEYS_HELD, BUMPED_WALL = range(N_FEATURES)


@kernel
def keys_held(params, state):
    """Keys in the agent's inventory: picked up minus used."""
    picked = params[N_KEYS] - popcount(state[KEYS_LEFT])
    used = params[N_CHESTS] - popcount(state[CHESTS_CLOSED])
    return picked - used


@kernel
def terminal(grid, params, state):
    """Over when every chest is open, or when no key is left to open one with."""
    if state[CHESTS_CLOSED] == 0:
        return True
    return state[KEYS_LEFT] == 0 and keys_held(params, state) == 0


@kernel
def step(grid, params, state, action, out):
    """Write the successor of `state` under `action` into `out` (int64[4]).

    Entering a tile picks up the key lying there, then opens the chest
    standing there if a key is held (so a key lying on a chest opens it).
    """
    for i in range(4):
        out[i] = state[i]
    if terminal(grid, params, state):
        return  # absorbing
    r, c = state[ROW], state[COL]
    nr, nc = r + ROW_STEP[action], c + COL_STEP[action]
    if not (0 <= nr < grid.shape[1] and 0 <= nc < grid.shape[2]) or grid[TILES, nr, nc] == WALL:
        return
    out[ROW], out[COL] = nr, nc
    k = grid[KEY_INDEX, nr, nc]
    if k >= 0 and (out[KEYS_LEFT] >> k) & 1:
        out[KEYS_LEFT] &= ~(np.int64(1) << k)
    ch = grid[CHEST_INDEX, nr, nc]
    if ch >= 0 and (out[CHESTS_CLOSED] >> ch) & 1 and keys_held(params, out) > 0:
        out[CHESTS_CLOSED] &= ~(np.int64(1) << ch)


@kernel
def features(grid, params, state, action, next_state, mask, out):
    """Write the transition's feature vector into `out` (float64[4]); only
    features where `mask` (float64[4]) is non-zero are computed."""
    for f in range(N_FEATURES):
        out[f] = 0.0
    if mask[COLLECTED_KEY] != 0.0:
        out[COLLECTED_KEY] = popcount(state[KEYS_LEFT]) - popcount(next_state[KEYS_LEFT])
    if mask[OPENED_CHEST] != 0.0:
        out[OPENED_CHEST] = popcount(state[CHESTS_CLOSED]) - popcount(next_state[CHESTS_CLOSED])
    if mask[KEYS_HELD] != 0.0:
        out[KEYS_HELD] = keys_held(params, next_state)
    stayed = next_state[ROW] == state[ROW] and next_state[COL] == state[COL]
    if mask[BUMPED_WALL] != 0.0 and stayed and not terminal(grid, params, state):
        out[BUMPED_WALL] = 1.0


@kernel
def key(grid, params, state):
    items = (state[CHESTS_CLOSED] << params[N_KEYS]) | state[KEYS_LEFT]
    return (items * grid.shape[1] + state[ROW]) * grid.shape[2] + state[COL]


@kernel
def key_bound(grid, params):
    return (np.int64(1) << (params[N_KEYS] + params[N_CHESTS])) * grid.shape[1] * grid.shape[2]


@kernel
def heuristic(grid, params, state, goal_mask):
    """0: none of this world's features marks a goal tile (admissible)."""
    return 0.0
