"""The point mass in JAX: the twin of `worlds.point_mass.kernels` (numba).

The same arithmetic in the same order (see that module for the equations), as
pure functions of ``params`` (``float[N_PARAMS]``, `PointMass.arrays`),
``state`` (``float[4]``: x, y, vx, vy) and ``action`` (``float[2]``), so they
compose with `jax.jit`, `jax.vmap` and `jax.grad`. They run in the dtype of
their inputs: float64 under ``jax.enable_x64`` (where they match numba to
1e-9), float32 otherwise.

Gradients. Region indicators (``reached_*``) have the exact 0/1 value and the
gradient of a sigmoid of the distance (a straight-through estimator), so
their "smooth versions for gradients" need no extra features. The signed
distance is differentiated exactly in the position; the contact normal is
treated as locally constant (exact on box faces, it drops the curvature term
at disc surfaces and box corners). Nothing is differentiable in the level's
parameters.
"""

from __future__ import annotations

from typing import NamedTuple

from worlds.xla_flags import enable_small_loop_kernels

#: whether XLA's small-loop option was set before JAX started its CPU backend
#: (about 20% on CEM; the planners' single-kernel loops do not depend on it,
#: see `worlds.xla_flags`)
SMALL_LOOP_KERNELS = enable_small_loop_kernels()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

from worlds.continuous import JaxDynamics  # noqa: E402
from worlds.point_mass import layout as L  # noqa: E402
from worlds.point_mass.kernels import TINY  # noqa: E402

#: the sigmoid behind a reached-indicator's gradient is this many radii wide
SMOOTH_WIDTH = 0.5


def norm(dx, dy):
    return jnp.sqrt(jnp.maximum(dx * dx + dy * dy, TINY))


class Geometry(NamedTuple):
    """A level's parameters in the shape the step wants: box centres and
    half sizes ``float[MAX_BOXES]``, discs ``float[MAX_DISCS]`` and the
    scalars. Computed once per rollout (`prepare`), not once per step."""

    params: jax.Array
    box_cx: jax.Array
    box_cy: jax.Array
    box_hx: jax.Array
    box_hy: jax.Array
    disc_x: jax.Array
    disc_y: jax.Array
    disc_r: jax.Array


def prepare(params) -> Geometry:
    """The `Geometry` of a level's parameter vector ``float[N_PARAMS]``."""
    boxes = params[L.BOXES : L.DISCS].reshape(L.MAX_BOXES, 4)
    discs = params[L.DISCS :].reshape(L.MAX_DISCS, 3)
    return Geometry(
        params,
        (boxes[:, 0] + boxes[:, 2]) * 0.5,
        (boxes[:, 1] + boxes[:, 3]) * 0.5,
        (boxes[:, 2] - boxes[:, 0]) * 0.5,
        (boxes[:, 3] - boxes[:, 1]) * 0.5,
        discs[:, 0],
        discs[:, 1],
        discs[:, 2],
    )


def _nearest_surface(geometry, x, y):
    g = geometry if isinstance(geometry, Geometry) else prepare(geometry)
    rx, ry = x - g.box_cx, y - g.box_cy
    sx = jnp.where(rx >= 0.0, 1.0, -1.0)
    sy = jnp.where(ry >= 0.0, 1.0, -1.0)
    qx, qy = jnp.abs(rx) - g.box_hx, jnp.abs(ry) - g.box_hy
    mx, my = jnp.maximum(qx, 0.0), jnp.maximum(qy, 0.0)
    # sqrt of a masked argument: inside a box the distance to its outside is 0,
    # and sqrt's derivative there would make second derivatives NaN
    squared = mx * mx + my * my
    outside = jnp.where(squared > 0.0, jnp.sqrt(jnp.where(squared > 0.0, squared, 1.0)), 0.0)
    box_d = outside + jnp.minimum(jnp.maximum(qx, qy), 0.0)
    inv = 1.0 / jnp.maximum(outside, 1e-12)
    along_x = qx >= qy
    box_nx = jnp.where(outside > 0.0, mx * sx * inv, jnp.where(along_x, sx, 0.0))
    box_ny = jnp.where(outside > 0.0, my * sy * inv, jnp.where(along_x, 0.0, sy))

    dx, dy = x - g.disc_x, y - g.disc_y
    length = norm(dx, dy)
    disc_d = length - g.disc_r
    disc_inv = 1.0 / jnp.maximum(length, 1e-12)

    nearest = jnp.minimum(jnp.min(box_d), jnp.min(disc_d))
    # the mean normal of the obstacles at the nearest distance (one, except on
    # ties), as in the numba twin; masks and sums are much cheaper than argmin
    # and a gather inside a scan on CPU
    box_pick = (box_d == nearest).astype(x.dtype)
    disc_pick = (disc_d == nearest).astype(x.dtype)
    count = jnp.sum(box_pick) + jnp.sum(disc_pick)
    nx = (jnp.sum(box_nx * box_pick) + jnp.sum(dx * disc_inv * disc_pick)) / count
    ny = (jnp.sum(box_ny * box_pick) + jnp.sum(dy * disc_inv * disc_pick)) / count
    return nearest, nx, ny


