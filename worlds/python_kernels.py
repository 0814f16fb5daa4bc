"""Kernels made from a world's plain-Python reference, for prototyping.

A world may start without numba kernels (``kernels = None``): its
`reference_step`, `reference_features` and `reference_terminal` are enough.
Registering it puts a `PythonKernels` in its place, and the generated
dispatch (`worlds.dispatch`) calls these methods from compiled planner code
through numba's object mode. Every planner that searches through the dispatch
kernels then serves the world unchanged, only slowly: each call crosses back
into the interpreter (a few microseconds, against a few nanoseconds for a
kernel). Registration says so in a `ReferencePathWarning`.

Optional methods a Python world may add (same arguments as its kernels
would take, with a `Level` in place of ``grid, params``):

- ``reference_key(level, state) -> int``: a unique non-negative int64 per
  state. Without it the state's words are packed into 63 bits, which needs
  every word in ``[0, 2**(63 // state_size))``.
- ``reference_key_bound(level) -> int``: an upper bound on the keys, or -1.
- ``reference_heuristic(level, state, goal_mask) -> float``: an admissible
  bound on the steps to a goal event; 0 without it (A* is then Dijkstra).
"""

from __future__ import annotations

import numpy as np

from worlds.base import Level

REFERENCE_PATH_MESSAGE = (
    "world {name!r} has no numba kernels: planners call its Python reference "
    "(reference_step, reference_features, reference_terminal) through numba's object mode, "
    "thousands of times slower than kernels. Add a kernels module when the world works; "
    "see docs/new-world.md"
)


class ReferencePathWarning(UserWarning):
    """A world runs on its Python reference, not on numba kernels."""


class PythonKernels:
    """The kernels interface (`worlds.dispatch.OPERATIONS`) served by a
    world's Python reference.

    Shapes as for kernels: ``grid`` int32[C, H, W], ``params`` int64[P],
    ``state``/``out`` int64[S], ``mask``/``goal_mask``/features ``out`` float64[K].
    """

    def __init__(self, world) -> None:
        self.world = world
        self.N_ACTIONS = len(world.actions)
        self.N_FEATURES = len(world.features)
        self._level_key = None
        self._level = None

    def level(self, grid: np.ndarray, params: np.ndarray) -> Level:
        """The `Level` of these arrays; a planner asks about one level many
        times in a row, so the last one is kept."""
        key = (grid.ctypes.data, grid.shape, params.tobytes())
        if key != self._level_key:
            self._level = Level(world=self.world.name, grid=grid, params=params)
            self._level_key = key
        return self._level

    def step(self, grid, params, state, action, out) -> None:
        level = self.level(grid, params)
        out[:] = self.world.reference_step(level, tuple(int(v) for v in state), int(action))

    def features(self, grid, params, state, action, next_state, mask, out) -> None:
        values = self.world.reference_features(
            self.level(grid, params),
            tuple(int(v) for v in state),
            int(action),
            tuple(int(v) for v in next_state),
        )
        out[:] = np.where(mask != 0, np.asarray(values, dtype=np.float64), 0.0)

    def terminal(self, grid, params, state) -> bool:
        return bool(self.world.reference_terminal(self.level(grid, params), tuple(int(v) for v in state)))

    def key(self, grid, params, state) -> int:
        level = self.level(grid, params)
        if hasattr(self.world, "reference_key"):
            return int(self.world.reference_key(level, tuple(int(v) for v in state)))
        bits = 63 // len(state)
        packed = 0
        for word in state:
            if not 0 <= word < 1 << bits:
                raise ValueError(
                    f"world {self.world.name!r}: state word {int(word)} is outside [0, 2**{bits}); "
                    "define reference_key(level, state) to give states unique keys"
                )
            packed = (packed << bits) | int(word)
        return packed

    def key_bound(self, grid, params) -> int:
        if hasattr(self.world, "reference_key_bound"):
            return int(self.world.reference_key_bound(self.level(grid, params)))
        return -1

    def heuristic(self, grid, params, state, goal_mask) -> float:
        if hasattr(self.world, "reference_heuristic"):
            level = self.level(grid, params)
            return float(self.world.reference_heuristic(level, tuple(int(v) for v in state), goal_mask))
        return 0.0
