"""Gymnasium environments for the discrete worlds.

The reward is the chosen catalogue objective's; ``info["rewards"]`` carries
*every* catalogue objective's reward for the same transition (the hidden
performance function of ai-safety-gridworlds), so one episode scores the base
objective and every proxy at once.

Every input is checked before any kernel sees it: constructor keywords,
`reset`'s seed and options, and `step`'s action (an integer in
``range(len(world.actions))``; not a bool, a float or an array of another
shape). A bad one raises a one-line `InvalidParameterError` (`InvalidActionError`
for actions) and leaves the environment as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import numpy as np

from worlds import dispatch
from worlds.base import Level, World
from worlds.errors import InvalidParameterError, UnknownNameError
from worlds.params import InvalidActionError, describe, discrete_action, is_int
from worlds.registry import get, names

__all__ = [
    "VECTOR_ENTRY_POINT",
    "CatalogueEnv",
    "GridWorldEnv",
    "InvalidActionError",
    "catalogue_arrays",
    "register_envs",
]


class CatalogueEnv(gym.Env):
    """What the mesabase environments share: choosing the level (sampled from
    a split or fixed), the chosen objective's reward, and every catalogue
    objective's reward in ``info["rewards"]``."""

    metadata = {"render_modes": ["rgb_array", "ansi"]}

    def _setup(self, world, split, objective, render_mode, level, overrides) -> None:
        if not isinstance(world, (str, World)):
            raise InvalidParameterError(f"world must be a world name or a World, got {describe(world)}")
        self.world = get(world)
        if not isinstance(split, str):
            raise InvalidParameterError(f"split must be a split name (a string), got {describe(split)}")
        self.split = split
        self.split_params = self.world.split_params(split, **overrides)
        self.overrides = overrides
        if objective is not None and not isinstance(objective, str):
            raise InvalidParameterError(
                f"objective must be an objective name or None, got {describe(objective)}"
            )
        self.objective = objective or self.world.base
        if self.objective not in self.world.objectives:
            raise UnknownNameError(f"{self.world.name} objective", self.objective, self.world.objectives)
        modes = self.metadata["render_modes"]
        if render_mode is not None and not (isinstance(render_mode, str) and render_mode in modes):
            raise InvalidParameterError(
                f"render_mode must be None or one of {modes}, got {describe(render_mode)}"
            )
        self.render_mode = render_mode
        self.fixed_level = self._fixed_level(level)
        self._weights, self._terminal, self._step_cost = catalogue_arrays(self.world)
        self._names = list(self.world.objectives)
        self._own = self._names.index(self.objective)
        self.level: Level | None = None

    def _fixed_level(self, level: Level | str | None) -> Level | None:
        """`level` parsed when it is text, checked when it is a `Level`."""
        if level is None or isinstance(level, str):
            return None if level is None else self.world.parse(level)
        if not isinstance(level, Level) or level.world != self.world.name:
            raise InvalidParameterError(
                f"level must be a {self.world.name} Level, its text or None, got {describe(level)}"
            )
        return level

    def _start_episode(self, seed: int | None, options: Mapping | None) -> None:
        """Check `reset`'s arguments, then pick the episode's level and reset
        the state and bookkeeping."""
        if seed is not None and not (is_int(seed) and seed >= 0):
            raise InvalidParameterError(f"seed must be None or a non-negative integer, got {describe(seed)}")
        if options is not None and not isinstance(options, Mapping):
            raise InvalidParameterError(f"options must be None or a dict, got {describe(options)}")
        if options:
            raise InvalidParameterError(
                f"reset takes no options, got {sorted(map(str, options))}; choose the level with `level=` "
                "or the split with `split=` when making the environment"
            )
        super().reset(seed=None if seed is None else int(seed))
        if self.fixed_level is not None:
            self.level = self.fixed_level
        else:
            level_seed = int(self.np_random.integers(2**31 - 1))
            self.level = self.world.sample(level_seed, self.split, **self.overrides)
        self.state = self.world.initial_state(self.level)
        self.steps = 0
        self.ended = np.zeros(len(self._names), dtype=bool)

    def _playing(self) -> Level:
        """The episode's level; raises `gymnasium.error.ResetNeeded` before the first `reset`."""
        if self.level is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        return self.level

    def _score(self, features: np.ndarray) -> tuple[float, dict[str, Any]]:
        """The chosen objective's reward and the info dict of a transition;
        an objective whose episode has ended earns nothing more."""
        rewards = np.where(self.ended, 0.0, self._weights @ features - self._step_cost)
        self.ended |= (self._terminal @ (features != 0)) > 0
        info = {
            "rewards": dict(zip(self._names, rewards.tolist())),
            "features": dict(zip(self.world.features, features.tolist())),
        }
        return float(rewards[self._own]), info


