"""Soft value iteration and what follows from a policy on a `TabularMDP`:
the MCE (Boltzmann-rational) policy, state occupancies, state-action visits,
expected feature counts and sampled trajectories."""

from __future__ import annotations

import numpy as np

from studies.analysis.irl import kernels
from studies.analysis.irl.mdp import TabularMDP, Trajectory, check_discount, check_reward, positive
from worlds import InvalidParameterError


def soft_values(mdp: TabularMDP, reward, horizon: int, temperature: float = 1.0, discount: float = 1.0):
    """Soft values ``float64[T+1, N]``: ``values[t, s]`` with T - t steps to go
    (``values[T] = 0``; absorbing states are worth 0)."""
    horizon = positive(horizon, "horizon", integer=True)
    temperature = positive(temperature, "temperature")
    values = np.empty((horizon + 1, mdp.n_states))
    reward, discount = check_reward(mdp, reward), check_discount(discount)
    kernels.soft_values(mdp.next_index, reward, mdp.absorbing, 1.0 / temperature, discount, values)
    return values


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
        mdp.next_index, check_reward(mdp, reward), mdp.absorbing, values, 1.0 / temperature, discount, policy
    )
    return policy


def policy_steps(mdp: TabularMDP, policy, horizon: int | None) -> tuple[np.ndarray, int]:
    """`policy` as ``float64[T', N, A]`` (a stationary ``[N, A]`` becomes T' = 1)
    with the horizon it is followed for."""
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
    horizon = policy.shape[0] if horizon is None else positive(horizon, "horizon", integer=True)
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
    policy, horizon = policy_steps(mdp, policy, horizon)
    out = np.empty((horizon, mdp.n_states))
    kernels.occupancy(mdp.next_index, policy, mdp.start, out)
    return out


def state_action_visits(
    mdp: TabularMDP, policy, horizon: int | None = None, discount: float = 1.0
) -> np.ndarray:
    """``float64[N, A]``: ``sum_t discount^t P(s_t = s, a_t = a)`` over the
    horizon, zero in absorbing states (where nothing is chosen)."""
    policy, horizon = policy_steps(mdp, policy, horizon)
    discount = check_discount(discount)
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


def sample_trajectories(
    mdp: TabularMDP, policy, horizon: int | None = None, n: int = 1, seed: int = 0
) -> list[Trajectory]:
    """`n` trajectories of `policy` (shapes as in `occupancy`) from the start,
    each ending on entering an absorbing state or after `horizon` steps."""
    policy, horizon = policy_steps(mdp, policy, horizon)
    n = positive(n, "n", integer=True)
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
