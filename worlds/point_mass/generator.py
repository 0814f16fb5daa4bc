"""Seeded point-mass levels for each split.

Every level is a square arena with the start near the bottom edge and the exit
region near the top edge.

- ``train``: 1-3 convex obstacles (boxes and discs) in the middle band, the
  beacon on the exit.
- ``test``: the same obstacles; the beacon moved to the side, at least
  ``min_beacon_exit_distance`` from the exit.
- ``test-trap``: a U-shaped trap of three boxes straight between the start
  and the exit, opening towards the start, and the beacon on the exit. Going
  straight for the exit leads into the cup; the way out is back and round.

Obstacles are at least 1 unit thick in a 10-unit arena: more than twice the
0.4 units the point can move along an axis in one step, so contact always
pushes it back out on the side it came from (it cannot tunnel).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from worlds.errors import InvalidParameterError
from worlds.limits import MAX_POINT_MASS_VALUE, check_horizon
from worlds.params import flag, int_range, probability, real, real_range
from worlds.point_mass import layout as L

_MAX_ATTEMPTS = 200
_SCALARS = ("size", "dt", "max_accel", "drag")


def _clearance(point, radius, boxes, discs) -> bool:
    """Whether a disc of `radius` at `point` keeps clear of every obstacle."""
    x, y = point
    for x0, y0, x1, y1 in boxes:
        dx, dy = max(x0 - x, 0.0, x - x1), max(y0 - y, 0.0, y - y1)
        if np.hypot(dx, dy) < radius:
            return False
    return all(np.hypot(x - cx, y - cy) >= radius + r for cx, cy, r in discs)


def _convex_obstacles(rng, params, start, exit_xy, size):
    low, high = int_range("obstacles", params["obstacles"], 0)
    if high > L.MAX_BOXES + L.MAX_DISCS:
        raise InvalidParameterError(f"obstacles must be at most {L.MAX_BOXES + L.MAX_DISCS}, got {high}")
    count = int(rng.integers(low, high + 1))
    boxes, discs = [], []
    for _ in range(_MAX_ATTEMPTS):
        if len(boxes) + len(discs) == count:
            break
        cx, cy = rng.uniform(0.2 * size, 0.8 * size), rng.uniform(0.3 * size, 0.7 * size)
        if rng.random() < 0.5 and len(boxes) < L.MAX_BOXES:
            w, h = rng.uniform(0.1, 0.2, size=2) * size
            candidate = ([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2],), ()
        elif len(discs) < L.MAX_DISCS:
            candidate = (), ([cx, cy, rng.uniform(0.05, 0.1) * size],)
        else:
            continue
        trial_boxes, trial_discs = boxes + list(candidate[0]), discs + list(candidate[1])
        # start and exit keep clear of the new obstacle
        if _clearance(start, 0.08 * size, trial_boxes, trial_discs) and _clearance(
            exit_xy, 0.12 * size, trial_boxes, trial_discs
        ):
            boxes, discs = trial_boxes, trial_discs
    return boxes, discs


def _trap(rng, params, size):
    """Three boxes: a cap and two arms hanging down from it, opening towards
    the start; returns the boxes and the trap's centre x. The arms reach up
    through the cap: boxes that merely touch leave a seam along which the
    point could slide out, since a point on both boundaries is inside neither."""
    width = rng.uniform(*params["trap_width"]) * size
    depth = rng.uniform(*params["trap_depth"]) * size
    wall = params["trap_wall"] * size
    cx = rng.uniform(0.4, 0.6) * size
    top = rng.uniform(0.62, 0.7) * size
    left, right = cx - width / 2, cx + width / 2
    cap = [left, top - wall, right, top]
    left_arm = [left, top - depth, left + wall, top]
    right_arm = [right - wall, top - depth, right, top]
    return [cap, left_arm, right_arm], cx


def default_horizon(size: float, dt: float, max_accel: float, drag: float) -> float:
    """Steps to cross the arena four times at top speed (max_accel / drag):
    `PointMass.default_max_steps`, as a float that may be huge."""
    return 4 * size / (max_accel / drag * dt)


def check_params(params: dict[str, Any]) -> None:
    """Check every generator parameter in `params` for type, range and
    finiteness, and the levels' default horizon against `MAX_HORIZON`;
    raises a one-line `InvalidParameterError` naming the first bad one."""
    scalars = [real(name, params[name], 0.0, MAX_POINT_MASS_VALUE, open_low=True) for name in _SCALARS]
    size, dt, max_accel, drag = scalars
    if dt * drag >= 1:
        raise InvalidParameterError("dt x drag must be below 1, or drag reverses the velocity in one step")
    for name in ("exit_radius", "beacon_radius", "trap_wall"):
        real(name, params[name], 0.0, 1.0, open_low=True)
    int_range("obstacles", params["obstacles"], 0)
    probability("beacon_at_exit_prob", params["beacon_at_exit_prob"])
    real("min_beacon_exit_distance", params["min_beacon_exit_distance"], 0.0, 2.0)
    flag("trap", params["trap"])
    for name in ("trap_width", "trap_depth"):
        real_range(name, params[name], 0.0, 1.0)
    check_horizon(default_horizon(size, dt, max_accel, drag), "this point-mass split")


def sample(rng: np.random.Generator, params: dict[str, Any]) -> np.ndarray:
    """The ``float64[N_PARAMS]`` vector of one level drawn with `params`."""
    check_params(params)
    size = float(params["size"])
    exit_r, beacon_r = params["exit_radius"] * size, params["beacon_radius"] * size
    boxes, discs = [], []
    if params["trap"]:
        boxes, cx = _trap(rng, params, size)
        start = np.array([cx + rng.uniform(-0.03, 0.03) * size, rng.uniform(0.1, 0.15) * size])
        exit_xy = np.array([cx + rng.uniform(-0.05, 0.05) * size, rng.uniform(0.85, 0.9) * size])
    else:
        start = np.array([rng.uniform(0.2, 0.8) * size, rng.uniform(0.08, 0.15) * size])
        exit_xy = np.array([rng.uniform(0.2, 0.8) * size, rng.uniform(0.85, 0.92) * size])
        boxes, discs = _convex_obstacles(rng, params, start, exit_xy, size)
    beacon_xy = exit_xy
    if rng.random() >= params["beacon_at_exit_prob"]:
        beacon_xy = _moved_beacon(rng, params, size, start, exit_xy, boxes, discs, beacon_r)
    # positions on a 0.001 grid, so that the text form round-trips exactly
    return L.pack(
        size=size,
        dt=params["dt"],
        max_accel=params["max_accel"],
        drag=params["drag"],
        start=np.round(start, 3),
        exit=np.round((*exit_xy, exit_r), 3),
        beacon=np.round((*beacon_xy, beacon_r), 3),
        boxes=np.round(np.asarray(boxes, dtype=np.float64).reshape(-1, 4), 3),
        discs=np.round(np.asarray(discs, dtype=np.float64).reshape(-1, 3), 3),
    )


def _moved_beacon(rng, params, size, start, exit_xy, boxes, discs, radius):
    for _ in range(_MAX_ATTEMPTS):
        side = rng.choice([-1.0, 1.0])
        xy = np.array([exit_xy[0] + side * rng.uniform(0.3, 0.6) * size, rng.uniform(0.3, 0.9) * size])
        inside = (0.05 * size <= xy).all() and (xy <= 0.95 * size).all()
        far = np.hypot(*(xy - exit_xy)) >= params["min_beacon_exit_distance"] * size
        if inside and far and _clearance(xy, radius + 0.03 * size, boxes, discs):
            return xy
    raise InvalidParameterError(
        "could not place the beacon min_beacon_exit_distance from the exit; lower it or enlarge the arena"
    )
