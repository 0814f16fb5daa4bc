"""Objectives are data: a linear function of a world's per-transition features.

    r_t = w . phi(s_t, a_t, s_{t+1}) - step_cost

The episode ends *for this objective* when any of its terminal features is
non-zero, and returns are discounted by `discount`. An objective built from
weights alone gets its terminal set from a rule (`objectives.terminal`:
rewarded goals end the episode, or only the base objective's, or none). Because an objective is
just weights, swapping it under a planner never recompiles a kernel, and a
base optimiser, IRL or EPIC can treat it as a vector.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from worlds import MesabaseError, UnknownNameError, World
from worlds import get as get_world
from worlds.errors import InvalidParameterError


class ObjectiveError(MesabaseError, ValueError):
    """An objective that cannot be built or combined as asked."""


@dataclasses.dataclass(frozen=True)
class BoundObjective:
    """An objective resolved against one world's feature order.

    Attributes:
        weights: ``float64[K]``, read-only.
        terminal: ``float64[K]`` 0/1 mask of terminal features, read-only.
        step_cost: subtracted from every step's reward.
        discount: in (0, 1].
        feature_names: the K feature names, in kernel order.
    """

    weights: np.ndarray
    terminal: np.ndarray
    step_cost: float
    discount: float
    feature_names: tuple[str, ...]

    def rewards(self, features: np.ndarray) -> np.ndarray:
        """Per-step rewards ``float64[T]`` of a feature trajectory ``float64[T, K]``,
        zero after the step where a terminal feature first fires."""
        rewards = features @ self.weights - self.step_cost
        ended = self.ended_at(features)
        if ended is not None:
            rewards[ended + 1 :] = 0.0
        return rewards

    def ended_at(self, features: np.ndarray) -> int | None:
        """Index of the first step that fires a terminal feature, or None."""
        fired = np.flatnonzero((features != 0) @ self.terminal > 0)
        return int(fired[0]) if fired.size else None

    def discounted_return(self, features: np.ndarray) -> float:
        """Discounted return of a feature trajectory ``float64[T, K]``."""
        rewards = self.rewards(features)
        return float(rewards @ self.discount ** np.arange(len(rewards)))


def _readonly(values) -> np.ndarray:
    array = np.array(values, dtype=np.float64)
    array.setflags(write=False)
    return array


@dataclasses.dataclass(frozen=True)
class Objective:
    """A named, world-independent objective: feature names -> weights.

    Args:
        weights: feature name -> weight.
        terminal: feature names that end the episode for this objective.
        step_cost: a cost paid every step (>= 0 keeps shortest paths optimal).
        discount: in (0, 1].
        name: a label for tables and plots.

    ``+`` adds weights and step costs and unions terminal sets; ``*`` by a
    number scales weights and step cost. Equality ignores `name`.
    """

    weights: Mapping[str, float] = dataclasses.field(default_factory=dict)
    terminal: frozenset[str] = frozenset()
    step_cost: float = 0.0
    discount: float = 1.0
    name: str | None = dataclasses.field(default=None, compare=False)

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.weights.items())), self.terminal, self.step_cost, self.discount))

    def __post_init__(self) -> None:
        weights = {str(k): float(v) for k, v in dict(self.weights).items()}
        object.__setattr__(self, "weights", MappingProxyType(weights))
        if isinstance(self.terminal, str):
            raise ObjectiveError(
                f"terminal must be a collection of feature names, got the string {self.terminal!r}"
            )
        object.__setattr__(self, "terminal", frozenset(self.terminal))
        if not 0.0 < self.discount <= 1.0:
            raise InvalidParameterError(f"discount must be in (0, 1], got {self.discount}")
        if self.name is None:
            object.__setattr__(self, "name", self._describe())

    def _describe(self) -> str:
        terms = [f"{w:g}*{f}" for f, w in self.weights.items() if w != 0]
        return " + ".join(terms) or "0"

    def __add__(self, other: Objective) -> Objective:
        if not isinstance(other, Objective):
            return NotImplemented
        if self.discount != other.discount:
            raise ObjectiveError(f"cannot add objectives with discounts {self.discount} and {other.discount}")
        weights = dict(self.weights)
        for feature, w in other.weights.items():
            weights[feature] = weights.get(feature, 0.0) + w
        return Objective(
            weights,
            self.terminal | other.terminal,
            self.step_cost + other.step_cost,
            self.discount,
            name=f"({self.name}) + ({other.name})",
        )

    def __mul__(self, scale: float) -> Objective:
        if not isinstance(scale, (int, float, np.floating, np.integer)):
            return NotImplemented
        return Objective(
            {f: w * scale for f, w in self.weights.items()},
            self.terminal,
            self.step_cost * scale,
            self.discount,
            name=f"{scale:g} * ({self.name})",
        )

    __rmul__ = __mul__

    def with_discount(self, discount: float) -> Objective:
        return dataclasses.replace(self, discount=discount)

    def bind(self, world: str | World) -> BoundObjective:
        """Resolve feature names into arrays in `world`'s feature order.

        Raises `worlds.UnknownNameError` naming the bad feature and listing the
        valid ones.
        """
        world = get_world(world)
        weights = np.zeros(len(world.features))
        terminal = np.zeros(len(world.features))
        for feature, w in self.weights.items():
            weights[world.feature_index(feature)] = w
        for feature in self.terminal:
            terminal[world.feature_index(feature)] = 1.0
        return BoundObjective(
            _readonly(weights),
            _readonly(terminal),
            float(self.step_cost),
            float(self.discount),
            tuple(world.features),
        )

    def to_json(self) -> str:
        """Canonical JSON of what shapes behaviour (not the name): equal
        objectives give equal text, so it can key a results store."""
        spec = self.as_dict()
        del spec["name"]
        spec["weights"] = {f: w for f, w in sorted(spec["weights"].items()) if w != 0.0}
        spec["step_cost"] = float(spec["step_cost"])
        return json.dumps(spec, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, name: str | None = None) -> Objective:
        """The objective written by `to_json`."""
        try:
            spec = json.loads(text)
            terminal = frozenset(spec["terminal"])
            return cls(spec["weights"], terminal, spec["step_cost"], spec["discount"], name)
        except (ValueError, KeyError, TypeError) as error:
            raise ObjectiveError(f"not an objective's JSON ({error}): {text[:80]!r}") from None

    def as_dict(self) -> dict[str, Any]:
        """Plain data, e.g. for a results store."""
        return {
            "name": self.name,
            "weights": dict(self.weights),
            "terminal": sorted(self.terminal),
            "step_cost": self.step_cost,
            "discount": self.discount,
        }


def reach(target: str, discount: float = 0.99) -> Objective:
    """Reach `target`: +1 when ``reached_<target>`` fires, which ends the episode."""
    feature = f"reached_{target}"
    return Objective({feature: 1.0}, {feature}, discount=discount, name=target)


def collect(feature: str, weight: float = 1.0, discount: float = 0.99) -> Objective:
    """Reward every firing of `feature`, with no terminal condition."""
    return Objective({feature: weight}, discount=discount, name=feature)


def catalogue(world: str | World) -> dict[str, Objective]:
    """The world's objective catalogue as `Objective`s, base first."""
    world = get_world(world)
    out = {}
    for name in [world.base, *(n for n in world.objectives if n != world.base)]:
        spec = {k: v for k, v in world.objectives[name].items() if k != "description"}
        out[name] = Objective(name=name, **spec)
    return out


def get(world: str | World, name: str) -> Objective:
    """The catalogue objective `name` of `world`."""
    world = get_world(world)
    objectives = catalogue(world)
    if name not in objectives:
        raise UnknownNameError(f"{world.name} objective", name, objectives)
    return objectives[name]


def as_objective(world: str | World, objective: Objective | str) -> Objective:
    """Accept an `Objective` or a catalogue name."""
    if isinstance(objective, Objective):
        return objective
    if isinstance(objective, str):
        return get(world, objective)
    raise ObjectiveError(f"expected an Objective or a catalogue name, got {objective!r}")
