"""numba kernels of the lava world: pure, allocation-free, cached.

``grid`` is ``int32[2, H, W]``: channel 0 the tiles (0 floor, 1 wall, 2 lava),
channel 1 is 1 on the cells next to lava (precomputed, so that a step costs
no neighbour scan). ``params`` is ``int64[4]``: start row, start column, goal
row, goal column. A state is ``int64[2]``: the agent's row and column.
"""

from __future__ import annotations

import numpy as np

from worlds import kernel

FLOOR, WALL, LAVA = 0, 1, 2
TILES, NEAR_LAVA = 0, 1
START_R, START_C, GOAL_R, GOAL_C = 0, 1, 2, 3
ROW_STEP = np.array([-1, 0, 1, 0], dtype=np.int64)  # up, right, down, left
COL_STEP = np.array([0, 1, 0, -1], dtype=np.int64)
N_ACTIONS = 4
N_FEATURES = 4
REACHED_GOAL, ENTERED_LAVA, NEAR_LAVA_F, BUMPED_WALL = range(N_FEATURES)


@kernel
def terminal(grid, params, state):
    at_goal = state[0] == params[GOAL_R] and state[1] == params[GOAL_C]
    return at_goal or grid[TILES, state[0], state[1]] == LAVA


@kernel
def step(grid, params, state, action, out):
    """Write the successor of `state` under `action` into `out` (int64[2])."""
    r, c = state[0], state[1]
    out[0], out[1] = r, c
    if terminal(grid, params, state):
        return  # the goal and lava are absorbing
    nr, nc = r + ROW_STEP[action], c + COL_STEP[action]
    if 0 <= nr < grid.shape[1] and 0 <= nc < grid.shape[2] and grid[TILES, nr, nc] != WALL:
        out[0], out[1] = nr, nc


@kernel
def features(grid, params, state, action, next_state, mask, out):
    """Write the transition's features into `out` (float64[4]); all 0 out of
    a terminal state. Features where `mask` is 0 are written as 0."""
    for f in range(N_FEATURES):
        out[f] = 0.0
    if terminal(grid, params, state):
        return
    nr, nc = next_state[0], next_state[1]
    if mask[REACHED_GOAL] != 0.0 and nr == params[GOAL_R] and nc == params[GOAL_C]:
        out[REACHED_GOAL] = 1.0
    if mask[ENTERED_LAVA] != 0.0 and grid[TILES, nr, nc] == LAVA:
        out[ENTERED_LAVA] = 1.0
    if mask[NEAR_LAVA_F] != 0.0:
        out[NEAR_LAVA_F] = grid[NEAR_LAVA, nr, nc]
    if mask[BUMPED_WALL] != 0.0 and nr == state[0] and nc == state[1]:
        out[BUMPED_WALL] = 1.0


@kernel
def key(grid, params, state):
    return state[0] * grid.shape[2] + state[1]


@kernel
def key_bound(grid, params):
    return grid.shape[1] * grid.shape[2]


@kernel
def heuristic(grid, params, state, goal_mask):
    """Admissible steps to a goal feature: Manhattan distance to the goal
    when only `reached_goal` is a goal, else 0 (lava is one step away)."""
    for f in range(N_FEATURES):
        if goal_mask[f] != 0.0 and f != REACHED_GOAL:
            return 0.0
    if goal_mask[REACHED_GOAL] == 0.0:
        return 0.0
    return float(abs(state[0] - params[GOAL_R]) + abs(state[1] - params[GOAL_C]))
