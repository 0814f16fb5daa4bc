"""Bitmask helpers for kernels whose states carry sets of items as int64 masks."""

from __future__ import annotations

from worlds.jit import kernel


@kernel
def popcount(mask):
    """The number of set bits of a non-negative int64."""
    count = 0
    while mask:
        mask &= mask - 1
        count += 1
    return count
