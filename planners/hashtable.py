"""An open-addressing int64 -> int64 table for numba search kernels.

The table is one ``int64[T, 3]`` array of (key, value, stamp) rows, T a power
of two, so one probe touches one cache line. A row is occupied only when its
stamp equals the current search's stamp: a reused table is "cleared" by bumping
the stamp instead of writing every row.

When a world promises keys below a bound (``worlds.dispatch.key_bound``) and T
covers it, keys index rows directly (``hashed=False``): no collisions, and
neighbouring states stay in neighbouring memory. Otherwise keys are hashed.
"""

from __future__ import annotations

import numpy as np

from worlds.jit import kernel

KEY, VALUE, STAMP = 0, 1, 2
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@kernel
def _slot(key, mask, hashed):
    if not hashed:
        return key & mask
    h = np.uint64(key) * _GOLDEN
    h ^= h >> np.uint64(31)
    return np.int64(h & np.uint64(mask))


@kernel
def table_find(table, stamp, key, hashed):
    """The value stored for `key`, or -1."""
    mask = table.shape[0] - 1
    slot = _slot(key, mask, hashed)
    for _ in range(table.shape[0]):
        if table[slot, STAMP] != stamp:
            return -1
        if table[slot, KEY] == key:
            return table[slot, VALUE]
        slot = (slot + 1) & mask
    return -1


@kernel
def table_insert(table, stamp, key, value, hashed):
    """Store `value` for `key`; False when the table is full."""
    mask = table.shape[0] - 1
    slot = _slot(key, mask, hashed)
    for _ in range(table.shape[0]):
        if table[slot, STAMP] != stamp or table[slot, KEY] == key:
            table[slot, KEY] = key
            table[slot, VALUE] = value
            table[slot, STAMP] = stamp
            return True
        slot = (slot + 1) & mask
    return False


def table_rows(capacity: int, key_bound: int, dense_limit: int = 1 << 26) -> tuple[int, bool]:
    """(rows, hashed) for a table that must hold `capacity` keys.

    Direct indexing when the world bounds its keys by `key_bound` > 0 and that
    bound is at most `dense_limit` rows; otherwise a hashed table at most half full.
    """
    if 0 < key_bound <= dense_limit:
        return 1 << int(key_bound - 1).bit_length(), False
    return 1 << int(2 * capacity - 1).bit_length(), True


class KeyTable:
    """A table buffer reused by one search after another.

    `begin` starts a new search by bumping the stamp, which empties the table
    without touching its rows.
    """

    def __init__(self, capacity: int, key_bound: int):
        rows, self.hashed = table_rows(capacity, key_bound)
        self.rows = np.zeros((rows, 3), dtype=np.int64)
        self.stamp = 0

    def fits(self, capacity: int, key_bound: int) -> bool:
        rows, hashed = table_rows(capacity, key_bound)
        return self.rows.shape[0] >= rows and self.hashed == hashed

    def begin(self) -> int:
        self.stamp += 1
        return self.stamp
