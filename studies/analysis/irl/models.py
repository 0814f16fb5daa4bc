"""The planner models of the demonstrator: ``optimal`` (maximum causal
entropy over soft values) and ``depth-limited`` (a Boltzmann choice over
`depth`-step lookahead values), each as a per-level loss with its gradient
(`LevelFit`), plus the depth-limited model's policy."""

from __future__ import annotations

import numpy as np

from studies.analysis.irl import kernels
from studies.analysis.irl.demonstrations import Demonstrations
from studies.analysis.irl.mdp import TabularMDP, check_discount, check_reward, positive
from worlds import InvalidParameterError

PLANNER_MODELS = ("optimal", "depth-limited")


def lookahead_q(mdp: TabularMDP, reward, depth: int, discount: float = 1.0) -> np.ndarray:
    """Depth-limited optimal action values ``float64[N, A]``: the best
    `depth`-step return after taking a in s (0 in absorbing states)."""
    return lookahead(
        mdp, check_reward(mdp, reward), positive(depth, "depth", integer=True), check_discount(discount)
    )[0]


def lookahead(mdp: TabularMDP, reward, depth: int, discount: float):
    """(q ``float64[N, A]``, dq/dweights ``float64[N, A, K]``): the depth-limited
    values and their exact gradient along the greedy continuation."""
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
    logits = np.asarray(q, dtype=np.float64) / positive(temperature, "temperature")
    logits = logits - logits.max(axis=-1, keepdims=True)
    policy = np.exp(logits)
    return policy / policy.sum(axis=-1, keepdims=True)


def depth_limited_policy(
    mdp: TabularMDP, reward, depth: int, temperature: float = 1.0, discount: float = 1.0
) -> np.ndarray:
    """The depth-limited planner model's policy ``float64[N, A]``."""
    return boltzmann(lookahead_q(mdp, reward, depth, discount), temperature)


def check_model(planner_model: str, depth) -> int | None:
    """The depth of a valid (`planner_model`, `depth`) pair; None for ``optimal``."""
    if planner_model not in PLANNER_MODELS:
        raise InvalidParameterError(
            f"unknown planner model {planner_model!r}; valid planner models: {', '.join(PLANNER_MODELS)}"
        )
    if planner_model == "depth-limited":
        if depth is None:
            raise InvalidParameterError("planner_model='depth-limited' needs depth=<lookahead steps, >= 1>")
        return positive(depth, "depth", integer=True)
    if depth is not None:
        raise InvalidParameterError("depth applies only to planner_model='depth-limited'")
    return None


class LevelFit:
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
        q, grad_q = lookahead(mdp, mdp.reward(theta), depth, discount)
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
