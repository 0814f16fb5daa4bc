"""A* specialised to grid navigation (see `worlds.base.GridNavigation`).

The generic kernel reaches a world only through `worlds.dispatch`, stores
every state and hashes its key; on a plain grid a cell index is the state, so
this kernel keeps a single int32 code per cell (a wall, a target tile, or g
and the move that reached the cell, open or closed), so a successor costs one
load and at most one store. The codes of walls are written once per level and
reused by every search on it, each search leaving them as it found them. It follows the
generic kernel step for step: the same moves in the same order, the same
bucket order with the same ties, the same counts, so both return the same
plan. `planners.astar.AStar` picks it whenever a level and objective allow.

A move that leaves the agent in place never fires a goal here, so skipping
it is exact: every goal feature fires only on entering its tile
(`worlds.GridNavigation.event_tiles`), and the search never stands on a
target tile (a start on one is left to the generic kernel, which tests
self-loops for goals).
"""

from __future__ import annotations

import numpy as np

from planners.astar_kernel import (
    BUDGET_EXHAUSTED,
    EXPANSIONS,
    FOUND,
    GENERATED,
    NO_PATH,
    OUT_OF_MEMORY,
    PUSHES,
)
from worlds.jit import kernel

# kinds of marked cells: walls, then target tiles
WALL, GOAL, PRUNED, DEAD_END = 0, 1, 2, 3
ROW, COL, KIND = 0, 1, 2
# A cell's code: 4 * g + move for an open cell (move: the action that reached
# it), -1 - (4 * g + move) once closed, UNSEEN, or MARK + kind on a wall or a
# target tile.
UNSEEN = np.int32(2**31 - 1)  # decodes to a g larger than any real one
MARK = -(2**31)  # below every closed code while 4 * g + 3 < 2**31 - 4
MAX_CELLS = 2**28  # grids up to this many cells keep 4 * g + 3 in range
MAX_ACTIONS = 4  # the move that reached a cell is kept in two bits


@kernel
def _nearest_goal(targets, r, c, best):
    """min(best, Manhattan distance from (r, c) to every goal tile)."""
    for t in range(targets.shape[0]):
        if targets[t, KIND] == GOAL:
            best = min(best, abs(r - targets[t, ROW]) + abs(c - targets[t, COL]))
    return best


@kernel
def mark_walls(walls, cell_code):
    """Fill cell_code (int32[H * W]) for a level: WALL marks where walls
    (int32[H, W]) is non-zero, UNSEEN elsewhere."""
    width = walls.shape[1]
    for r in range(walls.shape[0]):
        for c in range(width):
            cell_code[r * width + c] = MARK + WALL if walls[r, c] != 0 else UNSEEN


@kernel
def first_goal(targets):
    """``(number of goal tiles, row, col of the first)``: one goal is the
    common case, so the kernels keep it in scalars."""
    n_goals, goal_r, goal_c = 0, 0, 0
    for t in range(targets.shape[0]):
        if targets[t, KIND] == GOAL:
            if n_goals == 0:
                goal_r, goal_c = targets[t, ROW], targets[t, COL]
            n_goals += 1
    return n_goals, goal_r, goal_c


@kernel
def mark_targets(targets, width, cell_code, unmark):
    """Write the targets' marks into cell_code, or with `unmark` reset them."""
    for t in range(targets.shape[0]):
        cell = targets[t, ROW] * width + targets[t, COL]
        cell_code[cell] = UNSEEN if unmark else MARK + targets[t, KIND]


