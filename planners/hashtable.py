"""An open-addressing int64 -> int64 hash table for numba search kernels.

The table is three flat arrays of one power-of-two length: ``keys``, ``values``
and ``stamps``. A slot is occupied only when its stamp equals the current
search's stamp, so a reused table is "cleared" by bumping the stamp instead of
writing every slot.
"""

from __future__ import annotations

import numpy as np

from worlds.jit import kernel

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@kernel
def _slot(key, mask):
    h = np.uint64(key) * _GOLDEN
    h ^= h >> np.uint64(31)
    return np.int64(h & np.uint64(mask))


@kernel
def table_find(keys, values, stamps, stamp, key):
    """The value stored for `key`, or -1."""
    mask = keys.shape[0] - 1
    slot = _slot(key, mask)
    for _ in range(keys.shape[0]):
        if stamps[slot] != stamp:
            return -1
        if keys[slot] == key:
            return values[slot]
        slot = (slot + 1) & mask
    return -1


@kernel
def table_insert(keys, values, stamps, stamp, key, value):
    """Store `value` for `key`; False when the table is full."""
    mask = keys.shape[0] - 1
    slot = _slot(key, mask)
    for _ in range(keys.shape[0]):
        if stamps[slot] != stamp or keys[slot] == key:
            stamps[slot] = stamp
            keys[slot] = key
            values[slot] = value
            return True
        slot = (slot + 1) & mask
    return False