@jax.custom_jvp
def signed_distance(geometry: Geometry, x, y):
    """(d, nx, ny): signed distance from (x, y) to the nearest obstacle
    (negative inside) and its outward normal there. `geometry` is a
    `Geometry` or a parameter vector."""
    return _nearest_surface(geometry, x, y)


@signed_distance.defjvp
def _signed_distance_jvp(primals, tangents):
    # d' = n . p' exactly; the normal's own derivative (curvature) is dropped,
    # which keeps the backward pass a handful of multiplies
    geometry, x, y = primals
    _, x_dot, y_dot = tangents
    d, nx, ny = _nearest_surface(geometry, x, y)
    zero = jnp.zeros_like(d)
    return (d, nx, ny), (nx * x_dot + ny * y_dot, zero, zero)


def _integrate(params, state, action):
    a, dt, k = params[L.MAX_ACCEL], params[L.DT], params[L.DRAG]
    ax = jnp.clip(action[0], -a, a)
    ay = jnp.clip(action[1], -a, a)
    vx = state[2] + dt * (ax - k * state[2])
    vy = state[3] + dt * (ay - k * state[3])
    return ax, ay, state[0] + dt * vx, state[1] + dt * vy, vx, vy


def _reached(distance, radius):
    hard = (distance <= radius).astype(distance.dtype)
    smooth = jax.nn.sigmoid((radius - distance) / (SMOOTH_WIDTH * radius))
    return hard + (smooth - jax.lax.stop_gradient(smooth))


def inside_obstacle(g: Geometry, x, y):
    """Whether (x, y) is strictly inside an obstacle: exactly ``d < 0`` for
    the signed distance d, without computing d or a normal."""
    in_box = (jnp.abs(x - g.box_cx) < g.box_hx) & (jnp.abs(y - g.box_cy) < g.box_hy)
    in_disc = norm(x - g.disc_x, y - g.disc_y) < g.disc_r
    return jnp.any(in_box) | jnp.any(in_disc)


def _contact(geometry, x, y, vx, vy):
    """Push a point that went `depth` = -d into an obstacle back out along the
    normal and remove its velocity into the surface."""
    d, nx, ny = signed_distance(geometry, x, y)
    inside = d < 0.0
    x, y = jnp.where(inside, x - d * nx, x), jnp.where(inside, y - d * ny, y)
    vn = vx * nx + vy * ny
    push = inside & (vn < 0.0)
    vx, vy = jnp.where(push, vx - vn * nx, vx), jnp.where(push, vy - vn * ny, vy)
    return x, y, vx, vy, jnp.maximum(-d, 0.0)


def _no_contact(geometry, x, y, vx, vy):
    return x, y, vx, vy, jnp.zeros_like(x)


def advance(params, state, action, branch: bool = True):
    """(next_state ``float[4]``, depth, ax, ay): one step of the dynamics
    alone, with what the features need besides the successor: how deep the
    unconstrained position went into an obstacle and the clipped
    acceleration. `params` is the level's vector or its `Geometry`.

    With `branch`, contact is resolved only when a cheap test finds the point
    inside an obstacle. Under `jax.vmap` a branch becomes "compute both sides
    and select", so batched callers pass ``branch=False`` and always resolve
    contact (a no-op outside obstacles). The results are the same."""
    geometry = params if isinstance(params, Geometry) else prepare(params)
    params = geometry.params
    ax, ay, x, y, vx, vy = _integrate(params, state, action)
    # most steps touch nothing, and then nothing below depends on the signed
    # distance: the branch skips computing it (the cheap test is exactly d < 0)
    if branch:
        touching = inside_obstacle(geometry, x, y)
        x, y, vx, vy, depth = jax.lax.cond(touching, _contact, _no_contact, geometry, x, y, vx, vy)
    else:
        x, y, vx, vy, depth = _contact(geometry, x, y, vx, vy)
    size = params[L.SIZE]
    crossed_x, crossed_y = (x < 0.0) | (x > size), (y < 0.0) | (y > size)
    x, y = jnp.clip(x, 0.0, size), jnp.clip(y, 0.0, size)
    vx, vy = jnp.where(crossed_x, 0.0, vx), jnp.where(crossed_y, 0.0, vy)
    return jnp.stack([x, y, vx, vy]), depth, ax, ay


