"""The point mass in numba: the twin of `worlds.point_mass.dynamics` (JAX).

Both implement exactly the same arithmetic in the same order, and
`tests/test_point_mass.py` checks that they agree to 1e-9 on
hypothesis-generated states and actions. The numba twin is what the discrete
search kernels (MCTS over a discretised action set) and the Gymnasium
environment run; the JAX twin is what gradient and sampling planners
differentiate and vectorise.

One step (time step dt, acceleration bound a, drag k):

1. clip the acceleration to [-a, a] per component;
2. semi-implicit Euler: v' = v + dt (u - k v); p' = p + dt v';
3. contact: if p' is inside an obstacle (signed distance d < 0), move it out
   along the nearest surface's normal n (p' -= d n) and remove the velocity
   going into the surface;
4. the arena's edges stop the point: p' is clipped to [0, size] and the
   velocity across a crossed edge is zeroed.

Features of a transition (s, u, s'), in order:
exit_distance, beacon_distance (from p' to the region's edge, 0 inside),
reached_exit, reached_beacon (0/1), collision (how deep the unconstrained
position p' went into an obstacle before contact pushed it out), effort
(dt |u|^2 of the clipped acceleration).

The dispatch-facing kernels at the bottom take the level's ``int64`` words and
an ``int64[4]`` state that hold float64 bit patterns, and an action index
into `ACCELERATIONS`.
"""

from __future__ import annotations

import numpy as np

from worlds.jit import kernel
from worlds.point_mass import layout as L

EXIT_DISTANCE, BEACON_DISTANCE, REACHED_EXIT, REACHED_BEACON, COLLISION, EFFORT = range(6)
N_FEATURES = 6
#: the discretised action set for discrete planners: coast, then eight
#: directions (up is +y) at full acceleration on each moving axis
ACCELERATIONS = np.array(
    [[0, 0], [0, 1], [1, 1], [1, 0], [1, -1], [0, -1], [-1, -1], [-1, 0], [-1, 1]], dtype=np.float64
)
N_ACTIONS = len(ACCELERATIONS)
TINY = 1e-24  # floor under squared norms: keeps gradients of |.| finite at 0


@kernel
def norm(dx, dy):
    return np.sqrt(max(dx * dx + dy * dy, TINY))


@kernel
def _box_surface(params, i, x, y):
    """(d, nx, ny) of box `i`: signed distance and outward normal."""
    o = L.BOXES + 4 * i
    cx = (params[o] + params[o + 2]) * 0.5
    cy = (params[o + 1] + params[o + 3]) * 0.5
    hx = (params[o + 2] - params[o]) * 0.5
    hy = (params[o + 3] - params[o + 1]) * 0.5
    rx, ry = x - cx, y - cy
    sx = 1.0 if rx >= 0.0 else -1.0
    sy = 1.0 if ry >= 0.0 else -1.0
    qx, qy = abs(rx) - hx, abs(ry) - hy
    mx, my = max(qx, 0.0), max(qy, 0.0)
    outside = np.sqrt(mx * mx + my * my)
    d = outside + min(max(qx, qy), 0.0)
    if outside > 0.0:
        inv = 1.0 / max(outside, 1e-12)
        return d, mx * sx * inv, my * sy * inv
    if qx >= qy:
        return d, sx, 0.0
    return d, 0.0, sy


@kernel
def _disc_surface(params, i, x, y):
    """(d, nx, ny) of disc `i`: signed distance and outward normal."""
    o = L.DISCS + 3 * i
    rx, ry = x - params[o], y - params[o + 1]
    length = norm(rx, ry)
    inv = 1.0 / max(length, 1e-12)
    return length - params[o + 2], rx * inv, ry * inv


@kernel
def signed_distance(params, x, y):
    """(d, nx, ny): the signed distance from (x, y) to the nearest obstacle
    (negative inside) and the outward surface normal there: the mean normal
    of the obstacles at that distance, which is one except on exact ties."""
    best = np.inf
    for i in range(L.MAX_BOXES):
        best = min(best, _box_surface(params, i, x, y)[0])
    for i in range(L.MAX_DISCS):
        best = min(best, _disc_surface(params, i, x, y)[0])
    nx, ny, count = 0.0, 0.0, 0.0
    for i in range(L.MAX_BOXES):
        d, ux, uy = _box_surface(params, i, x, y)
        if d == best:
            nx, ny, count = nx + ux, ny + uy, count + 1.0
    for i in range(L.MAX_DISCS):
        d, ux, uy = _disc_surface(params, i, x, y)
        if d == best:
            nx, ny, count = nx + ux, ny + uy, count + 1.0
    return best, nx / count, ny / count


@kernel
def integrate(params, state, ax, ay):
    """Steps 1-2: (ax, ay, x, y, vx, vy), the clipped acceleration and the
    unconstrained successor."""
    a, dt, k = params[L.MAX_ACCEL], params[L.DT], params[L.DRAG]
    ax, ay = min(max(ax, -a), a), min(max(ay, -a), a)
    vx = state[2] + dt * (ax - k * state[2])
    vy = state[3] + dt * (ay - k * state[3])
    return ax, ay, state[0] + dt * vx, state[1] + dt * vy, vx, vy


