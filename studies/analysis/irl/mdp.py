"""The tabular model IRL fits in: a deterministic MDP with linear transition
features (`TabularMDP`), built from the oracle's enumeration of a level
(`mdp_of`), demonstrations as its state and action indices (`Trajectory`),
and the argument checks the other IRL modules share."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

import objectives
from planners.oracle import ValueIteration, default_oracle
from worlds import InvalidParameterError, Level, UnknownNameError, World
from worlds import get as get_world


class Trajectory(NamedTuple):
    """One demonstration as state and action indices of a `TabularMDP`.

    Attributes:
        states: ``int64[T+1]`` (or ``int64[T]``) visited state indices;
            ``states[0]`` must be the MDP's start.
        actions: ``int64[T]`` action indices.
    """

    states: np.ndarray
    actions: np.ndarray


@dataclasses.dataclass(frozen=True)
class TabularMDP:
    """A deterministic tabular MDP with linear transition features.

    Attributes:
        next_index: ``int64[N, A]`` successor of each state and action.
        features: ``float64[N, A, K]`` transition features.
        absorbing: ``bool[N]``; absorbing states are made to loop to
            themselves under every action with zero features, whatever the
            arrays said.
        start: the start state's index.
        feature_names: the K feature names (default ``f0, f1, ...``).
        goal_features: names of the features whose firing ends an episode
            (their transitions lead to an absorbing state); used to decide
            which fitted features are terminal.
    """

    next_index: np.ndarray
    features: np.ndarray
    absorbing: np.ndarray
    start: int = 0
    feature_names: tuple[str, ...] = ()
    goal_features: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        next_index = np.array(self.next_index, dtype=np.int64)
        features = np.array(self.features, dtype=np.float64)
        absorbing = np.array(self.absorbing, dtype=np.bool_)
        if next_index.ndim != 2 or next_index.shape[0] < 1 or next_index.shape[1] < 1:
            raise InvalidParameterError(
                f"next_index must be int64[N, A] with N, A >= 1, got {next_index.shape}"
            )
        n_states, n_actions = next_index.shape
        if features.ndim != 3 or features.shape[:2] != (n_states, n_actions):
            raise InvalidParameterError(
                f"features must be float64[N, A, K] = [{n_states}, {n_actions}, K], got {features.shape}"
            )
        if absorbing.shape != (n_states,):
            raise InvalidParameterError(f"absorbing must be bool[{n_states}], got {absorbing.shape}")
        next_index[absorbing] = np.flatnonzero(absorbing)[:, None]
        features[absorbing] = 0.0
        if next_index.min() < 0 or next_index.max() >= n_states:
            raise InvalidParameterError(f"next_index must hold state indices in [0, {n_states})")
        if not 0 <= int(self.start) < n_states:
            raise InvalidParameterError(f"start must be a state index in [0, {n_states}), got {self.start}")
        names = tuple(self.feature_names) or tuple(f"f{i}" for i in range(features.shape[2]))
        if len(names) != features.shape[2]:
            raise InvalidParameterError(f"{len(names)} feature names for {features.shape[2]} features")
        for array in (next_index, features, absorbing):
            array.setflags(write=False)
        object.__setattr__(self, "next_index", next_index)
        object.__setattr__(self, "features", features)
        object.__setattr__(self, "absorbing", absorbing)
        object.__setattr__(self, "start", int(self.start))
        object.__setattr__(self, "feature_names", names)
        object.__setattr__(self, "goal_features", tuple(self.goal_features))

    @property
    def n_states(self) -> int:
        return self.next_index.shape[0]

    @property
    def n_actions(self) -> int:
        return self.next_index.shape[1]

    @property
    def n_features(self) -> int:
        return self.features.shape[2]

    def reward(self, weights) -> np.ndarray:
        """``float64[N, A]`` reward ``features @ weights`` of weights ``float[K]``."""
        weights = np.asarray(weights, dtype=np.float64)
        if weights.shape != (self.n_features,):
            raise InvalidParameterError(
                f"weights must be float[{self.n_features}], got shape {weights.shape}"
            )
        return np.ascontiguousarray(self.features @ weights)


def discrete_world(world: World | str) -> World:
    """`world` (or its name), refused when continuous: tabular IRL enumerates states."""
    world = get_world(world)
    if world.continuous:
        raise InvalidParameterError(
            f"{world.name} is continuous: tabular IRL needs a discrete world, "
            "with levels the oracle can enumerate"
        )
    return world


def check_feature_names(world: World, names, what: str) -> tuple[str, ...]:
    """`names` (one or several) as distinct features of `world`; errors name `what`."""
    if isinstance(names, str):
        names = (names,)
    names = tuple(names)
    for name in names:
        try:
            world.feature_index(name)
        except UnknownNameError as error:
            raise InvalidParameterError(f"{what}: {error}") from None
    if len(set(names)) != len(names):
        raise InvalidParameterError(f"{what} lists a feature twice: {list(names)}")
    return names


def default_features(world: World | str) -> tuple[str, ...]:
    """The features a fit uses by default: those some catalogue objective
    weights, in the world's feature order."""
    world = get_world(world)
    used = {f for o in objectives.catalogue(world).values() for f, w in o.weights.items() if w != 0}
    return tuple(f for f in world.features if f in used)