class GridWorldEnv(CatalogueEnv):
    """One mesabase world as a Gymnasium environment.

    Args:
        world: a world name or `World`.
        split: the split that `reset` samples levels from.
        objective: the catalogue objective that gives `reward` (default: the base).
        render_mode: ``"rgb_array"`` or ``"ansi"``.
        level: a fixed `Level` (or level text) to play instead of sampling.
        max_steps: truncate after this many steps, a positive integer
            (default 4 x the largest level's tile count).
        **overrides: generator parameters for `world.sample`, e.g. ``size=21``.

    Observations are the world's ``uint8[C, S, S]`` channels, padded to the
    split's largest level; actions are ``Discrete(len(world.actions))``.
    """

    metadata = {"render_modes": ["rgb_array", "ansi"], "render_fps": 8}

    def __init__(
        self,
        world: str | World = "arrow-maze",
        split: str = "train",
        objective: str | None = None,
        render_mode: str | None = None,
        level: Level | str | None = None,
        max_steps: int | None = None,
        **overrides: Any,
    ):
        max_steps = checked_max_steps(max_steps)
        self._setup(world, split, objective, render_mode, level, overrides)
        shape = self.world.observation_shape(self.split_params)
        if self.fixed_level is not None:
            shape = (shape[0], max(shape[1], self.fixed_level.height), max(shape[2], self.fixed_level.width))
        self.observation_space = gym.spaces.Box(0, 1, shape=shape, dtype=np.uint8)
        self.action_space = gym.spaces.Discrete(len(self.world.actions))
        self.max_steps = max_steps or 4 * shape[1] * shape[2]
        self._features = np.zeros(len(self.world.features))
        self._all = np.ones(len(self.world.features))
        self._next = np.zeros(self.world.state_size, dtype=np.int64)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        self._start_episode(seed, options)
        return self._observe(), {"level_seed": self.level.seed}

    def step(self, action):
        """Take `action`, an integer in ``range(len(world.actions))``; raises
        `InvalidActionError` for anything else, before any kernel runs."""
        action = discrete_action(action, self.world.actions)
        level = self._playing()
        wid = self.world.world_id
        dispatch.step(wid, level.grid, level.params, self.state, action, self._next)
        dispatch.features(
            wid, level.grid, level.params, self.state, action, self._next, self._all, self._features
        )
        reward, info = self._score(self._features)
        self.state = self._next.copy()
        self.steps += 1
        terminated = bool(
            dispatch.terminal(wid, level.grid, level.params, self.state) or self.ended[self._own]
        )
        truncated = not terminated and self.steps >= self.max_steps
        return self._observe(), reward, terminated, truncated, info

    def render(self):
        if self.render_mode == "rgb_array":
            return self.world.render_rgb(self.level, self.state)
        if self.render_mode == "ansi":
            return self.world.render_ansi(self.level, self.state, color=False)
        return None

    def _observe(self) -> np.ndarray:
        return self.world.observation(self.level, self.state, self.observation_space.shape)


def checked_max_steps(max_steps: Any) -> int | None:
    """`max_steps` when it is None or a positive integer; raises otherwise."""
    if max_steps is not None and not (is_int(max_steps) and max_steps >= 1):
        raise InvalidParameterError(
            f"max_steps must be None (the default length) or a positive integer, got {describe(max_steps)}"
        )
    return None if max_steps is None else int(max_steps)


def catalogue_arrays(world: World):
    """Catalogue specs as ``float64[n_objectives, K]`` weights and terminal masks."""
    n, k = len(world.objectives), len(world.features)
    weights, terminal, step_cost = np.zeros((n, k)), np.zeros((n, k)), np.zeros(n)
    for i, spec in enumerate(world.objectives.values()):
        for name, w in spec.get("weights", {}).items():
            weights[i, world.feature_index(name)] = w
        for name in spec.get("terminal", ()):
            terminal[i, world.feature_index(name)] = 1.0
        step_cost[i] = spec.get("step_cost", 0.0)
    return weights, terminal, step_cost


#: the batched env of the worlds that use `GridWorldEnv` (`worlds.vector_env`)
VECTOR_ENTRY_POINT = "worlds.vector_env:GridWorldVectorEnv"


def register_envs() -> None:
    """Register ``world.gym_id`` for every registered world (idempotent), with
    the world's own `gym_entry_point` (imported by `gymnasium.make` on first
    use, so there is no import cycle with `worlds`). Worlds played by
    `GridWorldEnv` also get `VECTOR_ENTRY_POINT`, so ``gymnasium.make_vec``
    steps their copies in one kernel call (its default mode then; pass
    ``vectorization_mode="sync"`` for `gymnasium.vector.SyncVectorEnv`)."""
    for name in names():
        world = get(name)
        if world.gym_id not in gym.registry:
            grid = world.gym_entry_point == "worlds.gym_env:GridWorldEnv"
            gym.register(
                id=world.gym_id,
                entry_point=world.gym_entry_point,
                vector_entry_point=VECTOR_ENTRY_POINT if grid else None,
                kwargs={"world": name},
            )


# importing this module is how `worlds.gym_registration` registers the ids
register_envs()
