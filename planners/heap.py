"""A binary min-heap over (f, h, node) triples for numba search kernels.

Ties on f are broken by smaller h (deeper, closer to a goal) and then by the
smaller node index (generated earlier), so searches are deterministic.
"""

from __future__ import annotations

from worlds.jit import kernel


@kernel
def _less(f, h, node, i, j):
    if f[i] != f[j]:
        return f[i] < f[j]
    if h[i] != h[j]:
        return h[i] < h[j]
    return node[i] < node[j]


@kernel
def _swap(f, h, node, i, j):
    f[i], f[j] = f[j], f[i]
    h[i], h[j] = h[j], h[i]
    node[i], node[j] = node[j], node[i]


@kernel
def heap_push(f, h, node, size, fv, hv, nv):
    """Push (fv, hv, nv) onto a heap of `size` entries; returns the new size,
    or -1 when the arrays are full."""
    if size >= f.shape[0]:
        return -1
    i = size
    f[i], h[i], node[i] = fv, hv, nv
    while i > 0:
        parent = (i - 1) >> 1
        if not _less(f, h, node, i, parent):
            break
        _swap(f, h, node, i, parent)
        i = parent
    return size + 1


@kernel
def heap_pop(f, h, node, size):
    """Move the minimum to index ``size - 1`` and restore the heap on the rest;
    returns the new size. Read the popped entry at the returned index."""
    last = size - 1
    _swap(f, h, node, 0, last)
    i = 0
    while True:
        left = 2 * i + 1
        if left >= last:
            break
        best = left
        right = left + 1
        if right < last and _less(f, h, node, right, left):
            best = right
        if not _less(f, h, node, best, i):
            break
        _swap(f, h, node, i, best)
        i = best
    return last
