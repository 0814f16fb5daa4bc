"""Breadth-first search for the first move of a shortest path on a grid."""

from __future__ import annotations

import numpy as np

from worlds.jit import kernel


@kernel(allocates=True)
def first_move_towards(walls, moves, start_r, start_c, targets):
    """The action starting a shortest path from (start_r, start_c) to the
    nearest cell where `targets` (bool[H, W]) is set, and that path's length;
    ``(-1, -1)`` when none is reachable. Ties go to the target found first,
    exploring actions in index order.

    walls int32[H, W] (non-zero blocks), moves int64[A, 2] (row, col) offsets.
    """
    height, width = walls.shape
    first = np.full(height * width, -1, dtype=np.int64)  # first move of the path to each cell
    depth = np.full(height * width, -1, dtype=np.int64)
    queue = np.empty(height * width, dtype=np.int64)
    start = start_r * width + start_c
    depth[start] = 0
    queue[0], head, tail = start, 0, 1
    while head < tail:
        cell = queue[head]
        head += 1
        r, c = cell // width, cell % width
        if targets[r, c] and cell != start:
            return first[cell], depth[cell]
        for action in range(moves.shape[0]):
            nr, nc = r + moves[action, 0], c + moves[action, 1]
            if nr < 0 or nr >= height or nc < 0 or nc >= width or walls[nr, nc] != 0:
                continue
            nxt = nr * width + nc
            if depth[nxt] >= 0:
                continue
            depth[nxt] = depth[cell] + 1
            first[nxt] = action if cell == start else first[cell]
            queue[tail] = nxt
            tail += 1
    return -1, -1
