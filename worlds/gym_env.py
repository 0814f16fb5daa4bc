"""Gymnasium environments for the discrete worlds.

The reward is the chosen catalogue objective's; ``info["rewards"]`` carries
*every* catalogue objective's reward for the same transition (the hidden
performance function of ai-safety-gridworlds), so one episode scores the base
objective and every proxy at once.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from worlds import dispatch
from worlds.base import Level, World
from worlds.errors import UnknownNameError
from worlds.registry import get, names


class CatalogueEnv(gym.Env):
    """What the mesabase environments share: choosing the level (sampled from
    a split or fixed), the chosen objective's reward, and every catalogue
    objective's reward in ``info["rewards"]``."""

    metadata = {"render_modes": ["rgb_array", "ansi"]}

    def _setup(self, world, split, objective, render_mode, level, overrides) -> None:
        self.world = get(world)
        self.split = split
        self.split_params = self.world.split_params(split, **overrides)
        self.overrides = overrides
        self.objective = objective or self.world.base
        if self.objective not in self.world.objectives:
            raise UnknownNameError(f"{self.world.name} objective", self.objective, self.world.objectives)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']}")
        self.render_mode = render_mode
        self.fixed_level = self.world.parse(level) if isinstance(level, str) else level
        self._weights, self._terminal, self._step_cost = catalogue_arrays(self.world)
        self._names = list(self.world.objectives)
        self._own = self._names.index(self.objective)
        self.level: Level | None = None

    def _start_episode(self, seed: int | None) -> None:
        """Pick the episode's level and reset the state and bookkeeping."""
        super().reset(seed=seed)
        if self.fixed_level is not None:
            self.level = self.fixed_level
        else:
            level_seed = int(self.np_random.integers(2**31 - 1))
            self.level = self.world.sample(level_seed, self.split, **self.overrides)
        self.state = self.world.initial_state(self.level)
        self.steps = 0
        self.ended = np.zeros(len(self._names), dtype=bool)

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
        max_steps: truncate after this many steps (default 4 x the largest
            level's tile count).
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
        self._start_episode(seed)
        return self._observe(), {"level_seed": self.level.seed}

    def step(self, action):
        level = self.level
        wid = self.world.world_id
        dispatch.step(wid, level.grid, level.params, self.state, int(action), self._next)
        dispatch.features(
            wid, level.grid, level.params, self.state, int(action), self._next, self._all, self._features
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


def register_envs() -> None:
    """Register ``world.gym_id`` for every registered world (idempotent), with
    the world's own `gym_entry_point` (imported by `gymnasium.make` on first
    use, so there is no import cycle with `worlds`)."""
    for name in names():
        world = get(name)
        if world.gym_id not in gym.registry:
            gym.register(id=world.gym_id, entry_point=world.gym_entry_point, kwargs={"world": name})
