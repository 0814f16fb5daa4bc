"""numba kernels of the arrow maze: pure, allocation-free, cached.

Layout (see `worlds.base`): ``grid`` is ``int32[3, H, W]`` with channel 0 the
tiles (0 floor, 1 wall), channel 1 the maze distance to the exit and channel 2
the maze distance to the arrow (-1 where unreachable). ``params`` is
``int64[6]``: start row, start column, exit row, exit column, arrow row, arrow
column. A state is ``int64[2]``: the agent's row and column.
"""

from __future__ import annotations

import numpy as np

from worlds.jit import kernel

FLOOR, WALL = 0, 1
TILES, EXIT_DISTANCE, ARROW_DISTANCE = 0, 1, 2
START_R, START_C, EXIT_R, EXIT_C, ARROW_R, ARROW_C = 0, 1, 2, 3, 4, 5
# up, right, down, left
ROW_STEP = np.array([-1, 0, 1, 0], dtype=np.int64)
COL_STEP = np.array([0, 1, 0, -1], dtype=np.int64)
N_ACTIONS = 4
N_FEATURES = 7
(
    REACHED_EXIT,
    REACHED_ARROW,
    EXIT_PROGRESS,
    ARROW_PROGRESS,
    EXIT_DISTANCE_F,
    ARROW_DISTANCE_F,
    BUMPED_WALL,
) = range(N_FEATURES)


@kernel
def terminal(grid, params, state):
    return state[0] == params[EXIT_R] and state[1] == params[EXIT_C]


@kernel
def step(grid, params, state, action, out):
    """Write the successor of `state` under `action` into `out` (int64[2])."""
    r, c = state[0], state[1]
    out[0], out[1] = r, c
    if r == params[EXIT_R] and c == params[EXIT_C]:
        return  # the exit is absorbing
    nr, nc = r + ROW_STEP[action], c + COL_STEP[action]
    if 0 <= nr < grid.shape[1] and 0 <= nc < grid.shape[2] and grid[TILES, nr, nc] != WALL:
        out[0], out[1] = nr, nc


@kernel
def features(grid, params, state, action, next_state, mask, out):
    """Write the transition's feature vector into `out` (float64[7]).

    Only the features where `mask` (float64[7]) is non-zero are computed; the
    rest are written as 0, so a search that needs two features pays for two.
    """
    r, c, nr, nc = state[0], state[1], next_state[0], next_state[1]
    at_exit = r == params[EXIT_R] and c == params[EXIT_C]
    for f in range(N_FEATURES):
        out[f] = 0.0
    if mask[REACHED_EXIT] != 0.0 and nr == params[EXIT_R] and nc == params[EXIT_C] and not at_exit:
        out[REACHED_EXIT] = 1.0
    was_on_arrow = r == params[ARROW_R] and c == params[ARROW_C]
    if mask[REACHED_ARROW] != 0.0 and nr == params[ARROW_R] and nc == params[ARROW_C] and not was_on_arrow:
        out[REACHED_ARROW] = 1.0
    if mask[EXIT_PROGRESS] != 0.0:
        out[EXIT_PROGRESS] = grid[EXIT_DISTANCE, r, c] - grid[EXIT_DISTANCE, nr, nc]
    if mask[ARROW_PROGRESS] != 0.0:
        out[ARROW_PROGRESS] = grid[ARROW_DISTANCE, r, c] - grid[ARROW_DISTANCE, nr, nc]
    if mask[EXIT_DISTANCE_F] != 0.0:
        out[EXIT_DISTANCE_F] = grid[EXIT_DISTANCE, nr, nc]
    if mask[ARROW_DISTANCE_F] != 0.0:
        out[ARROW_DISTANCE_F] = grid[ARROW_DISTANCE, nr, nc]
    if mask[BUMPED_WALL] != 0.0 and r == nr and c == nc and not at_exit:
        out[BUMPED_WALL] = 1.0


@kernel
def key(grid, params, state):
    return state[0] * grid.shape[2] + state[1]


@kernel
def key_bound(grid, params):
    return grid.shape[1] * grid.shape[2]


@kernel
def heuristic(grid, params, state, goal_mask):
    """Admissible steps-to-goal: Manhattan distance to the nearest goal tile.

    `goal_mask` (float64[7]) marks the features whose firing is a goal. A goal
    feature without a known target tile makes the bound 0.
    """
    best = np.inf
    if goal_mask[REACHED_EXIT] != 0.0:
        best = min(best, abs(state[0] - params[EXIT_R]) + abs(state[1] - params[EXIT_C]))
    if goal_mask[REACHED_ARROW] != 0.0:
        best = min(best, abs(state[0] - params[ARROW_R]) + abs(state[1] - params[ARROW_C]))
    for f in range(N_FEATURES):
        if goal_mask[f] != 0.0 and f != REACHED_EXIT and f != REACHED_ARROW:
            best = 0.0
    return 0.0 if best == np.inf else float(best)