def goal_features(world: World | str) -> tuple[str, ...]:
    """The world's goal features: terminal features of any catalogue objective."""
    world = get_world(world)
    goals = {f for o in objectives.catalogue(world).values() for f in o.terminal}
    return tuple(f for f in world.features if f in goals)


def feature_names_of(world: World, features) -> tuple[str, ...]:
    """The features a fit weighs: `features`, or `default_features` when None."""
    if features is None:
        return default_features(world)
    names = check_feature_names(world, features, "features")
    if not names:
        raise InvalidParameterError("features must name at least one feature")
    return names


def mdp_of(
    world: World | str,
    level: Level,
    features: Sequence[str] | None = None,
    *,
    goals: Sequence[str] | None = None,
    oracle: ValueIteration | None = None,
) -> TabularMDP:
    """The tabular MDP of `level`, from the oracle's state enumeration.

    State i < N is the oracle's state i (0 is the start); state N is the extra
    absorbing state that transitions firing a goal feature lead to.
    World-terminal states absorb too.

    Args:
        features: the K features to keep (default `default_features`).
        goals: the features whose firing ends an episode (default
            `goal_features`: every catalogue objective's terminal features).
        oracle: the `planners.ValueIteration` that enumerates (default: the
            shared one, whose cache `planners.rollout` also fills).

    Raises `planners.StateSpaceTooLargeError` for levels too large for the oracle.
    """
    world = discrete_world(world)
    names = feature_names_of(world, features)
    goal_names = goal_features(world) if goals is None else check_feature_names(world, goals, "goals")
    model = (oracle or default_oracle()).model(world, level)
    n_states, n_actions = model.next_index.shape
    columns = [world.feature_index(f) for f in names]
    next_index = np.empty((n_states + 1, n_actions), dtype=np.int64)
    next_index[:n_states] = model.next_index
    next_index[n_states] = n_states
    features_out = np.zeros((n_states + 1, n_actions, len(names)))
    features_out[:n_states] = model.features[:, :, columns]
    absorbing = np.zeros(n_states + 1, dtype=np.bool_)
    absorbing[:n_states] = model.world_terminal
    absorbing[n_states] = True
    if goal_names:
        goal_columns = [world.feature_index(f) for f in goal_names]
        fired = (model.features[:, :, goal_columns] != 0).any(axis=2)
        fired &= ~model.world_terminal[model.next_index]  # already absorbing there
        next_index[:n_states][fired] = n_states
    return TabularMDP(next_index, features_out, absorbing, 0, names, goal_names)


# ---- checks shared by the IRL modules ---------------------------------------------


def positive(value, name: str, integer: bool = False):
    """`value` as a positive float (or int), else one clear error naming `name`."""
    kind = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kind) or not value > 0 or not np.isfinite(value):
        noun = "a positive integer" if integer else "a positive number"
        raise InvalidParameterError(f"{name} must be {noun}, got {value!r}")
    return int(value) if integer else float(value)


def check_discount(discount) -> float:
    """`discount` as a float in (0, 1]."""
    discount = positive(discount, "discount")
    if discount > 1.0:
        raise InvalidParameterError(f"discount must be in (0, 1], got {discount}")
    return discount


def check_reward(mdp: TabularMDP, reward) -> np.ndarray:
    """`reward` as a contiguous ``float64[N, A]`` of `mdp`'s shape."""
    reward = np.ascontiguousarray(reward, dtype=np.float64)
    if reward.shape != mdp.next_index.shape:
        raise InvalidParameterError(f"reward must be float64{list(mdp.next_index.shape)}, got {reward.shape}")
    return reward