@kernel
def step_continuous(params, state, ax, ay, out):
    """The successor of `state` (float64[4]) under acceleration (ax, ay),
    written into `out` (float64[4]); returns the collision depth."""
    _, _, x, y, vx, vy = integrate(params, state, ax, ay)
    d, nx, ny = signed_distance(params, x, y)
    if d < 0.0:
        x, y = x - d * nx, y - d * ny
        vn = vx * nx + vy * ny
        if vn < 0.0:
            vx, vy = vx - vn * nx, vy - vn * ny
    out[0], out[1], out[2], out[3] = x, y, vx, vy
    size = params[L.SIZE]
    for axis in range(2):
        if out[axis] < 0.0 or out[axis] > size:
            out[axis] = min(max(out[axis], 0.0), size)
            out[axis + 2] = 0.0
    return max(-d, 0.0)


@kernel
def region_distance(params, slot, x, y):
    """Distance from (x, y) to the centre of the disc region at `slot`."""
    return norm(x - params[slot], y - params[slot + 1])


@kernel
def features_continuous(params, state, ax, ay, next_state, out):
    """The transition's features into `out` (float64[N_FEATURES])."""
    cx, cy, fx, fy, _, _ = integrate(params, state, ax, ay)
    depth = max(-signed_distance(params, fx, fy)[0], 0.0)
    x, y = next_state[0], next_state[1]
    to_exit = region_distance(params, L.EXIT_X, x, y)
    to_beacon = region_distance(params, L.BEACON_X, x, y)
    out[EXIT_DISTANCE] = max(to_exit - params[L.EXIT_R], 0.0)
    out[BEACON_DISTANCE] = max(to_beacon - params[L.BEACON_R], 0.0)
    out[REACHED_EXIT] = 1.0 if to_exit <= params[L.EXIT_R] else 0.0
    out[REACHED_BEACON] = 1.0 if to_beacon <= params[L.BEACON_R] else 0.0
    out[COLLISION] = depth
    out[EFFORT] = params[L.DT] * (cx * cx + cy * cy)


@kernel
def terminal_continuous(params, state):
    """The world's episode ends inside the exit region."""
    return region_distance(params, L.EXIT_X, state[0], state[1]) <= params[L.EXIT_R]


# ---- the dispatch contract: int64 words holding float64 bits ---------------


@kernel
def step(grid, params, state, action, out):
    p = params.view(np.float64)
    a = p[L.MAX_ACCEL]
    step_continuous(
        p, state.view(np.float64), a * ACCELERATIONS[action, 0], a * ACCELERATIONS[action, 1],
        out.view(np.float64),
    )  # fmt: skip


@kernel
def features(grid, params, state, action, next_state, mask, out):
    p = params.view(np.float64)
    a = p[L.MAX_ACCEL]
    features_continuous(
        p, state.view(np.float64), a * ACCELERATIONS[action, 0], a * ACCELERATIONS[action, 1],
        next_state.view(np.float64), out,
    )  # fmt: skip
    # the dispatch contract: features outside the mask are 0
    for i in range(N_FEATURES):
        if mask[i] == 0.0:
            out[i] = 0.0


@kernel
def terminal(grid, params, state):
    return terminal_continuous(params.view(np.float64), state.view(np.float64))


@kernel
def key(grid, params, state):
    """A 64-bit mix of the state's words: states are continuous, so equal keys
    mean equal states except for hash collisions (about 2^-64 per pair)."""
    h = np.uint64(0x9E3779B97F4A7C15)
    for i in range(state.shape[0]):
        h ^= np.uint64(state[i]) + np.uint64(0x9E3779B97F4A7C15) + (h << np.uint64(6)) + (h >> np.uint64(2))
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(31)
    return np.int64(h & np.uint64(0x7FFFFFFFFFFFFFFF))


@kernel
def key_bound(grid, params):
    return -1


@kernel
def heuristic(grid, params, state, goal_mask):
    """A lower bound on the steps to the nearest goal region: the point's
    speed on each axis never exceeds max(|v|, a/k), so it covers at most
    dt * sqrt(2) * max(|v|, a/k) a step."""
    p = params.view(np.float64)
    s = state.view(np.float64)
    best = np.inf
    if goal_mask[REACHED_EXIT] != 0.0:
        best = min(best, max(region_distance(p, L.EXIT_X, s[0], s[1]) - p[L.EXIT_R], 0.0))
    if goal_mask[REACHED_BEACON] != 0.0:
        best = min(best, max(region_distance(p, L.BEACON_X, s[0], s[1]) - p[L.BEACON_R], 0.0))
    if best == np.inf:
        return 0.0
    top = max(abs(s[2]), abs(s[3]), p[L.MAX_ACCEL] / max(p[L.DRAG], 1e-12))
    return np.floor(best / (p[L.DT] * np.sqrt(2.0) * top))


@kernel
def simulate(params, start, accelerations, states_out, features_out):
    """Apply `accelerations` ``float64[T, 2]`` from `start`, stopping early
    once the world terminates; writes states ``[T+1, 4]`` and features
    ``[T, K]`` and returns the number of steps taken."""
    for i in range(start.shape[0]):
        states_out[0, i] = start[i]
    for t in range(accelerations.shape[0]):
        if terminal_continuous(params, states_out[t]):
            return t
        ax, ay = accelerations[t, 0], accelerations[t, 1]
        step_continuous(params, states_out[t], ax, ay, states_out[t + 1])
        features_continuous(params, states_out[t], ax, ay, states_out[t + 1], features_out[t])
    return accelerations.shape[0]
