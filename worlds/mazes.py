"""Seeded perfect mazes and maze distances, shared by the maze worlds.

Randomness is drawn from a numpy `Generator` outside the kernel and passed in
as an array, so a level depends only on numpy's stable bit generators and not
on numba's internal random state.
"""

from __future__ import annotations

import numpy as np

from worlds.errors import InvalidParameterError
from worlds.jit import kernel


@kernel(allocates=True)
def _carve(walls, uniforms):
    """Carve a perfect maze into `walls` (uint8[size, size], all ones) by
    randomised depth-first search over the cells at odd coordinates."""
    n = (walls.shape[0] - 1) // 2
    visited = np.zeros((n, n), dtype=np.bool_)
    stack = np.empty((n * n, 2), dtype=np.int64)
    choices = np.empty(4, dtype=np.int64)
    di = (-1, 0, 1, 0)
    dj = (0, 1, 0, -1)
    top = 0
    start = int(uniforms[0] * n * n) % (n * n)
    stack[0, 0], stack[0, 1] = start // n, start % n
    visited[start // n, start % n] = True
    walls[2 * (start // n) + 1, 2 * (start % n) + 1] = 0
    draw = 1
    while top >= 0:
        i, j = stack[top, 0], stack[top, 1]
        count = 0
        for d in range(4):
            ni, nj = i + di[d], j + dj[d]
            if 0 <= ni < n and 0 <= nj < n and not visited[ni, nj]:
                choices[count] = d
                count += 1
        if count == 0:
            top -= 1
            continue
        d = choices[int(uniforms[draw % uniforms.shape[0]] * count) % count]
        draw += 1
        ni, nj = i + di[d], j + dj[d]
        visited[ni, nj] = True
        walls[2 * i + 1 + di[d], 2 * j + 1 + dj[d]] = 0
        walls[2 * ni + 1, 2 * nj + 1] = 0
        top += 1
        stack[top, 0], stack[top, 1] = ni, nj


def perfect_maze(size: int, rng: np.random.Generator) -> np.ndarray:
    """A perfect maze as ``uint8[size, size]`` walls (1 wall, 0 floor).

    `size` must be odd and at least 5; the border is wall and the cells at odd
    coordinates are floor, joined by exactly one path between any two.
    """
    if size < 5 or size % 2 == 0:
        raise InvalidParameterError(f"maze size must be an odd integer >= 5, got {size}")
    n = (size - 1) // 2
    walls = np.ones((size, size), dtype=np.uint8)
    _carve(walls, rng.random(n * n + 1))
    return walls


@kernel(allocates=True)
def _bfs(walls, source_r, source_c, out):
    out[:, :] = -1
    if walls[source_r, source_c] != 0:
        return
    height, width = walls.shape
    queue = np.empty(height * width, dtype=np.int64)
    head, tail = 0, 1
    queue[0] = source_r * width + source_c
    out[source_r, source_c] = 0
    while head < tail:
        cell = queue[head]
        head += 1
        r, c = cell // width, cell % width
        for d in range(4):
            nr = r + (-1, 0, 1, 0)[d]
            nc = c + (0, 1, 0, -1)[d]
            if 0 <= nr < height and 0 <= nc < width and walls[nr, nc] == 0 and out[nr, nc] < 0:
                out[nr, nc] = out[r, c] + 1
                queue[tail] = nr * width + nc
                tail += 1


def maze_distances(walls: np.ndarray, source: tuple[int, int]) -> np.ndarray:
    """Shortest-path step counts from `source` to every tile, ``int32[H, W]``;
    -1 for walls and unreachable tiles (4-connected moves)."""
    out = np.empty(walls.shape, dtype=np.int32)
    _bfs(np.ascontiguousarray(walls, dtype=np.uint8), int(source[0]), int(source[1]), out)
    return out
