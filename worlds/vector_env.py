"""Many levels of a grid world stepped in one numba call: a `gymnasium.vector.VectorEnv`.

`GridWorldVectorEnv` plays ``num_envs`` copies of `worlds.gym_env.GridWorldEnv`
side by side. Each ``step(actions)`` is one call of `step_rows`, a compiled
kernel that runs the world's own `worlds.dispatch` kernels (``step``,
``features``, ``terminal``) on every row and updates the rows' observations in
place, so N levels cost one Python call instead of N. It is the same
environment, row for row, as ``gymnasium.vector.SyncVectorEnv`` over
`GridWorldEnv` with the same seeds and actions: the same observations,
rewards, terminations, truncations and infos (``tests/worlds/test_vector_env.py``
checks this step by step).

    >>> import gymnasium, worlds
    >>> envs = gymnasium.make_vec("mesabase/ArrowMaze-v0", num_envs=16)  # or worlds.make_vector_env
    >>> obs, infos = envs.reset(seed=0)  # obs: uint8[16, 4, S, S]
    >>> obs, rewards, terminated, truncated, infos = envs.step(envs.action_space.sample())

Semantics, those of Gymnasium's own vector environments:

- **Autoreset: `gymnasium.vector.AutoresetMode.NEXT_STEP`** (Gymnasium's
  default). A row that terminated or truncated on one step is reset on the
  *next* ``step`` call: its action is ignored, the observation returned is the
  new episode's first one, with reward 0 and neither flag set, and the info
  carries its ``level_seed``. The other modes are not offered.
- **Seeds**: ``reset(seed=s)`` seeds row i with ``s + i``; a list gives each
  row its own seed (None: fresh entropy). Row i then samples its levels
  exactly as a `GridWorldEnv` reset with that seed would, including the levels
  of later autoresets.
- **Options**: only ``{"reset_mask": bool[num_envs]}``, which resets the
  masked rows and leaves the others as they are (as ``SyncVectorEnv`` does).
- **Infos** are batched the way ``SyncVectorEnv`` batches them: every key has
  an array over rows and a ``"_key"`` mask of the rows that set it
  (``infos["rewards"]["exit"]``: float64[N], ``infos["rewards"]["_exit"]``: bool[N]).

Shapes: observations ``uint8[N, C, S, S]`` (the single env's
``uint8[C, S, S]``, padded to the split's largest level); actions
``int64[N]``, each in ``range(len(world.actions))``; rewards ``float64[N]``;
terminations and truncations ``bool[N]``.

Stepping runs serially in one thread. The kernel takes about half a
microsecond a row (measured on the shared two-core machine, under load), so
for N up to a few hundred a call is dominated by the Python around it (about
15-50 us), and threads (``numba.prange``, which `worlds.jit.kernel` does not
offer) could only help at thousands of rows. Sampling a new level on reset is
the world's Python generator, as in the single env.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode
from gymnasium.vector.utils import batch_space

from worlds.base import Level, World
from worlds.dispatch import features, step, terminal
from worlds.errors import InvalidParameterError
from worlds.gym_env import GridWorldEnv, catalogue_arrays
from worlds.jit import kernel
from worlds.params import InvalidActionError, describe, is_int
from worlds.registry import get

__all__ = ["GridWorldVectorEnv", "make_vector_env", "step_rows"]


@kernel(allocates=True)
def step_rows(
    world_id, grids, dims, params, states, actions, n_actions, autoreset, weights, terminal_mask,
    step_cost, own, max_steps, agent_channel, items, ended, steps, obs, values, masks, reward,
    terminated, truncated,
):  # fmt: skip
    """Step every row i that is not waiting for its autoreset, as
    `GridWorldEnv.step` would; returns -1, or the first row whose action is
    outside ``range(n_actions)`` (and then changes nothing).

    grids int32[N, C, H, W] (row i's level in ``[:, :dims[i, 0], :dims[i, 1]]``),
    dims int64[N, 2], params int64[N, P], states int64[N, S] (updated),
    actions int64[N]; autoreset bool[N]: rows to skip, rewritten with the
    rows that end on this step; weights/terminal_mask float64[O, K],
    step_cost float64[O], `own` the index of the env's objective; ended
    bool[N, O] and steps int64[N], the episode bookkeeping (updated).
    obs uint8[N, C', H', W'] is updated in place when ``agent_channel >= 0``
    (items int64[L, 3] as in `worlds.base.World.observation_layout`). Writes the infos'
    columns, values float64[O + K, N] (every objective's reward, then every
    feature) and masks bool[O + K + 2, N] (the stepped rows), and reward
    float64[N] (the env's objective's), terminated and truncated bool[N];
    skipped rows get zeros and False.
    """
    n_rows = states.shape[0]
    for i in range(n_rows):
        if actions[i] < 0 or actions[i] >= n_actions:
            return i
    n_objectives, n_features = weights.shape
    every = np.ones(n_features)
    feats = np.zeros(n_features)
    following = np.empty(states.shape[1], dtype=np.int64)
    for i in range(n_rows):
        active = not autoreset[i]
        for j in range(masks.shape[0]):
            masks[j, i] = active
        reward[i] = 0.0
        terminated[i] = truncated[i] = autoreset[i] = False
        if not active:
            for j in range(values.shape[0]):
                values[j, i] = 0.0
            continue
        height, width = dims[i, 0], dims[i, 1]
        grid = grids[i, :, :height, :width]
        state, action = states[i], actions[i]
        step(world_id, grid, params[i], state, action, following)
        features(world_id, grid, params[i], state, action, following, every, feats)
        for o in range(n_objectives):
            total, fired = 0.0, 0.0
            for f in range(n_features):
                total += weights[o, f] * feats[f]
                fired += terminal_mask[o, f] * (feats[f] != 0.0)
            values[o, i] = 0.0 if ended[i, o] else total - step_cost[o]
            if fired > 0.0:
                ended[i, o] = True
        for f in range(n_features):
            values[n_objectives + f, i] = feats[f]
        reward[i] = values[own, i]
        if agent_channel >= 0:
            obs[i, agent_channel, state[0], state[1]] = 0
            obs[i, agent_channel, following[0], following[1]] = 1
            for e in range(items.shape[0]):
                channel, word, index_channel = items[e, 0], items[e, 1], items[e, 2]
                changed = state[word] ^ following[word]
                if changed == 0:
                    continue
                for r in range(height):
                    for c in range(width):
                        index = grid[index_channel, r, c]
                        if index >= 0 and (changed >> index) & 1:
                            obs[i, channel, r, c] = (following[word] >> index) & 1
        for s in range(following.shape[0]):
            state[s] = following[s]
        steps[i] += 1
        terminated[i] = terminal(world_id, grid, params[i], state) or ended[i, own]
        truncated[i] = not terminated[i] and steps[i] >= max_steps
        autoreset[i] = terminated[i] or truncated[i]
    return -1


class GridWorldVectorEnv(gym.vector.VectorEnv):
    """``num_envs`` levels of one grid world, stepped together (see the module docstring).

    Args:
        num_envs: the number of rows N, a positive integer.
        world, split, objective, render_mode, level, max_steps, **overrides:
            as for `worlds.gym_env.GridWorldEnv`, and checked by it.
        copy: return copies of the observation buffer (True, as
            ``SyncVectorEnv`` does) or the buffer itself, which the next step
            overwrites.
    """

    metadata = {"render_modes": ["rgb_array", "ansi"], "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(
        self,
        num_envs: int = 1,
        world: str | World = "arrow-maze",
        split: str = "train",
        objective: str | None = None,
        render_mode: str | None = None,
        level: Level | str | None = None,
        max_steps: int | None = None,
        copy: bool = True,
        **overrides: Any,
    ):
        if not (is_int(num_envs) and num_envs >= 1):
            raise InvalidParameterError(f"num_envs must be a positive integer, got {describe(num_envs)}")
        if not isinstance(copy, bool):
            raise InvalidParameterError(f"copy must be True or False, got {describe(copy)}")
        if isinstance(world, (str, World)) and get(world).continuous:
            raise InvalidParameterError(f"{get(world).name} is not a grid world: it has no vector env")
        # one single env checks every other argument and holds what the rows share
        self._template = GridWorldEnv(world, split, objective, render_mode, level, max_steps, **overrides)
        self.world = self._template.world
        self.num_envs = int(num_envs)
        self.copy = copy
        self.render_mode = render_mode
        self.metadata = dict(self.metadata, render_fps=GridWorldEnv.metadata["render_fps"])
        self.single_observation_space = self._template.observation_space
        self.single_action_space = self._template.action_space
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.max_steps = self._template.max_steps
        self._names = list(self.world.objectives)
        self._feature_names = list(self.world.features)
        self._reward_keys = [(name, f"_{name}") for name in self._names]
        self._feature_keys = [(name, f"_{name}") for name in self._feature_names]
        self._own = self._names.index(self._template.objective)
        self._weights, self._terminal, self._step_cost = catalogue_arrays(self.world)
        agent, items = self.world.observation_layout or (-1, ())
        self._agent_channel = agent
        self._items = np.array(items, dtype=np.int64).reshape(-1, 3)
        self._allocate()

    def _allocate(self) -> None:
        n, shape = self.num_envs, self.single_observation_space.shape
        template = self._template  # a level to read the array sizes from
        probe = template.fixed_level or self.world.sample(0, template.split, **template.overrides)
        self._grids = np.zeros((n, probe.grid.shape[0], shape[1], shape[2]), dtype=np.int32)
        self._dims = np.zeros((n, 2), dtype=np.int64)
        self._params = np.zeros((n, probe.params.shape[0]), dtype=np.int64)
        self._states = np.zeros((n, self.world.state_size), dtype=np.int64)
        self._steps = np.zeros(n, dtype=np.int64)
        self._ended = np.zeros((n, len(self._names)), dtype=bool)
        self._obs = np.zeros((n, *shape), dtype=np.uint8)
        self._autoreset = np.zeros(n, dtype=bool)
        self._rngs: list[np.random.Generator | None] = [None] * n
        self.levels: list[Level | None] = [None] * n
        self._seeds: list[int | None] = [None] * n

    # ---- the Gymnasium vector API -----------------------------------------
    def reset(self, *, seed: int | Sequence[int | None] | None = None, options: Mapping | None = None):
        """Reset every row (or the rows of ``options["reset_mask"]``);
        returns (obs ``uint8[N, C, S, S]``, infos with ``level_seed``)."""
        seeds = self._row_seeds(seed)
        mask = self._reset_mask(options)
        rows = np.flatnonzero(mask)
        for i in rows:
            self._reset_row(int(i), seeds[i])
        self._autoreset[rows] = False
        return self._observations(), self._seed_infos({}, mask)

    def step(self, actions):
        """Step every row with ``actions`` (int64[N]); rows that ended on the
        previous step are reset instead (NEXT_STEP autoreset)."""
        actions = self._checked_actions(actions)
        if self.levels[0] is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        n, n_values = self.num_envs, len(self._names) + len(self._feature_names)
        resetting = self._autoreset.copy() if self._autoreset.any() else None
        # fresh arrays every step: the caller may keep what a step returned
        values, masks = np.empty((n_values, n)), np.empty((n_values + 2, n), dtype=bool)
        reward, terminated, truncated = np.empty(n), np.empty(n, dtype=bool), np.empty(n, dtype=bool)
        bad = step_rows(
            self.world.world_id, self._grids, self._dims, self._params, self._states, actions,
            len(self.world.actions), self._autoreset, self._weights, self._terminal, self._step_cost,
            self._own, self.max_steps, self._agent_channel, self._items, self._ended, self._steps,
            self._obs, values, masks, reward, terminated, truncated,
        )  # fmt: skip
        if bad >= 0:
            raise InvalidActionError(
                f"action {int(actions[bad])} of row {bad} is not in range({len(self.world.actions)}) "
                f"({', '.join(f'{i} {a}' for i, a in enumerate(self.world.actions))})"
            )
        if self._agent_channel < 0:
            for i in np.flatnonzero(masks[0]):
                self._obs[i] = self.world.observation(self.levels[i], self._states[i], self._obs.shape[1:])
        infos: dict[str, Any] = {}
        if resetting is None or not resetting.all():
            objectives = len(self._names)
            infos["rewards"] = self._columns(self._reward_keys, values[:objectives], masks[:objectives])
            infos["_rewards"] = masks[-2]
            infos["features"] = self._columns(self._feature_keys, values[objectives:], masks[objectives:-2])
            infos["_features"] = masks[-1]
        if resetting is not None:
            for i in np.flatnonzero(resetting):
                self._reset_row(int(i), None)
            self._seed_infos(infos, resetting)
        return self._observations(), reward, terminated, truncated, infos

    def render(self) -> tuple | None:
        """Each row's picture (``render_mode`` ``"rgb_array"`` or ``"ansi"``), or None."""
        rows = zip(self.levels, self._states)
        if self.render_mode == "rgb_array":
            return tuple(self.world.render_rgb(level, state) for level, state in rows)
        if self.render_mode == "ansi":
            return tuple(self.world.render_ansi(level, state, color=False) for level, state in rows)
        return None

    @property
    def states(self) -> np.ndarray:
        """The rows' states, ``int64[N, world.state_size]`` (a read-only view)."""
        view = self._states.view()
        view.setflags(write=False)
        return view

    # ---- rows ----------------------------------------------------------------
    def _reset_row(self, i: int, seed: int | None) -> None:
        """Row i's new episode, as `GridWorldEnv.reset(seed=seed)` picks it."""
        if seed is not None or self._rngs[i] is None:
            self._rngs[i], _ = seeding.np_random(seed)
        level = self._template.fixed_level
        if level is None:
            level_seed = int(self._rngs[i].integers(2**31 - 1))
            level = self.world.sample(level_seed, self._template.split, **self._template.overrides)
        self._load(i, level)
        self._states[i] = self.world.initial_state(level)
        self._steps[i] = 0
        self._ended[i] = False
        self._obs[i] = self.world.observation(level, self._states[i], self._obs.shape[1:])

    def _load(self, i: int, level: Level) -> None:
        channels, height, width = level.grid.shape
        _, have_channels, have_height, have_width = self._grids.shape
        if height > have_height or width > have_width or channels != have_channels:
            # a level larger than the observation (not one the built-in worlds make)
            shape = (self.num_envs, channels, max(height, have_height), max(width, have_width))
            grown = np.zeros(shape, dtype=np.int32)
            grown[:, :have_channels, :have_height, :have_width] = self._grids[:, :channels]
            self._grids = grown
        self._grids[i, :, :height, :width] = level.grid
        self._dims[i] = height, width
        self._params[i] = level.params
        self.levels[i] = level
        self._seeds[i] = level.seed

    # ---- checks and batching ---------------------------------------------------
    def _row_seeds(self, seed) -> list[int | None]:
        if seed is None:
            return [None] * self.num_envs
        if is_int(seed) and seed >= 0:
            return [int(seed) + i for i in range(self.num_envs)]
        listed = isinstance(seed, (list, tuple)) and len(seed) == self.num_envs
        if listed and all(s is None or (is_int(s) and s >= 0) for s in seed):
            return [None if s is None else int(s) for s in seed]
        raise InvalidParameterError(
            f"seed must be None, a non-negative integer or a list of {self.num_envs} such seeds "
            f"(or None), got {describe(seed)}"
        )

    def _reset_mask(self, options) -> np.ndarray:
        if options is not None and not isinstance(options, Mapping):
            raise InvalidParameterError(f"options must be None or a dict, got {describe(options)}")
        options = dict(options or {})
        mask = options.pop("reset_mask", None)
        if options:
            raise InvalidParameterError(
                f"reset takes only the option reset_mask, got {sorted(map(str, options))}; choose the level "
                "with `level=` or the split with `split=` when making the environment"
            )
        if mask is None:
            return np.ones(self.num_envs, dtype=bool)
        if not (isinstance(mask, np.ndarray) and mask.dtype == np.bool_ and mask.shape == (self.num_envs,)):
            raise InvalidParameterError(
                f"reset_mask must be a bool[{self.num_envs}] array, got {describe(mask)}"
            )
        if not mask.any():
            raise InvalidParameterError("reset_mask must select at least one row")
        if self.levels[0] is None and not mask.all():
            raise gym.error.ResetNeeded("the first reset() must reset every row")
        return mask

    def _checked_actions(self, actions) -> np.ndarray:
        """`actions` as int64[N] when they are N integers; `step_rows` checks their range."""
        values = np.asarray(actions)
        if values.shape != (self.num_envs,) or values.dtype.kind not in "iu":
            raise InvalidActionError(
                f"actions must be {self.num_envs} integers in range({len(self.world.actions)}), "
                f"got {describe(actions)}"
            )
        return values.astype(np.int64, copy=False)

    def _observations(self) -> np.ndarray:
        return self._obs.copy() if self.copy else self._obs

    @staticmethod
    def _columns(keys: list[tuple[str, str]], values: np.ndarray, masks: np.ndarray) -> dict[str, np.ndarray]:
        """``{name: values[j], "_name": masks[j]}`` for each ``(name, "_name")`` in `keys`."""
        out: dict[str, np.ndarray] = {}
        for (name, mask_name), column, mask in zip(keys, values, masks):
            out[name], out[mask_name] = column, mask
        return out

    def _seed_infos(self, infos: dict[str, Any], mask: np.ndarray) -> dict[str, Any]:
        """Add the ``level_seed`` of the rows in `mask`, typed as ``SyncVectorEnv`` would."""
        seeds = [self._seeds[i] for i in np.flatnonzero(mask)]
        if all(type(s) is int for s in seeds):
            column = np.zeros(self.num_envs, dtype=int)
        else:
            column = np.full(self.num_envs, None, dtype=object)
        column[mask] = seeds
        infos["level_seed"], infos["_level_seed"] = column, mask.copy()
        return infos


def make_vector_env(world: str | World = "arrow-maze", num_envs: int = 1, **kwargs: Any):
    """`GridWorldVectorEnv` of `world` with `num_envs` rows; `kwargs` (split,
    objective, level, max_steps, generator overrides...) as for `GridWorldEnv`."""
    return GridWorldVectorEnv(num_envs=num_envs, world=world, **kwargs)