def transition_features(params, next_state, depth, ax, ay):
    """The features ``float[..., N_FEATURES]`` of transitions, from
    `advance`'s outputs; elementwise, so it takes one step or a whole
    trajectory at once (leading axes of `next_state` ``float[..., 4]``)."""
    x, y = next_state[..., 0], next_state[..., 1]
    to_exit = norm(x - params[L.EXIT_X], y - params[L.EXIT_Y])
    to_beacon = norm(x - params[L.BEACON_X], y - params[L.BEACON_Y])
    return jnp.stack(
        [
            jnp.maximum(to_exit - params[L.EXIT_R], 0.0),
            jnp.maximum(to_beacon - params[L.BEACON_R], 0.0),
            _reached(to_exit, params[L.EXIT_R]),
            _reached(to_beacon, params[L.BEACON_R]),
            depth,
            params[L.DT] * (ax * ax + ay * ay),
        ],
        axis=-1,
    )


def transition(params, state, action, branch: bool = True):
    """(next_state ``float[4]``, features ``float[N_FEATURES]``) of one step;
    `params` is the level's vector or its `prepare`d `Geometry` (faster
    inside a rollout); `branch` as in `advance`."""
    geometry = params if isinstance(params, Geometry) else prepare(params)
    next_state, depth, ax, ay = advance(geometry, state, action, branch)
    return next_state, transition_features(geometry.params, next_state, depth, ax, ay)


def step(params, state, action):
    """The successor state ``float[4]``."""
    return transition(params, state, action)[0]


def features(params, state, action):
    """The transition's features ``float[N_FEATURES]`` (they depend on the
    successor, which is recomputed)."""
    return transition(params, state, action)[1]


def terminal(params, state):
    """Whether `state` is inside the exit region (the world's episode ends)."""
    return norm(state[0] - params[L.EXIT_X], state[1] - params[L.EXIT_Y]) <= params[L.EXIT_R]


# ---- the continuous-world contract (`worlds.continuous.JaxDynamics`) ----------------
#: the reached-region indicators among the features: (feature index, x, y, radius slots)
_EVENT_REGIONS = (
    (2, L.EXIT_X, L.EXIT_Y, L.EXIT_R),
    (3, L.BEACON_X, L.BEACON_Y, L.BEACON_R),
)


def smooth_events(params, next_state, features):
    """`features` ``float[K]`` with each reached indicator (``reached_exit``,
    ``reached_beacon``) replaced by its sigmoid of the distance, the function
    whose gradient the dynamics gives it."""
    for index, x, y, r in _EVENT_REGIONS:
        distance = norm(next_state[0] - params[x], next_state[1] - params[y])
        smooth = jax.nn.sigmoid((params[r] - distance) / (SMOOTH_WIDTH * params[r]))
        features = features.at[index].set(smooth)
    return features


def _advance(geometry, state, action, branch: bool = True):
    next_state, depth, ax, ay = advance(geometry, state, action, branch)
    return next_state, (depth, ax, ay)


def _transition_features(params, next_states, aux):
    return transition_features(params, next_states, *aux)


def _action_scale(params):
    return params[L.MAX_ACCEL]


#: the point mass's dynamics as the continuous-world contract asks (one
#: instance: the JAX planners key their compiled solvers on it)
JAX_DYNAMICS = JaxDynamics(
    action_size=L.ACTION_SIZE,
    prepare=prepare,
    advance=_advance,
    transition_features=_transition_features,
    transition=transition,
    terminal=terminal,
    action_scale=_action_scale,
    smooth_events=smooth_events,
)
