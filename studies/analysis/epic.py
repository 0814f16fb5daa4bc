"""EPIC distance and regret: how far apart two objectives are on a level.

Two objectives can agree in effect without being equal: a reward shaped by a
potential, ``R(s, a, s') + gamma * Phi(s') - Phi(s)``, or scaled by a positive
number, has the same optimal policies as ``R``. EPIC (Gleave et al. 2021,
"Quantifying differences in reward functions") compares rewards up to exactly
those changes:

1. **Canonicalise** each reward, removing any potential shaping:
   ``C(R)(s, a, s') = R(s, a, s') + E[gamma R(s', A, S') - R(s, A, S') - gamma R(S, A, S')]``
   with ``S, S' ~ D_S`` and ``A ~ D_A`` independent. Here it is exact and in
   closed form: with ``g(x) = E[R(x, A, S')]`` and ``G = E[g(S)]``,
   ``C(R)(s, a, s') = R(s, a, s') + gamma g(s') - g(s) - gamma G``, which is
   again a tabular reward (`canonicalise`).
2. Take the **Pearson distance** ``sqrt((1 - rho) / 2)`` between the two
   canonical rewards over a *coverage* distribution of transitions; it removes
   positive scale. The default coverage is the level's own transitions:
   ``s ~ D_S``, ``a ~ D_A``, ``s' = next_index[s, a]``.

The result is a pseudometric in [0, 1]: 0 for objectives that agree up to
shaping and positive scale, 1 for opposite ones (``R`` and ``-R``). Defaults:
``D_S`` uniform over the level's enumerated (reachable) states, ``D_A``
uniform over actions.

**A constant canonical reward** (the zero objective, or any reward that is a
pure potential shaping under the coverage) has no correlation with anything.
The distance is computed as ``|z_a - z_b| / 2`` with ``z`` the reward
standardised to zero mean and unit variance under the coverage, which equals
``sqrt((1 - rho) / 2)`` whenever rho is defined; a constant standardises to the
zero vector. So two constants are at distance 0 and a constant is at 0.5 from
every other reward: the midpoint between ``R`` and ``-R``, as indifference
should be. The triangle inequality keeps holding, because the distance stays
a Euclidean one. A reward counts as constant when its spread under the
coverage is below 1e-10 of its magnitude (below that, it is rounding).

**What EPIC does not see.** EPIC compares reward functions, not episodes.
An objective's terminal features end *its* episode, which is no part of its
reward on a transition, so two objectives differing only in their terminal
sets are at distance 0. Transitions out of a world-terminal state are worth 0
to every objective (their episodes are over); so a step cost is not the
constant shift that canonicalisation removes, since it stops where the world
ends (it favours short episodes). `regret` sees everything, because it plays
the episodes.

**Regret** is the behavioural counterpart: the base return lost by optimally
pursuing one objective instead of the base, ``J_base(pi*_base) -
J_base(pi*_pursued)`` from the level's start, both played by
`planners.ValueIteration` under `planners.rollout` with the same step limit and
scored by the base's discounted return.

    >>> import worlds
    >>> from studies.analysis.epic import epic_distance, regret
    >>> maze = worlds.get("arrow-maze")
    >>> level = maze.sample(0, split="test")
    >>> epic_distance(maze, level, "exit", "arrow")  # doctest: +SKIP
    0.708...
    >>> regret(maze, level, "arrow")                  # the base return lost  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses

import numpy as np

import objectives
import planners
from worlds import InvalidParameterError, Level, World
from worlds import get as get_world

CONSTANT_RTOL = 1e-10
"""A reward whose standard deviation under the coverage is below this fraction
of its magnitude counts as constant (see the module docstring)."""


@dataclasses.dataclass(frozen=True)
class TabularReward:
    """A reward on a level's transitions ``R(s, a, s') = r[s, a] + gamma Phi[s'] - Phi[s]``.

    The shaping term takes its discount ``gamma`` from whoever evaluates the
    reward (`evaluate`, `canonicalise`, `epic`), so a reward and its shaped
    version are compared under one discount.

    Attributes:
        r: ``float64[N, A]``, the reward of taking action ``a`` in state ``s``.
        potential: ``float64[N]`` shaping potential, or None for none.
    """

    r: np.ndarray
    potential: np.ndarray | None = None

    def __post_init__(self) -> None:
        r = np.array(self.r, dtype=np.float64)
        if r.ndim != 2 or r.size == 0:
            raise InvalidParameterError(
                f"TabularReward r must be a non-empty float[N, A] array, got shape {r.shape}"
            )
        if not np.isfinite(r).all():
            raise InvalidParameterError("TabularReward r must be finite")
        r.setflags(write=False)
        object.__setattr__(self, "r", r)
        if self.potential is not None:
            potential = np.array(self.potential, dtype=np.float64)
            if potential.shape != (r.shape[0],):
                raise InvalidParameterError(
                    f"TabularReward potential must have shape ({r.shape[0]},) to match r {r.shape}, "
                    f"got {potential.shape}"
                )
            if not np.isfinite(potential).all():
                raise InvalidParameterError("TabularReward potential must be finite")
            potential.setflags(write=False)
            object.__setattr__(self, "potential", potential)

    @property
    def shape(self) -> tuple[int, int]:
        """``(N, A)``."""
        return self.r.shape

    @property
    def phi(self) -> np.ndarray:
        """The potential ``float64[N]`` (zeros when there is none)."""
        return np.zeros(self.r.shape[0]) if self.potential is None else self.potential

    def evaluate(self, discount: float, states, actions, next_states) -> np.ndarray:
        """``R(s, a, s')`` on arrays of triples (broadcast together): ``float64[...]``."""
        return self.r[states, actions] + discount * self.phi[next_states] - self.phi[states]

    def shaped(self, potential) -> TabularReward:
        """This reward with ``gamma Phi(s') - Phi(s)`` added (potentials add)."""
        potential = np.asarray(potential, dtype=np.float64)
        if potential.shape != (self.r.shape[0],):
            raise InvalidParameterError(
                f"potential must have shape ({self.r.shape[0]},) to match r {self.r.shape}, "
                f"got {potential.shape}"
            )
        return TabularReward(self.r, self.phi + potential)

    def __mul__(self, scale: float) -> TabularReward:
        if not isinstance(scale, (int, float, np.floating, np.integer)):
            return NotImplemented
        return TabularReward(self.r * scale, None if self.potential is None else self.potential * scale)

    __rmul__ = __mul__

    def __add__(self, other: TabularReward) -> TabularReward:
        if not isinstance(other, TabularReward):
            return NotImplemented
        _same_shape(self, other)
        if self.potential is None and other.potential is None:
            return TabularReward(self.r + other.r)
        return TabularReward(self.r + other.r, self.phi + other.phi)

    def magnitude(self) -> float:
        """The largest absolute entry of ``r`` and ``Phi``: the scale of its rounding errors."""
        return float(max(np.abs(self.r).max(), np.abs(self.phi).max()))


def _same_shape(a: TabularReward, b: TabularReward) -> None:
    if a.shape != b.shape:
        raise InvalidParameterError(f"rewards on different transition spaces: shapes {a.shape} and {b.shape}")


def _check_discount(discount) -> float:
    if not isinstance(discount, (int, float, np.floating, np.integer)) or not 0.0 < discount <= 1.0:
        raise InvalidParameterError(f"discount must be a number in (0, 1], got {discount!r}")
    return float(discount)


def _distribution(dist, size: int, what: str) -> np.ndarray:
    """A probability vector ``float64[size]``: uniform for None, else normalised."""
    if dist is None:
        return np.full(size, 1.0 / size)
    dist = np.asarray(dist, dtype=np.float64)
    if dist.shape != (size,):
        raise InvalidParameterError(f"{what} must have shape ({size},), got {dist.shape}")
    if not np.isfinite(dist).all() or (dist < 0).any() or dist.sum() <= 0:
        raise InvalidParameterError(f"{what} must be finite, non-negative and not all zero")
    return dist / dist.sum()


def _check_next_index(next_index, shape: tuple[int, int]) -> np.ndarray:
    next_index = np.asarray(next_index)
    if next_index.shape != shape:
        raise InvalidParameterError(
            f"next_index must have the rewards' shape {shape}, got {next_index.shape}"
        )
    if not np.issubdtype(next_index.dtype, np.integer):
        raise InvalidParameterError(f"next_index must hold integers, got dtype {next_index.dtype}")
    if next_index.size and (next_index.min() < 0 or next_index.max() >= shape[0]):
        raise InvalidParameterError(f"next_index entries must be state numbers in [0, {shape[0]})")
    return next_index.astype(np.int64, copy=False)


def canonicalise(reward: TabularReward, discount: float, state_dist=None, action_dist=None) -> TabularReward:
    """EPIC's canonical form of `reward`, as a `TabularReward`.

    ``C(R)(s, a, s') = R(s, a, s') + gamma g(s') - g(s) - gamma G`` with
    ``g(x) = E[R(x, A, S')]`` and ``G = E[g(S)]`` (``S, S' ~ state_dist``,
    ``A ~ action_dist``), that is ``r - gamma G`` with potential ``Phi + g``.
    Any shaping of `reward` cancels: ``canonicalise(R.shaped(Phi)) ==
    canonicalise(R)`` up to rounding.

    Args:
        reward: the reward on ``N`` states and ``A`` actions.
        discount: gamma, in (0, 1].
        state_dist: ``float[N]`` weights of ``D_S`` (normalised here); None: uniform.
        action_dist: ``float[A]`` weights of ``D_A``; None: uniform.
    """
    discount = _check_discount(discount)
    n_states, n_actions = reward.shape
    p = _distribution(state_dist, n_states, "state_dist")
    q = _distribution(action_dist, n_actions, "action_dist")
    phi = reward.phi
    # g(x) = E_A[r(x, A)] + gamma E_S'[Phi(S')] - Phi(x)
    g = reward.r @ q + discount * (p @ phi) - phi
    return TabularReward(reward.r - discount * (p @ g), phi + g)


def pearson_distance(x, y, weights=None, *, scale: float | None = None) -> float:
    """Weighted Pearson distance ``sqrt((1 - rho) / 2)`` in [0, 1] of two arrays.

    Computed as ``|z_x - z_y| / 2`` over standardised arrays (stable near 0);
    a constant array standardises to zeros, so two constants are at 0 and a
    constant is at 0.5 from anything else. An array counts as constant when its
    standard deviation is below `CONSTANT_RTOL` times `scale` (default: its
    largest absolute entry).

    Args:
        x, y: ``float[...]`` of one shape.
        weights: ``float[...]`` non-negative weights of that shape; None: equal.
        scale: the magnitude that rounding errors in `x` and `y` are relative to.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise InvalidParameterError(
            f"pearson_distance needs arrays of one shape, got {x.shape} and {y.shape}"
        )
    if x.size == 0:
        raise InvalidParameterError("pearson_distance needs non-empty arrays")
    weights = _distribution(None if weights is None else np.ravel(weights), x.size, "weights")
    x, y = x.ravel(), y.ravel()
    z_x = _standardise(x, weights, scale)
    z_y = _standardise(y, weights, scale)
    return float(min(1.0, np.sqrt(weights @ (z_x - z_y) ** 2) / 2.0))


def _standardise(values: np.ndarray, weights: np.ndarray, scale: float | None) -> np.ndarray:
    support = weights > 0
    mean = weights @ values
    centred = np.where(support, values - mean, 0.0)
    std = np.sqrt(weights @ centred**2)
    if scale is None:
        scale = float(np.abs(values[support]).max())
    if not np.isfinite(std):
        raise InvalidParameterError("rewards must be finite")
    if std <= CONSTANT_RTOL * scale or std == 0.0:
        return np.zeros_like(values)
    return centred / std


def epic(
    reward_a: TabularReward,
    reward_b: TabularReward,
    next_index,
    discount: float,
    state_dist=None,
    action_dist=None,
    coverage=None,
) -> float:
    """EPIC distance in [0, 1] between two tabular rewards on one transition space.

    Args:
        reward_a, reward_b: rewards on ``N`` states and ``A`` actions.
        next_index: ``int[N, A]``, the successor of each transition; the
            coverage transitions are ``(s, a, next_index[s, a])``.
        discount: gamma in (0, 1], for canonicalisation and shaping.
        state_dist: ``float[N]`` weights of ``D_S``; None: uniform.
        action_dist: ``float[A]`` weights of ``D_A``; None: uniform.
        coverage: ``float[N, A]`` weights of the coverage transitions; None:
            ``state_dist[s] * action_dist[a]``.
    """
    if not isinstance(reward_a, TabularReward) or not isinstance(reward_b, TabularReward):
        raise InvalidParameterError(
            f"epic compares two TabularRewards, got {type(reward_a).__name__} and {type(reward_b).__name__}"
        )
    _same_shape(reward_a, reward_b)
    next_index = _check_next_index(next_index, reward_a.shape)
    discount = _check_discount(discount)
    n_states, n_actions = reward_a.shape
    p = _distribution(state_dist, n_states, "state_dist")
    q = _distribution(action_dist, n_actions, "action_dist")
    if coverage is None:
        coverage = np.outer(p, q)
    else:
        coverage = np.asarray(coverage, dtype=np.float64)
        if coverage.shape != reward_a.shape:
            raise InvalidParameterError(
                f"coverage must have the rewards' shape {reward_a.shape}, got {coverage.shape}"
            )
    states = np.arange(n_states)[:, None]
    actions = np.arange(n_actions)[None, :]
    values = []
    for reward in (reward_a, reward_b):
        canonical = canonicalise(reward, discount, p, q)
        values.append((canonical.evaluate(discount, states, actions, next_index), reward.magnitude()))
    (x, scale_x), (y, scale_y) = values
    weights = _distribution(coverage.ravel(), coverage.size, "coverage")
    x, y = x.ravel(), y.ravel()
    z_x, z_y = _standardise(x, weights, scale_x), _standardise(y, weights, scale_y)
    return float(min(1.0, np.sqrt(weights @ (z_x - z_y) ** 2) / 2.0))


# ---- objectives on levels -----------------------------------------------------------------------


def _discrete(world: World | str) -> World:
    world = get_world(world)
    if world.continuous:
        raise InvalidParameterError(
            f"{world.name} is continuous: EPIC and regret need a level whose states can be enumerated"
        )
    return world


def _oracle(oracle) -> planners.ValueIteration:
    if oracle is None:
        return planners.default_oracle()
    if not isinstance(oracle, planners.ValueIteration):
        raise InvalidParameterError(f"oracle must be a planners.ValueIteration, got {oracle!r}")
    return oracle


def tabular_reward(
    world: World | str,
    level: Level,
    objective: objectives.Objective | str,
    oracle: planners.ValueIteration | None = None,
) -> TabularReward:
    """`objective`'s reward ``w . phi(s, a) - step_cost`` on the level's enumerated
    transitions (`oracle.model`), zero out of world-terminal states. Its
    terminal features are ignored (see the module docstring)."""
    world = _discrete(world)
    objective = objectives.as_objective(world, objective)
    model = _oracle(oracle).model(world, level)
    bound = objective.bind(world)
    r = model.features @ bound.weights - bound.step_cost
    r[model.world_terminal] = 0.0
    return TabularReward(r)


def _common_discount(a: objectives.Objective, b: objectives.Objective, discount) -> float:
    if discount is not None:
        return _check_discount(discount)
    if a.discount != b.discount:
        raise InvalidParameterError(
            f"objectives {a.name!r} and {b.name!r} have discounts {a.discount} and {b.discount}; "
            "pass discount=... to compare them under one"
        )
    return a.discount


def epic_distance(
    world: World | str,
    level: Level,
    a: objectives.Objective | str,
    b: objectives.Objective | str,
    *,
    discount: float | None = None,
    oracle: planners.ValueIteration | None = None,
    state_dist=None,
    action_dist=None,
) -> float:
    """EPIC distance in [0, 1] between objectives `a` and `b` (or catalogue names) on `level`.

    Coverage: the level's enumerated transitions, weighted ``D_S(s) D_A(a)``
    (uniform over reachable states and actions unless given, indexed like
    ``oracle.model(world, level).states``). `discount` defaults to the
    objectives' common discount.
    """
    world = _discrete(world)
    a, b = objectives.as_objective(world, a), objectives.as_objective(world, b)
    gamma = _common_discount(a, b, discount)
    oracle = _oracle(oracle)
    model = oracle.model(world, level)
    return epic(
        tabular_reward(world, level, a, oracle),
        tabular_reward(world, level, b, oracle),
        model.next_index,
        gamma,
        state_dist,
        action_dist,
    )


def regret(
    world: World | str,
    level: Level,
    pursued: objectives.Objective | str,
    base: objectives.Objective | str | None = None,
    *,
    oracle: planners.ValueIteration | None = None,
    max_steps: int | None = None,
) -> float:
    """The base return lost by optimally pursuing `pursued` instead of `base`.

    ``J_base(pi*_base) - J_base(pi*_pursued)`` from the level's start: both
    policies are `oracle` (a `planners.ValueIteration`, exact) under
    `planners.rollout` with the same `max_steps`, and each episode is scored
    by `base`'s discounted return. `base` defaults to the world's base
    objective. The pursuing agent stops when its own objective ends, as in
    any rollout; ties between its optimal actions go to the lowest action
    index, so an objective indifferent between paths is charged for one
    particular optimal policy. 0 when `pursued` equals `base`; never
    negative beyond rounding (the base policy is optimal), and, when
    `max_steps` does not cut the base's optimal episode short,
    ``J_base(pi*_base)`` is ``oracle.optimal_return``.
    """
    world = _discrete(world)
    pursued = objectives.as_objective(world, pursued)
    base = objectives.as_objective(world, world.base if base is None else base)
    if pursued == base:
        return 0.0
    oracle = _oracle(oracle)
    bound = base.bind(world)

    def base_return(objective: objectives.Objective) -> float:
        episode = planners.rollout(world, level, planners.Agent(oracle, objective), max_steps, oracle=oracle)
        return bound.discounted_return(episode.features)

    return base_return(base) - base_return(pursued)


__all__ = [
    "CONSTANT_RTOL",
    "TabularReward",
    "canonicalise",
    "epic",
    "epic_distance",
    "pearson_distance",
    "regret",
    "tabular_reward",
]
