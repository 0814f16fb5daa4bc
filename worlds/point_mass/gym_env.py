"""The point mass as a Gymnasium environment (``mesabase/PointMass-v0``).

Like `worlds.gym_env.GridWorldEnv`, the reward is the chosen catalogue
objective's and ``info["rewards"]`` carries *every* catalogue objective's
reward for the same transition, so one episode scores the base objective and
every proxy at once.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from worlds.base import Level, World
from worlds.gym_env import CatalogueEnv, checked_max_steps
from worlds.params import InvalidActionError, describe, discrete_action, is_int
from worlds.point_mass import generator
from worlds.point_mass import layout as L

#: what each entry of the observation vector holds, in order
OBSERVATION = ("x", "y", "vx", "vy", "exit_dx", "exit_dy", "beacon_dx", "beacon_dy")


class PointMassEnv(CatalogueEnv):
    """The point-mass world as a Gymnasium environment.

    Args:
        world: a world name or `World` (``"point-mass"``).
        split: the split that `reset` samples levels from.
        objective: the catalogue objective that gives `reward` (default: the base).
        render_mode: ``"rgb_array"`` or ``"ansi"``.
        level: a fixed `Level` (or level text) to play instead of sampling.
        max_steps: truncate after this many steps, a positive integer (default
            `PointMass.default_max_steps` of each episode's level).
        **overrides: generator parameters for `world.sample`, e.g. ``drag=1.0``.

    Observations are ``float32[8]``: (x, y, vx, vy, exit_dx, exit_dy,
    beacon_dx, beacon_dy), where the offsets are the region's centre minus
    the point's position (see `OBSERVATION`). Positions lie in [0, size],
    velocities within the top speed max_accel / drag per axis.

    Actions are accelerations ``float32[2]`` in ``[-max_accel, max_accel]``
    (larger ones are clipped by the dynamics); an integer is also accepted, as
    an index into the world's nine discrete `actions`. Anything else (another
    shape, complex, bool, NaN or inf, a non-integer scalar such as 1.7) raises
    `worlds.gym_env.InvalidActionError` before the dynamics run.
    """

    metadata = {"render_modes": ["rgb_array", "ansi"], "render_fps": 10}

    def __init__(
        self,
        world: str | World = "point-mass",
        split: str = "train",
        objective: str | None = None,
        render_mode: str | None = None,
        level: Level | str | None = None,
        max_steps: int | None = None,
        **overrides: Any,
    ):
        max_steps = checked_max_steps(max_steps)
        self._setup(world, split, objective, render_mode, level, overrides)
        generator.check_params(self.split_params)
        limits = self._limits()
        accel = float(limits[L.MAX_ACCEL])
        self.action_space = gym.spaces.Box(-accel, accel, shape=(L.ACTION_SIZE,), dtype=np.float32)
        self.observation_space = _observation_space(limits)
        self.max_steps = max_steps

    def _limits(self) -> np.ndarray:
        """The ``float64[N_PARAMS]`` vector the spaces are sized from: the fixed
        level's, or the split's scalars with the regions mid-arena."""
        if self.fixed_level is not None:
            return np.array(self.world.arrays(self.fixed_level))
        p = np.zeros(L.N_PARAMS)
        for name in ("size", "dt", "max_accel", "drag"):
            p[getattr(L, name.upper())] = float(self.split_params[name])
        p[[L.EXIT_X, L.EXIT_Y, L.BEACON_X, L.BEACON_Y]] = p[L.SIZE] / 2
        return p

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        self._start_episode(seed, options)
        self.path = [self.state.copy()]
        self.episode_steps = self.max_steps or self.world.default_max_steps(self.level)
        return self._observe(), {"level_seed": self.level.seed}

    def step(self, action):
        """Take `action`: an acceleration ``float[2]`` or an index into
        `world.actions`; raises `InvalidActionError` for anything else."""
        action = continuous_action(action, self.world.actions)
        level = self._playing()
        nxt = np.array(self.world.reference_step(level, self.state, action))
        features = np.array(self.world.reference_features(level, self.state, action, nxt))
        reward, info = self._score(features)
        self.state = nxt
        self.path.append(nxt.copy())
        self.steps += 1
        terminated = bool(self.world.reference_terminal(level, nxt) or self.ended[self._own])
        truncated = not terminated and self.steps >= self.episode_steps
        return self._observe(), reward, terminated, truncated, info

    def render(self):
        """The level with the episode's trajectory so far and the point."""
        if self.render_mode == "rgb_array":
            return self.world.render_rgb(self.level, self.state, path=self.path)
        if self.render_mode == "ansi":
            return self.world.render_ansi(self.level, self.state, path=self.path, color=False)
        return None

    def _observe(self) -> np.ndarray:
        """``float32[8]``, laid out as `OBSERVATION`."""
        return observation(self.world.arrays(self.level), self.state)


def continuous_action(action: Any, actions: tuple[str, ...]) -> int | np.ndarray:
    """`action` as an index into `actions` (an integer scalar) or as a finite
    acceleration ``float64[2]`` (a real array-like of that shape); raises
    `InvalidActionError` for anything else. Out-of-bounds accelerations pass:
    the dynamics clip them, as documented."""
    scalar = isinstance(action, np.ndarray) and action.shape == ()
    scalar = scalar or not isinstance(action, (list, tuple, np.ndarray))
    if scalar and is_int(action[()] if isinstance(action, np.ndarray) else action):
        return discrete_action(action, actions)
    try:
        array = None if scalar else np.asarray(action)
    except ValueError:  # ragged nested lists
        array = None
    if array is None or array.dtype.kind not in "iuf" or array.shape != (L.ACTION_SIZE,):
        raise InvalidActionError(
            f"an action must be a real acceleration of shape ({L.ACTION_SIZE},) or an integer in "
            f"range({len(actions)}), got {describe(action)}"
        )
    if not np.isfinite(array).all():
        raise InvalidActionError(f"an acceleration must be finite, got {array.tolist()}")
    return array.astype(np.float64)


def observation(params: np.ndarray, state) -> np.ndarray:
    """``float32[8]`` observation of `state` (``float64[4]``) in the level
    with parameter vector `params` (``float64[N_PARAMS]``)."""
    x, y = state[0], state[1]
    offsets = (params[L.EXIT_X] - x, params[L.EXIT_Y] - y, params[L.BEACON_X] - x, params[L.BEACON_Y] - y)
    return np.array([*state[: L.STATE_SIZE], *offsets], dtype=np.float32)


def _observation_space(p: np.ndarray) -> gym.spaces.Box:
    """A ``Box(float32[8])`` holding every observation of levels with the
    arena size, max_accel, drag and region centres of `p`."""
    size = p[L.SIZE]
    top = p[L.MAX_ACCEL] / p[L.DRAG] if p[L.DRAG] > 0 else np.finfo(np.float32).max / 2
    top *= 1.0 + 1e-6  # float rounding at the top speed
    centres = p[[L.EXIT_X, L.EXIT_Y, L.BEACON_X, L.BEACON_Y]]
    reach = max(size, *np.abs(centres), *np.abs(centres - size))
    high = np.array([size, size, top, top, reach, reach, reach, reach], dtype=np.float32)
    low = np.array([0.0, 0.0, -top, -top, -reach, -reach, -reach, -reach], dtype=np.float32)
    return gym.spaces.Box(low, high, dtype=np.float32)
