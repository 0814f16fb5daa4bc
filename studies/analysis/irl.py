"""Tabular maximum-causal-entropy IRL: the objective that best explains an agent.

An agent with no explicit objective (`planners.Reactive`), or one whose
objective we pretend not to know, has a *revealed* objective: the weights over
the world's linear features under which its behaviour is most likely
(DESIGN.md section 1). This module fits them on any level small enough for the
oracle's state enumeration.

The model of the demonstrator is a choice, and the answer depends on it
(Armstrong & Mindermann: planner and objective cannot both be identified from
behaviour):

``planner_model="optimal"``
    Maximum causal entropy (Ziebart 2010): the demonstrator is Boltzmann-
    rational in the soft finite-horizon action values,
    ``pi_t(a | s) = exp((Q_t(s, a) - V_t(s)) / temperature)`` with
    ``V_t(s) = temperature * log sum_a exp(Q_t(s, a) / temperature)``. The
    mean negative log-likelihood of the demonstrations is convex in the
    weights and its gradient is
    ``(expected feature counts - demonstrated feature counts) / temperature``.
``planner_model="depth-limited"``, ``depth=d``
    A Boltzmann choice over `d`-step lookahead values, the values
    `planners.ValueIteration(horizon=d)` acts on:
    ``pi(a | s) = softmax_a(Q^d(s, a) / temperature)``, stationary. The
    feature-matching identity does not hold for it, so the weights maximise
    the likelihood of the demonstrated actions, with the exact gradient of
    the lookahead recursion (the features along the greedy continuation).

The MDP (`TabularMDP`, built by `mdp_of`) is the oracle's enumerated level
with two kinds of absorbing state, which loop to themselves under every
action with zero features: world-terminal states, and one extra state that
every transition firing a *goal* feature (a terminal feature of any catalogue
objective, e.g. ``reached_exit`` or ``reached_arrow``) leads to, because an
agent's episode ends when its goal fires. (`irl` drops a goal that some
episode fired and then carried on past: it evidently did not end that
agent's episode.) The occupancy keeps the mass that reaches an absorbing
state, so every time step of it sums to 1. In the soft values an absorbing
state keeps its A equal choices: having ended costs the MCE agent no
entropy, so a goal's weight alone says how much it wants to end there. (Were
absorbing states worth 0, every positive goal would be put off until the
last steps, to keep choosing; a direct path would then need huge weights.)
The depth-limited model's hard-max lookahead values them at 0, like the
planner it models.

Demonstrations that end in an absorbing state are padded there up to the
horizon. One that stops elsewhere (out of steps, or a policy with no move
left) is modelled as an agent that had exactly its own length to act: the
last steps of the longer soft solution, so one backward pass serves every
length.

Weights are in units of the temperature: the policy depends on
``weights / temperature`` only, and with the temperature fixed the MCE
weights are identified. Features a demonstrator never triggers (a wall it
never bumps) would be pushed to minus infinity, so a small L2 penalty `l2`
keeps the fit finite.

>>> result = irl("chests-keys", levels, episodes)  # doctest: +SKIP
>>> result.weights  # doctest: +SKIP
{'collected_key': 16.4, 'opened_chest': 6.3}
>>> result.objective  # an objectives.Objective over the fitted features  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

import objectives
from objectives import Objective
from planners.agent import Episode
from planners.oracle import ValueIteration, default_oracle
from studies.analysis import irl_kernels as kernels
from worlds import InvalidParameterError, Level, UnknownNameError, World
from worlds import get as get_world

PLANNER_MODELS = ("optimal", "depth-limited")
OPTIMIZERS = ("lbfgs", "adam")


class Trajectory(NamedTuple):
    """One demonstration as state and action indices of a `TabularMDP`.

    Attributes:
        states: ``int64[T+1]`` (or ``int64[T]``) visited state indices;
            ``states[0]`` must be the MDP's start.
        actions: ``int64[T]`` action indices.
    """

    states: np.ndarray
    actions: np.ndarray


# ---- the tabular MDP ----------------------------------------------------------


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


def _discrete_world(world: World | str) -> World:
    world = get_world(world)
    if world.continuous:
        raise InvalidParameterError(
            f"{world.name} is continuous: tabular IRL needs a discrete world, "
            "with levels the oracle can enumerate"
        )
    return world


def _names(world: World, names, what: str) -> tuple[str, ...]:
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


def _feature_names(world: World, features) -> tuple[str, ...]:
    if features is None:
        return default_features(world)
    names = _names(world, features, "features")
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
    world = _discrete_world(world)
    names = _feature_names(world, features)
    goal_names = goal_features(world) if goals is None else _names(world, goals, "goals")
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


# ---- soft value iteration, occupancies, feature counts --------------------------


def _positive(value, name: str, integer: bool = False):
    kind = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kind) or not value > 0 or not np.isfinite(value):
        noun = "a positive integer" if integer else "a positive number"
        raise InvalidParameterError(f"{name} must be {noun}, got {value!r}")
    return int(value) if integer else float(value)


def _discount(discount) -> float:
    discount = _positive(discount, "discount")
    if discount > 1.0:
        raise InvalidParameterError(f"discount must be in (0, 1], got {discount}")
    return discount


def soft_values(mdp: TabularMDP, reward, horizon: int, temperature: float = 1.0, discount: float = 1.0):
    """Soft values ``float64[T+1, N]``: ``values[t, s]`` with T - t steps to go
    (``values[T] = 0``; absorbing states are worth 0)."""
    horizon = _positive(horizon, "horizon", integer=True)
    temperature = _positive(temperature, "temperature")
    values = np.empty((horizon + 1, mdp.n_states))
    kernels.soft_values(
        mdp.next_index, _reward(mdp, reward), mdp.absorbing, 1.0 / temperature, _discount(discount), values
    )
    return values


def _reward(mdp: TabularMDP, reward) -> np.ndarray:
    reward = np.ascontiguousarray(reward, dtype=np.float64)
    if reward.shape != mdp.next_index.shape:
        raise InvalidParameterError(f"reward must be float64{list(mdp.next_index.shape)}, got {reward.shape}")
    return reward


def soft_value_iteration(
    mdp: TabularMDP, reward, horizon: int, temperature: float = 1.0, discount: float = 1.0
) -> np.ndarray:
    """The time-varying Boltzmann-rational (MCE) policy ``float64[T, N, A]``.

    ``policy[t, s, a] = exp((Q_t(s, a) - V_t(s)) / temperature)`` with T - t
    steps to go, for reward ``float[N, A]`` (e.g. ``mdp.reward(weights)``);
    uniform in absorbing states.
    """
    values = soft_values(mdp, reward, horizon, temperature, discount)
    policy = np.empty((horizon, mdp.n_states, mdp.n_actions))
    kernels.soft_policy(
        mdp.next_index, _reward(mdp, reward), mdp.absorbing, values, 1.0 / temperature, discount, policy
    )
    return policy


def _policy3(mdp: TabularMDP, policy, horizon: int | None) -> tuple[np.ndarray, int]:
    policy = np.ascontiguousarray(policy, dtype=np.float64)
    if policy.ndim == 2:
        policy = policy[None]
        if horizon is None:
            raise InvalidParameterError("a stationary policy float[N, A] needs a horizon")
    if policy.ndim != 3 or policy.shape[1:] != mdp.next_index.shape:
        raise InvalidParameterError(
            f"policy must be float64[T, N, A] or [N, A] with [N, A] = {list(mdp.next_index.shape)}, "
            f"got {policy.shape}"
        )
    horizon = policy.shape[0] if horizon is None else _positive(horizon, "horizon", integer=True)
    if policy.shape[0] != 1 and policy.shape[0] < horizon:
        raise InvalidParameterError(
            f"the policy covers {policy.shape[0]} steps, fewer than horizon {horizon}"
        )
    return policy, horizon


def occupancy(mdp: TabularMDP, policy, horizon: int | None = None) -> np.ndarray:
    """State occupancy ``float64[T, N]`` of `policy` from the start state.

    `policy` is time-varying ``float[T', N, A]`` (T' >= T; T defaults to T') or
    stationary ``float[N, A]`` (then `horizon` is required). ``out[t, s]`` is
    the probability of being in s at step t: every row sums to 1 (absorbing
    states keep their mass), so the whole sums to the horizon.
    """
    policy, horizon = _policy3(mdp, policy, horizon)
    out = np.empty((horizon, mdp.n_states))
    kernels.occupancy(mdp.next_index, policy, mdp.start, out)
    return out


def state_action_visits(
    mdp: TabularMDP, policy, horizon: int | None = None, discount: float = 1.0
) -> np.ndarray:
    """``float64[N, A]``: ``sum_t discount^t P(s_t = s, a_t = a)`` over the
    horizon, zero in absorbing states (where nothing is chosen)."""
    policy, horizon = _policy3(mdp, policy, horizon)
    discount = _discount(discount)
    mass = occupancy(mdp, policy, horizon)
    visits = np.zeros(mdp.next_index.shape)
    for t in range(horizon):
        visits += discount**t * mass[t, :, None] * policy[0 if len(policy) == 1 else t]
    visits[mdp.absorbing] = 0.0
    return visits


def expected_feature_counts(
    mdp: TabularMDP, policy, horizon: int | None = None, discount: float = 1.0
) -> np.ndarray:
    """``float64[K]``: expected (discounted) summed features of `policy` over
    the horizon, from the start (see `occupancy` for the policy's shapes)."""
    return np.tensordot(state_action_visits(mdp, policy, horizon, discount), mdp.features, axes=2)


def lookahead_q(mdp: TabularMDP, reward, depth: int, discount: float = 1.0) -> np.ndarray:
    """Depth-limited optimal action values ``float64[N, A]``: the best
    `depth`-step return after taking a in s (0 in absorbing states)."""
    return _lookahead(
        mdp, _reward(mdp, reward), _positive(depth, "depth", integer=True), _discount(discount)
    )[0]


def _lookahead(mdp: TabularMDP, reward, depth: int, discount: float):
    n_states, n_actions, n_features = mdp.features.shape
    q = np.empty((n_states, n_actions))
    grad_q = np.empty((n_states, n_actions, n_features))
    v, v_next = np.empty(n_states), np.empty(n_states)
    grad_v, grad_v_next = np.empty((n_states, n_features)), np.empty((n_states, n_features))
    kernels.lookahead(
        mdp.next_index, reward, mdp.features, mdp.absorbing, depth, discount, q, grad_q, v, grad_v, v_next,
        grad_v_next,
    )  # fmt: skip
    return q, grad_q


def boltzmann(q, temperature: float = 1.0) -> np.ndarray:
    """Stationary Boltzmann policy ``float64[N, A]``: softmax of ``q / temperature``."""
    logits = np.asarray(q, dtype=np.float64) / _positive(temperature, "temperature")
    logits = logits - logits.max(axis=-1, keepdims=True)
    policy = np.exp(logits)
    return policy / policy.sum(axis=-1, keepdims=True)


def depth_limited_policy(
    mdp: TabularMDP, reward, depth: int, temperature: float = 1.0, discount: float = 1.0
) -> np.ndarray:
    """The depth-limited planner model's policy ``float64[N, A]``."""
    return boltzmann(lookahead_q(mdp, reward, depth, discount), temperature)


def sample_trajectories(
    mdp: TabularMDP, policy, horizon: int | None = None, n: int = 1, seed: int = 0
) -> list[Trajectory]:
    """`n` trajectories of `policy` (shapes as in `occupancy`) from the start,
    each ending on entering an absorbing state or after `horizon` steps."""
    policy, horizon = _policy3(mdp, policy, horizon)
    n = _positive(n, "n", integer=True)
    rng = np.random.default_rng(seed)
    states = np.empty((n, horizon + 1), dtype=np.int64)
    actions = np.empty((n, horizon), dtype=np.int64)
    states[:, 0] = mdp.start
    for t in range(horizon):
        cumulative = np.cumsum(policy[0 if len(policy) == 1 else t][states[:, t]], axis=1)
        draws = rng.random(n)[:, None] * cumulative[:, -1:]
        actions[:, t] = np.minimum((cumulative <= draws).sum(axis=1), mdp.n_actions - 1)
        states[:, t + 1] = mdp.next_index[states[:, t], actions[:, t]]
    out = []
    for i in range(n):
        ended = np.flatnonzero(mdp.absorbing[states[i]])
        length = int(ended[0]) if ended.size else horizon
        out.append(Trajectory(states[i, : length + 1].copy(), actions[i, :length].copy()))
    return out


# ---- demonstrations ------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Demonstrations:
    """What the fit needs of the demonstrations on one MDP, as means per
    demonstration (so an exact expert is the limit of many samples).

    Attributes:
        feature_counts: ``float64[K]`` mean (discounted) summed features.
        visits: ``float64[N, A]`` mean state-action visit counts, absorbing
            states excluded (the likelihood of the depth-limited model).
        horizons: horizon -> fraction of demonstrations modelled as agents
            with that many steps to act.
        count: how many demonstrations these are (their weight when levels
            are pooled).
        discount: the discount `feature_counts` were summed with.
        padding: mean number of steps spent padded in an absorbing state.
    """

    feature_counts: np.ndarray
    visits: np.ndarray
    horizons: Mapping[int, float]
    count: float
    discount: float = 1.0
    padding: float = 0.0

    @property
    def horizon(self) -> int:
        """The longest horizon among the demonstrations."""
        return max(self.horizons, default=0)

    @classmethod
    def from_trajectories(
        cls, mdp: TabularMDP, trajectories: Sequence, horizon: int | None = None, discount: float = 1.0
    ) -> Demonstrations:
        """Statistics of `trajectories` (`Trajectory` or (states, actions) pairs).

        A trajectory is followed through the MDP from its start state: steps
        after it enters an absorbing state, or beyond `horizon`, are ignored.
        One that ends in an absorbing state counts as an agent with the full
        horizon (padded in the absorbing state); one that stops elsewhere as
        an agent with exactly its own length. `horizon` defaults to the
        longest trajectory.
        """
        discount = _discount(discount)
        walks = [_walk(mdp, trajectory, i) for i, trajectory in enumerate(trajectories)]
        if not walks:
            raise InvalidParameterError("no demonstrations: pass at least one trajectory")
        if horizon is None:
            horizon = max([1] + [len(steps) for steps, _ in walks])
        else:
            horizon = _positive(horizon, "horizon", integer=True)
        counts = np.zeros(mdp.n_features)
        visits = np.zeros(mdp.next_index.shape)
        horizons: dict[int, float] = {}
        padding = 0.0
        for steps, absorbed in walks:
            truncated = len(steps) > horizon
            steps = steps[:horizon]
            for t, (s, a) in enumerate(steps):
                visits[s, a] += 1.0
                counts += discount**t * mdp.features[s, a]
            length = horizon if absorbed or truncated else len(steps)
            if length > 0:
                horizons[length] = horizons.get(length, 0.0) + 1.0 / len(walks)
            padding += length - len(steps)
        n = len(walks)
        return cls(counts / n, visits / n, horizons, float(n), discount, padding / n)

    @classmethod
    def exact(
        cls, mdp: TabularMDP, policy, horizon: int | None = None, discount: float = 1.0, count: float = 1.0
    ) -> Demonstrations:
        """The limit of infinitely many demonstrations of `policy` (shapes as
        in `occupancy`) over `horizon` steps, weighted as `count` of them."""
        policy, horizon = _policy3(mdp, policy, horizon)
        discount = _discount(discount)
        visits = state_action_visits(mdp, policy, horizon)
        discounted = visits if discount == 1.0 else state_action_visits(mdp, policy, horizon, discount)
        counts = np.tensordot(discounted, mdp.features, axes=2)
        padding = float(occupancy(mdp, policy, horizon)[:, mdp.absorbing].sum())
        return cls(counts, visits, {horizon: 1.0}, _positive(count, "count"), discount, padding)


def _walk(mdp: TabularMDP, trajectory, number: int) -> tuple[list[tuple[int, int]], bool]:
    """The (state, action) steps of a trajectory through `mdp`, and whether it
    ended in an absorbing state."""
    try:
        states, actions = trajectory
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"demonstration {number} is not a (states, actions) pair: {type(trajectory).__name__}"
        ) from None
    states, actions = np.asarray(states, dtype=np.int64), np.asarray(actions, dtype=np.int64)
    if states.ndim != 1 or actions.ndim != 1:
        raise InvalidParameterError(
            f"demonstration {number} must hold 1-D state and action indices; "
            "fit episodes with irl(), which numbers their states"
        )
    if len(states) not in (len(actions), len(actions) + 1) or len(states) == 0:
        raise InvalidParameterError(
            f"demonstration {number} has {len(states)} states for {len(actions)} actions; "
            "give T+1 (or T) states for T actions"
        )
    if states[0] != mdp.start:
        raise InvalidParameterError(
            f"demonstration {number} starts in state {states[0]}, not the MDP's start {mdp.start}"
        )
    if actions.size and (actions.min() < 0 or actions.max() >= mdp.n_actions):
        raise InvalidParameterError(f"demonstration {number} has actions outside [0, {mdp.n_actions})")
    steps, s = [], mdp.start
    for t in range(len(actions) + 1):
        if t < len(states) and states[t] != s and not mdp.absorbing[s]:  # ended: any label
            raise InvalidParameterError(
                f"demonstration {number} does not follow the MDP at step {t}: "
                f"it is in state {states[t]} where the MDP's transitions lead to {s}"
            )
        if t == len(actions) or mdp.absorbing[s]:
            break
        steps.append((int(s), int(actions[t])))
        s = int(mdp.next_index[s, actions[t]])
    return steps, bool(mdp.absorbing[s])


def demonstration_counts(
    mdp: TabularMDP, trajectories: Sequence, horizon: int | None = None, discount: float = 1.0
) -> np.ndarray:
    """``float64[K]``: mean over `trajectories` of their (discounted) summed
    features, each padded in its absorbing state up to `horizon`."""
    return Demonstrations.from_trajectories(mdp, trajectories, horizon, discount).feature_counts


# ---- the fit ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class IRLResult:
    """A fitted (revealed) objective.

    Attributes:
        objective: an `objectives.Objective` over the fitted features; its
            terminal features are the goal features with positive weight,
            its step cost 0 (the fit has no constant feature).
        weights: feature name -> fitted weight (in units of the temperature).
        normalised: the weights scaled to unit L2 norm (zeros stay zeros).
        theta: ``float64[K]`` the fitted weights in feature order.
        feature_names: the K feature names.
        history: per iteration ``{"iteration", "loss", "grad_norm"}``; the loss
            is the mean negative log-likelihood per demonstration (for the
            optimal model with a discount below 1, the MCE dual) plus the L2
            penalty.
        planner_model, depth, temperature, horizon, discount: the model fitted.
        converged: the optimiser's own verdict; message says why it stopped.
    """

    objective: Objective
    weights: dict[str, float]
    normalised: dict[str, float]
    theta: np.ndarray
    feature_names: tuple[str, ...]
    history: list[dict[str, float]]
    planner_model: str
    depth: int | None
    temperature: float
    horizon: int
    discount: float
    converged: bool
    message: str


def _check_model(planner_model: str, depth) -> int | None:
    if planner_model not in PLANNER_MODELS:
        raise InvalidParameterError(
            f"unknown planner model {planner_model!r}; valid planner models: {', '.join(PLANNER_MODELS)}"
        )
    if planner_model == "depth-limited":
        if depth is None:
            raise InvalidParameterError("planner_model='depth-limited' needs depth=<lookahead steps, >= 1>")
        return _positive(depth, "depth", integer=True)
    if depth is not None:
        raise InvalidParameterError("depth applies only to planner_model='depth-limited'")
    return None


class _Level:
    """One MDP with its demonstrations and the scratch the kernels reuse."""

    def __init__(self, mdp: TabularMDP, demos: Demonstrations):
        self.mdp, self.demos = mdp, demos
        n_states, n_actions = mdp.next_index.shape
        self.values = np.empty((demos.horizon + 1, n_states))
        self.visits = np.empty((n_states, n_actions))
        self.mass, self.mass_next = np.empty(n_states), np.empty(n_states)
        self.visited = np.flatnonzero(demos.visits.sum(axis=1) > 0)

    def mce(self, theta, inv_temp: float, discount: float) -> tuple[float, np.ndarray]:
        mdp, demos = self.mdp, self.demos
        reward = mdp.reward(theta)
        kernels.soft_values(mdp.next_index, reward, mdp.absorbing, inv_temp, discount, self.values)
        top = demos.horizon
        expected = np.zeros(mdp.n_features)
        value = 0.0
        for length, share in demos.horizons.items():
            value += share * self.values[top - length, mdp.start]
            kernels.mce_visits(
                mdp.next_index, reward, mdp.absorbing, self.values, mdp.start, length, inv_temp, discount,
                self.mass, self.mass_next, self.visits,
            )  # fmt: skip
            expected += share * np.tensordot(self.visits, mdp.features, axes=2)
        loss = (value - theta @ demos.feature_counts) * inv_temp
        if discount == 1.0:  # the padded steps' uniform choices are no demonstrated actions
            loss -= demos.padding * np.log(mdp.n_actions)
        return float(loss), (expected - demos.feature_counts) * inv_temp

    def depth_limited(self, theta, inv_temp: float, discount: float, depth: int) -> tuple[float, np.ndarray]:
        mdp = self.mdp
        q, grad_q = _lookahead(mdp, mdp.reward(theta), depth, discount)
        rows = self.visited
        visits = self.demos.visits[rows]
        logits = q[rows] * inv_temp
        logits -= logits.max(axis=1, keepdims=True)
        log_policy = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        policy = np.exp(log_policy)
        loss = -float((visits * log_policy).sum())
        # d log pi(a|s) = (dQ(s, a) - sum_b pi(b|s) dQ(s, b)) / temperature
        residual = visits - visits.sum(axis=1, keepdims=True) * policy
        return loss, -inv_temp * np.tensordot(residual, grad_q[rows], axes=2)


def irl_loss(
    mdps: Sequence[TabularMDP],
    demonstrations: Sequence,
    weights,
    *,
    planner_model: str = "optimal",
    depth: int | None = None,
    horizon: int | None = None,
    temperature: float = 1.0,
    discount: float = 1.0,
    l2: float = 0.0,
) -> tuple[float, np.ndarray]:
    """The fit's loss and its gradient ``float64[K]`` at `weights` ``float[K]``.

    The loss is the demonstration-weighted mean over levels of the per-
    demonstration negative log-likelihood, plus ``l2 / 2 * |weights|^2``. For
    the optimal model its gradient is ``(expected - demonstrated feature
    counts) / temperature`` (plus ``l2 * weights``).
    """
    problem = _problem(mdps, demonstrations, horizon, discount)
    depth = _check_model(planner_model, depth)
    function = _loss_function(problem, planner_model, depth, temperature, discount, l2)
    return function(np.asarray(weights, dtype=np.float64))


def _problem(mdps, demonstrations, horizon, discount) -> list[_Level]:
    mdps, demonstrations = list(mdps), list(demonstrations)
    if not mdps:
        raise InvalidParameterError("no MDPs: pass at least one level")
    if len(mdps) != len(demonstrations):
        raise InvalidParameterError(
            f"{len(mdps)} MDPs but {len(demonstrations)} demonstration sets; pass one set per MDP"
        )
    names = mdps[0].feature_names
    if any(mdp.feature_names != names for mdp in mdps):
        raise InvalidParameterError("every MDP must have the same features, in the same order")
    discount = _discount(discount)
    if horizon is None:  # the longest trajectory anywhere
        horizon = 1
        for mdp, demos in zip(mdps, demonstrations):
            if not isinstance(demos, Demonstrations):
                horizon = max([horizon] + [len(_walk(mdp, t, i)[0]) for i, t in enumerate(demos)])
    else:
        horizon = _positive(horizon, "horizon", integer=True)
    levels = []
    for mdp, demos in zip(mdps, demonstrations):
        if not isinstance(demos, Demonstrations):
            demos = Demonstrations.from_trajectories(mdp, demos, horizon, discount)
        elif demos.discount != discount:
            raise InvalidParameterError(
                f"demonstrations summed with discount {demos.discount} "
                f"cannot be fitted with discount {discount}"
            )
        if demos.visits.shape != mdp.next_index.shape or demos.feature_counts.shape != (mdp.n_features,):
            raise InvalidParameterError("demonstrations were made for an MDP of another shape")
        levels.append(_Level(mdp, demos))
    if sum(level.demos.count for level in levels) <= 0:
        raise InvalidParameterError("no demonstrations: pass at least one trajectory")
    return levels


def _loss_function(levels: list[_Level], planner_model, depth, temperature, discount, l2):
    inv_temp = 1.0 / _positive(temperature, "temperature")
    discount = _discount(discount)
    if isinstance(l2, bool) or not isinstance(l2, (int, float, np.number)) or not l2 >= 0:
        raise InvalidParameterError(f"l2 must be a non-negative number, got {l2!r}")
    total = sum(level.demos.count for level in levels)

    def function(theta: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad = 0.5 * l2 * float(theta @ theta), l2 * theta
        for level in levels:
            if planner_model == "optimal":
                part, part_grad = level.mce(theta, inv_temp, discount)
            else:
                part, part_grad = level.depth_limited(theta, inv_temp, discount, depth)
            share = level.demos.count / total
            loss += share * part
            grad = grad + share * part_grad
        return loss, grad

    return function


def fit_irl(
    mdps: Sequence[TabularMDP],
    demonstrations: Sequence,
    *,
    planner_model: str = "optimal",
    depth: int | None = None,
    horizon: int | None = None,
    temperature: float = 1.0,
    discount: float = 1.0,
    l2: float = 1e-2,
    iterations: int = 200,
    optimizer: str = "lbfgs",
    lr: float = 0.05,
    init=None,
    seed: int = 0,
    objective_discount: float = 1.0,
    name: str | None = None,
) -> IRLResult:
    """Fit weights over the MDPs' features to demonstrations.

    Args:
        mdps: one `TabularMDP` per level, all with the same features.
        demonstrations: per MDP, a list of trajectories (`Trajectory` or
            (states, actions) pairs of indices) or a `Demonstrations`.
        planner_model: ``"optimal"`` (MCE) or ``"depth-limited"`` (with `depth`).
        horizon: steps the modelled agent has (default: the longest
            trajectory); demonstrations ending in an absorbing state are
            padded to it. Unused by the depth-limited policy, which is
            stationary, except to cut longer trajectories.
        temperature: the Boltzmann temperature (inverse rationality).
        discount: discount of the modelled agent's values (and, for the
            optimal model, of the matched feature counts).
        l2: L2 penalty ``l2 / 2 * |w|^2`` on the weights.
        iterations: optimiser iterations (at most).
        optimizer: ``"lbfgs"`` (scipy's L-BFGS-B; scipy comes with JAX) or
            ``"adam"`` with learning rate `lr`.
        init: initial weights ``float[K]`` (default: small seeded noise, which
            breaks the depth-limited model's ties at zero).
        objective_discount: the discount of the returned `Objective`.
    """
    depth = _check_model(planner_model, depth)
    if optimizer not in OPTIMIZERS:
        raise InvalidParameterError(
            f"unknown optimizer {optimizer!r}; valid optimizers: {', '.join(OPTIMIZERS)}"
        )
    iterations = _positive(iterations, "iterations", integer=True)
    levels = _problem(mdps, demonstrations, horizon, discount)
    function = _loss_function(levels, planner_model, depth, temperature, discount, l2)
    names = levels[0].mdp.feature_names
    if init is None:
        theta0 = 0.01 * np.random.default_rng(seed).standard_normal(len(names))
    else:
        theta0 = np.array(init, dtype=np.float64)
        if theta0.shape != (len(names),):
            raise InvalidParameterError(f"init must be float[{len(names)}], got shape {theta0.shape}")
    if optimizer == "lbfgs":
        theta, history, converged, message = _lbfgs(function, theta0, iterations)
    else:
        theta, history, converged, message = _adam(function, theta0, iterations, _positive(lr, "lr"))
    weights = {f: float(w) for f, w in zip(names, theta)}
    norm = float(np.linalg.norm(theta))
    normalised = {f: (float(w) / norm if norm > 0 else 0.0) for f, w in zip(names, theta)}
    goals = set(levels[0].mdp.goal_features)
    terminal = {f for f, w in weights.items() if f in goals and w > 0}
    label = name or f"revealed ({planner_model}{'' if depth is None else f', depth {depth}'})"
    objective = Objective(weights, terminal, 0.0, _discount(objective_discount), name=label)
    return IRLResult(
        objective, weights, normalised, theta, names, history, planner_model, depth, float(temperature),
        max(level.demos.horizon for level in levels), float(discount), converged, message,
    )  # fmt: skip


def _lbfgs(function, theta0, iterations):
    from scipy.optimize import minimize  # a JAX dependency

    history: list[dict[str, float]] = []
    last: dict[str, Any] = {}

    def evaluate(theta):
        loss, grad = function(theta)
        last.update(theta=theta.copy(), loss=loss, grad=grad)
        return loss, grad

    def record(theta):
        loss, grad = (last["loss"], last["grad"]) if np.array_equal(theta, last["theta"]) else function(theta)
        history.append({"iteration": len(history), "loss": loss, "grad_norm": float(np.linalg.norm(grad))})

    evaluate(theta0)
    record(theta0)
    result = minimize(
        evaluate, theta0, jac=True, method="L-BFGS-B", callback=record,
        options={"maxiter": iterations, "gtol": 1e-9, "ftol": 1e-13},
    )  # fmt: skip
    return np.asarray(result.x, dtype=np.float64), history, bool(result.success), str(result.message)


def _adam(function, theta, iterations, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    history: list[dict[str, float]] = []
    first, second = np.zeros_like(theta), np.zeros_like(theta)
    theta = theta.copy()
    for step in range(1, iterations + 1):
        loss, grad = function(theta)
        history.append({"iteration": step - 1, "loss": loss, "grad_norm": float(np.linalg.norm(grad))})
        first = beta1 * first + (1 - beta1) * grad
        second = beta2 * second + (1 - beta2) * grad**2
        theta -= lr * (first / (1 - beta1**step)) / (np.sqrt(second / (1 - beta2**step)) + eps)
    loss, grad = function(theta)
    history.append({"iteration": iterations, "loss": loss, "grad_norm": float(np.linalg.norm(grad))})
    return theta, history, True, f"ran {iterations} Adam steps"


# ---- from episodes on a world's levels ------------------------------------------------


def _episode_sets(levels, episodes) -> list[list]:
    levels, episodes = list(levels), list(episodes)
    if len(levels) != len(episodes):
        raise InvalidParameterError(
            f"{len(levels)} levels but {len(episodes)} episode lists; pass the episodes of each level"
        )
    sets = [[e] if isinstance(e, (Episode, Trajectory)) else list(e) for e in episodes]
    if not levels or not any(sets):
        raise InvalidParameterError("irl needs at least one episode; got none")
    return sets


def _passed_goals(world: World, sets: list[list], goals: tuple[str, ...]) -> set[str]:
    """Goal features some episode fired and then went on: not its goal."""
    columns = [world.feature_index(f) for f in goals]
    passed = set()
    for episode in (e for s in sets for e in s if isinstance(e, Episode)):
        fired = episode.features[:-1, columns] != 0
        passed |= {goals[i] for i in np.flatnonzero(fired.any(axis=0))}
    return passed


def irl(
    world: World | str,
    levels: Sequence[Level],
    episodes: Sequence,
    *,
    features: Sequence[str] | None = None,
    goals: Sequence[str] | None = None,
    planner_model: str = "optimal",
    depth: int | None = None,
    horizon: int | None = None,
    temperature: float = 1.0,
    discount: float = 1.0,
    l2: float = 1e-2,
    iterations: int = 200,
    optimizer: str = "lbfgs",
    lr: float = 0.05,
    seed: int = 0,
    oracle: ValueIteration | None = None,
) -> IRLResult:
    """The objective that best explains `episodes` on `levels`.

    Args:
        world: a discrete world (or its name).
        levels: the levels played; each must be small enough for the oracle.
        episodes: parallel to `levels`: per level an `planners.Episode`, a
            `Trajectory` of oracle state indices, or a list of these, from any
            agent (planner agents, the reactive policy).
        features: the features to weigh (default `default_features`: those
            some catalogue objective weights).
        goals: features whose firing ends an episode in the model (default:
            the catalogue's goal features, minus any that an episode fired and
            then carried on past, which evidently did not end it).
        planner_model, depth, horizon, temperature, discount, l2, iterations,
        optimizer, lr, seed: as in `fit_irl`.
        oracle: the `planners.ValueIteration` whose enumeration numbers the
            states (default: the shared one).

    Returns an `IRLResult` whose objective has the base objective's discount.
    """
    world = _discrete_world(world)
    _check_model(planner_model, depth)
    names = _feature_names(world, features)
    sets = _episode_sets(levels, episodes)
    if goals is None:
        catalogue_goals = goal_features(world)
        passed = _passed_goals(world, sets, catalogue_goals)
        goal_names = tuple(f for f in catalogue_goals if f not in passed)
    else:
        goal_names = _names(world, goals, "goals")
    oracle = oracle or default_oracle()
    mdps, trajectories = [], []
    for level, episode_set in zip(levels, sets):
        mdps.append(mdp_of(world, level, names, goals=goal_names, oracle=oracle))
        trajectories.append([_trajectory(world, level, e, oracle) for e in episode_set])
    base = objectives.get(world, world.base)
    return fit_irl(
        mdps, trajectories, planner_model=planner_model, depth=depth, horizon=horizon,
        temperature=temperature, discount=discount, l2=l2, iterations=iterations, optimizer=optimizer, lr=lr,
        seed=seed, objective_discount=base.discount,
    )  # fmt: skip


def _trajectory(world: World, level: Level, episode, oracle: ValueIteration) -> Trajectory:
    if not isinstance(episode, Episode):
        return episode
    if episode.world != world.name:
        raise InvalidParameterError(f"an episode of {episode.world} cannot be fitted in {world.name}")
    states = np.array([oracle.state_index(world, level, state) for state in episode.states], dtype=np.int64)
    return Trajectory(states, np.asarray(episode.actions, dtype=np.int64))