@kernel
def finish(cell_code, targets, width, start, entry_node, used, actions_out, length):
    """Put a traced plan (goal first) in order and reset every cell the
    search wrote: each was pushed, or is the start or a target tile, and
    resetting those is cheaper than clearing, or stamping, a big grid."""
    for i in range(length // 2):
        actions_out[i], actions_out[length - 1 - i] = actions_out[length - 1 - i], actions_out[i]
    cell_code[start] = UNSEEN
    for entry in range(used):
        cell_code[entry_node[entry]] = UNSEEN
    mark_targets(targets, width, cell_code, True)


@kernel
def grid_astar_search(
    height, width, moves, reverse, start_r, start_c, targets, max_expansions,
    cell_code, head, entry_node, entry_next, actions_out, stats,
):  # fmt: skip
    """Search from (start_r, start_c); returns ``(status, length)`` with the
    statuses of `planners.astar_kernel.astar_search` and the plan's first
    `length` actions written to `actions_out`.

    moves int64[A, 2] (A <= MAX_ACTIONS): each action's (row, col) offset;
    reverse int64[A]: the action undoing each, or -1; targets int64[T, 3]:
    rows of (row, col, kind) with kind GOAL, PRUNED (entering ends the episode
    for nothing) or DEAD_END (the world ends there), each cell once with its
    strongest kind; cell_code int32[H * W]: as `mark_walls` leaves it, on entry
    and again on return (the search resets the cells it wrote); head int32[B]
    and entry_node/entry_next int32[E]: a bucket queue as in
    `planners.bucket_queue`, its cursors held in locals; actions_out
    int64[H * W]; stats int64[3]. The start must not be a target tile, and
    H * W must not exceed MAX_CELLS.
    """
    # Counters and queue cursors live in locals, not in arrays: numba cannot
    # prove arrays do not alias, so a counter kept in an array is stored and
    # reloaded around every other array write.
    expansions = generated = pushes = 0
    n_goals, goal_r, goal_c = first_goal(targets)
    if n_goals == 0:
        return NO_PATH, 0
    mark_targets(targets, width, cell_code, False)
    start = start_r * width + start_c
    cell_code[start] = 0
    # h is the Manhattan distance to the nearest goal (consistent on a grid),
    # written out inline: one goal is the common case and a call per
    # successor cost a quarter of the search.
    low = abs(start_r - goal_r) + abs(start_c - goal_c)
    if n_goals > 1:
        low = _nearest_goal(targets, start_r, start_c, low)
    high, used = low, 0
    status, result = NO_PATH, -1
    best_goal, best_goal_g, best_goal_move = -1, 1 << 62, 0
    if high >= head.shape[0] or entry_node.shape[0] < 1:
        status = OUT_OF_MEMORY
    else:
        head[low], entry_node[0], entry_next[0], used = 0, start, -1, 1

    while status != OUT_OF_MEMORY:
        while low <= high and head[low] < 0:
            low += 1
        if low > high:
            if best_goal >= 0:
                status = FOUND
            break
        entry = head[low]
        top = entry_node[entry]
        code = cell_code[top]
        r = top // width
        c = top - r * width
        h = abs(r - goal_r) + abs(c - goal_c)
        if n_goals > 1:
            h = _nearest_goal(targets, r, c, h)
        if code < 0 or (code >> 2) + h != low:
            head[low] = entry_next[entry]  # stale entry or closed cell
            continue
        if best_goal_g <= low:
            status = FOUND
            break
        if max_expansions >= 0 and expansions >= max_expansions:
            status, result = BUDGET_EXHAUSTED, top
            break
        head[low] = entry_next[entry]
        cell_code[top] = -1 - code
        expansions += 1
        g_next = (code >> 2) + 1
        # the move back to the parent cannot improve anything; the start has none
        back = reverse[code & 3] if top != start else -1
        for action in range(moves.shape[0]):
            nr, nc = r + moves[action, 0], c + moves[action, 1]
            if action == back or nr < 0 or nr >= height or nc < 0 or nc >= width:
                continue
            cell = nr * width + nc
            known = cell_code[cell]
            if known < MARK + 4:  # a wall or a target tile
                if known == MARK + WALL or known == MARK + PRUNED:
                    continue
                generated += 1
                if known == MARK + GOAL and g_next < best_goal_g:
                    best_goal, best_goal_g, best_goal_move = cell, g_next, action
                    best_goal_parent = top
                continue
            generated += 1
            if known < 0 or g_next >= (known >> 2):
                continue  # closed (Manhattan distance is consistent) or no better
            h = abs(nr - goal_r) + abs(nc - goal_c)
            if n_goals > 1:
                h = _nearest_goal(targets, nr, nc, h)
            f = g_next + h
            if f >= head.shape[0] or used >= entry_node.shape[0]:
                status = OUT_OF_MEMORY
                break
            cell_code[cell] = 4 * g_next + action
            while high < f:  # buckets are initialised lazily
                high += 1
                head[high] = -1
            entry_node[used], entry_next[used], head[f] = cell, head[f], used
            used += 1
            pushes += 1
    stats[EXPANSIONS], stats[GENERATED], stats[PUSHES] = expansions, generated, pushes

    length = 0
    if status == FOUND:
        actions_out[0] = best_goal_move
        length = 1 + _trace(cell_code, width, moves, start, best_goal_parent, actions_out, 1)
    elif status == BUDGET_EXHAUSTED:
        length = _trace(cell_code, width, moves, start, result, actions_out, 0)
    finish(cell_code, targets, width, start, entry_node, used, actions_out, length)
    return status, length


@kernel
def _trace(cell_code, width, moves, start, cell, out, offset):
    """Write the moves that reached `cell` from `start`, last first, into
    ``out[offset:]``; returns their count."""
    n = 0
    while cell != start:
        code = cell_code[cell]
        move = (code if code >= 0 else -1 - code) & 3
        out[offset + n] = move
        n += 1
        cell -= moves[move, 0] * width + moves[move, 1]
    return n
