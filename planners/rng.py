"""A tiny counter-based random number generator for numba kernels (SplitMix64).

Kernels carry their own uint64 state in a one-element array instead of using
numba's global generator, so a plan depends only on the seed it was given.
"""

from __future__ import annotations

import numpy as np

from worlds.jit import kernel

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@kernel
def next_u64(state):
    """Advance ``state`` (uint64[1]) and return 64 random bits."""
    state[0] += _GAMMA
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@kernel
def uniform(state):
    """A float64 in [0, 1)."""
    return np.float64(next_u64(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@kernel
def randint(state, n):
    """An int64 in [0, n) for n < 2**32, by multiply-and-shift (Lemire): no
    division in the rollout loop; the bias is below n / 2**32."""
    high = next_u64(state) >> np.uint64(32)
    return np.int64((high * np.uint64(n)) >> np.uint64(32))


def seed_state(seed: int) -> np.ndarray:
    """A fresh generator state for `seed`."""
    return np.array([np.uint64(seed % (1 << 64))], dtype=np.uint64)
