"""Where everything lives in a point-mass level's parameter vector.

A point-mass level is one ``float64[P]`` vector (``PointMass.arrays(level)``)
of fixed length, so that one compiled JAX or numba kernel serves every level:
a level with fewer obstacles fills the remaining slots with far-away dummies.
(`worlds.Level` stores the same 64-bit words as ``int64`` so that the search
kernels in `worlds.dispatch` can take it like any other level.)
"""

from __future__ import annotations

import numpy as np

SIZE, DT, MAX_ACCEL, DRAG = 0, 1, 2, 3
START_X, START_Y = 4, 5
EXIT_X, EXIT_Y, EXIT_R = 6, 7, 8
BEACON_X, BEACON_Y, BEACON_R = 9, 10, 11
BOXES = 12
MAX_BOXES = 6
DISCS = BOXES + 4 * MAX_BOXES
MAX_DISCS = 3
N_PARAMS = DISCS + 3 * MAX_DISCS

#: where unused obstacle slots sit: far outside any arena, never the nearest
FAR = -1.0e3
#: a state is (x, y, vx, vy); an action is an acceleration (ax, ay)
STATE_SIZE, ACTION_SIZE = 4, 2


def pack(
    *,
    size: float,
    dt: float,
    max_accel: float,
    drag: float,
    start,
    exit,
    beacon,
    boxes=(),
    discs=(),
) -> np.ndarray:
    """The ``float64[N_PARAMS]`` vector of one level.

    Args:
        start: (x, y). exit, beacon: (x, y, radius).
        boxes: rows (x0, y0, x1, y1) with x0 < x1, y0 < y1; at most MAX_BOXES.
        discs: rows (x, y, radius); at most MAX_DISCS.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    discs = np.asarray(discs, dtype=np.float64).reshape(-1, 3)
    if len(boxes) > MAX_BOXES or len(discs) > MAX_DISCS:
        raise ValueError(f"a level holds at most {MAX_BOXES} boxes and {MAX_DISCS} discs")
    out = np.empty(N_PARAMS)
    out[[SIZE, DT, MAX_ACCEL, DRAG]] = size, dt, max_accel, drag
    out[[START_X, START_Y]] = start
    out[[EXIT_X, EXIT_Y, EXIT_R]] = exit
    out[[BEACON_X, BEACON_Y, BEACON_R]] = beacon
    all_boxes = np.tile([FAR, FAR, FAR + 1.0, FAR + 1.0], (MAX_BOXES, 1))
    all_boxes[: len(boxes)] = boxes
    all_discs = np.tile([FAR, FAR, 0.5], (MAX_DISCS, 1))
    all_discs[: len(discs)] = discs
    out[BOXES:DISCS] = all_boxes.ravel()
    out[DISCS:] = all_discs.ravel()
    return out


def boxes_of(params: np.ndarray) -> np.ndarray:
    """The level's real boxes, ``float64[B, 4]`` rows (x0, y0, x1, y1)."""
    boxes = np.asarray(params[BOXES:DISCS]).reshape(MAX_BOXES, 4)
    return boxes[boxes[:, 0] > FAR / 2]


def discs_of(params: np.ndarray) -> np.ndarray:
    """The level's real discs, ``float64[D, 3]`` rows (x, y, radius)."""
    discs = np.asarray(params[DISCS:]).reshape(MAX_DISCS, 3)
    return discs[discs[:, 0] > FAR / 2]
